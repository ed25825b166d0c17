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


def write_safetensors(path, tensors):
    """Writes {name: numpy array} (f32, f16, u8) as a safetensors file."""
    names = {np.dtype(np.float32): "F32", np.dtype(np.float16): "F16",
             np.dtype(np.uint8): "U8"}
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name])
        data = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": names[a.dtype], "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), sort_keys=True).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
