//===- Fuse.cpp - Group ops into ds.fusion regions ------------------------===//
//
// ds-fuse: decides which ops become one kernel (docs/design/fusion.md). Each
// op gets at most one group; groups grow greedily by the rules of their
// kind, every merge is checked against cycles between groups (over the graph
// whose nodes are the groups), and every group of two or more ops becomes a
// ds.fusion whose inputs are the values it reads and whose results are the
// values used outside it.
//
//===----------------------------------------------------------------------===//

#include "dialects/DS/DSOps.h"
#include "passes/Passes.h"

#include "mlir/Analysis/TopologicalSortUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::ds {
#define GEN_PASS_DEF_FUSEPASS
#include "passes/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
using namespace mlir::ds;

namespace {

//===----------------------------------------------------------------------===//
// Op classes and costs
//===----------------------------------------------------------------------===//

bool isView(Operation *op) {
  return isa<ReshapeOp, FlattenOp, SqueezeOp, UnsqueezeOp>(op);
}

/// Ops computed elementwise from broadcast operands.
bool isElementwise(Operation *op) {
  return op->hasTrait<ds::OpTrait::UnaryElementwise>() ||
         op->hasTrait<ds::OpTrait::BroadcastBinary>() ||
         isa<WhereOp, BatchNormOp>(op);
}

/// Ops that only move elements: an index function of their consumer.
bool isIndexOp(Operation *op) {
  return isView(op) || isa<TransposeOp, ExpandOp>(op);
}

bool isContraction(Operation *op) {
  return isa<MatmulOp, ConvOp, ConvTransposeOp>(op);
}

bool isReduction(Operation *op) {
  return isa<ReduceSumOp, ReduceMeanOp, ReduceMaxOp, ReduceMinOp, ReduceProdOp>(
      op);
}

/// Recompute cost of one element, in units of a simple arithmetic op;
/// transcendental functions cost 8.
unsigned recomputeCost(Operation *op) {
  if (isa<ExpOp, LogOp, SqrtOp, RsqrtOp, TanhOp, ErfOp, SigmoidOp, SiluOp,
          GeluOp, PowOp>(op))
    return 8;
  if (isa<DivOp, ReciprocalOp, HardSigmoidOp, HardSwishOp, BatchNormOp>(op))
    return 2;
  return 1;
}

RankedTensorType tensorType(Value v) {
  return dyn_cast<RankedTensorType>(v.getType());
}

int64_t numElements(Value v) { return tensorType(v).getNumElements(); }

int64_t byteSize(Value v) {
  RankedTensorType t = tensorType(v);
  unsigned bits = t.getElementType().getIntOrFloatBitWidth();
  return t.getNumElements() * (bits == 1 ? 1 : bits / 8);
}

/// Whether every value `op` touches is a static tensor of an element type the
/// kernels handle.
bool isStatic(Operation *op) {
  for (Type t : llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes()))
    if (auto r = dyn_cast<RankedTensorType>(t); !r || !r.hasStaticShape())
      return false;
  return true;
}

/// `shape` without its leading 1s: numpy broadcasting does not see them.
ArrayRef<int64_t> stripLeadingOnes(ArrayRef<int64_t> shape) {
  while (!shape.empty() && shape.front() == 1)
    shape = shape.drop_front();
  return shape;
}

bool sameIndexSpace(Value a, Value b) {
  return stripLeadingOnes(tensorType(a).getShape()) ==
         stripLeadingOnes(tensorType(b).getShape());
}

//===----------------------------------------------------------------------===//
// Groups
//===----------------------------------------------------------------------===//

struct Group {
  StringRef kind;
  SmallVector<Operation *> ops;
};

/// Row space of a reduction over trailing dims: `full` is the reduced
/// operand's shape, `kept` the same with the reduced dims set to 1.
struct RowSpace {
  SmallVector<int64_t> full, kept, axes;
  bool operator==(const RowSpace &o) const {
    return full == o.full && axes == o.axes;
  }
};

std::optional<RowSpace> rowSpaceOf(Operation *op) {
  if (!isReduction(op) || !isStatic(op))
    return std::nullopt;
  auto type = tensorType(op->getOperand(0));
  if (!isa<FloatType>(type.getElementType()))
    return std::nullopt;
  RowSpace rs;
  rs.full.assign(type.getShape().begin(), type.getShape().end());
  ArrayRef<int64_t> axes = op->getAttrOfType<DenseI64ArrayAttr>("axes");
  size_t rank = rs.full.size();
  SmallVector<bool> reduced(rank, axes.empty());
  for (int64_t a : axes)
    reduced[a] = true;
  // Reduced dims must be the trailing ones (size-1 dims do not matter): the
  // row of an output is then contiguous.
  bool seenReduced = false;
  int64_t len = 1;
  for (size_t d = 0; d < rank; ++d) {
    if (rs.full[d] == 1)
      reduced[d] = seenReduced;
    if (reduced[d]) {
      seenReduced = true;
      len *= rs.full[d];
      rs.axes.push_back(d);
    } else if (seenReduced) {
      return std::nullopt;
    }
  }
  if (len <= 1)
    return std::nullopt;
  rs.kept = rs.full;
  for (int64_t a : rs.axes)
    rs.kept[a] = 1;
  return rs;
}

enum class RowClass { None, Full, Scalar };

RowClass rowClassOf(Value v, const RowSpace &rs) {
  ArrayRef<int64_t> s = stripLeadingOnes(tensorType(v).getShape());
  if (s == stripLeadingOnes(rs.full))
    return RowClass::Full;
  if (s == stripLeadingOnes(rs.kept))
    return RowClass::Scalar;
  return RowClass::None;
}

class Grouping {
public:
  Grouping(Block &block, unsigned maxBroadcastCost)
      : block(block), maxBroadcastCost(maxBroadcastCost) {
    unsigned i = 0;
    for (Operation &op : block)
      order[&op] = i++;
  }

  void run() {
    formContractionGroups();
    formReductionGroups();
    formElementwiseGroups();
  }

  SmallVector<Group> groups;
  DenseMap<Operation *, int> groupOf;

private:
  bool grouped(Operation *op) const { return groupOf.count(op); }

  /// Ops of the block that may join a group at all.
  bool candidate(Operation *op) const {
    return op && op->getBlock() == &block && !grouped(op) && isStatic(op) &&
           op->getNumResults() == 1 &&
           isa_and_present<DSDialect>(op->getDialect()) && !isInt4(op);
  }

  /// INT4 weights and the matmuls that read them are left alone: the W4A16
  /// kernels dequantize in registers and fuse their own bias/residual add
  /// (docs/design/int4.md).
  static bool isInt4(Operation *op) {
    if (isa<DequantizeInt4Op>(op))
      return true;
    auto m = dyn_cast<MatmulOp>(op);
    return m && m.getRhs().getDefiningOp<DequantizeInt4Op>();
  }

  /// Whether merging `ops` into one node makes a cycle in the graph of
  /// groups: some op outside is reachable from them and reaches them.
  bool wouldCycle(ArrayRef<Operation *> ops) const;
  /// Whether `v` has a user that is not in `members`.
  static bool usedOutside(Value v,
                          const llvm::SmallPtrSetImpl<Operation *> &members);

  int addGroup(StringRef kind, ArrayRef<Operation *> ops) {
    groups.push_back({kind, SmallVector<Operation *>(ops)});
    for (Operation *op : ops)
      groupOf[op] = groups.size() - 1;
    return groups.size() - 1;
  }

  void formContractionGroups();
  void formReductionGroups();
  void formElementwiseGroups();

  Block &block;
  unsigned maxBroadcastCost;
  DenseMap<Operation *, unsigned> order;
};

bool Grouping::usedOutside(Value v,
                           const llvm::SmallPtrSetImpl<Operation *> &members) {
  return llvm::any_of(v.getUsers(),
                      [&](Operation *u) { return !members.contains(u); });
}

bool Grouping::wouldCycle(ArrayRef<Operation *> ops) const {
  llvm::SmallPtrSet<Operation *, 16> merged(ops.begin(), ops.end());
  unsigned maxOrder = 0;
  for (Operation *op : ops)
    maxOrder = std::max(maxOrder, order.lookup(op));
  SmallVector<Operation *> work;
  llvm::SmallPtrSet<Operation *, 32> visited;
  auto pushUsers = [&](Operation *op) {
    for (Operation *u : op->getUsers())
      if (!merged.contains(u))
        work.push_back(u);
  };
  for (Operation *op : ops)
    pushUsers(op);
  while (!work.empty()) {
    Operation *x = work.pop_back_val();
    // Ops after the last merged op cannot feed it (SSA order).
    if (x->getBlock() != &block || order.lookup(x) > maxOrder ||
        !visited.insert(x).second)
      continue;
    // A group is one node: reaching one member reaches them all.
    auto it = groupOf.find(x);
    if (it == groupOf.end()) {
      for (Operation *u : x->getUsers())
        if (merged.contains(u))
          return true;
      pushUsers(x);
      continue;
    }
    for (Operation *member : groups[it->second].ops) {
      visited.insert(member);
      for (Operation *u : member->getUsers())
        if (merged.contains(u))
          return true;
      pushUsers(member);
    }
  }
  return false;
}

//===----------------------------------------------------------------------===//
// Phase 1: contractions and their epilogue
//===----------------------------------------------------------------------===//

void Grouping::formContractionGroups() {
  for (Operation &anchorOp : block) {
    Operation *anchor = &anchorOp;
    if (!isContraction(anchor) || !candidate(anchor) ||
        !isa<FloatType>(tensorType(anchor->getResult(0)).getElementType()))
      continue;
    SmallVector<Operation *> ops = {anchor};
    llvm::SmallPtrSet<Operation *, 16> members = {anchor};
    // A matmul loads its operands through any chain of transposes and views
    // with no other user: pure index math, nothing is recomputed.
    if (isa<MatmulOp>(anchor)) {
      for (Value operand : anchor->getOperands()) {
        Operation *p = operand.getDefiningOp();
        while (candidate(p) && (isView(p) || isa<TransposeOp>(p)) &&
               p->hasOneUse() && members.contains(*p->user_begin())) {
          ops.push_back(p);
          members.insert(p);
          p = p->getOperand(0).getDefiningOp();
        }
      }
    }
    // Epilogue: consumers that read a value of the group at its own index
    // (same index space as the contraction's result).
    Value result = anchor->getResult(0);
    int64_t count = numElements(result);
    SmallVector<Operation *> frontier = {anchor};
    while (!frontier.empty()) {
      Operation *producer = frontier.pop_back_val();
      for (Operation *u : producer->getResult(0).getUsers()) {
        if (members.contains(u) || !candidate(u) ||
            !(isElementwise(u) || isView(u)) ||
            numElements(u->getResult(0)) != count)
          continue;
        bool identity = llvm::all_of(u->getOperands(), [&](Value v) {
          Operation *def = v.getDefiningOp();
          return !def || !members.contains(def) ||
                 (isView(u) ? true : sameIndexSpace(v, u->getResult(0)));
        });
        if (!identity)
          continue;
        SmallVector<Operation *> trial(ops);
        trial.push_back(u);
        if (wouldCycle(trial))
          continue;
        ops.push_back(u);
        members.insert(u);
        frontier.push_back(u);
      }
    }
    if (ops.size() > 1)
      addGroup(isa<MatmulOp>(anchor) ? "matmul" : "conv", ops);
  }
}

//===----------------------------------------------------------------------===//
// Phase 2: reductions with their prologue and epilogue
//===----------------------------------------------------------------------===//

void Grouping::formReductionGroups() {
  for (Operation &seedOp : block) {
    Operation *seed = &seedOp;
    if (!candidate(seed))
      continue;
    std::optional<RowSpace> rs = rowSpaceOf(seed);
    if (!rs || rowClassOf(seed->getResult(0), *rs) != RowClass::Scalar)
      continue;
    SmallVector<Operation *> ops = {seed};
    llvm::SmallPtrSet<Operation *, 16> members = {seed};
    // Whether `op` computes a value the row kernel can hold: a row element
    // (Full) or a per-row scalar (Scalar); reductions over the same rows
    // reduce a Full value.
    auto fits = [&](Operation *op) {
      if (!candidate(op))
        return false;
      if (isReduction(op)) {
        // Its result is a per-row scalar in the kept layout (keepdims, or
        // only leading 1s dropped), so consumers broadcast it by row.
        std::optional<RowSpace> other = rowSpaceOf(op);
        return other && *other == *rs &&
               rowClassOf(op->getResult(0), *rs) == RowClass::Scalar;
      }
      if (!isElementwise(op) && !isView(op))
        return false;
      RowClass c = rowClassOf(op->getResult(0), *rs);
      if (c == RowClass::None)
        return false;
      // A view may only add or drop leading 1s (same linear index).
      return !isView(op) || sameIndexSpace(op->getOperand(0), op->getResult(0));
    };
    auto tryAdd = [&](Operation *op) {
      if (members.contains(op) || !fits(op))
        return false;
      SmallVector<Operation *> trial(ops);
      trial.push_back(op);
      if (wouldCycle(trial))
        return false;
      ops.push_back(op);
      members.insert(op);
      return true;
    };
    bool changed = true;
    while (changed) {
      changed = false;
      for (size_t i = 0; i < ops.size(); ++i) {
        Operation *op = ops[i];
        for (Value v : op->getOperands())
          changed |= tryAdd(v.getDefiningOp());
        for (Operation *u : op->getResult(0).getUsers())
          changed |= tryAdd(u);
      }
    }
    addGroup("reduction", ops);
  }
  // A reduction alone is the plain reduce kernel already.
  for (Group &g : groups)
    if (g.kind == "reduction" && g.ops.size() == 1) {
      groupOf.erase(g.ops.front());
      g.ops.clear();
    }
}

//===----------------------------------------------------------------------===//
// Phase 3: elementwise loop kernels
//===----------------------------------------------------------------------===//

void Grouping::formElementwiseGroups() {
  SmallVector<Operation *> reversed;
  for (Operation &op : block)
    reversed.push_back(&op);
  std::reverse(reversed.begin(), reversed.end());
  for (Operation *root : reversed) {
    // A view as the root would be materialized: views stay aliases.
    if (!candidate(root) ||
        !(isElementwise(root) || isa<TransposeOp, ExpandOp>(root)))
      continue;
    int64_t count = numElements(root->getResult(0));
    SmallVector<Operation *> ops = {root};
    llvm::SmallPtrSet<Operation *, 16> members = {root};
    for (size_t i = 0; i < ops.size(); ++i) {
      for (Value v : ops[i]->getOperands()) {
        Operation *p = v.getDefiningOp();
        if (members.contains(p) || !candidate(p) ||
            !(isElementwise(p) || isIndexOp(p)))
          continue;
        int64_t pCount = numElements(p->getResult(0));
        bool outside = usedOutside(p->getResult(0), members);
        // Used outside: it becomes a result, written at its own index, which
        // needs the loop's iteration count; views stay aliases instead.
        if (outside && (pCount != count || isView(p)))
          continue;
        // Read at a broadcast index, it is recomputed for every use.
        if (pCount < count && recomputeCost(p) > maxBroadcastCost)
          continue;
        SmallVector<Operation *> trial(ops);
        trial.push_back(p);
        if (wouldCycle(trial))
          continue;
        ops.push_back(p);
        members.insert(p);
      }
    }
    unsigned computing =
        llvm::count_if(ops, [](Operation *op) { return !isView(op); });
    if (computing > 1)
      addGroup("elementwise", ops);
  }
}

//===----------------------------------------------------------------------===//
// Rewriting groups into ds.fusion
//===----------------------------------------------------------------------===//

void buildFusion(Group &group, OpBuilder &builder) {
  llvm::SmallPtrSet<Operation *, 16> members(group.ops.begin(),
                                             group.ops.end());
  // Members in block order (deterministic inputs, results and body).
  SmallVector<Operation *> ops(group.ops);
  llvm::sort(ops,
             [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  SmallVector<Value> inputs, results;
  llvm::SmallPtrSet<Value, 16> seenInputs;
  SmallVector<ConstantOp> constants;
  llvm::SmallPtrSet<Operation *, 8> seenConstants;
  for (Operation *op : ops) {
    for (Value v : op->getOperands()) {
      Operation *def = v.getDefiningOp();
      if (def && members.contains(def))
        continue;
      // Constants are compiled into the kernel, except those a contraction
      // reads through a pointer (its operands are kernel parameters).
      auto c = dyn_cast_or_null<ConstantOp>(def);
      if (c && llvm::none_of(c->getUsers(), [&](Operation *u) {
            return members.contains(u) && isContraction(u);
          })) {
        if (seenConstants.insert(c).second)
          constants.push_back(c);
        continue;
      }
      if (seenInputs.insert(v).second)
        inputs.push_back(v);
    }
    for (Value r : op->getResults())
      if (llvm::any_of(r.getUsers(),
                       [&](Operation *u) { return !members.contains(u); }))
        results.push_back(r);
  }
  SmallVector<Location> locs;
  for (Operation *op : ops)
    locs.push_back(op->getLoc());
  Location loc = builder.getFusedLoc(locs);
  builder.setInsertionPointAfter(ops.back());
  auto fusion = FusionOp::create(builder, loc, ValueRange(results).getTypes(),
                                 builder.getStringAttr(group.kind), inputs);
  Block *body = new Block();
  fusion.getBody().push_back(body);
  IRMapping map;
  for (Value v : inputs)
    map.map(v, body->addArgument(v.getType(), v.getLoc()));
  OpBuilder inner = OpBuilder::atBlockEnd(body);
  for (ConstantOp c : constants)
    inner.clone(*c, map);
  for (Operation *op : ops)
    inner.clone(*op, map);
  SmallVector<Value> yielded;
  for (Value r : results)
    yielded.push_back(map.lookup(r));
  YieldOp::create(inner, loc, yielded);
  for (auto [r, f] : llvm::zip(results, fusion.getResults()))
    r.replaceUsesWithIf(
        f, [&](OpOperand &use) { return !members.contains(use.getOwner()); });
  for (Operation *op : llvm::reverse(ops))
    op->erase();
}

//===----------------------------------------------------------------------===//
// Modelled memory traffic
//===----------------------------------------------------------------------===//

struct Traffic {
  int64_t kernels = 0, bytes = 0;
};

/// Each kernel reads each distinct input once and writes each result once.
/// Weights, constants and views are no kernels; constants inside a fusion
/// are compiled into its source.
Traffic measure(func::FuncOp func) {
  Traffic t;
  for (Operation &op : func.getBody().front()) {
    if (isa<func::ReturnOp, WeightOp, ConstantOp>(op) || isView(&op))
      continue;
    if (op.getNumResults() && llvm::all_of(op.getResults(), [](Value r) {
          return numElements(r) == 0;
        }))
      continue;
    ++t.kernels;
    llvm::SmallPtrSet<Value, 8> seen;
    for (Value v : op.getOperands())
      if (seen.insert(v).second)
        t.bytes += byteSize(v);
    for (Value r : op.getResults())
      t.bytes += byteSize(r);
  }
  return t;
}

struct Floor {
  int64_t weights = 0, inputs = 0, outputs = 0;
  int64_t total() const { return weights + inputs + outputs; }
};

Floor measureFloor(func::FuncOp func) {
  Floor f;
  for (BlockArgument a : func.getArguments())
    f.inputs += byteSize(a);
  func.walk([&](WeightOp w) { f.weights += byteSize(w.getResult()); });
  llvm::SmallPtrSet<Value, 8> seen;
  for (Value v : func.getBody().front().getTerminator()->getOperands())
    if (seen.insert(v).second)
      f.outputs += byteSize(v);
  return f;
}

struct FusePass : ds::impl::FusePassBase<FusePass> {
  using FusePassBase::FusePassBase;

  /// Fuses one function; its figures go to `figures` (null when skipped).
  LogicalResult fuseFunction(func::FuncOp func, llvm::json::Object *&figures,
                             llvm::json::Object &storage) {
    figures = nullptr;
    if (func.isExternal())
      return success();
    if (!func.getBody().hasOneBlock())
      return func.emitOpError("unimplemented: ds-fuse on a function with "
                              "more than one block");
    // Only static shapes can be measured and grouped; a dynamic function is
    // left alone (ds-static-shapes comes first in the pipeline).
    bool allStatic = true;
    func.walk([&](Operation *op) {
      if (op != func && !isa<func::ReturnOp>(op) && !isStatic(op))
        allStatic = false;
    });
    for (BlockArgument a : func.getArguments())
      allStatic &= tensorType(a) && tensorType(a).hasStaticShape();
    if (!allStatic) {
      if (report)
        func.emitRemark("ds-fuse: skipped, the function has dynamic shapes");
      return success();
    }
    Block &block = func.getBody().front();
    Traffic before = measure(func);
    Floor floor = measureFloor(func);

    Grouping grouping(block, maxBroadcastCost);
    grouping.run();
    OpBuilder builder(func.getContext());
    unsigned fusions = 0;
    for (Group &g : grouping.groups) {
      if (g.ops.size() < 2)
        continue;
      buildFusion(g, builder);
      ++fusions;
    }
    // Constants now cloned into every fusion that used them.
    for (Operation &op : llvm::make_early_inc_range(block))
      if (isa<ConstantOp>(op) && op.use_empty())
        op.erase();
    // A fusion sits after its last member; users of its results that came
    // earlier move after it (the grouping made no cycle, so an order exists).
    if (!sortTopologically(&block, block.without_terminator()))
      return func.emitOpError(
          "ds-fuse: internal error: fused groups form a cycle");
    Traffic after = measure(func);
    if (report)
      func.emitRemark() << "ds-fuse: " << fusions << " fusions; kernels "
                        << before.kernels << " -> " << after.kernels
                        << "; modelled device-memory bytes per inference "
                        << before.bytes << " -> " << after.bytes << " (floor "
                        << floor.total() << ": weights " << floor.weights
                        << ", inputs " << floor.inputs << ", outputs "
                        << floor.outputs << ")";
    storage = llvm::json::Object{{"function", func.getSymName()},
                                 {"fusions", fusions},
                                 {"kernels_before", before.kernels},
                                 {"kernels_after", after.kernels},
                                 {"bytes_before", before.bytes},
                                 {"bytes_after", after.bytes},
                                 {"floor_bytes", floor.total()},
                                 {"floor_weight_bytes", floor.weights},
                                 {"floor_input_bytes", floor.inputs},
                                 {"floor_output_bytes", floor.outputs}};
    figures = &storage;
    return success();
  }

  void runOnOperation() override {
    // Functions one after the other: the report covers all of them (one per
    // batch bucket).
    llvm::json::Array functions;
    llvm::json::Object totals;
    int64_t sums[6] = {0, 0, 0, 0, 0, 0};
    const char *keys[6] = {"fusions",      "kernels_before", "kernels_after",
                           "bytes_before", "bytes_after",    "floor_bytes"};
    for (func::FuncOp func : getOperation().getOps<func::FuncOp>()) {
      llvm::json::Object storage, *figures;
      if (failed(fuseFunction(func, figures, storage)))
        return signalPassFailure();
      if (!figures)
        continue;
      for (int i = 0; i < 6; ++i)
        sums[i] += *figures->getInteger(keys[i]);
      functions.push_back(std::move(storage));
    }
    if (reportFile.empty())
      return;
    // One function: its figures at the top level; several: the sums there
    // and each function's in "functions".
    llvm::json::Object out;
    if (functions.size() == 1) {
      out = std::move(*functions.front().getAsObject());
    } else {
      for (int i = 0; i < 6; ++i)
        out[keys[i]] = sums[i];
      out["functions"] = std::move(functions);
    }
    std::error_code ec;
    llvm::raw_fd_ostream os(reportFile, ec, llvm::sys::fs::OF_Text);
    if (ec) {
      getOperation().emitError("ds-fuse: cannot write report file '")
          << reportFile << "': " << ec.message();
      return signalPassFailure();
    }
    os << llvm::json::Value(std::move(out)) << "\n";
  }
};

} // namespace
