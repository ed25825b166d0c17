//===- DSOps.cpp - ds dialect operations ----------------------------------===//
//
// Verifiers, folders and builders of the ds ops. Each check carries the tag of
// the rule it implements (see DSOps.td).
//
//===----------------------------------------------------------------------===//

#include "dialects/DS/DSOps.h"
#include "dialects/DS/DSTypeInference.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::ds;

static std::string typeToString(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  type.print(os);
  return s;
}

//===----------------------------------------------------------------------===//
// Broadcasting binary ops
//===----------------------------------------------------------------------===//

LogicalResult mlir::ds::verifyBroadcastBinaryOp(Operation *op) {
  auto lhs = cast<RankedTensorType>(op->getOperand(0).getType());
  auto rhs = cast<RankedTensorType>(op->getOperand(1).getType());
  auto result = cast<RankedTensorType>(op->getResult(0).getType());
  // binary_c3
  if (lhs.getElementType() != rhs.getElementType() ||
      lhs.getElementType() != result.getElementType())
    return op->emitOpError("requires the same element type for operands and "
                           "result, got ")
           << lhs.getElementType() << ", " << rhs.getElementType() << " -> "
           << result.getElementType();
  std::string error;
  // binary_c1
  FailureOr<SmallVector<int64_t>> shape =
      inferBroadcastShape(lhs.getShape(), rhs.getShape(), error);
  if (failed(shape))
    return op->emitOpError() << error;
  // binary_c2
  if (!areShapesCompatible(*shape, result.getShape()))
    return op->emitOpError("result shape ")
           << shapeToString(result.getShape())
           << " differs from the broadcast shape " << shapeToString(*shape);
  return success();
}

//===----------------------------------------------------------------------===//
// WeightOp
//===----------------------------------------------------------------------===//

LogicalResult WeightOp::verify() {
  // weight_c1
  if (getName().empty())
    return emitOpError("requires a non-empty weight name");
  // weight_c2
  if (!getType().hasStaticShape())
    return emitOpError("requires a static shape, got ") << getType();
  return success();
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::verify() {
  // constant_c1
  if (getValue().getType() != getType())
    return emitOpError("value type ")
           << getValue().getType() << " differs from the result type "
           << getType();
  return success();
}

LogicalResult
ConstantOp::inferReturnTypes(MLIRContext *, std::optional<Location>, ValueRange,
                             DictionaryAttr, OpaqueProperties properties,
                             RegionRange,
                             SmallVectorImpl<Type> &inferredReturnTypes) {
  auto *props = properties.as<Properties *>();
  if (!props || !props->value)
    return failure();
  inferredReturnTypes.push_back(props->value.getType());
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// GeluOp
//===----------------------------------------------------------------------===//

LogicalResult GeluOp::verify() {
  // gelu_c1
  if (getApproximate() != "none" && getApproximate() != "tanh")
    return emitOpError("approximate must be \"none\" or \"tanh\", got \"")
           << getApproximate() << "\"";
  return success();
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::verify() {
  RankedTensorType lhs = getLhs().getType(), rhs = getRhs().getType();
  RankedTensorType result = getResult().getType();
  // matmul_c1
  if (lhs.getRank() < 1 || rhs.getRank() < 1)
    return emitOpError("requires operands of rank >= 1");
  // matmul_c5
  if (lhs.getElementType() != rhs.getElementType() ||
      lhs.getElementType() != result.getElementType())
    return emitOpError("requires the same element type for operands and "
                       "result, got ")
           << lhs.getElementType() << ", " << rhs.getElementType() << " -> "
           << result.getElementType();
  // matmul_c2, matmul_c3
  std::string error;
  FailureOr<SmallVector<int64_t>> shape =
      inferMatmulShape(lhs.getShape(), rhs.getShape(), error);
  if (failed(shape))
    return emitOpError() << error;
  // matmul_c4
  if (!areShapesCompatible(*shape, result.getShape()))
    return emitOpError("result shape ")
           << shapeToString(result.getShape())
           << " differs from the inferred shape " << shapeToString(*shape);
  return success();
}

//===----------------------------------------------------------------------===//
// SoftmaxOp
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxOp::verify() {
  int64_t rank = getInput().getType().getRank();
  // softmax_c1
  int64_t axis = getSignedAxis();
  if (axis < -rank || axis >= rank)
    return emitOpError("axis ") << axis << " is out of range for rank " << rank;
  return success();
}

//===----------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  RankedTensorType in = getInput().getType(), out = getResult().getType();
  // reshape_c1
  if (in.getElementType() != out.getElementType())
    return emitOpError("requires the same element type, got ")
           << in.getElementType() << " -> " << out.getElementType();
  // reshape_c2
  if (in.hasStaticShape() && out.hasStaticShape() &&
      in.getNumElements() != out.getNumElements())
    return emitOpError("cannot reshape ")
           << in.getNumElements() << " elements (" << typeToString(in)
           << ") into " << out.getNumElements() << " (" << typeToString(out)
           << ")";
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // reshape(reshape(x)) -> reshape(x)
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(producer.getInput());
    return getResult();
  }
  if (auto value = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    return value.reshape(getType());
  return {};
}

//===----------------------------------------------------------------------===//
// TransposeOp
//===----------------------------------------------------------------------===//

LogicalResult TransposeOp::verify() {
  RankedTensorType in = getInput().getType(), out = getResult().getType();
  // transpose_c3
  if (in.getElementType() != out.getElementType())
    return emitOpError("requires the same element type, got ")
           << in.getElementType() << " -> " << out.getElementType();
  // transpose_c1
  std::string error;
  FailureOr<SmallVector<int64_t>> shape =
      inferTransposeShape(in.getShape(), getPerm(), error);
  if (failed(shape))
    return emitOpError() << error;
  // transpose_c2
  if (!areShapesCompatible(*shape, out.getShape()))
    return emitOpError("result shape ")
           << shapeToString(out.getShape())
           << " differs from the permuted shape " << shapeToString(*shape);
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> perm = getPerm();
  bool identity = true;
  for (auto [i, p] : llvm::enumerate(perm))
    identity &= static_cast<int64_t>(i) == p;
  if (identity && getInput().getType() == getType())
    return getInput();
  return {};
}

#define GET_OP_CLASSES
#include "dialects/DS/DSOps.cpp.inc"
