#!/usr/bin/python3
"""Prepares a GPU check of ds for a machine that has a GPU but no MLIR.

Run here (where ds-compile is built). It writes DIR (default .gpu/):
  bin/ds-run, bin/RuntimeTests the runtime-only build (DS_BUILD_COMPILER=OFF,
                            static libstdc++), which needs neither MLIR nor
                            NVRTC: what a deployment links
  art/NAME.dsa              artifacts compiled with NVRTC for sm_80, sm_90 and
                            compute_80 (CUBIN + PTX), no host module
  manifest.json             per artifact: ds-run arguments and tolerances
Then, on the GPU machine, scripts/gpu-check/run.py DIR runs every artifact
with `ds-run --device cuda --check` (the reference executor on the CPU is the
oracle), times it, runs the CUDA unit tests and compute-sanitizer on the
small artifacts.

Cases: the example MLP; every kernel kind of test/E2E/Inputs (elementwise,
data movement, views, nn ops, fusion, f16/bf16, INT4); every real model of
test/E2E/models.json that is not xfail, bound to its test shapes; the tiny
transformers at two bindings, in f32 and INT4; two models under a tight
device budget (weights streamed from host memory).

Usage: prepare.py [--build DIR] [--out DIR] [--filter REGEX] [--jobs N]
                  [--runtime-from-build | --skip-runtime-build]
scripts/gpu-check/ctest.sh runs both steps on one machine (ctest gpu/check).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "test", "lib"))
import dspipeline  # noqa: E402

E2E = os.path.join(ROOT, "test", "E2E")
GEN = [sys.executable, os.path.join(ROOT, "scripts", "gen_safetensors.py")]


def sh(cmd, **kw):
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, **kw)


def build_runtime(out, jobs):
    """The runtime-only tree: ds-run and the runtime unit tests."""
    build = os.path.join(ROOT, "build-gpu-runtime")
    sh(["cmake", "-S", ROOT, "-B", build, "-G", "Ninja",
        "-DCMAKE_BUILD_TYPE=Release", "-DDS_BUILD_COMPILER=OFF",
        "-DDS_USE_OPENBLAS=OFF", "-DDS_ENABLE_CUDA=OFF",
        "-DCMAKE_EXE_LINKER_FLAGS=-static-libstdc++ -static-libgcc"],
       stdout=subprocess.DEVNULL)
    targets = ["ds-run", "RuntimeTests"]
    sh(["ninja", "-C", build, f"-j{jobs}", *targets])
    os.makedirs(os.path.join(out, "bin"), exist_ok=True)
    for t in targets:
        for sub in ("bin", "test/unittests/runtime"):
            p = os.path.join(build, sub, t)
            if os.path.exists(p):
                shutil.copy2(p, os.path.join(out, "bin", t))
                break
        else:
            sys.exit(f"prepare: {t} not built in {build}")


def cases(work):
    """(name, model, ds-compile args, ds-run args, atol, rtol, small)."""
    os.makedirs(work, exist_ok=True)
    w = lambda n: os.path.join(work, n)  # noqa: E731
    sh(GEN + [w("mlp.safetensors"), "fc1.weight=64x128", "fc1.bias=128",
              "fc2.weight=128x10", "fc2.bias=10", "--seed", "0"])
    sh(GEN + [w("all_ops.safetensors"), "w=20x17", "--seed", "1"])
    sh(GEN + [w("nn_ops.safetensors"), "w1=4x3x3x3", "b1=4", "w2=6x2x3x3",
              "w3=4x1x5", "b3=4", "w4=3x2x2x3x3", "w5=5x3x1x1", "wt1=4x2x3x3",
              "bt1=2", "wt2=4x3x3", "wt3=2x1x2x2x2", "xt3=1x2x3x3x3:1",
              "ln7=7:1", "lb7=7", "ln17=1x7:1", "ln300=300:1", "lb300=300",
              "--seed", "3"])
    sh(GEN + [w("tiered.safetensors"), "w0=64x64", "w1=64x64", "w2=64x64",
              "w3=64x64", "--seed", "3"])
    inputs = os.path.join(E2E, "Inputs")
    yield ("mlp", os.path.join(ROOT, "examples", "mlp.mlir"),
           ["--weights", w("mlp.safetensors")], [], 1e-5, 1e-4, True)
    yield ("mlp-tiered", os.path.join(inputs, "tiered.mlir"),
           ["--weights", w("tiered.safetensors"),
            "--device-memory-budget=60000"], [], 1e-5, 1e-4, True)
    for name, extra, atol, rtol in (
            ("elementwise_ops", [], 1e-5, 1e-4),
            ("data_movement", [], 1e-5, 1e-4),
            ("views", [], 1e-5, 1e-4),
            ("fusion", [], 1e-5, 1e-4),
            ("low_precision", [], 1e-3, 1e-2),
            ("all_ops", ["--weights", w("all_ops.safetensors")], 1e-4, 1e-3),
            ("nn_ops", ["--weights", w("nn_ops.safetensors")], 1e-4, 1e-3)):
        yield (name, os.path.join(inputs, name + ".mlir"), extra, [], atol,
               rtol, True)
    for spec in dspipeline.load_models():
        if spec.get("xfail"):
            continue
        model = os.path.join(dspipeline.MODELS_DIR, spec["file"])
        # Positional binds (input order), as run_compiled_models.py gives.
        binds = [f"{i}[{d}]={n}"
                 for i, s in enumerate(spec["inputs"].values())
                 for d, n in enumerate(s["shape"])]
        yield (spec["name"], model, ["--bind=" + ",".join(binds)], [],
               max(spec["atol"], 1e-5), spec["rtol"], False)
    tdir = os.path.join(E2E, "transformers")
    for m in ("gpt2_tiny", "llama_tiny"):
        for b, s in ((1, 8), (4, 64)):
            yield (f"{m}-b{b}s{s}", os.path.join(tdir, m + ".onnx"),
                   ["--bind", f"batch={b},seq={s}"], [], 1e-4, 1e-3, b == 1)
            yield (f"{m}-b{b}s{s}-int4", os.path.join(tdir, m + ".onnx"),
                   ["--bind", f"batch={b},seq={s}", "--quantize=int4",
                    "--quantize-group-size=32", "--quantize-min-elements=0"],
                   [], 2e-3, 1e-2, False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=dspipeline.default_build_dir())
    ap.add_argument("--out", default=os.path.join(ROOT, ".gpu"))
    ap.add_argument("--filter", default="")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--skip-runtime-build", action="store_true")
    ap.add_argument("--runtime-from-build", action="store_true",
                    help="use the build's own ds-run (this machine has the "
                    "GPU) instead of a runtime-only build")
    args = ap.parse_args()

    tools = dspipeline.Tools(args.build)
    if tools.missing():
        sys.exit(f"prepare: missing tools: {tools.missing()}")
    os.makedirs(os.path.join(args.out, "art"), exist_ok=True)
    if args.runtime_from_build:
        os.makedirs(os.path.join(args.out, "bin"), exist_ok=True)
        shutil.copy2(tools.ds_run, os.path.join(args.out, "bin", "ds-run"))
    elif not args.skip_runtime_build:
        build_runtime(args.out, args.jobs)
    manifest = []
    failed = []
    for name, model, cargs, rargs, atol, rtol, small in cases(
            os.path.join(args.out, "work")):
        if args.filter and not re.search(args.filter, name):
            continue
        dsa = os.path.join(args.out, "art", name + ".dsa")
        r = dspipeline.run([tools.ds_compile, model, "-o", dsa, "--quiet",
                            "--progress=never", "--no-host-module", *cargs])
        if not r.ok:
            failed.append(name)
            print(f"prepare: {name}: {r.why('ds-compile')}", flush=True)
            continue
        print(f"prepare: {name}: {os.path.getsize(dsa)} bytes "
              f"({r.seconds:.1f} s)", flush=True)
        manifest.append({"name": name, "artifact": f"art/{name}.dsa",
                         "run_args": rargs, "atol": atol, "rtol": rtol,
                         "small": small})
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    shutil.rmtree(os.path.join(args.out, "work"), ignore_errors=True)
    total = sum(os.path.getsize(os.path.join(args.out, m["artifact"]))
                for m in manifest)
    print(f"prepare: {len(manifest)} artifacts, {total / 2**20:.1f} MiB; "
          f"failed: {failed or 'none'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
