#!/usr/bin/python3
"""Real ONNX models through ds, checked against ONNX Runtime.

For each model of test/E2E/models.json: ONNX Runtime (CPU, scripts/ort_run.js)
runs it on seeded random inputs (cached in the work folder: rerun only when the
model bytes or the input options change); then `ds-import` and
`ds-run model.mlir --reference` run it on the same inputs, and every output is
compared: max abs / max rel error, cosine similarity, and numpy allclose at the
model's tolerance, which decides.

Prints a table; exits 1 when a model fails (models with an "xfail" reason in
models.json are reported but do not fail the run; one that passes is a
warning), 77 (ctest's skip) when the models or ONNX Runtime are not there
(scripts/fetch_models.sh fetches them).

With --ops it runs nothing and prints, per model, its opsets, inputs and
outputs, and a histogram of its op types, marking those outside ops.md.

Usage: run_real_models.py [--build DIR] [--filter REGEX] [--work DIR]
                          [--timeout S] [--refresh] [--ops]
"""
import collections
import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))
import dspipeline  # noqa: E402

import numpy as np  # noqa: E402


def check_model(spec, tools, work, timeout, refresh):
    """Runs one model; returns a dict for the table."""
    row = {"name": spec["name"], "status": "FAIL", "why": "", "outputs": [],
           "import_s": None, "ref_s": None, "ort_ms": None}
    model = os.path.join(dspipeline.MODELS_DIR, spec["file"])
    if not os.path.exists(model):
        row.update(status="MISSING", why=f"{spec['file']} not in third_party/models")
        return row
    model_work = os.path.join(work, spec["name"])
    try:
        meta, cached = dspipeline.ort_reference(spec, dspipeline.MODELS_DIR,
                                                os.path.join(model_work, "ort"),
                                                refresh=refresh)
    except RuntimeError as e:
        row["why"] = f"ONNX Runtime: {e}"
        return row
    row["ort_ms"] = meta["ort_ms_mean"]
    row["ort_cached"] = cached

    mlir = os.path.join(model_work, "model.mlir")
    r = dspipeline.import_onnx(tools, model, mlir, timeout=timeout)
    row["import_s"] = r.seconds
    if not r.ok:
        row["why"] = r.why("ds-import")
        return row
    ort_dir = os.path.join(model_work, "ort")
    inputs = [(t["name"], os.path.join(ort_dir, t["file"])) for t in meta["inputs"]]
    out_dir = os.path.join(model_work, "ds")
    r = dspipeline.run_reference(tools, mlir, inputs, out_dir, timeout=timeout)
    row["ref_s"] = r.seconds
    if not r.ok:
        row["why"] = r.why("ds-run --reference")
        return row
    ok = True
    for t in meta["outputs"]:
        want = np.load(os.path.join(ort_dir, t["file"]))
        path = dspipeline.find_output(out_dir, t["name"], len(meta["outputs"]))
        if path is None:
            row["outputs"].append((t["name"], None))
            row["why"] = f"ds-run wrote no output '{t['name']}'"
            ok = False
            continue
        good, why, stats = dspipeline.compare(np.load(path), want, spec["rtol"], spec["atol"])
        row["outputs"].append((t["name"], stats | {"ok": good}))
        if not good:
            ok = False
            row["why"] = row["why"] or f"output '{t['name']}': {why}"
    if ok:
        ok = check_passes(spec, tools, mlir, inputs, out_dir, meta, row, timeout)
    row["status"] = "PASS" if ok else "FAIL"
    return row


def ir_stats(mlir):
    """(ds ops, distinct weights, weight bytes) of an IR file."""
    text = open(mlir).read()
    ops = len(re.findall(r"= ds\.", text))
    weights = {}
    for name, shape, elem in re.findall(
            r'ds\.weight "([^"]+)" : tensor<((?:\d+x)*)([a-z]+\d+)>', text):
        n = 1
        for d in shape.rstrip("x").split("x") if shape else []:
            n *= int(d)
        weights[name] = n * max(1, int(re.sub(r"\D", "", elem)) // 8)
    return ops, len(weights), sum(weights.values())


def check_passes(spec, tools, mlir, inputs, before_dir, meta, row, timeout):
    """The inference pipeline (cleanup, static shapes bound to the test
    inputs, constant folding, raising) must not change what the reference
    executor computes. Records ops and weight bytes before and after."""
    binds = [f"{i}[{d}]={n}" for i, t in enumerate(meta["inputs"])
             for d, n in enumerate(t["shape"])]
    opt = mlir[:-5] + ".opt.mlir"
    r = dspipeline.run([tools.ds_opt, mlir, "-o", opt,
                        "--ds-inference-pipeline=bind=" + ",".join(binds)], timeout)
    if not r.ok:
        row["why"] = r.why("ds-opt --ds-inference-pipeline")
        return False
    row["before"], row["after"] = ir_stats(mlir), ir_stats(opt)
    after_dir = before_dir + ".opt"
    r = dspipeline.run_reference(tools, opt, inputs, after_dir, timeout=timeout)
    if not r.ok:
        row["why"] = r.why("ds-run --reference (after the passes)")
        return False
    worst = 0.0
    for t in meta["outputs"]:
        a = dspipeline.find_output(before_dir, t["name"], len(meta["outputs"]))
        b = dspipeline.find_output(after_dir, t["name"], len(meta["outputs"]))
        if b is None:
            row["why"] = f"no output '{t['name']}' after the passes"
            return False
        # Folding batch norms and raising GELU reassociate: f32 roundoff.
        good, why, stats = dspipeline.compare(np.load(b), np.load(a), 1e-4, 1e-5)
        worst = max(worst, stats["max_rel"] if stats["bad"] == 0 else float("inf"))
        if not good:
            row["why"] = f"output '{t['name']}' changed by the passes: {why}"
            return False
    row["passes_max_rel"] = worst
    return True


def print_ops(specs):
    """Signature, opsets and op histogram of each model (python onnx)."""
    import onnx
    supported = dspipeline.supported_ops()

    def sig(v):
        t = v.type.tensor_type
        dims = [d.dim_param or (d.dim_value if d.HasField("dim_value") else "?")
                for d in t.shape.dim]
        return f"{v.name}: {onnx.TensorProto.DataType.Name(t.elem_type).lower()}{dims}"

    for spec in specs:
        path = os.path.join(dspipeline.MODELS_DIR, spec["file"])
        if not os.path.exists(path):
            print(f"== {spec['name']}: {spec['file']} not fetched\n")
            continue
        m = onnx.load(path)
        inits = {t.name for t in m.graph.initializer}
        opsets = ", ".join(f"{o.domain or 'ai.onnx'} {o.version}" for o in m.opset_import)
        hist = collections.Counter(dspipeline.graph_op_types(m.graph))
        print(f"== {spec['name']} ({spec['file']}; opsets: {opsets}; "
              f"{sum(hist.values())} nodes, {len(m.graph.initializer)} initializers)")
        for v in m.graph.input:
            if v.name not in inits:
                print(f"  input  {sig(v)}")
        for v in m.graph.output:
            print(f"  output {sig(v)}")
        print("  ops: " + ", ".join(f"{op} {n}" + ("" if op in supported else " [outside ops.md]")
                                    for op, n in hist.most_common()) + "\n")


def fmt(x, spec):
    """format(x, spec), or "-" as wide when x is None."""
    return format("-", ">" + spec.split(".")[0]) if x is None else format(x, spec)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=dspipeline.default_build_dir(),
                    help="build folder with bin/ds-import and bin/ds-run")
    ap.add_argument("--filter", help="only models whose name matches REGEX")
    ap.add_argument("--work", help="work folder (default BUILD/test/E2E/real-models); "
                    "holds the cached ONNX Runtime results")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per tool run")
    ap.add_argument("--refresh", action="store_true", help="rerun ONNX Runtime even if cached")
    ap.add_argument("--ops", action="store_true",
                    help="print each model's signature and op histogram; run nothing")
    args = ap.parse_args()
    specs = dspipeline.load_models()
    if args.filter:
        specs = [s for s in specs if re.search(args.filter, s["name"])]
    if args.ops:
        print_ops(specs)
        return 0

    why = dspipeline.real_models_unavailable()
    if why:
        print(f"run_real_models: {why}; skipping")
        return dspipeline.EXIT_SKIP
    tools = dspipeline.Tools(args.build)
    missing = tools.missing()
    if missing:
        print(f"run_real_models: {', '.join(missing)} not built in {tools.build}/bin "
              "(--build DIR)", file=sys.stderr)
        return 1
    work = os.path.abspath(args.work or os.path.join(tools.build, "test", "E2E", "real-models"))

    rows = []
    for spec in specs:
        row = check_model(spec, tools, work, args.timeout, args.refresh)
        if spec.get("xfail"):
            row["status"] = {"FAIL": "XFAIL", "PASS": "XPASS"}.get(row["status"], row["status"])
        rows.append(row)
        print(f"{row['status']:7} {spec['name']}" + (f": {row['why']}" if row["why"] else "")
              + (f" (expected: {spec['xfail']})" if row["status"] == "XFAIL" else ""),
              flush=True)

    print(f"\n{'model':20} {'status':7} {'import s':>8} {'ref s':>8} {'ORT ms':>8}  "
          f"{'output':24} {'max abs':>9} {'max rel':>9} {'cosine':>10}  allclose")
    for row in rows:
        head = (f"{row['name']:20} {row['status']:7} {fmt(row['import_s'], '8.2f')} "
                f"{fmt(row['ref_s'], '8.2f')} {fmt(row['ort_ms'], '8.2f')}  ")
        if not row["outputs"]:
            print(head + "-")
        for i, (name, st) in enumerate(row["outputs"]):
            lead = head if i == 0 else " " * len(head)
            short = name if len(name) <= 24 else name[:21] + "..."
            if st is None:
                print(f"{lead}{short:24} (missing)")
            else:
                print(f"{lead}{short:24} {st['max_abs']:9.2e} {st['max_rel']:9.2e} "
                      f"{st['cosine']:10.7f}  {'yes' if st['ok'] else 'NO'}")
    print(f"\n{'model':20} {'ops before':>10} {'ops after':>10} {'weights before':>16} "
          f"{'weights after':>16} {'bytes before':>13} {'bytes after':>13}")
    for row in rows:
        if "before" in row:
            (ob, wb, bb), (oa, wa, ba) = row["before"], row["after"]
            print(f"{row['name']:20} {ob:10} {oa:10} {wb:16} {wa:16} {bb:13} {ba:13}")
    for row in rows:
        if row["status"] == "XPASS":
            print(f"warning: {row['name']} passed; remove its xfail from models.json")
    counts = {s: sum(r["status"] == s for r in rows)
              for s in ("PASS", "FAIL", "XFAIL", "XPASS", "MISSING")}
    print("\n" + ", ".join(f"{v} {k.lower()}" for k, v in counts.items() if v or k in ("PASS", "FAIL")))
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
