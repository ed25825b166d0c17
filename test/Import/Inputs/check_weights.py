"""Compares a safetensors file written by ds-import with the ONNX model.

    check_weights.py MODEL.onnx WEIGHTS.safetensors

Prints one line per tensor of the file, sorted by name:
    <name> <safetensors dtype> <shape> <same|DIFFERENT|not in model>
where `same` means the bytes equal the model's initializer or Constant value
(read by the onnx package, external data included).
"""

import json
import struct
import sys

import numpy as np
import onnx
from onnx import numpy_helper

DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64,
          "I32": np.int32, "BOOL": np.bool_}


def model_tensors(path):
    m = onnx.load(path)
    tensors = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    for n in m.graph.node:
        if n.op_type == "Constant":
            for a in n.attribute:
                if a.name == "value":
                    tensors[n.output[0]] = numpy_helper.to_array(a.t)
    return tensors


def main(model_path, weights_path):
    expected = model_tensors(model_path)
    data = open(weights_path, "rb").read()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_len])
    body = data[8 + header_len:]
    for name in sorted(k for k in header if k != "__metadata__"):
        entry = header[name]
        begin, end = entry["data_offsets"]
        array = np.frombuffer(body[begin:end], DTYPES[entry["dtype"]])
        array = array.reshape(entry["shape"])
        if name not in expected:
            verdict = "not in model"
        elif expected[name].shape == array.shape and \
                expected[name].tobytes() == array.tobytes():
            verdict = "same"
        else:
            verdict = "DIFFERENT"
        shape = "x".join(str(d) for d in entry["shape"])
        print(f"{name} {entry['dtype']} {shape} {verdict}")


if __name__ == "__main__":
    main(*sys.argv[1:])
