#!/usr/bin/python3
"""Compares the .npy files of two output folders (same names) with numpy
allclose; prints "N outputs match" or the first mismatch and exits 1."""
import argparse
import os
import sys

import numpy as np

p = argparse.ArgumentParser()
p.add_argument("a")
p.add_argument("b")
p.add_argument("--rtol", type=float, default=1e-5)
p.add_argument("--atol", type=float, default=1e-6)
args = p.parse_args()
names = sorted(f for f in os.listdir(args.a) if f.endswith(".npy"))
if not names or names != sorted(f for f in os.listdir(args.b) if f.endswith(".npy")):
    print("output files differ:", names)
    sys.exit(1)
for n in names:
    x = np.load(os.path.join(args.a, n)).astype(np.float64)
    y = np.load(os.path.join(args.b, n)).astype(np.float64)
    if x.shape != y.shape or not np.allclose(x, y, rtol=args.rtol, atol=args.atol):
        print(f"{n}: mismatch, max abs diff {np.max(np.abs(x - y)) if x.shape == y.shape else 'shape'}")
        sys.exit(1)
print(f"{len(names)} outputs match")
