//===- StaticShapes.cpp - bind symbolic dims, infer and fold shapes -------===//

#include "dialects/DS/DSOps.h"
#include "dialects/DS/DSTypeInference.h"
#include "passes/Passes.h"
#include "passes/ReferenceBridge.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringExtras.h"

#include <map>
#include <set>

namespace mlir::ds {
#define GEN_PASS_DEF_STATICSHAPESPASS
#include "passes/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
using namespace mlir::ds;

namespace {

/// Parsed `bind` option.
struct Bindings {
  std::map<std::string, int64_t> byName;
  /// (input name or argument number, dim) -> value.
  std::map<std::pair<std::string, int64_t>, int64_t> byPosition;
};

LogicalResult parseBindings(func::FuncOp func, ArrayRef<std::string> specs,
                            Bindings &out) {
  for (const std::string &spec : specs) {
    StringRef text(spec);
    auto [lhs, rhs] = text.split('=');
    int64_t value;
    if (rhs.empty() || rhs.trim().getAsInteger(10, value) || value < 0)
      return func.emitError("ds-static-shapes: bad binding '")
             << spec << "', expected name=N, input[dim]=N or argnum[dim]=N";
    lhs = lhs.trim();
    if (lhs.ends_with("]")) {
      auto [name, dim] = lhs.drop_back().split('[');
      int64_t d;
      if (dim.getAsInteger(10, d) || d < 0)
        return func.emitError("ds-static-shapes: bad dim in binding '")
               << spec << "'";
      out.byPosition[{name.str(), d}] = value;
    } else {
      out.byName[lhs.str()] = value;
    }
  }
  return success();
}

/// Binds the argument types; fails on bindings that name nothing.
LogicalResult bindArguments(func::FuncOp func, const Bindings &bindings) {
  std::set<std::string> usedNames;
  std::set<std::pair<std::string, int64_t>> usedPositions;
  std::set<std::string> knownNames;
  SmallVector<Type> argTypes;
  for (BlockArgument arg : func.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type) {
      argTypes.push_back(arg.getType());
      continue;
    }
    unsigned n = arg.getArgNumber();
    std::string argName;
    if (auto a = func.getArgAttrOfType<StringAttr>(n, "ds.name"))
      argName = a.str();
    auto dimNames = func.getArgAttrOfType<ArrayAttr>(n, "ds.dims");
    SmallVector<int64_t> shape(type.getShape());
    for (int64_t d = 0; d < type.getRank(); ++d) {
      std::string dimName;
      if (dimNames && d < static_cast<int64_t>(dimNames.size()))
        if (auto s = dyn_cast<StringAttr>(dimNames[d]))
          dimName = s.str();
      if (!dimName.empty())
        knownNames.insert(dimName);
      std::optional<int64_t> value;
      for (const std::string &key : {argName, std::to_string(n)}) {
        auto it = bindings.byPosition.find({key, d});
        if (!key.empty() && it != bindings.byPosition.end()) {
          value = it->second;
          usedPositions.insert({key, d});
        }
      }
      if (!value && !dimName.empty()) {
        auto it = bindings.byName.find(dimName);
        if (it != bindings.byName.end()) {
          value = it->second;
          usedNames.insert(dimName);
        }
      }
      if (!value)
        continue;
      if (!ShapedType::isDynamic(shape[d]) && shape[d] != *value)
        return func.emitError("ds-static-shapes: binding dim ")
               << d << " of input '"
               << (argName.empty() ? std::to_string(n) : argName) << "' to "
               << *value << " contradicts its static size " << shape[d];
      shape[d] = *value;
    }
    auto newType = RankedTensorType::get(shape, type.getElementType());
    arg.setType(newType);
    argTypes.push_back(newType);
  }
  for (const auto &[name, value] : bindings.byName)
    if (!usedNames.count(name))
      return func.emitError("ds-static-shapes: no input dim is named '")
             << name << "' (named dims: "
             << (knownNames.empty() ? "none" : llvm::join(knownNames, ", "))
             << ")";
  for (const auto &[key, value] : bindings.byPosition)
    if (!usedPositions.count(key))
      return func.emitError("ds-static-shapes: binding ")
             << key.first << "[" << key.second
             << "] names no dynamic input dim";
  func.setType(FunctionType::get(func.getContext(), argTypes,
                                 func.getFunctionType().getResults()));
  return success();
}

/// Joins a current and an inferred shape: static wins; conflicts fail.
FailureOr<SmallVector<int64_t>> joinShapes(ArrayRef<int64_t> current,
                                           ArrayRef<int64_t> inferred) {
  if (current.size() != inferred.size())
    return failure();
  SmallVector<int64_t> out;
  for (auto [a, b] : llvm::zip(current, inferred)) {
    if (!areDimsCompatible(a, b))
      return failure();
    out.push_back(ShapedType::isDynamic(a) ? b : a);
  }
  return out;
}

struct StaticShapesPass
    : mlir::ds::impl::StaticShapesPassBase<StaticShapesPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    Bindings bindings;
    if (failed(parseBindings(func, bind, bindings)) ||
        failed(bindArguments(func, bindings)))
      return signalPassFailure();

    // Propagate to a fixed point: each round refines types and folds
    // constant subgraphs; a fold can make new shapes known.
    for (int round = 0; round < 64; ++round) {
      bool changed = false;
      if (failed(propagate(func, changed)))
        return signalPassFailure();
      if (!changed)
        break;
    }

    // Reshapes with a static target drop their shape operand, and dead
    // shape subgraphs disappear.
    RewritePatternSet patterns(&getContext());
    populateDeadNodeEliminationPatterns(patterns);
    GreedyRewriteConfig config;
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    if (failed(applyPatternsGreedily(func, std::move(patterns), config)))
      return signalPassFailure();

    auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    func.setType(FunctionType::get(&getContext(),
                                   func.getFunctionType().getInputs(),
                                   ret.getOperandTypes()));
    if (allowDynamic)
      return;
    bool failedAny = false;
    func.walk([&](Operation *op) {
      for (OpResult r : op->getResults()) {
        auto type = dyn_cast<RankedTensorType>(r.getType());
        if (!type || type.hasStaticShape())
          continue;
        SmallVector<std::string> dims;
        for (auto [i, d] : llvm::enumerate(type.getShape()))
          if (ShapedType::isDynamic(d))
            dims.push_back(std::to_string(i));
        op->emitOpError("ds-static-shapes: cannot determine dim ")
            << llvm::join(dims, ", ") << " of result #" << r.getResultNumber()
            << " (" << type
            << "); bind the input dims it depends on (bind=name=N)";
        failedAny = true;
      }
    });
    for (BlockArgument arg : func.getArguments())
      if (auto t = dyn_cast<RankedTensorType>(arg.getType());
          t && !t.hasStaticShape()) {
        func.emitError("ds-static-shapes: input #")
            << arg.getArgNumber() << " (" << t
            << ") still has dynamic dims; bind them (bind=name=N or "
               "input[dim]=N)";
        failedAny = true;
      }
    if (failedAny)
      signalPassFailure();
  }

  LogicalResult propagate(func::FuncOp func, bool &changed) {
    OpBuilder builder(func.getContext());
    for (Operation &opRef :
         llvm::make_early_inc_range(func.getBody().front())) {
      Operation *op = &opRef;
      // A ds.fusion is formed after static shapes (its types are final).
      if (!isa<DSDialect>(op->getDialect()) ||
          isa<ConstantOp, WeightOp, FusionOp>(op) || op->getNumResults() != 1)
        continue;
      SmallVector<Attribute> constants;
      SmallVector<DenseElementsAttr> dense;
      int64_t inputElements = 0;
      for (Value v : op->getOperands()) {
        DenseElementsAttr attr;
        if (matchPattern(v, m_Constant(&attr))) {
          constants.push_back(attr);
          dense.push_back(attr);
          inputElements += attr.getNumElements();
        } else {
          constants.push_back({});
        }
      }
      // Shape.
      auto type = cast<RankedTensorType>(op->getResult(0).getType());
      SmallVector<int64_t> inferred;
      std::string error;
      if (failed(inferResultShape(op, constants, inferred, error)))
        return op->emitOpError("ds-static-shapes: ") << error;
      FailureOr<SmallVector<int64_t>> joined =
          joinShapes(type.getShape(), inferred);
      if (failed(joined))
        return op->emitOpError("ds-static-shapes: inferred shape ")
               << shapeToString(inferred) << " contradicts the result type "
               << type;
      if (ArrayRef<int64_t>(*joined) != type.getShape()) {
        op->getResult(0).setType(
            RankedTensorType::get(*joined, type.getElementType()));
        changed = true;
        type = cast<RankedTensorType>(op->getResult(0).getType());
      }
      // auto_pad / output_shape become explicit pads once the spatial dims
      // are known.
      if (isa<ConvOp, ConvTransposeOp, MaxPoolOp, AvgPoolOp>(op) &&
          (op->hasAttr("auto_pad") || op->hasAttr("output_shape")))
        if (std::optional<SmallVector<int64_t>> pads = resolveWindowPads(op)) {
          op->setAttr("pads", builder.getDenseI64ArrayAttr(*pads));
          op->removeAttr("auto_pad");
          op->removeAttr("output_shape");
          changed = true;
        }
      // The op's own folder first (e.g. ds.shape of a static tensor).
      SmallVector<OpFoldResult> folded;
      if (succeeded(op->fold(constants, folded)) && folded.size() == 1)
        if (auto attr = dyn_cast_if_present<Attribute>(folded[0]))
          if (auto value = dyn_cast<DenseElementsAttr>(attr);
              value && value.getType() == type) {
            builder.setInsertionPoint(op);
            auto c = ConstantOp::create(builder, op->getLoc(), value);
            op->getResult(0).replaceAllUsesWith(c.getResult());
            op->erase();
            changed = true;
            continue;
          }
      // Fold: every operand constant, result static and small.
      if (dense.size() != op->getNumOperands() || op->getNumOperands() == 0 ||
          !type.hasStaticShape())
        continue;
      int64_t limit = std::max<int64_t>(foldLimit, 0);
      if (type.getNumElements() > limit ||
          type.getNumElements() > std::max<int64_t>(inputElements, 64))
        continue;
      FailureOr<DenseElementsAttr> value = evaluateOp(op, dense, error);
      if (failed(value))
        continue; // Not foldable here (e.g. unsupported type); keep the op.
      builder.setInsertionPoint(op);
      auto c = ConstantOp::create(builder, op->getLoc(), *value);
      op->getResult(0).replaceAllUsesWith(c.getResult());
      op->erase();
      changed = true;
    }
    return success();
  }
};

} // namespace
