//===- Reference.cpp - CPU reference executor for ds ops ------------------===//
//
// Ops are grouped by category (elementwise binary, elementwise unary, matmul,
// normalization, layout), each category with its shared helpers, and reached
// through one dispatch table at the end of the file. Adding an op means adding
// a kernel function in its category and one row to the table.
//
//===----------------------------------------------------------------------===//

#include "runtime/Reference.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

using namespace ds::runtime;

namespace {

using Operands = std::vector<const HostTensor *>;
using Results = std::vector<HostTensor *>;

//===----------------------------------------------------------------------===//
// Diagnostics and element access
//===----------------------------------------------------------------------===//

/// Error naming the op and its source location.
Status opError(const RefOp &op, const std::string &message) {
  std::string text = "reference op '" + op.op + "'";
  if (!op.location.empty())
    text += " at " + op.location;
  return Status::error(text + ": " + message);
}

std::string shapeStr(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

bool isFloatType(DType t) {
  return t == DType::F32 || t == DType::F16 || t == DType::BF16 ||
         t == DType::F64;
}

bool isIntType(DType t) { return t == DType::I32 || t == DType::I64; }

/// Checks that the tensor's byte vector matches its type.
Status checkStorage(const RefOp &op, const HostTensor &t, const char *what,
                    size_t index) {
  for (int64_t d : t.type.shape)
    if (d < 0)
      return opError(op, std::string(what) + " #" + std::to_string(index) +
                             " has a negative dimension: " + t.type.str());
  if (t.bytes.size() != t.type.byteSize())
    return opError(op, std::string(what) + " #" + std::to_string(index) +
                           " holds " + std::to_string(t.bytes.size()) +
                           " bytes but " + t.type.str() + " needs " +
                           std::to_string(t.type.byteSize()));
  return Status::ok();
}

double loadFloat(const uint8_t *base, DType t, int64_t i) {
  switch (t) {
  case DType::F32: {
    float v;
    std::memcpy(&v, base + i * 4, 4);
    return v;
  }
  case DType::F64: {
    double v;
    std::memcpy(&v, base + i * 8, 8);
    return v;
  }
  case DType::F16: {
    uint16_t v;
    std::memcpy(&v, base + i * 2, 2);
    return halfToFloat(v);
  }
  case DType::BF16: {
    uint16_t v;
    std::memcpy(&v, base + i * 2, 2);
    return bf16ToFloat(v);
  }
  default:
    return 0.0; // Callers check isFloatType first.
  }
}

void storeFloat(uint8_t *base, DType t, int64_t i, double value) {
  switch (t) {
  case DType::F32: {
    float v = static_cast<float>(value);
    std::memcpy(base + i * 4, &v, 4);
    return;
  }
  case DType::F64:
    std::memcpy(base + i * 8, &value, 8);
    return;
  case DType::F16: {
    uint16_t v = floatToHalf(static_cast<float>(value));
    std::memcpy(base + i * 2, &v, 2);
    return;
  }
  case DType::BF16: {
    uint16_t v = floatToBf16(static_cast<float>(value));
    std::memcpy(base + i * 2, &v, 2);
    return;
  }
  default:
    return;
  }
}

int64_t loadInt(const uint8_t *base, DType t, int64_t i) {
  if (t == DType::I32) {
    int32_t v;
    std::memcpy(&v, base + i * 4, 4);
    return v;
  }
  int64_t v;
  std::memcpy(&v, base + i * 8, 8);
  return v;
}

void storeInt(uint8_t *base, DType t, int64_t i, int64_t value) {
  if (t == DType::I32) {
    // Two's-complement wrap, as the kernels' 32-bit arithmetic does.
    int32_t v = static_cast<int32_t>(static_cast<uint32_t>(value));
    std::memcpy(base + i * 4, &v, 4);
    return;
  }
  std::memcpy(base + i * 8, &value, 8);
}

/// The whole tensor widened to double (float element types only).
std::vector<double> toDoubles(const HostTensor &t) {
  int64_t n = t.type.numElements();
  std::vector<double> v(n);
  for (int64_t i = 0; i < n; ++i)
    v[i] = loadFloat(t.bytes.data(), t.type.dtype, i);
  return v;
}

void fromDoubles(HostTensor &t, const std::vector<double> &v) {
  for (size_t i = 0; i < v.size(); ++i)
    storeFloat(t.bytes.data(), t.type.dtype, static_cast<int64_t>(i), v[i]);
}

/// Row-major strides in elements.
std::vector<int64_t> rowMajorStrides(const std::vector<int64_t> &shape) {
  std::vector<int64_t> strides(shape.size());
  int64_t s = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

int64_t product(const std::vector<int64_t> &shape, size_t begin, size_t end) {
  int64_t n = 1;
  for (size_t i = begin; i < end; ++i)
    n *= shape[i];
  return n;
}

/// Checks that a result was pre-sized with the type the op computes.
Status expectResultType(const RefOp &op, const HostTensor &result,
                        const TensorType &expected) {
  if (result.type != expected)
    return opError(op, "result type " + result.type.str() +
                           " does not match the computed type " +
                           expected.str());
  return Status::ok();
}

/// Visits every index of `shape` in row-major order, calling
/// fn(linearIndex, offsets) where offsets[k] = sum_d index[d] * strides[k][d].
/// Zero strides express broadcasting. Runs once for rank 0, never for an
/// empty shape.
template <size_t N, typename Fn>
void forEachIndex(const std::vector<int64_t> &shape,
                  const std::array<std::vector<int64_t>, N> &strides, Fn fn) {
  int64_t total = product(shape, 0, shape.size());
  if (total == 0)
    return;
  size_t rank = shape.size();
  std::vector<int64_t> index(rank, 0);
  std::array<int64_t, N> offsets{};
  for (int64_t linear = 0; linear < total; ++linear) {
    fn(linear, offsets);
    // Increment the multi-index, carrying into outer dimensions.
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < shape[d]) {
        for (size_t k = 0; k < N; ++k)
          offsets[k] += strides[k][d];
        break;
      }
      for (size_t k = 0; k < N; ++k)
        offsets[k] -= strides[k][d] * (shape[d] - 1);
      index[d] = 0;
    }
  }
}

//===----------------------------------------------------------------------===//
// Broadcasting
//===----------------------------------------------------------------------===//

/// numpy broadcasting of two shapes; nullopt when incompatible.
std::optional<std::vector<int64_t>>
broadcastShapes(const std::vector<int64_t> &a, const std::vector<int64_t> &b) {
  size_t rank = std::max(a.size(), b.size());
  std::vector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return std::nullopt;
    out[i] = da == 1 ? db : da;
  }
  return out;
}

/// Element strides of `shape` read as if broadcast to `outShape` (which it
/// must broadcast to): right-aligned, 0 for broadcast dimensions.
std::vector<int64_t> broadcastStrides(const std::vector<int64_t> &shape,
                                      const std::vector<int64_t> &outShape) {
  std::vector<int64_t> strides(outShape.size(), 0);
  std::vector<int64_t> own = rowMajorStrides(shape);
  size_t lead = outShape.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i)
    strides[lead + i] = shape[i] == 1 ? 0 : own[i];
  return strides;
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops: add sub mul div max min pow
//===----------------------------------------------------------------------===//

using FloatBinaryFn = double (*)(double, double);
/// Integer kernel; returns false when the operation is undefined (x / 0).
using IntBinaryFn = bool (*)(int64_t, int64_t, int64_t &);

double fAdd(double a, double b) { return a + b; }
double fSub(double a, double b) { return a - b; }
double fMul(double a, double b) { return a * b; }
double fDiv(double a, double b) { return a / b; }
double fPow(double a, double b) { return std::pow(a, b); }
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
  DType dt = a.type.dtype;
  if (b.type.dtype != dt)
    return opError(op, std::string("operand element types differ: ") +
                           dtypeName(dt) + " vs " + dtypeName(b.type.dtype));
  bool asFloat = isFloatType(dt);
  if (!asFloat && !(I != nullptr && isIntType(dt)))
    return opError(op,
                   std::string("unsupported element type ") + dtypeName(dt));
  std::optional<std::vector<int64_t>> shape =
      broadcastShapes(a.type.shape, b.type.shape);
  if (!shape)
    return opError(op, "operand shapes " + a.type.str() + " and " +
                           b.type.str() + " are not broadcast-compatible");
  DS_RETURN_IF_ERROR(expectResultType(op, r, TensorType{dt, *shape}));

  std::array<std::vector<int64_t>, 2> strides = {
      broadcastStrides(a.type.shape, *shape),
      broadcastStrides(b.type.shape, *shape)};
  const uint8_t *pa = a.bytes.data(), *pb = b.bytes.data();
  uint8_t *pr = r.bytes.data();
  if (asFloat) {
    forEachIndex(
        *shape, strides, [&](int64_t i, const std::array<int64_t, 2> &off) {
          storeFloat(pr, dt, i,
                     F(loadFloat(pa, dt, off[0]), loadFloat(pb, dt, off[1])));
        });
    return Status::ok();
  }
  if constexpr (I != nullptr) {
    bool undefined = false;
    forEachIndex(*shape, strides,
                 [&](int64_t i, const std::array<int64_t, 2> &off) {
                   int64_t v = 0;
                   if (!I(loadInt(pa, dt, off[0]), loadInt(pb, dt, off[1]), v))
                     undefined = true;
                   storeInt(pr, dt, i, v);
                 });
    if (undefined)
      return opError(op, "integer division by zero or overflow");
  }
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Elementwise unary ops: neg exp sqrt rsqrt tanh erf relu sigmoid silu gelu
//===----------------------------------------------------------------------===//

using FloatUnaryFn = double (*)(double);
using IntUnaryFn = int64_t (*)(int64_t);

double fNeg(double x) { return -x; }
double fExp(double x) { return std::exp(x); }
double fSqrt(double x) { return std::sqrt(x); }
double fRsqrt(double x) { return 1.0 / std::sqrt(x); }
double fTanh(double x) { return std::tanh(x); }
double fErf(double x) { return std::erf(x); }
// `x < 0` is false for NaN, so NaN propagates.
double fRelu(double x) { return x < 0 ? 0.0 : x; }
double fSigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double fSilu(double x) { return x * fSigmoid(x); }
double fGeluErf(double x) {
  return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
}
double fGeluTanh(double x) {
  const double kPi = 3.14159265358979323846;
  const double k = std::sqrt(2.0 / kPi);
  return 0.5 * x * (1.0 + std::tanh(k * (x + 0.044715 * x * x * x)));
}

int64_t iNeg(int64_t x) {
  return static_cast<int64_t>(0 - static_cast<uint64_t>(x));
}
int64_t iRelu(int64_t x) { return x < 0 ? 0 : x; }

Status runUnary(const RefOp &op, const Operands &in, const Results &out,
                FloatUnaryFn f, IntUnaryFn i) {
  const HostTensor &x = *in[0];
  HostTensor &r = *out[0];
  DType dt = x.type.dtype;
  bool asFloat = isFloatType(dt);
  if (!asFloat && !(i && isIntType(dt)))
    return opError(op,
                   std::string("unsupported element type ") + dtypeName(dt));
  DS_RETURN_IF_ERROR(expectResultType(op, r, x.type));
  int64_t n = x.type.numElements();
  if (asFloat) {
    for (int64_t k = 0; k < n; ++k)
      storeFloat(r.bytes.data(), dt, k, f(loadFloat(x.bytes.data(), dt, k)));
  } else {
    for (int64_t k = 0; k < n; ++k)
      storeInt(r.bytes.data(), dt, k, i(loadInt(x.bytes.data(), dt, k)));
  }
  return Status::ok();
}

template <FloatUnaryFn F, IntUnaryFn I = nullptr>
Status unaryOp(const RefOp &op, const Operands &in, const Results &out) {
  return runUnary(op, in, out, F, I);
}

Status geluOp(const RefOp &op, const Operands &in, const Results &out) {
  std::string mode = "none";
  if (auto it = op.attrs.find("approximate"); it != op.attrs.end())
    mode = it->second.str;
  if (mode == "none")
    return runUnary(op, in, out, fGeluErf, nullptr);
  if (mode == "tanh")
    return runUnary(op, in, out, fGeluTanh, nullptr);
  return opError(op, "attribute 'approximate' must be \"none\" or \"tanh\", "
                     "got \"" +
                         mode + "\"");
}

//===----------------------------------------------------------------------===//
// Contraction ops: matmul
//===----------------------------------------------------------------------===//

Status matmulOp(const RefOp &op, const Operands &in, const Results &out) {
  const HostTensor &a = *in[0], &b = *in[1];
  HostTensor &r = *out[0];
  DType dt = a.type.dtype;
  if (b.type.dtype != dt)
    return opError(op, std::string("operand element types differ: ") +
                           dtypeName(dt) + " vs " + dtypeName(b.type.dtype));
  if (!isFloatType(dt))
    return opError(op,
                   std::string("unsupported element type ") + dtypeName(dt));
  if (a.type.shape.empty() || b.type.shape.empty())
    return opError(op, "operands must have rank >= 1, got " + a.type.str() +
                           " and " + b.type.str());

  // numpy: a 1-D lhs is a row vector, a 1-D rhs a column vector; the unit
  // dimension is dropped from the result.
  std::vector<int64_t> as = a.type.shape, bs = b.type.shape;
  bool dropM = as.size() == 1, dropN = bs.size() == 1;
  if (dropM)
    as.insert(as.begin(), 1);
  if (dropN)
    bs.push_back(1);
  int64_t m = as[as.size() - 2], k = as.back();
  int64_t kb = bs[bs.size() - 2], n = bs.back();
  if (k != kb)
    return opError(op, "contraction dimensions differ: " + a.type.str() +
                           " x " + b.type.str());
  std::vector<int64_t> batchA(as.begin(), as.end() - 2);
  std::vector<int64_t> batchB(bs.begin(), bs.end() - 2);
  std::optional<std::vector<int64_t>> batch = broadcastShapes(batchA, batchB);
  if (!batch)
    return opError(op, "batch dimensions of " + a.type.str() + " and " +
                           b.type.str() + " are not broadcast-compatible");
  std::vector<int64_t> shape = *batch;
  if (!dropM)
    shape.push_back(m);
  if (!dropN)
    shape.push_back(n);
  DS_RETURN_IF_ERROR(expectResultType(op, r, TensorType{dt, shape}));

  std::vector<double> av = toDoubles(a), bv = toDoubles(b);
  std::vector<double> rv(static_cast<size_t>(r.type.numElements()), 0.0);
  // Batch strides count whole matrices.
  std::array<std::vector<int64_t>, 3> strides = {
      broadcastStrides(batchA, *batch), broadcastStrides(batchB, *batch),
      rowMajorStrides(*batch)};
  forEachIndex(*batch, strides, [&](int64_t, const std::array<int64_t, 3> &o) {
    const double *pa = av.data() + o[0] * m * k;
    const double *pb = bv.data() + o[1] * k * n;
    double *pr = rv.data() + o[2] * m * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t p = 0; p < k; ++p) {
        double aip = pa[i * k + p];
        for (int64_t j = 0; j < n; ++j)
          pr[i * n + j] += aip * pb[p * n + j];
      }
  });
  fromDoubles(r, rv);
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Normalization ops: softmax
//===----------------------------------------------------------------------===//

/// Reads ints[0] of attribute `name` as an axis of a rank-`rank` tensor
/// (negative values count from the back).
Status getAxis(const RefOp &op, const char *name, size_t rank, size_t &axis) {
  auto it = op.attrs.find(name);
  if (it == op.attrs.end() || it->second.ints.size() != 1)
    return opError(op, std::string("expects attribute '") + name +
                           "' with one integer");
  int64_t v = it->second.ints[0];
  int64_t r = static_cast<int64_t>(rank);
  if (v < -r || v >= r)
    return opError(op, std::string("attribute '") + name +
                           "' = " + std::to_string(v) +
                           " is out of range for rank " + std::to_string(rank));
  axis = static_cast<size_t>(v < 0 ? v + r : v);
  return Status::ok();
}

Status softmaxOp(const RefOp &op, const Operands &in, const Results &out) {
  const HostTensor &x = *in[0];
  HostTensor &r = *out[0];
  if (!isFloatType(x.type.dtype))
    return opError(op, std::string("unsupported element type ") +
                           dtypeName(x.type.dtype));
  if (x.type.shape.empty())
    return opError(op, "operand must have rank >= 1, got " + x.type.str());
  size_t axis = 0;
  DS_RETURN_IF_ERROR(getAxis(op, "axis", x.type.shape.size(), axis));
  DS_RETURN_IF_ERROR(expectResultType(op, r, x.type));

  const std::vector<int64_t> &s = x.type.shape;
  int64_t outer = product(s, 0, axis), len = s[axis],
          inner = product(s, axis + 1, s.size());
  std::vector<double> xv = toDoubles(x), rv(xv.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      int64_t base = o * len * inner + i;
      double mx = -std::numeric_limits<double>::infinity();
      for (int64_t j = 0; j < len; ++j)
        mx = std::max(mx, xv[base + j * inner]);
      double sum = 0;
      for (int64_t j = 0; j < len; ++j)
        sum += rv[base + j * inner] = std::exp(xv[base + j * inner] - mx);
      for (int64_t j = 0; j < len; ++j)
        rv[base + j * inner] /= sum;
    }
  fromDoubles(r, rv);
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Layout ops: transpose reshape (any element type; bytes are moved verbatim)
//===----------------------------------------------------------------------===//

Status transposeOp(const RefOp &op, const Operands &in, const Results &out) {
  const HostTensor &x = *in[0];
  HostTensor &r = *out[0];
  size_t rank = x.type.shape.size();
  auto it = op.attrs.find("perm");
  if (it == op.attrs.end())
    return opError(op, "expects attribute 'perm'");
  const std::vector<int64_t> &perm = it->second.ints;
  std::vector<bool> seen(rank, false);
  bool valid = perm.size() == rank;
  for (int64_t p : perm) {
    if (!valid || p < 0 || p >= static_cast<int64_t>(rank) || seen[p]) {
      valid = false;
      break;
    }
    seen[p] = true;
  }
  if (!valid)
    return opError(op, "attribute 'perm' " + shapeStr(perm) +
                           " is not a permutation of the operand dims of " +
                           x.type.str());
  TensorType type{x.type.dtype, {}};
  std::vector<int64_t> inStrides = rowMajorStrides(x.type.shape);
  std::array<std::vector<int64_t>, 1> strides;
  for (int64_t p : perm) {
    type.shape.push_back(x.type.shape[p]);
    strides[0].push_back(inStrides[p]);
  }
  DS_RETURN_IF_ERROR(expectResultType(op, r, type));
  size_t elem = dtypeSize(x.type.dtype);
  forEachIndex(type.shape, strides,
               [&](int64_t i, const std::array<int64_t, 1> &off) {
                 std::memcpy(r.bytes.data() + i * elem,
                             x.bytes.data() + off[0] * elem, elem);
               });
  return Status::ok();
}

Status reshapeOp(const RefOp &op, const Operands &in, const Results &out) {
  const HostTensor &x = *in[0];
  HostTensor &r = *out[0];
  if (r.type.dtype != x.type.dtype ||
      r.type.numElements() != x.type.numElements())
    return opError(op,
                   "cannot reshape " + x.type.str() + " to " + r.type.str());
  if (!x.bytes.empty())
    std::memcpy(r.bytes.data(), x.bytes.data(), x.bytes.size());
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Dispatch table
//===----------------------------------------------------------------------===//

using OpFn = Status (*)(const RefOp &, const Operands &, const Results &);

struct OpEntry {
  const char *name;
  unsigned numOperands;
  unsigned numResults;
  OpFn fn;
};

const OpEntry kOps[] = {
    // Elementwise binary.
    {"add", 2, 1, binaryOp<fAdd, iAdd>},
    {"sub", 2, 1, binaryOp<fSub, iSub>},
    {"mul", 2, 1, binaryOp<fMul, iMul>},
    {"div", 2, 1, binaryOp<fDiv, iDiv>},
    {"max", 2, 1, binaryOp<fMax, iMax>},
    {"min", 2, 1, binaryOp<fMin, iMin>},
    {"pow", 2, 1, binaryOp<fPow>},
    // Elementwise unary.
    {"neg", 1, 1, unaryOp<fNeg, iNeg>},
    {"exp", 1, 1, unaryOp<fExp>},
    {"sqrt", 1, 1, unaryOp<fSqrt>},
    {"rsqrt", 1, 1, unaryOp<fRsqrt>},
    {"tanh", 1, 1, unaryOp<fTanh>},
    {"erf", 1, 1, unaryOp<fErf>},
    {"relu", 1, 1, unaryOp<fRelu, iRelu>},
    {"sigmoid", 1, 1, unaryOp<fSigmoid>},
    {"silu", 1, 1, unaryOp<fSilu>},
    {"gelu", 1, 1, geluOp},
    // Contraction.
    {"matmul", 2, 1, matmulOp},
    // Normalization.
    {"softmax", 1, 1, softmaxOp},
    // Layout.
    {"transpose", 1, 1, transposeOp},
    {"reshape", 1, 1, reshapeOp},
};

const OpEntry *findOp(const std::string &name) {
  for (const OpEntry &e : kOps)
    if (name == e.name)
      return &e;
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Program execution
//===----------------------------------------------------------------------===//

/// Host storage for every buffer of a program while the reference runs.
class ReferenceState {
public:
  explicit ReferenceState(const LoadedArtifact &artifact)
      : la(artifact), tensors(artifact.artifact.buffers.size()),
        ready(artifact.artifact.buffers.size(), false) {}

  Status init(const std::vector<HostTensor> &inputs) {
    const Artifact &a = la.artifact;
    if (inputs.size() != a.inputs.size())
      return Status::error("reference program: expected " +
                           std::to_string(a.inputs.size()) + " inputs, got " +
                           std::to_string(inputs.size()));
    for (size_t id = 0; id < a.buffers.size(); ++id) {
      const BufferDesc &b = a.buffers[id];
      tensors[id] = HostTensor(b.type);
      if (b.kind != BufferDesc::Kind::Weight &&
          b.kind != BufferDesc::Kind::Constant)
        continue;
      uint64_t size = b.type.byteSize();
      if (b.offset > la.weightSize || size > la.weightSize - b.offset)
        return Status::error("reference program: weight '" + b.name +
                             "' lies outside the weight blob");
      if (size)
        std::memcpy(tensors[id].bytes.data(), la.weightData + b.offset, size);
      ready[id] = true;
    }
    for (size_t i = 0; i < inputs.size(); ++i) {
      uint32_t id = a.inputs[i];
      const BufferDesc &b = a.buffers[id];
      if (inputs[i].type != b.type)
        return Status::error("reference program: input '" + b.name +
                             "' expects " + b.type.str() + ", got " +
                             inputs[i].type.str());
      if (inputs[i].bytes.size() != b.type.byteSize())
        return Status::error(
            "reference program: input '" + b.name + "' holds " +
            std::to_string(inputs[i].bytes.size()) + " bytes, " + b.type.str() +
            " needs " + std::to_string(b.type.byteSize()));
      tensors[id].bytes = inputs[i].bytes;
      ready[id] = true;
    }
    return Status::ok();
  }

  /// Makes buffer `id` readable: views are copied from their base on first
  /// read; anything else must have been written already.
  Status ensureReady(uint32_t id, const std::string &reader) {
    const std::vector<BufferDesc> &buffers = la.artifact.buffers;
    // Walk the view chain down to a buffer that holds data.
    std::vector<uint32_t> chain;
    uint32_t cur = id;
    while (!ready[cur]) {
      const BufferDesc &b = buffers[cur];
      if (b.kind != BufferDesc::Kind::View)
        return Status::error(reader + " reads buffer " + std::to_string(cur) +
                             describe(b) + " before any op wrote it");
      if (b.aliasOf >= buffers.size())
        return Status::error("reference program: view " + std::to_string(cur) +
                             " aliases unknown buffer " +
                             std::to_string(b.aliasOf));
      if (chain.size() > buffers.size())
        return Status::error("reference program: view chain of buffer " +
                             std::to_string(id) + " is cyclic");
      chain.push_back(cur);
      cur = b.aliasOf;
    }
    // Materialize from the base up.
    for (size_t i = chain.size(); i-- > 0;) {
      uint32_t view = chain[i];
      const HostTensor &base = tensors[buffers[view].aliasOf];
      if (base.bytes.size() != tensors[view].bytes.size())
        return Status::error("reference program: view " + std::to_string(view) +
                             " (" + tensors[view].type.str() +
                             ") and its base " + base.type.str() +
                             " differ in size");
      tensors[view].bytes = base.bytes;
      ready[view] = true;
    }
    return Status::ok();
  }

  Status runOp(size_t index, const RefOp &op) {
    std::string reader = "reference op #" + std::to_string(index) + " '" +
                         op.op + "'" +
                         (op.location.empty() ? "" : " at " + op.location);
    Operands operands;
    Results results;
    for (uint32_t id : op.operands) {
      if (id >= tensors.size())
        return Status::error(reader + ": operand buffer " + std::to_string(id) +
                             " does not exist");
      DS_RETURN_IF_ERROR(ensureReady(id, reader));
      operands.push_back(&tensors[id]);
    }
    // Results are written into scratch tensors so an op whose result is also
    // an operand (in place) still reads its original input.
    std::vector<HostTensor> scratch;
    scratch.reserve(op.results.size());
    for (uint32_t id : op.results) {
      if (id >= tensors.size())
        return Status::error(reader + ": result buffer " + std::to_string(id) +
                             " does not exist");
      scratch.emplace_back(tensors[id].type);
    }
    for (HostTensor &t : scratch)
      results.push_back(&t);
    DS_RETURN_IF_ERROR(runReferenceOp(op, operands, results));
    for (size_t i = 0; i < op.results.size(); ++i) {
      tensors[op.results[i]] = std::move(scratch[i]);
      ready[op.results[i]] = true;
    }
    return Status::ok();
  }

  StatusOr<std::vector<HostTensor>> takeOutputs() {
    std::vector<HostTensor> outs;
    for (uint32_t id : la.artifact.outputs) {
      DS_RETURN_IF_ERROR(ensureReady(id, "reference program output"));
      outs.push_back(tensors[id]);
    }
    return outs;
  }

private:
  static std::string describe(const BufferDesc &b) {
    return b.name.empty() ? "" : " ('" + b.name + "')";
  }

  const LoadedArtifact &la;
  std::vector<HostTensor> tensors;
  std::vector<bool> ready;
};

} // namespace

Status ds::runtime::runReferenceOp(const RefOp &op, const Operands &operands,
                                   const Results &results) {
  const OpEntry *entry = findOp(op.op);
  if (!entry)
    return opError(op, "unknown op");
  if (operands.size() != entry->numOperands ||
      results.size() != entry->numResults)
    return opError(op,
                   "expects " + std::to_string(entry->numOperands) +
                       " operand(s) and " + std::to_string(entry->numResults) +
                       " result(s), got " + std::to_string(operands.size()) +
                       " and " + std::to_string(results.size()));
  for (size_t i = 0; i < operands.size(); ++i) {
    if (!operands[i])
      return opError(op, "operand #" + std::to_string(i) + " is null");
    DS_RETURN_IF_ERROR(checkStorage(op, *operands[i], "operand", i));
  }
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i])
      return opError(op, "result #" + std::to_string(i) + " is null");
    DS_RETURN_IF_ERROR(checkStorage(op, *results[i], "result", i));
  }
  return entry->fn(op, operands, results);
}

StatusOr<std::vector<HostTensor>>
ds::runtime::runReferenceProgram(const LoadedArtifact &artifact,
                                 const std::vector<HostTensor> &inputs) {
  ReferenceState state(artifact);
  DS_RETURN_IF_ERROR(state.init(inputs));
  const std::vector<RefOp> &ops = artifact.artifact.reference;
  for (size_t i = 0; i < ops.size(); ++i)
    DS_RETURN_IF_ERROR(state.runOp(i, ops[i]));
  return state.takeOutputs();
}

bool ds::runtime::hasReferenceOp(const std::string &opName) {
  return findOp(opName) != nullptr;
}

std::vector<std::string> ds::runtime::referenceOpNames() {
  std::vector<std::string> names;
  for (const OpEntry &e : kOps)
    names.push_back(e.name);
  return names;
}
