#!/usr/bin/python3
"""Memory planning and artifact benchmarks on the real models: prints figures,
asserts nothing.

For each model of test/E2E/models.json (fetched by scripts/fetch_models.sh)
that ds compiles, with its inputs bound to the shapes in models.json:

* the activation arena ds-plan-memory chose (and the heuristic), the lower
  bound (peak of the live bytes), their ratio, the size without any reuse and
  the number of elementwise results stored in place;
* under the tightest device budget the host/device tiering reaches (what
  ds-plan-memory reports when asked for a budget just above the arena): the
  device bytes, the weight bytes streamed per inference and the predicted
  time per inference over the host link (25 GB/s) and HBM (4.8 TB/s);
* the artifact size of a full compile (CUBIN sm_80 and sm_90, PTX
  compute_80 when NVRTC is available, host module), split into manifest,
  kernel blobs (sources, binaries, host module) and weights, with the
  launches and the unique kernels they share.

Usage: memplan_bench.py [--build DIR] [--filter REGEX] [--work DIR]
                        [--no-artifacts]
"""
import argparse
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))
import dspipeline  # noqa: E402


def artifact_sections(path):
    """(total, manifest, blobs, weights) bytes from a .dsa header."""
    with open(path, "rb") as f:
        head = f.read(128)
    size, _, manifest, _, blobs, _, weights = struct.unpack_from("<7Q", head, 16)
    return size, manifest, blobs, weights


def kib(n):
    return "-" if n is None else f"{n / 1024:.1f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=dspipeline.default_build_dir())
    ap.add_argument("--filter", help="only models whose name matches REGEX")
    ap.add_argument("--work", help="work folder (default BUILD/test/bench/memplan)")
    ap.add_argument("--no-artifacts", action="store_true",
                    help="skip the full compiles (artifact sizes)")
    ap.add_argument("--timeout", type=float, default=900)
    args = ap.parse_args()
    tools = dspipeline.Tools(args.build)
    work = os.path.abspath(args.work or os.path.join(tools.build, "test", "bench", "memplan"))
    env = dspipeline.host_compiler_env(work)
    specs = dspipeline.load_models()
    if args.filter:
        specs = [s for s in specs if re.search(args.filter, s["name"])]

    rows = []
    for spec in specs:
        row = {"name": spec["name"], "note": ""}
        rows.append(row)
        model = os.path.join(dspipeline.MODELS_DIR, spec["file"])
        if not os.path.exists(model):
            row["note"] = "not fetched"
            continue
        # models.json order is the models' input order.
        meta_inputs = [{"name": n} for n in spec["inputs"]]
        binds = dspipeline.positional_binds(meta_inputs, spec)
        plan, r = dspipeline.plan_memory(tools, model, binds, timeout=args.timeout)
        if plan is None:
            row["note"] = r.why("ds-compile")
            continue
        row["plan"] = plan
        budget = dspipeline.smallest_device_bytes(tools, model, binds,
                                                  plan["arena_bytes"], args.timeout)
        if budget is not None:
            tight, r = dspipeline.plan_memory(tools, model, binds, budget, args.timeout)
            row["tight"] = tight
            row["budget"] = budget
        if not args.no_artifacts:
            os.makedirs(work, exist_ok=True)
            dsa = os.path.join(work, spec["name"] + ".dsa")
            r = dspipeline.ds_compile(tools, model, dsa, binds, None, [],
                                      args.timeout, env)
            if r.ok:
                row["artifact"] = artifact_sections(dsa)
                row["compile_s"] = r.seconds
                m = re.search(r"ds-compile: (\d+) launches, (\d+) unique kernels",
                              r.err + r.out)
                if m:
                    row["launches"], row["kernels"] = int(m.group(1)), int(m.group(2))
            else:
                row["note"] = r.why("ds-compile")
        print(f"done {spec['name']}", file=sys.stderr, flush=True)

    print("Activation arena per model (KiB; ratio = arena / lower bound; no reuse = "
          "every activation in its own slot)")
    print(f"{'model':20} {'arena':>9} {'lower bd':>9} {'ratio':>6} {'no reuse':>10} "
          f"{'saving':>7} {'in place':>8}  heuristic")
    for row in rows:
        p = row.get("plan")
        if not p:
            print(f"{row['name']:20} {row['note']}")
            continue
        ratio = p["arena_bytes"] / p["lower_bound_bytes"] if p["lower_bound_bytes"] else 1.0
        saving = p["no_reuse_bytes"] / p["arena_bytes"] if p["arena_bytes"] else 1.0
        print(f"{row['name']:20} {kib(p['arena_bytes']):>9} {kib(p['lower_bound_bytes']):>9} "
              f"{ratio:6.3f} {kib(p['no_reuse_bytes']):>10} {saving:6.1f}x "
              f"{p['in_place']:8}  {p.get('heuristic', '?')}")

    print("\nTightest device budget the tiering reaches (KiB; predicted ms per inference "
          "at 25 GB/s host link, 4.8 TB/s HBM)")
    print(f"{'model':20} {'weights':>9} {'all res.':>9} {'budget':>9} {'resident':>9} "
          f"{'staging':>9} {'streamed':>9} {'link ms':>8} {'HBM ms':>8}")
    for row in rows:
        p, t = row.get("plan"), row.get("tight")
        if not p or not t:
            continue
        print(f"{row['name']:20} {kib(p['resident_weight_bytes']):>9} "
              f"{kib(p['device_bytes']):>9} {kib(row['budget']):>9} "
              f"{kib(t['resident_weight_bytes']):>9} "
              f"{kib(t['staging_slots'] * t['staging_slot_bytes']):>9} "
              f"{kib(t['streamed_bytes']):>9} {t['predicted_host_link_ns'] / 1e6:8.4f} "
              f"{t['predicted_hbm_ns'] / 1e6:8.4f}")

    if not args.no_artifacts:
        print("\nArtifact sizes (KiB; bytes = the whole file; launches and the unique "
              "kernels they share, each compiled once)")
        print(f"{'model':20} {'bytes':>10} {'total':>9} {'manifest':>9} {'kernels':>9} "
              f"{'weights':>9} {'launches':>8} {'unique':>6} {'compile s':>9}")
        for row in rows:
            a = row.get("artifact")
            if not a:
                continue
            print(f"{row['name']:20} {a[0]:>10} {kib(a[0]):>9} {kib(a[1]):>9} "
                  f"{kib(a[2]):>9} {kib(a[3]):>9} {row.get('launches', '-'):>8} "
                  f"{row.get('kernels', '-'):>6} {row['compile_s']:9.1f}")
        print_buckets(tools, work, env, args.timeout)
    return 0


def print_buckets(tools, work, env, timeout):
    """The tiny transformers (test/E2E/transformers) with batch buckets
    1, 2, 4, 8 at seq 8: one bucketed artifact against four static ones."""
    tdir = os.path.join(dspipeline.ROOT, "test", "E2E", "transformers")
    values = [1, 2, 4, 8]
    print("\nBatch buckets 1,2,4,8 at seq=8: one artifact vs one static artifact per "
          "batch (bytes; arena per bucket in KiB; launches / unique kernels)")
    print(f"{'model':12} {'bucketed':>10} {'4 static':>10} {'launches':>8} {'unique':>6} "
          f"{'static unique':>13}  arena per bucket")
    for name in ("gpt2_tiny", "llama_tiny"):
        model = os.path.join(tdir, name + ".onnx")
        dsa = os.path.join(work, name + ".buckets.dsa")
        r = dspipeline.ds_compile(tools, model, dsa, ["seq=8"], None,
                                  ["--buckets=batch:" + ",".join(map(str, values))],
                                  timeout, env)
        if not r.ok:
            print(f"{name:12} {r.why('ds-compile --buckets')}")
            continue
        report = r.err + r.out
        m = re.search(r"ds-compile: (\d+) launches, (\d+) unique kernels", report)
        arenas = re.findall(r"bucket batch=(\d+): \d+ launches, arena (\d+) bytes", report)
        static_bytes, static_unique = 0, 0
        for v in values:
            one = os.path.join(work, f"{name}.b{v}.dsa")
            r = dspipeline.ds_compile(tools, model, one, [f"batch={v}", "seq=8"], None,
                                      [], timeout, env)
            if not r.ok:
                static_bytes = None
                break
            static_bytes += os.path.getsize(one)
            k = re.search(r"(\d+) unique kernels", r.err + r.out)
            static_unique += int(k.group(1)) if k else 0
        print(f"{name:12} {os.path.getsize(dsa):>10} {static_bytes or '-':>10} "
              f"{m.group(1) if m else '-':>8} {m.group(2) if m else '-':>6} "
              f"{static_unique:>13}  "
              + ", ".join(f"{b}: {kib(int(a))}" for b, a in arenas))


if __name__ == "__main__":
    sys.exit(main())
