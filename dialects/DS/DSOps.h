//===- DSOps.h - ds dialect operations --------------------------*- C++ -*-===//

#ifndef DS_DIALECTS_DS_DSOPS_H
#define DS_DIALECTS_DS_DSOPS_H

#include "dialects/DS/DSDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::ds {
/// Verifies the numbered rules shared by every broadcasting binary op.
LogicalResult verifyBroadcastBinaryOp(Operation *op);

/// Whether `op` reinterprets its first operand's buffer with another shape
/// (ds.reshape, ds.flatten, ds.squeeze, ds.unsqueeze): no kernel; its result
/// buffer aliases the operand's. Shared by codegen and memory planning.
bool isViewOp(Operation *op);
} // namespace mlir::ds

namespace mlir::ds::OpTrait {

/// Marks one-operand elementwise ops (see DSBase.td).
template <typename ConcreteType>
class UnaryElementwise
    : public ::mlir::OpTrait::TraitBase<ConcreteType, UnaryElementwise> {};

/// Marks two-operand broadcasting elementwise ops and verifies their rules.
template <typename ConcreteType>
class BroadcastBinary
    : public ::mlir::OpTrait::TraitBase<ConcreteType, BroadcastBinary> {
public:
  static LogicalResult verifyTrait(Operation *op) {
    return verifyBroadcastBinaryOp(op);
  }
};

/// Marks comparisons: i1 result whatever the operand element type.
template <typename ConcreteType>
class I1Result : public ::mlir::OpTrait::TraitBase<ConcreteType, I1Result> {};

} // namespace mlir::ds::OpTrait

#define GET_OP_CLASSES
#include "dialects/DS/DSOps.h.inc"

#endif // DS_DIALECTS_DS_DSOPS_H
