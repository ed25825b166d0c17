//===- ReferenceSupport.cpp - Shared helpers of the reference ops ---------===//

#include "runtime/ReferenceSupport.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

namespace ds::runtime::ref {

//===----------------------------------------------------------------------===//
// Diagnostics
//===----------------------------------------------------------------------===//

Status opError(const RefOp &op, const std::string &message) {
  std::string text = "reference op '" + op.op + "'";
  if (!op.location.empty())
    text += " at " + op.location;
  return Status::error(text + ": " + message);
}

std::string shapeStr(const Shape &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

Status unsupportedType(const RefOp &op, DType t, const std::string &what) {
  return opError(op, std::string("unsupported element type ") + dtypeName(t) +
                         (what.empty() ? "" : " for " + what));
}

//===----------------------------------------------------------------------===//
// Element conversions
//===----------------------------------------------------------------------===//

bool isFloatType(DType t) {
  return t == DType::F32 || t == DType::F16 || t == DType::BF16 ||
         t == DType::F64;
}

bool isIntType(DType t) { return t == DType::I32 || t == DType::I64; }

namespace {

/// Calls fn(i, value) for every element of `t` widened to `T`; one switch per
/// tensor, not per element.
template <typename T, typename Fn> void readAll(const HostTensor &t, Fn fn) {
  const uint8_t *p = t.bytes.data();
  int64_t n = t.type.numElements();
  auto each = [&](auto zero, auto widen) {
    for (int64_t i = 0; i < n; ++i) {
      decltype(zero) v;
      std::memcpy(&v, p + i * sizeof(v), sizeof(v));
      fn(i, static_cast<T>(widen(v)));
    }
  };
  auto same = [](auto v) { return v; };
  switch (t.type.dtype) {
  case DType::F32:
    return each(float(), same);
  case DType::F64:
    return each(double(), same);
  case DType::F16:
    return each(uint16_t(), [](uint16_t v) { return halfToFloat(v); });
  case DType::BF16:
    return each(uint16_t(), [](uint16_t v) { return bf16ToFloat(v); });
  case DType::I64:
    return each(int64_t(), same);
  case DType::I32:
    return each(int32_t(), same);
  case DType::I1:
    return each(uint8_t(), [](uint8_t v) { return v != 0 ? 1 : 0; });
  case DType::I8:
    return each(int8_t(), same);
  case DType::U8:
    return each(uint8_t(), same);
  }
}

template <typename V> void storeRaw(uint8_t *base, int64_t i, V v) {
  std::memcpy(base + i * sizeof(V), &v, sizeof(V));
}

/// Float to integer as `cast` defines it: truncation toward zero, saturating
/// at the type's range, NaN to 0 (C++ leaves all of these undefined).
template <typename I> I saturatingTrunc(double v) {
  if (std::isnan(v))
    return 0;
  double t = std::trunc(v);
  if (t <= static_cast<double>(std::numeric_limits<I>::min()))
    return std::numeric_limits<I>::min();
  // 2^63 is exactly representable; anything at or above it saturates.
  if (t >= -static_cast<double>(std::numeric_limits<I>::min()))
    return std::numeric_limits<I>::max();
  return static_cast<I>(t);
}

} // namespace

std::vector<double> toDoubles(const HostTensor &t) {
  std::vector<double> v(static_cast<size_t>(t.type.numElements()));
  readAll<double>(t, [&](int64_t i, double x) { v[i] = x; });
  return v;
}

std::vector<int64_t> toInts(const HostTensor &t) {
  std::vector<int64_t> v(static_cast<size_t>(t.type.numElements()));
  readAll<int64_t>(t, [&](int64_t i, int64_t x) { v[i] = x; });
  return v;
}

void fromDoubles(HostTensor &t, const std::vector<double> &v) {
  uint8_t *p = t.bytes.data();
  int64_t n = static_cast<int64_t>(v.size());
  switch (t.type.dtype) {
  case DType::F32:
    for (int64_t i = 0; i < n; ++i)
      storeRaw(p, i, static_cast<float>(v[i]));
    return;
  case DType::F64:
    for (int64_t i = 0; i < n; ++i)
      storeRaw(p, i, v[i]);
    return;
  case DType::F16:
    for (int64_t i = 0; i < n; ++i)
      storeRaw(p, i, floatToHalf(static_cast<float>(v[i])));
    return;
  case DType::BF16:
    for (int64_t i = 0; i < n; ++i)
      storeRaw(p, i, floatToBf16(static_cast<float>(v[i])));
    return;
  case DType::I64:
    for (int64_t i = 0; i < n; ++i)
      storeRaw(p, i, saturatingTrunc<int64_t>(v[i]));
    return;
  case DType::I32:
    for (int64_t i = 0; i < n; ++i)
      storeRaw(p, i, saturatingTrunc<int32_t>(v[i]));
    return;
  case DType::I1:
    for (int64_t i = 0; i < n; ++i)
      storeRaw(p, i, static_cast<uint8_t>(v[i] != 0));
    return;
  case DType::I8:
    for (int64_t i = 0; i < n; ++i)
      storeRaw(p, i, saturatingTrunc<int8_t>(v[i]));
    return;
  case DType::U8:
    for (int64_t i = 0; i < n; ++i)
      storeRaw(p, i, saturatingTrunc<uint8_t>(v[i]));
    return;
  }
}

void fromInts(HostTensor &t, const std::vector<int64_t> &v) {
  uint8_t *p = t.bytes.data();
  int64_t n = static_cast<int64_t>(v.size());
  switch (t.type.dtype) {
  case DType::I64:
    for (int64_t i = 0; i < n; ++i)
      storeRaw(p, i, v[i]);
    return;
  case DType::I32:
    // Two's-complement wrap, as the kernels' 32-bit arithmetic does.
    for (int64_t i = 0; i < n; ++i)
      storeRaw(p, i, static_cast<int32_t>(static_cast<uint32_t>(v[i])));
    return;
  case DType::I8:
    for (int64_t i = 0; i < n; ++i)
      storeRaw(p, i, static_cast<int8_t>(static_cast<uint8_t>(v[i])));
    return;
  case DType::U8:
    for (int64_t i = 0; i < n; ++i)
      storeRaw(p, i, static_cast<uint8_t>(v[i]));
    return;
  case DType::I1:
    for (int64_t i = 0; i < n; ++i)
      storeRaw(p, i, static_cast<uint8_t>(v[i] != 0));
    return;
  default: {
    std::vector<double> d(v.begin(), v.end());
    fromDoubles(t, d);
    return;
  }
  }
}

template <typename T> ElementBuffer<T>::ElementBuffer(const HostTensor &t) {
  bool same = (std::is_same_v<T, float> && t.type.dtype == DType::F32) ||
              (std::is_same_v<T, double> && t.type.dtype == DType::F64);
  if (same) {
    ptr = reinterpret_cast<const T *>(t.bytes.data());
    return;
  }
  owned.resize(static_cast<size_t>(t.type.numElements()));
  readAll<T>(t, [&](int64_t i, T x) { owned[i] = x; });
  ptr = owned.data();
}

template <typename T> void storeElements(HostTensor &t, const T *values) {
  uint8_t *p = t.bytes.data();
  int64_t n = t.type.numElements();
  switch (t.type.dtype) {
  case DType::F32:
    for (int64_t i = 0; i < n; ++i)
      storeRaw(p, i, static_cast<float>(values[i]));
    return;
  case DType::F64:
    for (int64_t i = 0; i < n; ++i)
      storeRaw(p, i, static_cast<double>(values[i]));
    return;
  case DType::F16:
    for (int64_t i = 0; i < n; ++i)
      storeRaw(p, i, floatToHalf(static_cast<float>(values[i])));
    return;
  case DType::BF16:
    for (int64_t i = 0; i < n; ++i)
      storeRaw(p, i, floatToBf16(static_cast<float>(values[i])));
    return;
  default:
    return; // Callers only store float results.
  }
}

template class ElementBuffer<float>;
template class ElementBuffer<double>;
template void storeElements<float>(HostTensor &, const float *);
template void storeElements<double>(HostTensor &, const double *);

//===----------------------------------------------------------------------===//
// Shapes and broadcasting
//===----------------------------------------------------------------------===//

Shape rowMajorStrides(const Shape &shape) {
  Shape strides(shape.size());
  int64_t s = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

int64_t product(const Shape &shape, size_t begin, size_t end) {
  int64_t n = 1;
  for (size_t i = begin; i < end; ++i)
    n *= shape[i];
  return n;
}

std::optional<Shape> broadcastShapes(const Shape &a, const Shape &b) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return std::nullopt;
    out[i] = da == 1 ? db : da;
  }
  return out;
}

Shape broadcastStrides(const Shape &shape, const Shape &outShape) {
  Shape strides(outShape.size(), 0);
  Shape own = rowMajorStrides(shape);
  size_t lead = outShape.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i)
    strides[lead + i] = shape[i] == 1 ? 0 : own[i];
  return strides;
}

//===----------------------------------------------------------------------===//
// Attributes and shape-like operands
//===----------------------------------------------------------------------===//

Status intAttr(const RefOp &op, const char *name, std::optional<int64_t> def,
               int64_t &out) {
  auto it = op.attrs.find(name);
  if (it == op.attrs.end()) {
    if (!def)
      return opError(op, std::string("expects attribute '") + name +
                             "' with one integer");
    out = *def;
    return Status::ok();
  }
  if (it->second.ints.size() != 1)
    return opError(op, std::string("attribute '") + name +
                           "' must hold one integer, got " +
                           std::to_string(it->second.ints.size()));
  out = it->second.ints[0];
  return Status::ok();
}

Status intsAttr(const RefOp &op, const char *name, std::optional<Shape> def,
                Shape &out) {
  auto it = op.attrs.find(name);
  if (it == op.attrs.end()) {
    if (!def)
      return opError(op, std::string("expects attribute '") + name + "'");
    out = *def;
    return Status::ok();
  }
  if (!it->second.floats.empty() || !it->second.str.empty())
    return opError(op,
                   std::string("attribute '") + name + "' must hold integers");
  out = it->second.ints;
  return Status::ok();
}

Status floatAttr(const RefOp &op, const char *name, double def, double &out) {
  auto it = op.attrs.find(name);
  if (it == op.attrs.end()) {
    out = def;
    return Status::ok();
  }
  if (it->second.floats.size() != 1)
    return opError(op, std::string("attribute '") + name +
                           "' must hold one float, got " +
                           std::to_string(it->second.floats.size()));
  out = it->second.floats[0];
  return Status::ok();
}

Status strAttr(const RefOp &op, const char *name, const std::string &def,
               const std::vector<std::string> &allowed, std::string &out) {
  auto it = op.attrs.find(name);
  out = it == op.attrs.end() ? def : it->second.str;
  for (const std::string &a : allowed)
    if (out == a)
      return Status::ok();
  std::string list;
  for (size_t i = 0; i < allowed.size(); ++i)
    list += (i ? ", \"" : "\"") + allowed[i] + "\"";
  return opError(op, std::string("attribute '") + name + "' must be one of " +
                         list + "; got \"" + out + "\"");
}

Status normalizeAxis(const RefOp &op, const std::string &what, int64_t v,
                     int64_t rank, int64_t &axis) {
  if (v < -rank || v >= rank)
    return opError(op, what + " = " + std::to_string(v) +
                           " is out of range for rank " + std::to_string(rank));
  axis = v < 0 ? v + rank : v;
  return Status::ok();
}

Status readIndexVector(const RefOp &op, const HostTensor &t,
                       const std::string &what, Shape &out) {
  if (!isIntType(t.type.dtype))
    return opError(op, what + " must be i64 or i32, got " + t.type.str());
  if (t.type.shape.size() != 1)
    return opError(op, what + " must have rank 1, got " + t.type.str());
  out = toInts(t);
  return Status::ok();
}

Status readIndexScalar(const RefOp &op, const HostTensor &t,
                       const std::string &what, int64_t &out) {
  if (!isIntType(t.type.dtype))
    return opError(op, what + " must be i64 or i32, got " + t.type.str());
  if (t.type.numElements() != 1 || t.type.shape.size() > 1)
    return opError(op, what + " must be a scalar, got " + t.type.str());
  out = toInts(t)[0];
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Results
//===----------------------------------------------------------------------===//

Status setResult(const RefOp &op, HostTensor &result, const TensorType &type,
                 size_t index) {
  const TensorType &declared = result.type;
  bool matches = declared.dtype == type.dtype &&
                 declared.shape.size() == type.shape.size();
  for (size_t i = 0; matches && i < type.shape.size(); ++i)
    matches = declared.shape[i] < 0 || declared.shape[i] == type.shape[i];
  if (!matches)
    return opError(op, "result #" + std::to_string(index) + " is declared " +
                           declared.str() + " but the op computes " +
                           type.str());
  std::optional<uint64_t> size = type.checkedByteSize();
  if (!size)
    return opError(op, "computed result type " + type.str() + " is too large");
  result.type = type;
  result.bytes.assign(static_cast<size_t>(*size), 0);
  return Status::ok();
}

} // namespace ds::runtime::ref
