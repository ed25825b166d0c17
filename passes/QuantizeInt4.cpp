//===- QuantizeInt4.cpp - group-wise INT4 weights for matmuls -------------===//
//
// ds-quantize-int4: the float rhs weight of selected matmuls becomes a
// ds.dequantize_int4 of packed nibbles, f16 scales and (asymmetric) zero
// points written to a derived weights file. The math lives in runtime/Int4
// (shared with the reference executor and the tests); this file selects the
// weights, runs calibration for awq and rewrites the IR.
//
//===----------------------------------------------------------------------===//

#include "dialects/DS/DSOps.h"
#include "passes/Passes.h"
#include "passes/ReferenceBridge.h"
#include "passes/WeightStore.h"

#include "runtime/Int4.h"
#include "runtime/Reference.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Regex.h"

#include <memory>

namespace mlir::ds {
#define GEN_PASS_DEF_QUANTIZEINT4PASS
#include "passes/Passes.h.inc"
} // namespace mlir::ds

using namespace mlir;
using namespace mlir::ds;
namespace rt = ::ds::runtime;
namespace int4 = ::ds::runtime::int4;

namespace {

/// A matmul whose rhs is a quantizable weight: `weight` is B [K, N] itself,
/// or its transpose [N, K] when `transpose` is set.
struct Candidate {
  MatmulOp matmul;
  WeightOp weight;
  TransposeOp transpose;
};

/// Why `op` cannot be quantized, or a candidate.
FailureOr<Candidate> matchCandidate(MatmulOp op, std::string &why) {
  Candidate c{op, WeightOp(), TransposeOp()};
  Value rhs = op.getRhs();
  if (auto t = rhs.getDefiningOp<TransposeOp>()) {
    if (t.getPerm() != ArrayRef<int64_t>{1, 0}) {
      why = "rhs is a transpose other than [1, 0]";
      return failure();
    }
    c.transpose = t;
    rhs = t.getInput();
  }
  c.weight = rhs.getDefiningOp<WeightOp>();
  if (!c.weight) {
    why = "rhs is not a weight";
    return failure();
  }
  RankedTensorType type = c.weight.getType();
  if (type.getRank() != 2) {
    why = "weight is not 2-D";
    return failure();
  }
  if (!isa<FloatType>(type.getElementType()) || type.getElementType().isF64()) {
    why = "weight is not f32, f16 or bf16";
    return failure();
  }
  return c;
}

/// Weight values as f32, transposed when needed so that rows are output
/// channels: [N, K].
std::vector<float> rowsOf(const rt::HostTensor &w, bool transposed) {
  int64_t d0 = w.type.shape[0], d1 = w.type.shape[1];
  std::vector<float> out(d0 * d1);
  for (int64_t i = 0; i < d0; ++i)
    for (int64_t j = 0; j < d1; ++j) {
      float v = static_cast<float>(w.getAsDouble(i * d1 + j));
      if (transposed)
        out[i * d1 + j] = v; // already [N, K]
      else
        out[j * d0 + i] = v; // [K, N] -> [N, K]
    }
  return out;
}

template <typename T> std::vector<uint8_t> bytesOf(const std::vector<T> &v) {
  const auto *p = reinterpret_cast<const uint8_t *>(v.data());
  return std::vector<uint8_t>(p, p + v.size() * sizeof(T));
}

/// Runs `func` on the reference executor with `inputs` bound to its
/// arguments and calls `observe(op, operands)` before each op.
LogicalResult interpret(
    func::FuncOp func, const ModuleWeights &weights,
    DenseMap<Value, rt::HostTensor> &values,
    function_ref<void(Operation *, ArrayRef<const rt::HostTensor *>)> observe) {
  for (Operation &op : func.getBody().front()) {
    if (isa<func::ReturnOp>(op))
      break;
    if (auto w = dyn_cast<WeightOp>(op)) {
      FailureOr<rt::HostTensor> t = weights.read(w);
      if (failed(t))
        return failure();
      values[w.getResult()] = std::move(*t);
      continue;
    }
    if (auto c = dyn_cast<ConstantOp>(op)) {
      auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
      std::optional<rt::HostTensor> t =
          dense ? toHostTensor(dense) : std::nullopt;
      if (!t)
        return c.emitOpError("unimplemented: constant in calibration");
      values[c.getResult()] = std::move(*t);
      continue;
    }
    SmallVector<const rt::HostTensor *> operands;
    for (Value v : op.getOperands())
      operands.push_back(&values[v]);
    observe(&op, operands);
    std::vector<rt::HostTensor> results(op.getNumResults());
    std::vector<rt::HostTensor *> resultPtrs;
    for (auto [i, r] : llvm::enumerate(op.getResults())) {
      auto type = cast<RankedTensorType>(r.getType());
      std::optional<rt::DType> dtype = toDType(type.getElementType());
      if (!dtype)
        return op.emitOpError("unimplemented: element type ")
               << type.getElementType() << " in calibration";
      results[i].type.dtype = *dtype;
      for (int64_t d : type.getShape())
        results[i].type.shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
      resultPtrs.push_back(&results[i]);
    }
    rt::RefOp ref = toRefOp(&op);
    rt::Status st = rt::runReferenceOp(
        ref,
        std::vector<const rt::HostTensor *>(operands.begin(), operands.end()),
        resultPtrs);
    if (!st)
      return op.emitOpError("calibration run failed: ") << st.message();
    for (auto [i, r] : llvm::enumerate(op.getResults()))
      values[r] = std::move(results[i]);
  }
  return success();
}

struct QuantizeInt4Pass
    : public mlir::ds::impl::QuantizeInt4PassBase<QuantizeInt4Pass> {
  using QuantizeInt4PassBase::QuantizeInt4PassBase;

  void runOnOperation() override;

private:
  LogicalResult parseOptions(int4::Options &opts);
  /// Activation rows (rows x K, f32) at the lhs of each candidate matmul.
  LogicalResult calibrate(func::FuncOp func, const ModuleWeights &weights,
                          ArrayRef<Candidate> candidates,
                          DenseMap<Operation *, std::vector<float>> &rows);
  bool selected(Candidate &c, std::string &why);

  /// Compiled `include`/`exclude` (shared: passes are copied).
  std::shared_ptr<llvm::Regex> includeRe, excludeRe;
};

LogicalResult QuantizeInt4Pass::parseOptions(int4::Options &opts) {
  ModuleOp module = getOperation();
  if (groupSize < 8 || groupSize % 8 != 0)
    return module.emitError("ds-quantize-int4: group-size must be a positive "
                            "multiple of 8, got ")
           << static_cast<int64_t>(groupSize);
  opts.groupSize = groupSize;
  opts.symmetric = symmetric;
  if (!int4::parseMethod(method, opts.method))
    return module.emitError("ds-quantize-int4: unknown method '")
           << method << "' (expected rtn, search or awq)";
  if (opts.method == int4::Method::Awq && calibration.empty())
    return module.emitError("ds-quantize-int4: method awq needs calibration "
                            "inputs (calibration=name=file.npy)");
  if (calibrationRows < 1)
    return module.emitError("ds-quantize-int4: calibration-rows must be "
                            "positive, got ")
           << static_cast<int64_t>(calibrationRows);
  for (auto [text, re] :
       {std::pair{&include, &includeRe}, std::pair{&exclude, &excludeRe}}) {
    if (text->empty())
      continue;
    llvm::Regex r(*text);
    std::string error;
    if (!r.isValid(error))
      return module.emitError("ds-quantize-int4: invalid regex '")
             << *text << "': " << error;
    *re = std::make_shared<llvm::Regex>(*text);
  }
  return success();
}

bool QuantizeInt4Pass::selected(Candidate &c, std::string &why) {
  RankedTensorType type = c.weight.getType();
  if (type.getNumElements() < minElements) {
    why = llvm::formatv("{0} elements < min-elements={1}",
                        type.getNumElements(), minElements.getValue());
    return false;
  }
  std::string name = c.weight.getName().str();
  std::string node = locationString(c.matmul.getLoc());
  auto matches = [&](const std::shared_ptr<llvm::Regex> &re) {
    return re->match(name) || re->match(node);
  };
  if (includeRe && !matches(includeRe)) {
    why = "not matched by include";
    return false;
  }
  if (excludeRe && matches(excludeRe)) {
    why = "matched by exclude";
    return false;
  }
  return true;
}

LogicalResult
QuantizeInt4Pass::calibrate(func::FuncOp func, const ModuleWeights &weights,
                            ArrayRef<Candidate> candidates,
                            DenseMap<Operation *, std::vector<float>> &rows) {
  // One run per input set: an input named again starts the next set.
  SmallVector<DenseMap<Value, rt::HostTensor>> runs(1);
  for (const std::string &binding : calibration) {
    size_t eq = binding.find('=');
    if (eq == std::string::npos)
      return func.emitError("ds-quantize-int4: calibration entry '")
             << binding << "' is not name=file.npy";
    std::string name = binding.substr(0, eq), path = binding.substr(eq + 1);
    std::optional<unsigned> arg;
    for (unsigned i = 0; i < func.getNumArguments(); ++i) {
      auto attr = func.getArgAttrOfType<StringAttr>(i, "ds.name");
      if ((attr && attr.getValue() == name) || std::to_string(i) == name)
        arg = i;
    }
    if (!arg)
      return func.emitError("ds-quantize-int4: no input named '")
             << name << "' for calibration";
    rt::StatusOr<rt::HostTensor> t = rt::readNpy(path);
    if (!t)
      return func.emitError("ds-quantize-int4: ") << t.status().message();
    auto type = cast<RankedTensorType>(func.getArgument(*arg).getType());
    bool ok = toDType(type.getElementType()) == t->type.dtype &&
              static_cast<int64_t>(t->type.shape.size()) == type.getRank();
    for (int64_t d = 0; ok && d < type.getRank(); ++d)
      ok = type.isDynamicDim(d) || type.getDimSize(d) == t->type.shape[d];
    if (!ok)
      return func.emitError("ds-quantize-int4: calibration input '")
             << name << "' is " << t->type.str() << ", expected " << type;
    if (runs.back().count(func.getArgument(*arg)))
      runs.emplace_back();
    runs.back()[func.getArgument(*arg)] = std::move(*t);
  }
  for (auto [i, values] : llvm::enumerate(runs))
    for (BlockArgument a : func.getArguments())
      if (!values.count(a))
        return func.emitError("ds-quantize-int4: calibration set #")
               << i << " has no input for argument #" << a.getArgNumber();

  llvm::SmallPtrSet<Operation *, 16> wanted;
  for (const Candidate &c : candidates)
    wanted.insert(c.matmul);
  // Rows spread evenly over each run's activation, calibration-rows in all.
  int64_t perRun = std::max<int64_t>(1, calibrationRows / runs.size());
  for (DenseMap<Value, rt::HostTensor> &values : runs)
    if (failed(interpret(
            func, weights, values,
            [&](Operation *op, ArrayRef<const rt::HostTensor *> operands) {
              if (!wanted.contains(op))
                return;
              const rt::HostTensor &x = *operands[0];
              int64_t k = x.type.shape.back();
              int64_t total = k ? x.type.numElements() / k : 0;
              int64_t take = std::min(total, perRun);
              std::vector<float> &out = rows[op];
              size_t base = out.size();
              out.resize(base + take * k);
              for (int64_t i = 0; i < take; ++i) {
                int64_t row = i * total / take;
                for (int64_t j = 0; j < k; ++j)
                  out[base + i * k + j] =
                      static_cast<float>(x.getAsDouble(row * k + j));
              }
            })))
      return failure();
  return success();
}

void QuantizeInt4Pass::runOnOperation() {
  ModuleOp module = getOperation();
  int4::Options opts;
  if (failed(parseOptions(opts)))
    return signalPassFailure();

  // Select the weights.
  SmallVector<std::pair<func::FuncOp, SmallVector<Candidate>>> work;
  unsigned numMatmuls = 0;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal())
      continue;
    SmallVector<Candidate> chosen;
    func.walk([&](MatmulOp op) {
      ++numMatmuls;
      std::string why;
      FailureOr<Candidate> c = matchCandidate(op, why);
      if (succeeded(c) && selected(*c, why)) {
        chosen.push_back(*c);
        return;
      }
      if (report)
        op.emitRemark("ds-quantize-int4: not quantized: ") << why;
    });
    if (!chosen.empty())
      work.emplace_back(func, std::move(chosen));
  }
  if (work.empty()) {
    if (report)
      module.emitRemark("ds-quantize-int4: quantized 0 of ")
          << numMatmuls << " matmul weights";
    return;
  }

  FailureOr<ModuleWeights> weights = ModuleWeights::open(module);
  if (failed(weights))
    return signalPassFailure();
  DerivedWeights derived(module, weightsOut, "int4");
  uint64_t bytesBefore = 0, bytesAfter = 0;
  unsigned numQuantized = 0;
  for (auto &[func, candidates] : work) {
    DenseMap<Operation *, std::vector<float>> calibrationRowsOf;
    if (opts.method == int4::Method::Awq &&
        failed(calibrate(func, *weights, candidates, calibrationRowsOf)))
      return signalPassFailure();

    // Non-awq results depend only on the weight: quantize each weight once.
    DenseMap<std::pair<Operation *, unsigned>, Value> done;
    for (Candidate &c : candidates) {
      MatmulOp mm = c.matmul;
      auto rhsType = cast<RankedTensorType>(mm.getRhs().getType());
      int64_t k = rhsType.getDimSize(0), n = rhsType.getDimSize(1);
      std::pair<Operation *, unsigned> key{c.weight, c.transpose ? 1u : 0u};
      OpBuilder b(mm);
      Location loc = mm.getLoc();
      if (Value cached = done.lookup(key)) {
        mm.getRhsMutable().assign(cached);
        ++numQuantized;
        continue;
      }
      FailureOr<rt::HostTensor> w = weights->read(c.weight);
      if (failed(w))
        return signalPassFailure();
      std::vector<float> rows = rowsOf(*w, bool(c.transpose));
      std::optional<int4::QuantizedMatrix> q;
      std::vector<float> inputScale;
      if (opts.method == int4::Method::Awq) {
        const std::vector<float> &x = calibrationRowsOf[mm];
        rt::StatusOr<int4::AwqResult> r =
            int4::quantizeAwq(rows.data(), n, k, x.data(), x.size() / k, opts);
        if (!r) {
          c.weight.emitOpError("ds-quantize-int4: ") << r.status().message();
          return signalPassFailure();
        }
        q = std::move(r->matrix);
        if (r->alpha > 0)
          inputScale = std::move(r->inputScale);
      } else {
        rt::StatusOr<int4::QuantizedMatrix> r =
            int4::quantize(rows.data(), n, k, opts);
        if (!r) {
          c.weight.emitOpError("ds-quantize-int4: ") << r.status().message();
          return signalPassFailure();
        }
        q = std::move(*r);
      }

      MLIRContext *ctx = &getContext();
      Type u8 = IntegerType::get(ctx, 8, IntegerType::Unsigned);
      std::string base = c.weight.getName().str();
      Location wloc = c.weight.getLoc();
      Value packed = derived.add(
          b, wloc, base, RankedTensorType::get({n, q->bytesPerRow()}, u8),
          q->packed);
      auto groupType = [&](Type elt) {
        return RankedTensorType::get({n, q->groupsPerRow()}, elt);
      };
      Value scales =
          derived.add(b, wloc, base + ".scales",
                      groupType(Float16Type::get(ctx)), bytesOf(q->scales));
      Value zeros;
      if (!opts.symmetric)
        zeros = derived.add(b, wloc, base + ".zeros", groupType(u8), q->zeros);
      Value dq = DequantizeInt4Op::create(b, loc, rhsType, packed, scales,
                                          zeros, opts.groupSize);
      if (!inputScale.empty()) {
        // x * (1/s): the activation side of AWQ's scaling.
        auto lhsType = cast<RankedTensorType>(mm.getLhs().getType());
        Type elt = lhsType.getElementType();
        std::vector<uint8_t> bytes;
        if (elt.isF32()) {
          bytes = bytesOf(inputScale);
        } else {
          std::vector<uint16_t> h;
          for (float v : inputScale)
            h.push_back(elt.isF16() ? rt::floatToHalf(v) : rt::floatToBf16(v));
          bytes = bytesOf(h);
        }
        Value s = derived.add(b, wloc, base + ".awq_scale",
                              RankedTensorType::get({k}, elt), bytes);
        Value xs = MulOp::create(b, loc, lhsType, mm.getLhs(), s);
        mm.getLhsMutable().assign(xs);
      } else {
        done[key] = dq;
      }
      mm.getRhsMutable().assign(dq);
      ++numQuantized;

      uint64_t before = w->bytes.size(), after = q->storedBytes();
      bytesBefore += before;
      bytesAfter += after;
      if (report) {
        std::vector<float> back = int4::dequantize(*q);
        for (int64_t c2 = 0; c2 < k && !inputScale.empty(); ++c2)
          for (int64_t r = 0; r < n; ++r)
            back[r * k + c2] *= inputScale[c2];
        double err =
            int4::relativeRmsError(rows.data(), back.data(), rows.size());
        mm.emitRemark(llvm::formatv(
            "ds-quantize-int4: '{0}' [{1}x{2}] {3} group {4} {5}: relative "
            "RMS error {6:f4}, {7} -> {8} bytes",
            base, k, n, int4::methodName(opts.method), opts.groupSize,
            opts.symmetric ? "symmetric" : "asymmetric", err, before, after));
      }
    }
    // The float weights and transposes that fed only quantized matmuls.
    llvm::SetVector<Operation *> transposes, floatWeights;
    for (Candidate &c : candidates) {
      if (c.transpose)
        transposes.insert(c.transpose);
      floatWeights.insert(c.weight);
    }
    for (auto *set : {&transposes, &floatWeights})
      for (Operation *op : *set)
        if (op->use_empty())
          op->erase();
  }
  if (failed(derived.finish()))
    return signalPassFailure();
  if (report)
    module.emitRemark(llvm::formatv(
        "ds-quantize-int4: quantized {0} of {1} matmul weights, {2} -> {3} "
        "bytes",
        numQuantized, numMatmuls, bytesBefore, bytesAfter));
}

} // namespace
