//===- DSTypeInference.h - shape rules of ds ops ----------------*- C++ -*-===//
//
// Shape rules shared by the verifiers and by shape inference. Dims use
// ShapedType::kDynamic for `?`. Each function returns failure() with a
// message in `error` when the operands are incompatible.
//
//===----------------------------------------------------------------------===//

#ifndef DS_DIALECTS_DS_DSTYPEINFERENCE_H
#define DS_DIALECTS_DS_DSTYPEINFERENCE_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "mlir/Support/LLVM.h"

#include <optional>
#include <string>

namespace mlir::ds {

/// True when two dims may be equal at run time (either is `?` or both equal).
bool areDimsCompatible(int64_t a, int64_t b);
/// True when two shapes have the same rank and compatible dims.
bool areShapesCompatible(ArrayRef<int64_t> a, ArrayRef<int64_t> b);

/// numpy broadcasting of two shapes.
FailureOr<SmallVector<int64_t>> inferBroadcastShape(ArrayRef<int64_t> lhs,
                                                    ArrayRef<int64_t> rhs,
                                                    std::string &error);

/// numpy matmul result shape (1-D operands handled as numpy does).
FailureOr<SmallVector<int64_t>> inferMatmulShape(ArrayRef<int64_t> lhs,
                                                 ArrayRef<int64_t> rhs,
                                                 std::string &error);

/// Result shape of a transpose by `perm`.
FailureOr<SmallVector<int64_t>> inferTransposeShape(ArrayRef<int64_t> input,
                                                    ArrayRef<int64_t> perm,
                                                    std::string &error);

/// The shape function of every ds op: the result shape implied by the
/// operand types and the values of constant operands (`constantOperands[i]`
/// is the value of operand i, or null). Dims that depend on unknown values
/// stay dynamic. Fails with `error` when the operands are inconsistent.
LogicalResult inferResultShape(Operation *op,
                               ArrayRef<Attribute> constantOperands,
                               SmallVectorImpl<int64_t> &shape,
                               std::string &error);

/// The pads of a conv, conv_transpose or pool op: its `pads`, or, with
/// `auto_pad` / `output_shape`, the pads ONNX's formulas give for the input's
/// spatial dims; nullopt while those dims are dynamic. `op` must be one of
/// the four window ops.
std::optional<SmallVector<int64_t>> resolveWindowPads(Operation *op);

/// "2x?x4" for messages.
std::string shapeToString(ArrayRef<int64_t> shape);

} // namespace mlir::ds

#endif // DS_DIALECTS_DS_DSTYPEINFERENCE_H
