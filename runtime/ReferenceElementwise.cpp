//===- ReferenceElementwise.cpp - Elementwise reference ops ---------------===//
//
// Unary, binary (numpy broadcasting) and ternary elementwise ops. Float math
// is done in double and rounded once to the result's element type; integer
// math in int64, wrapped to the element type.
//
//===----------------------------------------------------------------------===//

#include "runtime/ReferenceSupport.h"

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

namespace ds::runtime::ref {
namespace {

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

using FloatUnaryFn = double (*)(double);
using IntUnaryFn = int64_t (*)(int64_t);

double fNeg(double x) { return -x; }
double fAbs(double x) { return std::fabs(x); }
double fExp(double x) { return std::exp(x); }
double fCos(double x) { return std::cos(x); }
double fSin(double x) { return std::sin(x); }
double fLog(double x) { return std::log(x); }
double fSqrt(double x) { return std::sqrt(x); }
double fRsqrt(double x) { return 1.0 / std::sqrt(x); }
double fReciprocal(double x) { return 1.0 / x; }
double fTanh(double x) { return std::tanh(x); }
double fErf(double x) { return std::erf(x); }
// `x < 0` is false for NaN, so NaN propagates.
double fRelu(double x) { return x < 0 ? 0.0 : x; }
double fSigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double fSilu(double x) { return x * fSigmoid(x); }
double fHardSwish(double x) {
  return x * std::max(0.0, std::min(1.0, x / 6.0 + 0.5));
}
double fGeluErf(double x) {
  return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
}
double fGeluTanh(double x) {
  const double kPi = 3.14159265358979323846;
  const double k = std::sqrt(2.0 / kPi);
  return 0.5 * x * (1.0 + std::tanh(k * (x + 0.044715 * x * x * x)));
}

// Integer neg/abs wrap (two's complement) rather than invoke UB on INT_MIN.
int64_t iNeg(int64_t x) {
  return static_cast<int64_t>(0 - static_cast<uint64_t>(x));
}
int64_t iAbs(int64_t x) { return x < 0 ? iNeg(x) : x; }
int64_t iRelu(int64_t x) { return x < 0 ? 0 : x; }

/// Applies `f` (float element types) or `i` (i32/i64, when given).
template <typename F>
Status mapUnary(const RefOp &op, const HostTensor &x, HostTensor &r, F f,
                IntUnaryFn i = nullptr) {
  DType dt = x.type.dtype;
  if (isFloatType(dt)) {
    DS_RETURN_IF_ERROR(setResult(op, r, x.type));
    std::vector<double> v = toDoubles(x);
    for (double &e : v)
      e = f(e);
    fromDoubles(r, v);
    return Status::ok();
  }
  if (i && isIntType(dt)) {
    DS_RETURN_IF_ERROR(setResult(op, r, x.type));
    std::vector<int64_t> v = toInts(x);
    for (int64_t &e : v)
      e = i(e);
    fromInts(r, v);
    return Status::ok();
  }
  return unsupportedType(op, dt);
}

template <FloatUnaryFn F, IntUnaryFn I = nullptr>
Status unaryOp(const RefOp &op, const Operands &in, const Results &out) {
  return mapUnary(op, *in[0], *out[0], F, I);
}

Status geluOp(const RefOp &op, const Operands &in, const Results &out) {
  std::string mode;
  DS_RETURN_IF_ERROR(
      strAttr(op, "approximate", "none", {"none", "tanh"}, mode));
  return mapUnary(op, *in[0], *out[0], mode == "none" ? fGeluErf : fGeluTanh);
}

Status leakyReluOp(const RefOp &op, const Operands &in, const Results &out) {
  double alpha = 0;
  DS_RETURN_IF_ERROR(floatAttr(op, "alpha", 0.01, alpha));
  return mapUnary(op, *in[0], *out[0],
                  [alpha](double x) { return x < 0 ? alpha * x : x; });
}

Status hardSigmoidOp(const RefOp &op, const Operands &in, const Results &out) {
  double alpha = 0, beta = 0;
  DS_RETURN_IF_ERROR(floatAttr(op, "alpha", 0.2, alpha));
  DS_RETURN_IF_ERROR(floatAttr(op, "beta", 0.5, beta));
  return mapUnary(op, *in[0], *out[0], [alpha, beta](double x) {
    return std::max(0.0, std::min(1.0, alpha * x + beta));
  });
}

/// clip: bounds default to -inf/+inf; integers clamp to the integer range of
/// the bounds (ceil(min), floor(max)). NaN inputs stay NaN.
Status clipOp(const RefOp &op, const Operands &in, const Results &out) {
  const double inf = std::numeric_limits<double>::infinity();
  double lo = 0, hi = 0;
  DS_RETURN_IF_ERROR(floatAttr(op, "min", -inf, lo));
  DS_RETURN_IF_ERROR(floatAttr(op, "max", inf, hi));
  const HostTensor &x = *in[0];
  HostTensor &r = *out[0];
  if (isIntType(x.type.dtype)) {
    DS_RETURN_IF_ERROR(setResult(op, r, x.type));
    std::vector<int64_t> v = toInts(x);
    for (int64_t &e : v) {
      if (static_cast<double>(e) < lo)
        e = static_cast<int64_t>(std::ceil(lo));
      if (static_cast<double>(e) > hi)
        e = static_cast<int64_t>(std::floor(hi));
    }
    fromInts(r, v);
    return Status::ok();
  }
  return mapUnary(op, x, r, [lo, hi](double v) {
    if (v < lo)
      return lo;
    return v > hi ? hi : v;
  });
}

Status notOp(const RefOp &op, const Operands &in, const Results &out) {
  const HostTensor &x = *in[0];
  if (x.type.dtype != DType::I1)
    return unsupportedType(op, x.type.dtype);
  DS_RETURN_IF_ERROR(setResult(op, *out[0], x.type));
  for (size_t i = 0; i < x.bytes.size(); ++i)
    out[0]->bytes[i] = x.bytes[i] == 0;
  return Status::ok();
}

bool isCastable(DType t) {
  return isFloatType(t) || isIntType(t) || t == DType::I1;
}

/// cast: the target is the declared result element type. Float to integer
/// truncates toward zero and saturates (NaN gives 0); integer to narrower
/// integer wraps; anything to i1 is `!= 0`.
Status castOp(const RefOp &op, const Operands &in, const Results &out) {
  const HostTensor &x = *in[0];
  HostTensor &r = *out[0];
  DType to = r.type.dtype;
  if (!isCastable(x.type.dtype) || !isCastable(to))
    return opError(op, std::string("unsupported cast from ") +
                           dtypeName(x.type.dtype) + " to " + dtypeName(to));
  DS_RETURN_IF_ERROR(setResult(op, r, TensorType{to, x.type.shape}));
  if (isFloatType(x.type.dtype))
    fromDoubles(r, toDoubles(x));
  else
    fromInts(r, toInts(x));
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops, numpy broadcasting
//===----------------------------------------------------------------------===//

Status broadcastResultShape(const RefOp &op, const TensorType &a,
                            const TensorType &b, Shape &shape) {
  std::optional<Shape> s = broadcastShapes(a.shape, b.shape);
  if (!s)
    return opError(op, "operand shapes " + a.str() + " and " + b.str() +
                           " are not broadcast-compatible");
  shape = *s;
  return Status::ok();
}

Status sameElementType(const RefOp &op, const HostTensor &a,
                       const HostTensor &b) {
  if (a.type.dtype != b.type.dtype)
    return opError(op, std::string("operand element types differ: ") +
                           dtypeName(a.type.dtype) + " vs " +
                           dtypeName(b.type.dtype));
  return Status::ok();
}

/// r[i] = fn(a[ia], b[ib]) over the broadcast `shape`.
template <typename T, typename R, typename Fn>
void broadcastApply(const Shape &shape, const std::vector<T> &a,
                    const Shape &aShape, const std::vector<T> &b,
                    const Shape &bShape, std::vector<R> &r, Fn fn) {
  r.resize(static_cast<size_t>(product(shape)));
  std::array<Shape, 2> strides = {broadcastStrides(aShape, shape),
                                  broadcastStrides(bShape, shape)};
  forEachIndex(shape, strides,
               [&](int64_t i, const std::array<int64_t, 2> &off) {
                 r[i] = fn(a[off[0]], b[off[1]]);
               });
}

using FloatBinaryFn = double (*)(double, double);
/// Integer kernel; returns false when the operation is undefined (x / 0).
using IntBinaryFn = bool (*)(int64_t, int64_t, int64_t &);

double fAdd(double a, double b) { return a + b; }
double fSub(double a, double b) { return a - b; }
double fMul(double a, double b) { return a * b; }
double fDiv(double a, double b) { return a / b; }
// numpy.maximum/minimum: a NaN in either operand gives NaN.
double fMax(double a, double b) {
  return std::isnan(a) || std::isnan(b)
             ? std::numeric_limits<double>::quiet_NaN()
             : std::max(a, b);
}
double fMin(double a, double b) {
  return std::isnan(a) || std::isnan(b)
             ? std::numeric_limits<double>::quiet_NaN()
             : std::min(a, b);
}
double fPrelu(double x, double slope) { return x < 0 ? slope * x : x; }

// Integer add/sub/mul wrap (two's complement) rather than invoke UB.
bool iAdd(int64_t a, int64_t b, int64_t &r) {
  r = static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
  return true;
}
bool iSub(int64_t a, int64_t b, int64_t &r) {
  r = static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
  return true;
}
bool iMul(int64_t a, int64_t b, int64_t &r) {
  r = static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
  return true;
}
/// Truncating division, as C, CUDA and ONNX Div on integers.
bool iDiv(int64_t a, int64_t b, int64_t &r) {
  if (b == 0 || (a == std::numeric_limits<int64_t>::min() && b == -1))
    return false;
  r = a / b;
  return true;
}
bool iMax(int64_t a, int64_t b, int64_t &r) {
  r = std::max(a, b);
  return true;
}
bool iMin(int64_t a, int64_t b, int64_t &r) {
  r = std::min(a, b);
  return true;
}

template <FloatBinaryFn F, IntBinaryFn I = nullptr>
Status binaryOp(const RefOp &op, const Operands &in, const Results &out) {
  const HostTensor &a = *in[0], &b = *in[1];
  HostTensor &r = *out[0];
  DS_RETURN_IF_ERROR(sameElementType(op, a, b));
  DType dt = a.type.dtype;
  bool asFloat = isFloatType(dt);
  if (!asFloat && !(I != nullptr && isIntType(dt)))
    return unsupportedType(op, dt);
  Shape shape;
  DS_RETURN_IF_ERROR(broadcastResultShape(op, a.type, b.type, shape));
  DS_RETURN_IF_ERROR(setResult(op, r, TensorType{dt, shape}));
  if (asFloat) {
    std::vector<double> rv;
    broadcastApply(shape, toDoubles(a), a.type.shape, toDoubles(b),
                   b.type.shape, rv, F);
    fromDoubles(r, rv);
    return Status::ok();
  }
  if constexpr (I != nullptr) {
    bool undefined = false;
    std::vector<int64_t> rv;
    broadcastApply(shape, toInts(a), a.type.shape, toInts(b), b.type.shape, rv,
                   [&](int64_t x, int64_t y) {
                     int64_t v = 0;
                     if (!I(x, y, v))
                       undefined = true;
                     return v;
                   });
    if (undefined)
      return opError(op, "integer division by zero or overflow");
    fromInts(r, rv);
  }
  return Status::ok();
}

/// pow: float base; the exponent may be any numeric type (read as double).
Status powOp(const RefOp &op, const Operands &in, const Results &out) {
  const HostTensor &a = *in[0], &b = *in[1];
  if (!isFloatType(a.type.dtype))
    return unsupportedType(op, a.type.dtype, "the base");
  if (!isFloatType(b.type.dtype) && !isIntType(b.type.dtype))
    return unsupportedType(op, b.type.dtype, "the exponent");
  Shape shape;
  DS_RETURN_IF_ERROR(broadcastResultShape(op, a.type, b.type, shape));
  DS_RETURN_IF_ERROR(setResult(op, *out[0], TensorType{a.type.dtype, shape}));
  std::vector<double> rv;
  broadcastApply(shape, toDoubles(a), a.type.shape, toDoubles(b), b.type.shape,
                 rv, [](double x, double y) { return std::pow(x, y); });
  fromDoubles(*out[0], rv);
  return Status::ok();
}

/// Comparisons: numeric operands of one element type (i1 too where
/// `AllowI1`), i1 result. Floats compare exactly in double (widening keeps
/// order), integers in int64.
template <typename Cmp, bool AllowI1 = false>
Status compareOp(const RefOp &op, const Operands &in, const Results &out) {
  const HostTensor &a = *in[0], &b = *in[1];
  DS_RETURN_IF_ERROR(sameElementType(op, a, b));
  DType dt = a.type.dtype;
  bool asInt = isIntType(dt) || (AllowI1 && dt == DType::I1);
  if (!isFloatType(dt) && !asInt)
    return unsupportedType(op, dt);
  Shape shape;
  DS_RETURN_IF_ERROR(broadcastResultShape(op, a.type, b.type, shape));
  DS_RETURN_IF_ERROR(setResult(op, *out[0], TensorType{DType::I1, shape}));
  std::vector<uint8_t> rv;
  auto cmp = [](auto x, auto y) { return static_cast<uint8_t>(Cmp()(x, y)); };
  if (asInt)
    broadcastApply(shape, toInts(a), a.type.shape, toInts(b), b.type.shape, rv,
                   cmp);
  else
    broadcastApply(shape, toDoubles(a), a.type.shape, toDoubles(b),
                   b.type.shape, rv, cmp);
  if (!rv.empty())
    std::memcpy(out[0]->bytes.data(), rv.data(), rv.size());
  return Status::ok();
}

/// and/or/xor on i1.
template <typename Logic>
Status logicOp(const RefOp &op, const Operands &in, const Results &out) {
  const HostTensor &a = *in[0], &b = *in[1];
  if (a.type.dtype != DType::I1 || b.type.dtype != DType::I1)
    return opError(op, "operands must be i1, got " + a.type.str() + " and " +
                           b.type.str());
  Shape shape;
  DS_RETURN_IF_ERROR(broadcastResultShape(op, a.type, b.type, shape));
  DS_RETURN_IF_ERROR(setResult(op, *out[0], TensorType{DType::I1, shape}));
  std::vector<uint8_t> rv;
  broadcastApply(shape, toInts(a), a.type.shape, toInts(b), b.type.shape, rv,
                 [](int64_t x, int64_t y) {
                   return static_cast<uint8_t>(Logic()(x != 0, y != 0));
                 });
  if (!rv.empty())
    std::memcpy(out[0]->bytes.data(), rv.data(), rv.size());
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Ternary: where
//===----------------------------------------------------------------------===//

/// where(cond, x, y): any element type for x and y; bytes move verbatim.
Status whereOp(const RefOp &op, const Operands &in, const Results &out) {
  const HostTensor &c = *in[0], &x = *in[1], &y = *in[2];
  if (c.type.dtype != DType::I1)
    return opError(op, "condition must be i1, got " + c.type.str());
  DS_RETURN_IF_ERROR(sameElementType(op, x, y));
  Shape xy, shape;
  DS_RETURN_IF_ERROR(broadcastResultShape(op, x.type, y.type, xy));
  std::optional<Shape> s = broadcastShapes(c.type.shape, xy);
  if (!s)
    return opError(op, "condition " + c.type.str() +
                           " does not broadcast with " + shapeStr(xy));
  shape = *s;
  HostTensor &r = *out[0];
  DS_RETURN_IF_ERROR(setResult(op, r, TensorType{x.type.dtype, shape}));
  size_t elem = dtypeSize(x.type.dtype);
  std::array<Shape, 3> strides = {broadcastStrides(c.type.shape, shape),
                                  broadcastStrides(x.type.shape, shape),
                                  broadcastStrides(y.type.shape, shape)};
  forEachIndex(shape, strides, [&](int64_t i, const std::array<int64_t, 3> &o) {
    const uint8_t *src = c.bytes[o[0]] != 0 ? x.bytes.data() + o[1] * elem
                                            : y.bytes.data() + o[2] * elem;
    std::memcpy(r.bytes.data() + i * elem, src, elem);
  });
  return Status::ok();
}

} // namespace

std::vector<OpEntry> elementwiseOps() {
  return {
      // Unary.
      {"neg", 1, 1, 1, unaryOp<fNeg, iNeg>},
      {"abs", 1, 1, 1, unaryOp<fAbs, iAbs>},
      {"exp", 1, 1, 1, unaryOp<fExp>},
      {"cos", 1, 1, 1, unaryOp<fCos>},
      {"sin", 1, 1, 1, unaryOp<fSin>},
      {"log", 1, 1, 1, unaryOp<fLog>},
      {"sqrt", 1, 1, 1, unaryOp<fSqrt>},
      {"rsqrt", 1, 1, 1, unaryOp<fRsqrt>},
      {"reciprocal", 1, 1, 1, unaryOp<fReciprocal>},
      {"tanh", 1, 1, 1, unaryOp<fTanh>},
      {"erf", 1, 1, 1, unaryOp<fErf>},
      {"relu", 1, 1, 1, unaryOp<fRelu, iRelu>},
      {"sigmoid", 1, 1, 1, unaryOp<fSigmoid>},
      {"silu", 1, 1, 1, unaryOp<fSilu>},
      {"gelu", 1, 1, 1, geluOp},
      {"leaky_relu", 1, 1, 1, leakyReluOp},
      {"hard_sigmoid", 1, 1, 1, hardSigmoidOp},
      {"hard_swish", 1, 1, 1, unaryOp<fHardSwish>},
      {"clip", 1, 1, 1, clipOp},
      {"not", 1, 1, 1, notOp},
      {"cast", 1, 1, 1, castOp},
      // Binary.
      {"add", 2, 2, 1, binaryOp<fAdd, iAdd>},
      {"sub", 2, 2, 1, binaryOp<fSub, iSub>},
      {"mul", 2, 2, 1, binaryOp<fMul, iMul>},
      {"div", 2, 2, 1, binaryOp<fDiv, iDiv>},
      {"max", 2, 2, 1, binaryOp<fMax, iMax>},
      {"min", 2, 2, 1, binaryOp<fMin, iMin>},
      {"pow", 2, 2, 1, powOp},
      {"prelu", 2, 2, 1, binaryOp<fPrelu>},
      {"equal", 2, 2, 1, compareOp<std::equal_to<>, true>},
      {"less", 2, 2, 1, compareOp<std::less<>>},
      {"less_equal", 2, 2, 1, compareOp<std::less_equal<>>},
      {"greater", 2, 2, 1, compareOp<std::greater<>>},
      {"greater_equal", 2, 2, 1, compareOp<std::greater_equal<>>},
      {"and", 2, 2, 1, logicOp<std::logical_and<>>},
      {"or", 2, 2, 1, logicOp<std::logical_or<>>},
      {"xor", 2, 2, 1, logicOp<std::not_equal_to<>>},
      // Ternary.
      {"where", 3, 3, 1, whereOp},
  };
}

} // namespace ds::runtime::ref
