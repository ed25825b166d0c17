//===- MemoryPlan.h - the memory plan as IR attributes ----------*- C++ -*-===//
//
// Names of the attributes ds-plan-memory writes and the artifact builder
// reads, and the two rules both must agree on: a tensor's byte size and which
// returned values get an output copy.
//
//===----------------------------------------------------------------------===//

#ifndef DS_PASSES_MEMORYPLAN_H
#define DS_PASSES_MEMORYPLAN_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace mlir::ds {

/// i64 on a function argument (an input) or result (an output copy): its
/// arena offset.
inline constexpr llvm::StringLiteral kArenaOffsetAttr = "ds.arena_offset";
/// DenseI64ArrayAttr on a kernel op: the arena offset of each result.
inline constexpr llvm::StringLiteral kArenaOffsetsAttr = "ds.arena_offsets";
/// "device" or "host" on a ds.weight.
inline constexpr llvm::StringLiteral kPlacementAttr = "ds.placement";
/// DictionaryAttr on the function: the plan's figures.
inline constexpr llvm::StringLiteral kMemoryPlanAttr = "ds.memory_plan";

/// Bytes of a static tensor as the runtime stores it (i1: one byte each).
uint64_t tensorByteSize(RankedTensorType type);

/// Whether returned value `v` needs its own output buffer and a copy kernel:
/// it is not the plain result of a kernel (an input, a weight, a constant or
/// a view) or was already returned (`seen` tracks the values returned so
/// far, in result order).
bool needsOutputCopy(Value v, llvm::SmallPtrSetImpl<Value> &seen);

} // namespace mlir::ds

#endif // DS_PASSES_MEMORYPLAN_H
