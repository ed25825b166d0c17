"""An independent numpy reading of ds's INT4 weights (docs/design/int4.md).

Used by tests and benchmarks to check the stored layout without the C++
code that wrote it: safetensors parsed by hand, nibbles unpacked, groups
expanded.
"""
import json
import struct

import numpy as np

_DTYPES = {"F32": np.float32, "F16": np.float16, "U8": np.uint8,
           "I64": np.int64, "I32": np.int32, "BF16": np.uint16}


def read_safetensors(path):
    """name -> numpy array (bf16 as raw uint16)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, t = e["data_offsets"]
        raw = data[8 + n + b:8 + n + t]
        out[name] = np.frombuffer(raw, _DTYPES[e["dtype"]]).reshape(e["shape"])
    return out


def dequantize(packed, scales, zeros, k, group_size):
    """The [K, N] float32 matrix of ds.dequantize_int4."""
    n = packed.shape[0]
    codes = np.empty((n, 2 * packed.shape[1]), np.int32)
    codes[:, 0::2] = packed & 0xF
    codes[:, 1::2] = packed >> 4
    codes = codes[:, :k]
    g = np.arange(k) // group_size
    s = scales.astype(np.float32)[:, g]
    z = 8 if zeros is None else zeros.astype(np.int32)[:, g]
    return ((codes - z).astype(np.float32) * s).T.copy()
