#!/usr/bin/env python3
"""Writes seeded random f32 tensors as a safetensors file (and .npy inputs).

Usage: gen_safetensors.py OUT.safetensors NAME=DIMxDIM[:scale] ... [--seed N]
       [--npy DIR NAME=DIMxDIM ...]
The format is written by hand (8-byte little-endian header length, JSON
header, raw data) so that the test does not depend on the ds writer.
"""
import json
import struct
import sys

import numpy as np


def parse(spec):
    name, _, rest = spec.partition("=")
    dims, _, scale = rest.partition(":")
    shape = [int(d) for d in dims.split("x")] if dims else []
    return name, shape, float(scale) if scale else None


def main(argv):
    seed = 0
    if "--seed" in argv:
        i = argv.index("--seed")
        seed = int(argv[i + 1])
        del argv[i:i + 2]
    npy_dir, npy_specs = None, []
    if "--npy" in argv:
        i = argv.index("--npy")
        npy_dir, npy_specs = argv[i + 1], argv[i + 2:]
        del argv[i:]
    out, specs = argv[0], argv[1:]
    rng = np.random.default_rng(seed)
    header, blobs, offset = {}, [], 0
    for spec in sorted(specs):
        name, shape, scale = parse(spec)
        if scale is None:
            scale = 1.0 / np.sqrt(shape[0]) if len(shape) > 1 else 0.1
        data = (rng.standard_normal(shape) * scale).astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": shape,
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), sort_keys=True).encode()
    text += b" " * (-len(text) % 8)
    with open(out, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    for spec in npy_specs:
        name, shape, scale = parse(spec)
        data = rng.uniform(-1.0, 1.0, shape).astype("<f4")
        np.save(f"{npy_dir}/{name}.npy", data)


if __name__ == "__main__":
    main(sys.argv[1:])
