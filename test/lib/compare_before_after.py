#!/usr/bin/env python3
"""Checks that a pass does not change what a program computes.

Usage: compare_before_after.py SRC TMPDIR [--rtol R] [--atol A]
                               [--copy FILE ...] -- DS-OPT-ARGS...

Each `// -----` chunk of SRC is written to TMPDIR (beside the --copy files,
e.g. the weights its `ds.weight_files` names), transformed with ds-opt
DS-OPT-ARGS, and both versions run on the reference executor (ds-run) with
the same random inputs; every output must agree within the tolerances
(default 1e-6 relative, 1e-7 absolute).
"""
import os
import shutil
import subprocess
import sys

import numpy as np


def main(argv):
    sep = argv.index("--")
    ours, opt_args = argv[:sep], argv[sep + 1:]
    src, tmp = ours[0], ours[1]
    rtol, atol, copies = 1e-6, 1e-7, []
    rest = ours[2:]
    while rest:
        flag = rest.pop(0)
        if flag == "--rtol":
            rtol = float(rest.pop(0))
        elif flag == "--atol":
            atol = float(rest.pop(0))
        elif flag == "--copy":
            while rest and not rest[0].startswith("--"):
                copies.append(rest.pop(0))
        else:
            sys.exit(f"unknown option {flag}")
    bindir = os.environ.get("DS_BIN", "")
    ds_opt = os.path.join(bindir, "ds-opt") if bindir else "ds-opt"
    ds_run = os.path.join(bindir, "ds-run") if bindir else "ds-run"
    for f in copies:
        if os.path.dirname(os.path.abspath(f)) != os.path.abspath(tmp):
            shutil.copy(f, tmp)
    chunks = open(src).read().split("// -----")
    for i, chunk in enumerate(chunks):
        orig = os.path.join(tmp, f"chunk{i}.mlir")
        after = os.path.join(tmp, f"chunk{i}.after.mlir")
        open(orig, "w").write(chunk)
        subprocess.run([ds_opt, orig, *opt_args, "-o", after], check=True)
        outs = []
        for model in (orig, after):
            d = model + ".out"
            subprocess.run([ds_run, model, "--random-inputs", "3",
                            "--output-dir", d],
                           check=True, stdout=subprocess.DEVNULL)
            outs.append({f: np.load(os.path.join(d, f))
                         for f in sorted(os.listdir(d))})
        if sorted(outs[0]) != sorted(outs[1]):
            sys.exit(f"chunk {i}: outputs differ: {sorted(outs[0])} vs "
                     f"{sorted(outs[1])}")
        for name in outs[0]:
            a, b = outs[0][name], outs[1][name]
            if a.shape != b.shape or not np.allclose(b, a, rtol=rtol,
                                                     atol=atol):
                diff = np.abs(a - b).max() if a.shape == b.shape else "shape"
                sys.exit(f"chunk {i} output {name}: max abs diff {diff}")
    print(f"{len(chunks)} chunks agree before and after {' '.join(opt_args)}")


if __name__ == "__main__":
    main(sys.argv[1:])
