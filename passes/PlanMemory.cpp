//===- PlanMemory.cpp - ds-plan-memory: arena offsets and weight tiering --===//
//
// Builds the live intervals of a function's kernel schedule, hands them to
// the planner (passes/MemoryPlanner.h) and records the plan as attributes.
// The attribute names are the contract with the artifact builder
// (codegen/ArtifactBuilder.cpp); docs/design/memory-planning.md describes
// them.
//
//===----------------------------------------------------------------------===//

#include "passes/MemoryPlan.h"
#include "passes/MemoryPlanner.h"
#include "passes/Passes.h"

#include "dialects/DS/DSOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/FormatVariadic.h"

#include <functional>

namespace mlir::ds {
#define GEN_PASS_DEF_PLANMEMORYPASS
#include "passes/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
using namespace mlir::ds;
namespace mp = ::ds::memplan;

uint64_t mlir::ds::tensorByteSize(RankedTensorType type) {
  Type e = type.getElementType();
  // i1 is stored as one byte per element (the runtime's rule).
  uint64_t elementBytes =
      e.isInteger(1) ? 1 : (e.getIntOrFloatBitWidth() + 7) / 8;
  return static_cast<uint64_t>(type.getNumElements()) * elementBytes;
}

bool mlir::ds::needsOutputCopy(Value v, llvm::SmallPtrSetImpl<Value> &seen) {
  Operation *def = v.getDefiningOp();
  bool computed = def && !isa<WeightOp, ConstantOp>(def) && !isViewOp(def);
  return !(computed && seen.insert(v).second);
}

DequantizeInt4Op mlir::ds::getFusedDequant(MatmulOp op) {
  auto dq = op.getRhs().getDefiningOp<DequantizeInt4Op>();
  if (!dq)
    return DequantizeInt4Op();
  RankedTensorType w = dq.getResult().getType();
  Type elt = op.getType().getElementType();
  if (w.getRank() != 2 || w.getDimSize(0) % 8 != 0 ||
      dq.getGroupSize() % 8 != 0 ||
      op.getLhs().getType().getElementType() != elt ||
      !(elt.isF32() || elt.isF16() || elt.isBF16()))
    return DequantizeInt4Op();
  return dq;
}

bool mlir::ds::isFusedDequant(DequantizeInt4Op dq) {
  return llvm::all_of(dq->getUsers(), [&](Operation *user) {
    auto mm = dyn_cast<MatmulOp>(user);
    return mm && getFusedDequant(mm) == dq;
  });
}

AddOp mlir::ds::getFusedEpilogue(MatmulOp op) {
  if (!op.getResult().hasOneUse())
    return AddOp();
  auto add = dyn_cast<AddOp>(*op.getResult().getUsers().begin());
  if (!add || add.getType() != op.getType() || add.getLhs() == add.getRhs())
    return AddOp();
  // The kernel runs where the matmul is: the other operand must exist then.
  Value extra = add.getLhs() == op.getResult() ? add.getRhs() : add.getLhs();
  Operation *def = extra.getDefiningOp();
  if (def && def->getBlock() == op->getBlock() && !def->isBeforeInBlock(op))
    return AddOp();
  return add;
}

MulOp mlir::ds::getFusedPrologue(MatmulOp op) {
  auto mul = op.getLhs().getDefiningOp<MulOp>();
  if (!mul || !mul.getResult().hasOneUse())
    return MulOp();
  RankedTensorType lhs = op.getLhs().getType();
  for (Value scale : {mul.getLhs(), mul.getRhs()}) {
    Value x = scale == mul.getLhs() ? mul.getRhs() : mul.getLhs();
    auto st = cast<RankedTensorType>(scale.getType());
    if (x.getType() == lhs && st.getRank() == 1 &&
        st.getDimSize(0) == lhs.getShape().back() &&
        st.getElementType() == lhs.getElementType())
      return mul;
  }
  return MulOp();
}

Attribute mlir::ds::getWeightKey(Operation *op) {
  if (auto w = dyn_cast<WeightOp>(op))
    return w.getNameAttr();
  if (auto c = dyn_cast<ConstantOp>(op))
    return c.getValue();
  return Attribute();
}

namespace {

/// The schedule and the intervals of one function.
class ScheduleBuilder {
public:
  explicit ScheduleBuilder(func::FuncOp func) : func(func) {}

  LogicalResult build();

  func::FuncOp func;
  /// Arena buffers: function arguments, kernel results, output copies.
  struct Buffer {
    Value value;         ///< null for an output copy
    int outputCopy = -1; ///< function result index of an output copy
  };
  std::vector<Buffer> buffers;
  std::vector<mp::Interval> intervals;
  std::vector<mp::InPlacePair> inPlace;
  llvm::DenseMap<Value, uint32_t> bufferOf;
  /// Weights and constants, one per artifact buffer (getWeightKey) in op
  /// order, with their ops and the steps that read them.
  SmallVector<SmallVector<Operation *, 1>> weightOps;
  std::vector<mp::WeightUse> weightUses;
  llvm::DenseMap<Value, uint32_t> weightOf;
  /// View results (and chains of them) to the value they alias.
  llvm::DenseMap<Value, Value> rootOf;
  uint32_t numSteps = 0; ///< kernels and output copies
  uint64_t kernelTraffic = 0;

private:
  Value root(Value v) const {
    auto it = rootOf.find(v);
    return it == rootOf.end() ? v : it->second;
  }
  uint32_t addBuffer(Value v, int outputCopy, RankedTensorType type,
                     uint32_t first) {
    return addBuffer(v, outputCopy, type, first, tensorByteSize(type));
  }
  uint32_t addBuffer(Value v, int outputCopy, RankedTensorType type,
                     uint32_t first, uint64_t bytes) {
    buffers.push_back({v, outputCopy});
    intervals.push_back({bytes, first, first});
    uint32_t id = buffers.size() - 1;
    if (v)
      bufferOf[v] = id;
    return id;
  }
  /// Records that step `step` reads `v`.
  void use(Value v, uint32_t step) {
    Value r = root(v);
    if (auto it = bufferOf.find(r); it != bufferOf.end()) {
      mp::Interval &i = intervals[it->second];
      i.last = std::max(i.last, step);
    } else if (auto w = weightOf.find(r); w != weightOf.end()) {
      std::vector<uint32_t> &steps = weightUses[w->second].steps;
      if (steps.empty() || steps.back() != step)
        steps.push_back(step);
    }
  }
  LogicalResult checkStatic(Operation *op, Type t);
  void addInPlaceCandidates(Operation *op, uint32_t step);
};

LogicalResult ScheduleBuilder::checkStatic(Operation *op, Type t) {
  auto ranked = dyn_cast<RankedTensorType>(t);
  if (ranked && ranked.hasStaticShape())
    return success();
  return op->emitOpError("requires static shapes for memory planning, got ")
         << t << " (bind dynamic dims with ds-static-shapes)";
}

void ScheduleBuilder::addInPlaceCandidates(Operation *op, uint32_t step) {
  if (op->getNumResults() != 1 ||
      !(op->hasTrait<mlir::ds::OpTrait::UnaryElementwise>() ||
        op->hasTrait<mlir::ds::OpTrait::BroadcastBinary>()))
    return;
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  uint32_t result = bufferOf.at(op->getResult(0));
  for (Value operand : op->getOperands()) {
    Value r = root(operand);
    // Only an intermediate (a kernel result) is given up; inputs belong to
    // the caller's binding for the whole run.
    if (isa<BlockArgument>(r) || !bufferOf.count(r) ||
        intervals[bufferOf.at(r)].bytes == 0)
      continue;
    // Element i of every operand that reads this buffer must be element i
    // of the result: no broadcast, same bytes per element.
    bool elementwise = llvm::all_of(op->getOperands(), [&](Value other) {
      if (root(other) != r)
        return true;
      auto t = cast<RankedTensorType>(other.getType());
      return t.getShape() == resultType.getShape() &&
             tensorByteSize(t) == tensorByteSize(resultType);
    });
    if (elementwise && tensorByteSize(cast<RankedTensorType>(r.getType())) ==
                           tensorByteSize(resultType))
      inPlace.push_back({result, bufferOf.at(r)});
    (void)step;
  }
}

LogicalResult ScheduleBuilder::build() {
  if (!func.getBody().hasOneBlock())
    return func.emitOpError(
        "unimplemented: memory planning of a function with more than one "
        "block");
  Block &body = func.getBody().front();
  bool failedAny = false;
  for (BlockArgument arg : func.getArguments()) {
    if (failed(checkStatic(func, arg.getType()))) {
      failedAny = true;
      continue;
    }
    addBuffer(arg, -1, cast<RankedTensorType>(arg.getType()), 0);
  }
  if (failedAny)
    return failure();

  // Ops a W4A16 kernel computes with its matmul (the rules codegen uses,
  // passes/MemoryPlan.h): they get no step. A value no kernel writes (a
  // fused dequantize_int4's or activation scaling's result) stands for what
  // the kernel reads instead (`forwarded`); it gets a 0-byte buffer.
  llvm::DenseSet<Operation *> absorbed;
  llvm::DenseMap<Operation *, AddOp> epilogueOf;
  llvm::DenseMap<Value, SmallVector<Value>> forwarded;
  for (Operation &op : body.without_terminator()) {
    if (auto dq = dyn_cast<DequantizeInt4Op>(op); dq && isFusedDequant(dq))
      absorbed.insert(dq);
    auto m = dyn_cast<MatmulOp>(op);
    if (!m || !getFusedDequant(m))
      continue;
    if (MulOp mul = getFusedPrologue(m))
      absorbed.insert(mul);
    if (AddOp add = getFusedEpilogue(m)) {
      absorbed.insert(add);
      epilogueOf[m] = add;
    }
  }
  // Weights and constants, one per artifact buffer (getWeightKey), including
  // the constants inside fusion bodies: the artifact uploads them too.
  llvm::DenseMap<Attribute, uint32_t> weightByKey;
  auto addWeight = [&](Operation *op) {
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    auto [it, inserted] =
        weightByKey.try_emplace(getWeightKey(op), weightUses.size());
    if (inserted) {
      weightOps.emplace_back();
      weightUses.push_back({tensorByteSize(type), {}, isa<WeightOp>(op)});
    }
    weightOps[it->second].push_back(op);
    weightOf[op->getResult(0)] = it->second;
  };
  // Step 0 is the copy of the inputs; kernels are steps 1..K.
  uint32_t step = 0;
  std::function<void(Value)> read = [&](Value v) {
    if (v.getParentBlock() != &body)
      return;
    if (auto it = forwarded.find(v); it != forwarded.end()) {
      for (Value u : it->second)
        read(u);
      return;
    }
    use(v, step);
    kernelTraffic += tensorByteSize(cast<RankedTensorType>(v.getType()));
  };
  for (Operation &op : body.without_terminator()) {
    for (Type t : op.getResultTypes())
      failedAny |= failed(checkStatic(&op, t));
    if (failedAny)
      continue;
    if (isa<WeightOp, ConstantOp>(op)) {
      addWeight(&op);
      continue;
    }
    if (isViewOp(&op)) {
      rootOf[op.getResult(0)] = root(op.getOperand(0));
      continue;
    }
    op.walk([&](Operation *nested) {
      if (nested != &op && isa<WeightOp, ConstantOp>(nested))
        addWeight(nested);
    });
    auto noBuffer = [&](Value v) {
      addBuffer(v, -1, cast<RankedTensorType>(v.getType()), step, 0);
    };
    if (absorbed.contains(&op)) {
      // The epilogue add was planned with its matmul.
      if (!isa<AddOp>(op)) {
        forwarded[op.getResult(0)] = SmallVector<Value>(op.getOperands());
        noBuffer(op.getResult(0));
      }
      continue;
    }
    // No kernel for empty results (as codegen).
    if (op.getNumResults() && llvm::all_of(op.getResultTypes(), [](Type t) {
          return cast<RankedTensorType>(t).getNumElements() == 0;
        })) {
      for (Value r : op.getResults())
        noBuffer(r);
      continue;
    }
    ++step;
    // Values the op or its regions read from the function body.
    op.walk([&](Operation *nested) {
      for (Value v : nested->getOperands())
        read(v);
    });
    SmallVector<Value> results(op.getResults());
    if (AddOp add = epilogueOf.lookup(&op)) {
      // The W4A16 kernel adds the bias/residual and writes the add's result.
      for (Value v : add->getOperands())
        if (v != op.getResult(0))
          read(v);
      noBuffer(op.getResult(0));
      results = {add.getResult()};
    }
    for (Value r : results) {
      addBuffer(r, -1, cast<RankedTensorType>(r.getType()), step);
      kernelTraffic += tensorByteSize(cast<RankedTensorType>(r.getType()));
    }
    if (!epilogueOf.count(&op))
      addInPlaceCandidates(&op, step);
  }
  if (failedAny)
    return failure();

  // Outputs: copies run after the kernels; everything returned lives until
  // the read-out after the last step.
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  llvm::SmallPtrSet<Value, 8> seen;
  SmallVector<uint32_t> outputBuffers;
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    if (!needsOutputCopy(v, seen)) {
      outputBuffers.push_back(bufferOf.at(v));
      continue;
    }
    ++step;
    use(v, step);
    auto type = cast<RankedTensorType>(v.getType());
    kernelTraffic += 2 * tensorByteSize(type);
    outputBuffers.push_back(addBuffer(Value(), i, type, step));
  }
  numSteps = step + 1;
  for (uint32_t id : outputBuffers)
    intervals[id].last = numSteps;
  return success();
}

struct PlanMemoryPass : mlir::ds::impl::PlanMemoryPassBase<PlanMemoryPass> {
  using PlanMemoryPassBase::PlanMemoryPassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal()) // a declaration: no schedule
      return;
    if (alignment <= 0 || (alignment & (alignment - 1))) {
      func.emitError("ds-plan-memory: alignment must be a power of two, got ")
          << alignment.getValue();
      return signalPassFailure();
    }
    if (deviceMemoryBudget < 0) {
      func.emitError("ds-plan-memory: device-memory-budget must be >= 0, got ")
          << deviceMemoryBudget.getValue();
      return signalPassFailure();
    }
    ScheduleBuilder sched(func);
    if (failed(sched.build()))
      return signalPassFailure();

    mp::ArenaRequest request;
    request.buffers = sched.intervals;
    request.inPlace = sched.inPlace;
    request.alignment = alignment;
    mp::ArenaPlan arena = mp::planArena(request);

    mp::TieringRequest tiering;
    tiering.budgetBytes = deviceMemoryBudget;
    tiering.arenaBytes = arena.arenaBytes;
    tiering.weights = sched.weightUses;
    tiering.numSteps = sched.numSteps;
    tiering.alignment = alignment;
    tiering.kernelTrafficBytes = sched.kernelTraffic;
    tiering.hostLinkBytesPerSec = hostLinkGBps * 1e9;
    tiering.hbmBytesPerSec = hbmGBps * 1e9;
    mp::TieringPlan tiers = mp::planTiering(tiering);
    if (!tiers.ok) {
      func.emitError("ds-plan-memory: device memory budget of ")
          << deviceMemoryBudget.getValue()
          << " bytes cannot be met: " << tiers.error;
      return signalPassFailure();
    }

    record(sched, arena, tiers);
    if (report)
      func.emitRemark(llvm::formatv(
          "ds-plan-memory: arena {0} bytes ({1}), lower bound {2}, ratio "
          "{3:F3}, no reuse {4}, {5} in place; weights {6} bytes resident, "
          "{7} streamed per inference ({8} staging x {9}); predicted {10:F4} "
          "ms (host link {11:F4}, HBM {12:F4})",
          arena.arenaBytes, mp::heuristicName(arena.heuristic),
          arena.lowerBoundBytes, arena.ratio(), arena.noReuseBytes,
          arena.inPlaceApplied, tiers.residentWeightBytes,
          tiers.streamedBytesPerInference, tiers.stagingSlots,
          tiers.stagingSlotBytes, tiers.predictedMs(), tiers.hostLinkMs,
          tiers.hbmMs));
  }

  void record(const ScheduleBuilder &sched, const mp::ArenaPlan &arena,
              const mp::TieringPlan &tiers) {
    func::FuncOp func = getOperation();
    Builder b(&getContext());
    auto i64 = [&](uint64_t v) {
      return b.getI64IntegerAttr(static_cast<int64_t>(v));
    };
    // Offsets of each op's results, in result order.
    llvm::DenseMap<Operation *, SmallVector<int64_t>> opOffsets;
    for (auto [id, buf] : llvm::enumerate(sched.buffers)) {
      int64_t offset = static_cast<int64_t>(arena.offsets[id]);
      if (buf.outputCopy >= 0) {
        func.setResultAttr(buf.outputCopy, kArenaOffsetAttr, i64(offset));
      } else if (auto arg = dyn_cast<BlockArgument>(buf.value)) {
        func.setArgAttr(arg.getArgNumber(), kArenaOffsetAttr, i64(offset));
      } else {
        Operation *op = buf.value.getDefiningOp();
        SmallVector<int64_t> &offsets = opOffsets[op];
        offsets.resize(op->getNumResults(), 0);
        offsets[cast<OpResult>(buf.value).getResultNumber()] = offset;
      }
    }
    for (auto &[op, offsets] : opOffsets)
      op->setAttr(kArenaOffsetsAttr, b.getDenseI64ArrayAttr(offsets));
    for (auto [w, ops] : llvm::enumerate(sched.weightOps))
      for (Operation *op : ops)
        if (isa<WeightOp>(op))
          op->setAttr(kPlacementAttr,
                      b.getStringAttr(tiers.streamed[w] ? "host" : "device"));

    NamedAttrList plan;
    plan.append("alignment", i64(alignment));
    plan.append("arena_bytes", i64(arena.arenaBytes));
    plan.append("lower_bound_bytes", i64(arena.lowerBoundBytes));
    plan.append("no_reuse_bytes", i64(arena.noReuseBytes));
    plan.append("heuristic",
                b.getStringAttr(mp::heuristicName(arena.heuristic)));
    plan.append("in_place", i64(arena.inPlaceApplied));
    plan.append("device_budget_bytes", i64(deviceMemoryBudget));
    plan.append("resident_weight_bytes", i64(tiers.residentWeightBytes));
    plan.append("streamed_bytes", i64(tiers.streamedBytesPerInference));
    plan.append("staging_slots", i64(tiers.stagingSlots));
    plan.append("staging_slot_bytes", i64(tiers.stagingSlotBytes));
    plan.append("device_bytes", i64(tiers.deviceBytes));
    plan.append("predicted_host_link_ns", i64(tiers.hostLinkMs * 1e6));
    plan.append("predicted_hbm_ns", i64(tiers.hbmMs * 1e6));
    func->setAttr(kMemoryPlanAttr, plan.getDictionary(&getContext()));
  }
};

} // namespace
