//===- ReferenceNormalization.cpp - Normalization and reduction ops -------===//
//
// batch_norm, layer_norm, softmax and the reduce_* family. Float statistics
// and sums accumulate in double; integer reductions in int64, wrapped to the
// element type.
//
//===----------------------------------------------------------------------===//

#include "runtime/ReferenceSupport.h"

#include <cmath>
#include <limits>

namespace ds::runtime::ref {
namespace {

Status floatOperand(const RefOp &op, const HostTensor &t) {
  if (!isFloatType(t.type.dtype))
    return unsupportedType(op, t.type.dtype);
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// batch_norm
//===----------------------------------------------------------------------===//

/// y = scale * (x - mean) / sqrt(var + epsilon) + bias over channel dim 1.
Status batchNormOp(const RefOp &op, const Operands &in, const Results &out) {
  const HostTensor &x = *in[0];
  DS_RETURN_IF_ERROR(floatOperand(op, x));
  if (x.type.shape.size() < 2)
    return opError(op, "expects input [N, C, ...], got " + x.type.str());
  int64_t c = x.type.shape[1];
  static const char *kNames[] = {"scale", "bias", "mean", "var"};
  for (size_t i = 1; i < 5; ++i)
    if (in[i]->type.dtype != x.type.dtype || in[i]->type.shape != Shape{c})
      return opError(op, std::string(kNames[i - 1]) + " " + in[i]->type.str() +
                             " must be [" + std::to_string(c) + "] of " +
                             dtypeName(x.type.dtype));
  double epsilon = 0;
  DS_RETURN_IF_ERROR(floatAttr(op, "epsilon", 1e-5, epsilon));
  DS_RETURN_IF_ERROR(setResult(op, *out[0], x.type));
  std::vector<double> xv = toDoubles(x), scale = toDoubles(*in[1]),
                      bias = toDoubles(*in[2]), mean = toDoubles(*in[3]),
                      var = toDoubles(*in[4]);
  int64_t inner = product(x.type.shape, 2, x.type.shape.size());
  for (size_t i = 0; i < xv.size(); ++i) {
    int64_t ch = static_cast<int64_t>(i) / inner % c;
    xv[i] = scale[ch] * (xv[i] - mean[ch]) / std::sqrt(var[ch] + epsilon) +
            bias[ch];
  }
  fromDoubles(*out[0], xv);
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// layer_norm
//===----------------------------------------------------------------------===//

/// Normalizes over dims [axis, rank); scale and bias broadcast to those dims.
Status layerNormOp(const RefOp &op, const Operands &in, const Results &out) {
  const HostTensor &x = *in[0];
  DS_RETURN_IF_ERROR(floatOperand(op, x));
  int64_t rank = static_cast<int64_t>(x.type.shape.size()), axisAttr = 0, axis;
  DS_RETURN_IF_ERROR(intAttr(op, "axis", -1, axisAttr));
  DS_RETURN_IF_ERROR(
      normalizeAxis(op, "attribute 'axis'", axisAttr, rank, axis));
  double epsilon = 0;
  DS_RETURN_IF_ERROR(floatAttr(op, "epsilon", 1e-5, epsilon));
  Shape normShape(x.type.shape.begin() + axis, x.type.shape.end());
  std::vector<std::vector<double>> params;
  std::vector<Shape> paramStrides;
  for (size_t i = 1; i < in.size(); ++i) {
    const TensorType &p = in[i]->type;
    std::optional<Shape> b = broadcastShapes(p.shape, normShape);
    if (p.dtype != x.type.dtype || !b || *b != normShape)
      return opError(op, std::string(i == 1 ? "scale " : "bias ") + p.str() +
                             " does not broadcast to the normalized dims " +
                             shapeStr(normShape) + " of " + x.type.str());
    params.push_back(toDoubles(*in[i]));
    paramStrides.push_back(broadcastStrides(p.shape, normShape));
  }
  DS_RETURN_IF_ERROR(setResult(op, *out[0], x.type));
  std::vector<double> xv = toDoubles(x);
  int64_t inner = product(normShape);
  int64_t outer = inner == 0 ? 0 : static_cast<int64_t>(xv.size()) / inner;
  // Offsets of scale and bias for each normalized element.
  std::vector<std::vector<int64_t>> paramIndex(params.size());
  for (size_t k = 0; k < params.size(); ++k) {
    paramIndex[k].resize(static_cast<size_t>(inner));
    forEachIndex(normShape, std::array<Shape, 1>{paramStrides[k]},
                 [&](int64_t i, const std::array<int64_t, 1> &o) {
                   paramIndex[k][i] = o[0];
                 });
  }
  for (int64_t o = 0; o < outer; ++o) {
    double *row = xv.data() + o * inner;
    double mean = 0, var = 0;
    for (int64_t i = 0; i < inner; ++i)
      mean += row[i];
    mean /= static_cast<double>(inner);
    for (int64_t i = 0; i < inner; ++i)
      var += (row[i] - mean) * (row[i] - mean);
    var /= static_cast<double>(inner);
    double inv = 1.0 / std::sqrt(var + epsilon);
    for (int64_t i = 0; i < inner; ++i) {
      double v = (row[i] - mean) * inv * params[0][paramIndex[0][i]];
      if (params.size() > 1)
        v += params[1][paramIndex[1][i]];
      row[i] = v;
    }
  }
  fromDoubles(*out[0], xv);
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// softmax
//===----------------------------------------------------------------------===//

Status softmaxOp(const RefOp &op, const Operands &in, const Results &out) {
  const HostTensor &x = *in[0];
  DS_RETURN_IF_ERROR(floatOperand(op, x));
  if (x.type.shape.empty())
    return opError(op, "operand must have rank >= 1, got " + x.type.str());
  int64_t axisAttr = 0, axis = 0;
  DS_RETURN_IF_ERROR(intAttr(op, "axis", std::nullopt, axisAttr));
  DS_RETURN_IF_ERROR(normalizeAxis(op, "attribute 'axis'", axisAttr,
                                   x.type.shape.size(), axis));
  DS_RETURN_IF_ERROR(setResult(op, *out[0], x.type));

  const Shape &s = x.type.shape;
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
  fromDoubles(*out[0], rv);
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// reduce_sum, reduce_mean, reduce_max, reduce_min, reduce_prod
//===----------------------------------------------------------------------===//

enum class Reduce { Sum, Mean, Max, Min, Prod };

/// Identity of the reduction over `dt` (an empty max gives the lowest value,
/// -inf for floats).
template <typename T> T reduceInit(Reduce kind, DType dt) {
  switch (kind) {
  case Reduce::Sum:
  case Reduce::Mean:
    return T(0);
  case Reduce::Prod:
    return T(1);
  case Reduce::Max:
    if constexpr (std::is_floating_point_v<T>)
      return -std::numeric_limits<T>::infinity();
    else
      return dt == DType::I32 ? std::numeric_limits<int32_t>::min()
                              : std::numeric_limits<int64_t>::min();
  case Reduce::Min:
    if constexpr (std::is_floating_point_v<T>)
      return std::numeric_limits<T>::infinity();
    else
      return dt == DType::I32 ? std::numeric_limits<int32_t>::max()
                              : std::numeric_limits<int64_t>::max();
  }
  return T(0);
}

double combine(Reduce kind, double acc, double v) {
  switch (kind) {
  case Reduce::Sum:
  case Reduce::Mean:
    return acc + v;
  case Reduce::Prod:
    return acc * v;
  case Reduce::Max:
    return std::isnan(acc) || std::isnan(v)
               ? std::numeric_limits<double>::quiet_NaN()
               : std::max(acc, v);
  case Reduce::Min:
    return std::isnan(acc) || std::isnan(v)
               ? std::numeric_limits<double>::quiet_NaN()
               : std::min(acc, v);
  }
  return acc;
}

int64_t combine(Reduce kind, int64_t acc, int64_t v) {
  switch (kind) {
  case Reduce::Sum:
  case Reduce::Mean:
    return static_cast<int64_t>(static_cast<uint64_t>(acc) +
                                static_cast<uint64_t>(v));
  case Reduce::Prod:
    return static_cast<int64_t>(static_cast<uint64_t>(acc) *
                                static_cast<uint64_t>(v));
  case Reduce::Max:
    return std::max(acc, v);
  case Reduce::Min:
    return std::min(acc, v);
  }
  return acc;
}

/// Accumulates `values` into the reduced positions given by `strides`.
template <typename T>
std::vector<T> reduceValues(Reduce kind, DType dt, const std::vector<T> &values,
                            const Shape &shape, const Shape &strides,
                            int64_t outCount) {
  std::vector<T> acc(static_cast<size_t>(outCount), reduceInit<T>(kind, dt));
  forEachIndex(shape, std::array<Shape, 1>{strides},
               [&](int64_t i, const std::array<int64_t, 1> &o) {
                 acc[o[0]] = combine(kind, acc[o[0]], values[i]);
               });
  return acc;
}

template <Reduce Kind>
Status reduceOp(const RefOp &op, const Operands &in, const Results &out) {
  const HostTensor &x = *in[0];
  DType dt = x.type.dtype;
  bool asFloat = isFloatType(dt);
  if (!asFloat && !(Kind != Reduce::Mean && isIntType(dt)))
    return unsupportedType(op, dt);
  int64_t rank = static_cast<int64_t>(x.type.shape.size()), keepdims = 1;
  Shape axes;
  DS_RETURN_IF_ERROR(intsAttr(op, "axes", Shape{}, axes));
  DS_RETURN_IF_ERROR(intAttr(op, "keepdims", 1, keepdims));
  std::vector<bool> reduced(static_cast<size_t>(rank), axes.empty());
  for (int64_t a : axes) {
    int64_t axis = 0;
    DS_RETURN_IF_ERROR(normalizeAxis(op, "axis", a, rank, axis));
    if (reduced[axis])
      return opError(op, "attribute 'axes' " + shapeStr(axes) +
                             " repeats axis " + std::to_string(axis));
    reduced[axis] = true;
  }
  // Result shape and, per input dim, the stride into the result (0 when the
  // dim is reduced).
  Shape shape, keptShape;
  for (int64_t d = 0; d < rank; ++d) {
    if (!reduced[d])
      keptShape.push_back(x.type.shape[d]);
    if (!reduced[d] || keepdims)
      shape.push_back(reduced[d] ? 1 : x.type.shape[d]);
  }
  Shape keptStrides = rowMajorStrides(keptShape), strides(rank, 0);
  for (int64_t d = 0, k = 0; d < rank; ++d)
    if (!reduced[d])
      strides[d] = keptStrides[k++];
  DS_RETURN_IF_ERROR(setResult(op, *out[0], TensorType{dt, shape}));
  int64_t outCount = product(shape);
  if (asFloat) {
    std::vector<double> acc =
        reduceValues(Kind, dt, toDoubles(x), x.type.shape, strides, outCount);
    if (Kind == Reduce::Mean) {
      double n = static_cast<double>(product(x.type.shape)) /
                 static_cast<double>(std::max<int64_t>(outCount, 1));
      for (double &v : acc)
        v /= n;
    }
    fromDoubles(*out[0], acc);
  } else {
    fromInts(*out[0], reduceValues(Kind, dt, toInts(x), x.type.shape, strides,
                                   outCount));
  }
  return Status::ok();
}

} // namespace

std::vector<OpEntry> normalizationOps() {
  return {
      {"batch_norm", 5, 5, 1, batchNormOp},
      {"layer_norm", 2, 3, 1, layerNormOp},
      {"softmax", 1, 1, 1, softmaxOp},
      {"reduce_sum", 1, 1, 1, reduceOp<Reduce::Sum>},
      {"reduce_mean", 1, 1, 1, reduceOp<Reduce::Mean>},
      {"reduce_max", 1, 1, 1, reduceOp<Reduce::Max>},
      {"reduce_min", 1, 1, 1, reduceOp<Reduce::Min>},
      {"reduce_prod", 1, 1, 1, reduceOp<Reduce::Prod>},
  };
}

} // namespace ds::runtime::ref
