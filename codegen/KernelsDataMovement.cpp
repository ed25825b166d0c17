//===- KernelsDataMovement.cpp - Data movement kernel templates -----------===//
//
// transpose, concat, slice, gather, expand, tile, pad, resize, trilu and the
// shape-like ops range, shape and constant_of_shape: one output element per
// thread, moving stored bits (no conversion) except where the op computes
// (linear resize, range). Shapes, slice/pad parameters and resize scales are
// compile-time constants: resize precomputes its per-dim source indices and
// weights into tables in the source, with the reference's arithmetic.
// Every operand is a kernel parameter (kernel ABI), even the shape-like
// ones the kernel does not read.
//
//===----------------------------------------------------------------------===//

#include "codegen/Kernels.h"

#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::cuda;

namespace {

/// A pointwise kernel over `op`'s result with every operand a parameter
/// (in0, in1, ... in operand order) stored as its element type.
FailureOr<PointwiseKernel> operandsKernel(Operation *op) {
  PointwiseKernel k;
  k.opName = op->getName().stripDialect().str();
  for (Value v : llvm::concat<Value>(op->getOperands(), op->getResults())) {
    Type elt = cast<RankedTensorType>(v.getType()).getElementType();
    FailureOr<ElementKind> kind = getElementKind(elt);
    if (failed(kind))
      return op->emitOpError("unimplemented: CUDA emission for element type ")
             << elt;
    if (v == op->getResult(0)) {
      k.resultType = kind->storage();
    } else {
      k.inputs.push_back(v);
      k.inputTypes.push_back(kind->storage());
    }
  }
  k.result = op->getResult(0);
  ArrayRef<int64_t> shape =
      cast<RankedTensorType>(k.result.getType()).getShape();
  k.shape.assign(shape.begin(), shape.end());
  k.indexType = [&] {
    int64_t n = product(shape);
    for (Value v : k.inputs)
      n = std::max(n, cast<RankedTensorType>(v.getType()).getNumElements());
    return idxType(n);
  }();
  return k;
}

ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

/// `static __device__ const <type> <name>[] = {...};`
template <typename T>
std::string table(StringRef type, StringRef name, ArrayRef<T> values,
                  function_ref<std::string(T)> print) {
  std::string s = llvm::formatv("static __device__ const {0} {1}[{2}] = {{",
                                type, name, std::max<size_t>(values.size(), 1))
                      .str();
  for (auto [i, v] : llvm::enumerate(values))
    s += (i ? ", " : "") + print(v);
  if (values.empty())
    s += "0";
  return s + "};\n";
}

std::string printInt(int64_t v) { return std::to_string(v); }

} // namespace

//===----------------------------------------------------------------------===//
// transpose, concat
//===----------------------------------------------------------------------===//

LogicalResult KernelEmitter::emitTranspose(TransposeOp op) {
  FailureOr<PointwiseKernel> k = operandsKernel(op);
  if (failed(k))
    return failure();
  // Output coordinate d reads input dim perm[d].
  ArrayRef<int64_t> in = shapeOf(op.getInput());
  SmallVector<int64_t> inStrides = stridesOf(in), strides;
  for (int64_t p : op.getPerm())
    strides.push_back(in[p] == 1 ? 0 : inStrides[p]);
  k->coordinates = true;
  k->body = "    out[i] = in0[" + dotCoordinates(strides) + "];\n";
  emitPointwise(op, *k);
  return success();
}

LogicalResult KernelEmitter::emitConcat(ConcatOp op) {
  FailureOr<PointwiseKernel> k = operandsKernel(op);
  if (failed(k))
    return failure();
  int64_t axis = static_cast<int64_t>(op.getAxis());
  ArrayRef<int64_t> shape = op.getType().getShape();
  int64_t len = shape[axis], inner = product(shape.drop_front(axis + 1));
  int64_t outer = product(shape.take_front(axis));
  std::string it = k->indexType;
  std::string s;
  llvm::raw_string_ostream os(s);
  // a: the coordinate along the axis, which picks the operand.
  os << "    const " << it << " a = i / " << inner << "u % " << len << "u;\n";
  os << "    const " << it << " outer = "
     << (outer == 1 ? std::string("0")
                    : llvm::formatv("i / {0}u", len * inner).str())
     << ";\n";
  os << "    const " << it << " inner = "
     << (inner == 1 ? std::string("0") : llvm::formatv("i % {0}u", inner).str())
     << ";\n";
  int64_t offset = 0;
  size_t n = op.getInputs().size();
  for (auto [idx, v] : llvm::enumerate(op.getInputs())) {
    int64_t l = shapeOf(v)[axis];
    std::string read =
        llvm::formatv("in{0}[outer * {1}u + (a - {2}u) * {3}u + inner]", idx,
                      l * inner, offset, inner)
            .str();
    if (idx + 1 < n)
      os << "    " << (idx ? "else if" : "if") << " (a < " << offset + l
         << "u)\n      out[i] = " << read << ";\n";
    else
      os << "    " << (idx ? "else\n      " : "") << "out[i] = " << read
         << ";\n";
    offset += l;
  }
  k->body = std::move(s);
  emitPointwise(op, *k);
  return success();
}

//===----------------------------------------------------------------------===//
// slice, gather, expand, tile
//===----------------------------------------------------------------------===//

LogicalResult KernelEmitter::emitSlice(SliceOp op) {
  FailureOr<SmallVector<int64_t>> starts = getConstantInts(op.getStarts());
  FailureOr<SmallVector<int64_t>> ends = getConstantInts(op.getEnds());
  FailureOr<SmallVector<int64_t>> axes = getConstantInts(op.getAxes());
  FailureOr<SmallVector<int64_t>> steps = getConstantInts(op.getSteps());
  if (failed(starts) || failed(ends) || failed(axes) || failed(steps))
    return op.emitOpError("unimplemented: non-constant slice parameters (run "
                          "ds-static-shapes)");
  ArrayRef<int64_t> in = shapeOf(op.getInput());
  int64_t rank = static_cast<int64_t>(in.size());
  // ONNX Slice-13: negative values count from the back, ends clamp, negative
  // steps walk backwards.
  SmallVector<int64_t> first(rank, 0), step(rank, 1), shape(in);
  for (size_t i = 0; i < starts->size(); ++i) {
    int64_t axis = (*axes)[i] < 0 ? (*axes)[i] + rank : (*axes)[i];
    if (axis < 0 || axis >= rank || (*steps)[i] == 0)
      return op.emitOpError("invalid slice axis ")
             << (*axes)[i] << " or step " << (*steps)[i];
    int64_t dim = in[axis], st = (*steps)[i];
    int64_t b = (*starts)[i], e = (*ends)[i], len;
    if (b < 0)
      b += dim;
    if (e < 0)
      e += dim;
    if (st > 0) {
      b = std::clamp<int64_t>(b, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      len = e > b ? (e - b - 1) / st + 1 : 0;
    } else {
      b = std::clamp<int64_t>(b, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      len = b > e ? (b - e - 1) / -st + 1 : 0;
    }
    first[axis] = b;
    step[axis] = st;
    shape[axis] = len;
  }
  if (ArrayRef<int64_t>(shape) != op.getType().getShape())
    return op.emitOpError("slice parameters give a result of shape [")
           << llvm::make_range(shape.begin(), shape.end())
           << "] but the result type is " << op.getType();
  FailureOr<PointwiseKernel> k = operandsKernel(op);
  if (failed(k))
    return failure();
  SmallVector<int64_t> inStrides = stridesOf(in), strides;
  int64_t base = 0;
  for (int64_t d = 0; d < rank; ++d) {
    base += first[d] * inStrides[d];
    strides.push_back(step[d] * inStrides[d]);
  }
  k->coordinates = true;
  // dotCoordinates starts a negative first term as "0u - ...".
  std::string dot = dotCoordinates(strides);
  bool negative = StringRef(dot).starts_with("0u - ");
  k->body = llvm::formatv("    out[i] = in0[{0}u {1} {2}];\n", base,
                          negative ? "-" : "+", negative ? dot.substr(5) : dot)
                .str();
  emitPointwise(op, *k);
  return success();
}

LogicalResult KernelEmitter::emitGather(GatherOp op) {
  FailureOr<PointwiseKernel> k = operandsKernel(op);
  if (failed(k))
    return failure();
  ArrayRef<int64_t> data = shapeOf(op.getData());
  int64_t axis = static_cast<int64_t>(op.getAxis());
  int64_t dim = data[axis], inner = product(data.drop_front(axis + 1));
  int64_t count = product(shapeOf(op.getIndices()));
  int64_t outer = product(data.take_front(axis));
  std::string it = k->indexType;
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "    const " << it << " outer = "
     << (outer == 1 ? std::string("0")
                    : llvm::formatv("i / {0}u", count * inner).str())
     << ";\n";
  os << "    const " << it << " q = i / " << inner << "u % " << count << "u;\n";
  os << "    const " << it << " inner = "
     << (inner == 1 ? std::string("0") : llvm::formatv("i % {0}u", inner).str())
     << ";\n";
  // Negative indices count from the back; out-of-range ones clamp (the
  // reference reports them; a kernel must not read out of bounds).
  os << "    long long idx = (long long)in1[q];\n";
  os << "    idx = idx < 0 ? idx + " << dim << " : idx;\n";
  os << "    idx = idx < 0 ? 0 : idx >= " << dim << " ? " << dim - 1
     << " : idx;\n";
  os << "    out[i] = in0[(outer * " << dim << "u + (" << it << ")idx) * "
     << inner << "u + inner];\n";
  k->body = std::move(s);
  emitPointwise(op, *k);
  return success();
}

LogicalResult KernelEmitter::emitExpand(ExpandOp op) {
  FailureOr<PointwiseKernel> k = operandsKernel(op);
  if (failed(k))
    return failure();
  k->body = "    out[i] = in0[" +
            broadcastIndex(op.getInput(), k->shape, k->coordinates) + "];\n";
  emitPointwise(op, *k);
  return success();
}

LogicalResult KernelEmitter::emitTile(TileOp op) {
  FailureOr<PointwiseKernel> k = operandsKernel(op);
  if (failed(k))
    return failure();
  ArrayRef<int64_t> in = shapeOf(op.getInput());
  SmallVector<int64_t> inStrides = stridesOf(in);
  std::string index;
  for (size_t d = 0; d < in.size(); ++d) {
    if (in[d] == 1)
      continue;
    std::string c = in[d] == k->shape[d]
                        ? llvm::formatv("c{0}", d).str()
                        : llvm::formatv("c{0} % {1}u", d, in[d]).str();
    index += (index.empty() ? "" : " + ") +
             (inStrides[d] == 1
                  ? c
                  : llvm::formatv("({0}) * {1}u", c, inStrides[d]).str());
  }
  k->coordinates = true;
  k->body = "    out[i] = in0[" + (index.empty() ? "0" : index) + "];\n";
  emitPointwise(op, *k);
  return success();
}

//===----------------------------------------------------------------------===//
// pad
//===----------------------------------------------------------------------===//

LogicalResult KernelEmitter::emitPad(PadOp op) {
  FailureOr<SmallVector<int64_t>> pads = getConstantInts(op.getPads());
  if (failed(pads))
    return op.emitOpError("unimplemented: non-constant pads (run "
                          "ds-static-shapes)");
  FailureOr<PointwiseKernel> k = operandsKernel(op);
  if (failed(k))
    return failure();
  ArrayRef<int64_t> in = shapeOf(op.getInput());
  size_t rank = in.size();
  StringRef mode = op.getMode();
  SmallVector<int64_t> inStrides = stridesOf(in);
  std::string s, index, inside;
  llvm::raw_string_ostream os(s);
  // p<d>: the input position output coordinate d maps to (negative pads
  // crop); reflect mirrors without repeating the edge (periodically when the
  // pad exceeds the dim), edge repeats the edge.
  for (size_t d = 0; d < rank; ++d) {
    int64_t begin = (*pads)[d], end = (*pads)[rank + d], dim = in[d];
    bool low = begin > 0, high = end > 0;
    os << "    int p" << d << " = (int)c" << d;
    if (begin != 0)
      os << (begin > 0 ? " - " : " + ") << std::abs(begin);
    os << ";\n";
    std::string out =
        low && high ? llvm::formatv("(unsigned)p{0} >= {1}u", d, dim).str()
        : low       ? llvm::formatv("p{0} < 0", d).str()
        : high      ? llvm::formatv("p{0} >= {1}", d, dim).str()
                    : "";
    if (!out.empty()) {
      if (mode == "constant") {
        inside += (inside.empty() ? "" : " && ") + ("!(" + out + ")");
      } else if (mode == "edge" || dim == 1) {
        os << "    p" << d << " = p" << d << " < 0 ? 0 : p" << d
           << " >= " << dim << " ? " << dim - 1 << " : p" << d << ";\n";
      } else {
        int64_t period = 2 * (dim - 1);
        os << "    if (" << out << ") {\n";
        os << "      p" << d << " = (p" << d << " % " << period << " + "
           << period << ") % " << period << ";\n";
        os << "      if (p" << d << " >= " << dim << ") p" << d << " = "
           << period << " - p" << d << ";\n";
        os << "    }\n";
      }
    }
    if (dim != 1)
      index += llvm::formatv("{0}({1})p{2}{3}", index.empty() ? "" : " + ",
                             k->indexType, d,
                             inStrides[d] == 1
                                 ? std::string()
                                 : llvm::formatv(" * {0}u", inStrides[d]).str())
                   .str();
  }
  if (index.empty())
    index = "0";
  std::string fill = op.getConstantValue() ? std::string("in2[0]")
                                           : "(" + k->resultType + ")0";
  if (inside.empty())
    os << "    out[i] = in0[" << index << "];\n";
  else
    os << "    out[i] = " << inside << " ? in0[" << index << "] : " << fill
       << ";\n";
  k->coordinates = true;
  k->body = std::move(s);
  emitPointwise(op, *k);
  return success();
}

//===----------------------------------------------------------------------===//
// resize
//===----------------------------------------------------------------------===//

namespace {

/// The input coordinate of output coordinate `o` (ONNX Resize).
double sourceCoordinate(StringRef mode, double o, double scale, int64_t inLen,
                        int64_t outLen) {
  if (mode == "half_pixel")
    return (o + 0.5) / scale - 0.5;
  if (mode == "pytorch_half_pixel")
    return outLen > 1 ? (o + 0.5) / scale - 0.5 : 0.0;
  if (mode == "align_corners")
    return outLen == 1 ? 0.0
                       : o * static_cast<double>(inLen - 1) /
                             static_cast<double>(outLen - 1);
  if (mode == "tf_half_pixel_for_nn")
    return (o + 0.5) / scale;
  return o / scale; // asymmetric
}

int64_t nearestIndex(StringRef mode, double x, int64_t inLen) {
  double f = std::floor(x), frac = x - f;
  double r = mode == "floor"               ? f
             : mode == "ceil"              ? std::ceil(x)
             : mode == "round_prefer_ceil" ? (frac < 0.5 ? f : f + 1)
                                           : (frac <= 0.5 ? f : f + 1);
  return std::clamp<int64_t>(static_cast<int64_t>(r), 0, inLen - 1);
}

} // namespace

LogicalResult KernelEmitter::emitResize(ResizeOp op) {
  ArrayRef<int64_t> in = shapeOf(op.getInput());
  ArrayRef<int64_t> outShape = op.getType().getShape();
  size_t rank = in.size();
  SmallVector<double> scales(rank);
  if (op.getScales()) {
    FailureOr<SmallVector<double>> s = getConstantFloats(op.getScales());
    if (failed(s))
      return op.emitOpError("unimplemented: non-constant resize scales (run "
                            "ds-static-shapes)");
    scales.assign(s->begin(), s->end());
  } else {
    for (size_t d = 0; d < rank; ++d)
      scales[d] = in[d] == 0 ? 1.0
                             : static_cast<double>(outShape[d]) /
                                   static_cast<double>(in[d]);
  }
  FailureOr<PointwiseKernel> k = operandsKernel(op);
  if (failed(k))
    return failure();
  FailureOr<ElementKind> kind = kindOf(op, op.getResult());
  if (failed(kind))
    return failure();
  ElementKind e = *kind;
  StringRef ctm = op.getCoordinateTransformationMode();
  SmallVector<int64_t> inStrides = stridesOf(in);
  std::string it = k->indexType;
  std::string s;
  llvm::raw_string_ostream os(s);
  k->coordinates = true;
  if (op.getMode() == "nearest") {
    std::string index;
    for (size_t d = 0; d < rank; ++d) {
      SmallVector<int64_t> map;
      bool identity = in[d] == outShape[d];
      for (int64_t o = 0; o < outShape[d]; ++o) {
        map.push_back(
            nearestIndex(op.getNearestMode(),
                         sourceCoordinate(ctm, static_cast<double>(o),
                                          scales[d], in[d], outShape[d]),
                         in[d]));
        identity &= map.back() == o;
      }
      if (in[d] == 1)
        continue;
      std::string c = llvm::formatv("c{0}", d).str();
      if (!identity) {
        std::string name = llvm::formatv("dsNearest{0}", d).str();
        k->prelude += table<int64_t>("int", name, map, printInt);
        c = llvm::formatv("({0}){1}[c{2}]", it, name, d).str();
      }
      index +=
          (index.empty() ? "" : " + ") + c +
          (inStrides[d] == 1 ? ""
                             : llvm::formatv(" * {0}u", inStrides[d]).str());
    }
    os << "    out[i] = in0[" << (index.empty() ? "0" : index) << "];\n";
    k->body = std::move(s);
    emitPointwise(op, *k);
    return success();
  }

  // Linear: the source coordinate clamps to [0, in - 1]; each output mixes
  // the 2^n corners of the dims that interpolate.
  if (!e.isFloat())
    return requireFloat(op, e, op.getType().getElementType());
  std::string base;
  SmallVector<size_t> mixed;
  for (size_t d = 0; d < rank; ++d) {
    SmallVector<int64_t> lo, hi;
    SmallVector<double> w;
    bool identity = in[d] == outShape[d];
    for (int64_t o = 0; o < outShape[d]; ++o) {
      double c = std::clamp(sourceCoordinate(ctm, static_cast<double>(o),
                                             scales[d], in[d], outShape[d]),
                            0.0, static_cast<double>(in[d] - 1));
      lo.push_back(static_cast<int64_t>(std::floor(c)));
      hi.push_back(std::min(lo.back() + 1, in[d] - 1));
      w.push_back(c - static_cast<double>(lo.back()));
      identity &= lo.back() == o && w.back() == 0;
    }
    if (identity) {
      if (in[d] != 1)
        base += llvm::formatv("{0}c{1} * {2}u", base.empty() ? "" : " + ", d,
                              inStrides[d])
                    .str();
      continue;
    }
    mixed.push_back(d);
    k->prelude +=
        table<int64_t>("int", llvm::formatv("dsLo{0}", d).str(), lo, printInt);
    k->prelude +=
        table<int64_t>("int", llvm::formatv("dsHi{0}", d).str(), hi, printInt);
    k->prelude += table<double>("float", llvm::formatv("dsW{0}", d).str(), w,
                                floatLiteral);
    std::string stride =
        inStrides[d] == 1 ? "" : llvm::formatv(" * {0}u", inStrides[d]).str();
    os << llvm::formatv("    const {0} lo{1} = ({0})dsLo{1}[c{1}]{2}, hi{1} = "
                        "({0})dsHi{1}[c{1}]{2};\n"
                        "    const float w{1} = dsW{1}[c{1}];\n",
                        it, d, stride)
              .str();
  }
  os << "    const " << e.storage() << " *x = in0"
     << (base.empty() ? "" : " + (" + base + ")") << ";\n";
  os << "    float acc = 0.0f;\n";
  for (unsigned corner = 0; corner < (1u << mixed.size()); ++corner) {
    std::string weight, index;
    for (auto [bit, d] : llvm::enumerate(mixed)) {
      bool high = corner & (1u << bit);
      weight += llvm::formatv("{0}{1}", bit ? " * " : "",
                              high ? llvm::formatv("w{0}", d).str()
                                   : llvm::formatv("(1.0f - w{0})", d).str())
                    .str();
      index +=
          llvm::formatv("{0}{1}{2}", bit ? " + " : "", high ? "hi" : "lo", d)
              .str();
    }
    os << "    acc += " << (weight.empty() ? "1.0f" : weight) << " * "
       << e.load("x[" + (index.empty() ? std::string("0") : index) + "]")
       << ";\n";
  }
  os << "    out[i] = " << e.store("acc") << ";\n";
  k->body = std::move(s);
  emitPointwise(op, *k);
  return success();
}

//===----------------------------------------------------------------------===//
// trilu, range, shape, constant_of_shape
//===----------------------------------------------------------------------===//

LogicalResult KernelEmitter::emitTrilu(TriluOp op) {
  int64_t diag = 0;
  if (op.getK()) {
    FailureOr<SmallVector<int64_t>> k = getConstantInts(op.getK());
    if (failed(k) || k->size() != 1)
      return op.emitOpError("unimplemented: non-constant trilu k (run "
                            "ds-static-shapes)");
    diag = k->front();
  }
  FailureOr<PointwiseKernel> k = operandsKernel(op);
  if (failed(k))
    return failure();
  ArrayRef<int64_t> shape = op.getType().getShape();
  int64_t rows = shape[shape.size() - 2], cols = shape.back();
  k->body =
      llvm::formatv("    const long long r = (long long)(i / {0}u % {1}u), "
                    "col = (long long)(i % {0}u);\n"
                    "    out[i] = col - r {2} {3} ? in0[i] : ({4})0;\n",
                    cols, rows, op.getUpper() ? ">=" : "<=", int64Literal(diag),
                    k->resultType)
          .str();
  emitPointwise(op, *k);
  return success();
}

LogicalResult KernelEmitter::emitRange(RangeOp op) {
  FailureOr<PointwiseKernel> k = operandsKernel(op);
  FailureOr<ElementKind> kind = kindOf(op, op.getResult());
  if (failed(k) || failed(kind))
    return failure();
  ElementKind e = *kind;
  std::string start = e.load("in0[0]"), delta = e.load("in2[0]");
  // One rounding for floats: start + i * delta fused.
  std::string v =
      e.isFloat()
          ? "fmaf((float)i, " + delta + ", " + start + ")"
          : wrappingOp(e, start, "+",
                       wrappingOp(e, "(" + e.compute() + ")i", "*", delta));
  k->body = "    out[i] = " + e.store(v) + ";\n";
  emitPointwise(op, *k);
  return success();
}

LogicalResult KernelEmitter::emitShape(ShapeOp op) {
  FailureOr<PointwiseKernel> k = operandsKernel(op);
  if (failed(k))
    return failure();
  ArrayRef<int64_t> in = shapeOf(op.getInput());
  SmallVector<int64_t> dims(in.begin() + op.getStart(),
                            in.begin() + op.getEnd());
  k->prelude = table<int64_t>("long long", "dsDims", dims, int64Literal);
  k->body = "    out[i] = dsDims[i];\n";
  emitPointwise(op, *k);
  return success();
}

LogicalResult KernelEmitter::emitConstantOfShape(ConstantOfShapeOp op) {
  FailureOr<PointwiseKernel> k = operandsKernel(op);
  FailureOr<ElementKind> kind = kindOf(op, op.getResult());
  if (failed(k) || failed(kind))
    return failure();
  auto dense = dyn_cast<DenseElementsAttr>(op.getValue());
  if (!dense || dense.getNumElements() != 1)
    return op.emitOpError("unimplemented: constant_of_shape value that is not "
                          "a dense one-element tensor");
  // The stored bits of the value, exactly.
  std::string literal;
  if (isa<FloatType>(dense.getElementType())) {
    uint64_t bits =
        (*dense.getValues<APFloat>().begin()).bitcastToAPInt().getZExtValue();
    literal = kind->kind == ElementKind::F32
                  ? llvm::formatv("__uint_as_float(0x{0:x-}u)", bits).str()
                  : llvm::formatv("(unsigned short)0x{0:x-}u", bits).str();
  } else {
    APInt v = *dense.getValues<APInt>().begin();
    literal = kind->kind == ElementKind::I64 ? int64Literal(v.getSExtValue())
              : kind->kind == ElementKind::I1
                  ? std::string(v.isZero() ? "0" : "1")
                  : std::to_string(v.getSExtValue());
  }
  k->body = "    out[i] = " + literal + ";\n";
  emitPointwise(op, *k);
  return success();
}
