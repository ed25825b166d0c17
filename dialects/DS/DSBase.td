//===- DSBase.td - ds dialect base definitions -------------*- tablegen -*-===//
//
// The ds dialect: a graph-level IR for neural-network inference. Values are
// ranked tensors; weights are named references into an external file.
//
//===----------------------------------------------------------------------===//

#ifndef DS_BASE_TD
#define DS_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def DS_Dialect : Dialect {
  let name = "ds";
  let cppNamespace = "::mlir::ds";
  let summary = "Graph-level dialect of the ds inference compiler";
  let description = [{
    The `ds` dialect models a trained neural network as a dataflow graph of
    tensor operations inside a `func.func`. Every value is a ranked tensor
    whose dims are static or dynamic (`?`); element types are f32, f16, bf16,
    i64, i32 and i1. Weights never live in the IR: `ds.weight` names a tensor
    of an external safetensors file, so the IR of a 100B-parameter model stays
    a few megabytes. Elementwise binary ops follow numpy broadcasting.
  }];
  let hasConstantMaterializer = 1;
  let useDefaultAttributePrinterParser = 0;
  let useDefaultTypePrinterParser = 0;
}

class DS_Op<string mnemonic, list<Trait> traits = []>
    : Op<DS_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def DS_ElementType : AnyTypeOf<[F32, F16, BF16, I64, I32, I1]>;
def DS_FloatElementType : AnyTypeOf<[F32, F16, BF16]>;
def DS_NumericElementType : AnyTypeOf<[F32, F16, BF16, I64, I32]>;

def DS_Tensor : RankedTensorOf<[F32, F16, BF16, I64, I32, I1]>;
def DS_FloatTensor : RankedTensorOf<[F32, F16, BF16]>;
def DS_NumericTensor : RankedTensorOf<[F32, F16, BF16, I64, I32]>;

//===----------------------------------------------------------------------===//
// Traits: op kinds that fusion and codegen dispatch on
//===----------------------------------------------------------------------===//

/// One operand, result of the same type, each element computed from the
/// element at the same index.
def DS_UnaryElementwise : NativeOpTrait<"UnaryElementwise"> {
  let cppNamespace = "::mlir::ds::OpTrait";
}

/// Two operands broadcast together numpy-style; each result element computed
/// from the two broadcast elements at its index.
def DS_BroadcastBinary : NativeOpTrait<"BroadcastBinary"> {
  let cppNamespace = "::mlir::ds::OpTrait";
}

/// The result element type is i1 (comparisons), whatever the operands'.
def DS_I1Result : NativeOpTrait<"I1Result"> {
  let cppNamespace = "::mlir::ds::OpTrait";
}

#endif // DS_BASE_TD
