#!/usr/bin/python3
"""ds benchmarks: prints figures, asserts nothing.

For each model: NVRTC compile time per kernel (all targets) and in total,
host-module compile time, and the run time per inference on the device ds-run
picks (the CUDA emulation on a machine without a GPU).

Usage: ds-bench.py [--build DIR] [--repeat N]
Later issues add real models, fusion and memory figures here.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

MODELS = [
    ("mlp", os.path.join(ROOT, "examples", "mlp.mlir"),
     ["fc1.weight=64x128", "fc1.bias=128", "fc2.weight=128x10", "fc2.bias=10"]),
    ("all_ops", os.path.join(ROOT, "test", "E2E", "Inputs", "all_ops.mlir"),
     ["w=20x17"]),
]


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"ds-bench: {' '.join(cmd)} failed:\n{r.stdout}{r.stderr}")
    return r.stdout + r.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    bindir = os.path.join(args.build, "bin")
    with tempfile.TemporaryDirectory() as tmp:
        summary = []
        for name, mlir, weights in MODELS:
            w = os.path.join(tmp, name + ".safetensors")
            run([sys.executable, os.path.join(ROOT, "scripts", "gen_safetensors.py"), w] + weights)
            dsa = os.path.join(tmp, name + ".dsa")
            report = run([os.path.join(bindir, "ds-compile"), mlir, "--weights", w, "-o", dsa])
            print(f"== {name}: ds-compile")
            print(report.rstrip())
            out = run([os.path.join(bindir, "ds-run"), dsa, "--random-inputs", "1",
                       "--repeat", str(args.repeat)])
            device = re.search(r"device: (.*)", out).group(1)
            mean = re.search(r"mean ([0-9.]+) ms, min ([0-9.]+) ms", out)
            kernels = re.search(r"ds-compile: (\d+) launches, (\d+) unique kernels", report).group(1)
            nvrtc = re.search(r"([0-9.]+) ms summed", report).group(1)
            host = re.search(r"host module ([0-9.]+) ms", report).group(1)
            summary.append((name, kernels, nvrtc, host, mean.group(1), mean.group(2), device))
        print("\n== summary")
        print(f"{'model':10} {'kernels':>7} {'nvrtc ms':>9} {'host ms':>8} "
              f"{'run mean ms':>11} {'run min ms':>10}  device")
        for row in summary:
            print(f"{row[0]:10} {row[1]:>7} {row[2]:>9} {row[3]:>8} {row[4]:>11} {row[5]:>10}  {row[6]}")


if __name__ == "__main__":
    main()
