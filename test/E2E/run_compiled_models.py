#!/usr/bin/python3
"""Real ONNX models compiled end to end and run under the CUDA emulation,
with and without a tight device memory budget.

For each model of test/E2E/models.json (not xfail): `ds-compile model.onnx`
(the whole default pipeline: import, cleanup, static shapes bound from
models.json, memory planning, codegen, host module; --no-nvrtc to stay fast,
NVRTC is checked by other tests), then `ds-run --check` on the seeded inputs
that run_real_models.py gives ONNX Runtime, which compares every output with
the reference executor. Then again with the tightest budget the tiering
reaches (ds-plan-memory reports it when asked for a budget just above the
arena), so weights move to host memory and are streamed through the staging
slots when that saves device memory; the budgeted outputs must equal the
unbudgeted ones bit for bit.

Prints a table; exits 1 when a model fails, 77 (ctest's skip) when the models
or ONNX Runtime are not there. Host-module compiles go through ccache when
it is installed, so the second build of a model costs little.

Usage: run_compiled_models.py [--build DIR] [--filter REGEX] [--work DIR]
"""
import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))
import dspipeline  # noqa: E402

import numpy as np  # noqa: E402


def run_artifact(tools, dsa, inputs, out_dir, metrics, timeout):
    cmd = [tools.ds_run, dsa, "--device", "cpu", "--check", "--output-dir", out_dir,
           "--metrics", metrics]
    for name, path in inputs:
        cmd += ["--input", f"{name}={path}"]
    return dspipeline.run(cmd, timeout)


def prom_value(path, name, labels=""):
    with open(path) as f:
        for line in f:
            if line.startswith(name + "{") and labels in line:
                return float(line.split()[-1])
    return None


def check_model(spec, tools, work, timeout, env):
    row = {"name": spec["name"], "status": "FAIL", "why": ""}
    model = os.path.join(dspipeline.MODELS_DIR, spec["file"])
    model_work = os.path.join(work, spec["name"])
    try:
        meta, _ = dspipeline.ort_reference(spec, dspipeline.MODELS_DIR,
                                           os.path.join(model_work, "ort"))
    except RuntimeError as e:
        row["why"] = f"ONNX Runtime: {e}"
        return row
    binds = dspipeline.positional_binds(meta["inputs"], spec)
    ort_dir = os.path.join(model_work, "ort")
    inputs = [(t["name"], os.path.join(ort_dir, t["file"])) for t in meta["inputs"]]

    plan, r = dspipeline.plan_memory(tools, model, binds, timeout=timeout)
    if plan is None:
        row["why"] = r.why("ds-compile --emit=mlir")
        return row
    row.update(arena=plan["arena_bytes"], lower=plan["lower_bound_bytes"],
               weights=plan["resident_weight_bytes"])
    budget = dspipeline.smallest_device_bytes(tools, model, binds, plan["arena_bytes"],
                                              timeout)
    if budget is None:  # the arena alone fits beside every weight? never here
        budget = plan["device_bytes"]
    # ds-plan-memory plans per kernel launch and counts the weights the
    # artifact uploads, so its smallest placement is what the artifact needs.
    row["budget"] = budget

    outputs = {}
    for variant, b in (("plain", None), ("tight", budget)):
        dsa = os.path.join(model_work, f"{variant}.dsa")
        r = dspipeline.ds_compile(tools, model, dsa, binds, b, ["--no-nvrtc", "--quiet"],
                                  timeout, env)
        if not r.ok:
            row["why"] = r.why(f"ds-compile ({variant})")
            return row
        out_dir = os.path.join(model_work, variant)
        metrics = os.path.join(model_work, f"{variant}.prom")
        r = run_artifact(tools, dsa, inputs, out_dir, metrics, timeout)
        if not r.ok or "FAIL" in r.out:
            row["why"] = r.why(f"ds-run --check ({variant})") if not r.ok else \
                next(l for l in r.out.splitlines() if "FAIL" in l)
            return row
        row[f"{variant}_checks"] = len(re.findall(r"^check .* PASS$", r.out, re.M))
        row[f"{variant}_streamed"] = int(prom_value(
            metrics, "ds_bytes_copied_total", 'direction="streamed_weights"') or 0)
        row[f"{variant}_device"] = int(prom_value(metrics, "ds_device_bytes") or 0)
        outputs[variant] = {f: np.load(os.path.join(out_dir, f))
                            for f in sorted(os.listdir(out_dir)) if f.endswith(".npy")}
    if outputs["plain"].keys() != outputs["tight"].keys():
        row["why"] = "the budgeted build wrote different outputs"
        return row
    for f, want in outputs["plain"].items():
        if not np.array_equal(want, outputs["tight"][f], equal_nan=True):
            row["why"] = f"{f}: the budgeted build differs from the unbudgeted one"
            return row
    if row["plain_checks"] != len(meta["outputs"]) or row["tight_checks"] != len(meta["outputs"]):
        row["why"] = "ds-run checked fewer outputs than the model has"
        return row
    row["status"] = "PASS"
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=dspipeline.default_build_dir())
    ap.add_argument("--filter", help="only models whose name matches REGEX")
    ap.add_argument("--work", help="work folder (default BUILD/test/E2E/real-models)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per tool run")
    args = ap.parse_args()
    why = dspipeline.real_models_unavailable()
    if why:
        print(f"run_compiled_models: {why}; skipping")
        return dspipeline.EXIT_SKIP
    tools = dspipeline.Tools(args.build)
    work = os.path.abspath(args.work or os.path.join(tools.build, "test", "E2E", "real-models"))
    env = dspipeline.host_compiler_env(work)
    specs = [s for s in dspipeline.load_models() if not s.get("xfail")]
    if args.filter:
        specs = [s for s in specs if re.search(args.filter, s["name"])]
    rows = []
    for spec in specs:
        row = check_model(spec, tools, work, args.timeout, env)
        rows.append(row)
        print(f"{row['status']:5} {spec['name']}" + (f": {row['why']}" if row["why"] else ""),
              flush=True)
    print(f"\n{'model':20} {'status':6} {'arena':>10} {'budget':>10} {'device':>10} "
          f"{'streamed/inf':>12}  outputs checked (plain, tight)")
    for r in rows:
        print(f"{r['name']:20} {r['status']:6} {r.get('arena', '-'):>10} "
              f"{r.get('budget', '-'):>10} {r.get('tight_device', '-'):>10} "
              f"{r.get('tight_streamed', '-'):>12}  "
              f"{r.get('plain_checks', '-')}, {r.get('tight_checks', '-')}")
    failed = sum(r["status"] != "PASS" for r in rows)
    print(f"\n{len(rows) - failed} pass, {failed} fail")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
