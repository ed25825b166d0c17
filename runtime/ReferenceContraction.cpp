//===- ReferenceContraction.cpp - matmul, convolution, pooling ------------===//
//
// matmul is one GEMM per batch (or one GEMM when the rhs is shared); conv is
// im2col + GEMM per image and group; conv_transpose is GEMM + col2im. They
// compute in float for f32/f16/bf16 (double for f64) through gemm(). Pooling
// is a direct loop in double over precomputed per-dimension windows.
//
//===----------------------------------------------------------------------===//

#include "runtime/Padding.h"
#include "runtime/ReferenceSupport.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

namespace ds::runtime::ref {

int64_t convScratchElements = int64_t(1) << 22;

namespace {

/// Where a float kernel writes its result: straight into the result bytes
/// when the element type is T, else into a scratch array stored at the end.
template <typename T> class ResultBuffer {
public:
  explicit ResultBuffer(HostTensor &r) : r(r) {
    bool same = (std::is_same_v<T, float> && r.type.dtype == DType::F32) ||
                (std::is_same_v<T, double> && r.type.dtype == DType::F64);
    if (same) {
      ptr = reinterpret_cast<T *>(r.bytes.data());
    } else {
      owned.assign(static_cast<size_t>(r.type.numElements()), T(0));
      ptr = owned.data();
    }
  }
  T *data() { return ptr; }
  void commit() {
    if (!owned.empty())
      storeElements(r, owned.data());
  }

private:
  HostTensor &r;
  std::vector<T> owned;
  T *ptr = nullptr;
};

/// Float operands, all of operand #0's element type.
Status checkFloatOperands(const RefOp &op, const Operands &in) {
  DType dt = in[0]->type.dtype;
  if (!isFloatType(dt))
    return unsupportedType(op, dt);
  for (size_t i = 1; i < in.size(); ++i)
    if (in[i]->type.dtype != dt)
      return opError(op, "operand #" + std::to_string(i) + " " +
                             in[i]->type.str() +
                             " differs in element type "
                             "from operand #0 " +
                             in[0]->type.str());
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

template <typename T>
void matmulImpl(const HostTensor &a, const HostTensor &b, HostTensor &r,
                int64_t m, int64_t k, int64_t n, const Shape &batch,
                const Shape &batchA, const Shape &batchB) {
  ElementBuffer<T> av(a), bv(b);
  ResultBuffer<T> rv(r);
  Shape sa = broadcastStrides(batchA, batch),
        sb = broadcastStrides(batchB, batch);
  bool rhsShared =
      std::all_of(sb.begin(), sb.end(), [](int64_t s) { return s == 0; });
  if (rhsShared && product(batchA) == product(batch)) {
    // Every batch of the lhs against one rhs: stack the batches as rows.
    gemm(false, false, product(batch) * m, n, k, av.data(), k, bv.data(), n,
         rv.data(), n, false);
  } else {
    std::array<Shape, 3> strides = {sa, sb, rowMajorStrides(batch)};
    forEachIndex(batch, strides, [&](int64_t, const std::array<int64_t, 3> &o) {
      gemm(false, false, m, n, k, av.data() + o[0] * m * k, k,
           bv.data() + o[1] * k * n, n, rv.data() + o[2] * m * n, n, false);
    });
  }
  rv.commit();
}

Status matmulOp(const RefOp &op, const Operands &in, const Results &out) {
  DS_RETURN_IF_ERROR(checkFloatOperands(op, in));
  const HostTensor &a = *in[0], &b = *in[1];
  DType dt = a.type.dtype;
  if (a.type.shape.empty() || b.type.shape.empty())
    return opError(op, "operands must have rank >= 1, got " + a.type.str() +
                           " and " + b.type.str());
  // numpy: a 1-D lhs is a row vector, a 1-D rhs a column vector; the unit
  // dimension is dropped from the result.
  Shape as = a.type.shape, bs = b.type.shape;
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
  Shape batchA(as.begin(), as.end() - 2), batchB(bs.begin(), bs.end() - 2);
  std::optional<Shape> batch = broadcastShapes(batchA, batchB);
  if (!batch)
    return opError(op, "batch dimensions of " + a.type.str() + " and " +
                           b.type.str() + " are not broadcast-compatible");
  Shape shape = *batch;
  if (!dropM)
    shape.push_back(m);
  if (!dropN)
    shape.push_back(n);
  DS_RETURN_IF_ERROR(setResult(op, *out[0], TensorType{dt, shape}));
  if (dt == DType::F64)
    matmulImpl<double>(a, b, *out[0], m, k, n, *batch, batchA, batchB);
  else
    matmulImpl<float>(a, b, *out[0], m, k, n, *batch, batchA, batchB);
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Window attributes shared by conv, conv_transpose and pooling
//===----------------------------------------------------------------------===//

/// strides/dilations/pads of a window op over `rank` spatial dims.
struct Window {
  Shape kernel, strides, dilations, padsBegin, padsEnd;
};

Status readWindow(const RefOp &op, size_t rank, const Shape &kernel,
                  bool hasDilations, Window &w) {
  w.kernel = kernel;
  Shape pads;
  DS_RETURN_IF_ERROR(intsAttr(op, "strides", Shape(rank, 1), w.strides));
  DS_RETURN_IF_ERROR(intsAttr(op, "pads", Shape(2 * rank, 0), pads));
  w.dilations.assign(rank, 1);
  if (hasDilations)
    DS_RETURN_IF_ERROR(intsAttr(op, "dilations", Shape(rank, 1), w.dilations));
  // An empty attribute means "the default" (ONNX leaves them optional).
  if (w.strides.empty())
    w.strides.assign(rank, 1);
  if (w.dilations.empty())
    w.dilations.assign(rank, 1);
  if (pads.empty())
    pads.assign(2 * rank, 0);
  if (w.strides.size() != rank || w.dilations.size() != rank ||
      pads.size() != 2 * rank)
    return opError(op, "expects " + std::to_string(rank) +
                           " strides and dilations and " +
                           std::to_string(2 * rank) + " pads, got strides " +
                           shapeStr(w.strides) + ", dilations " +
                           shapeStr(w.dilations) + ", pads " + shapeStr(pads));
  for (size_t i = 0; i < rank; ++i) {
    if (w.strides[i] < 1 || w.dilations[i] < 1 || w.kernel[i] < 1)
      return opError(op, "strides, dilations and kernel dims must be >= 1, "
                         "got strides " +
                             shapeStr(w.strides) + ", dilations " +
                             shapeStr(w.dilations) + ", kernel " +
                             shapeStr(w.kernel));
    if (pads[i] < 0 || pads[rank + i] < 0)
      return opError(op, "pads must be >= 0, got " + shapeStr(pads));
  }
  w.padsBegin.assign(pads.begin(), pads.begin() + rank);
  w.padsEnd.assign(pads.begin() + rank, pads.end());
  return Status::ok();
}

/// An `auto_pad` (SAME_*) or `output_shape` the compiler left for the
/// run-time sizes (dynamic spatial dims) replaces the pads; `outputPadding`
/// is given for conv_transpose only.
Status applyAutoPad(const RefOp &op, const Shape &inSpatial,
                    const Shape *outputPadding, Window &w) {
  std::string autoPad;
  Shape outputShape;
  DS_RETURN_IF_ERROR(
      strAttr(op, "auto_pad", "", {"", "SAME_UPPER", "SAME_LOWER"}, autoPad));
  DS_RETURN_IF_ERROR(intsAttr(op, "output_shape", Shape{}, outputShape));
  if (autoPad.empty() && outputShape.empty())
    return Status::ok();
  size_t rank = inSpatial.size();
  if (!outputShape.empty() && outputShape.size() != rank)
    return opError(op, "output_shape " + shapeStr(outputShape) +
                           " must have one entry per spatial dim");
  for (size_t i = 0; i < rank; ++i) {
    if (!outputPadding) {
      samePads(autoPad, inSpatial[i], w.kernel[i], w.strides[i], w.dilations[i],
               w.padsBegin[i], w.padsEnd[i]);
      continue;
    }
    int64_t target =
        outputShape.empty() ? inSpatial[i] * w.strides[i] : outputShape[i];
    if (!transposePads(autoPad, inSpatial[i], target, w.kernel[i], w.strides[i],
                       w.dilations[i], (*outputPadding)[i], w.padsBegin[i],
                       w.padsEnd[i]))
      return opError(op, "output_shape " + shapeStr(outputShape) +
                             " needs negative padding");
  }
  return Status::ok();
}

/// Per spatial dim d: table[d][kd * count[d] + i] = i * stride - padBegin +
/// kd * dilation when that lies in [0, limit[d]), else -1. conv reads input
/// positions through it (i over outputs), conv_transpose writes output
/// positions (i over inputs).
std::vector<Shape> windowTable(const Window &w, const Shape &count,
                               const Shape &limit) {
  std::vector<Shape> table(count.size());
  for (size_t d = 0; d < count.size(); ++d) {
    table[d].resize(static_cast<size_t>(w.kernel[d] * count[d]));
    for (int64_t kd = 0; kd < w.kernel[d]; ++kd)
      for (int64_t i = 0; i < count[d]; ++i) {
        int64_t p = i * w.strides[d] - w.padsBegin[d] + kd * w.dilations[d];
        table[d][kd * count[d] + i] = p >= 0 && p < limit[d] ? p : -1;
      }
  }
  return table;
}

/// Walks the (kernel offset, `count`-grid position) pairs of a window op,
/// one row of the last grid dim at a time, for the rows [rowBegin, rowEnd)
/// (a row is one index of all but the last grid dim, row-major): for kernel
/// offset kk (row-major over the kernel) and the row starting at grid
/// position `start`, calls fn(kk, start, base, last, inner) where the
/// `limit`-grid position of the row's j-th element is base + last[j], or
/// nothing when last[j] < 0. Rows whose other dims fall outside `limit` are
/// skipped.
template <typename Fn>
void forEachWindowTap(const Window &w, const Shape &count, const Shape &limit,
                      int64_t rowBegin, int64_t rowEnd, Fn fn) {
  size_t rank = count.size();
  std::vector<Shape> table = windowTable(w, count, limit);
  Shape limitStrides = rowMajorStrides(limit);
  int64_t kernelSize = product(w.kernel), inner = count.back();
  Shape kidx(rank);
  for (int64_t kk = 0; kk < kernelSize; ++kk) {
    for (size_t d = rank, rem = kk; d-- > 0;) {
      kidx[d] = static_cast<int64_t>(rem) % w.kernel[d];
      rem /= w.kernel[d];
    }
    const int64_t *last = table[rank - 1].data() + kidx[rank - 1] * inner;
    for (int64_t o = rowBegin; o < rowEnd; ++o) {
      int64_t rem = o, base = 0;
      bool valid = true;
      for (size_t d = rank - 1; d-- > 0;) {
        int64_t i = rem % count[d];
        rem /= count[d];
        int64_t p = table[d][kidx[d] * count[d] + i];
        valid = valid && p >= 0;
        base += p * limitStrides[d];
      }
      if (valid)
        fn(kk, o * inner, base, last, inner);
    }
  }
}

/// Rows of a grid with `inner` elements per row that fit a scratch of
/// `perElement` * rows * inner elements within convScratchElements.
int64_t rowsPerChunk(int64_t perElement, int64_t inner, int64_t rows) {
  int64_t perRow = std::max<int64_t>(perElement * inner, 1);
  return std::clamp<int64_t>(convScratchElements / perRow, 1,
                             std::max<int64_t>(rows, 1));
}

/// y[b][oc][p] += bias[oc] for a [n, m, spatial] result.
template <typename T>
void addBias(T *y, const HostTensor &bias, int64_t n, int64_t m,
             int64_t spatial) {
  ElementBuffer<T> bv(bias);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oc = 0; oc < m; ++oc) {
      T *row = y + (b * m + oc) * spatial;
      for (int64_t p = 0; p < spatial; ++p)
        row[p] += bv.data()[oc];
    }
}

//===----------------------------------------------------------------------===//
// conv
//===----------------------------------------------------------------------===//

template <typename T>
void convImpl(const HostTensor &x, const HostTensor &w, const HostTensor *bias,
              HostTensor &r, int64_t group, const Window &win,
              const Shape &inSpatial, const Shape &outSpatial) {
  int64_t n = x.type.shape[0], c = x.type.shape[1], m = w.type.shape[0];
  int64_t cg = c / group, mg = m / group;
  int64_t kernelSize = product(win.kernel), k = cg * kernelSize;
  int64_t inP = product(inSpatial), outP = product(outSpatial);
  ElementBuffer<T> xv(x), wv(w);
  ResultBuffer<T> yv(r);
  bool pointwise = true;
  for (size_t d = 0; d < inSpatial.size(); ++d)
    pointwise = pointwise && win.kernel[d] == 1 && win.strides[d] == 1 &&
                win.padsBegin[d] == 0 && win.padsEnd[d] == 0;
  // The output grid is processed in chunks of rows so the im2col matrix
  // (k x chunk) stays within convScratchElements.
  int64_t inner = outSpatial.back(), rows = inner == 0 ? 0 : outP / inner;
  int64_t chunk = rowsPerChunk(k, inner, rows);
  std::vector<T> col(pointwise ? 0 : static_cast<size_t>(k * chunk * inner));
  for (int64_t b = 0; b < n; ++b)
    for (int64_t g = 0; g < group; ++g) {
      const T *xg = xv.data() + (b * c + g * cg) * inP;
      const T *wg = wv.data() + g * mg * k;
      T *yg = yv.data() + (b * m + g * mg) * outP;
      for (int64_t r0 = 0; r0 < rows; r0 += chunk) {
        int64_t r1 = std::min(rows, r0 + chunk);
        int64_t start = r0 * inner, cols = (r1 - r0) * inner;
        if (pointwise) {
          gemm(false, false, mg, cols, k, wg, k, xg + start, inP, yg + start,
               outP, false);
          continue;
        }
        // im2col: col[ci * kernelSize + kk][p - start] = x[ci][tap of p],
        // 0 in the padding.
        std::fill(col.begin(), col.end(), T(0));
        forEachWindowTap(win, outSpatial, inSpatial, r0, r1,
                         [&](int64_t kk, int64_t o, int64_t base,
                             const int64_t *last, int64_t len) {
                           for (int64_t ci = 0; ci < cg; ++ci) {
                             T *dst = col.data() +
                                      (ci * kernelSize + kk) * cols +
                                      (o - start);
                             const T *src = xg + ci * inP + base;
                             for (int64_t j = 0; j < len; ++j)
                               if (last[j] >= 0)
                                 dst[j] = src[last[j]];
                           }
                         });
        gemm(false, false, mg, cols, k, wg, k, col.data(), cols, yg + start,
             outP, false);
      }
    }
  if (bias)
    addBias(yv.data(), *bias, n, m, outP);
  yv.commit();
}

/// Shared operand checks of conv and conv_transpose: x [N, C, spatial...],
/// weight of the same rank, bias [channels].
Status checkConvOperands(const RefOp &op, const Operands &in, int64_t &group,
                         size_t &rank) {
  DS_RETURN_IF_ERROR(checkFloatOperands(op, in));
  const TensorType &x = in[0]->type, &w = in[1]->type;
  if (x.shape.size() < 3 || x.shape.size() > 5 ||
      w.shape.size() != x.shape.size())
    return opError(op, "expects input [N, C, spatial...] with 1 to 3 spatial "
                       "dims and a weight of the same rank, got " +
                           x.str() + " and " + w.str());
  rank = x.shape.size() - 2;
  DS_RETURN_IF_ERROR(intAttr(op, "group", 1, group));
  if (group < 1)
    return opError(op, "attribute 'group' must be >= 1, got " +
                           std::to_string(group));
  return Status::ok();
}

Status checkBias(const RefOp &op, const Operands &in, int64_t channels) {
  if (in.size() < 3)
    return Status::ok();
  const TensorType &b = in[2]->type;
  if (b.shape != Shape{channels})
    return opError(op, "bias " + b.str() + " must have shape [" +
                           std::to_string(channels) + "]");
  return Status::ok();
}

Status convOp(const RefOp &op, const Operands &in, const Results &out) {
  int64_t group = 1;
  size_t rank = 0;
  DS_RETURN_IF_ERROR(checkConvOperands(op, in, group, rank));
  const TensorType &x = in[0]->type, &w = in[1]->type;
  int64_t c = x.shape[1], m = w.shape[0];
  if (c % group != 0 || m % group != 0 || w.shape[1] * group != c)
    return opError(op, "input " + x.str() + " and weight " + w.str() +
                           " do not fit group " + std::to_string(group) +
                           " (weight must be [M, C/group, k...])");
  DS_RETURN_IF_ERROR(checkBias(op, in, m));
  Window win;
  DS_RETURN_IF_ERROR(readWindow(
      op, rank, Shape(w.shape.begin() + 2, w.shape.end()), true, win));
  Shape inSpatial(x.shape.begin() + 2, x.shape.end()), outSpatial(rank);
  DS_RETURN_IF_ERROR(applyAutoPad(op, inSpatial, nullptr, win));
  for (size_t d = 0; d < rank; ++d) {
    int64_t span = inSpatial[d] + win.padsBegin[d] + win.padsEnd[d] -
                   win.dilations[d] * (win.kernel[d] - 1) - 1;
    if (span < 0)
      return opError(op, "the dilated kernel " + shapeStr(win.kernel) +
                             " does not fit the padded input " + x.str());
    outSpatial[d] = span / win.strides[d] + 1;
  }
  Shape shape = {x.shape[0], m};
  shape.insert(shape.end(), outSpatial.begin(), outSpatial.end());
  DS_RETURN_IF_ERROR(setResult(op, *out[0], TensorType{x.dtype, shape}));
  const HostTensor *bias = in.size() > 2 ? in[2] : nullptr;
  if (x.dtype == DType::F64)
    convImpl<double>(*in[0], *in[1], bias, *out[0], group, win, inSpatial,
                     outSpatial);
  else
    convImpl<float>(*in[0], *in[1], bias, *out[0], group, win, inSpatial,
                    outSpatial);
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// conv_transpose
//===----------------------------------------------------------------------===//

template <typename T>
void convTransposeImpl(const HostTensor &x, const HostTensor &w,
                       const HostTensor *bias, HostTensor &r, int64_t group,
                       const Window &win, const Shape &inSpatial,
                       const Shape &outSpatial) {
  int64_t n = x.type.shape[0], c = x.type.shape[1];
  int64_t mg = w.type.shape[1], m = mg * group, cg = c / group;
  int64_t kernelSize = product(win.kernel), k = mg * kernelSize;
  int64_t inP = product(inSpatial), outP = product(outSpatial);
  ElementBuffer<T> xv(x), wv(w);
  ResultBuffer<T> yv(r);
  // The input grid is processed in chunks of rows so the column matrix
  // (k x chunk) stays within convScratchElements.
  int64_t inner = inSpatial.back(), rows = inner == 0 ? 0 : inP / inner;
  int64_t chunk = rowsPerChunk(k, inner, rows);
  std::vector<T> col(static_cast<size_t>(k * chunk * inner));
  for (int64_t b = 0; b < n; ++b)
    for (int64_t g = 0; g < group; ++g) {
      const T *xg = xv.data() + (b * c + g * cg) * inP;
      const T *wg = wv.data() + g * cg * k;
      T *yg = yv.data() + (b * m + g * mg) * outP;
      for (int64_t r0 = 0; r0 < rows; r0 += chunk) {
        int64_t r1 = std::min(rows, r0 + chunk);
        int64_t start = r0 * inner, cols = (r1 - r0) * inner;
        // col[(oc, kk)][i - start] = sum_ci w[ci][oc][kk] * x[ci][i].
        gemm(true, false, k, cols, cg, wg, k, xg + start, inP, col.data(), cols,
             false);
        // col2im: scatter-add each tap into the output position it lands on.
        forEachWindowTap(win, inSpatial, outSpatial, r0, r1,
                         [&](int64_t kk, int64_t i, int64_t base,
                             const int64_t *last, int64_t len) {
                           for (int64_t oc = 0; oc < mg; ++oc) {
                             const T *src = col.data() +
                                            (oc * kernelSize + kk) * cols +
                                            (i - start);
                             T *dst = yg + oc * outP + base;
                             for (int64_t j = 0; j < len; ++j)
                               if (last[j] >= 0)
                                 dst[last[j]] += src[j];
                           }
                         });
      }
    }
  if (bias)
    addBias(yv.data(), *bias, n, m, outP);
  yv.commit();
}

Status convTransposeOp(const RefOp &op, const Operands &in,
                       const Results &out) {
  int64_t group = 1;
  size_t rank = 0;
  DS_RETURN_IF_ERROR(checkConvOperands(op, in, group, rank));
  const TensorType &x = in[0]->type, &w = in[1]->type;
  int64_t c = x.shape[1], m = w.shape[1] * group;
  if (c % group != 0 || w.shape[0] != c)
    return opError(op, "input " + x.str() + " and weight " + w.str() +
                           " do not fit group " + std::to_string(group) +
                           " (weight must be [C, M/group, k...])");
  DS_RETURN_IF_ERROR(checkBias(op, in, m));
  Window win;
  DS_RETURN_IF_ERROR(readWindow(
      op, rank, Shape(w.shape.begin() + 2, w.shape.end()), true, win));
  Shape outputPadding;
  DS_RETURN_IF_ERROR(
      intsAttr(op, "output_padding", Shape(rank, 0), outputPadding));
  if (outputPadding.empty())
    outputPadding.assign(rank, 0);
  if (outputPadding.size() != rank)
    return opError(op, "expects " + std::to_string(rank) +
                           " output_padding values, got " +
                           shapeStr(outputPadding));
  Shape inSpatial(x.shape.begin() + 2, x.shape.end()), outSpatial(rank);
  DS_RETURN_IF_ERROR(applyAutoPad(op, inSpatial, &outputPadding, win));
  for (size_t d = 0; d < rank; ++d) {
    if (outputPadding[d] < 0)
      return opError(op, "output_padding must be >= 0, got " +
                             shapeStr(outputPadding));
    outSpatial[d] = win.strides[d] * (inSpatial[d] - 1) + outputPadding[d] +
                    win.dilations[d] * (win.kernel[d] - 1) + 1 -
                    win.padsBegin[d] - win.padsEnd[d];
    if (outSpatial[d] < 0)
      return opError(
          op, "pads " + shapeStr(win.padsBegin) + "/" + shapeStr(win.padsEnd) +
                  " leave a negative output size for input " + x.str());
  }
  Shape shape = {x.shape[0], m};
  shape.insert(shape.end(), outSpatial.begin(), outSpatial.end());
  DS_RETURN_IF_ERROR(setResult(op, *out[0], TensorType{x.dtype, shape}));
  const HostTensor *bias = in.size() > 2 ? in[2] : nullptr;
  if (x.dtype == DType::F64)
    convTransposeImpl<double>(*in[0], *in[1], bias, *out[0], group, win,
                              inSpatial, outSpatial);
  else
    convTransposeImpl<float>(*in[0], *in[1], bias, *out[0], group, win,
                             inSpatial, outSpatial);
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// max_pool, avg_pool
//===----------------------------------------------------------------------===//

enum class PoolKind { Max, Avg };

/// Window taps of one output position along one dim: the input positions
/// inside [0, in) and how many taps fall inside the padded extent
/// [-padBegin, in + padEnd) (avg_pool's count_include_pad divisor).
struct PoolTaps {
  Shape positions;
  int64_t paddedCount = 0;
};

template <PoolKind Kind>
Status poolOp(const RefOp &op, const Operands &in, const Results &out) {
  const HostTensor &x = *in[0];
  if (!isFloatType(x.type.dtype))
    return unsupportedType(op, x.type.dtype);
  const Shape &xs = x.type.shape;
  if (xs.size() < 3)
    return opError(op, "expects input [N, C, spatial...], got " + x.type.str());
  size_t rank = xs.size() - 2;
  Shape kernel;
  DS_RETURN_IF_ERROR(intsAttr(op, "kernel_shape", std::nullopt, kernel));
  if (kernel.size() != rank)
    return opError(op, "attribute 'kernel_shape' " + shapeStr(kernel) +
                           " must have one entry per spatial dim of " +
                           x.type.str());
  Window win;
  DS_RETURN_IF_ERROR(readWindow(op, rank, kernel, true, win));
  DS_RETURN_IF_ERROR(
      applyAutoPad(op, Shape(xs.begin() + 2, xs.end()), nullptr, win));
  int64_t ceilMode = 0, countIncludePad = 0;
  DS_RETURN_IF_ERROR(intAttr(op, "ceil_mode", 0, ceilMode));
  if (Kind == PoolKind::Avg)
    DS_RETURN_IF_ERROR(intAttr(op, "count_include_pad", 0, countIncludePad));

  Shape inSpatial(xs.begin() + 2, xs.end()), outSpatial(rank);
  for (size_t d = 0; d < rank; ++d) {
    int64_t span = inSpatial[d] + win.padsBegin[d] + win.padsEnd[d] -
                   win.dilations[d] * (win.kernel[d] - 1) - 1;
    if (span < 0)
      return opError(op, "the dilated kernel " + shapeStr(win.kernel) +
                             " does not fit the padded input " + x.type.str());
    int64_t s = win.strides[d];
    outSpatial[d] = (ceilMode ? (span + s - 1) / s : span / s) + 1;
    // ceil_mode: a window that would start in the end padding is dropped.
    if (ceilMode && (outSpatial[d] - 1) * s >= inSpatial[d] + win.padsBegin[d])
      --outSpatial[d];
  }
  Shape shape = {xs[0], xs[1]};
  shape.insert(shape.end(), outSpatial.begin(), outSpatial.end());
  HostTensor &r = *out[0];
  DS_RETURN_IF_ERROR(setResult(op, r, TensorType{x.type.dtype, shape}));

  // taps[d][o]: the window of output position o along dim d.
  std::vector<std::vector<PoolTaps>> taps(rank);
  for (size_t d = 0; d < rank; ++d) {
    taps[d].resize(static_cast<size_t>(outSpatial[d]));
    for (int64_t o = 0; o < outSpatial[d]; ++o)
      for (int64_t kd = 0; kd < win.kernel[d]; ++kd) {
        int64_t p =
            o * win.strides[d] - win.padsBegin[d] + kd * win.dilations[d];
        if (p >= -win.padsBegin[d] && p < inSpatial[d] + win.padsEnd[d])
          ++taps[d][o].paddedCount;
        if (p >= 0 && p < inSpatial[d])
          taps[d][o].positions.push_back(p);
      }
  }
  std::vector<double> xv = toDoubles(x);
  std::vector<double> rv(static_cast<size_t>(product(shape)));
  int64_t inP = product(inSpatial), outP = product(outSpatial);
  Shape inStrides = rowMajorStrides(inSpatial);
  Shape oidx(rank), tidx(rank);
  for (int64_t o = 0; o < outP; ++o) {
    for (size_t d = rank, rem = o; d-- > 0;) {
      oidx[d] = static_cast<int64_t>(rem) % outSpatial[d];
      rem /= outSpatial[d];
    }
    // Gather the window's input offsets once for every (N, C) plane.
    std::vector<int64_t> offsets = {0};
    int64_t paddedCount = 1;
    for (size_t d = 0; d < rank; ++d) {
      const PoolTaps &t = taps[d][oidx[d]];
      paddedCount *= t.paddedCount;
      std::vector<int64_t> next;
      next.reserve(offsets.size() * t.positions.size());
      for (int64_t base : offsets)
        for (int64_t p : t.positions)
          next.push_back(base + p * inStrides[d]);
      offsets = std::move(next);
    }
    for (int64_t plane = 0; plane < xs[0] * xs[1]; ++plane) {
      const double *src = xv.data() + plane * inP;
      double v;
      if (Kind == PoolKind::Max) {
        // NaN propagates (as numpy and PyTorch); an all-padding window
        // gives -inf.
        v = -std::numeric_limits<double>::infinity();
        for (int64_t off : offsets)
          v = std::isnan(src[off]) || std::isnan(v)
                  ? std::numeric_limits<double>::quiet_NaN()
                  : std::max(v, src[off]);
      } else {
        double sum = 0;
        for (int64_t off : offsets)
          sum += src[off];
        int64_t count = countIncludePad ? paddedCount
                                        : static_cast<int64_t>(offsets.size());
        v = sum / static_cast<double>(count);
      }
      rv[plane * outP + o] = v;
    }
  }
  fromDoubles(r, rv);
  return Status::ok();
}

} // namespace

std::vector<OpEntry> contractionOps() {
  return {
      {"matmul", 2, 2, 1, matmulOp},
      {"conv", 2, 3, 1, convOp},
      {"conv_transpose", 2, 3, 1, convTransposeOp},
      {"max_pool", 1, 1, 1, poolOp<PoolKind::Max>},
      {"avg_pool", 1, 1, 1, poolOp<PoolKind::Avg>},
  };
}

} // namespace ds::runtime::ref
