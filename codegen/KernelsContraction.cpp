//===- KernelsContraction.cpp - matmul, conv and pooling templates --------===//
//
// matmul: 16x16 shared-memory tiles, one output per thread, batch in
// gridDim.z with broadcast batch offsets.
//
// conv, conv_transpose, max_pool, avg_pool: the unfused baseline, a direct
// kernel with one output element per thread and every window loop bound a
// compile-time constant (taps unrolled when the window has at most 64), f32
// accumulation. conv_transpose gathers: each output visits the kernel taps
// whose input position is integral and in range. Implicit GEMM on tensor
// cores replaces the conv template later; these kernels are the numerics
// baseline it is checked against.
//
//===----------------------------------------------------------------------===//

#include "codegen/Kernels.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::cuda;

namespace {

/// Windows with at most this many taps are unrolled completely.
constexpr int64_t kMaxUnrolledTaps = 64;

/// One spatial dim of a sliding window: output position o reads input
/// position o * stride - pad + k * dilation for kernel tap k.
struct WindowDim {
  int64_t in, out, kernel, stride, pad, padEnd, dilation;

  /// Whether some tap of some output falls before / after the input.
  bool mayUnderflow() const { return pad > 0; }
  bool mayOverflow() const {
    return (out - 1) * stride - pad + (kernel - 1) * dilation >= in;
  }
};

SmallVector<WindowDim>
windowDims(ArrayRef<int64_t> inShape, ArrayRef<int64_t> outShape,
           ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
           ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations) {
  SmallVector<WindowDim> dims;
  size_t k = kernel.size();
  for (size_t d = 0; d < k; ++d)
    dims.push_back({inShape[2 + d], outShape[2 + d], kernel[d], strides[d],
                    pads[d], pads[k + d], dilations[d]});
  return dims;
}

/// `(int)c<coord> * stride - pad + k<d> * dilation`, simplified.
std::string windowPosition(const WindowDim &w, size_t d, size_t coord) {
  std::string e = llvm::formatv("(int)c{0}", coord).str();
  if (w.stride != 1)
    e += llvm::formatv(" * {0}", w.stride).str();
  if (w.pad != 0)
    e += llvm::formatv(" - {0}", w.pad).str();
  if (w.kernel > 1)
    e += w.dilation == 1 ? llvm::formatv(" + k{0}", d).str()
                         : llvm::formatv(" + k{0} * {1}", d, w.dilation).str();
  return e;
}

/// Opens one loop per window dim: tap k<d> at input position p<d>; taps
/// outside the input `continue` (padding never contributes), with the
/// bounds checks a dim can never fail left out. Returns the indentation
/// inside the loops.
std::string openWindowLoops(llvm::raw_ostream &os, ArrayRef<WindowDim> dims,
                            size_t firstCoord) {
  std::string indent = "    ";
  int64_t taps = 1;
  for (const WindowDim &w : dims)
    taps *= w.kernel;
  for (auto [d, w] : llvm::enumerate(dims)) {
    if (taps <= kMaxUnrolledTaps)
      os << "#pragma unroll\n";
    os << indent << "for (int k" << d << " = 0; k" << d << " < " << w.kernel
       << "; ++k" << d << ") {\n";
    indent += "  ";
    os << indent << "const int p" << d << " = "
       << windowPosition(w, d, firstCoord + d) << ";\n";
    if (w.mayUnderflow() && w.mayOverflow())
      os << indent << "if ((unsigned)p" << d << " >= " << w.in
         << "u) continue;\n";
    else if (w.mayUnderflow())
      os << indent << "if (p" << d << " < 0) continue;\n";
    else if (w.mayOverflow())
      os << indent << "if (p" << d << " >= " << w.in << ") continue;\n";
  }
  return indent;
}

/// `k0 * s0 + k1 * s1 ...`: the offset of tap (k0, k1, ...) in `kernel`.
std::string tapIndex(ArrayRef<int64_t> kernel) {
  SmallVector<int64_t> strides = stridesOf(kernel);
  std::string e;
  for (auto [d, s] : llvm::enumerate(strides))
    e += llvm::formatv("{0}k{1} * {2}", d ? " + " : "", d, s).str();
  return e.empty() ? "0" : e;
}

/// `ci * stride` in the index type `it` (the channel loop counter is int).
std::string channelOffset(StringRef it, int64_t stride) {
  std::string ci = it == "unsigned" ? "ci" : ("(" + it + ")ci").str();
  return llvm::formatv("{0} * {1}u", ci, stride).str();
}

void closeLoops(llvm::raw_ostream &os, size_t n) {
  for (size_t d = n; d-- > 0;)
    os << "    " << std::string(2 * d, ' ') << "}\n";
}

/// `p0 * s0 + p1 * s1 ...` over `shape` (positions as `type`), "0" for none.
std::string positionIndex(ArrayRef<int64_t> shape, StringRef prefix,
                          StringRef type) {
  SmallVector<int64_t> strides = stridesOf(shape);
  std::string e;
  for (auto [d, s] : llvm::enumerate(strides)) {
    if (!e.empty())
      e += " + ";
    e += llvm::formatv("({0}){1}{2}", type, prefix, d).str();
    if (s != 1)
      e += llvm::formatv(" * {0}u", s).str();
  }
  return e.empty() ? "0" : e;
}

} // namespace

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

LogicalResult KernelEmitter::emitMatmul(MatmulOp op, FusionOp fusion) {
  if (isGemvShape(op, fusion))
    return emitMatmulGemv(op, fusion);
  RankedTensorType lhsType = op.getLhs().getType();
  RankedTensorType rhsType = op.getRhs().getType();
  RankedTensorType outType = op.getType();
  FailureOr<ElementKind> kind = kindOf(op, op.getResult());
  if (failed(kind) || failed(requireFloat(op, *kind, outType.getElementType())))
    return failure();
  ElementKind e = *kind;
  // Normalize to [batch..., M, K] x [batch..., K, N] as numpy does.
  SmallVector<int64_t> a(lhsType.getShape()), b(rhsType.getShape());
  if (a.size() == 1)
    a.insert(a.begin(), 1);
  if (b.size() == 1)
    b.push_back(1);
  int64_t m = a[a.size() - 2], kDim = a.back(), n = b.back();
  ArrayRef<int64_t> batchA = ArrayRef<int64_t>(a).drop_back(2);
  ArrayRef<int64_t> batchB = ArrayRef<int64_t>(b).drop_back(2);
  size_t batchRank = std::max(batchA.size(), batchB.size());
  SmallVector<int64_t> batch(batchRank);
  for (size_t i = 0; i < batchRank; ++i) {
    int64_t da = i < batchRank - batchA.size()
                     ? 1
                     : batchA[i - (batchRank - batchA.size())];
    int64_t db = i < batchRank - batchB.size()
                     ? 1
                     : batchB[i - (batchRank - batchB.size())];
    batch[i] = std::max(da, db);
  }
  int64_t batchCount = product(batch);
  if (batchCount > 65535 || (m + kMatmulTile - 1) / kMatmulTile > 65535)
    return op.emitOpError("unimplemented: matmul grid too large (batch ")
           << batchCount << ", rows " << m << ")";
  // Offsets of a batch coordinate into A and B, in units of whole matrices.
  SmallVector<int64_t> aStrides = broadcastStrides(batchA, batch);
  SmallVector<int64_t> bStrides = broadcastStrides(batchB, batch);
  int64_t total = batchCount * std::max(m * kDim, std::max(kDim * n, m * n));
  std::string it = idxType(total);
  std::string st = e.storage();
  FusedState state;
  if (fusion) {
    it = idxType(std::max(total, fusionMaxElements(fusion)));
    state.indexType = it;
  }

  EmittedKernel &k = newKernel(fusion ? fusion.getOperation() : op,
                               fusion ? "fusion_matmul" : "matmul");
  std::string s;
  llvm::raw_string_ostream os(s);
  unsigned t = kMatmulTile;
  os << "extern \"C\" __global__ void __launch_bounds__(" << t * t << ") "
     << k.name << "(";
  if (fusion)
    os << fusedParameters(fusion, k) << ") {\n";
  else
    os << "const " << st << " *__restrict__ A, const " << st
       << " *__restrict__ B, " << st << " *__restrict__ C) {\n";
  os << "  __shared__ float As[" << t << "][" << t + 1 << "];\n";
  os << "  __shared__ float Bs[" << t << "][" << t + 1 << "];\n";
  os << "  const " << it << " tx = threadIdx.x, ty = threadIdx.y;\n";
  os << "  const " << it << " row = blockIdx.y * " << t << "u + ty;\n";
  os << "  const " << it << " col = blockIdx.x * " << t << "u + tx;\n";
  if (batchRank > 0) {
    emitCoordinates(os, batch, "blockIdx.z", it, "  ");
    os << "  const " << it << " aBase = (" << dotCoordinates(aStrides) << ") * "
       << m * kDim << "u;\n";
    os << "  const " << it << " bBase = (" << dotCoordinates(bStrides) << ") * "
       << kDim * n << "u;\n";
    os << "  const " << it << " cBase = (" << it << ")blockIdx.z * " << m * n
       << "u;\n";
  } else {
    os << "  const " << it << " aBase = 0, bBase = 0, cBase = 0;\n";
  }
  os << "  float acc = 0.0f;\n";
  os << "  for (" << it << " k0 = 0; k0 < " << kDim << "u; k0 += " << t
     << "u) {\n";
  os << "    const " << it << " ka = k0 + tx, kb = k0 + ty;\n";
  std::string aIndex = llvm::formatv("aBase + row * {0}u + ka", kDim).str();
  std::string bIndex = llvm::formatv("bBase + kb * {0}u + col", n).str();
  std::string aCond = llvm::formatv("row < {0}u && ka < {1}u", m, kDim).str();
  std::string bCond = llvm::formatv("kb < {0}u && col < {1}u", kDim, n).str();
  if (fusion) {
    // Operands pulled through the absorbed transposes and views.
    for (auto [name, operand, index, cond] :
         {std::tuple{"As", op.getLhs(), aIndex, aCond},
          std::tuple{"Bs", op.getRhs(), bIndex, bCond}}) {
      FusedExpr load(state, "      ");
      std::string v = load.get(operand, "l");
      if (load.failedAny)
        return failure();
      os << "    {\n      float x = 0.0f;\n      if (" << cond << ") {\n";
      os << "      const " << it << " l = " << index << ";\n"
         << load.code << "      x = " << v << ";\n      }\n";
      os << "      " << name << "[ty][tx] = x;\n    }\n";
    }
  } else {
    os << "    As[ty][tx] = (" << aCond << ") ? " << e.load("A[" + aIndex + "]")
       << " : 0.0f;\n";
    os << "    Bs[ty][tx] = (" << bCond << ") ? " << e.load("B[" + bIndex + "]")
       << " : 0.0f;\n";
  }
  os << "    __syncthreads();\n";
  os << "#pragma unroll\n";
  os << "    for (int kk = 0; kk < " << t << "; ++kk)\n";
  os << "      acc += As[ty][kk] * Bs[kk][tx];\n";
  os << "    __syncthreads();\n";
  os << "  }\n";
  if (fusion) {
    // The epilogue, pulled at the output index with the accumulator as the
    // matmul's value there.
    FailureOr<std::string> epilogue =
        contractionEpilogue(fusion, op, state, "o", "acc", "    ");
    if (failed(epilogue))
      return failure();
    os << "  if (row < " << m << "u && col < " << n << "u) {\n";
    os << "    const " << it << " o = cBase + row * " << n << "u + col;\n";
    os << *epilogue << "  }\n}\n";
    k.source = finishSource(k, fusion, state.prelude + s);
  } else {
    os << "  if (row < " << m << "u && col < " << n << "u)\n";
    os << "    C[cBase + row * " << n << "u + col] = " << e.store("acc")
       << ";\n";
    os << "}\n";
    k.source = finishSource(k, op, s);
  }
  k.grid = {static_cast<uint32_t>(std::max<int64_t>(1, (n + t - 1) / t)),
            static_cast<uint32_t>(std::max<int64_t>(1, (m + t - 1) / t)),
            static_cast<uint32_t>(std::max<int64_t>(1, batchCount))};
  k.block = {t, t, 1};
  if (fusion)
    return success();
  k.args = {op.getLhs(), op.getRhs(), op.getResult()};
  k.numInputs = 2;
  k.paramTypes = {"const " + st + " *", "const " + st + " *", st + " *"};
  return success();
}

//===----------------------------------------------------------------------===//
// conv
//===----------------------------------------------------------------------===//

namespace {

/// What conv and conv_transpose share: shapes, the group split and a kernel
/// over the output with parameters (x, w, bias?) and coordinates (c0: image,
/// c1: output channel, c2...: output position).
struct ConvSetup {
  ElementKind e;
  ArrayRef<int64_t> inSpatial, kernel;
  int64_t c, cg, mg, inPlane, taps;
  PointwiseKernel k;
  /// Pointer parameters of the input, the weight and the bias.
  std::string x = "in0", w = "in1", b = "in2";
  /// Inside a fusion: statements after `y` (the conv's value at `i`) that
  /// store the fusion's results.
  std::string epilogue;
};

template <typename OpTy>
FailureOr<ConvSetup> setUpConv(OpTy op, FusionOp fusion) {
  ConvSetup cs;
  Type elt = op.getType().getElementType();
  FailureOr<ElementKind> kind = getElementKind(elt);
  if (failed(kind))
    return op.emitOpError("unimplemented: CUDA emission for element type ")
           << elt;
  cs.e = *kind;
  ArrayRef<int64_t> inShape = op.getInput().getType().getShape();
  ArrayRef<int64_t> outShape = op.getType().getShape();
  int64_t group = static_cast<int64_t>(op.getGroup());
  cs.c = inShape[1];
  cs.cg = cs.c / group;
  cs.mg = outShape[1] / group;
  cs.inSpatial = inShape.drop_front(2);
  cs.kernel = op.getWeight().getType().getShape().drop_front(2);
  cs.inPlane = product(cs.inSpatial);
  cs.taps = product(cs.kernel);
  PointwiseKernel &k = cs.k;
  k.opName = op->getName().stripDialect().str();
  k.inputs = {op.getInput(), op.getWeight()};
  if (op.getBias())
    k.inputs.push_back(op.getBias());
  k.inputTypes.assign(k.inputs.size(), cs.e.storage());
  k.result = op.getResult();
  k.resultType = cs.e.storage();
  k.shape.assign(outShape.begin(), outShape.end());
  k.coordinates = true;
  k.indexType =
      idxType(std::max({product(inShape), product(outShape),
                        product(op.getWeight().getType().getShape())}));
  if (!fusion)
    return cs;
  // The conv reads block arguments directly; the epilogue is pulled at the
  // output index with `y` as the conv's value.
  auto param = [&](Value v, std::string &name) -> LogicalResult {
    auto arg = dyn_cast<BlockArgument>(v);
    if (!arg)
      return op.emitOpError("unimplemented: a fused conv operand that is not "
                            "an input of the fusion");
    name = "in" + std::to_string(arg.getArgNumber());
    return success();
  };
  if (failed(param(op.getInput(), cs.x)) ||
      failed(param(op.getWeight(), cs.w)) ||
      (op.getBias() && failed(param(op.getBias(), cs.b))))
    return failure();
  k.indexType = idxType(std::max(fusionMaxElements(fusion),
                                 product(op.getWeight().getType().getShape())));
  k.fusion = fusion;
  FusedState state;
  state.indexType = k.indexType;
  FailureOr<std::string> epilogue =
      contractionEpilogue(fusion, op, state, "i", "y", "    ");
  if (failed(epilogue))
    return failure();
  cs.epilogue = *epilogue;
  k.prelude = state.prelude;
  k.opName = "fusion_conv";
  return cs;
}

/// The innermost statements of conv and conv_transpose: accumulate over the
/// group's input channels at input position `xp` and tap `wp` (weight stride
/// `wStride` per channel), close the window loops, add the bias and store.
std::string finishConv(const ConvSetup &cs, StringRef indent, size_t loops,
                       int64_t wStride, bool bias) {
  std::string s;
  llvm::raw_string_ostream os(s);
  StringRef it = cs.k.indexType;
  os << indent << "for (int ci = 0; ci < " << cs.cg << "; ++ci)\n";
  os << indent
     << "  acc += " << cs.e.load("xp[" + channelOffset(it, cs.inPlane) + "]")
     << " * " << cs.e.load("wp[" + channelOffset(it, wStride) + "]") << ";\n";
  closeLoops(os, loops);
  std::string value = bias ? "acc + " + cs.e.load(cs.b + "[c1]") : "acc";
  if (cs.epilogue.empty())
    os << "    out[i] = " << cs.e.store(value) << ";\n";
  else
    os << "    const float y = " << value << ";\n" << cs.epilogue;
  return s;
}

} // namespace

LogicalResult KernelEmitter::emitConv(ConvOp op, FusionOp fusion) {
  FailureOr<ConvSetup> cs = setUpConv(op, fusion);
  if (failed(cs))
    return failure();
  SmallVector<WindowDim> dims =
      windowDims(op.getInput().getType().getShape(), op.getType().getShape(),
                 cs->kernel, op.getStrides(), op.getPads(), op.getDilations());
  std::string st = cs->e.storage(), it = cs->k.indexType;
  std::string s;
  llvm::raw_string_ostream os(s);
  std::string groupOffset =
      op.getGroup() == 1
          ? ""
          : llvm::formatv(" + c1 / {0}u * {1}u", cs->mg, cs->cg).str();
  os << "    const " << st << " *x = " << cs->x << " + (c0 * " << cs->c << "u"
     << groupOffset << ") * " << cs->inPlane << "u;\n";
  os << "    const " << st << " *w = " << cs->w << " + c1 * "
     << cs->cg * cs->taps << "u;\n";
  os << "    float acc = 0.0f;\n";
  std::string indent = openWindowLoops(os, dims, 2);
  os << indent << "const " << st << " *xp = x + "
     << positionIndex(cs->inSpatial, "p", it) << ";\n";
  os << indent << "const " << st << " *wp = w + (" << tapIndex(cs->kernel)
     << ");\n";
  os << finishConv(*cs, indent, dims.size(), cs->taps,
                   static_cast<bool>(op.getBias()));
  cs->k.body = std::move(s);
  emitPointwise(op, cs->k);
  return success();
}

//===----------------------------------------------------------------------===//
// conv_transpose
//===----------------------------------------------------------------------===//

LogicalResult KernelEmitter::emitConvTranspose(ConvTransposeOp op,
                                               FusionOp fusion) {
  FailureOr<ConvSetup> cs = setUpConv(op, fusion);
  if (failed(cs))
    return failure();
  std::string st = cs->e.storage(), it = cs->k.indexType;
  int64_t cg = cs->cg, mg = cs->mg, taps = cs->taps;
  std::string s;
  llvm::raw_string_ostream os(s);
  // Output position o receives input position q from tap t when
  // o = q * stride - pad + t * dilation.
  std::string g =
      op.getGroup() == 1 ? "0u" : llvm::formatv("c1 / {0}u", mg).str();
  os << "    const " << it << " g = " << g << ";\n";
  os << "    const " << st << " *x = " << cs->x << " + (c0 * " << cs->c
     << "u + g * " << cg << "u) * " << cs->inPlane << "u;\n";
  os << "    const " << st << " *w = " << cs->w << " + (g * " << cg * mg
     << "u + c1 % " << mg << "u) * " << taps << "u;\n";
  os << "    float acc = 0.0f;\n";
  std::string indent = "    ";
  size_t rank = cs->kernel.size();
  for (size_t d = 0; d < rank; ++d) {
    int64_t stride = op.getStrides()[d], pad = op.getPads()[d];
    int64_t dil = op.getDilations()[d], in = cs->inSpatial[d];
    if (taps <= kMaxUnrolledTaps)
      os << "#pragma unroll\n";
    os << indent << "for (int k" << d << " = 0; k" << d << " < "
       << cs->kernel[d] << "; ++k" << d << ") {\n";
    indent += "  ";
    os << indent << "const int t" << d << " = (int)c" << d + 2 << " + " << pad
       << " - k" << d << " * " << dil << ";\n";
    if (stride == 1) {
      os << indent << "if ((unsigned)t" << d << " >= " << in
         << "u) continue;\n";
      os << indent << "const int q" << d << " = t" << d << ";\n";
    } else {
      os << indent << "if (t" << d << " < 0 || t" << d << " % " << stride
         << " != 0) continue;\n";
      os << indent << "const int q" << d << " = t" << d << " / " << stride
         << ";\n";
      os << indent << "if (q" << d << " >= " << in << ") continue;\n";
    }
  }
  os << indent << "const " << st << " *xp = x + "
     << positionIndex(cs->inSpatial, "q", it) << ";\n";
  os << indent << "const " << st << " *wp = w + (" << tapIndex(cs->kernel)
     << ");\n";
  os << finishConv(*cs, indent, rank, mg * taps,
                   static_cast<bool>(op.getBias()));
  cs->k.body = std::move(s);
  emitPointwise(op, cs->k);
  return success();
}

//===----------------------------------------------------------------------===//
// max_pool, avg_pool
//===----------------------------------------------------------------------===//

LogicalResult KernelEmitter::emitPool(Operation *op) {
  auto maxPool = dyn_cast<MaxPoolOp>(op);
  auto avgPool = dyn_cast<AvgPoolOp>(op);
  Value input = op->getOperand(0), result = op->getResult(0);
  FailureOr<ElementKind> kind = kindOf(op, result);
  if (failed(kind))
    return failure();
  ElementKind e = *kind;
  ArrayRef<int64_t> inShape =
      cast<RankedTensorType>(input.getType()).getShape();
  ArrayRef<int64_t> outShape =
      cast<RankedTensorType>(result.getType()).getShape();
  ArrayRef<int64_t> kernel =
      maxPool ? maxPool.getKernelShape() : avgPool.getKernelShape();
  // Dilations may be left empty (all ones).
  SmallVector<int64_t> dilations(maxPool ? maxPool.getDilations()
                                         : avgPool.getDilations());
  if (dilations.empty())
    dilations.assign(kernel.size(), 1);
  SmallVector<WindowDim> dims =
      windowDims(inShape, outShape, kernel,
                 maxPool ? maxPool.getStrides() : avgPool.getStrides(),
                 maxPool ? maxPool.getPads() : avgPool.getPads(), dilations);
  bool ceilMode =
      (maxPool ? maxPool.getCeilMode() : avgPool.getCeilMode()) != 0;
  bool countPad = avgPool && avgPool.getCountIncludePad() != 0;
  ArrayRef<int64_t> inSpatial = inShape.drop_front(2);
  int64_t inPlane = product(inSpatial);
  int64_t outPlane = product(outShape.drop_front(2));

  PointwiseKernel k;
  k.opName = op->getName().stripDialect().str();
  k.inputs = {input};
  k.inputTypes = {e.storage()};
  k.result = result;
  k.resultType = e.storage();
  k.shape.assign(outShape.begin(), outShape.end());
  k.coordinates = true;
  k.indexType = indexTypeFor(k.inputs, outShape);
  std::string st = e.storage(), it = k.indexType;
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "    const " << st << " *x = in0 + i / " << outPlane << "u * "
     << inPlane << "u;\n";
  if (maxPool)
    os << "    float v = __int_as_float(0xff800000);\n";
  else
    os << "    float sum = 0.0f;\n    int n = 0;\n";
  // Padding never contributes: taps outside the input are skipped.
  std::string indent = openWindowLoops(os, dims, 2);
  os << indent << "const float xv = "
     << e.load("x[" + positionIndex(inSpatial, "p", it) + "]") << ";\n";
  if (maxPool) {
    // NaN propagates (as numpy and PyTorch).
    os << indent << "v = (xv > v || xv != xv) ? xv : v;\n";
  } else {
    os << indent << "sum += xv;\n" << indent << "++n;\n";
  }
  closeLoops(os, dims.size());
  if (maxPool) {
    os << "    out[i] = " << e.store("v") << ";\n";
  } else {
    std::string divisor = "(float)n";
    if (countPad && !ceilMode) {
      // Every window lies inside the padded input.
      divisor = floatLiteral(static_cast<double>(product(kernel)));
    } else if (countPad) {
      // ceil_mode windows may end past the end padding: count the taps
      // inside [-pad, in + padEnd) per dim.
      os << "    int padded = 1;\n";
      for (auto [d, w] : llvm::enumerate(dims)) {
        os << "    {\n      int inside = 0;\n";
        os << "      for (int k" << d << " = 0; k" << d << " < " << w.kernel
           << "; ++k" << d << ") {\n";
        os << "        const int p" << d << " = " << windowPosition(w, d, d + 2)
           << ";\n";
        os << "        inside += p" << d << " >= " << -w.pad << " && p" << d
           << " < " << w.in + w.padEnd << ";\n";
        os << "      }\n      padded *= inside;\n    }\n";
      }
      divisor = "(float)padded";
    }
    os << "    out[i] = " << e.store("sum / " + divisor) << ";\n";
  }
  k.body = std::move(s);
  emitPointwise(op, k);
  return success();
}
