#!/usr/bin/python3
"""Tensor-core (WMMA) matmul and implicit-GEMM conv versus the SIMT matmul and
the direct conv: printed, not asserted.

For each matmul size MxKxN it compiles one single-matmul model per variant
with ds-compile (NVRTC, sm_80 and sm_90 CUBIN):

  f32-simt   f32 operands: the SIMT template (16x16 threads, one output each)
  f16-simt   f16 operands with `ds.tensor_cores = false`: the SIMT fallback
  f16-wmma   f16 operands: the tensor-core template (docs/design/kernel-abi.md)
  bf16-wmma  bf16 operands: the tensor-core template

and for each conv NxCxHxW,OxKxK (stride 1, padding K/2) the variants
f32-direct, f16-direct (`ds.tensor_cores = false`) and f16-wmma (implicit
GEMM), and prints what ptxas reports per kernel (registers, spills, static shared
memory; measurable without a GPU). When ds-run finds a GPU it then times
each artifact with `ds-run --device cuda --random-inputs 1 --repeat N
--metrics`: the kernel time per run is the difference of the
ds_kernel_seconds_total counters of a --repeat N+1 and a --repeat 1 session
(CUDA events around the launch; input and output copies excluded), divided
by N, so the cold first run drops out. Without a GPU the timing step is
skipped with a message and the script exits 0.

Usage:
  tensorcore_bench.py [--build DIR] [--sizes MxKxN,...] [--repeat N]
  tensorcore_bench.py --compile-only --artifacts DIR   # here, no GPU needed
  tensorcore_bench.py --run-only --artifacts DIR       # on the GPU machine
--run-only needs only ds-run (a runtime-only build, DS_BUILD_COMPILER=OFF,
works) and the artifacts; --check also compares the first size's outputs
with the reference executor.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_SIZES = "1024x1024x1024,4096x4096x4096,16x4096x4096,2048x8192x2048"
DEFAULT_CONVS = "8x128x56x56,128x3x3;8x256x28x28,256x3x3;8x256x56x56,256x1x1"
CONV_VARIANTS = [("f32-direct", "f32", True), ("f16-direct", "f16", False),
                 ("f16-wmma", "f16", True)]
VARIANTS = [("f32-simt", "f32", True), ("f16-simt", "f16", False),
            ("f16-wmma", "f16", True), ("bf16-wmma", "bf16", True)]


def run(cmd, check=True):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if check and r.returncode != 0:
        sys.exit(f"tensorcore-bench: {' '.join(cmd)} failed:\n{r.stdout}{r.stderr}")
    return r


def model_text(m, k, n, dtype, tensor_cores):
    attrs = "" if tensor_cores else " attributes {ds.tensor_cores = false}"
    return (f"func.func @main(%a: tensor<{m}x{k}x{dtype}>, %b: tensor<{k}x{n}x{dtype}>)"
            f" -> tensor<{m}x{n}x{dtype}>{attrs} {{\n"
            f"  %0 = ds.matmul %a, %b : (tensor<{m}x{k}x{dtype}>, tensor<{k}x{n}x{dtype}>)"
            f" -> tensor<{m}x{n}x{dtype}>\n"
            f"  return %0 : tensor<{m}x{n}x{dtype}>\n}}\n")


def conv_text(spec, dtype, tensor_cores):
    (n, c, h, w), (o, k, _) = spec
    attrs = "" if tensor_cores else " attributes {ds.tensor_cores = false}"
    p = k // 2
    x, wt, y = (f"tensor<{n}x{c}x{h}x{w}x{dtype}>", f"tensor<{o}x{c}x{k}x{k}x{dtype}>",
                f"tensor<{n}x{o}x{h}x{w}x{dtype}>")
    return (f"func.func @main(%x: {x}, %w: {wt}) -> {y}{attrs} {{\n"
            f"  %0 = ds.conv %x, %w {{dilations = array<i64: 1, 1>, pads = array<i64: {p}, {p}, {p}, {p}>,"
            f" strides = array<i64: 1, 1>}} : ({x}, {wt}) -> {y}\n"
            f"  return %0 : {y}\n}}\n")


def parse_convs(text):
    convs = []
    for s in filter(None, text.split(";")):
        a, b = s.split(",")
        convs.append((tuple(int(v) for v in a.split("x")), tuple(int(v) for v in b.split("x"))))
    return convs


def conv_name(spec, variant):
    (n, c, h, w), (o, k, _) = spec
    return f"conv_{n}x{c}x{h}x{w}_{o}x{k}x{k}_{variant}.dsa"


def conv_flops(spec):
    (n, c, h, w), (o, k, _) = spec
    return 2.0 * n * o * h * w * c * k * k


def parse_sizes(text):
    sizes = []
    for s in text.split(","):
        m, k, n = (int(x) for x in s.lower().split("x"))
        sizes.append((m, k, n))
    return sizes


def artifact_name(size, variant):
    return f"mm_{size[0]}x{size[1]}x{size[2]}_{variant}.dsa"


def resources(ds_run, dsa):
    """{target: (registers, spill stores, spill loads, shared bytes)}."""
    # --info prints the table even when no device can load the artifact
    # (built without a host module, on a machine without a GPU).
    out = run([ds_run, dsa, "--info"], check=False).stdout
    res = {}
    for t, regs, st, ld, smem in re.findall(
            r"(sm_\d+): (\d+) registers, spills (\d+) B stores / (\d+) B loads, "
            r"shared (\d+) B", out):
        res[t] = (int(regs), int(st), int(ld), int(smem))
    return res


def kernel_seconds(ds_run, dsa, repeat, metrics):
    r = run([ds_run, dsa, "--device", "cuda", "--random-inputs", "1",
             "--repeat", str(repeat), "--metrics", metrics])
    text = open(metrics).read()
    return float(re.search(r"^ds_kernel_seconds_total(?:{[^}]*})? (\S+)", text, re.M).group(1)), r.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"),
                    help="build folder with bin/ds-compile and bin/ds-run")
    ap.add_argument("--ds-run", default="", help="ds-run binary (default: BUILD/bin/ds-run)")
    ap.add_argument("--sizes", default=DEFAULT_SIZES)
    ap.add_argument("--convs", default=DEFAULT_CONVS,
                    help="NxCxHxW,OxKxK;... (stride 1, padding K/2; empty: none)")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--artifacts", default="", help="folder for the .dsa files "
                    "(default: a temporary folder)")
    ap.add_argument("--compile-only", action="store_true")
    ap.add_argument("--run-only", action="store_true")
    ap.add_argument("--check", action="store_true",
                    help="on the GPU, compare the first size's outputs with the reference executor")
    args = ap.parse_args()
    sizes = parse_sizes(args.sizes)
    convs = parse_convs(args.convs)
    ds_compile = os.path.join(args.build, "bin", "ds-compile")
    ds_run = args.ds_run or os.path.join(args.build, "bin", "ds-run")
    with tempfile.TemporaryDirectory(prefix="ds-tc-bench-") as tmp:
        art = args.artifacts or tmp
        os.makedirs(art, exist_ok=True)
        if not args.run_only:
            for size in sizes:
                for variant, dtype, tc in VARIANTS:
                    mlir = os.path.join(tmp, artifact_name(size, variant) + ".mlir")
                    with open(mlir, "w") as f:
                        f.write(model_text(*size, dtype, tc))
                    run([ds_compile, mlir, "-o", os.path.join(art, artifact_name(size, variant)),
                         "--targets=sm_80,sm_90", "--no-host-module", "--quiet"])
            for spec in convs:
                for variant, dtype, tc in CONV_VARIANTS:
                    mlir = os.path.join(tmp, conv_name(spec, variant) + ".mlir")
                    with open(mlir, "w") as f:
                        f.write(conv_text(spec, dtype, tc))
                    run([ds_compile, mlir, "-o", os.path.join(art, conv_name(spec, variant)),
                         "--targets=sm_80,sm_90", "--no-host-module", "--quiet"])
        print("== ptxas resources per kernel (registers / spill stores / spill loads / "
              "static shared bytes)")
        print(f"{'size':>16} {'variant':>10} {'sm_80':>22} {'sm_90':>22}")
        for size in sizes[:1]:
            for variant, _, _ in VARIANTS:
                res = resources(ds_run, os.path.join(art, artifact_name(size, variant)))
                cols = ["/".join(str(x) for x in res[t]) if t in res else "-"
                        for t in ("sm_80", "sm_90")]
                print(f"{'x'.join(map(str, size)):>16} {variant:>10} {cols[0]:>22} {cols[1]:>22}")
        for spec in convs[:1]:
            for variant, _, _ in CONV_VARIANTS:
                res = resources(ds_run, os.path.join(art, conv_name(spec, variant)))
                cols = ["/".join(str(x) for x in res[t]) if t in res else "-"
                        for t in ("sm_80", "sm_90")]
                print(f"{conv_name(spec, '')[5:-5]:>16} {variant:>10} {cols[0]:>22} {cols[1]:>22}")
        if args.compile_only:
            print(f"artifacts in {art}")
            return 0
        probe = run([ds_run, os.path.join(art, artifact_name(sizes[0], VARIANTS[0][0])),
                     "--device", "cuda", "--info"], check=False)
        if probe.returncode != 0 or "device: cuda" not in probe.stdout:
            print("== timings skipped: no GPU (ds-run --device cuda: "
                  + (probe.stdout + probe.stderr).strip().splitlines()[-1] + ")")
            return 0
        print("== " + [l for l in probe.stdout.splitlines() if l.startswith("device:")][0])
        print(f"== kernel time per run (mean of {args.repeat}, CUDA events), TFLOP/s = 2MNK / t")
        print(f"{'size':>16} " + " ".join(f"{v:>20}" for v, _, _ in VARIANTS)
              + f" {'wmma/simt f16':>14}")
        rows = []
        for size in sizes:
            ms = {}
            for variant, _, _ in VARIANTS:
                dsa = os.path.join(art, artifact_name(size, variant))
                k1, _ = kernel_seconds(ds_run, dsa, 1, os.path.join(tmp, "m1.txt"))
                kn, _ = kernel_seconds(ds_run, dsa, args.repeat + 1, os.path.join(tmp, "mn.txt"))
                ms[variant] = (kn - k1) / args.repeat * 1e3
            flops = 2.0 * size[0] * size[1] * size[2]
            cells = [f"{ms[v]:8.3f} ms {flops / ms[v] / 1e9:6.1f} TF" for v, _, _ in VARIANTS]
            speedup = ms["f16-simt"] / ms["f16-wmma"]
            print(f"{'x'.join(map(str, size)):>16} " + " ".join(f"{c:>20}" for c in cells)
                  + f" {speedup:13.2f}x")
            rows.append({"size": size, "ms": ms})
        if convs:
            print(f"{'conv':>26} " + " ".join(f"{v:>20}" for v, _, _ in CONV_VARIANTS)
                  + f" {'wmma/direct f16':>16}")
        for spec in convs:
            ms = {}
            for variant, _, _ in CONV_VARIANTS:
                dsa = os.path.join(art, conv_name(spec, variant))
                k1, _ = kernel_seconds(ds_run, dsa, 1, os.path.join(tmp, "m1.txt"))
                kn, _ = kernel_seconds(ds_run, dsa, args.repeat + 1, os.path.join(tmp, "mn.txt"))
                ms[variant] = (kn - k1) / args.repeat * 1e3
            cells = [f"{ms[v]:8.3f} ms {conv_flops(spec) / ms[v] / 1e9:6.1f} TF"
                     for v, _, _ in CONV_VARIANTS]
            print(f"{conv_name(spec, '')[5:-5]:>26} " + " ".join(f"{c:>20}" for c in cells)
                  + f" {ms['f16-direct'] / ms['f16-wmma']:15.2f}x")
            rows.append({"conv": conv_name(spec, "")[5:-5], "ms": ms})
        if args.check:
            size = sizes[0]
            for variant, _, _ in VARIANTS:
                dsa = os.path.join(art, artifact_name(size, variant))
                tol = ["--atol", "1e-2", "--rtol", "1e-2"] if "16" in variant \
                    else ["--atol", "1e-3", "--rtol", "1e-3"]
                r = run([ds_run, dsa, "--device", "cuda", "--random-inputs", "2", "--check"] + tol,
                        check=False)
                line = [l for l in r.stdout.splitlines() if l.startswith("check")]
                print(f"check {variant} {'x'.join(map(str, size))}: "
                      + (line[0] if line else (r.stdout + r.stderr).strip()[-300:]))
        print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
