#!/usr/bin/env python3
"""Runs a GPU check prepared by scripts/gpu-check/prepare.py, on a machine
with a GPU (no MLIR needed; only python3 and the CUDA driver).

For every artifact of DIR/manifest.json: `ds-run --device cuda --check`
(outputs against the reference executor on the CPU, the artifact's
tolerances) and `--repeat N` for the time per inference; the Prometheus
counters of each run are kept. Then the runtime unit tests (their CUDA cases
run here), and compute-sanitizer memcheck on the small artifacts. Writes
OUTDIR/gpu-check.json and prints a table. Exit status 1 when a check fails.

Usage: run.py DIR OUTDIR [--repeat N] [--no-sanitizer] [--filter REGEX]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time


def run(cmd, timeout):
    t0 = time.time()
    if not shutil.which(cmd[0]):
        return 127, "", f"{cmd[0]}: not found", 0.0
    try:
        p = subprocess.run(cmd, capture_output=True, text=True,
                           timeout=timeout)
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        rc, out, err = 124, e.stdout or "", (e.stderr or "") + "\ntimeout"
        out = out.decode() if isinstance(out, bytes) else out
        err = err.decode() if isinstance(err, bytes) else err
    return rc, out, err, time.time() - t0


def prom(text):
    """name{labels} -> value of a Prometheus text exposition."""
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, v = line.rpartition(" ")
            try:
                values[key] = float(v)
            except ValueError:
                pass
    return values


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("outdir")
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--no-sanitizer", action="store_true")
    ap.add_argument("--filter", default="")
    ap.add_argument("--run-args", default="",
                    help="extra ds-run arguments for every case, e.g. "
                    "--no-cuda-graph")
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("--deadline", type=int, default=0,
                    help="skip the sanitizer runs that would start after "
                    "this many seconds")
    args = ap.parse_args()

    start = time.time()
    d = os.path.abspath(args.dir)
    ds_run = os.path.join(d, "bin", "ds-run")
    with open(os.path.join(d, "manifest.json")) as f:
        manifest = json.load(f)
    os.makedirs(args.outdir, exist_ok=True)
    log = open(os.path.join(args.outdir, "gpu-check.log"), "w")
    results = {"cases": [], "unittests": [], "sanitizer": []}

    def note(text):
        log.write(text + "\n")
        log.flush()

    rc, out, err, _ = run(["nvidia-smi", "--query-gpu=name,driver_version,"
                           "memory.total,clocks.max.sm", "--format=csv"], 30)
    results["gpu"] = out.strip()
    print(out.strip(), flush=True)

    failed = 0
    for case in manifest:
        if args.filter and not re.search(args.filter, case["name"]):
            continue
        case["run_args"] = [a.replace("{dir}", d) for a in case["run_args"]]
        dsa = os.path.join(d, case["artifact"])
        if dsa.endswith(".xz"):  # prepare.py --bench: periodic weights
            import lzma
            plain = os.path.join(args.outdir, "bench.dsa")
            with lzma.open(dsa) as f, open(plain, "wb") as g:
                shutil.copyfileobj(f, g, 1 << 24)
            dsa = plain
        metrics = os.path.join(args.outdir, "m.prom")
        cmd = [ds_run, dsa, "--device", "cuda", "--random-inputs", "1",
               "--check", "--atol", str(case["atol"]), "--rtol",
               str(case["rtol"]), "--repeat", str(args.repeat), "--metrics",
               metrics, *case["run_args"], *args.run_args.split()]
        rc, out, err, secs = run(cmd, args.timeout)
        note(f"=== {case['name']} rc={rc} ({secs:.1f} s)\n$ {' '.join(cmd)}\n"
             f"{out}{err}")
        checks = re.findall(r"^check (.+): max_abs_err=(\S+) "
                            r"max_rel_err=(\S+) (PASS|FAIL)", out, re.M)
        rep = re.search(r"repeat \d+: mean ([\d.]+) ms, min ([\d.]+) ms", out)
        first = re.search(r"^time: ([\d.]+) ms \((\d+) launches", out, re.M)
        row = {"name": case["name"], "rc": rc,
               "device": (re.search(r"^device: (.*)$", out, re.M) or
                          [None, None])[1],
               "checks": [{"output": c[0], "max_abs": float(c[1]),
                           "max_rel": float(c[2]), "ok": c[3] == "PASS"}
                          for c in checks],
               "launches": int(first[2]) if first else None,
               "cuda_graph": "CUDA graph" in out,
               "first_ms": float(first[1]) if first else None,
               "mean_ms": float(rep[1]) if rep else None,
               "min_ms": float(rep[2]) if rep else None,
               "error": err.strip().splitlines()[-1] if rc and err.strip()
               else ""}
        if os.path.exists(metrics):
            with open(metrics) as f:
                row["metrics"] = prom(f.read())
            os.remove(metrics)
        ok = rc == 0 and checks and all(c["ok"] for c in row["checks"]) \
            and row["device"] and row["device"].startswith("cuda")
        row["ok"] = bool(ok)
        failed += not ok
        results["cases"].append(row)
        if dsa.endswith("bench.dsa"):
            os.remove(dsa)
        worst = max((c["max_abs"] for c in row["checks"]), default=-1)
        m = row.get("metrics", {})
        runs = m.get('ds_runs_total{device="cuda"}')
        kernel_s = m.get('ds_kernel_seconds_total{device="cuda"}')
        row["kernel_ms"] = 1e3 * kernel_s / runs if runs and kernel_s else None
        kms = f"{row['kernel_ms']:.3f}" if row["kernel_ms"] else "?"
        print(f"{case['name']:24s} {'PASS' if ok else 'FAIL'} "
              f"launches={row['launches']} max_abs={worst:.3g} "
              f"run mean={row['mean_ms']} min={row['min_ms']} ms, "
              f"kernels {kms} ms {row['error']}", flush=True)

    # The runtime unit tests' CUDA cases (the rest need the source tree and
    # a host compiler, and ran where the tests were built).
    for test in ("RuntimeTests",):
        exe = os.path.join(d, "bin", test)
        if not os.path.exists(exe):
            continue
        rc, out, err, secs = run([exe, "--gtest_filter=*Cuda*"], 300)
        note(f"=== {test} rc={rc}\n{out}{err}")
        summary = {k: len(re.findall(rf"^\[ +{k} +\] \w+\.\w+", out, re.M))
                   for k in ("OK", "FAILED", "SKIPPED")}
        results["unittests"].append({"test": test, "rc": rc,
                                     "summary": summary})
        failed += rc != 0
        print(f"{test}: rc={rc} {summary}", flush=True)

    sanitizer = shutil.which("compute-sanitizer")
    if sanitizer and not args.no_sanitizer:
        for case in manifest:
            if not case.get("small") or (args.filter and
                                         not re.search(args.filter,
                                                       case["name"])):
                continue
            if args.deadline and time.time() - start > args.deadline:
                print(f"sanitizer {case['name']}: skipped (deadline)")
                continue
            cmd = [sanitizer, "--tool", "memcheck", "--error-exitcode", "9",
                   ds_run, os.path.join(d, case["artifact"]), "--device",
                   "cuda", "--random-inputs", "1", *case["run_args"]]
            rc, out, err, secs = run(cmd, 60)
            note(f"=== sanitizer {case['name']} rc={rc}\n{out}{err}")
            errors = re.search(r"ERROR SUMMARY: (\d+) error", out + err)
            results["sanitizer"].append({"name": case["name"], "rc": rc,
                                         "errors": int(errors[1]) if errors
                                         else None, "seconds": secs})
            failed += rc != 0
            print(f"sanitizer {case['name']}: rc={rc} "
                  f"errors={errors[1] if errors else '?'} ({secs:.1f} s)",
                  flush=True)
    with open(os.path.join(args.outdir, "gpu-check.json"), "w") as f:
        json.dump(results, f, indent=1)
    print(f"gpu-check: {failed} failure(s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
