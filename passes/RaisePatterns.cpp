//===- RaisePatterns.cpp - raise exporter patterns to ds ops --------------===//

#include "dialects/DS/DSOps.h"
#include "passes/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir::ds {
#define GEN_PASS_DEF_RAISEPATTERNSPASS
#include "passes/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
using namespace mlir::ds;

namespace {

/// True when `v` is a splat ds.constant within 1e-4 relative of `expected`.
bool isSplatConstant(Value v, double expected) {
  auto c = v.getDefiningOp<ConstantOp>();
  if (!c)
    return false;
  auto dense = dyn_cast<DenseFPElementsAttr>(c.getValue());
  if (!dense || !dense.isSplat())
    return false;
  double got = dense.getSplatValue<APFloat>().convertToDouble();
  return std::abs(got - expected) <= 1e-4 * std::abs(expected);
}

/// If `v` is `op(a, b)` of type OpTy with one operand satisfying `isConst`,
/// returns the other operand.
template <typename OpTy, typename Pred>
Value matchWithConstant(Value v, Pred isConst) {
  auto op = v.getDefiningOp<OpTy>();
  if (!op)
    return {};
  if (isConst(op.getRhs()))
    return op.getLhs();
  if (OpTy::template hasTrait<mlir::OpTrait::IsCommutative>() &&
      isConst(op.getLhs()))
    return op.getRhs();
  return {};
}

/// Matches `1 + erf(x / sqrt(2))` (or `x * (1/sqrt(2))`); returns x.
Value matchErfTerm(Value v) {
  Value erfValue = matchWithConstant<AddOp>(
      v, [](Value c) { return isSplatConstant(c, 1.0); });
  auto erf = erfValue ? erfValue.getDefiningOp<ErfOp>() : ErfOp();
  if (!erf || !erfValue.hasOneUse())
    return {};
  Value scaled = erf.getInput();
  if (!scaled.hasOneUse())
    return {};
  if (Value x = matchWithConstant<DivOp>(
          scaled, [](Value c) { return isSplatConstant(c, std::sqrt(2.0)); }))
    return x;
  return matchWithConstant<MulOp>(
      scaled, [](Value c) { return isSplatConstant(c, std::sqrt(0.5)); });
}

/// x * 0.5 * (1 + erf(x / sqrt(2))) -> gelu(x), rooted at the outer mul.
struct RaiseErfGelu : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MulOp root,
                                PatternRewriter &rewriter) const override {
    auto half = [](Value c) { return isSplatConstant(c, 0.5); };
    // Form A: (x * (1 + erf(..))) * 0.5
    if (Value inner = matchWithConstant<MulOp>(root.getResult(), half)) {
      auto mul = inner.getDefiningOp<MulOp>();
      if (mul && inner.hasOneUse())
        for (auto [x, term] : {std::pair(mul.getLhs(), mul.getRhs()),
                               std::pair(mul.getRhs(), mul.getLhs())})
          if (term.hasOneUse() && matchErfTerm(term) == x)
            return replace(root, x, rewriter);
    }
    // Form B: (x * 0.5) * (1 + erf(..))
    for (auto [halfX, term] : {std::pair(root.getLhs(), root.getRhs()),
                               std::pair(root.getRhs(), root.getLhs())}) {
      Value x = matchWithConstant<MulOp>(halfX, half);
      if (x && halfX.hasOneUse() && term.hasOneUse() && matchErfTerm(term) == x)
        return replace(root, x, rewriter);
    }
    return rewriter.notifyMatchFailure(root, "not an erf GELU");
  }

  LogicalResult replace(MulOp root, Value x, PatternRewriter &rewriter) const {
    if (x.getType() != root.getType())
      return rewriter.notifyMatchFailure(root, "GELU input is broadcast");
    rewriter.replaceOpWithNewOp<GeluOp>(root, root.getType(), x,
                                        rewriter.getStringAttr("none"));
    return success();
  }
};

/// x * sigmoid(x) -> silu(x).
struct RaiseSilu : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MulOp root,
                                PatternRewriter &rewriter) const override {
    for (auto [x, s] : {std::pair(root.getLhs(), root.getRhs()),
                        std::pair(root.getRhs(), root.getLhs())}) {
      auto sigmoid = s.getDefiningOp<SigmoidOp>();
      if (sigmoid && sigmoid.getInput() == x && s.hasOneUse() &&
          x.getType() == root.getType()) {
        rewriter.replaceOpWithNewOp<SiluOp>(root, root.getType(), x);
        return success();
      }
    }
    return rewriter.notifyMatchFailure(root, "not x * sigmoid(x)");
  }
};

struct RaisePatternsPass : ds::impl::RaisePatternsPassBase<RaisePatternsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateRaisePatterns(patterns);
    GreedyRewriteConfig config;
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      return signalPassFailure();
  }
};

} // namespace

void mlir::ds::populateRaisePatterns(RewritePatternSet &patterns) {
  patterns.add<RaiseErfGelu, RaiseSilu>(patterns.getContext());
}
