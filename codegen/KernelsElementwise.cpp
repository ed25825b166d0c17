//===- KernelsElementwise.cpp - Elementwise kernel templates --------------===//
//
// Unary ops, cast, broadcasting binary ops, where and batch_norm: one
// element per thread in a grid-stride loop, broadcast index math unrolled
// with constant strides. Floats (f16/bf16 included) compute in f32; integer
// arithmetic wraps (it goes through the unsigned type) and integer division
// by zero gives 0 instead of trapping; i1 computes as bool.
//
//===----------------------------------------------------------------------===//

#include "codegen/Kernels.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::cuda;

namespace {

/// An integer bound of a clip: the attribute rounded inward and clamped to
/// the range of `k`; nullopt when it cannot clip anything.
std::optional<int64_t> intBound(double v, bool lower, ElementKind k) {
  double lo =
      k.kind == ElementKind::I32 ? -2147483648.0 : -9223372036854775808.0;
  double hi = k.kind == ElementKind::I32 ? 2147483647.0 : 9223372036854775807.0;
  double r = lower ? std::ceil(v) : std::floor(v);
  if (lower ? r <= lo : r >= hi)
    return std::nullopt;
  if (r <= lo)
    return static_cast<int64_t>(lo);
  if (r >= hi)
    return k.kind == ElementKind::I32 ? 2147483647
                                      : std::numeric_limits<int64_t>::max();
  return static_cast<int64_t>(r);
}

std::string intLiteral(int64_t v, ElementKind k) {
  if (k.kind == ElementKind::I64)
    return int64Literal(v);
  if (v == std::numeric_limits<int32_t>::min())
    return "(-2147483647 - 1)";
  return std::to_string(v);
}

} // namespace

void KernelEmitter::emitElementwise(Operation *op, StringRef opName,
                                    ArrayRef<Value> inputs,
                                    ArrayRef<ElementKind> kinds, Value result,
                                    ArrayRef<int64_t> shape,
                                    ElementKind resultKind, StringRef expr) {
  PointwiseKernel k;
  k.opName = opName.str();
  k.inputs.assign(inputs.begin(), inputs.end());
  k.result = result;
  k.resultType = resultKind.storage();
  k.shape.assign(shape.begin(), shape.end());
  std::string body;
  for (auto [idx, v] : llvm::enumerate(inputs)) {
    k.inputTypes.push_back(kinds[idx].storage());
    std::string index = broadcastIndex(v, shape, k.coordinates);
    body += llvm::formatv(
                "    {0} x{1} = {2};\n", kinds[idx].compute(), idx,
                kinds[idx].load(llvm::formatv("in{0}[{1}]", idx, index).str()))
                .str();
  }
  body += "    out[i] = " + resultKind.store(expr) + ";\n";
  k.body = std::move(body);
  emitPointwise(op, k);
}

//===----------------------------------------------------------------------===//
// Unary ops and cast
//===----------------------------------------------------------------------===//

std::string cuda::unaryExpression(Operation *op, ElementKind k) {
  bool f = k.isFloat();
  std::string neg = f ? "-x0" : wrappingOp(k, "0", "-", "x0");
  // Bodies of float-only ops are empty for other kinds (the verifier keeps
  // them out; the check below reports them if it ever changes).
  auto floatOnly = [&](std::string body) { return f ? body : std::string(); };
  std::string body =
      llvm::TypeSwitch<Operation *, std::string>(op)
          .Case([&](NegOp) { return neg; })
          .Case([&](AbsOp) {
            return f ? std::string("fabsf(x0)") : "x0 < 0 ? " + neg + " : x0";
          })
          .Case([&](ExpOp) { return floatOnly("expf(x0)"); })
          .Case([&](CosOp) { return floatOnly("cosf(x0)"); })
          .Case([&](SinOp) { return floatOnly("sinf(x0)"); })
          .Case([&](LogOp) { return floatOnly("logf(x0)"); })
          .Case([&](SqrtOp) { return floatOnly("sqrtf(x0)"); })
          .Case([&](RsqrtOp) { return floatOnly("rsqrtf(x0)"); })
          .Case([&](ReciprocalOp) { return floatOnly("1.0f / x0"); })
          .Case([&](TanhOp) { return floatOnly("tanhf(x0)"); })
          .Case([&](ErfOp) { return floatOnly("erff(x0)"); })
          // `x0 < 0` is false for NaN, so NaN propagates (fmaxf would not).
          .Case([&](ReluOp) { return floatOnly("x0 < 0.0f ? 0.0f : x0"); })
          .Case(
              [&](SigmoidOp) { return floatOnly("1.0f / (1.0f + expf(-x0))"); })
          .Case([&](SiluOp) { return floatOnly("x0 / (1.0f + expf(-x0))"); })
          .Case([&](GeluOp g) {
            if (g.getApproximate() == "tanh")
              return floatOnly(
                  "0.5f * x0 * (1.0f + tanhf(0.7978845608028654f * (x0 + "
                  "0.044715f * x0 * x0 * x0)))");
            return floatOnly(
                "0.5f * x0 * (1.0f + erff(x0 * 0.7071067811865476f))");
          })
          .Case([&](LeakyReluOp l) {
            return floatOnly("x0 < 0.0f ? " +
                             floatLiteral(l.getAlpha().convertToDouble()) +
                             " * x0 : x0");
          })
          .Case([&](HardSigmoidOp h) {
            return floatOnly(
                "fmaxf(0.0f, fminf(1.0f, " +
                floatLiteral(h.getAlpha().convertToDouble()) + " * x0 + " +
                floatLiteral(h.getBeta().convertToDouble()) + "))");
          })
          .Case([&](HardSwishOp) {
            return floatOnly("x0 * fmaxf(0.0f, fminf(1.0f, x0 / 6.0f + 0.5f))");
          })
          .Case([&](ClipOp c) {
            double lo = c.getMin().convertToDouble();
            double hi = c.getMax().convertToDouble();
            std::string e = "x0";
            if (f) {
              // NaN compares false and stays NaN.
              if (!(std::isinf(hi) && hi > 0))
                e = "(x0 > " + floatLiteral(hi) + " ? " + floatLiteral(hi) +
                    " : x0)";
              if (!(std::isinf(lo) && lo < 0))
                e = "(x0 < " + floatLiteral(lo) + " ? " + floatLiteral(lo) +
                    " : " + e + ")";
              return e;
            }
            if (std::optional<int64_t> h = intBound(hi, false, k))
              e = "(x0 > " + intLiteral(*h, k) + " ? " + intLiteral(*h, k) +
                  " : x0)";
            if (std::optional<int64_t> l = intBound(lo, true, k))
              e = "(x0 < " + intLiteral(*l, k) + " ? " + intLiteral(*l, k) +
                  " : " + e + ")";
            return e;
          })
          .Case([&](NotOp) { return std::string("!x0"); })
          .Default([](Operation *) { return std::string(); });
  return body;
}

LogicalResult KernelEmitter::emitUnary(Operation *op) {
  Value input = op->getOperand(0), result = op->getResult(0);
  auto type = cast<RankedTensorType>(result.getType());
  FailureOr<ElementKind> kind = kindOf(op, result);
  if (failed(kind))
    return failure();
  ElementKind k = *kind;
  std::string body = unaryExpression(op, k);
  if (body.empty())
    return op->emitOpError("unimplemented: CUDA emission for element type ")
           << type.getElementType();
  emitElementwise(op, op->getName().stripDialect(), {input}, {k}, result,
                  type.getShape(), k, body);
  return success();
}

LogicalResult KernelEmitter::emitCast(CastOp op) {
  FailureOr<ElementKind> from = kindOf(op, op.getInput());
  FailureOr<ElementKind> to = kindOf(op, op.getResult());
  if (failed(from) || failed(to))
    return failure();
  emitElementwise(op, "cast", {op.getInput()}, {*from}, op.getResult(),
                  op.getType().getShape(), *to,
                  convertCompute("x0", *from, *to));
  return success();
}

//===----------------------------------------------------------------------===//
// Binary ops and where
//===----------------------------------------------------------------------===//

std::string cuda::binaryExpression(Operation *op, ElementKind k) {
  bool f = k.isFloat(), integer = k.isInt();
  auto arith = [&](StringRef o) {
    return f         ? ("x0 " + o + " x1").str()
           : integer ? wrappingOp(k, "x0", o, "x1")
                     : std::string();
  };
  std::string body =
      llvm::TypeSwitch<Operation *, std::string>(op)
          .Case([&](AddOp) { return arith("+"); })
          .Case([&](SubOp) { return arith("-"); })
          .Case([&](MulOp) { return arith("*"); })
          .Case([&](DivOp) {
            if (!integer)
              return arith("/");
            // Defined results where C (and the host) would trap.
            return "x1 == 0 ? 0 : x1 == -1 ? " + wrappingOp(k, "0", "-", "x0") +
                   " : x0 / x1";
          })
          // numpy.maximum/minimum: a NaN operand gives NaN.
          .Case([&](MaxOp) {
            return std::string(f ? "(x1 != x1 || x0 < x1) ? x1 : x0"
                                 : "x0 < x1 ? x1 : x0");
          })
          .Case([&](MinOp) {
            return std::string(f ? "(x1 != x1 || x1 < x0) ? x1 : x0"
                                 : "x1 < x0 ? x1 : x0");
          })
          .Case([&](PowOp) { return f ? "powf(x0, x1)" : ""; })
          .Case([&](PReluOp) { return f ? "x0 < 0.0f ? x1 * x0 : x0" : ""; })
          .Case([&](EqualOp) { return "x0 == x1"; })
          .Case([&](LessOp) { return "x0 < x1"; })
          .Case([&](LessEqualOp) { return "x0 <= x1"; })
          .Case([&](GreaterOp) { return "x0 > x1"; })
          .Case([&](GreaterEqualOp) { return "x0 >= x1"; })
          .Case([&](AndOp) { return "x0 && x1"; })
          .Case([&](OrOp) { return "x0 || x1"; })
          .Case([&](XorOp) { return "x0 != x1"; })
          .Default([](Operation *) { return std::string(); });
  return body;
}

LogicalResult KernelEmitter::emitBinary(Operation *op) {
  Value lhs = op->getOperand(0), rhs = op->getOperand(1);
  Value result = op->getResult(0);
  auto type = cast<RankedTensorType>(result.getType());
  FailureOr<ElementKind> inKind = kindOf(op, lhs);
  FailureOr<ElementKind> outKind = kindOf(op, result);
  if (failed(inKind) || failed(outKind))
    return failure();
  ElementKind k = *inKind;
  std::string body = binaryExpression(op, k);
  if (body.empty())
    return op->emitOpError("unimplemented: CUDA emission for element type ")
           << cast<RankedTensorType>(lhs.getType()).getElementType();
  emitElementwise(op, op->getName().stripDialect(), {lhs, rhs}, {k, k}, result,
                  type.getShape(), *outKind, body);
  return success();
}

LogicalResult KernelEmitter::emitWhere(WhereOp op) {
  FailureOr<ElementKind> kind = kindOf(op, op.getResult());
  if (failed(kind))
    return failure();
  // Values move as stored bits, whatever their type.
  PointwiseKernel k;
  k.opName = "where";
  k.inputs = {op.getCondition(), op.getLhs(), op.getRhs()};
  k.inputTypes = {"unsigned char", kind->storage(), kind->storage()};
  k.result = op.getResult();
  k.resultType = kind->storage();
  ArrayRef<int64_t> shape = op.getType().getShape();
  k.shape.assign(shape.begin(), shape.end());
  SmallVector<std::string> index;
  for (Value v : k.inputs)
    index.push_back(broadcastIndex(v, shape, k.coordinates));
  k.body = llvm::formatv("    out[i] = in0[{0}] != 0 ? in1[{1}] : in2[{2}];\n",
                         index[0], index[1], index[2])
               .str();
  emitPointwise(op, k);
  return success();
}

//===----------------------------------------------------------------------===//
// batch_norm
//===----------------------------------------------------------------------===//

LogicalResult KernelEmitter::emitBatchNorm(BatchNormOp op) {
  FailureOr<ElementKind> kind = kindOf(op, op.getResult());
  if (failed(kind))
    return failure();
  ElementKind e = *kind;
  ArrayRef<int64_t> shape = op.getType().getShape();
  int64_t channels = shape[1];
  int64_t inner = product(shape.drop_front(2));
  // The per-channel parameters are read per element: four cached loads are
  // cheaper than a separate kernel folding them (and need no constants).
  PointwiseKernel k;
  k.opName = "batch_norm";
  k.inputs = {op.getInput(), op.getScale(), op.getBias(), op.getMean(),
              op.getVariance()};
  k.inputTypes.assign(5, e.storage());
  k.result = op.getResult();
  k.resultType = e.storage();
  k.shape.assign(shape.begin(), shape.end());
  k.indexType = indexTypeFor(k.inputs, shape);
  std::string ch = inner == 1 ? "i" : llvm::formatv("i / {0}u", inner).str();
  k.body = llvm::formatv("    const {0} ch = {1} % {2}u;\n", k.indexType, ch,
                         channels)
               .str();
  k.body += "    out[i] = " +
            e.store(e.load("in1[ch]") + " * (" + e.load("in0[i]") + " - " +
                    e.load("in3[ch]") + ") / sqrtf(" + e.load("in4[ch]") +
                    " + " + floatLiteral(op.getEpsilon().convertToDouble()) +
                    ") + " + e.load("in2[ch]")) +
            ";\n";
  emitPointwise(op, k);
  return success();
}
