"""Writes small ONNX models for the ds-import tests.

    gen_model.py NAME OUT.onnx

Weights come from a seeded generator, so every run writes the same bytes.
Models that must be invalid are built without the ONNX checker.
"""

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F = TensorProto.FLOAT
I64 = TensorProto.INT64
N = helper.make_node
rng = np.random.default_rng(0)


def weight(name, *shape, dtype=np.float32):
    return numpy_helper.from_array(rng.standard_normal(shape).astype(dtype), name)


def ints(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def floats(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.float32), name)


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def model(nodes, inputs, outputs, inits=(), opset=13, check=True):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                          producer_name="ds-tests")
    m.ir_version = 8
    if check:
        onnx.checker.check_model(m)
    return m


#===------------------------------------------------------------------------===#
# Models that import
#===------------------------------------------------------------------------===#

def mlp():
    """Gemm with transB and bias; Gemm with alpha/beta; Softmax-13."""
    return model([
        N("Gemm", ["x", "fc1.weight", "fc1.bias"], ["h"], name="fc1", transB=1),
        N("Relu", ["h"], ["r"], name="relu"),
        N("Gemm", ["r", "fc2.weight", "fc2.bias"], ["y"], name="fc2",
          alpha=0.5, beta=2.0),
        N("Softmax", ["y"], ["probs"], name="softmax", axis=-1),
    ], [vi("x", F, ["batch", 8])], [vi("probs", F, ["batch", 10])], [
        weight("fc1.weight", 16, 8), weight("fc1.bias", 16),
        weight("fc2.weight", 16, 10), weight("fc2.bias", 10),
    ])


def cnn():
    """Conv (SAME_UPPER, stride 2) + BatchNormalization + Relu + MaxPool
    (explicit pads) + GlobalAveragePool + Flatten + Gemm, opset 11."""
    return model([
        N("Conv", ["x", "conv.weight", "conv.bias"], ["c"], name="conv",
          auto_pad="SAME_UPPER", strides=[2, 2], kernel_shape=[3, 3]),
        N("BatchNormalization", ["c", "bn.scale", "bn.bias", "bn.mean", "bn.var"],
          ["b"], name="bn", epsilon=1e-3),
        N("Relu", ["b"], ["r"], name="relu"),
        N("MaxPool", ["r"], ["p"], name="pool", kernel_shape=[2, 2],
          strides=[2, 2], pads=[0, 0, 1, 1]),
        N("GlobalAveragePool", ["p"], ["g"], name="gap"),
        N("Flatten", ["g"], ["f"], name="flatten"),
        N("Gemm", ["f", "fc.weight"], ["logits"], name="fc", transB=1),
    ], [vi("x", F, [1, 3, 15, 15])], [vi("logits", F, [1, 10])], [
        weight("conv.weight", 8, 3, 3, 3), weight("conv.bias", 8),
        weight("bn.scale", 8), weight("bn.bias", 8), weight("bn.mean", 8),
        numpy_helper.from_array(np.abs(rng.standard_normal(8)).astype(np.float32),
                                "bn.var"),
        weight("fc.weight", 10, 8),
    ], opset=11)


def transformer():
    """LayerNorm, MatMul, Reshape/Transpose into heads, scaled Softmax,
    symbolic batch and sequence dims, opset 17."""
    d, h = 16, 2
    return model([
        N("LayerNormalization", ["x", "ln.scale", "ln.bias"], ["ln"],
          name="ln", axis=-1, epsilon=1e-6),
        N("MatMul", ["ln", "q.weight"], ["q"], name="q_proj"),
        N("MatMul", ["ln", "k.weight"], ["k"], name="k_proj"),
        N("Reshape", ["q", "heads"], ["qh"], name="q_reshape"),
        N("Reshape", ["k", "heads"], ["kh"], name="k_reshape"),
        N("Transpose", ["qh"], ["qt"], name="q_transpose", perm=[0, 2, 1, 3]),
        N("Transpose", ["kh"], ["kt"], name="k_transpose", perm=[0, 2, 3, 1]),
        N("MatMul", ["qt", "kt"], ["scores"], name="scores"),
        N("Mul", ["scores", "scale"], ["scaled"], name="scale"),
        N("Softmax", ["scaled"], ["attn"], name="softmax", axis=-1),
    ], [vi("x", F, ["batch", "seq", d])], [vi("attn", F, ["batch", h, "seq", "seq"])], [
        weight("ln.scale", d), weight("ln.bias", d),
        weight("q.weight", d, d), weight("k.weight", d, d),
        ints("heads", [0, -1, h, d // h]), floats("scale", 0.5),
    ], opset=17)


def _split_squeeze(opset):
    """Split into two parts, Squeeze and Unsqueeze them (attribute forms
    before opset 13, input forms from 13)."""
    new = opset >= 13
    axes_in = lambda name: [name] if new else []
    axes_attr = lambda v: {} if new else {"axes": v}
    split = {} if new else {"split": [1, 2]}
    nodes = [
        N("Split", ["x"] + (["split"] if new else []), ["a", "b"], name="split",
          axis=1, **split),
        N("Squeeze", ["a"] + axes_in("sq_axes"), ["sa"], name="squeeze",
          **axes_attr([1])),
        N("Unsqueeze", ["sa"] + axes_in("unsq_axes"), ["ua"], name="unsqueeze",
          **axes_attr([0, -1])),
        N("Split", ["x"], ["c0", "c1", "c2"], name="split_equal", axis=-1),
    ]
    inits = [ints("split", [1, 2]), ints("sq_axes", [-2]),
             ints("unsq_axes", [0, -1])] if new else []
    return model(nodes, [vi("x", F, [2, 3, 6])],
                 [vi("ua", F, [1, 2, 6, 1]), vi("b", F, [2, 2, 6]),
                  vi("c2", F, [2, 3, 2])], inits, opset=opset)


def split_squeeze_11():
    return _split_squeeze(11)


def split_squeeze_13():
    return _split_squeeze(13)


def slice_9():
    """Slice-1 attributes become constants."""
    return model([N("Slice", ["x"], ["y"], name="slice", starts=[1, 0],
                    ends=[3, 100], axes=[0, -1])],
                 [vi("x", F, [4, 5])], [vi("y", F, [2, 5])], opset=9)


def slice_13():
    """Slice-10+ inputs: negative constant axes are normalized, steps and
    computed starts pass through."""
    return model([
        N("Shape", ["x"], ["shape"], name="shape", ),
        N("Gather", ["shape", "zero"], ["n"], name="dim0", axis=0),
        N("Sub", ["n", "one"], ["last"], name="last"),
        N("Slice", ["x", "last", "big", "axes", "steps"], ["y"], name="slice"),
        N("Slice", ["x", "starts32", "ends32"], ["z"], name="slice_i32"),
    ], [vi("x", F, [4, 6])], [vi("y", F, [None, 6]), vi("z", F, [2, 6])], [
        ints("zero", [0]), ints("one", [1]), ints("big", [100]),
        ints("axes", [-2]), ints("steps", [1]),
        numpy_helper.from_array(np.array([1], np.int32), "starts32"),
        numpy_helper.from_array(np.array([3], np.int32), "ends32"),
    ])


def resize():
    """Resize-13 with scales (roi and sizes absent), with sizes (empty
    scales), and Resize-10's form (opset 13 keeps it valid only as Resize-13,
    so the old form lives in resize_10)."""
    return model([
        N("Resize", ["x", "", "scales"], ["up"], name="by_scales",
          mode="nearest", coordinate_transformation_mode="asymmetric",
          nearest_mode="floor"),
        N("Resize", ["x", "roi", "no_scales", "sizes"], ["sized"], name="by_sizes",
          mode="linear"),
    ], [vi("x", F, [1, 2, 4, 4])],
        [vi("up", F, [1, 2, 8, 8]), vi("sized", F, [1, 2, 6, 6])], [
        floats("scales", [1, 1, 2, 2]), floats("roi", []),
        floats("no_scales", []), ints("sizes", [1, 2, 6, 6]),
    ])


def resize_10():
    return model([N("Resize", ["x", "scales"], ["y"], name="resize", mode="linear")],
                 [vi("x", F, [1, 1, 2, 2])], [vi("y", F, [1, 1, 4, 4])],
                 [floats("scales", [1, 1, 2, 2])], opset=10)


def upsample_9():
    return model([N("Upsample", ["x", "scales"], ["y"], name="upsample")],
                 [vi("x", F, [1, 1, 2, 2])], [vi("y", F, [1, 1, 4, 6])],
                 [floats("scales", [1, 1, 2, 3])], opset=9)


def pad_10():
    """Pad-2 attributes become constants."""
    return model([N("Pad", ["x"], ["y"], name="pad", pads=[0, 1, 0, 2],
                    mode="constant", value=1.5)],
                 [vi("x", F, [2, 3])], [vi("y", F, [2, 6])], opset=10)


def pad_13():
    return model([
        N("Pad", ["x", "pads", "value"], ["y"], name="pad"),
        N("Pad", ["x", "pads"], ["z"], name="pad_reflect", mode="reflect"),
    ], [vi("x", F, [2, 3])], [vi("y", F, [2, 6]), vi("z", F, [2, 6])],
        [ints("pads", [0, 1, 0, 2]), floats("value", 1.5)])


def misc():
    """A bit of everything else in docs/design/ops.md, opset 15."""
    x = vi("x", F, [2, 3])
    return model([
        N("Clip", ["x", "lo", "hi"], ["clip"], name="clip_const"),
        N("Clip", ["x", "x_min"], ["clip_dyn"], name="clip_dyn"),
        N("Max", ["x", "clip", "clip_dyn"], ["max"], name="max3"),
        N("Mean", ["x", "max"], ["mean"], name="mean2"),
        N("Pow", ["mean", "two"], ["pow"], name="pow"),
        N("LeakyRelu", ["pow"], ["lrelu"], name="lrelu", alpha=0.2),
        N("HardSigmoid", ["lrelu"], ["hsig"], name="hsig"),
        N("HardSwish", ["hsig"], ["hswish"], name="hswish"),
        N("PRelu", ["hswish", "slope"], ["prelu"], name="prelu"),
        N("Greater", ["prelu", "x"], ["gt"], name="gt"),
        N("Not", ["gt"], ["ngt"], name="not"),
        N("Where", ["ngt", "x", "prelu"], ["where"], name="where"),
        N("Cast", ["where"], ["cast"], name="cast", to=TensorProto.FLOAT16),
        N("Shape", ["x"], ["shape_tail"], name="shape_tail", start=-1),
        N("ConstantOfShape", ["shape_tail"], ["zeros"], name="cos",
          value=helper.make_tensor("v", TensorProto.INT64, [1], [7])),
        N("Range", ["r0", "r1", "r2"], ["range"], name="range"),
        N("Trilu", ["x", "k"], ["tri"], name="tri", upper=0),
        N("Expand", ["x", "eshape"], ["expanded"], name="expand"),
        N("Tile", ["x", "reps"], ["tiled"], name="tile"),
        N("Concat", ["x", "x"], ["cat"], name="cat", axis=-1),
        N("Gather", ["cat", "idx"], ["gathered"], name="gather", axis=-1),
        N("ReduceSum", ["gathered", "rs_axes"], ["rsum"], name="rsum", keepdims=0),
        N("ReduceMean", ["x"], ["rmean"], name="rmean", axes=[-1, 0]),
        N("Dropout", ["rmean"], ["drop"], name="drop"),
        N("Identity", ["drop"], ["ident"], name="ident"),
        N("Constant", [], ["cvals"], name="cvals", value_floats=[1.0, 2.0, 3.0]),
        N("Add", ["x", "cvals"], ["addc"], name="addc"),
        N("Softmax", ["expanded"], ["sm_old"], name="sm"),
    ], [x, vi("x_min", F, [])], [
        vi("cast", TensorProto.FLOAT16, [2, 3]), vi("zeros", I64, [3]),
        vi("range", F, [4]), vi("tri", F, [2, 3]), vi("tiled", F, [4, 9]),
        vi("rsum", F, [2]), vi("ident", F, [1, 1]), vi("addc", F, [2, 3]),
        vi("sm_old", F, [4, 2, 3]),
    ], [
        floats("lo", -1.0), floats("hi", 1.0), floats("two", 2.0),
        floats("slope", [0.1]), ints("k", 1),
        floats("r0", 0.0), floats("r1", 2.0), floats("r2", 0.5),
        ints("eshape", [4, 2, 3]), ints("reps", [2, 3]), ints("idx", [0, 5]),
        ints("rs_axes", [1]),
    ], opset=15)


def softmax_11():
    """Softmax-11 over the dims from axis 1 on: flatten, softmax, reshape."""
    return model([N("Softmax", ["x"], ["y"], name="sm"),
                  N("Softmax", ["x"], ["z"], name="sm_last", axis=2)],
                 [vi("x", F, ["n", 3, 4])],
                 [vi("y", F, ["n", 3, 4]), vi("z", F, ["n", 3, 4])], opset=11)


def conv_transpose():
    """ConvTranspose with output_shape: pads are derived."""
    return model([
        N("ConvTranspose", ["x", "w"], ["y"], name="deconv", strides=[2, 2],
          output_shape=[10, 10]),
        N("AveragePool", ["y"], ["p"], name="avg", kernel_shape=[3, 3],
          auto_pad="SAME_LOWER", count_include_pad=1),
    ], [vi("x", F, [1, 2, 5, 5])], [vi("p", F, [1, 4, 10, 10])],
        [weight("w", 2, 4, 3, 3)])


def big_constant():
    """A Constant node large enough to become a weight, and a small initializer
    that stays inline; a 2-D integer initializer above the limit."""
    value = numpy_helper.from_array(
        np.arange(100, dtype=np.float32).reshape(10, 10), "c")
    return model([
        N("Constant", [], ["big"], name="const_big", value=value),
        N("Add", ["x", "big"], ["y"], name="add"),
        N("Gather", ["y", "table"], ["z"], name="gather", axis=0),
    ], [vi("x", F, [10, 10])], [vi("z", F, [9, 9, 10])],
        [numpy_helper.from_array(np.arange(81, dtype=np.int64).reshape(9, 9) % 10,
                                 "table")])


def computed_reshape():
    """The shape of a Reshape computed from Shape/Slice/Cast/Concat (as
    paddle2onnx writes it, opset 9): ONNX 1.12 infers its length but not its
    values, and would leave the result and everything after it unranked."""
    I32 = TensorProto.INT32
    return model([
        N("Shape", ["x"], ["s"], name="shape"),
        N("Cast", ["s"], ["s32"], name="to_i32", to=I32),
        N("Slice", ["s32"], ["n32"], name="batch", starts=[0], ends=[1], axes=[0]),
        N("Cast", ["n32"], ["n"], name="to_i64", to=I64),
        N("Constant", [], ["minus_one"], name="minus_one",
          value=numpy_helper.from_array(np.array([-1], np.int64))),
        N("Concat", ["n", "minus_one"], ["target"], name="target", axis=0),
        N("Reshape", ["x", "target"], ["flat"], name="reshape"),
        N("MatMul", ["flat", "w"], ["y"], name="fc"),
    ], [vi("x", F, ["n", 4, 1, 1])], [vi("y", F, ["n", 3])], [weight("w", 4, 3)],
        opset=9)


def external_data():
    """The MLP, with its weights stored in a separate file."""
    return mlp()


def float16_weights():
    """A float16 weight stored in int32_data (not raw_data)."""
    w = helper.make_tensor("w", TensorProto.FLOAT16, [8, 9],
                           np.arange(72, dtype=np.float16).view(np.uint16).tolist())
    return model([N("MatMul", ["x", "w"], ["y"], name="mm")],
                 [vi("x", TensorProto.FLOAT16, [2, 8])],
                 [vi("y", TensorProto.FLOAT16, [2, 9])], [w])


#===------------------------------------------------------------------------===#
# Models that must fail
#===------------------------------------------------------------------------===#

def opset_18():
    return model([N("Relu", ["x"], ["y"], name="relu")], [vi("x", F, [2])],
                 [vi("y", F, [2])], opset=18, check=False)


def opset_6():
    return model([N("Relu", ["x"], ["y"], name="relu")], [vi("x", F, [2])],
                 [vi("y", F, [2])], opset=6, check=False)


def undefined_input():
    return model([N("Add", ["x", "nowhere"], ["y"], name="add_missing")],
                 [vi("x", F, [2])], [vi("y", F, [2])], check=False)


def unsupported_ops():
    m = model([
        N("Acos", ["x"], ["a"], name="acos_1"),
        N("NonZero", ["a"], ["nz"], name="nz"),
        N("Acos", ["a"], ["b"], name="acos_2"),
        N("Relu", ["b"], ["c"], name="relu"),
        N("Custom", ["c"], ["d"], name="custom", domain="com.example"),
    ], [vi("x", F, [4])], [vi("nz", I64, [1, None]), vi("d", F, [4])],
        check=False)
    m.opset_import.append(helper.make_opsetid("com.example", 1))
    return m


def int_relu():
    I32 = TensorProto.INT32
    return model([N("Abs", ["x"], ["a"], name="abs"),
                  N("Relu", ["a"], ["y"], name="relu")],
                 [vi("x", I32, [4])], [vi("y", I32, [4])], opset=14)


def unsupported_dtype():
    return model([N("Cast", ["x"], ["d"], name="to_double", to=TensorProto.DOUBLE),
                  N("Relu", ["d"], ["y"], name="relu")],
                 [vi("x", F, [2])], [vi("y", TensorProto.DOUBLE, [2])])


def double_input():
    return model([N("Relu", ["x"], ["y"], name="relu")],
                 [vi("x", TensorProto.DOUBLE, [2])], [vi("y", TensorProto.DOUBLE, [2])])


def shape_contradiction():
    return model([N("Add", ["x", "w"], ["y"], name="bad_add")],
                 [vi("x", F, [2, 3])], [vi("y", F, [2, 3])],
                 [weight("w", 4, 5)], check=False)


def unknown_rank():
    """Reshape to a shape of unknown length: the result rank is unknown."""
    return model([N("Reshape", ["x", "shape"], ["y"], name="reshape"),
                  N("Shape", ["y"], ["s"], name="shape_of")],
                 [vi("x", F, [2, 3]), vi("shape", I64, [None])],
                 [vi("s", I64, [None])])


def dropout_mask():
    return model([N("Dropout", ["x"], ["y", "mask"], name="drop")],
                 [vi("x", F, [2])], [vi("y", F, [2]), vi("mask", TensorProto.BOOL, [2])])


MODELS = {name: fn for name, fn in list(globals().items())
          if callable(fn) and getattr(fn, "__module__", "") == "__main__"
          and not name.startswith("_")
          and name not in ("weight", "ints", "floats", "vi", "model")}

if __name__ == "__main__":
    name, out = sys.argv[1], sys.argv[2]
    m = MODELS[name]()
    if name == "external_data":
        import os
        onnx.save_model(m, out, save_as_external_data=True,
                        all_tensors_to_one_file=True,
                        location=os.path.basename(out) + ".data",
                        size_threshold=0)
    else:
        onnx.save(m, out)
