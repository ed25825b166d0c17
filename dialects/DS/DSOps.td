//===- DSOps.td - ds dialect operations --------------------*- tablegen -*-===//
//
// Verifier rules are numbered in each description ("(C1) ...") and the check
// implementing each is tagged in DSOps.cpp (`// matmul_c1`); the negative test
// in test/Dialect/DS/invalid.mlir is named after the tag.
//
//===----------------------------------------------------------------------===//

#ifndef DS_OPS_TD
#define DS_OPS_TD

include "dialects/DS/DSBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

//===----------------------------------------------------------------------===//
// Weights and constants
//===----------------------------------------------------------------------===//

def DS_WeightOp : DS_Op<"weight", [Pure]> {
  let summary = "named reference to a tensor of the external weights file";
  let description = [{
    Produces the tensor stored under `name` in the model's weights file (a
    safetensors file given to `ds-compile --weights`). The bytes never enter
    the IR; the compiler checks name, dtype and shape against the file when it
    packages the artifact.

    Constraints:
    (C1) `name` is not empty.
    (C2) the result shape is static.

    ```mlir
    %w = ds.weight "fc1.weight" : tensor<16x8xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name);
  // ui8: packed INT4 weights and zero points (ds.dequantize_int4).
  let results = (outs RankedTensorOf<[F32, F16, BF16, I64, I32, I1, UI8]>:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def DS_ConstantOp : DS_Op<"constant",
    [Pure, ConstantLike, DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "small inline constant tensor";
  let description = [{
    A tensor whose value is given inline, for small values (shapes, scalars,
    masks). Large tensors belong in the weights file (`ds.weight`).

    Constraints:
    (C1) the type of `value` equals the result type.

    ```mlir
    %c = ds.constant dense<[1.0, 2.0]> : tensor<2xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs DS_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

class DS_UnaryOp<string mnemonic, string formula, list<Trait> traits = []>
    : DS_Op<mnemonic, !listconcat(traits,
          [Pure, SameOperandsAndResultType, DS_UnaryElementwise])> {
  let summary = "elementwise " # formula;
  let description = [{
    Computes `}] # formula # [{` for every element. Operand and result have
    the same type (a float tensor).

    ```mlir
    %y = ds.}] # mnemonic # [{ %x : tensor<2x?xf32>
    ```
  }];
  let arguments = (ins DS_FloatTensor:$input);
  let results = (outs DS_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def DS_LogOp : DS_UnaryOp<"log", "y = log(x)">;
def DS_ReciprocalOp : DS_UnaryOp<"reciprocal", "y = 1 / x">;
def DS_HardSwishOp : DS_UnaryOp<"hard_swish", "y = x * max(0, min(1, x / 6 + 1 / 2))">;

class DS_NumericUnaryOp<string mnemonic, string formula>
    : DS_UnaryOp<mnemonic, formula> {
  let arguments = (ins DS_NumericTensor:$input);
  let results = (outs DS_NumericTensor:$result);
}

def DS_NegOp : DS_NumericUnaryOp<"neg", "y = -x">;
def DS_AbsOp : DS_NumericUnaryOp<"abs", "y = |x|">;
def DS_ExpOp : DS_UnaryOp<"exp", "y = exp(x)">;
def DS_CosOp : DS_UnaryOp<"cos", "y = cos(x)">;
def DS_SinOp : DS_UnaryOp<"sin", "y = sin(x)">;
def DS_SqrtOp : DS_UnaryOp<"sqrt", "y = sqrt(x)">;
def DS_RsqrtOp : DS_UnaryOp<"rsqrt", "y = 1 / sqrt(x)">;
def DS_TanhOp : DS_UnaryOp<"tanh", "y = tanh(x)">;
def DS_ErfOp : DS_UnaryOp<"erf", "y = erf(x)">;
def DS_ReluOp : DS_UnaryOp<"relu", "y = max(x, 0)">;
def DS_SigmoidOp : DS_UnaryOp<"sigmoid", "y = 1 / (1 + exp(-x))">;
def DS_SiluOp : DS_UnaryOp<"silu", "y = x * sigmoid(x)">;

def DS_GeluOp : DS_Op<"gelu",
    [Pure, SameOperandsAndResultType, DS_UnaryElementwise]> {
  let summary = "elementwise Gaussian error linear unit";
  let description = [{
    `approximate = "none"` computes `0.5 * x * (1 + erf(x / sqrt(2)))`;
    `approximate = "tanh"` computes
    `0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))` (ONNX Gelu-20).

    Constraints:
    (C1) `approximate` is "none" or "tanh".

    ```mlir
    %y = ds.gelu %x {approximate = "tanh"} : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins DS_FloatTensor:$input,
                   DefaultValuedStrAttr<StrAttr, "none">:$approximate);
  let results = (outs DS_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}


def DS_LeakyReluOp : DS_Op<"leaky_relu",
    [Pure, SameOperandsAndResultType, DS_UnaryElementwise]> {
  let summary = "elementwise leaky rectifier";
  let description = [{
    `y = x < 0 ? alpha * x : x` (ONNX LeakyRelu).

    ```mlir
    %y = ds.leaky_relu %x {alpha = 0.1 : f64} : tensor<4xf32>
    ```
  }];
  let arguments = (ins DS_FloatTensor:$input,
                   DefaultValuedAttr<F64Attr, "0.01">:$alpha);
  let results = (outs DS_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def DS_HardSigmoidOp : DS_Op<"hard_sigmoid",
    [Pure, SameOperandsAndResultType, DS_UnaryElementwise]> {
  let summary = "elementwise hard sigmoid";
  let description = [{
    `y = max(0, min(1, alpha * x + beta))` (ONNX HardSigmoid).

    ```mlir
    %y = ds.hard_sigmoid %x {alpha = 0.2 : f64, beta = 0.5 : f64} : tensor<4xf32>
    ```
  }];
  let arguments = (ins DS_FloatTensor:$input,
                   DefaultValuedAttr<F64Attr, "0.2">:$alpha,
                   DefaultValuedAttr<F64Attr, "0.5">:$beta);
  let results = (outs DS_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def DS_ClipOp : DS_Op<"clip",
    [Pure, SameOperandsAndResultType, DS_UnaryElementwise]> {
  let summary = "elementwise clamp to [min, max]";
  let description = [{
    `y = min(max(x, min), max)` (ONNX Clip with constant bounds; an absent
    bound is -inf or +inf).

    Constraints:
    (C1) `min <= max`.

    ```mlir
    %y = ds.clip %x {min = 0.0 : f64, max = 6.0 : f64} : tensor<4xf32>
    ```
  }];
  let arguments = (ins DS_NumericTensor:$input,
                   DefaultValuedAttr<F64Attr, "-std::numeric_limits<double>::infinity()">:$min,
                   DefaultValuedAttr<F64Attr, "std::numeric_limits<double>::infinity()">:$max);
  let results = (outs DS_NumericTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def DS_NotOp : DS_Op<"not",
    [Pure, SameOperandsAndResultType, DS_UnaryElementwise]> {
  let summary = "elementwise logical not";
  let description = [{
    ```mlir
    %y = ds.not %x : tensor<4xi1>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I1]>:$input);
  let results = (outs RankedTensorOf<[I1]>:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def DS_CastOp : DS_Op<"cast", [Pure, DS_UnaryElementwise]> {
  let summary = "elementwise conversion to the result element type";
  let description = [{
    Float to integer truncates toward zero; any type to i1 is `x != 0`; i1 to
    a number is 0 or 1 (ONNX Cast).

    Constraints:
    (C1) operand and result shapes are compatible.

    ```mlir
    %y = ds.cast %x : tensor<4xf32> -> tensor<4xi64>
    ```
  }];
  let arguments = (ins DS_Tensor:$input);
  let results = (outs DS_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops (numpy broadcasting)
//===----------------------------------------------------------------------===//

class DS_BinaryOp<string mnemonic, string formula, list<Trait> traits = []>
    : DS_Op<mnemonic, !listconcat(traits, [Pure, DS_BroadcastBinary])> {
  let summary = "elementwise " # formula # " with numpy broadcasting";
  let description = [{
    Computes `}] # formula # [{` elementwise after broadcasting both operands
    to a common shape with numpy rules (align trailing dims; a dim of 1
    stretches).

    Constraints:
    (C1) the operand shapes are broadcast-compatible.
    (C2) the result shape is the broadcast shape (a `?` is compatible with
         any size).
    (C3) both operands and the result have the same element type.

    ```mlir
    %z = ds.}] # mnemonic # [{ %x, %y : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins DS_NumericTensor:$lhs, DS_NumericTensor:$rhs);
  let results = (outs DS_NumericTensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def DS_AddOp : DS_BinaryOp<"add", "z = x + y", [Commutative]>;
def DS_SubOp : DS_BinaryOp<"sub", "z = x - y">;
def DS_MulOp : DS_BinaryOp<"mul", "z = x * y", [Commutative]>;
def DS_DivOp : DS_BinaryOp<"div", "z = x / y">;
def DS_MaxOp : DS_BinaryOp<"max", "z = max(x, y)", [Commutative]>;
def DS_MinOp : DS_BinaryOp<"min", "z = min(x, y)", [Commutative]>;

class DS_FloatBinaryOp<string mnemonic, string formula>
    : DS_BinaryOp<mnemonic, formula> {
  let arguments = (ins DS_FloatTensor:$lhs, DS_FloatTensor:$rhs);
  let results = (outs DS_FloatTensor:$result);
}
def DS_PowOp : DS_FloatBinaryOp<"pow", "z = pow(x, y)">;
def DS_PReluOp : DS_FloatBinaryOp<"prelu", "z = x < 0 ? y * x : x">;

/// Comparisons: numeric (or i1) operands of one type, i1 result.
class DS_CompareOp<string mnemonic, string formula, list<Trait> traits = []>
    : DS_BinaryOp<mnemonic, formula, !listconcat(traits, [DS_I1Result])> {
  let arguments = (ins DS_Tensor:$lhs, DS_Tensor:$rhs);
  let results = (outs RankedTensorOf<[I1]>:$result);
}
def DS_EqualOp : DS_CompareOp<"equal", "z = x == y", [Commutative]>;
def DS_LessOp : DS_CompareOp<"less", "z = x < y">;
def DS_LessEqualOp : DS_CompareOp<"less_equal", "z = x <= y">;
def DS_GreaterOp : DS_CompareOp<"greater", "z = x > y">;
def DS_GreaterEqualOp : DS_CompareOp<"greater_equal", "z = x >= y">;

class DS_LogicalOp<string mnemonic, string formula>
    : DS_BinaryOp<mnemonic, formula, [Commutative]> {
  let arguments = (ins RankedTensorOf<[I1]>:$lhs, RankedTensorOf<[I1]>:$rhs);
  let results = (outs RankedTensorOf<[I1]>:$result);
}
def DS_AndOp : DS_LogicalOp<"and", "z = x && y">;
def DS_OrOp : DS_LogicalOp<"or", "z = x || y">;
def DS_XorOp : DS_LogicalOp<"xor", "z = x != y">;

def DS_WhereOp : DS_Op<"where", [Pure]> {
  let summary = "elementwise select with numpy broadcasting";
  let description = [{
    `z = cond ? x : y`, all three operands broadcast together (ONNX Where).

    Constraints:
    (C1) the three shapes are broadcast-compatible.
    (C2) the result shape is the broadcast shape.
    (C3) `x`, `y` and the result have the same element type.

    ```mlir
    %z = ds.where %c, %x, %y : (tensor<4x1xi1>, tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I1]>:$condition, DS_Tensor:$lhs,
                   DS_Tensor:$rhs);
  let results = (outs DS_Tensor:$result);
  let assemblyFormat = [{
    $condition `,` $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Contractions and reductions
//===----------------------------------------------------------------------===//

def DS_MatmulOp : DS_Op<"matmul", [Pure]> {
  let summary = "batched matrix product with numpy semantics";
  let description = [{
    numpy `matmul` (ONNX MatMul): the last two dims are multiplied, leading
    (batch) dims broadcast. A 1-D lhs is treated as a row vector and a 1-D
    rhs as a column vector; the inserted dim is removed from the result.

    Constraints:
    (C1) both operands have rank >= 1.
    (C2) the contraction dims agree (lhs dim -1 equals rhs dim -2, or dim 0
         of a 1-D rhs).
    (C3) the batch dims are broadcast-compatible.
    (C4) the result shape is the inferred shape.
    (C5) operands and result have the same element type.

    ```mlir
    %y = ds.matmul %a, %b : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>
    ```
  }];
  let arguments = (ins DS_NumericTensor:$lhs, DS_NumericTensor:$rhs);
  let results = (outs DS_NumericTensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DS_DequantizeInt4Op : DS_Op<"dequantize_int4", [Pure]> {
  let summary = "group-wise INT4 weights to a float matmul rhs";
  let description = [{
    Expands weights quantized by `ds-quantize-int4` (docs/design/int4.md) to
    the float matrix `result` [K, N] a `ds.matmul` multiplies with: K is the
    reduction dim, cut into groups of `group_size` consecutive rows (the last
    group may be shorter). Storage is output-channel major, so the kernels
    read each output channel's weights contiguously:

    - `packed` [N, ceil(K/2)] ui8: byte `packed[n, k/2]` holds row k in its
      low nibble when k is even, in its high nibble when k is odd;
    - `scales` [N, ceil(K/group_size)] f16;
    - `zeros` [N, ceil(K/group_size)] ui8, values 0..15 (asymmetric
      quantization); absent for symmetric quantization, where the zero
      point is 8.

    `result[k, n] = (q - z) * s` with q the nibble of (n, k), s and z the
    scale and zero point of (n, k / group_size), computed in f32 and rounded
    once to the result element type. `ds-cuda` fuses it into the loads of the
    matmul that consumes it.

    Constraints:
    (C1) the result is 2-D [K, N]; `packed` is [N, ceil(K/2)].
    (C2) `scales` (and `zeros`) are [N, ceil(K/group_size)].
    (C3) `group_size` >= 2.

    ```mlir
    %w = ds.dequantize_int4 %packed, %scales {group_size = 128 : i64}
        : (tensor<64x128xui8>, tensor<64x2xf16>) -> tensor<256x64xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[UI8]>:$packed, RankedTensorOf<[F16]>:$scales,
                   Optional<RankedTensorOf<[UI8]>>:$zeros, I64Attr:$group_size);
  let results = (outs DS_FloatTensor:$result);
  let assemblyFormat = [{
    $packed `,` $scales (`,` $zeros^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def DS_SoftmaxOp : DS_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "softmax along one axis";
  let description = [{
    `y = exp(x - max(x)) / sum(exp(x - max(x)))` along `axis` (negative
    values count from the back, as in ONNX Softmax-13).

    Constraints:
    (C1) `-rank <= axis < rank`.

    ```mlir
    %y = ds.softmax %x {axis = -1 : i64} : tensor<4x10xf32>
    ```
  }];
  let arguments = (ins DS_FloatTensor:$input,
                   DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs DS_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The axis as written (may be negative).
    int64_t getSignedAxis() { return static_cast<int64_t>(getAxis()); }
    /// The axis in [0, rank).
    int64_t getNormalizedAxis() {
      int64_t rank = getInput().getType().getRank();
      return getSignedAxis() < 0 ? getSignedAxis() + rank : getSignedAxis();
    }
  }];
}


def DS_ConvOp : DS_Op<"conv", [Pure]> {
  let summary = "N-D convolution (NCHW) with groups, strides, pads, dilations";
  let description = [{
    ONNX Conv over `input` [N, C, D1..Dk] with `weight` [M, C/group, K1..Kk]
    and an optional `bias` [M]. `pads` holds the k begin pads then the k end
    pads. `auto_pad` (SAME_UPPER or SAME_LOWER) is kept only while the
    spatial dims are dynamic: the pads then follow ONNX's SAME formula from
    the input size, and ds-static-shapes writes them into `pads` and drops
    `auto_pad` once the dims are known.

    Constraints:
    (C1) input and weight have the same rank >= 3; bias, if present, is 1-D.
    (C2) `strides` and `dilations` have k entries >= 1, `pads` 2k entries >= 0.
    (C3) `group` >= 1 divides C and M, and weight dim 1 is C / group.
    (C4) the result shape is [N, M, O1..Ok] with
         Oi = floor((Di + pad_begin + pad_end - dil * (Ki - 1) - 1) / stride) + 1.
    (C5) all element types are equal (float).
    (C6) `auto_pad`, if present, is SAME_UPPER or SAME_LOWER.

    ```mlir
    %y = ds.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<1x16x8x8xf32>
    ```
  }];
  let arguments = (ins DS_FloatTensor:$input, DS_FloatTensor:$weight,
                   Optional<DS_FloatTensor>:$bias,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                   DenseI64ArrayAttr:$dilations,
                   DefaultValuedAttr<I64Attr, "1">:$group,
                   OptionalAttr<StrAttr>:$auto_pad);
  let results = (outs DS_FloatTensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DS_ConvTransposeOp : DS_Op<"conv_transpose", [Pure]> {
  let summary = "N-D transposed convolution (NCHW)";
  let description = [{
    ONNX ConvTranspose over `input` [N, C, D1..Dk] with `weight`
    [C, M/group, K1..Kk] and an optional `bias` [M]. The output size is
    `stride * (Di - 1) + output_padding + dil * (Ki - 1) + 1 - pad_begin -
    pad_end`. An explicit `output_shape` (spatial sizes) or `auto_pad`
    (SAME_UPPER/SAME_LOWER: output size `stride * Di`) is kept only while the
    spatial dims are dynamic; ds-static-shapes resolves them into `pads`.

    Constraints:
    (C1) input and weight have the same rank >= 3.
    (C2) `strides`, `dilations`, `output_padding` have k entries, `pads` 2k.
    (C3) `group` >= 1 divides C, and the weight's dim 0 is C.
    (C4) the result shape follows the formula above (M = group * weight dim 1).
    (C6) `auto_pad`, if present, is SAME_UPPER or SAME_LOWER; `output_shape`,
         if present, has k entries.

    ```mlir
    %y = ds.conv_transpose %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x11x11xf32>
    ```
  }];
  let arguments = (ins DS_FloatTensor:$input, DS_FloatTensor:$weight,
                   Optional<DS_FloatTensor>:$bias,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                   DenseI64ArrayAttr:$dilations,
                   DenseI64ArrayAttr:$output_padding,
                   DefaultValuedAttr<I64Attr, "1">:$group,
                   OptionalAttr<StrAttr>:$auto_pad,
                   OptionalAttr<DenseI64ArrayAttr>:$output_shape);
  let results = (outs DS_FloatTensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

class DS_PoolOp<string mnemonic, string what> : DS_Op<mnemonic, [Pure]> {
  let summary = what # " pooling over the spatial dims (NCHW)";
  let description = [{
    ONNX }] # what # [{Pool over `input` [N, C, D1..Dk]. `pads` holds the k
    begin pads then the k end pads. With `ceil_mode`, output sizes round up
    (a window starting in the end padding is dropped). `auto_pad`
    (SAME_UPPER/SAME_LOWER) is kept only while the spatial dims are dynamic,
    as for `ds.conv`.

    Constraints:
    (C1) the input has rank >= 3.
    (C2) `kernel_shape`, `strides` have k entries >= 1, `dilations` k entries
         >= 1 or none (all 1), `pads` 2k entries >= 0 and smaller than the
         kernel extent.
    (C3) the result shape is [N, C, O1..Ok] (ONNX formula).
    (C4) `auto_pad`, if present, is SAME_UPPER or SAME_LOWER.

    ```mlir
    %y = ds.}] # mnemonic # [{ %x {ceil_mode = 0 : i64, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
    ```
  }];
  let arguments = (ins DS_FloatTensor:$input,
                   DenseI64ArrayAttr:$kernel_shape, DenseI64ArrayAttr:$strides,
                   DenseI64ArrayAttr:$pads,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$dilations,
                   DefaultValuedAttr<I64Attr, "0">:$ceil_mode,
                   DefaultValuedAttr<I64Attr, "0">:$count_include_pad,
                   OptionalAttr<StrAttr>:$auto_pad);
  let results = (outs DS_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// `dilations`, with the empty default expanded to all ones.
    ::llvm::SmallVector<int64_t> getDilationsOrOnes() {
      ::llvm::SmallVector<int64_t> d(getDilations());
      if (d.empty())
        d.assign(getKernelShape().size(), 1);
      return d;
    }
  }];
}
def DS_MaxPoolOp : DS_PoolOp<"max_pool", "Max">;
def DS_AvgPoolOp : DS_PoolOp<"avg_pool", "Average">;

def DS_BatchNormOp : DS_Op<"batch_norm", [Pure]> {
  let summary = "inference-mode batch normalization";
  let description = [{
    `y = (x - mean) / sqrt(var + epsilon) * scale + bias` per channel (dim 1),
    ONNX BatchNormalization in inference mode.

    Constraints:
    (C1) `x` has rank >= 2; scale, bias, mean and var are 1-D of size C.
    (C2) the result has the element type of `x` and a compatible shape.

    ```mlir
    %y = ds.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-05 : f64} : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins DS_FloatTensor:$input, DS_FloatTensor:$scale,
                   DS_FloatTensor:$bias, DS_FloatTensor:$mean,
                   DS_FloatTensor:$variance,
                   DefaultValuedAttr<F64Attr, "1e-5">:$epsilon);
  let results = (outs DS_FloatTensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DS_LayerNormOp : DS_Op<"layer_norm", [Pure]> {
  let summary = "layer normalization over the trailing dims from `axis`";
  let description = [{
    Normalizes over dims [axis, rank): `y = (x - mean) / sqrt(var + epsilon)
    * scale + bias` (ONNX LayerNormalization; biased variance).

    Constraints:
    (C1) `0 <= axis < rank` (stored normalized).
    (C2) scale (and bias, if present) broadcast to the normalized dims.
    (C3) the result has the element type of `x` and a compatible shape.

    ```mlir
    %y = ds.layer_norm %x, %g, %b {axis = 2 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x5x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<2x5x16xf32>
    ```
  }];
  let arguments = (ins DS_FloatTensor:$input, DS_FloatTensor:$scale,
                   Optional<DS_FloatTensor>:$bias,
                   I64Attr:$axis,
                   DefaultValuedAttr<F64Attr, "1e-5">:$epsilon);
  let results = (outs DS_FloatTensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

class DS_ReduceOp<string mnemonic, string what, Type tensorType>
    : DS_Op<mnemonic, [Pure]> {
  let summary = what # " over `axes`";
  let description = [{
    ONNX Reduce}] # what # [{. `axes` is sorted and non-negative; empty means
    every dim. With `keepdims`, reduced dims stay as 1.

    Constraints:
    (C1) axes are unique and in [0, rank).
    (C2) the result shape drops (or sets to 1) the reduced dims.
    (C3) operand and result have the same element type.

    ```mlir
    %y = ds.}] # mnemonic # [{ %x {axes = array<i64: 1>, keepdims = 1 : i64} : tensor<2x8xf32> -> tensor<2x1xf32>
    ```
  }];
  let arguments = (ins tensorType:$input, DenseI64ArrayAttr:$axes,
                   DefaultValuedAttr<I64Attr, "1">:$keepdims);
  let results = (outs tensorType:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}
def DS_ReduceSumOp : DS_ReduceOp<"reduce_sum", "Sum", DS_NumericTensor>;
def DS_ReduceMeanOp : DS_ReduceOp<"reduce_mean", "Mean", DS_FloatTensor>;
def DS_ReduceMaxOp : DS_ReduceOp<"reduce_max", "Max", DS_NumericTensor>;
def DS_ReduceMinOp : DS_ReduceOp<"reduce_min", "Min", DS_NumericTensor>;
def DS_ReduceProdOp : DS_ReduceOp<"reduce_prod", "Prod", DS_NumericTensor>;

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def DS_ReshapeOp : DS_Op<"reshape", [Pure]> {
  let summary = "reinterprets a tensor with another shape";
  let description = [{
    Row-major reshape: the elements keep their order. Without `shape` the
    target is the (static) result type. With `shape` (a 1-D i64 tensor, as in
    ONNX Reshape) a 0 copies the input dim (unless `allowzero`) and one -1 is
    inferred; ds-static-shapes folds it away once the shape is known.

    Constraints:
    (C1) operand and result have the same element type.
    (C2) when both shapes are static, they have the same number of elements.
    (C3) `shape` is 1-D with as many entries as the result rank.

    ```mlir
    %y = ds.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
    %z = ds.reshape %x, %s : tensor<2x3x4xf32>, tensor<2xi64> -> tensor<?x4xf32>
    ```
  }];
  let arguments = (ins DS_Tensor:$input, Optional<RankedTensorOf<[I64]>>:$shape,
                   DefaultValuedAttr<I64Attr, "0">:$allowzero);
  let results = (outs DS_Tensor:$result);
  let assemblyFormat = [{
    $input (`,` $shape^)? attr-dict `:` type($input) (`,` type($shape)^)? `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def DS_FlattenOp : DS_Op<"flatten", [Pure]> {
  let summary = "flattens to 2-D at `axis`";
  let description = [{
    Result is [prod(dims < axis), prod(dims >= axis)] (ONNX Flatten).

    Constraints:
    (C1) `0 <= axis <= rank`.
    (C2) the result is 2-D with the products above (where static).

    ```mlir
    %y = ds.flatten %x {axis = 1 : i64} : tensor<2x3x4xf32> -> tensor<2x12xf32>
    ```
  }];
  let arguments = (ins DS_Tensor:$input, I64Attr:$axis);
  let results = (outs DS_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def DS_SqueezeOp : DS_Op<"squeeze", [Pure]> {
  let summary = "removes size-1 dims";
  let description = [{
    Removes the dims listed in `axes` (sorted, non-negative), which must be 1
    (ONNX Squeeze).

    Constraints:
    (C1) axes are unique, in [0, rank), and name dims that are 1 or `?`.
    (C2) the result shape is the input shape without those dims.

    ```mlir
    %y = ds.squeeze %x {axes = array<i64: 0, 2>} : tensor<1x3x1xf32> -> tensor<3xf32>
    ```
  }];
  let arguments = (ins DS_Tensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs DS_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def DS_UnsqueezeOp : DS_Op<"unsqueeze", [Pure]> {
  let summary = "inserts size-1 dims";
  let description = [{
    Inserts dims of size 1 at `axes` (positions in the result, sorted,
    non-negative), ONNX Unsqueeze.

    Constraints:
    (C1) axes are unique and in [0, result rank).
    (C2) the result shape is the input shape with 1s inserted at `axes`.

    ```mlir
    %y = ds.unsqueeze %x {axes = array<i64: 0>} : tensor<3xf32> -> tensor<1x3xf32>
    ```
  }];
  let arguments = (ins DS_Tensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs DS_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def DS_ConcatOp : DS_Op<"concat", [Pure]> {
  let summary = "concatenates tensors along `axis`";
  let description = [{
    ONNX Concat (axis stored non-negative).

    Constraints:
    (C1) at least one operand; all have the same rank and element type as the
         result.
    (C2) `0 <= axis < rank`; the other dims agree.
    (C3) the result's `axis` dim is the sum of the operands' (where static).

    ```mlir
    %y = ds.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
    ```
  }];
  let arguments = (ins Variadic<DS_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs DS_Tensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type($inputs, results)";
  let hasVerifier = 1;
}

def DS_SliceOp : DS_Op<"slice", [Pure]> {
  let summary = "strided slice (ONNX Slice)";
  let description = [{
    `starts`, `ends`, `axes` and `steps` are 1-D i64 tensors of equal length
    with ONNX Slice-13 semantics (negative values count from the back, ends
    clamp, negative steps walk backwards).

    Constraints:
    (C1) the four index operands are 1-D of the same (static) length.
    (C2) operand and result have the same rank and element type.

    ```mlir
    %y = ds.slice %x, %starts, %ends, %axes, %steps : (tensor<4x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<4x2xf32>
    ```
  }];
  let arguments = (ins DS_Tensor:$input, RankedTensorOf<[I64]>:$starts,
                   RankedTensorOf<[I64]>:$ends, RankedTensorOf<[I64]>:$axes,
                   RankedTensorOf<[I64]>:$steps);
  let results = (outs DS_Tensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DS_GatherOp : DS_Op<"gather", [Pure]> {
  let summary = "gathers slices along `axis` (ONNX Gather)";
  let description = [{
    Result shape: data.shape[:axis] + indices.shape + data.shape[axis+1:].
    Negative indices count from the back.

    Constraints:
    (C1) `0 <= axis < rank(data)`.
    (C2) the result shape is as above and its element type is data's.

    ```mlir
    %y = ds.gather %emb, %ids {axis = 0 : i64} : (tensor<100x16xf32>, tensor<2x5xi64>) -> tensor<2x5x16xf32>
    ```
  }];
  let arguments = (ins DS_Tensor:$data, RankedTensorOf<[I64, I32]>:$indices,
                   I64Attr:$axis);
  let results = (outs DS_Tensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DS_ExpandOp : DS_Op<"expand", [Pure]> {
  let summary = "broadcasts to a shape (ONNX Expand)";
  let description = [{
    Broadcasts `input` with `shape` (a 1-D i64 tensor) under numpy rules.

    Constraints:
    (C1) `shape` is 1-D; operand and result have the same element type.
    (C2) the input broadcasts to the result shape.

    ```mlir
    %y = ds.expand %x, %s : (tensor<3x1xf32>, tensor<2xi64>) -> tensor<3x4xf32>
    ```
  }];
  let arguments = (ins DS_Tensor:$input, RankedTensorOf<[I64]>:$shape);
  let results = (outs DS_Tensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DS_TileOp : DS_Op<"tile", [Pure]> {
  let summary = "repeats a tensor along each dim (ONNX Tile)";
  let description = [{
    Constraints:
    (C1) `repeats` is 1-D i64 with one entry per input dim.
    (C2) operand and result have the same rank and element type.

    ```mlir
    %y = ds.tile %x, %r : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins DS_Tensor:$input, RankedTensorOf<[I64]>:$repeats);
  let results = (outs DS_Tensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DS_PadOp : DS_Op<"pad", [Pure]> {
  let summary = "pads a tensor (ONNX Pad)";
  let description = [{
    `pads` (1-D i64, 2*rank entries: all begins then all ends; negative values
    crop) with `mode` "constant" (fill with `constant_value`, default 0),
    "reflect" or "edge".

    Constraints:
    (C1) `mode` is one of the three.
    (C2) `pads` is 1-D; `constant_value`, if present, is a scalar of the
         input's element type.
    (C3) operand and result have the same rank and element type.

    ```mlir
    %y = ds.pad %x, %p {mode = "reflect"} : (tensor<1x3x8x8xf32>, tensor<8xi64>) -> tensor<1x3x10x10xf32>
    ```
  }];
  let arguments = (ins DS_Tensor:$input, RankedTensorOf<[I64]>:$pads,
                   Optional<DS_Tensor>:$constant_value,
                   DefaultValuedStrAttr<StrAttr, "constant">:$mode);
  let results = (outs DS_Tensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DS_ResizeOp : DS_Op<"resize", [Pure, AttrSizedOperandSegments]> {
  let summary = "resizes the spatial dims (ONNX Resize)";
  let description = [{
    Nearest or (multi-)linear interpolation with ONNX's coordinate
    transformation and nearest rounding modes; the output size comes from
    `sizes`, else `floor(input * scales)`.

    Constraints:
    (C1) exactly one of `scales` (f32) and `sizes` (i64) is present, 1-D.
    (C2) `mode`, `coordinate_transformation_mode` and `nearest_mode` take the
         values listed in docs/design/ops.md.
    (C3) operand and result have the same rank and element type.

    ```mlir
    %y = ds.resize %x scales(%s : tensor<4xf32>) {mode = "nearest"} : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
    ```
  }];
  let arguments = (ins DS_FloatTensor:$input,
                   Optional<RankedTensorOf<[F32]>>:$scales,
                   Optional<RankedTensorOf<[I64]>>:$sizes,
                   DefaultValuedStrAttr<StrAttr, "nearest">:$mode,
                   DefaultValuedStrAttr<StrAttr, "half_pixel">:$coordinate_transformation_mode,
                   DefaultValuedStrAttr<StrAttr, "round_prefer_floor">:$nearest_mode);
  let results = (outs DS_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`scales` `(` $scales^ `:` type($scales) `)`)?
    (`sizes` `(` $sizes^ `:` type($sizes) `)`)? attr-dict `:` type($input)
    `->` type($result)
  }];
  let hasVerifier = 1;
}

def DS_ShapeOp : DS_Op<"shape", [Pure]> {
  let summary = "the shape of a tensor as a 1-D i64 tensor (ONNX Shape)";
  let description = [{
    Dims [start, end) of the operand's shape (normalized, end exclusive).

    Constraints:
    (C1) `0 <= start <= end <= rank`.
    (C2) the result is tensor<(end - start)xi64>.

    ```mlir
    %s = ds.shape %x {end = 2 : i64, start = 0 : i64} : tensor<?x16xf32> -> tensor<2xi64>
    ```
  }];
  let arguments = (ins DS_Tensor:$input, I64Attr:$start, I64Attr:$end);
  let results = (outs RankedTensorOf<[I64]>:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def DS_ConstantOfShapeOp : DS_Op<"constant_of_shape", [Pure]> {
  let summary = "a tensor of the given shape filled with one value";
  let description = [{
    ONNX ConstantOfShape: `value` is a one-element tensor whose element type
    is the result's.

    Constraints:
    (C1) `shape` is 1-D with as many entries as the result rank.
    (C2) `value` has one element of the result element type.

    ```mlir
    %y = ds.constant_of_shape %s {value = dense<0.0> : tensor<1xf32>} : tensor<2xi64> -> tensor<?x4xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I64]>:$shape, ElementsAttr:$value);
  let results = (outs DS_Tensor:$result);
  let assemblyFormat = "$shape attr-dict `:` type($shape) `->` type($result)";
  let hasVerifier = 1;
}

def DS_RangeOp : DS_Op<"range", [Pure]> {
  let summary = "an arithmetic sequence (ONNX Range)";
  let description = [{
    `[start, start + delta, ...)` up to `limit` (exclusive); operands are
    scalars of the result element type.

    Constraints:
    (C1) the three operands are 0-D tensors of the result element type.
    (C2) the result is 1-D.

    ```mlir
    %y = ds.range %a, %b, %c : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
    ```
  }];
  let arguments = (ins DS_NumericTensor:$start, DS_NumericTensor:$limit,
                   DS_NumericTensor:$delta);
  let results = (outs DS_NumericTensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DS_TriluOp : DS_Op<"trilu", [Pure]> {
  let summary = "upper or lower triangle of the last two dims (ONNX Trilu)";
  let description = [{
    Keeps elements on and above (`upper`) or on and below the `k`-th diagonal
    of the last two dims and zeroes the rest.

    Constraints:
    (C1) the input has rank >= 2; `k`, if present, is a 0-D i64 tensor.
    (C2) the result has the input element type and a compatible shape.

    ```mlir
    %y = ds.trilu %x {upper = 1 : i64} : (tensor<4x4xf32>) -> tensor<4x4xf32>
    ```
  }];
  let arguments = (ins DS_Tensor:$input, Optional<RankedTensorOf<[I64]>>:$k,
                   DefaultValuedAttr<I64Attr, "1">:$upper);
  let results = (outs DS_Tensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DS_TransposeOp : DS_Op<"transpose", [Pure]> {
  let summary = "permutes the dims of a tensor";
  let description = [{
    Result dim `i` is operand dim `perm[i]` (ONNX Transpose).

    Constraints:
    (C1) `perm` is a permutation of `[0, rank)`.
    (C2) the result shape is the permuted operand shape.
    (C3) operand and result have the same element type.

    ```mlir
    %y = ds.transpose %x, perm = [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
    ```
  }];
  let arguments = (ins DS_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs DS_Tensor:$result);
  let assemblyFormat = [{
    $input `,` `perm` `=` $perm attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Fusion regions
//===----------------------------------------------------------------------===//

def DS_FusionOp : DS_Op<"fusion", [IsolatedFromAbove, SingleBlock,
    RecursiveMemoryEffects]> {
  let summary = "a group of ds ops that becomes exactly one kernel";
  let description = [{
    Produced by `ds-fuse`: the ops of the body are computed by one kernel.
    The body is isolated from above: its block arguments are the `inputs`
    (the only buffers the kernel reads), the operands of its `ds.yield` are
    the results (the only buffers it writes). Values inside the body live in
    registers or shared memory, never in device memory. Small `ds.constant`s
    the body needs are cloned into it (they are compiled into the kernel
    source).

    `kind` names the kernel template (docs/design/fusion.md):
    - `"elementwise"`: elementwise and broadcast ops, views, transposes and
      expands, one loop over the iteration space of the results;
    - `"matmul"`: one `ds.matmul` with transposes/views of its operands
      absorbed into its loads and an elementwise epilogue;
    - `"conv"`: one `ds.conv` or `ds.conv_transpose` with an elementwise
      epilogue;
    - `"reduction"`: reductions over the same trailing dims with their
      elementwise prologue and epilogue, one block per row.

    Constraints:
    (C1) the entry block's argument types equal the input types.
    (C2) the `ds.yield` operand types equal the result types.
    (C3) the body holds only ds ops other than `ds.fusion` and `ds.weight`.
    (C4) `kind` is one of the kinds above; a `"matmul"` body holds exactly
         one `ds.matmul`, a `"conv"` body exactly one `ds.conv` or
         `ds.conv_transpose`, a `"reduction"` body at least one reduction.
    (C5) every yielded value is the result of an op of the body (not a
         block argument) and is yielded once.

    ```mlir
    %r:2 = ds.fusion "elementwise" (%a, %b) : (tensor<4xf32>, tensor<4xf32>)
        -> (tensor<4xf32>, tensor<4xf32>) {
    ^bb0(%x: tensor<4xf32>, %y: tensor<4xf32>):
      %s = ds.add %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
      %t = ds.relu %s : tensor<4xf32>
      ds.yield %s, %t : tensor<4xf32>, tensor<4xf32>
    }
    ```
  }];
  let arguments = (ins StrAttr:$kind, Variadic<DS_Tensor>:$inputs);
  let results = (outs Variadic<DS_Tensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $kind `(` $inputs `)` attr-dict `:` functional-type($inputs, $results)
    $body
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The terminator of the body.
    YieldOp getYield();
  }];
}

def DS_YieldOp : DS_Op<"yield", [Pure, Terminator,
    HasParent<"FusionOp">]> {
  let summary = "results of a fusion region";
  let description = [{
    Terminates the body of a `ds.fusion`; its operands become the fusion's
    results.

    ```mlir
    ds.yield %s, %t : tensor<4xf32>, tensor<4xf32>
    ```
  }];
  let arguments = (ins Variadic<DS_Tensor>:$values);
  let assemblyFormat = "$values attr-dict `:` type($values)";
}

#endif // DS_OPS_TD
