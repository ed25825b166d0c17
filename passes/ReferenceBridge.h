//===- ReferenceBridge.h - ds IR to the reference executor ------*- C++ -*-===//
//
// Conversions between ds IR and the runtime's reference executor
// (runtime/Reference.h): a ds op as a RefOp (attributes by name, defaults
// explicit), dense constants as host tensors and back. Used by the artifact
// builder (the reference program) and by compile-time constant folding, so
// both evaluate ops with the same kernels.
//
//===----------------------------------------------------------------------===//

#ifndef DS_PASSES_REFERENCEBRIDGE_H
#define DS_PASSES_REFERENCEBRIDGE_H

#include "runtime/Artifact.h"
#include "runtime/Npy.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"

#include <optional>
#include <string>

namespace mlir::ds {

/// The runtime element type of an MLIR element type.
std::optional<::ds::runtime::DType> toDType(Type t);

/// The ONNX node name of a NameLoc, else the printed location.
std::string locationString(Location loc);

/// Little-endian bytes of a dense constant, one element at a time (splats
/// expanded, i1 as one byte per element).
std::string constantBytes(DenseElementsAttr attr, ::ds::runtime::DType dtype);

/// The reference op of a ds op; operand/result buffer ids are left empty.
::ds::runtime::RefOp toRefOp(Operation *op);

/// A dense constant as a host tensor; nullopt for unsupported types.
std::optional<::ds::runtime::HostTensor> toHostTensor(DenseElementsAttr attr);

/// A host tensor as a dense constant of `type` (shape from the tensor).
DenseElementsAttr toElementsAttr(const ::ds::runtime::HostTensor &tensor,
                                 Type elementType);

/// Evaluates a single-result op whose operands are all constants with the
/// reference executor. Fails (with `error`) when an operand or the result
/// type is not supported or the executor rejects the op.
FailureOr<DenseElementsAttr> evaluateOp(Operation *op,
                                        ArrayRef<DenseElementsAttr> operands,
                                        std::string &error);

/// evaluateOp() on host tensors (operands of any size, e.g. weights).
FailureOr<::ds::runtime::HostTensor>
evaluateOp(Operation *op, ArrayRef<const ::ds::runtime::HostTensor *> operands,
           std::string &error);

} // namespace mlir::ds

#endif // DS_PASSES_REFERENCEBRIDGE_H
