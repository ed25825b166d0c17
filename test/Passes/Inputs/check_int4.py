"""Checks ds-quantize-int4's weights file against the float weights with an
independent numpy dequantization (test/lib/int4ref.py).

Usage: check_int4.py FLOAT.safetensors INT4.safetensors GROUP MAX_REL_RMS
For every quantized weight W (stored as int4.W, int4.W.scales[,
int4.W.zeros]):
every element is within half a step of the float value (round to nearest
never clips), and the relative RMS error is at most MAX_REL_RMS. Prints one
line per weight.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "lib"))
import int4ref  # noqa: E402


def main(float_path, int4_path, group, max_rel):
    group, max_rel = int(group), float(max_rel)
    fw, qw = int4ref.read_safetensors(float_path), int4ref.read_safetensors(
        int4_path)
    for name in sorted(n[5:] for n in qw if n[5:] in fw):
        w = fw[name].astype(np.float32)
        packed = qw["int4." + name]
        scales = qw["int4." + name + ".scales"]
        zeros = qw.get("int4." + name + ".zeros")
        # B [K, N] is stored as N rows; a Gemm transB weight is [N, K].
        b = w if packed.shape[0] == w.shape[1] else w.T
        k = b.shape[0]
        assert scales.shape == (b.shape[1], -(-k // group)), scales.shape
        bq = int4ref.dequantize(packed, scales, zeros, k, group)
        step = scales.astype(np.float32)[:, np.arange(k) // group].T
        err = np.abs(b - bq)
        half_step_ok = bool((err <= 0.5 * step * (1 + 1e-5)).all())
        rel = float(np.sqrt((err ** 2).sum() / (b ** 2).sum()))
        print(f"{name}: {b.shape[0]}x{b.shape[1]} rel_rms={rel:.4f} "
              f"half_step={'yes' if half_step_ok else 'no'}")
        if rel > max_rel:
            sys.exit(f"{name}: relative RMS error {rel} > {max_rel}")


if __name__ == "__main__":
    main(*sys.argv[1:])
