//===- KernelsContraction.cpp - matmul, conv and pooling templates --------===//
//
// matmul: f32 (and f16/bf16 under `ds.tensor_cores = false`) on the SIMT
// template, 16x16 shared-memory tiles with one output per thread; f16/bf16
// on tensor cores (nvcuda::wmma m16n16k16, f32 accumulators, 64x64 block
// tiles of 4 warps). Both put the batch in gridDim.z with broadcast batch
// offsets and apply a fused epilogue per output element.
//
// conv, conv_transpose, max_pool, avg_pool: a direct kernel with one output
// element per thread and every window loop bound a compile-time constant
// (taps unrolled when the window has at most 64), f32 accumulation.
// conv_transpose gathers: each output visits the kernel taps whose input
// position is integral and in range. docs/design/kernel-abi.md says why conv
// stays direct rather than an implicit GEMM.
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

FailureOr<MatmulShape> KernelEmitter::matmulShape(MatmulOp op,
                                                  FusionOp fusion) {
  MatmulShape sh;
  RankedTensorType lhsType = op.getLhs().getType();
  RankedTensorType rhsType = op.getRhs().getType();
  RankedTensorType outType = op.getType();
  FailureOr<ElementKind> kind = kindOf(op, op.getResult());
  if (failed(kind) || failed(requireFloat(op, *kind, outType.getElementType())))
    return failure();
  sh.e = *kind;
  // Normalize to [batch..., M, K] x [batch..., K, N] as numpy does.
  SmallVector<int64_t> a(lhsType.getShape()), b(rhsType.getShape());
  if (a.size() == 1)
    a.insert(a.begin(), 1);
  if (b.size() == 1)
    b.push_back(1);
  sh.m = a[a.size() - 2];
  sh.k = a.back();
  sh.n = b.back();
  ArrayRef<int64_t> batchA = ArrayRef<int64_t>(a).drop_back(2);
  ArrayRef<int64_t> batchB = ArrayRef<int64_t>(b).drop_back(2);
  size_t batchRank = std::max(batchA.size(), batchB.size());
  sh.batch.resize(batchRank);
  for (size_t i = 0; i < batchRank; ++i) {
    int64_t da = i < batchRank - batchA.size()
                     ? 1
                     : batchA[i - (batchRank - batchA.size())];
    int64_t db = i < batchRank - batchB.size()
                     ? 1
                     : batchB[i - (batchRank - batchB.size())];
    sh.batch[i] = std::max(da, db);
  }
  sh.batchCount = product(sh.batch);
  // Offsets of a batch coordinate into A and B, in units of whole matrices.
  sh.aStrides = broadcastStrides(batchA, sh.batch);
  sh.bStrides = broadcastStrides(batchB, sh.batch);
  int64_t total =
      sh.batchCount * std::max(sh.m * sh.k, std::max(sh.k * sh.n, sh.m * sh.n));
  sh.indexType =
      idxType(fusion ? std::max(total, fusionMaxElements(fusion)) : total);
  return sh;
}

/// The batch offsets aBase, bBase, cBase of the matrices blockIdx.z works on.
static void emitBatchBases(llvm::raw_ostream &os, const MatmulShape &sh) {
  const std::string &it = sh.indexType;
  if (sh.batch.empty()) {
    os << "  const " << it << " aBase = 0, bBase = 0, cBase = 0;\n";
    return;
  }
  emitCoordinates(os, sh.batch, "blockIdx.z", it, "  ");
  os << "  const " << it << " aBase = (" << dotCoordinates(sh.aStrides)
     << ") * " << sh.m * sh.k << "u;\n";
  os << "  const " << it << " bBase = (" << dotCoordinates(sh.bStrides)
     << ") * " << sh.k * sh.n << "u;\n";
  os << "  const " << it << " cBase = (" << it << ")blockIdx.z * "
     << sh.m * sh.n << "u;\n";
}

bool KernelEmitter::useTensorCores(MatmulOp op, const MatmulShape &sh) const {
  if (sh.e.kind != ElementKind::F16 && sh.e.kind != ElementKind::BF16)
    return false;
  if (op.getLhs().getType().getElementType() !=
      op.getRhs().getType().getElementType())
    return false;
  auto enabled = func->getAttrOfType<BoolAttr>(kTensorCoresAttr);
  return !enabled || enabled.getValue();
}

LogicalResult KernelEmitter::emitMatmul(MatmulOp op, FusionOp fusion) {
  // Few rows (decoding) are bandwidth-bound: the GEMV beats both tiles.
  if (isGemvShape(op, fusion))
    return emitMatmulGemv(op, fusion);
  FailureOr<MatmulShape> shape = matmulShape(op, fusion);
  if (failed(shape))
    return failure();
  const MatmulShape &sh = *shape;
  if (useTensorCores(op, sh))
    return emitMatmulTensorCore(op, fusion, sh);
  ElementKind e = sh.e;
  int64_t m = sh.m, kDim = sh.k, n = sh.n, batchCount = sh.batchCount;
  if (batchCount > 65535 || (m + kMatmulTile - 1) / kMatmulTile > 65535)
    return op.emitOpError("unimplemented: matmul grid too large (batch ")
           << batchCount << ", rows " << m << ")";
  std::string it = sh.indexType;
  std::string st = e.storage();
  FusedState state;
  if (fusion)
    state.indexType = it;

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
  emitBatchBases(os, sh);
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
    // Rounded to the element type first, as the unfused op stores it (a
    // no-op for f32).
    FailureOr<std::string> epilogue = contractionEpilogue(
        fusion, op, state, "o", e.load(e.store("acc")), "    ");
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
// matmul on tensor cores (f16, bf16)
//===----------------------------------------------------------------------===//

namespace {

/// `a && b ...` of the conditions that can fail; "true" when none can.
std::string conjunction(ArrayRef<std::string> conds) {
  std::string s;
  for (const std::string &c : conds)
    if (!c.empty())
      s += (s.empty() ? "" : " && ") + c;
  return s.empty() ? "true" : s;
}

/// `v < bound` unless every value the tile loop gives v is below `bound`
/// (the dim is a multiple of the tile).
std::string boundCheck(StringRef v, int64_t bound, int64_t tile) {
  if (bound % tile == 0)
    return "";
  return llvm::formatv("{0} < {1}u", v, bound).str();
}

} // namespace

LogicalResult KernelEmitter::emitMatmulTensorCore(MatmulOp op, FusionOp fusion,
                                                  const MatmulShape &sh) {
  constexpr unsigned tm = kWmmaTileM, tn = kWmmaTileN, tk = kWmmaTileK;
  constexpr unsigned threads = kWmmaWarps * 32;
  // Leading dimensions of the shared tiles, padded by 16 bytes against bank
  // conflicts; every fragment pointer stays 32-byte aligned as WMMA needs.
  constexpr unsigned lda = tk + 8, ldb = tn + 8, ldc = 32 + 4;
  constexpr unsigned aBytes = tm * lda * 2, bBytes = tk * ldb * 2;
  constexpr unsigned cBytes = kWmmaWarps * 32 * ldc * 4;
  constexpr unsigned smemBytes = std::max(aBytes + bBytes, cBytes);
  static_assert(aBytes % 32 == 0 && (16 * lda * 2) % 32 == 0 &&
                    (16 * ldb * 2) % 32 == 0 && (16 * ldc * 4) % 32 == 0 &&
                    (32 * ldc * 4) % 32 == 0,
                "WMMA fragment pointers must be 32-byte aligned");
  const ElementKind e = sh.e;
  int64_t m = sh.m, kDim = sh.k, n = sh.n;
  if (sh.batchCount > 65535 || (m + tm - 1) / tm > 65535)
    return op.emitOpError("unimplemented: matmul grid too large (batch ")
           << sh.batchCount << ", rows " << m << ")";
  const std::string &it = sh.indexType;
  std::string ht = e.kind == ElementKind::F16 ? "__half" : "__nv_bfloat16";
  std::string fromBits =
      e.kind == ElementKind::F16 ? "__ushort_as_half" : "__ushort_as_bfloat16";
  FusedState state;
  state.indexType = it;

  EmittedKernel &k = newKernel(fusion ? fusion.getOperation() : op,
                               fusion ? "fusion_matmul" : "matmul");
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "#include <mma.h>\n\n";
  os << "extern \"C\" __global__ void __launch_bounds__(" << threads << ") "
     << k.name << "(";
  if (fusion)
    os << fusedParameters(fusion, k) << ") {\n";
  else
    os << "const unsigned short *__restrict__ A, const unsigned short "
          "*__restrict__ B, unsigned short *__restrict__ C) {\n";
  os << "  using namespace nvcuda;\n";
  os << "  // The A (" << tm << "x" << tk << ") and B (" << tk << "x" << tn
     << ") tiles of one K step; after the K loop the same bytes stage each "
        "warp's 32x32 accumulator for the per-element epilogue.\n";
  os << "  __shared__ __align__(32) unsigned char smem[" << smemBytes << "];\n";
  os << "  " << ht << " *As = reinterpret_cast<" << ht << " *>(smem);\n";
  os << "  " << ht << " *Bs = reinterpret_cast<" << ht << " *>(smem + "
     << aBytes << ");\n";
  os << "  float *Cs = reinterpret_cast<float *>(smem);\n";
  os << "  const unsigned tid = threadIdx.x, warp = tid / 32u, lane = tid % "
        "32u;\n";
  os << "  const unsigned wr = warp / 2u * 32u, wc = warp % 2u * 32u;\n";
  os << "  const " << it << " rowBase = (" << it << ")blockIdx.y * " << tm
     << "u, colBase = (" << it << ")blockIdx.x * " << tn << "u;\n";
  emitBatchBases(os, sh);
  os << "  wmma::fragment<wmma::accumulator, 16, 16, 16, float> cf[2][2];\n";
  os << "#pragma unroll\n  for (int i = 0; i < 2; ++i)\n"
        "#pragma unroll\n    for (int j = 0; j < 2; ++j)\n"
        "      wmma::fill_fragment(cf[i][j], 0.0f);\n";
  if (!fusion && kDim % 8 == 0)
    os << "  const bool AAligned = (reinterpret_cast<unsigned long long>(A) & "
          "15u) == 0;\n";
  if (!fusion && n % 8 == 0)
    os << "  const bool BAligned = (reinterpret_cast<unsigned long long>(B) & "
          "15u) == 0;\n";
  os << "  for (" << it << " k0 = 0; k0 < " << kDim << "u; k0 += " << tk
     << "u) {\n";
  // Operand tiles, zero-padded past the matrix edges.
  struct TileLoad {
    const char *name;
    Value operand;
    unsigned rows, cols, ld;
    std::string coords, index, cond;
    /// Elements of a matrix row (K for A, N for B).
    int64_t contiguous;
  };
  TileLoad loads[] = {
      {"As", op.getLhs(), tm, tk, lda,
       llvm::formatv("const {0} row = rowBase + r, ka = k0 + c;", it).str(),
       llvm::formatv("aBase + row * {0}u + ka", kDim).str(),
       conjunction({boundCheck("row", m, tm), boundCheck("ka", kDim, tk)}),
       kDim},
      {"Bs", op.getRhs(), tk, tn, ldb,
       llvm::formatv("const {0} kb = k0 + r, col = colBase + c;", it).str(),
       llvm::formatv("bBase + kb * {0}u + col", n).str(),
       conjunction({boundCheck("kb", kDim, tk), boundCheck("col", n, tn)}), n}};
  for (const TileLoad &t : loads) {
    const char *ptr = t.name == StringRef("As") ? "A" : "B";
    // Unfused operands whose rows are whole 16-byte vectors (8 elements)
    // load 16 bytes per thread and step when the pointer is aligned (arena
    // offsets are; a check keeps any other buffer correct): each vector is
    // entirely inside or outside the matrix.
    bool vector = !fusion && t.contiguous % 8 == 0;
    if (vector) {
      os << "    if (" << ptr << "Aligned) {\n";
      os << "#pragma unroll\n";
      os << "      for (unsigned e = tid; e < " << t.rows * t.cols / 8
         << "u; e += " << threads << "u) {\n";
      os << "        const unsigned r = e / " << t.cols / 8 << "u, c = e % "
         << t.cols / 8 << "u * 8u;\n";
      os << "        " << t.coords << "\n";
      os << "        uint4 v = {0u, 0u, 0u, 0u};\n";
      os << "        " << (t.cond == "true" ? "" : "if (" + t.cond + ") ")
         << "v = *reinterpret_cast<const uint4 *>(" << ptr << " + " << t.index
         << ");\n";
      os << "        *reinterpret_cast<uint4 *>(" << t.name << " + r * " << t.ld
         << "u + c) = v;\n";
      os << "      }\n    } else {\n";
    }
    // Four loads in flight per thread (unrolling the whole loop costs 128+
    // registers; none made ptxas spill on sm_90 once).
    os << "#pragma unroll 4\n";
    os << "    for (unsigned e = tid; e < " << t.rows * t.cols
       << "u; e += " << threads << "u) {\n";
    os << "      const unsigned r = e / " << t.cols << "u, c = e % " << t.cols
       << "u;\n";
    os << "      " << t.coords << "\n";
    std::string dst = llvm::formatv("{0}[r * {1}u + c]", t.name, t.ld).str();
    if (fusion) {
      // Operands pulled through the absorbed transposes and views (exact:
      // they are values of the operand type, rounded back unchanged).
      FusedExpr load(state, "        ");
      std::string v = load.get(t.operand, "l");
      if (load.failedAny)
        return failure();
      if (t.cond == "true")
        os << "      float x;\n      {\n";
      else
        os << "      float x = 0.0f;\n      if (" << t.cond << ") {\n";
      os << "        const " << it << " l = " << t.index << ";\n"
         << load.code << "        x = " << v << ";\n      }\n";
      os << "      " << dst << " = " << fromBits << "(" << e.store("x")
         << ");\n";
    } else {
      std::string value = std::string(ptr) + "[" + t.index + "]";
      if (t.cond != "true")
        value = t.cond + " ? " + value + " : (unsigned short)0";
      os << "      " << dst << " = " << fromBits << "(" << value << ");\n";
    }
    os << "    }\n";
    if (vector)
      os << "    }\n";
  }
  os << "    __syncthreads();\n";
  os << "#pragma unroll\n";
  os << "    for (int kk = 0; kk < " << tk << "; kk += 16) {\n";
  os << "      wmma::fragment<wmma::matrix_a, 16, 16, 16, " << ht
     << ", wmma::row_major> af[2];\n";
  os << "      wmma::fragment<wmma::matrix_b, 16, 16, 16, " << ht
     << ", wmma::row_major> bf[2];\n";
  os << "#pragma unroll\n      for (int i = 0; i < 2; ++i) {\n";
  os << "        wmma::load_matrix_sync(af[i], As + (wr + i * 16) * " << lda
     << " + kk, " << lda << ");\n";
  os << "        wmma::load_matrix_sync(bf[i], Bs + kk * " << ldb
     << " + wc + i * 16, " << ldb << ");\n      }\n";
  os << "#pragma unroll\n      for (int i = 0; i < 2; ++i)\n"
        "#pragma unroll\n        for (int j = 0; j < 2; ++j)\n"
        "          wmma::mma_sync(cf[i][j], af[i], bf[j], cf[i][j]);\n";
  os << "    }\n    __syncthreads();\n  }\n";
  // Each warp stages its accumulators, then writes its 32x32 quarter one
  // element per lane and step (coalesced rows), the epilogue per element.
  os << "  float *Cw = Cs + warp * " << 32 * ldc << "u;\n";
  os << "#pragma unroll\n  for (int i = 0; i < 2; ++i)\n"
        "#pragma unroll\n    for (int j = 0; j < 2; ++j)\n";
  os << "      wmma::store_matrix_sync(Cw + i * " << 16 * ldc
     << " + j * 16, cf[i][j], " << ldc << ", wmma::mem_row_major);\n";
  os << "  __syncwarp();\n";
  os << "  for (unsigned e = lane; e < 1024u; e += 32u) {\n";
  os << "    const unsigned r = e / 32u, c = e % 32u;\n";
  os << "    const " << it
     << " row = rowBase + wr + r, col = colBase + wc + c;\n";
  // Rows and columns past the matrix edges exist only in edge tiles.
  std::string storeCond =
      conjunction({boundCheck("row", m, tm), boundCheck("col", n, tn)});
  os << (storeCond == "true" ? "    {\n" : "    if (" + storeCond + ") {\n");
  os << "      const float acc = Cw[r * " << ldc << "u + c];\n";
  os << "      const " << it << " o = cBase + row * " << n << "u + col;\n";
  if (fusion) {
    // Rounded to the element type first, as the unfused op stores it.
    FailureOr<std::string> epilogue = contractionEpilogue(
        fusion, op, state, "o", e.load(e.store("acc")), "      ");
    if (failed(epilogue))
      return failure();
    os << *epilogue;
  } else {
    os << "      C[o] = " << e.store("acc") << ";\n";
  }
  os << "    }\n  }\n}\n";
  k.source = fusion ? finishSource(k, fusion, state.prelude + s)
                    : finishSource(k, op, s);
  k.grid = {static_cast<uint32_t>(std::max<int64_t>(1, (n + tn - 1) / tn)),
            static_cast<uint32_t>(std::max<int64_t>(1, (m + tm - 1) / tm)),
            static_cast<uint32_t>(std::max<int64_t>(1, sh.batchCount))};
  k.block = {threads, 1, 1};
  if (fusion)
    return success();
  k.args = {op.getLhs(), op.getRhs(), op.getResult()};
  k.numInputs = 2;
  k.paramTypes = {"const unsigned short *", "const unsigned short *",
                  "unsigned short *"};
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
