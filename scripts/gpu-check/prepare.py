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

With --bench, also LLM-decode-sized weight-bound matmuls (bench_cases):
f32 GEMV and GEMM and W4A16 GEMV/GEMM whose weights are several times the
H200's 60 MB L2. Their random rows repeat with a short period (the kernels
read every byte all the same), so the artifacts travel as .dsa.xz.

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


def cases(work, out):
    """(name, model, ds-compile args, ds-run args, atol, rtol, small); files
    the runs read go to OUT/inputs ({dir} in the ds-run args)."""
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
            ("tensor_core", [], 1e-3, 1e-2),
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
    # One artifact over batch buckets 1, 2, 4: batch 3 runs padded to 4.
    import numpy as np
    os.makedirs(os.path.join(out, "inputs"), exist_ok=True)
    for b in (1, 3, 4):
        ids = np.random.default_rng(b).integers(0, 96, (b, 8), dtype=np.int64)
        np.save(os.path.join(out, "inputs", f"ids_b{b}.npy"), ids)
        yield (f"gpt2_tiny-buckets-b{b}", os.path.join(tdir, "gpt2_tiny.onnx"),
               ["--bind", "seq=8", "--buckets=batch:1,2,4"],
               ["--input", f"input_ids={{dir}}/inputs/ids_b{b}.npy"], 1e-4,
               1e-3, b == 3)
    for m in ("gpt2_tiny", "llama_tiny"):
        for b, s in ((1, 8), (4, 64)):
            yield (f"{m}-b{b}s{s}", os.path.join(tdir, m + ".onnx"),
                   ["--bind", f"batch={b},seq={s}"], [], 1e-4, 1e-3, b == 1)
            yield (f"{m}-b{b}s{s}-int4", os.path.join(tdir, m + ".onnx"),
                   ["--bind", f"batch={b},seq={s}", "--quantize=int4",
                    "--quantize-group-size=32", "--quantize-min-elements=0"],
                   [], 2e-3, 1e-2, False)


BENCH_MLIR = """module attributes {{ds.weight_files = ["{weights}"]}} {{
func.func @main(%x: tensor<{m}x{k}xf32> {{ds.name = "x"}}) -> (tensor<{m}x{n}xf32> {{ds.name = "y"}}) {{
  %w = ds.weight "w" : tensor<{k}x{n}xf32> loc("fc/MatMul")
  %y = ds.matmul %x, %w : (tensor<{m}x{k}xf32>, tensor<{k}x{n}xf32>) -> tensor<{m}x{n}xf32> loc("fc/MatMul")
  return %y : tensor<{m}x{n}xf32>
}}
}}
"""


def bench_cases(work):
    """Weight-bound matmuls: (name, model, ds-compile args, atol, rtol)."""
    import numpy as np
    import int4ref
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(0)
    for tag, k, n, ms, quant in (("f32", 8192, 8192, (1, 16, 256), False),
                                 ("int4", 8192, 32768, (1, 16), True)):
        weights = os.path.join(work, f"{tag}.safetensors")
        # 4 random rows tiled along K: 128 KiB of distinct values per period.
        block = rng.uniform(-0.05, 0.05, (4, n)).astype(np.float32)
        int4ref.write_safetensors(weights, {"w": np.tile(block, (k // 4, 1))})
        for m in ms:
            model = os.path.join(work, f"{tag}_m{m}.mlir")
            with open(model, "w") as f:
                f.write(BENCH_MLIR.format(weights=weights, m=m, k=k, n=n))
            extra = ["--quantize=int4", "--quantize-method=rtn",
                     "--quantize-group-size=128"] if quant else []
            yield (f"bench-{tag}-m{m}-k{k}-n{n}", model, extra,
                   2e-3 if quant else 1e-3, 1e-2 if quant else 1e-3)


def compress(path):
    """path -> path.xz (LZMA preset 1: its 1 MiB window spans a period)."""
    import lzma
    with open(path, "rb") as f, lzma.open(path + ".xz", "wb", preset=1) as g:
        shutil.copyfileobj(f, g, 1 << 24)
    os.remove(path)
    return path + ".xz"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=dspipeline.default_build_dir())
    ap.add_argument("--out", default=os.path.join(ROOT, ".gpu"))
    ap.add_argument("--filter", default="")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--bench", action="store_true",
                    help="add the weight-bound matmul benchmarks")
    ap.add_argument("--only-bench", action="store_true",
                    help="the benchmarks alone")
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
    work = os.path.join(args.out, "work")
    # (case, compressed): the benchmarks travel as .dsa.xz.
    todo = [] if args.only_bench else [(c, False) for c in cases(work, args.out)]
    if args.bench or args.only_bench:
        todo += [((name, model, cargs, [], atol, rtol, False), True)
                 for name, model, cargs, atol, rtol in bench_cases(work)]
    built = {}  # (model, ds-compile args) -> artifact: cases may share one
    for (name, model, cargs, rargs, atol, rtol, small), compressed in todo:
        if args.filter and not re.search(args.filter, name):
            continue
        key = (model, tuple(cargs))
        dsa = built.get(key)
        if dsa is None:
            dsa = os.path.join(args.out, "art", name + ".dsa")
            r = dspipeline.run([tools.ds_compile, model, "-o", dsa, "--quiet",
                                "--progress=never", "--no-host-module",
                                *cargs])
            if not r.ok:
                failed.append(name)
                print(f"prepare: {name}: {r.why('ds-compile')}", flush=True)
                continue
            print(f"prepare: {name}: {os.path.getsize(dsa)} bytes "
                  f"({r.seconds:.1f} s)", flush=True)
            if compressed:
                dsa = compress(dsa)
            built[key] = dsa
        manifest.append({"name": name,
                         "artifact": os.path.relpath(dsa, args.out),
                         "run_args": rargs, "atol": atol, "rtol": rtol,
                         "small": small})
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    shutil.rmtree(os.path.join(args.out, "work"), ignore_errors=True)
    total = sum(os.path.getsize(a) for a in built.values())
    print(f"prepare: {len(manifest)} cases, {len(built)} artifacts, "
          f"{total / 2**20:.1f} MiB; "
          f"failed: {failed or 'none'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
