#!/usr/bin/python3
"""ds import and reference-executor benchmarks on real models: prints figures,
asserts nothing.

For each model of test/E2E/models.json (fetched by scripts/fetch_models.sh):
ds-import wall time and peak RSS (the child's own, from wait4), the size of
the IR and weights it writes, and the reference executor's time per run
(ds-run --reference --repeat N; the whole process when ds-run prints no
per-run time) against ONNX Runtime's (CPU, mean over its runs; cached with
run_real_models.py's results).

Usage: import_bench.py [--build DIR] [--filter REGEX] [--repeat N] [--work DIR]
"""
import argparse
import os
import re
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))
import dspipeline  # noqa: E402


def bench_model(spec, tools, work, repeat):
    row = {"name": spec["name"], "note": ""}
    model = os.path.join(dspipeline.MODELS_DIR, spec["file"])
    if not os.path.exists(model):
        row["note"] = "model not fetched"
        return row
    row["onnx_mb"] = os.path.getsize(model) / 1e6
    model_work = os.path.join(work, spec["name"])
    try:
        meta, _ = dspipeline.ort_reference(spec, dspipeline.MODELS_DIR,
                                           os.path.join(model_work, "ort"))
        row["ort_ms"] = meta["ort_ms_mean"]
    except RuntimeError as e:
        row["note"] = f"ONNX Runtime: {e}"
        return row

    mlir = os.path.join(model_work, "bench.mlir")
    times, rss = [], []
    for _ in range(repeat):
        r = dspipeline.import_onnx(tools, model, mlir, timeout=600)
        if not r.ok:
            row["note"] = r.why("ds-import")
            return row
        times.append(r.seconds)
        rss.append(r.maxrss_kib)
    row["import_ms"] = statistics.median(times) * 1e3
    row["import_rss_mb"] = max(rss) / 1024
    row["ir_kb"] = os.path.getsize(mlir) / 1e3
    weights = os.path.splitext(mlir)[0] + ".safetensors"
    row["weights_mb"] = os.path.getsize(weights) / 1e6 if os.path.exists(weights) else 0.0

    ort_dir = os.path.join(model_work, "ort")
    inputs = [(t["name"], os.path.join(ort_dir, t["file"])) for t in meta["inputs"]]
    r = dspipeline.run_reference(tools, mlir, inputs, os.path.join(model_work, "bench-out"),
                                 timeout=600, extra=["--repeat", str(repeat)])
    if not r.ok:
        row["note"] = r.why("ds-run --reference")
        return row
    m = re.search(r"mean ([0-9.]+) ms", r.out + r.err)
    if m:
        row["ref_ms"] = float(m.group(1))
    else:  # No per-run figure: the whole process, startup and loading included.
        row["ref_ms"] = r.seconds * 1e3
        row["note"] = "ref time = whole ds-run process"
    row["ratio"] = row["ref_ms"] / row["ort_ms"] if row["ort_ms"] else None
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=dspipeline.default_build_dir())
    ap.add_argument("--filter", help="only models whose name matches REGEX")
    ap.add_argument("--repeat", type=int, default=5,
                    help="ds-import runs (median) and reference runs (mean)")
    ap.add_argument("--work", help="work folder (default BUILD/test/E2E/real-models, "
                    "shared with run_real_models.py)")
    args = ap.parse_args()

    why = dspipeline.real_models_unavailable()
    if why:
        print(f"import_bench: {why}; nothing to measure")
        return 0
    tools = dspipeline.Tools(args.build)
    if tools.missing():
        sys.exit(f"import_bench: {', '.join(tools.missing())} not built in {tools.build}/bin")
    work = os.path.abspath(args.work or os.path.join(tools.build, "test", "E2E", "real-models"))
    specs = dspipeline.load_models()
    if args.filter:
        specs = [s for s in specs if re.search(args.filter, s["name"])]

    def f(row, key, spec):
        v = row.get(key)
        return format("-", ">" + spec.split(".")[0]) if v is None else format(v, spec)

    print(f"{'model':20} {'onnx MB':>8} {'import ms':>10} {'peak RSS MB':>12} {'IR kB':>8} "
          f"{'weights MB':>11} {'ref ms':>9} {'ORT ms':>8} {'ref/ORT':>8}  note")
    for spec in specs:
        row = bench_model(spec, tools, work, max(1, args.repeat))
        print(f"{row['name']:20} {f(row, 'onnx_mb', '8.2f')} {f(row, 'import_ms', '10.1f')} "
              f"{f(row, 'import_rss_mb', '12.1f')} {f(row, 'ir_kb', '8.1f')} "
              f"{f(row, 'weights_mb', '11.2f')} {f(row, 'ref_ms', '9.2f')} "
              f"{f(row, 'ort_ms', '8.3f')} {f(row, 'ratio', '8.1f')}  {row['note']}",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
