//===- ReferenceDataMovement.cpp - Data movement and shape ops ------------===//
//
// Ops that move elements without arithmetic take any element type and copy
// bytes verbatim. Most reduce to gatherByDimMaps(): every output index maps,
// dim by dim, to an input index (or to a fill value), which covers slice,
// expand, tile, pad and nearest resize. Result shapes come from operand
// shapes and, for shape-like operands (Reshape's shape, Slice's starts, ...),
// operand values.
//
//===----------------------------------------------------------------------===//

#include "runtime/ReferenceSupport.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace ds::runtime::ref {
namespace {

/// r[o] = x[sum_d maps[d][o_d] * xStride_d] for every output index o, or the
/// element bytes at `fill` where some maps[d][o_d] < 0 (fill may be null when
/// no map has negative entries). r must be sized; maps[d] has r's dim d
/// entries. x is read as `xShape` (its own shape, or that shape with leading
/// 1s to match r's rank).
void gatherByDimMaps(const HostTensor &x, const Shape &xShape, HostTensor &r,
                     const std::vector<Shape> &maps, const uint8_t *fill) {
  size_t elem = dtypeSize(x.type.dtype), rank = maps.size();
  const Shape &outShape = r.type.shape;
  if (rank == 0) {
    std::memcpy(r.bytes.data(), x.bytes.data(), elem);
    return;
  }
  int64_t inner = outShape.back();
  if (inner == 0)
    return;
  int64_t outer = product(outShape) / inner;
  Shape xStrides = rowMajorStrides(xShape);
  const Shape &last = maps.back();
  uint8_t *dst = r.bytes.data();
  const uint8_t *src = x.bytes.data();
  for (int64_t o = 0; o < outer; ++o) {
    int64_t rem = o, base = 0;
    bool valid = true;
    for (size_t d = rank - 1; d-- > 0;) {
      int64_t i = maps[d][rem % outShape[d]];
      rem /= outShape[d];
      valid = valid && i >= 0;
      base += i * xStrides[d];
    }
    uint8_t *row = dst + o * inner * elem;
    for (int64_t j = 0; j < inner; ++j) {
      const uint8_t *from =
          valid && last[j] >= 0 ? src + (base + last[j]) * elem : fill;
      std::memcpy(row + j * elem, from, elem);
    }
  }
}

Status copyBytes(const RefOp &op, const HostTensor &x, HostTensor &r,
                 const Shape &shape) {
  DS_RETURN_IF_ERROR(setResult(op, r, TensorType{x.type.dtype, shape}));
  if (!x.bytes.empty())
    std::memcpy(r.bytes.data(), x.bytes.data(), x.bytes.size());
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// reshape, flatten, squeeze, unsqueeze
//===----------------------------------------------------------------------===//

Status reshapeError(const RefOp &op, const TensorType &x, const Shape &to) {
  return opError(op, "cannot reshape " + x.str() + " to " + shapeStr(to));
}

/// reshape(input, shape?): ONNX Reshape. In `shape`, 0 copies the input dim
/// (unless allowzero, where it is a real 0) and one -1 is inferred. Without
/// the shape operand the declared result type is the target (one -1 in it
/// is inferred).
Status reshapeOp(const RefOp &op, const Operands &in, const Results &out) {
  const HostTensor &x = *in[0];
  HostTensor &r = *out[0];
  int64_t allowZero = 0;
  DS_RETURN_IF_ERROR(intAttr(op, "allowzero", 0, allowZero));
  Shape target;
  if (in.size() == 2) {
    DS_RETURN_IF_ERROR(readIndexVector(op, *in[1], "shape operand", target));
  } else {
    target = r.type.shape;
    allowZero = 1; // a declared 0 is a real 0
  }
  if (r.type.dtype != x.type.dtype)
    return opError(op, "result element type " +
                           std::string(dtypeName(r.type.dtype)) +
                           " differs from the input's " + x.type.str());
  Shape shape = target;
  int64_t inferAt = -1, known = 1;
  for (size_t i = 0; i < target.size(); ++i) {
    int64_t v = target[i];
    if (v == 0 && !allowZero) {
      if (i >= x.type.shape.size())
        return opError(op, "shape " + shapeStr(target) + " copies dim " +
                               std::to_string(i) + " that " + x.type.str() +
                               " does not have");
      shape[i] = x.type.shape[i];
    } else if (v == -1) {
      if (inferAt >= 0)
        return opError(op, "shape " + shapeStr(target) +
                               " has more than one "
                               "-1");
      inferAt = static_cast<int64_t>(i);
      continue;
    } else if (v < 0) {
      return opError(op, "shape " + shapeStr(target) + " has a negative dim");
    }
    if (__builtin_mul_overflow(known, shape[i], &known))
      return reshapeError(op, x.type, target);
  }
  if (allowZero && inferAt >= 0 &&
      std::find(target.begin(), target.end(), 0) != target.end())
    return opError(op, "shape " + shapeStr(target) +
                           " has both 0 and -1 with allowzero set");
  int64_t total = x.type.numElements();
  if (inferAt >= 0) {
    if (known == 0 || total % known != 0)
      return reshapeError(op, x.type, target);
    shape[inferAt] = total / known;
  } else if (known != total) {
    return reshapeError(op, x.type, target);
  }
  return copyBytes(op, x, r, shape);
}

Status flattenOp(const RefOp &op, const Operands &in, const Results &out) {
  const HostTensor &x = *in[0];
  int64_t rank = static_cast<int64_t>(x.type.shape.size()), axis = 1;
  DS_RETURN_IF_ERROR(intAttr(op, "axis", 1, axis));
  if (axis < -rank || axis > rank)
    return opError(op, "attribute 'axis' = " + std::to_string(axis) +
                           " is out of range for rank " + std::to_string(rank));
  if (axis < 0)
    axis += rank;
  const Shape &s = x.type.shape;
  return copyBytes(op, x, *out[0],
                   {product(s, 0, axis), product(s, axis, s.size())});
}

Status squeezeOp(const RefOp &op, const Operands &in, const Results &out) {
  const HostTensor &x = *in[0];
  int64_t rank = static_cast<int64_t>(x.type.shape.size());
  Shape axes;
  DS_RETURN_IF_ERROR(intsAttr(op, "axes", Shape{}, axes));
  std::vector<bool> drop(static_cast<size_t>(rank), false);
  if (axes.empty()) {
    for (int64_t d = 0; d < rank; ++d)
      drop[d] = x.type.shape[d] == 1;
  }
  for (int64_t a : axes) {
    int64_t axis = 0;
    DS_RETURN_IF_ERROR(normalizeAxis(op, "squeezed axis", a, rank, axis));
    if (x.type.shape[axis] != 1)
      return opError(op, "cannot squeeze dim " + std::to_string(axis) + " of " +
                             x.type.str() + ": it is not 1");
    drop[axis] = true;
  }
  Shape shape;
  for (int64_t d = 0; d < rank; ++d)
    if (!drop[d])
      shape.push_back(x.type.shape[d]);
  return copyBytes(op, x, *out[0], shape);
}

Status unsqueezeOp(const RefOp &op, const Operands &in, const Results &out) {
  const HostTensor &x = *in[0];
  Shape axes;
  DS_RETURN_IF_ERROR(intsAttr(op, "axes", std::nullopt, axes));
  int64_t rank = static_cast<int64_t>(x.type.shape.size() + axes.size());
  std::vector<bool> inserted(static_cast<size_t>(rank), false);
  for (int64_t a : axes) {
    int64_t axis = 0;
    DS_RETURN_IF_ERROR(normalizeAxis(op, "unsqueezed axis", a, rank, axis));
    if (inserted[axis])
      return opError(op, "attribute 'axes' " + shapeStr(axes) +
                             " repeats axis " + std::to_string(axis));
    inserted[axis] = true;
  }
  Shape shape;
  for (int64_t d = 0, k = 0; d < rank; ++d)
    shape.push_back(inserted[d] ? 1 : x.type.shape[k++]);
  return copyBytes(op, x, *out[0], shape);
}

//===----------------------------------------------------------------------===//
// transpose, concat
//===----------------------------------------------------------------------===//

Status transposeOp(const RefOp &op, const Operands &in, const Results &out) {
  const HostTensor &x = *in[0];
  size_t rank = x.type.shape.size();
  Shape perm;
  DS_RETURN_IF_ERROR(intsAttr(op, "perm", Shape{}, perm));
  if (perm.empty() && rank > 0)
    for (size_t i = rank; i-- > 0;)
      perm.push_back(static_cast<int64_t>(i)); // ONNX default: reverse
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
  Shape shape, inStrides = rowMajorStrides(x.type.shape);
  std::array<Shape, 1> strides;
  for (int64_t p : perm) {
    shape.push_back(x.type.shape[p]);
    strides[0].push_back(inStrides[p]);
  }
  HostTensor &r = *out[0];
  DS_RETURN_IF_ERROR(setResult(op, r, TensorType{x.type.dtype, shape}));
  size_t elem = dtypeSize(x.type.dtype);
  forEachIndex(shape, strides, [&](int64_t i, const std::array<int64_t, 1> &o) {
    std::memcpy(r.bytes.data() + i * elem, x.bytes.data() + o[0] * elem, elem);
  });
  return Status::ok();
}

Status concatOp(const RefOp &op, const Operands &in, const Results &out) {
  const TensorType &first = in[0]->type;
  int64_t rank = static_cast<int64_t>(first.shape.size()), axisAttr = 0, axis;
  DS_RETURN_IF_ERROR(intAttr(op, "axis", std::nullopt, axisAttr));
  DS_RETURN_IF_ERROR(
      normalizeAxis(op, "attribute 'axis'", axisAttr, rank, axis));
  Shape shape = first.shape;
  shape[axis] = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const TensorType &t = in[i]->type;
    bool fits = t.dtype == first.dtype && t.shape.size() == first.shape.size();
    for (int64_t d = 0; fits && d < rank; ++d)
      fits = d == axis || t.shape[d] == first.shape[d];
    if (!fits)
      return opError(op, "operand #" + std::to_string(i) + " " + t.str() +
                             " does not match operand #0 " + first.str() +
                             " outside axis " + std::to_string(axis));
    shape[axis] += t.shape[axis];
  }
  HostTensor &r = *out[0];
  DS_RETURN_IF_ERROR(setResult(op, r, TensorType{first.dtype, shape}));
  size_t elem = dtypeSize(first.dtype);
  int64_t outer = product(shape, 0, axis);
  int64_t inner = product(shape, axis + 1, shape.size());
  uint8_t *dst = r.bytes.data();
  for (int64_t o = 0; o < outer; ++o)
    for (const HostTensor *t : in) {
      size_t block = static_cast<size_t>(t->type.shape[axis] * inner) * elem;
      if (block == 0)
        continue;
      std::memcpy(dst, t->bytes.data() + o * block, block);
      dst += block;
    }
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// slice, gather, expand, tile, pad
//===----------------------------------------------------------------------===//

/// slice(input, starts, ends, axes?, steps?): ONNX Slice-13, including the
/// clamping of out-of-range starts/ends and negative steps.
Status sliceOp(const RefOp &op, const Operands &in, const Results &out) {
  const HostTensor &x = *in[0];
  int64_t rank = static_cast<int64_t>(x.type.shape.size());
  Shape starts, ends, axes, steps;
  DS_RETURN_IF_ERROR(readIndexVector(op, *in[1], "starts", starts));
  DS_RETURN_IF_ERROR(readIndexVector(op, *in[2], "ends", ends));
  if (in.size() > 3) {
    DS_RETURN_IF_ERROR(readIndexVector(op, *in[3], "axes", axes));
  } else {
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(static_cast<int64_t>(i));
  }
  if (in.size() > 4)
    DS_RETURN_IF_ERROR(readIndexVector(op, *in[4], "steps", steps));
  else
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return opError(op, "starts " + shapeStr(starts) + ", ends " +
                           shapeStr(ends) + ", axes " + shapeStr(axes) +
                           " and steps " + shapeStr(steps) +
                           " must have the same length");
  std::vector<Shape> maps(static_cast<size_t>(rank));
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  Shape shape = x.type.shape;
  for (int64_t d = 0; d < rank; ++d)
    for (int64_t i = 0; i < shape[d]; ++i)
      maps[d].push_back(i);
  for (size_t i = 0; i < starts.size(); ++i) {
    int64_t axis = 0;
    DS_RETURN_IF_ERROR(normalizeAxis(op, "slice axis", axes[i], rank, axis));
    if (seen[axis])
      return opError(op, "axes " + shapeStr(axes) + " repeat axis " +
                             std::to_string(axis));
    seen[axis] = true;
    int64_t dim = x.type.shape[axis], step = steps[i];
    if (step == 0)
      return opError(op, "steps " + shapeStr(steps) + " contain 0");
    int64_t start = starts[i], end = ends[i];
    if (start < 0)
      start += dim;
    if (end < 0)
      end += dim;
    int64_t len;
    if (dim == 0) {
      len = 0;
    } else if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      len = end > start ? (end - start - 1) / step + 1 : 0;
    } else {
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
      len = start > end ? (start - end - 1) / -step + 1 : 0;
    }
    shape[axis] = len;
    maps[axis].clear();
    for (int64_t j = 0; j < len; ++j)
      maps[axis].push_back(start + j * step);
  }
  DS_RETURN_IF_ERROR(setResult(op, *out[0], TensorType{x.type.dtype, shape}));
  if (product(shape) > 0)
    gatherByDimMaps(x, x.type.shape, *out[0], maps, nullptr);
  return Status::ok();
}

/// gather(data, indices): ONNX Gather; negative indices count from the end.
Status gatherOp(const RefOp &op, const Operands &in, const Results &out) {
  const HostTensor &x = *in[0], &indices = *in[1];
  if (!isIntType(indices.type.dtype))
    return opError(op, "indices must be i64 or i32, got " + indices.type.str());
  int64_t rank = static_cast<int64_t>(x.type.shape.size()), axisAttr = 0, axis;
  DS_RETURN_IF_ERROR(intAttr(op, "axis", 0, axisAttr));
  DS_RETURN_IF_ERROR(
      normalizeAxis(op, "attribute 'axis'", axisAttr, rank, axis));
  const Shape &xs = x.type.shape;
  Shape shape(xs.begin(), xs.begin() + axis);
  shape.insert(shape.end(), indices.type.shape.begin(),
               indices.type.shape.end());
  shape.insert(shape.end(), xs.begin() + axis + 1, xs.end());
  std::vector<int64_t> idx = toInts(indices);
  int64_t dim = xs[axis];
  for (int64_t &i : idx) {
    if (i < -dim || i >= dim)
      return opError(op, "index " + std::to_string(i) +
                             " is out of range for dim " +
                             std::to_string(axis) + " of " + x.type.str());
    if (i < 0)
      i += dim;
  }
  HostTensor &r = *out[0];
  DS_RETURN_IF_ERROR(setResult(op, r, TensorType{x.type.dtype, shape}));
  size_t elem = dtypeSize(x.type.dtype);
  int64_t outer = product(xs, 0, axis);
  size_t block = static_cast<size_t>(product(xs, axis + 1, xs.size())) * elem;
  if (block == 0)
    return Status::ok();
  uint8_t *dst = r.bytes.data();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i : idx) {
      std::memcpy(dst, x.bytes.data() + (o * dim + i) * block, block);
      dst += block;
    }
  return Status::ok();
}

/// Maps of a broadcast from `from` (right-aligned) to `to`.
std::vector<Shape> broadcastMaps(const Shape &from, const Shape &to) {
  std::vector<Shape> maps(to.size());
  size_t lead = to.size() - from.size();
  for (size_t d = 0; d < to.size(); ++d)
    for (int64_t i = 0; i < to[d]; ++i)
      maps[d].push_back(d < lead || from[d - lead] == 1 ? 0 : i);
  return maps;
}

/// expand(input, shape): the result is input and shape broadcast together.
Status expandOp(const RefOp &op, const Operands &in, const Results &out) {
  const HostTensor &x = *in[0];
  Shape target;
  DS_RETURN_IF_ERROR(readIndexVector(op, *in[1], "shape operand", target));
  for (int64_t d : target)
    if (d < 0)
      return opError(op, "shape " + shapeStr(target) + " has a negative dim");
  std::optional<Shape> shape = broadcastShapes(x.type.shape, target);
  if (!shape)
    return opError(op,
                   "cannot expand " + x.type.str() + " to " + shapeStr(target));
  // The input may have more dims than the target; its lead dims are then
  // part of the result and map to themselves.
  Shape from = x.type.shape;
  from.insert(from.begin(), shape->size() - from.size(), 1);
  DS_RETURN_IF_ERROR(setResult(op, *out[0], TensorType{x.type.dtype, *shape}));
  if (product(*shape) > 0)
    gatherByDimMaps(x, from, *out[0], broadcastMaps(from, *shape), nullptr);
  return Status::ok();
}

Status tileOp(const RefOp &op, const Operands &in, const Results &out) {
  const HostTensor &x = *in[0];
  Shape repeats;
  DS_RETURN_IF_ERROR(readIndexVector(op, *in[1], "repeats", repeats));
  const Shape &xs = x.type.shape;
  if (repeats.size() != xs.size())
    return opError(op, "repeats " + shapeStr(repeats) +
                           " must have one entry per dim of " + x.type.str());
  Shape shape(xs.size());
  std::vector<Shape> maps(xs.size());
  for (size_t d = 0; d < xs.size(); ++d) {
    if (repeats[d] < 0)
      return opError(op, "repeats " + shapeStr(repeats) + " are negative");
    shape[d] = xs[d] * repeats[d];
    for (int64_t i = 0; i < shape[d]; ++i)
      maps[d].push_back(i % xs[d]);
  }
  DS_RETURN_IF_ERROR(setResult(op, *out[0], TensorType{x.type.dtype, shape}));
  if (product(shape) > 0)
    gatherByDimMaps(x, x.type.shape, *out[0], maps, nullptr);
  return Status::ok();
}

/// pad(input, pads, constant_value?): pads are [begin..., end...]; negative
/// pads crop. reflect mirrors without repeating the edge (numpy "reflect",
/// periodic when the pad exceeds the dim); edge repeats the edge.
Status padOp(const RefOp &op, const Operands &in, const Results &out) {
  const HostTensor &x = *in[0];
  std::string mode;
  DS_RETURN_IF_ERROR(
      strAttr(op, "mode", "constant", {"constant", "reflect", "edge"}, mode));
  Shape pads;
  DS_RETURN_IF_ERROR(readIndexVector(op, *in[1], "pads", pads));
  const Shape &xs = x.type.shape;
  size_t rank = xs.size();
  if (pads.size() != 2 * rank)
    return opError(op, "pads " + shapeStr(pads) + " must have " +
                           std::to_string(2 * rank) + " entries for " +
                           x.type.str());
  std::vector<uint8_t> fill(dtypeSize(x.type.dtype), 0);
  if (in.size() > 2 && in[2]->type.numElements() > 0) {
    const HostTensor &v = *in[2];
    if (v.type.dtype != x.type.dtype || v.type.numElements() != 1)
      return opError(op, "constant_value " + v.type.str() +
                             " must be one element of the input's type " +
                             x.type.str());
    std::memcpy(fill.data(), v.bytes.data(), fill.size());
  }
  Shape shape(rank);
  std::vector<Shape> maps(rank);
  for (size_t d = 0; d < rank; ++d) {
    int64_t dim = xs[d], begin = pads[d];
    shape[d] = dim + begin + pads[rank + d];
    if (shape[d] < 0)
      return opError(op, "pads " + shapeStr(pads) + " crop more than dim " +
                             std::to_string(d) + " of " + x.type.str());
    if (dim == 0 && shape[d] > 0 && mode != "constant")
      return opError(op, "cannot " + mode + "-pad the empty dim " +
                             std::to_string(d) + " of " + x.type.str());
    for (int64_t o = 0; o < shape[d]; ++o) {
      int64_t i = o - begin;
      if (i < 0 || i >= dim) {
        if (mode == "constant") {
          i = -1;
        } else if (mode == "edge" || dim == 1) {
          i = std::clamp<int64_t>(i, 0, dim - 1);
        } else {
          int64_t period = 2 * (dim - 1);
          i = ((i % period) + period) % period;
          if (i >= dim)
            i = period - i;
        }
      }
      maps[d].push_back(i);
    }
  }
  DS_RETURN_IF_ERROR(setResult(op, *out[0], TensorType{x.type.dtype, shape}));
  if (product(shape) > 0)
    gatherByDimMaps(x, x.type.shape, *out[0], maps, fill.data());
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// resize
//===----------------------------------------------------------------------===//

/// The input coordinate of output coordinate `o` along one dim.
double sourceCoordinate(const std::string &mode, double o, double scale,
                        int64_t inLen, int64_t outLen) {
  if (mode == "half_pixel")
    return (o + 0.5) / scale - 0.5;
  if (mode == "pytorch_half_pixel")
    return outLen > 1 ? (o + 0.5) / scale - 0.5 : 0.0;
  if (mode == "align_corners") {
    // ONNX uses the unrounded resized length (input * scale) here; with
    // `sizes`, scale = outLen / inLen and this is outLen.
    double resized = scale * static_cast<double>(inLen);
    (void)outLen;
    return resized <= 1.0
               ? 0.0
               : o * static_cast<double>(inLen - 1) / (resized - 1.0);
  }
  if (mode == "tf_half_pixel_for_nn")
    return (o + 0.5) / scale;
  return o / scale; // asymmetric
}

int64_t nearestIndex(const std::string &mode, double x, int64_t inLen) {
  double f = std::floor(x);
  double frac = x - f;
  int64_t i;
  if (mode == "floor")
    i = static_cast<int64_t>(f);
  else if (mode == "ceil")
    i = static_cast<int64_t>(std::ceil(x));
  else if (mode == "round_prefer_ceil")
    i = static_cast<int64_t>(frac < 0.5 ? f : f + 1);
  else // round_prefer_floor
    i = static_cast<int64_t>(frac <= 0.5 ? f : f + 1);
  return std::clamp<int64_t>(i, 0, inLen - 1);
}

/// resize(input, scales?, sizes?): ONNX Resize-13 without roi, cubic and
/// tf_crop_and_resize. With one optional operand, its element type says
/// which it is (scales are float, sizes integer). Nearest moves bytes (any
/// element type); linear interpolates one dim at a time in double (floats).
Status resizeOp(const RefOp &op, const Operands &in, const Results &out) {
  const HostTensor &x = *in[0];
  std::string mode, ctm, nearestMode;
  DS_RETURN_IF_ERROR(
      strAttr(op, "mode", "nearest", {"nearest", "linear"}, mode));
  DS_RETURN_IF_ERROR(strAttr(op, "coordinate_transformation_mode", "half_pixel",
                             {"half_pixel", "asymmetric", "align_corners",
                              "pytorch_half_pixel", "tf_half_pixel_for_nn"},
                             ctm));
  DS_RETURN_IF_ERROR(
      strAttr(op, "nearest_mode", "round_prefer_floor",
              {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"},
              nearestMode));
  const HostTensor *scalesT = nullptr, *sizesT = nullptr;
  for (size_t i = 1; i < in.size(); ++i) {
    if (in[i]->type.numElements() == 0)
      continue; // ONNX passes an empty tensor for the unused one
    if (isFloatType(in[i]->type.dtype) && !scalesT)
      scalesT = in[i];
    else if (isIntType(in[i]->type.dtype) && !sizesT)
      sizesT = in[i];
    else
      return opError(op, "operand #" + std::to_string(i) + " " +
                             in[i]->type.str() +
                             " is neither scales (float) "
                             "nor sizes (integer)");
  }
  if ((scalesT != nullptr) == (sizesT != nullptr))
    return opError(op, "expects exactly one of scales and sizes");
  const Shape &xs = x.type.shape;
  size_t rank = xs.size();
  Shape shape(rank);
  std::vector<double> scales(rank);
  if (scalesT) {
    if (scalesT->type.shape != Shape{static_cast<int64_t>(rank)})
      return opError(op, "scales " + scalesT->type.str() +
                             " must have one entry per dim of " + x.type.str());
    scales = toDoubles(*scalesT);
    for (size_t d = 0; d < rank; ++d) {
      if (!(scales[d] > 0))
        return opError(op, "scales must be positive, got " +
                               std::to_string(scales[d]));
      shape[d] = static_cast<int64_t>(
          std::floor(static_cast<double>(xs[d]) * scales[d]));
    }
  } else {
    DS_RETURN_IF_ERROR(readIndexVector(op, *sizesT, "sizes", shape));
    if (shape.size() != rank)
      return opError(op, "sizes " + shapeStr(shape) +
                             " must have one entry per dim of " + x.type.str());
    for (size_t d = 0; d < rank; ++d) {
      if (shape[d] < 0 || (xs[d] == 0 && shape[d] > 0))
        return opError(op, "cannot resize " + x.type.str() + " to " +
                               shapeStr(shape));
      scales[d] = xs[d] == 0 ? 1.0
                             : static_cast<double>(shape[d]) /
                                   static_cast<double>(xs[d]);
    }
  }
  HostTensor &r = *out[0];
  if (mode == "linear" && !isFloatType(x.type.dtype))
    return unsupportedType(op, x.type.dtype, "linear resize");
  DS_RETURN_IF_ERROR(setResult(op, r, TensorType{x.type.dtype, shape}));
  if (product(shape) == 0)
    return Status::ok();

  if (mode == "nearest") {
    std::vector<Shape> maps(rank);
    for (size_t d = 0; d < rank; ++d)
      for (int64_t o = 0; o < shape[d]; ++o)
        maps[d].push_back(
            nearestIndex(nearestMode,
                         sourceCoordinate(ctm, static_cast<double>(o),
                                          scales[d], xs[d], shape[d]),
                         xs[d]));
    gatherByDimMaps(x, x.type.shape, r, maps, nullptr);
    return Status::ok();
  }

  // Linear: interpolate along each dim in turn (separable, so N-D linear is
  // bi-/tri-linear). Source coordinates clamp to [0, in - 1].
  std::vector<double> cur = toDoubles(x);
  Shape curShape = xs;
  for (size_t d = 0; d < rank; ++d) {
    int64_t inLen = xs[d], outLen = shape[d];
    Shape lo(outLen), hi(outLen);
    std::vector<double> w(outLen);
    bool identity = inLen == outLen;
    for (int64_t o = 0; o < outLen; ++o) {
      double c = std::clamp(sourceCoordinate(ctm, static_cast<double>(o),
                                             scales[d], inLen, outLen),
                            0.0, static_cast<double>(inLen - 1));
      lo[o] = static_cast<int64_t>(std::floor(c));
      hi[o] = std::min(lo[o] + 1, inLen - 1);
      w[o] = c - static_cast<double>(lo[o]);
      identity = identity && lo[o] == o && w[o] == 0;
    }
    if (identity)
      continue;
    int64_t outer = product(curShape, 0, d);
    int64_t inner = product(curShape, d + 1, rank);
    std::vector<double> next(static_cast<size_t>(outer * outLen * inner));
    for (int64_t a = 0; a < outer; ++a)
      for (int64_t o = 0; o < outLen; ++o) {
        const double *l = cur.data() + (a * inLen + lo[o]) * inner;
        const double *h = cur.data() + (a * inLen + hi[o]) * inner;
        double *dst = next.data() + (a * outLen + o) * inner;
        for (int64_t i = 0; i < inner; ++i)
          dst[i] = l[i] * (1.0 - w[o]) + h[i] * w[o];
      }
    cur = std::move(next);
    curShape[d] = outLen;
  }
  fromDoubles(r, cur);
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// shape, constant_of_shape, range, trilu
//===----------------------------------------------------------------------===//

/// shape(input): dims [start, end) of the input shape as i64 (ONNX Shape-15:
/// negative bounds count from the back, both clamp to [0, rank]).
Status shapeOp(const RefOp &op, const Operands &in, const Results &out) {
  const Shape &xs = in[0]->type.shape;
  int64_t rank = static_cast<int64_t>(xs.size()), start = 0, end = rank;
  DS_RETURN_IF_ERROR(intAttr(op, "start", 0, start));
  DS_RETURN_IF_ERROR(intAttr(op, "end", rank, end));
  auto norm = [rank](int64_t v) {
    return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank);
  };
  start = norm(start);
  end = std::max(start, norm(end));
  std::vector<int64_t> dims(xs.begin() + start, xs.begin() + end);
  DS_RETURN_IF_ERROR(
      setResult(op, *out[0],
                TensorType{DType::I64, {static_cast<int64_t>(dims.size())}}));
  fromInts(*out[0], dims);
  return Status::ok();
}

/// constant_of_shape(shape): the declared result element type, filled with
/// attribute `value` (one float or one integer; 0 when absent).
Status constantOfShapeOp(const RefOp &op, const Operands &in,
                         const Results &out) {
  Shape shape;
  DS_RETURN_IF_ERROR(readIndexVector(op, *in[0], "shape operand", shape));
  for (int64_t d : shape)
    if (d < 0)
      return opError(op, "shape " + shapeStr(shape) + " has a negative dim");
  HostTensor &r = *out[0];
  DType dt = r.type.dtype;
  if (!isFloatType(dt) && !isIntType(dt) && dt != DType::I1)
    return unsupportedType(op, dt);
  double fv = 0;
  int64_t iv = 0;
  bool isInt = true;
  if (auto it = op.attrs.find("value"); it != op.attrs.end()) {
    const RefAttr &a = it->second;
    if (a.floats.size() == 1 && a.ints.empty()) {
      fv = a.floats[0];
      isInt = false;
    } else if (a.ints.size() == 1 && a.floats.empty()) {
      iv = a.ints[0];
    } else {
      return opError(op, "attribute 'value' must hold one float or one "
                         "integer");
    }
  }
  DS_RETURN_IF_ERROR(setResult(op, r, TensorType{dt, shape}));
  size_t n = static_cast<size_t>(product(shape));
  if (isInt && !isFloatType(dt))
    fromInts(r, std::vector<int64_t>(n, iv));
  else
    fromDoubles(r,
                std::vector<double>(n, isInt ? static_cast<double>(iv) : fv));
  return Status::ok();
}

/// range(start, limit, delta): max(ceil((limit - start) / delta), 0)
/// elements start + i * delta.
Status rangeOp(const RefOp &op, const Operands &in, const Results &out) {
  DType dt = in[0]->type.dtype;
  for (size_t i = 0; i < 3; ++i)
    if (in[i]->type.dtype != dt || in[i]->type.numElements() != 1 ||
        in[i]->type.shape.size() > 1)
      return opError(op, "start, limit and delta must be scalars of one "
                         "element type, got operand #" +
                             std::to_string(i) + " " + in[i]->type.str());
  HostTensor &r = *out[0];
  if (isIntType(dt)) {
    int64_t start = toInts(*in[0])[0], limit = toInts(*in[1])[0],
            delta = toInts(*in[2])[0];
    if (delta == 0)
      return opError(op, "delta is 0");
    // 128-bit so that extreme bounds cannot overflow.
    __int128 span = static_cast<__int128>(limit) - start;
    __int128 n =
        delta > 0 ? (span + delta - 1) / delta : (span + delta + 1) / delta;
    if (n < 0)
      n = 0;
    if (n > std::numeric_limits<int64_t>::max() / 8)
      return opError(op, "produces too many elements");
    std::vector<int64_t> v(static_cast<size_t>(n));
    for (size_t i = 0; i < v.size(); ++i)
      v[i] = start + static_cast<int64_t>(i) * delta;
    DS_RETURN_IF_ERROR(
        setResult(op, r, TensorType{dt, {static_cast<int64_t>(n)}}));
    fromInts(r, v);
    return Status::ok();
  }
  if (!isFloatType(dt))
    return unsupportedType(op, dt);
  double start = toDoubles(*in[0])[0], limit = toDoubles(*in[1])[0],
         delta = toDoubles(*in[2])[0];
  if (delta == 0)
    return opError(op, "delta is 0");
  double n = std::max(std::ceil((limit - start) / delta), 0.0);
  if (!(n < 1e15))
    return opError(op, "produces too many elements");
  std::vector<double> v(static_cast<size_t>(n));
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = start + static_cast<double>(i) * delta;
  DS_RETURN_IF_ERROR(
      setResult(op, r, TensorType{dt, {static_cast<int64_t>(v.size())}}));
  fromDoubles(r, v);
  return Status::ok();
}

/// trilu(input, k?): keeps the upper (j - i >= k) or lower (j - i <= k)
/// triangle of the last two dims, zeroing the rest.
Status triluOp(const RefOp &op, const Operands &in, const Results &out) {
  const HostTensor &x = *in[0];
  const Shape &xs = x.type.shape;
  if (xs.size() < 2)
    return opError(op, "expects rank >= 2, got " + x.type.str());
  int64_t k = 0, upper = 1;
  if (in.size() > 1)
    DS_RETURN_IF_ERROR(readIndexScalar(op, *in[1], "k", k));
  DS_RETURN_IF_ERROR(intAttr(op, "upper", 1, upper));
  HostTensor &r = *out[0];
  DS_RETURN_IF_ERROR(copyBytes(op, x, r, xs));
  int64_t rows = xs[xs.size() - 2], cols = xs.back();
  int64_t mats = rows * cols == 0 ? 0 : product(xs) / (rows * cols);
  size_t elem = dtypeSize(x.type.dtype);
  for (int64_t m = 0; m < mats; ++m)
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) {
        // j - i cannot overflow: both are dims.
        bool keep = upper ? j - i >= k : j - i <= k;
        if (!keep)
          std::memset(r.bytes.data() + ((m * rows + i) * cols + j) * elem, 0,
                      elem);
      }
  return Status::ok();
}

} // namespace

std::vector<OpEntry> dataMovementOps() {
  return {
      {"reshape", 1, 2, 1, reshapeOp},
      {"flatten", 1, 1, 1, flattenOp},
      {"squeeze", 1, 1, 1, squeezeOp},
      {"unsqueeze", 1, 1, 1, unsqueezeOp},
      {"transpose", 1, 1, 1, transposeOp},
      {"concat", 1, ~0u, 1, concatOp},
      {"slice", 3, 5, 1, sliceOp},
      {"gather", 2, 2, 1, gatherOp},
      {"expand", 2, 2, 1, expandOp},
      {"tile", 2, 2, 1, tileOp},
      {"pad", 2, 3, 1, padOp},
      {"resize", 2, 3, 1, resizeOp},
      {"shape", 1, 1, 1, shapeOp},
      {"constant_of_shape", 1, 1, 1, constantOfShapeOp},
      {"range", 3, 3, 1, rangeOp},
      {"trilu", 1, 2, 1, triluOp},
  };
}

} // namespace ds::runtime::ref
