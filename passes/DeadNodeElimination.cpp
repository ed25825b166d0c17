//===- DeadNodeElimination.cpp - remove dead nodes and no-ops -------------===//

#include "dialects/DS/DSOps.h"
#include "passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/StringExtras.h"

namespace mlir::ds {
#define GEN_PASS_DEF_DEADNODEELIMINATIONPASS
#include "passes/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
using namespace mlir::ds;

namespace {

/// transpose(transpose(x, p), q) -> transpose(x, p o q), or x when the
/// composition is the identity.
struct FoldTransposePair : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto producer = op.getInput().getDefiningOp<TransposeOp>();
    if (!producer)
      return rewriter.notifyMatchFailure(op, "operand is not a transpose");
    ArrayRef<int64_t> inner = producer.getPerm(), outer = op.getPerm();
    SmallVector<int64_t> composed;
    bool identity = true;
    for (auto [i, p] : llvm::enumerate(outer)) {
      composed.push_back(inner[p]);
      identity &= inner[p] == static_cast<int64_t>(i);
    }
    if (identity && producer.getInput().getType() == op.getType()) {
      rewriter.replaceOp(op, producer.getInput());
      return success();
    }
    rewriter.replaceOpWithNewOp<TransposeOp>(op, op.getType(),
                                             producer.getInput(), composed);
    return success();
  }
};

/// Sum of the bytes of the weights a function references.
uint64_t countWeightBytes(func::FuncOp func) {
  uint64_t bytes = 0;
  func.walk([&](WeightOp w) {
    RankedTensorType type = w.getType();
    bytes +=
        (type.getNumElements() * type.getElementType().getIntOrFloatBitWidth() +
         7) /
        8;
  });
  return bytes;
}

struct DeadNodeEliminationPass
    : ds::impl::DeadNodeEliminationPassBase<DeadNodeEliminationPass> {
  using Base::Base;

  /// Drops the function results not named in `outputs`.
  LogicalResult keepOnlyOutputs(func::FuncOp func) {
    if (func.isExternal())
      return success();
    auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    unsigned n = func.getNumResults();
    llvm::BitVector erase(n, true);
    for (const std::string &wanted : outputs) {
      bool found = false;
      for (unsigned i = 0; i < n; ++i) {
        auto name = func.getResultAttrOfType<StringAttr>(i, "ds.name");
        if ((name && name.getValue() == wanted) ||
            wanted == std::to_string(i)) {
          erase.reset(i);
          found = true;
        }
      }
      if (!found) {
        SmallVector<std::string> names;
        for (unsigned i = 0; i < n; ++i) {
          auto name = func.getResultAttrOfType<StringAttr>(i, "ds.name");
          names.push_back(name ? name.str() : std::to_string(i));
        }
        return func.emitError("ds-dead-node-elimination: no output named '")
               << wanted << "' (outputs: " << llvm::join(names, ", ") << ")";
      }
    }
    ret->eraseOperands(erase);
    return func.eraseResults(erase);
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    int64_t nodesBefore = 0;
    func.walk([&](Operation *op) {
      nodesBefore += isa<DSDialect>(op->getDialect());
    });
    uint64_t weightBytesBefore = countWeightBytes(func);
    if (!outputs.empty() && failed(keepOnlyOutputs(func)))
      return signalPassFailure();

    RewritePatternSet patterns(&getContext());
    populateDeadNodeEliminationPatterns(patterns);
    GreedyRewriteConfig config;
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    if (failed(applyPatternsGreedily(func, std::move(patterns), config))) {
      func.emitError("ds-dead-node-elimination did not converge");
      return signalPassFailure();
    }

    if (!report)
      return;
    int64_t nodesAfter = 0;
    func.walk(
        [&](Operation *op) { nodesAfter += isa<DSDialect>(op->getDialect()); });
    uint64_t weightBytesAfter = countWeightBytes(func);
    func.emitRemark() << "ds-dead-node-elimination: removed "
                      << (nodesBefore - nodesAfter) << " of " << nodesBefore
                      << " nodes and " << (weightBytesBefore - weightBytesAfter)
                      << " weight bytes";
  }
};

} // namespace

void mlir::ds::populateDeadNodeEliminationPatterns(
    RewritePatternSet &patterns) {
  patterns.add<FoldTransposePair>(patterns.getContext());
  // The folders of reshape and transpose remove identities and chains; the
  // greedy driver erases ops whose results are unused (all ds ops are pure).
  MLIRContext *ctx = patterns.getContext();
  for (RegisteredOperationName name : ctx->getRegisteredOperations())
    if (name.getDialectNamespace() == DSDialect::getDialectNamespace())
      name.getCanonicalizationPatterns(patterns, ctx);
}
