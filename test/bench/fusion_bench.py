#!/usr/bin/python3
"""ds-fuse on the real models: prints figures, asserts nothing.

For each model of test/E2E/models.json (fetched by scripts/fetch_models.sh;
models with an "xfail" reason are skipped) and the tiny PyTorch-exported
transformers of test/E2E/transformers (batch 1, seq 8): `ds-compile --emit=mlir
--fusion-report` with the model's input shapes bound, then the table of
kernels before/after fusion and the modelled device-memory bytes per
inference (each kernel reads each input once and writes each result once)
before/after and against the floor (weights once plus inputs and outputs).
With --nvrtc it also compiles every kernel (sm_80, sm_90) and prints the
most registers and spilled bytes of any kernel.

Usage: fusion_bench.py [--build DIR] [--filter REGEX] [--nvrtc]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))
import dspipeline  # noqa: E402


def binds(spec):
    """Every input dim bound by argument position (0[1]=48, ...), or the
    spec's own binding."""
    if "bind" in spec:
        return spec["bind"]
    out = []
    for i, (_, inp) in enumerate(spec["inputs"].items()):
        out += [f"{i}[{d}]={n}" for d, n in enumerate(inp["shape"])]
    return ",".join(out)


def mb(n):
    return f"{n / 1e6:.3f}"


def bench(spec, compile_tool, work, nvrtc):
    model = spec.get("path") or os.path.join(dspipeline.MODELS_DIR,
                                             spec["file"])
    if not os.path.exists(model):
        return None, "model not fetched"
    report = os.path.join(work, spec["name"] + ".json")
    cmd = [compile_tool, model, "--bind=" + binds(spec),
           "--fusion-report=" + report]
    if nvrtc:
        cmd += ["-o", os.path.join(work, spec["name"] + ".dsa"),
                "--no-host-module", "--targets=sm_80,sm_90"]
    else:
        cmd += ["--emit=mlir", "-o", os.devnull]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        return None, (r.stderr.strip().splitlines() or ["failed"])[0][:80]
    with open(report) as f:
        row = json.load(f)
    if nvrtc:
        regs, spills = 0, 0
        for m in re.finditer(r"sm_\d+: (\d+)/(\d+)/(\d+)/", r.stdout + r.stderr):
            regs = max(regs, int(m.group(1)))
            spills = max(spills, int(m.group(2)) + int(m.group(3)))
        row["max_regs"], row["max_spill"] = regs, spills
    return row, ""


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=dspipeline.default_build_dir())
    p.add_argument("--filter", default="")
    p.add_argument("--nvrtc", action="store_true",
                   help="also compile with NVRTC and report registers/spills")
    args = p.parse_args()
    compile_tool = os.path.join(os.path.abspath(args.build), "bin", "ds-compile")
    if not os.access(compile_tool, os.X_OK):
        print(f"ds-compile not built in {args.build}")
        return 1
    head = (f"{'model':<20} {'kernels':>9} {'->':>4} {'MB before':>10} "
            f"{'MB after':>9} {'MB floor':>9} {'before/floor':>12} "
            f"{'after/floor':>11}")
    if args.nvrtc:
        head += f" {'max regs':>8} {'spill B':>7}"
    print(head)
    with tempfile.TemporaryDirectory() as work:
        # The real models, then the PyTorch-exported tiny transformers.
        transformers = os.path.join(os.path.dirname(HERE), "E2E", "transformers")
        specs = dspipeline.load_models() + [
            {"name": f"{m}-b1s8", "path": os.path.join(transformers, m + ".onnx"),
             "bind": "batch=1,seq=8"} for m in ("gpt2_tiny", "llama_tiny")]
        for spec in specs:
            if spec.get("xfail") or not re.search(args.filter, spec["name"]):
                continue
            row, why = bench(spec, compile_tool, work, args.nvrtc)
            if row is None:
                print(f"{spec['name']:<20} {why}")
                continue
            floor = row["floor_bytes"]
            line = (f"{spec['name']:<20} {row['kernels_before']:>9} "
                    f"{row['kernels_after']:>4} {mb(row['bytes_before']):>10} "
                    f"{mb(row['bytes_after']):>9} {mb(floor):>9} "
                    f"{row['bytes_before'] / floor:>12.2f} "
                    f"{row['bytes_after'] / floor:>11.2f}")
            if args.nvrtc:
                line += f" {row['max_regs']:>8} {row['max_spill']:>7}"
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
