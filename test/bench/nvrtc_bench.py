#!/usr/bin/python3
"""NVRTC at scale: cold and warm-cache compile of every real model.

For each model of test/E2E/models.json (fetched by scripts/fetch_models.sh)
and each PyTorch-exported transformer (test/E2E/transformers), runs
ds-compile twice against a fresh persistent cache (--nvrtc-cache): cold
(every kernel compiled, in parallel) and warm (every kernel from the cache).
Prints kernels, NVRTC compilations, summed and elapsed NVRTC time, time per
kernel and target, the whole ds-compile wall time, and the same for the warm
run. Prints figures; asserts nothing.

Usage: nvrtc_bench.py [--build DIR] [--filter REGEX] [--targets LIST]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "test", "lib"))
import dspipeline  # noqa: E402


def compile_once(tools, model, out, cache, binds, targets):
    cmd = [tools.ds_compile, model, "-o", out, "--nvrtc-cache", cache,
           "--no-host-module"]
    if binds:
        cmd += ["--bind", ",".join(binds)]
    if targets:
        cmd += ["--targets", targets]
    start = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if r.returncode != 0:
        return None, (r.stderr or r.stdout).strip().splitlines()[:1]
    report = r.stderr + r.stdout
    m = re.search(r"ds-compile: (\d+) launches, (\d+) unique kernels", report)
    n = re.search(r"NVRTC (\d+) compiled, (\d+) from cache; ([0-9.]+) ms summed, "
                  r"([0-9.]+) ms elapsed", report)
    if not m or not n:
        return None, ["no compile report"]
    return {"kernels": int(m.group(2)), "compiled": int(n.group(1)),
            "hits": int(n.group(2)), "summed_ms": float(n.group(3)),
            "elapsed_ms": float(n.group(4)), "wall_s": wall}, None


def models(filter_rx):
    specs = []
    for spec in dspipeline.load_models():
        if spec.get("xfail"):
            continue
        path = os.path.join(dspipeline.MODELS_DIR, spec["file"])
        binds = [f"{i}[{d}]={n}" for i, (name, t) in enumerate(spec["inputs"].items())
                 for d, n in enumerate(t["shape"])]
        specs.append((spec["name"], path, binds))
    tdir = os.path.join(ROOT, "test", "E2E", "transformers")
    for f in sorted(os.listdir(tdir)):
        if f.endswith(".onnx"):
            specs.append((f[:-5], os.path.join(tdir, f), ["batch=1", "seq=8"]))
    return [s for s in specs if not filter_rx or re.search(filter_rx, s[0])]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=dspipeline.default_build_dir())
    ap.add_argument("--filter")
    ap.add_argument("--targets", help="ds-compile --targets (default: its own)")
    args = ap.parse_args()
    tools = dspipeline.Tools(args.build)
    print(f"{'model':20} {'kernels':>7} {'compiles':>8} {'cold NVRTC ms':>13} "
          f"{'elapsed ms':>10} {'ms/compile':>10} {'cold wall s':>11} "
          f"{'warm hits':>9} {'warm NVRTC ms':>13} {'warm wall s':>11}")
    with tempfile.TemporaryDirectory(prefix="ds-nvrtc-bench-") as tmp:
        for name, path, binds in models(args.filter):
            if not os.path.exists(path):
                print(f"{name:20} (not fetched)")
                continue
            cache = os.path.join(tmp, name + ".cache")
            out = os.path.join(tmp, name + ".dsa")
            cold, err = compile_once(tools, path, out, cache, binds, args.targets)
            if not cold:
                print(f"{name:20} FAILED: {err}")
                continue
            warm, err = compile_once(tools, path, out, cache, binds, args.targets)
            per = cold["summed_ms"] / max(1, cold["compiled"])
            print(f"{name:20} {cold['kernels']:7} {cold['compiled']:8} "
                  f"{cold['summed_ms']:13.0f} {cold['elapsed_ms']:10.0f} {per:10.1f} "
                  f"{cold['wall_s']:11.2f} {warm['hits']:9} {warm['elapsed_ms']:13.1f} "
                  f"{warm['wall_s']:11.2f}")
    print(f"({os.cpu_count()} cores; NVRTC compiles run in parallel on all of "
          "them; times are per model, all targets)")


if __name__ == "__main__":
    main()
