#!/usr/bin/python3
"""Writes batches of a [batch, ...] input (and the matching rows of its
expected output) for the bucket tests: for each N given, rows 0..N-1 of the
recorded batch, repeated cyclically when N exceeds it, as DIR/bN/in.npy and
DIR/bN/want/<output>.npy. Per-sample independence along the batch makes row
r of the output depend on row r of the input only, so the recorded
(PyTorch) output rows are the expected ones."""
import argparse
import os

import numpy as np

p = argparse.ArgumentParser()
p.add_argument("input")
p.add_argument("output")
p.add_argument("output_name")
p.add_argument("dir")
p.add_argument("sizes", type=int, nargs="+")
args = p.parse_args()
x, y = np.load(args.input), np.load(args.output)
for n in args.sizes:
    rows = [r % x.shape[0] for r in range(n)]
    d = os.path.join(args.dir, f"b{n}")
    os.makedirs(os.path.join(d, "want"), exist_ok=True)
    np.save(os.path.join(d, "in.npy"), x[rows])
    np.save(os.path.join(d, "want", args.output_name + ".npy"), y[rows])
