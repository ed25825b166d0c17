//===- BatchBuckets.cpp - one static function per bucket ------------------===//

#include "dialects/DS/DSOps.h"
#include "passes/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::ds {
#define GEN_PASS_DEF_BATCHBUCKETSPASS
#include "passes/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
using namespace mlir::ds;

namespace {

uint64_t bytesOf(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  if (!t || !t.hasStaticShape())
    return 0;
  unsigned bits = std::max(8u, t.getElementType().getIntOrFloatBitWidth());
  return static_cast<uint64_t>(t.getNumElements()) * bits / 8;
}

/// Weights (each name once) plus every argument and op result: what the
/// bucket needs on the device without any buffer reuse.
uint64_t estimateBytes(func::FuncOp func) {
  uint64_t total = 0;
  llvm::StringSet<> weights;
  for (BlockArgument a : func.getArguments())
    total += bytesOf(a.getType());
  func.walk([&](Operation *op) {
    if (auto w = dyn_cast<WeightOp>(op)) {
      if (weights.insert(w.getName()).second)
        total += bytesOf(w.getType());
      return;
    }
    for (Value r : op->getResults())
      total += bytesOf(r.getType());
  });
  return total;
}

/// The axis of each result that follows the bucket dim (-1: none): the one
/// axis whose size differs between buckets and equals the bucket's value.
/// With one bucket, a probe specialized at value + 1 (then erased) gives the
/// second shape. Anything else (a result dim of 2 * batch, or several dims
/// that follow it) cannot be sliced back to the real batch: an error.
FailureOr<SmallVector<int64_t>>
findResultAxes(func::FuncOp entry, StringRef dim, ArrayRef<int64_t> values,
               ArrayRef<func::FuncOp> funcs,
               llvm::function_ref<func::FuncOp(int64_t)> specialize) {
  SmallVector<int64_t> probeValues(values);
  SmallVector<ArrayRef<Type>> resultTypes;
  for (func::FuncOp f : funcs)
    resultTypes.push_back(f.getFunctionType().getResults());
  func::FuncOp probe;
  if (funcs.size() == 1) {
    probe = specialize(values.front() + 1);
    if (!probe)
      return failure();
    probeValues.push_back(values.front() + 1);
    resultTypes.push_back(probe.getFunctionType().getResults());
  }
  SmallVector<int64_t> axes;
  LogicalResult result = success();
  for (unsigned r = 0; r < resultTypes.front().size(); ++r) {
    auto first = cast<RankedTensorType>(resultTypes.front()[r]);
    SmallVector<int64_t> varying;
    for (unsigned d = 0; d < first.getRank(); ++d)
      if (llvm::any_of(resultTypes, [&](ArrayRef<Type> types) {
            return cast<RankedTensorType>(types[r]).getDimSize(d) !=
                   first.getDimSize(d);
          }))
        varying.push_back(d);
    bool follows =
        varying.size() == 1 &&
        llvm::all_of(llvm::seq<size_t>(0, resultTypes.size()), [&](size_t i) {
          return cast<RankedTensorType>(resultTypes[i][r])
                     .getDimSize(varying.front()) == probeValues[i];
        });
    if (!varying.empty() && !follows) {
      entry.emitError("ds-batch-buckets: unimplemented: result #")
          << r << " changes with '" << dim << "' other than along one dim of "
          << "size " << dim << " (" << first << " for " << dim << "="
          << probeValues.front() << ", " << resultTypes.back()[r] << " for "
          << dim << "=" << probeValues.back()
          << "); its real size cannot be sliced out of a padded bucket";
      result = failure();
    }
    axes.push_back(varying.empty() ? -1 : varying.front());
  }
  if (probe)
    probe.erase();
  if (failed(result))
    return failure();
  return axes;
}

struct BatchBucketsPass
    : public mlir::ds::impl::BatchBucketsPassBase<BatchBucketsPass> {
  using BatchBucketsPassBase::BatchBucketsPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // "batch:1", "2", "4" (the list option splits at commas).
    std::string dim;
    SmallVector<int64_t> values;
    for (const std::string &item : buckets) {
      StringRef text(item);
      if (text.contains(':')) {
        if (!dim.empty()) {
          module.emitError("ds-batch-buckets: one bucketed dim is supported, "
                           "got '")
              << dim << "' and '" << text.split(':').first << "'";
          return signalPassFailure();
        }
        auto [name, first] = text.split(':');
        dim = name.trim().str();
        text = first;
      }
      int64_t v;
      if (dim.empty() || text.trim().getAsInteger(10, v) || v <= 0) {
        module.emitError("ds-batch-buckets: bad bucket '")
            << item << "', expected name:v1,v2,... with values > 0";
        return signalPassFailure();
      }
      values.push_back(v);
    }
    if (values.empty())
      return; // Nothing asked.
    llvm::sort(values);
    values.erase(std::unique(values.begin(), values.end()), values.end());

    SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
    func::FuncOp entry;
    for (func::FuncOp f : funcs)
      if (f.getSymName() == "main")
        entry = f;
    if (!entry && funcs.size() == 1)
      entry = funcs.front();
    if (!entry || entry.isDeclaration()) {
      module.emitError("ds-batch-buckets: expected a function named @main or "
                       "exactly one function, found ")
          << funcs.size();
      return signalPassFailure();
    }
    bool named = false;
    for (unsigned i = 0; i < entry.getNumArguments(); ++i)
      if (auto dims = entry.getArgAttrOfType<ArrayAttr>(i, "ds.dims"))
        for (Attribute d : dims)
          if (auto s = dyn_cast<StringAttr>(d); s && s.getValue() == dim)
            named = true;
    if (!named) {
      entry.emitError("ds-batch-buckets: no input dim is named '")
          << dim << "' (ds.dims)";
      return signalPassFailure();
    }

    // The axis of each input that the bucket dim names (-1: none).
    SmallVector<int64_t> inputAxes;
    for (unsigned i = 0; i < entry.getNumArguments(); ++i) {
      int64_t axis = -1;
      if (auto dims = entry.getArgAttrOfType<ArrayAttr>(i, "ds.dims"))
        for (auto [d, attr] : llvm::enumerate(dims)) {
          auto s = dyn_cast<StringAttr>(attr);
          if (!s || s.getValue() != dim)
            continue;
          if (axis >= 0) {
            entry.emitError("ds-batch-buckets: unimplemented: input #")
                << i << " has the bucket dim '" << dim << "' twice";
            return signalPassFailure();
          }
          axis = static_cast<int64_t>(d);
        }
      inputAxes.push_back(axis);
    }

    OpBuilder b(module.getContext());
    SymbolTable symbols(module);
    // A static clone of the entry for dim = v, inserted before it.
    auto specialize = [&](int64_t v) -> func::FuncOp {
      auto clone = cast<func::FuncOp>(entry->clone());
      std::string name =
          (entry.getSymName() + "_" + dim + "_" + std::to_string(v)).str();
      clone.setSymName(name);
      b.setInsertionPoint(entry);
      b.insert(clone);
      OpPassManager pm(func::FuncOp::getOperationName());
      StaticShapesPassOptions shapes;
      shapes.bind.push_back(dim + "=" + std::to_string(v));
      shapes.bind.append(bind.begin(), bind.end());
      pm.addPass(createStaticShapesPass(shapes));
      pm.addPass(createDeadNodeEliminationPass());
      if (failed(runPipeline(pm, clone))) {
        clone.emitError("ds-batch-buckets: bucket ")
            << dim << "=" << v << " cannot be made static";
        return func::FuncOp();
      }
      return clone;
    };
    SmallVector<Attribute> functions;
    SmallVector<int64_t> kept, bytes;
    SmallVector<func::FuncOp> keptFuncs;
    for (int64_t v : values) {
      func::FuncOp clone = specialize(v);
      if (!clone)
        return signalPassFailure();
      uint64_t estimate = estimateBytes(clone);
      if (memoryLimit > 0 && estimate > static_cast<uint64_t>(memoryLimit)) {
        entry.emitWarning("ds-batch-buckets: bucket ")
            << dim << "=" << v << " needs an estimated " << estimate
            << " bytes, over the memory limit of "
            << static_cast<int64_t>(memoryLimit) << "; dropped";
        clone.erase();
        continue;
      }
      symbols.insert(clone);
      functions.push_back(FlatSymbolRefAttr::get(clone.getSymNameAttr()));
      kept.push_back(v);
      keptFuncs.push_back(clone);
      bytes.push_back(static_cast<int64_t>(estimate));
    }
    if (kept.empty()) {
      entry.emitError("ds-batch-buckets: no bucket fits the memory limit of ")
          << static_cast<int64_t>(memoryLimit) << " bytes";
      return signalPassFailure();
    }
    FailureOr<SmallVector<int64_t>> resultAxes =
        findResultAxes(entry, dim, kept, keptFuncs, specialize);
    if (failed(resultAxes))
      return signalPassFailure();
    NamedAttrList table;
    table.append("entry", b.getStringAttr(entry.getSymName()));
    table.append("dim", b.getStringAttr(dim));
    table.append("values", b.getDenseI64ArrayAttr(kept));
    table.append("functions", b.getArrayAttr(functions));
    table.append("bytes", b.getDenseI64ArrayAttr(bytes));
    table.append("input_axes", b.getDenseI64ArrayAttr(inputAxes));
    table.append("result_axes", b.getDenseI64ArrayAttr(*resultAxes));
    module->setAttr("ds.buckets", b.getDictionaryAttr(table));
    entry.erase();
  }
};

} // namespace
