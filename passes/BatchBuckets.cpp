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

    OpBuilder b(module.getContext());
    SymbolTable symbols(module);
    SmallVector<Attribute> functions;
    SmallVector<int64_t> kept, bytes;
    for (int64_t v : values) {
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
        return signalPassFailure();
      }
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
      bytes.push_back(static_cast<int64_t>(estimate));
    }
    if (kept.empty()) {
      entry.emitError("ds-batch-buckets: no bucket fits the memory limit of ")
          << static_cast<int64_t>(memoryLimit) << " bytes";
      return signalPassFailure();
    }
    NamedAttrList table;
    table.append("entry", b.getStringAttr(entry.getSymName()));
    table.append("dim", b.getStringAttr(dim));
    table.append("values", b.getDenseI64ArrayAttr(kept));
    table.append("functions", b.getArrayAttr(functions));
    table.append("bytes", b.getDenseI64ArrayAttr(bytes));
    module->setAttr("ds.buckets", b.getDictionaryAttr(table));
    entry.erase();
  }
};

} // namespace
