//===- MemoryPlan.h - the memory plan as IR attributes ----------*- C++ -*-===//
//
// Names of the attributes ds-plan-memory writes and the artifact builder
// reads, and the two rules both must agree on: a tensor's byte size and which
// returned values get an output copy.
//
//===----------------------------------------------------------------------===//

#ifndef DS_PASSES_MEMORYPLAN_H
#define DS_PASSES_MEMORYPLAN_H

#include "dialects/DS/DSOps.h"

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

//===----------------------------------------------------------------------===//
// Kernel groups: the launches the CUDA emitter forms
//===----------------------------------------------------------------------===//
//
// ds-plan-memory plans one step per kernel launch, so its schedule must
// group ops exactly as codegen does (codegen/KernelsQuantized.cpp): a
// matmul on dequantize_int4 weights is one W4A16 launch that dequantizes in
// registers, applies the AWQ activation scaling (a `mul`) on load and the
// bias/residual `add` that follows at the store. Both use these rules.

/// The dequantize_int4 feeding `op`'s right operand when the W4A16 kernel
/// reads its packed weights directly: K and the group size are multiples of
/// 8 (a packed word never straddles a row or group) and lhs, rhs and result
/// share one float element type (f32, f16, bf16). Null otherwise.
DequantizeInt4Op getFusedDequant(MatmulOp op);
/// Whether `dq` has no kernel of its own: every user is a matmul that
/// fuses it (getFusedDequant).
bool isFusedDequant(DequantizeInt4Op dq);
/// The per-column activation scaling `x * s` (s: a [K] vector, the mul used
/// only by `op`) a W4A16 kernel applies on load; null if none.
MulOp getFusedPrologue(MatmulOp op);
/// The add a W4A16 kernel applies at the store: `op`'s only user, adding
/// an operand that exists before `op` and broadcasts to its shape; null if
/// none.
AddOp getFusedEpilogue(MatmulOp op);

/// One buffer in the artifact's weights section per key: a ds.weight's name,
/// a ds.constant's value (attributes are uniqued, type included). The
/// planner counts the device bytes of the weights the same way.
Attribute getWeightKey(Operation *weightOrConstant);

} // namespace mlir::ds

#endif // DS_PASSES_MEMORYPLAN_H
