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
  let results = (outs DS_Tensor:$result);
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

def DS_NegOp : DS_UnaryOp<"neg", "y = -x">;
def DS_ExpOp : DS_UnaryOp<"exp", "y = exp(x)">;
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

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def DS_ReshapeOp : DS_Op<"reshape", [Pure]> {
  let summary = "reinterprets a tensor with another shape";
  let description = [{
    Row-major reshape: the elements keep their order. The target shape is the
    result type (dynamic targets are resolved by ds-static-shapes).

    Constraints:
    (C1) operand and result have the same element type.
    (C2) when both shapes are static, they have the same number of elements.

    ```mlir
    %y = ds.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
    ```
  }];
  let arguments = (ins DS_Tensor:$input);
  let results = (outs DS_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
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

#endif // DS_OPS_TD
