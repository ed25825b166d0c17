"""Compares a quantized model's outputs with the float model's.

Usage: compare_int4.py FLOAT_DIR QUANT_DIR INT4.safetensors GROUP MIN_COS
Checks (1) `h1` = x @ fc1 recomputed in numpy from the stored INT4 weights
(test/lib/int4ref.py) and the input x.npy equals the reference executor's
within float rounding, and (2) every output's cosine similarity with the
float model's is at least MIN_COS. Prints one line per output.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "lib"))
import int4ref  # noqa: E402


def main(float_dir, quant_dir, int4_path, group, min_cos):
    group, min_cos = int(group), float(min_cos)
    q = int4ref.read_safetensors(int4_path)
    x = np.load(os.path.join(float_dir, "..", "x.npy")).astype(np.float64)
    scale = q.get("int4.fc1.weight.awq_scale")
    xs = x * scale if scale is not None else x
    w1 = int4ref.dequantize(q["int4.fc1.weight"], q["int4.fc1.weight.scales"],
                            q.get("int4.fc1.weight.zeros"), 256, group)
    h1 = np.load(os.path.join(quant_dir, "h1.npy"))
    want = xs @ w1.astype(np.float64)
    err = np.abs(h1 - want).max() / np.abs(want).max()
    print(f"h1 vs numpy dequant: max rel err {err:.2e}")
    if err > 1e-5:
        sys.exit("h1 differs from x @ dequantize(stored weights)")
    for name in ("logits", "h1"):
        a = np.load(os.path.join(float_dir, name + ".npy")).ravel()
        b = np.load(os.path.join(quant_dir, name + ".npy")).ravel()
        cos = float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
        print(f"{name}: cosine {cos:.5f} max abs err {np.abs(a - b).max():.4f}")
        if cos < min_cos:
            sys.exit(f"{name}: cosine {cos} < {min_cos}")


if __name__ == "__main__":
    main(*sys.argv[1:])
