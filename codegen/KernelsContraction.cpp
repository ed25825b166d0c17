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
// position is integral and in range. Large f16/bf16 group-1 convs are
// implicit GEMMs on the tensor-core template instead; docs/design/
// kernel-abi.md says when and why the direct kernel stays.
//
//===----------------------------------------------------------------------===//

#include "codegen/Kernels.h"

#include "llvm/ADT/StringExtras.h"
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

std::string cuda::matmulParameters(MatmulOp op, FusionOp fusion,
                                   EmittedKernel &k, StringRef storage) {
  if (fusion)
    return fusedParameters(fusion, k);
  std::string st = storage.str();
  k.args = {op.getLhs(), op.getRhs(), op.getResult()};
  k.numInputs = 2;
  k.paramTypes = {"const " + st + " *", "const " + st + " *", st + " *"};
  return "const " + st + " *__restrict__ A, const " + st +
         " *__restrict__ B, " + st + " *__restrict__ C";
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
     << k.name << "(" << matmulParameters(op, fusion, k, st) << ") {\n";
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
  return success();
}

//===----------------------------------------------------------------------===//
// GEMM on tensor cores (f16, bf16): matmul and implicit-GEMM conv
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

/// How one operand tile of the tensor-core GEMM is loaded.
struct GemmOperand {
  /// Declares the matrix coordinates of tile element (r, c): `row`, `ka`
  /// for A, `kb`, `col` for B.
  std::string coords;
  /// Statements (6 spaces deep) that set `bits` (zero beforehand) to the
  /// element's storage bits at those coordinates.
  std::string load;
  /// Optional 16-byte path: when the matrix rows are whole vectors of 8
  /// elements, `vectorPtr` (an expression in the coordinates) points at
  /// elements c .. c + 7, in the matrix when `vectorCond` holds, and
  /// `alignedPtr` is the base pointer whose alignment is checked.
  std::string vectorPtr, vectorCond, alignedPtr;
};

/// A GEMM C[M x N] = A[M x K] * B[K x N] per gridDim.z slice on tensor cores
/// (docs/design/kernel-abi.md, "Tensor-core matmul").
struct TensorCoreGemm {
  std::string name, params;
  ElementKind e;
  std::string indexType;
  int64_t m = 0, n = 0, k = 0;
  /// Statements before the K loop (batch offsets).
  std::string prologue;
  GemmOperand a, b;
  /// Statements (6 spaces deep) run per output element in the matrix, with
  /// `row`, `col` and the f32 accumulator `acc`.
  std::string epilogue;
};

std::string tensorCoreGemmSource(const TensorCoreGemm &g) {
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
  const std::string &it = g.indexType;
  std::string ht = g.e.kind == ElementKind::F16 ? "__half" : "__nv_bfloat16";
  std::string fromBits = g.e.kind == ElementKind::F16 ? "__ushort_as_half"
                                                      : "__ushort_as_bfloat16";
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "#include <mma.h>\n\n";
  os << "extern \"C\" __global__ void __launch_bounds__(" << threads << ") "
     << g.name << "(" << g.params << ") {\n";
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
  os << g.prologue;
  os << "  wmma::fragment<wmma::accumulator, 16, 16, 16, float> cf[2][2];\n";
  os << "#pragma unroll\n  for (int i = 0; i < 2; ++i)\n"
        "#pragma unroll\n    for (int j = 0; j < 2; ++j)\n"
        "      wmma::fill_fragment(cf[i][j], 0.0f);\n";
  struct Tile {
    const char *name;
    const GemmOperand &op;
    unsigned rows, cols, ld;
  } tiles[] = {{"As", g.a, tm, tk, lda}, {"Bs", g.b, tk, tn, ldb}};
  for (const Tile &t : tiles)
    if (!t.op.vectorPtr.empty())
      os << "  const bool " << t.name << "Vector = (reinterpret_cast<unsigned "
         << "long long>(" << t.op.alignedPtr << ") & 15u) == 0;\n";
  os << "  for (" << it << " k0 = 0; k0 < " << g.k << "u; k0 += " << tk
     << "u) {\n";
  // Operand tiles, zero-padded past the matrix edges.
  for (const Tile &t : tiles) {
    std::string indent = "    ";
    if (!t.op.vectorPtr.empty()) {
      // 16 bytes per thread and step when the pointer is aligned (arena
      // offsets are; the check keeps any other buffer correct): a vector
      // is entirely inside or outside the matrix.
      os << "    if (" << t.name << "Vector) {\n";
      os << "#pragma unroll\n";
      os << "      for (unsigned e = tid; e < " << t.rows * t.cols / 8
         << "u; e += " << threads << "u) {\n";
      os << "        const unsigned r = e / " << t.cols / 8 << "u, c = e % "
         << t.cols / 8 << "u * 8u;\n";
      os << "        " << t.op.coords << "\n";
      os << "        uint4 v = {0u, 0u, 0u, 0u};\n";
      os << "        "
         << (t.op.vectorCond == "true" ? "" : "if (" + t.op.vectorCond + ") ")
         << "v = *reinterpret_cast<const uint4 *>(" << t.op.vectorPtr << ");\n";
      os << "        *reinterpret_cast<uint4 *>(" << t.name << " + r * " << t.ld
         << "u + c) = v;\n";
      os << "      }\n    } else {\n";
      indent = "      ";
    }
    // Four loads in flight per thread (unrolling the whole loop costs 128+
    // registers; none made ptxas spill on sm_90 once).
    std::string body;
    llvm::raw_string_ostream bs(body);
    bs << "#pragma unroll 4\n";
    bs << "for (unsigned e = tid; e < " << t.rows * t.cols
       << "u; e += " << threads << "u) {\n";
    bs << "  const unsigned r = e / " << t.cols << "u, c = e % " << t.cols
       << "u;\n";
    bs << "  " << t.op.coords << "\n";
    bs << "  unsigned short bits = 0;\n";
    // The operand's statements are written 6 deep; re-indent them.
    for (StringRef line : llvm::split(StringRef(t.op.load).rtrim('\n'), '\n'))
      bs << "  "
         << line.drop_front(
                std::min<size_t>(6, line.size() - line.ltrim(' ').size()))
         << "\n";
    bs << "  " << t.name << "[r * " << t.ld << "u + c] = " << fromBits
       << "(bits);\n";
    bs << "}\n";
    for (StringRef line : llvm::split(StringRef(body).rtrim('\n'), '\n'))
      os << (line.starts_with("#") ? "" : indent) << line << "\n";
    if (!t.op.vectorPtr.empty())
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
      conjunction({boundCheck("row", g.m, tm), boundCheck("col", g.n, tn)});
  os << (storeCond == "true" ? "    {\n" : "    if (" + storeCond + ") {\n");
  os << "      const float acc = Cw[r * " << ldc << "u + c];\n";
  os << g.epilogue;
  os << "    }\n  }\n}\n";
  return s;
}

/// The launch of a TensorCoreGemm with `slices` gridDim.z slices.
void setGemmLaunch(EmittedKernel &k, const TensorCoreGemm &g, int64_t slices) {
  k.grid = {static_cast<uint32_t>(
                std::max<int64_t>(1, (g.n + kWmmaTileN - 1) / kWmmaTileN)),
            static_cast<uint32_t>(
                std::max<int64_t>(1, (g.m + kWmmaTileM - 1) / kWmmaTileM)),
            static_cast<uint32_t>(std::max<int64_t>(1, slices))};
  k.block = {kWmmaWarps * 32, 1, 1};
}

} // namespace

LogicalResult KernelEmitter::emitMatmulTensorCore(MatmulOp op, FusionOp fusion,
                                                  const MatmulShape &sh) {
  const ElementKind e = sh.e;
  int64_t m = sh.m, kDim = sh.k, n = sh.n;
  if (sh.batchCount > 65535 || (m + kWmmaTileM - 1) / kWmmaTileM > 65535)
    return op.emitOpError("unimplemented: matmul grid too large (batch ")
           << sh.batchCount << ", rows " << m << ")";
  const std::string &it = sh.indexType;
  FusedState state;
  state.indexType = it;
  EmittedKernel &k = newKernel(fusion ? fusion.getOperation() : op,
                               fusion ? "fusion_matmul" : "matmul");
  TensorCoreGemm g;
  g.name = k.name;
  g.e = e;
  g.indexType = it;
  g.m = m;
  g.n = n;
  g.k = kDim;
  g.params = matmulParameters(op, fusion, k, e.storage());
  {
    llvm::raw_string_ostream os(g.prologue);
    emitBatchBases(os, sh);
  }
  struct Operand {
    GemmOperand &out;
    const char *ptr;
    Value value;
    std::string index, cond;
    int64_t rowLength;
  } operands[] = {{g.a, "A", op.getLhs(),
                   llvm::formatv("aBase + row * {0}u + ka", kDim).str(),
                   conjunction({boundCheck("row", m, kWmmaTileM),
                                boundCheck("ka", kDim, kWmmaTileK)}),
                   kDim},
                  {g.b, "B", op.getRhs(),
                   llvm::formatv("bBase + kb * {0}u + col", n).str(),
                   conjunction({boundCheck("kb", kDim, kWmmaTileK),
                                boundCheck("col", n, kWmmaTileN)}),
                   n}};
  g.a.coords = llvm::formatv("const {0} row = rowBase + r, ka = k0 + c;", it);
  g.b.coords = llvm::formatv("const {0} kb = k0 + r, col = colBase + c;", it);
  for (Operand &o : operands) {
    std::string guard = o.cond == "true" ? "" : "if (" + o.cond + ") ";
    if (fusion) {
      // Operands pulled through the absorbed transposes and views (exact:
      // they are values of the operand type, rounded back unchanged).
      FusedExpr load(state, "        ");
      std::string v = load.get(o.value, "l");
      if (load.failedAny)
        return failure();
      o.out.load = "      " + guard + "{\n        const " + it +
                   " l = " + o.index + ";\n" + load.code +
                   "        bits = " + e.store(v) + ";\n      }\n";
      continue;
    }
    o.out.load = "      " + guard + "bits = " + o.ptr + "[" + o.index + "];\n";
    if (o.rowLength % 8 == 0) {
      o.out.vectorPtr = std::string(o.ptr) + " + " + o.index;
      o.out.vectorCond = o.cond;
      o.out.alignedPtr = o.ptr;
    }
  }
  std::string epilogue =
      llvm::formatv("      const {0} o = cBase + row * {1}u + col;\n", it, n);
  if (fusion) {
    // Rounded to the element type first, as the unfused op stores it.
    FailureOr<std::string> stores = contractionEpilogue(
        fusion, op, state, "o", e.load(e.store("acc")), "      ");
    if (failed(stores))
      return failure();
    g.epilogue = epilogue + *stores;
  } else {
    g.epilogue = epilogue + "      C[o] = " + e.store("acc") + ";\n";
  }
  std::string source = tensorCoreGemmSource(g);
  k.source = fusion ? finishSource(k, fusion, state.prelude + source)
                    : finishSource(k, op, source);
  setGemmLaunch(k, g, sh.batchCount);
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
  // Rounded to the element type first, as the unfused op stores it.
  FailureOr<std::string> epilogue = contractionEpilogue(
      fusion, op, state, "i", cs.e.load(cs.e.store("y")), "    ");
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

bool KernelEmitter::useTensorCores(ConvOp op) const {
  Type elt = op.getType().getElementType();
  if (!elt.isF16() && !elt.isBF16())
    return false;
  if (op.getInput().getType().getElementType() != elt ||
      op.getWeight().getType().getElementType() != elt || op.getGroup() != 1)
    return false;
  auto enabled = func->getAttrOfType<BoolAttr>(kTensorCoresAttr);
  if (enabled && !enabled.getValue())
    return false;
  // An implicit GEMM pays off with at least one K step of reduction
  // (channels x taps) and a fourth of the 64-row tile in output channels.
  ArrayRef<int64_t> w = op.getWeight().getType().getShape();
  return product(w.drop_front(1)) >= kWmmaTileK && w[0] >= 16;
}

LogicalResult KernelEmitter::emitConv(ConvOp op, FusionOp fusion) {
  if (useTensorCores(op))
    return emitConvTensorCore(op, fusion);
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

LogicalResult KernelEmitter::emitConvTensorCore(ConvOp op, FusionOp fusion) {
  FailureOr<ConvSetup> cs = setUpConv(op, fusion);
  if (failed(cs))
    return failure();
  ArrayRef<int64_t> inShape = op.getInput().getType().getShape();
  ArrayRef<int64_t> outShape = op.getType().getShape();
  SmallVector<WindowDim> dims =
      windowDims(inShape, outShape, cs->kernel, op.getStrides(), op.getPads(),
                 op.getDilations());
  int64_t batch = outShape[0], cout = outShape[1];
  ArrayRef<int64_t> outSpatial = outShape.drop_front(2);
  int64_t outPlane = product(outSpatial);
  int64_t kDim = cs->c * cs->taps;
  if (batch > 65535 || (cout + kWmmaTileM - 1) / kWmmaTileM > 65535)
    return op.emitOpError("unimplemented: conv grid too large (batch ")
           << batch << ", channels " << cout << ")";
  const std::string &it = cs->k.indexType;
  const ElementKind &e = cs->e;
  EmittedKernel &k =
      newKernel(fusion ? fusion.getOperation() : op, cs->k.opName);
  // The GEMM of image blockIdx.z: out[co][p] = sum over (ci, tap) of
  // w[co][ci][tap] * x[ci][position of output p at tap], the B matrix
  // gathered from the image (zero in the padding) as tiles are loaded.
  TensorCoreGemm g;
  g.name = k.name;
  g.e = e;
  g.indexType = it;
  g.m = cout;
  g.n = outPlane;
  g.k = kDim;
  if (fusion) {
    g.params = fusedParameters(fusion, k);
  } else {
    for (size_t i = 0; i < cs->k.inputs.size(); ++i)
      g.params +=
          "const unsigned short *__restrict__ in" + std::to_string(i) + ", ";
    g.params += "unsigned short *__restrict__ out";
  }
  g.prologue = llvm::formatv("  const unsigned short *xin = {0} + ({1})"
                             "blockIdx.z * {2}u;\n"
                             "  const {1} cBase = ({1})blockIdx.z * {3}u;\n",
                             cs->x, it, cs->c * cs->inPlane, cout * outPlane);
  std::string wIndex = llvm::formatv("row * {0}u + ka", kDim).str();
  std::string aCond = conjunction({boundCheck("row", cout, kWmmaTileM),
                                   boundCheck("ka", kDim, kWmmaTileK)});
  g.a.coords = llvm::formatv("const {0} row = rowBase + r, ka = k0 + c;", it);
  g.a.load = "      " + (aCond == "true" ? "" : "if (" + aCond + ") ") +
             "bits = " + cs->w + "[" + wIndex + "];\n";
  if (kDim % 8 == 0) {
    g.a.vectorPtr = cs->w + " + " + wIndex;
    g.a.vectorCond = aCond;
    g.a.alignedPtr = cs->w;
  }
  // B[kb][col]: channel kb / taps, kernel tap kb % taps; output position
  // col; taps in the padding read zero.
  g.b.coords = llvm::formatv("const {0} kb = k0 + r, col = colBase + c;", it);
  {
    std::string bCond = conjunction({boundCheck("kb", kDim, kWmmaTileK),
                                     boundCheck("col", outPlane, kWmmaTileN)});
    llvm::raw_string_ostream os(g.b.load);
    os << "      " << (bCond == "true" ? "" : "if (" + bCond + ") ") << "{\n";
    os << "        const unsigned ci = kb / " << cs->taps << "u, tap = kb % "
       << cs->taps << "u;\n";
    SmallVector<int64_t> tapStrides = stridesOf(cs->kernel);
    SmallVector<int64_t> outStrides = stridesOf(outSpatial);
    SmallVector<std::string> inRange;
    for (auto [d, w] : llvm::enumerate(dims)) {
      auto coord = [](StringRef v, int64_t stride, int64_t size) {
        std::string e = v.str();
        if (stride != 1)
          e = llvm::formatv("{0} / {1}u", e, stride).str();
        return llvm::formatv("(int)({0} % {1}u)", e, size).str();
      };
      os << "        const int p" << d << " = "
         << coord("col", outStrides[d], outSpatial[d]);
      if (w.stride != 1)
        os << " * " << w.stride;
      if (w.pad != 0)
        os << " - " << w.pad;
      if (w.kernel > 1) {
        os << " + " << coord("tap", tapStrides[d], w.kernel);
        if (w.dilation != 1)
          os << " * " << w.dilation;
      }
      os << ";\n";
      if (w.mayUnderflow() && w.mayOverflow())
        inRange.push_back(llvm::formatv("(unsigned)p{0} < {1}u", d, w.in));
      else if (w.mayUnderflow())
        inRange.push_back(llvm::formatv("p{0} >= 0", d));
      else if (w.mayOverflow())
        inRange.push_back(llvm::formatv("p{0} < {1}", d, w.in));
    }
    std::string inside = conjunction(inRange);
    os << "        " << (inside == "true" ? "" : "if (" + inside + ") ")
       << "bits = xin[" << channelOffset(it, cs->inPlane) << " + "
       << positionIndex(cs->inSpatial, "p", it) << "];\n";
    os << "      }\n";
  }
  std::string value =
      op.getBias() ? "acc + " + e.load(cs->b + "[row]") : std::string("acc");
  g.epilogue = llvm::formatv("      const {0} o = cBase + row * {1}u + col;\n",
                             it, outPlane);
  if (cs->epilogue.empty())
    g.epilogue += "      out[o] = " + e.store(value) + ";\n";
  else
    g.epilogue += "      const " + it +
                  " i = o;\n      const float y = " + value + ";\n" +
                  cs->epilogue;
  std::string source = tensorCoreGemmSource(g);
  k.source = fusion ? finishSource(k, fusion, cs->k.prelude + source)
                    : finishSource(k, op, source);
  setGemmLaunch(k, g, batch);
  if (fusion)
    return success();
  k.args.assign(cs->k.inputs.begin(), cs->k.inputs.end());
  k.args.push_back(op.getResult());
  k.numInputs = cs->k.inputs.size();
  for (size_t i = 0; i < cs->k.inputs.size(); ++i)
    k.paramTypes.push_back("const unsigned short *");
  k.paramTypes.push_back("unsigned short *");
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
