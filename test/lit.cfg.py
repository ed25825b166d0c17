# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "DS"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py",
                   "unittests", "bench"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.ds_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%ds_src_root", config.ds_src_root))
config.substitutions.append(("%python", "/usr/bin/python3"))

llvm_config.with_system_environment(["HOME", "TMPDIR", "DS_EMU_THREADS"])
llvm_config.use_default_substitutions()
# Helper scripts find the ds tools on PATH.
llvm_config.with_environment("PATH", config.ds_tools_dir, append_path=True)

if os.path.exists(os.path.join(config.ds_src_root, "third_party", "models",
                               "alexa_v0.1.onnx")):
    config.available_features.add("real-models")
config.substitutions.append(("%models",
                             os.path.join(config.ds_src_root, "third_party",
                                          "models")))

if config.ds_have_nvrtc:
    config.available_features.add("nvrtc")

# CUDA GPU present? The runtime dlopens libcuda.so.1; so do we.
try:
    import ctypes
    ctypes.CDLL("libcuda.so.1")
    config.available_features.add("cuda")
except OSError:
    pass

# ONNX import tests need ds-import (built when libonnx is found) and the
# onnx Python package that writes their models.
if os.path.exists(os.path.join(config.ds_tools_dir, "ds-import")):
    import subprocess
    if subprocess.call(["/usr/bin/python3", "-c", "import onnx"],
                       stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL) == 0:
        config.available_features.add("onnx")

tool_dirs = [config.ds_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["FileCheck", "not", "count"],
                                   [config.llvm_tools_dir])
llvm_config.add_tool_substitutions(
    ["ds-opt", "ds-compile", "ds-run", "ds-import"], tool_dirs)
