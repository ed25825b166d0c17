//===- KernelsGemv.cpp - matmul with few rows (decoding) ------------------===//
//
// y[M, N] = x[M, K] * W[K, N] for M <= kGemvMaxRows (one token, or a few),
// un-batched, with W contiguous along N (a weight after ds-fold-constants
// folded its transposes, or an activation read as is). Such a matmul reads
// each weight once and does 2M flops per weight: its speed is the memory
// bandwidth. The tiled matmul (KernelsContraction.cpp) wastes most of its
// 16x16 tile when M is 1 (measured on an H200: 12 % of HBM bandwidth for a
// 8192 x 8192 f32 weight), so these get their own kernel:
//
//   * a block covers 32 * cols consecutive columns and its kGemvWarps warps
//     split K (warp w takes k = w, w + kGemvWarps, ...); lane l reads
//     columns col0 + l + 32 j (j < cols), so every load of a warp is 128
//     contiguous bytes of one row of W, kUnroll rows in flight per lane;
//   * each x[m, k] is a broadcast load (one address for the warp) that
//     serves the `cols` columns of the lane;
//   * the warps' partial sums meet in shared memory in a fixed order (the
//     result is deterministic), and the fused epilogue runs per output.
//
// `cols` (1, 2 or 4) is the largest that still gives about two blocks per
// SM of an H100/H200 (132 SMs) and fits the partial sums in 48 KB.
//
//===----------------------------------------------------------------------===//

#include "codegen/Kernels.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::cuda;

namespace {

constexpr int64_t kGemvMaxRows = 8;
constexpr int64_t kGemvMinK = 128;
constexpr unsigned kGemvWarps = 16;
constexpr unsigned kUnroll = 4;
/// Blocks wanted for the bandwidth: about two per SM of a 132-SM part.
constexpr int64_t kTargetBlocks = 264;

} // namespace

bool KernelEmitter::isGemvShape(MatmulOp op, FusionOp fusion) {
  ArrayRef<int64_t> a = op.getLhs().getType().getShape();
  ArrayRef<int64_t> b = op.getRhs().getType().getShape();
  if (a.size() != 2 || b.size() != 2)
    return false;
  if (a[0] > kGemvMaxRows || a[1] < kGemvMinK || b[1] < 32)
    return false;
  // W must be read as stored: a fusion argument, not through a transpose or
  // a view the fusion absorbed.
  return !fusion || isa<BlockArgument>(op.getRhs());
}

LogicalResult KernelEmitter::emitMatmulGemv(MatmulOp op, FusionOp fusion) {
  FailureOr<ElementKind> kind = kindOf(op, op.getResult());
  if (failed(kind) ||
      failed(requireFloat(op, *kind, op.getType().getElementType())))
    return failure();
  ElementKind e = *kind;
  int64_t m = op.getLhs().getType().getDimSize(0);
  int64_t kDim = op.getLhs().getType().getDimSize(1);
  int64_t n = op.getRhs().getType().getDimSize(1);
  int64_t cols = 1;
  while (cols < 4 && (n + 64 * cols - 1) / (64 * cols) >= kTargetBlocks &&
         kGemvWarps * m * 32 * (2 * cols) * 4 <= 48 * 1024)
    cols *= 2;
  int64_t blockCols = 32 * cols;
  int64_t total = std::max({m * kDim, kDim * n, m * n});
  std::string it = idxType(total);
  std::string st = e.storage();
  FusedState state;
  if (fusion) {
    it = idxType(std::max(total, fusionMaxElements(fusion)));
    state.indexType = it;
  }

  EmittedKernel &k = newKernel(fusion ? fusion.getOperation() : op,
                               fusion ? "fusion_gemv" : "gemv");
  std::string s;
  llvm::raw_string_ostream os(s);
  unsigned threads = kGemvWarps * 32;
  os << "extern \"C\" __global__ void __launch_bounds__(" << threads << ") "
     << k.name << "(" << matmulParameters(op, fusion, k, st) << ") {\n";
  os << "  __shared__ float part[" << kGemvWarps << "][" << m << "]["
     << blockCols << "];\n";
  os << "  const unsigned lane = threadIdx.x & 31u, warp = threadIdx.x >> 5;\n";
  os << "  const " << it << " col0 = (" << it << ")blockIdx.x * " << blockCols
     << "u + lane;\n";
  os << "  float acc[" << m << "][" << cols << "];\n";
  os << "#pragma unroll\n";
  os << "  for (int r = 0; r < " << m << "; ++r)\n";
  os << "#pragma unroll\n";
  os << "    for (int j = 0; j < " << cols << "; ++j) acc[r][j] = 0.0f;\n";
  os << "#pragma unroll " << kUnroll << "\n";
  os << "  for (" << it << " kk = warp; kk < " << kDim
     << "u; kk += " << kGemvWarps << "u) {\n";
  // x[r, kk] (one address per warp) and W[kk, col0 + 32 j], as statements
  // that leave the value in `x`.
  auto load = [&](Value operand, char name, const std::string &index,
                  StringRef indent) -> std::optional<std::string> {
    std::string out = (indent + "const " + it + " l = " + index + ";\n").str();
    if (!fusion) {
      out += (indent + "x = " + e.load(std::string(1, name) + "[l]") + ";\n")
                 .str();
      return out;
    }
    FusedExpr expr(state, indent.str());
    std::string v = expr.get(operand, "l");
    if (expr.failedAny)
      return std::nullopt;
    return out + expr.code + (indent + "x = " + v + ";\n").str();
  };
  std::optional<std::string> xLoad =
      load(op.getLhs(), 'A',
           llvm::formatv("({0})r * {1}u + kk", it, kDim).str(), "      ");
  std::optional<std::string> wLoad = load(
      op.getRhs(), 'B', llvm::formatv("kk * {0}u + col", n).str(), "        ");
  if (!xLoad || !wLoad)
    return failure();
  os << "    float xr[" << m << "];\n";
  os << "#pragma unroll\n";
  os << "    for (int r = 0; r < " << m << "; ++r) {\n";
  os << "      float x;\n" << *xLoad << "      xr[r] = x;\n    }\n";
  os << "#pragma unroll\n";
  os << "    for (int j = 0; j < " << cols << "; ++j) {\n";
  os << "      const " << it << " col = col0 + 32u * j;\n";
  os << "      float x = 0.0f;\n";
  os << "      if (col < " << n << "u) {\n" << *wLoad << "      }\n";
  os << "#pragma unroll\n";
  os << "      for (int r = 0; r < " << m << "; ++r) acc[r][j] += xr[r] * x;\n";
  os << "    }\n";
  os << "  }\n";
  os << "#pragma unroll\n";
  os << "  for (int r = 0; r < " << m << "; ++r)\n";
  os << "#pragma unroll\n";
  os << "    for (int j = 0; j < " << cols << "; ++j)\n";
  os << "      part[warp][r][lane + 32u * j] = acc[r][j];\n";
  os << "  __syncthreads();\n";
  // Thread t sums output t (and t + threads, ...) over the warps, in order.
  os << "  for (unsigned t = threadIdx.x; t < " << m * blockCols
     << "u; t += " << threads << "u) {\n";
  os << "    const unsigned r = t / " << blockCols << "u, c = t % " << blockCols
     << "u;\n";
  os << "    const " << it << " col = (" << it << ")blockIdx.x * " << blockCols
     << "u + c;\n";
  os << "    if (col >= " << n << "u) continue;\n";
  os << "    float acc = 0.0f;\n";
  os << "#pragma unroll\n";
  os << "    for (unsigned w = 0; w < " << kGemvWarps
     << "u; ++w) acc += part[w][r][c];\n";
  os << "    const " << it << " o = (" << it << ")r * " << n << "u + col;\n";
  if (fusion) {
    // Rounded to the element type first, as the unfused op stores it.
    FailureOr<std::string> epilogue = contractionEpilogue(
        fusion, op, state, "o", e.load(e.store("acc")), "    ");
    if (failed(epilogue))
      return failure();
    os << *epilogue << "  }\n}\n";
    k.source = finishSource(k, fusion, state.prelude + s);
  } else {
    os << "    C[o] = " << e.store("acc") << ";\n  }\n}\n";
    k.source = finishSource(k, op, s);
  }
  k.grid = {static_cast<uint32_t>((n + blockCols - 1) / blockCols), 1, 1};
  k.block = {threads, 1, 1};
  return success();
}
