//===- FoldConstants.cpp - evaluate weight subgraphs at compile time ------===//

#include "dialects/DS/DSOps.h"
#include "passes/Passes.h"
#include "passes/ReferenceBridge.h"
#include "passes/WeightStore.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>

namespace mlir::ds {
#define GEN_PASS_DEF_FOLDCONSTANTSPASS
#include "passes/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
using namespace mlir::ds;
namespace rt = ::ds::runtime;

namespace {

bool isConstantValue(Value v) {
  return isa_and_nonnull<WeightOp, ConstantOp>(v.getDefiningOp());
}

uint64_t byteSizeOf(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  if (!t || !t.hasStaticShape())
    return 0;
  unsigned bits = t.getElementType().getIntOrFloatBitWidth();
  return static_cast<uint64_t>(t.getNumElements()) * std::max(8u, bits) / 8;
}

/// Sum of the sizes of the distinct weights a module references.
uint64_t weightBytes(ModuleOp module, unsigned *count = nullptr) {
  llvm::StringMap<uint64_t> sizes;
  module.walk(
      [&](WeightOp w) { sizes[w.getName()] = byteSizeOf(w.getType()); });
  uint64_t total = 0;
  for (const auto &e : sizes)
    total += e.second;
  if (count)
    *count = sizes.size();
  return total;
}

/// A rank-0 `ds.constant` holding `value` in float type `elementType`.
Value createSplat(OpBuilder &b, Location loc, Type elementType, double value) {
  auto type = RankedTensorType::get({}, elementType);
  auto ft = cast<FloatType>(elementType);
  APFloat f(value);
  bool lost;
  f.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
  return ConstantOp::create(b, loc, DenseElementsAttr::get(type, f));
}

Value reshapeTo(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> shape) {
  auto type = RankedTensorType::get(
      shape, cast<RankedTensorType>(v.getType()).getElementType());
  return ReshapeOp::create(b, loc, TypeRange{type}, ValueRange{v}).getResult();
}

/// Folds batch_norm after conv / rank-2 matmul into the producer's weight
/// and bias by building the constant subgraph that computes them; the
/// folding loop then evaluates it. Returns the number folded.
unsigned foldBatchNorms(func::FuncOp func) {
  SmallVector<BatchNormOp> norms;
  func.walk([&](BatchNormOp bn) { norms.push_back(bn); });
  unsigned folded = 0;
  for (BatchNormOp bn : norms) {
    Operation *producer = bn.getInput().getDefiningOp();
    if (!producer || !producer->hasOneUse() ||
        !llvm::all_of(ValueRange{bn.getScale(), bn.getBias(), bn.getMean(),
                                 bn.getVariance()},
                      isConstantValue))
      continue;
    auto conv = dyn_cast<ConvOp>(producer);
    auto matmul = dyn_cast<MatmulOp>(producer);
    if (conv && !(isConstantValue(conv.getWeight()) &&
                  (!conv.getBias() || isConstantValue(conv.getBias()))))
      continue;
    if (matmul &&
        !(isConstantValue(matmul.getRhs()) &&
          cast<RankedTensorType>(matmul.getRhs().getType()).getRank() == 2 &&
          cast<RankedTensorType>(matmul.getType()).getRank() == 2))
      continue;
    if (!conv && !matmul)
      continue;

    OpBuilder b(producer);
    Location loc = bn.getLoc();
    auto chanType = cast<RankedTensorType>(bn.getScale().getType());
    Type et = chanType.getElementType();
    // s = scale / sqrt(var + eps)
    Value eps = createSplat(b, loc, et, bn.getEpsilon().convertToDouble());
    Value sum = AddOp::create(b, loc, chanType, bn.getVariance(), eps);
    Value root = SqrtOp::create(b, loc, chanType, sum);
    Value s = DivOp::create(b, loc, chanType, bn.getScale(), root);
    // b' = (b - mean) * s + beta
    Value shifted =
        conv && conv.getBias()
            ? SubOp::create(b, loc, chanType, conv.getBias(), bn.getMean())
                  .getResult()
            : NegOp::create(b, loc, chanType, bn.getMean()).getResult();
    Value scaled = MulOp::create(b, loc, chanType, shifted, s);
    Value newBias = AddOp::create(b, loc, chanType, scaled, bn.getBias());

    if (conv) {
      auto wType = cast<RankedTensorType>(conv.getWeight().getType());
      SmallVector<int64_t> shape(wType.getRank(), 1);
      shape[0] = wType.getDimSize(0);
      Value sr = reshapeTo(b, loc, s, shape);
      Value newW = MulOp::create(b, loc, wType, conv.getWeight(), sr);
      Operation *clone = b.clone(*conv);
      clone->setOperand(1, newW);
      if (conv.getBias())
        clone->setOperand(2, newBias);
      else
        clone->insertOperands(2, {newBias});
      clone->setLoc(FusedLoc::get(b.getContext(), {conv.getLoc(), loc}));
      bn.getResult().replaceAllUsesWith(clone->getResult(0));
    } else {
      auto wType = cast<RankedTensorType>(matmul.getRhs().getType());
      Value newW = MulOp::create(b, loc, wType, matmul.getRhs(), s);
      Operation *clone = b.clone(*matmul);
      clone->setOperand(1, newW);
      b.setInsertionPointAfter(clone);
      Value y =
          AddOp::create(b, loc, bn.getType(), clone->getResult(0), newBias);
      bn.getResult().replaceAllUsesWith(y);
    }
    bn.erase();
    producer->erase();
    ++folded;
  }
  return folded;
}

struct FoldConstantsPass
    : public mlir::ds::impl::FoldConstantsPassBase<FoldConstantsPass> {
  using FoldConstantsPassBase::FoldConstantsPassBase;

  void runOnOperation() override;

private:
  /// The value of a weight or constant op; derived weights come from
  /// `derivedValues` (not on disk until the end).
  FailureOr<std::shared_ptr<rt::HostTensor>> valueOf(Value v);
  /// Identity of an op applied to constant operands, to share folds.
  std::string foldKey(Operation *op);

  std::optional<ModuleWeights> files;
  std::optional<DerivedWeights> derived;
  llvm::StringMap<std::shared_ptr<rt::HostTensor>> derivedValues;
  llvm::StringMap<std::string> foldedNames; ///< fold key -> weight name
};

FailureOr<std::shared_ptr<rt::HostTensor>> FoldConstantsPass::valueOf(Value v) {
  if (auto c = v.getDefiningOp<ConstantOp>()) {
    auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
    std::optional<rt::HostTensor> t =
        dense ? toHostTensor(dense) : std::nullopt;
    if (!t)
      return failure();
    return std::make_shared<rt::HostTensor>(std::move(*t));
  }
  auto w = v.getDefiningOp<WeightOp>();
  auto it = derivedValues.find(w.getName());
  if (it != derivedValues.end())
    return it->second;
  if (!files) {
    FailureOr<ModuleWeights> opened = ModuleWeights::open(getOperation());
    if (failed(opened))
      return failure();
    files = std::move(*opened);
  }
  FailureOr<rt::HostTensor> t = files->read(w);
  if (failed(t))
    return failure();
  return std::make_shared<rt::HostTensor>(std::move(*t));
}

std::string FoldConstantsPass::foldKey(Operation *op) {
  std::string key;
  llvm::raw_string_ostream os(key);
  os << op->getName() << "|" << op->getResult(0).getType() << "|";
  if (Attribute props = op->getPropertiesAsAttribute())
    os << props;
  os << op->getDiscardableAttrDictionary() << "|";
  for (Value v : op->getOperands()) {
    if (auto w = v.getDefiningOp<WeightOp>())
      os << "w:" << w.getName() << "," << w.getType() << ";";
    else
      os << "c:" << v.getDefiningOp<ConstantOp>().getValue() << ";";
  }
  return key;
}

void FoldConstantsPass::runOnOperation() {
  ModuleOp module = getOperation();
  unsigned weightsBefore = 0;
  uint64_t bytesBefore = weightBytes(module, &weightsBefore);
  derived.emplace(module, weightsOut, "folded");

  unsigned batchNorms = 0, foldedOps = 0, newConstants = 0, skipped = 0,
           shared = 0;
  uint64_t skippedBytes = 0;
  for (func::FuncOp func : module.getOps<func::FuncOp>()) {
    if (func.isDeclaration())
      continue;
    if (foldBatchNorm)
      batchNorms += foldBatchNorms(func);
    // Folding erases the weights and constants it consumes, so only the
    // other ops are listed up front.
    SmallVector<Operation *> ops;
    for (Operation &op : func.getBody().front())
      if (!isa<WeightOp, ConstantOp>(op))
        ops.push_back(&op);
    for (Operation *op : ops) {
      if (op->getNumResults() != 1 || op->getNumOperands() == 0 ||
          !isPure(op) ||
          op->getDialect() != op->getContext()->getLoadedDialect("ds") ||
          !llvm::all_of(op->getOperands(), isConstantValue))
        continue;
      auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
      if (!type || !type.hasStaticShape() || !toDType(type.getElementType()))
        continue;
      uint64_t inBytes = 0;
      for (Value v : op->getOperands())
        inBytes += byteSizeOf(v.getType());
      uint64_t outBytes = byteSizeOf(type);
      bool small = type.getNumElements() <= inlineLimit;
      if (!small && outBytes > 1024 &&
          static_cast<double>(outBytes) >
              maxGrowth * static_cast<double>(inBytes)) {
        ++skipped;
        skippedBytes += outBytes;
        continue;
      }

      OpBuilder b(op);
      std::string key = small ? "" : foldKey(op);
      Value replacement;
      if (!small && foldedNames.count(key)) {
        replacement = WeightOp::create(b, op->getLoc(), type, foldedNames[key]);
        ++shared;
      } else {
        SmallVector<std::shared_ptr<rt::HostTensor>> values;
        SmallVector<const rt::HostTensor *> operands;
        for (Value v : op->getOperands()) {
          FailureOr<std::shared_ptr<rt::HostTensor>> t = valueOf(v);
          if (failed(t))
            return signalPassFailure();
          values.push_back(*t);
          operands.push_back(values.back().get());
        }
        std::string error;
        FailureOr<rt::HostTensor> result = evaluateOp(op, operands, error);
        if (failed(result)) {
          // Not foldable by the reference kernels: leave it to codegen.
          op->emitRemark("ds-fold-constants: not folded: ") << error;
          continue;
        }
        if (small) {
          replacement = ConstantOp::create(
              b, op->getLoc(), toElementsAttr(*result, type.getElementType()));
          ++newConstants;
        } else {
          std::string hint = "fold";
          if (auto w = op->getOperand(0).getDefiningOp<WeightOp>())
            hint = w.getName().str();
          // A fold of a fold keeps the original weight's name.
          if (StringRef(hint).starts_with("folded."))
            hint = hint.substr(7);
          std::vector<uint8_t> bytes = result->bytes;
          WeightOp w =
              derived->add(b, op->getLoc(), hint, type, std::move(bytes));
          derivedValues[w.getName()] =
              std::make_shared<rt::HostTensor>(std::move(*result));
          foldedNames[key] = w.getName().str();
          replacement = w;
        }
      }
      ++foldedOps;
      SmallVector<Operation *> producers;
      for (Value v : op->getOperands())
        producers.push_back(v.getDefiningOp());
      op->getResult(0).replaceAllUsesWith(replacement);
      op->erase();
      for (Operation *p : producers)
        if (p->use_empty())
          p->erase();
    }
  }
  if (failed(derived->finish()))
    return signalPassFailure();

  if (report) {
    unsigned weightsAfter = 0;
    uint64_t bytesAfter = weightBytes(module, &weightsAfter);
    module.emitRemark() << "ds-fold-constants: folded " << foldedOps << " ops ("
                        << batchNorms << " batch_norm, " << shared
                        << " shared), " << newConstants << " new constants, "
                        << derived->size() << " new weights; not materialized "
                        << skipped << " ops (" << skippedBytes
                        << " bytes); weights " << weightsBefore << " ("
                        << bytesBefore << " bytes) -> " << weightsAfter << " ("
                        << bytesAfter << " bytes)";
  }
}

} // namespace
