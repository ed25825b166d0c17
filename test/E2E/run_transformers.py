#!/usr/bin/env python3
"""The PyTorch-exported tiny transformers (test/E2E/transformers) through ds.

For each model (exported with dynamic `batch` and `seq`) and each recorded
(batch, seq) binding:
  1. ds-import, then ds-opt --ds-inference-pipeline=bind=batch=B,seq=S;
     the result must have no dynamic dim left;
  2. the reference executor runs the static IR on the recorded token ids and
     must match PyTorch's logits (rtol/atol 1e-4) and its per-token argmax;
  3. for the first binding, ds-compile --bind builds the artifact and ds-run
     --check runs the emitted kernels (GPU, or the CPU emulation) against
     the reference executor.
Prints one line per case; exits 1 on any failure.
"""
import argparse
import glob
import os
import re
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import dspipeline as dp  # noqa: E402

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "transformers")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=dp.default_build_dir())
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("--atol", type=float, default=1e-4)
    ap.add_argument("--no-compile", action="store_true",
                    help="skip the ds-compile + emulated kernels step")
    args = ap.parse_args()
    tools = dp.Tools(args.build)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="ds-transformers-") as tmp:
        for onnx_path in sorted(glob.glob(os.path.join(HERE, "*.onnx"))):
            name = os.path.basename(onnx_path)[:-5]
            mlir = os.path.join(tmp, name + ".mlir")
            r = dp.import_onnx(tools, onnx_path, mlir)
            if not r.ok:
                print(f"{name}: FAIL import: {r.why('ds-import')}")
                failures += 1
                continue
            cases = sorted(glob.glob(os.path.join(HERE, name + ".b*s*.input_ids.npy")))
            for i, ids_path in enumerate(cases):
                b, s = map(int, re.search(r"\.b(\d+)s(\d+)\.", ids_path).groups())
                tag = f"{name} batch={b} seq={s}"
                static = os.path.join(tmp, f"{name}.b{b}s{s}.mlir")
                r = dp.run([tools.ds_opt, mlir, "-o", static,
                            f"--ds-inference-pipeline=bind=batch={b},seq={s}"])
                if not r.ok:
                    print(f"{tag}: FAIL static shapes: {r.why('ds-opt')}")
                    failures += 1
                    continue
                text = open(static).read()
                if "?" in text:
                    print(f"{tag}: FAIL dynamic dims left after binding")
                    failures += 1
                    continue
                ops = len(re.findall(r"= ds\.", text))
                out = os.path.join(tmp, f"{name}.b{b}s{s}.out")
                r = dp.run_reference(tools, static, [("input_ids", ids_path)], out)
                got_path = dp.find_output(out, "logits", 1)
                if not r.ok or not got_path:
                    print(f"{tag}: FAIL reference run: {r.why('ds-run')}")
                    failures += 1
                    continue
                got = np.load(got_path)
                want = np.load(ids_path.replace(".input_ids.npy", ".logits.npy"))
                ok, why, st = dp.compare(got, want, args.rtol, args.atol)
                agree = float((got.argmax(-1) == want.argmax(-1)).mean()) \
                    if got.shape == want.shape else 0.0
                line = (f"{tag}: {ops} ops, max abs {st['max_abs']:.2e}, "
                        f"cosine {st['cosine']:.8f}, argmax agreement "
                        f"{agree * 100:.1f}%")
                if not ok or agree < 1.0:
                    print(f"{tag}: FAIL vs PyTorch: {why or 'argmax differs'}")
                    failures += 1
                    continue
                if i == 0 and not args.no_compile:
                    dsa = os.path.join(tmp, f"{name}.b{b}s{s}.dsa")
                    r = dp.run([tools.ds_compile, onnx_path, "-o", dsa, "--quiet",
                                "--bind", f"batch={b},seq={s}"])
                    if not r.ok:
                        print(f"{tag}: FAIL ds-compile: {r.why('ds-compile')}")
                        failures += 1
                        continue
                    r = dp.run([tools.ds_run, dsa, "--input",
                                f"input_ids={ids_path}", "--check"])
                    if not r.ok:
                        print(f"{tag}: FAIL kernels vs reference: {r.why('ds-run')}")
                        failures += 1
                        continue
                    line += "; kernels match the reference executor"
                print(line)
    print(f"transformers: {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
