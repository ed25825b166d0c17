#!/usr/bin/python3
"""INT4 weight quantization on real models and the tiny transformers: prints
accuracy per method and group size, sizes, quantization time and the modelled
weight bytes read per token. Printed, not asserted (docs/design/int4.md).

Models: the real models of test/E2E/models.json that have quantizable
matmuls (third_party/models, scripts/fetch_models.sh) and the PyTorch-exported
transformers of test/E2E/transformers. Each is imported, bound to static
shapes (ds-inference-pipeline), then quantized with ds-quantize-int4
(min-elements=0: every matmul weight) for every method x group size
(symmetric) and every method at group 128 asymmetric, and run with the
reference executor next to the f32 model:

  - cosine similarity and max abs error of the outputs versus f32;
  - classifiers: top-1 agreement over the evaluation inputs (argmax of the
    last axis; a one-value sigmoid output is thresholded at 0.5);
  - transformers: per-token argmax agreement of the logits, both versus the
    f32 ds model and versus PyTorch's recorded logits;
  - awq calibrates on inputs drawn with another seed than the evaluation
    inputs (random token ids for the transformers).

Usage: int4_bench.py [--build DIR] [--samples N] [--methods rtn,search,awq]
                     [--groups 32,64,128] [--only NAME,...]
"""
import argparse
import glob
import os
import re
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import dspipeline as dp  # noqa: E402

ROOT = dp.ROOT
TRANSFORMERS = os.path.join(ROOT, "test", "E2E", "transformers")

_DTYPE_BYTES = {"f32": 4, "f16": 2, "bf16": 2, "ui8": 1, "i64": 8, "i32": 4,
                "i1": 1}


def weight_table(mlir_text):
    """name -> (elements, bytes) of every ds.weight of a module."""
    out = {}
    for name, dims in re.findall(r'ds\.weight "([^"]+)" : tensor<([^>]*)>',
                                 mlir_text):
        parts = dims.split("x")
        elems = int(np.prod([int(p) for p in parts[:-1]])) if len(parts) > 1 else 1
        out[name] = (elems, elems * _DTYPE_BYTES[parts[-1]])
    return out


class Model:
    def __init__(self, name, onnx, binds, eval_inputs, calib_inputs, kind,
                 reference=None):
        self.name, self.onnx, self.binds = name, onnx, binds
        self.eval_inputs = eval_inputs      # list of [(input name, npy)]
        self.calib_inputs = calib_inputs    # [(input name, npy)], sets in turn
        self.kind = kind                    # "classifier", "transformer", "other"
        self.reference = reference          # PyTorch logits per eval input


def real_models(tmp, samples):
    models = []
    for spec in dp.load_models():
        if spec.get("xfail"):
            continue
        onnx = os.path.join(dp.MODELS_DIR, spec["file"])
        if not os.path.exists(onnx):
            continue
        shapes = [inp["shape"] for inp in spec["inputs"].values()]
        binds = ",".join(f"{i}[{d}]={n}" for i, s in enumerate(shapes)
                         for d, n in enumerate(s))

        def draw(seed):
            rng = np.random.default_rng(seed)
            files = []
            for name, inp in spec["inputs"].items():
                lo, hi = inp.get("range", [-1, 1])
                a = rng.uniform(lo, hi, inp["shape"]).astype(np.float32)
                path = os.path.join(tmp, f"{spec['name']}.{seed}.{len(files)}.npy")
                np.save(path, a)
                files.append((name, path))
            return files

        kind = "classifier" if spec["name"].startswith(("oww-a", "oww-h", "oww-t",
                                                        "oww-w", "ocr-cls")) \
            else "other"
        calib = [f for s in range(1000, 1008) for f in draw(s)]
        models.append(Model(spec["name"], onnx, binds,
                            [draw(s) for s in range(samples)], calib, kind))
    return models


def transformer_models(tmp):
    models = []
    for onnx in sorted(glob.glob(os.path.join(TRANSFORMERS, "*.onnx"))):
        name = os.path.basename(onnx)[:-5]
        ids = os.path.join(TRANSFORMERS, name + ".b2s16.input_ids.npy")
        logits = ids.replace(".input_ids.npy", ".logits.npy")
        if not os.path.exists(ids):
            continue
        vocab = np.load(logits).shape[-1]
        x = np.load(ids)
        rng = np.random.default_rng(7)
        calib = []
        for i in range(4):
            cpath = os.path.join(tmp, f"{name}.calib{i}.npy")
            np.save(cpath, rng.integers(0, vocab, x.shape).astype(x.dtype))
            calib.append(("input_ids", cpath))
        models.append(Model(name, onnx, "batch=2,seq=16",
                            [[("input_ids", ids)]], calib,
                            "transformer", [np.load(logits)]))
    return models


def run_outputs(tools, mlir, inputs, out_dir):
    r = dp.run_reference(tools, mlir, inputs, out_dir)
    if not r.ok:
        raise RuntimeError(r.why("ds-run"))
    return [np.load(os.path.join(out_dir, f)).astype(np.float64)
            for f in sorted(os.listdir(out_dir)) if f.endswith(".npy")]


def decision(y):
    return (y > 0.5).astype(int).ravel() if y.shape[-1] == 1 else y.argmax(-1).ravel()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=dp.default_build_dir())
    ap.add_argument("--samples", type=int, default=4)
    ap.add_argument("--methods", default="rtn,search,awq")
    ap.add_argument("--groups", default="32,64,128")
    ap.add_argument("--only", default="")
    ap.add_argument("--timing-size", default="4096x4096",
                    help="KxN of the synthetic matmul timed per method "
                         "(empty: skip)")
    args = ap.parse_args()
    tools = dp.Tools(args.build)
    methods = args.methods.split(",")
    groups = [int(g) for g in args.groups.split(",")]
    configs = [(m, g, True) for m in methods for g in groups] + \
              [(m, 128, False) for m in methods if 128 in groups]

    acc_rows, size_rows, token_rows, time_rows = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="ds-int4-bench-") as tmp:
        models = transformer_models(tmp)
        if not dp.real_models_unavailable():
            models += real_models(tmp, args.samples)
        else:
            print("note: real models unavailable (scripts/fetch_models.sh)")
        if args.only:
            models = [m for m in models if m.name in args.only.split(",")]
        for model in models:
            d = os.path.join(tmp, model.name)
            os.makedirs(d)
            imported = os.path.join(d, "model.mlir")
            r = dp.import_onnx(tools, model.onnx, imported)
            if not r.ok:
                print(f"{model.name}: import failed: {r.why('ds-import')}")
                continue
            static = os.path.join(d, "static.mlir")
            r = dp.run([tools.ds_opt, imported, "-o", static,
                        f"--ds-inference-pipeline=bind={model.binds}"])
            if not r.ok:
                print(f"{model.name}: pipeline failed: {r.why('ds-opt')}")
                continue
            text = open(static).read()
            if "ds.matmul" not in text:
                continue
            weights = weight_table(text)
            f32_bytes = sum(b for _, b in weights.values())
            f32 = [run_outputs(tools, static, ins, os.path.join(d, f"f32.{i}"))
                   for i, ins in enumerate(model.eval_inputs)]
            for method, group, sym in configs:
                tag = f"{method}-g{group}-{'sym' if sym else 'asym'}"
                q = os.path.join(d, tag + ".mlir")
                opts = [f"group-size={group}", f"method={method}",
                        f"symmetric={'true' if sym else 'false'}", "min-elements=0",
                        "report=true", f"weights-out={os.path.join(d, tag)}.safetensors"]
                if method == "awq":
                    opts.append("calibration=" + ",".join(
                        f"{n}={p}" for n, p in model.calib_inputs))
                start = time.perf_counter()
                r = dp.run([tools.ds_opt, static, "-o", q,
                            "--ds-quantize-int4=" + " ".join(opts)])
                seconds = time.perf_counter() - start
                if not r.ok:
                    print(f"{model.name} {tag}: quantization failed: {r.why('ds-opt')}")
                    continue
                m = re.search(r"quantized (\d+) of (\d+) matmul weights, (\d+) -> (\d+) bytes",
                              r.err)
                nq, nm, before, after = (int(v) for v in m.groups())
                qtext = open(q).read()
                qweights = weight_table(qtext)
                total_after = sum(b for _, b in qweights.values())
                maxabs, agree, agree_pt, n_dec = 0.0, 0, 0, 0
                got = [[] for _ in f32[0]]
                for i, ins in enumerate(model.eval_inputs):
                    outs = run_outputs(tools, q, ins, os.path.join(d, f"{tag}.{i}"))
                    for j, (a, b) in enumerate(zip(f32[i], outs)):
                        got[j].append(b.ravel())
                        maxabs = max(maxabs, float(np.abs(a - b).max()))
                    if model.kind in ("classifier", "transformer"):
                        da, db = decision(f32[i][0]), decision(outs[0])
                        agree += int((da == db).sum())
                        n_dec += da.size
                        if model.reference is not None:
                            agree_pt += int((decision(model.reference[i]) == db).sum())
                # Cosine of each output over all evaluation inputs together
                # (a wake-word head has a single output value per input).
                cos = []
                for j, parts in enumerate(got):
                    a = np.concatenate([f32[i][j].ravel() for i in range(len(parts))])
                    b = np.concatenate(parts)
                    cos.append(float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)
                                              + 1e-30)))
                row = {"model": model.name, "config": tag, "cos": min(cos),
                       "maxabs": maxabs, "agree": agree / n_dec if n_dec else None,
                       "agree_pt": agree_pt / n_dec if model.reference and n_dec else None,
                       "seconds": seconds}
                acc_rows.append(row)
                if method == "rtn":
                    size_rows.append({"model": model.name, "config": tag,
                                      "quantized": f"{nq}/{nm}",
                                      "bits": 8.0 * after / (before / 4),
                                      "qbefore": before, "qafter": after,
                                      "total_before": f32_bytes,
                                      "total_after": total_after})
                if model.kind == "transformer" and method == "rtn" and sym:
                    # Decoding reads every weight once per token: f16 weights
                    # versus INT4 matmul weights + the rest in f16.
                    elems = sum(e for e, _ in weights.values())
                    f16 = 2 * elems
                    rest = 2 * (elems - before // 4)
                    token_rows.append((model.name, group, f16, after + rest,
                                       f16 / (after + rest)))
                print(f"  {model.name:18s} {tag:16s} cos {row['cos']:.5f} "
                      f"max|err| {maxabs:.4f} quantize {seconds:.2f} s", flush=True)

        if args.timing_size:
            time_rows = time_quantization(tools, tmp, args.timing_size, methods)

    print("\n## Accuracy versus the f32 model (reference executor)")
    print("| model | method | group | zero points | min cosine | max abs err | "
          "top-1 / per-token argmax agreement | vs PyTorch | ds-opt s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in acc_rows:
        method, g, z = r["config"].split("-")
        agree = f"{100 * r['agree']:.1f}%" if r["agree"] is not None else "-"
        agree_pt = f"{100 * r['agree_pt']:.1f}%" if r["agree_pt"] is not None else "-"
        print(f"| {r['model']} | {method} | {g[1:]} | {'no' if z == 'sym' else 'u8'} | "
              f"{r['cos']:.5f} | {r['maxabs']:.4g} | {agree} | {agree_pt} | "
              f"{r['seconds']:.2f} |")
    print("\n## Sizes (rtn; the other methods store the same tensors, awq adds a "
          "[K] f32 vector per matmul)")
    print("| model | config | matmuls quantized | bits/weight | quantized weights "
          "before -> after | all weights before -> after |")
    print("|---|---|---|---|---|---|")
    for r in size_rows:
        print(f"| {r['model']} | {r['config']} | {r['quantized']} | {r['bits']:.3f} | "
              f"{r['qbefore']} -> {r['qafter']} B | {r['total_before']} -> "
              f"{r['total_after']} B |")
    if token_rows:
        print("\n## Modelled weight bytes read per decoded token (transformers)")
        print("| model | group | f16 weights | INT4 matmuls + rest f16 | ratio |")
        print("|---|---|---|---|---|")
        for name, g, f16, q, ratio in token_rows:
            print(f"| {name} | {g} | {f16} B | {q} B | {ratio:.2f}x |")
    if time_rows:
        print(f"\n## Quantization time, one {args.timing_size} f32 matmul weight "
              "(ds-opt wall time incl. reading/writing the files; awq: 4 x 64 "
              "calibration rows)")
        print("| method | group | seconds | M weights/s |")
        print("|---|---|---|---|")
        for method, g, sec, rate in time_rows:
            print(f"| {method} | {g} | {sec:.2f} | {rate:.1f} |")
    return 0


def time_quantization(tools, tmp, size, methods):
    """ds-opt --ds-quantize-int4 on one synthetic KxN weight per method."""
    k, n = (int(v) for v in size.split("x"))
    d = os.path.join(tmp, "timing")
    os.makedirs(d)
    r = dp.run(["/usr/bin/python3", os.path.join(ROOT, "scripts", "gen_safetensors.py"),
                os.path.join(d, "w.safetensors"), f"w={k}x{n}", "--npy", d,
                *[f"x{i}=64x{k}" for i in range(4)]])
    if not r.ok:
        print(f"timing: {r.why('gen_safetensors.py')}")
        return []
    mlir = os.path.join(d, "m.mlir")
    with open(mlir, "w") as f:
        f.write(f'module attributes {{ds.weight_files = ["w.safetensors"]}} {{\n'
                f'func.func @main(%x: tensor<64x{k}xf32> {{ds.name = "x"}}) -> '
                f'tensor<64x{n}xf32> {{\n'
                f'  %w = ds.weight "w" : tensor<{k}x{n}xf32>\n'
                f'  %y = ds.matmul %x, %w : (tensor<64x{k}xf32>, tensor<{k}x{n}xf32>)'
                f' -> tensor<64x{n}xf32>\n  return %y : tensor<64x{n}xf32>\n}}\n}}\n')
    rows = []
    for method in methods:
        opts = [f"method={method}", "group-size=128",
                f"weights-out={os.path.join(d, method)}.safetensors"]
        if method == "awq":
            opts.append("calibration=" + ",".join(
                f"x={os.path.join(d, f'x{i}.npy')}" for i in range(4)))
        start = time.perf_counter()
        r = dp.run([tools.ds_opt, mlir, "-o", os.path.join(d, method + ".mlir"),
                    "--ds-quantize-int4=" + " ".join(opts)], cwd=d)
        sec = time.perf_counter() - start
        if not r.ok:
            print(f"timing {method}: {r.why('ds-opt')}")
            continue
        rows.append((method, 128, sec, k * n / sec / 1e6))
    return rows


if __name__ == "__main__":
    sys.exit(main())
