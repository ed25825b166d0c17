//===- KernelsQuantized.cpp - W4A16 kernels -------------------------------===//
//
// Kernels of the INT4 weight path (docs/design/int4.md):
// - matmul(x, dequantize_int4(packed, scales[, zeros])) is one kernel that
//   reads the packed nibbles and dequantizes them in registers, f32
//   accumulation, with the bias/residual `add` that follows fused in:
//   * GEMV (M <= 8 rows, decoding): one warp per 4 output channels; per
//     step each lane loads 16 bytes (32 weights of one group; 4 bytes when
//     K or the group size is not a multiple of 32) of each of the 4
//     channels, all in flight together, and every x value it loads serves
//     the 4 channels; the warp reduces with shuffles;
//   * GEMM (M > 8): 64x64 output tiles, 256 threads with 4x4 outputs each;
//     per 32-deep k step every thread loads one packed word (8 weights) and
//     writes them dequantized to shared memory.
// - dequantize_int4 on its own (a consumer that is not a fusable matmul):
//   one element per thread.
// The fused path needs K and group_size to be multiples of 8 (a packed word
// never straddles a row or group); other shapes use the unfused pair.
//
//===----------------------------------------------------------------------===//

#include "codegen/Kernels.h"
#include "passes/MemoryPlan.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::cuda;

namespace {

/// Rows of x up to which the GEMV template is used.
constexpr int64_t kGemvMaxRows = 8;
/// Warps per GEMV block, and output channels per warp.
constexpr unsigned kGemvWarps = 4;
constexpr int64_t kGemvChannels = 4;
constexpr unsigned kGemmTile = 64, kGemmDepth = 32;

struct QuantShape {
  int64_t k, n, groupSize, groupsPerRow;
  bool symmetric;
};

QuantShape shapeOf(DequantizeInt4Op dq) {
  RankedTensorType t = dq.getResult().getType();
  QuantShape s;
  s.k = t.getDimSize(0);
  s.n = t.getDimSize(1);
  s.groupSize = static_cast<int64_t>(dq.getGroupSize());
  s.groupsPerRow = (s.k + s.groupSize - 1) / s.groupSize;
  s.symmetric = !dq.getZeros();
  return s;
}

/// The code of weight `w` (a 32-bit word holding 8 consecutive k of one
/// channel, lowest k in the lowest nibble), dequantized: ((q - z) * s).
std::string dequantExpr(StringRef word, StringRef j) {
  return llvm::formatv("((float)(({0} >> (4u * {1})) & 15u) - z) * s", word, j)
      .str();
}

/// Loads s and z of group `g` of channel `n` (C expressions).
std::string groupParams(const QuantShape &q, StringRef n, StringRef g,
                        StringRef indent) {
  std::string s;
  llvm::raw_string_ostream os(s);
  std::string at = llvm::formatv("{0} * {1}u + {2}", n, q.groupsPerRow, g);
  os << indent << "const float s = dsF16ToF32(S[" << at << "]);\n";
  if (q.symmetric)
    os << indent << "const float z = 8.0f;\n";
  else
    os << indent << "const float z = (float)Z[" << at << "];\n";
  return s;
}

} // namespace

void KernelEmitter::collectFusedInt4Ops() {
  func.walk([&](MatmulOp op) {
    if (!fusableDequant(op))
      return;
    if (MulOp mul = getFusedPrologue(op))
      absorbed.insert(mul);
    if (AddOp add = getFusedEpilogue(op))
      absorbed.insert(add);
  });
}

DequantizeInt4Op KernelEmitter::fusableDequant(MatmulOp op) {
  return getFusedDequant(op);
}

LogicalResult KernelEmitter::emitDequantizeInt4(DequantizeInt4Op op) {
  // No kernel when every consumer reads the weights through its own loads.
  if (isFusedDequant(op))
    return success();
  FailureOr<ElementKind> kind = kindOf(op, op.getResult());
  if (failed(kind))
    return failure();
  QuantShape q = shapeOf(op);
  PointwiseKernel spec;
  spec.opName = "dequantize_int4";
  spec.inputs = {op.getPacked(), op.getScales()};
  spec.inputTypes = {"unsigned char", "unsigned short"};
  if (!q.symmetric) {
    spec.inputs.push_back(op.getZeros());
    spec.inputTypes.push_back("unsigned char");
  }
  spec.result = op.getResult();
  spec.resultType = kind->storage();
  spec.shape = {q.k, q.n};
  std::string it = indexTypeFor(spec.inputs, spec.shape);
  spec.indexType = it;
  std::string s;
  llvm::raw_string_ostream os(s);
  // Element i of the [K, N] result is (k = i / N, n = i % N).
  os << "    const " << it << " k = i / " << q.n << "u, n = i % " << q.n
     << "u;\n";
  os << "    const unsigned q = (in0[n * " << (q.k + 1) / 2
     << "u + k / 2u] >> (4u * (unsigned)(k & 1u))) & 15u;\n";
  std::string at =
      llvm::formatv("n * {0}u + k / {1}u", q.groupsPerRow, q.groupSize);
  os << "    const float z = "
     << (q.symmetric ? std::string("8.0f") : "(float)in2[" + at + "]") << ";\n";
  os << "    out[i] = "
     << kind->store("((float)q - z) * dsF16ToF32(in1[" + at + "])") << ";\n";
  spec.body = s;
  emitPointwise(op, spec);
  return success();
}

LogicalResult KernelEmitter::emitMatmulInt4(MatmulOp op, DequantizeInt4Op dq) {
  FailureOr<ElementKind> kind = kindOf(op, op.getResult());
  if (failed(kind) || failed(requireFloat(op, *kind, op.getType())))
    return failure();
  ElementKind e = *kind;
  QuantShape q = shapeOf(dq);
  RankedTensorType lhsType = op.getLhs().getType();
  int64_t rows = lhsType.getNumElements() / q.k;
  ArrayRef<int64_t> outShape = op.getType().getShape();
  AddOp add = getFusedEpilogue(op);
  MulOp mul = getFusedPrologue(op);
  Value x = op.getLhs(), colScale;
  if (mul) {
    bool scaleIsRhs =
        cast<RankedTensorType>(mul.getRhs().getType()).getRank() == 1 &&
        mul.getLhs().getType() == op.getLhs().getType();
    colScale = scaleIsRhs ? mul.getRhs() : mul.getLhs();
    x = scaleIsRhs ? mul.getLhs() : mul.getRhs();
  }
  Value extra;
  if (add)
    extra = add.getLhs() == op.getResult() ? add.getRhs() : add.getLhs();
  FailureOr<ElementKind> extraKind =
      extra ? kindOf(add, extra) : FailureOr<ElementKind>(e);
  if (failed(extraKind))
    return failure();

  bool gemv = rows <= kGemvMaxRows;
  EmittedKernel &k = newKernel(op, gemv ? "matmul_int4_gemv" : "matmul_int4");
  std::string st = e.storage();
  int64_t total = std::max({rows * q.k, q.n * q.k, rows * q.n});
  std::string it = idxType(total);
  unsigned threads = gemv ? kGemvWarps * 32 : 256;
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "extern \"C\" __global__ void __launch_bounds__(" << threads << ") "
     << k.name << "(const " << st
     << " *__restrict__ X, const unsigned char *__restrict__ P, "
        "const unsigned short *__restrict__ S, ";
  k.paramTypes = {"const " + st + " *", "const unsigned char *",
                  "const unsigned short *"};
  k.args = {x, dq.getPacked(), dq.getScales()};
  if (!q.symmetric) {
    os << "const unsigned char *__restrict__ Z, ";
    k.paramTypes.push_back("const unsigned char *");
    k.args.push_back(dq.getZeros());
  }
  if (colScale) {
    os << "const " << st << " *__restrict__ A, ";
    k.paramTypes.push_back("const " + st + " *");
    k.args.push_back(colScale);
  }
  if (extra) {
    os << "const " << extraKind->storage() << " *__restrict__ E, ";
    k.paramTypes.push_back("const " + extraKind->storage() + " *");
    k.args.push_back(extra);
  }
  os << st << " *__restrict__ Y) {\n";
  k.paramTypes.push_back(st + " *");
  Value result = add ? add.getResult() : op.getResult();
  k.args.push_back(result);
  k.numInputs = k.args.size() - 1;
  int64_t words = q.k / 8;

  // Stores v (f32) to output (r, c), adding the epilogue operand.
  auto store = [&](StringRef r, StringRef c, StringRef indent) {
    std::string out;
    llvm::raw_string_ostream o(out);
    o << indent << "const " << it << " i = " << r << " * " << q.n << "u + " << c
      << ";\n";
    if (extra) {
      bool coordinates = false;
      std::string idx = broadcastIndex(extra, outShape, coordinates);
      if (coordinates)
        emitCoordinates(o, outShape, "i", it, indent);
      o << indent << "v += " << extraKind->load("E[" + idx + "]") << ";\n";
    }
    o << indent << "Y[i] = " << e.store("v") << ";\n";
    return out;
  };

  if (gemv) {
    // Each warp computes kGemvChannels output channels, so every x value it
    // loads serves that many channels; each lane reads vw packed words (8
    // weights each: one 16-byte load when K and the group size allow) of
    // every channel per step, all independent loads in flight together.
    unsigned vw = (q.k % 32 == 0 && q.groupSize % 32 == 0) ? 4 : 1;
    int64_t steps = words / vw;
    // 8 channels per warp halve the x traffic where the registers allow
    // (ptxas spilled them for K = 256, where no lane loops).
    int64_t c = rows <= 2 && steps >= 32 ? 2 * kGemvChannels : kGemvChannels;
    os << "  const unsigned lane = threadIdx.x & 31u;\n";
    os << "  const " << it << " n0 = ((" << it << ")blockIdx.x * " << kGemvWarps
       << "u + (threadIdx.x >> 5)) * " << c << "u;\n";
    os << "  if (n0 >= " << q.n << "u) return; // whole warps\n";
    os << "  float acc[" << rows << "][" << c << "];\n";
    os << "#pragma unroll\n";
    os << "  for (int m = 0; m < " << rows << "; ++m)\n";
    os << "#pragma unroll\n";
    os << "    for (int c = 0; c < " << c << "; ++c) acc[m][c] = 0.0f;\n";
    os << "  for (" << it << " w = lane; w < " << steps << "u; w += 32u) {\n";
    os << "    const " << it << " k0 = w * " << vw * 8 << "u;\n";
    os << "    unsigned q[" << c << "][" << vw << "];\n";
    os << "    float s[" << c << "], z[" << c << "];\n";
    os << "#pragma unroll\n";
    os << "    for (int c = 0; c < " << c << "; ++c) {\n";
    // Channels past N (the last warp's tail) read channel N-1, never stored.
    os << "      const " << it << " n = n0 + c < " << q.n
       << "u ? n0 + c : " << q.n - 1 << "u;\n";
    if (vw == 4) {
      os << "      const uint4 t = ((const uint4 *)P)[n * " << steps
         << "u + w];\n";
      os << "      q[c][0] = t.x; q[c][1] = t.y; q[c][2] = t.z; q[c][3] = "
            "t.w;\n";
    } else {
      os << "      q[c][0] = ((const unsigned *)P)[n * " << words
         << "u + w];\n";
    }
    std::string at =
        llvm::formatv("n * {0}u + k0 / {1}u", q.groupsPerRow, q.groupSize);
    os << "      s[c] = dsF16ToF32(S[" << at << "]);\n";
    // z[c] = 2^23 + z: the nibble q becomes the float 2^23 + q by an OR of
    // its bits into 2^23's mantissa, and (2^23 + q) - (2^23 + z) = q - z
    // exactly, with no integer-to-float conversion (quarter rate).
    os << "      z[c] = 8388608.0f + "
       << (q.symmetric ? std::string("8.0f") : "(float)Z[" + at + "]") << ";\n";
    os << "    }\n";
    os << "#pragma unroll\n";
    os << "    for (unsigned v = 0; v < " << vw << "u; ++v) {\n";
    // f32 x: the 8 values of a word as two 16-byte loads per row (a lane's
    // 32 k are contiguous, so scalar loads would touch 32 lines per warp
    // instruction for 4 bytes each).
    bool vectorX = vw == 4 && st == "float" && rows <= 4;
    if (vectorX) {
      os << "      float xs[" << rows << "][8];\n";
      os << "#pragma unroll\n";
      os << "      for (int m = 0; m < " << rows << "; ++m) {\n";
      os << "        const float4 *__restrict__ x4 = (const float4 *)(X + ("
         << it << ")m * " << q.k << "u + k0 + v * 8u);\n";
      os << "        const float4 lo = x4[0], hi = x4[1];\n";
      os << "        xs[m][0] = lo.x; xs[m][1] = lo.y; xs[m][2] = lo.z; "
            "xs[m][3] = lo.w;\n";
      os << "        xs[m][4] = hi.x; xs[m][5] = hi.y; xs[m][6] = hi.z; "
            "xs[m][7] = hi.w;\n";
      os << "      }\n";
    }
    os << "#pragma unroll\n";
    os << "      for (unsigned j = 0; j < 8u; ++j) {\n";
    os << "        const " << it << " k = k0 + v * 8u + j;\n";
    if (colScale)
      os << "        const float a = " << e.load("A[k]") << ";\n";
    os << "        float xv[" << rows << "];\n";
    os << "#pragma unroll\n";
    os << "        for (int m = 0; m < " << rows << "; ++m)\n";
    os << "          xv[m] = "
       << (vectorX
               ? std::string("xs[m][j]")
               : e.load("X[(" + it + ")m * " + std::to_string(q.k) + "u + k]"))
       << (colScale ? " * a" : "") << ";\n";
    os << "#pragma unroll\n";
    os << "        for (int c = 0; c < " << c << "; ++c) {\n";
    os << "          const float wv = (__uint_as_float(((q[c][v] >> (4u * j)) "
          "& "
          "15u) | 0x4b000000u) - z[c]) * s[c];\n";
    os << "#pragma unroll\n";
    os << "          for (int m = 0; m < " << rows << "; ++m)\n";
    os << "            acc[m][c] += xv[m] * wv;\n";
    os << "        }\n";
    os << "      }\n";
    os << "    }\n";
    os << "  }\n";
    os << "#pragma unroll\n";
    os << "  for (int m = 0; m < " << rows << "; ++m) {\n";
    os << "#pragma unroll\n";
    os << "    for (int c = 0; c < " << c << "; ++c) {\n";
    os << "      float v = acc[m][c];\n";
    os << "      for (int o = 16; o > 0; o >>= 1)\n";
    os << "        v += __shfl_xor_sync(0xffffffffu, v, o);\n";
    os << "      const " << it << " n = n0 + c;\n";
    os << "      if (lane == 0 && n < " << q.n << "u) {\n";
    os << store("(" + it + ")m", "n", "        ");
    os << "      }\n";
    os << "    }\n";
    os << "  }\n";
    os << "}\n";
    int64_t perBlock = kGemvWarps * c;
    k.grid = {static_cast<uint32_t>((q.n + perBlock - 1) / perBlock), 1, 1};
    k.block = {threads, 1, 1};
  } else {
    unsigned tile = kGemmTile, depth = kGemmDepth;
    os << "  __shared__ float As[" << tile << "][" << depth + 1 << "];\n";
    os << "  __shared__ float Bs[" << depth << "][" << tile + 1 << "];\n";
    os << "  const unsigned tx = threadIdx.x, ty = threadIdx.y;\n";
    os << "  const unsigned tid = ty * 16u + tx;\n";
    os << "  const " << it << " row0 = (" << it << ")blockIdx.y * " << tile
       << "u, col0 = (" << it << ")blockIdx.x * " << tile << "u;\n";
    os << "  const unsigned *__restrict__ W = (const unsigned *)P;\n";
    os << "  float acc[4][4];\n";
    os << "#pragma unroll\n";
    os << "  for (int a = 0; a < 4; ++a)\n";
    os << "#pragma unroll\n";
    os << "    for (int b = 0; b < 4; ++b) acc[a][b] = 0.0f;\n";
    os << "  for (" << it << " k0 = 0; k0 < " << q.k << "u; k0 += " << depth
       << "u) {\n";
    // A tile: 64 x 32, 8 elements per thread, coalesced along k.
    os << "#pragma unroll\n";
    os << "    for (unsigned r = 0; r < 8u; ++r) {\n";
    os << "      const unsigned idx = tid + 256u * r;\n";
    os << "      const unsigned ar = idx >> 5, ak = idx & 31u;\n";
    os << "      const " << it << " gr = row0 + ar, gk = k0 + ak;\n";
    os << "      As[ar][ak] = (gr < " << rows << "u && gk < " << q.k << "u) ? "
       << e.load(llvm::formatv("X[gr * {0}u + gk]", q.k).str())
       << (colScale ? " * " + e.load("A[gk]") : std::string()) << " : 0.0f;\n";
    os << "    }\n";
    // B tile: 32 x 64 from one packed word per thread, dequantized here.
    os << "    {\n";
    os << "      const unsigned bn = tid >> 2, bw = tid & 3u;\n";
    os << "      const " << it << " gn = col0 + bn, gk = k0 + bw * 8u;\n";
    os << "      if (gn < " << q.n << "u && gk < " << q.k << "u) {\n";
    os << "        const unsigned word = W[gn * " << words << "u + gk / 8u];\n";
    os << groupParams(q, "gn", llvm::formatv("gk / {0}u", q.groupSize).str(),
                      "        ");
    os << "#pragma unroll\n";
    os << "        for (unsigned j = 0; j < 8u; ++j)\n";
    os << "          Bs[bw * 8u + j][bn] = " << dequantExpr("word", "j")
       << ";\n";
    os << "      } else {\n";
    os << "#pragma unroll\n";
    os << "        for (unsigned j = 0; j < 8u; ++j) Bs[bw * 8u + j][bn] = "
          "0.0f;\n";
    os << "      }\n";
    os << "    }\n";
    os << "    __syncthreads();\n";
    os << "#pragma unroll 8\n";
    os << "    for (int kk = 0; kk < " << depth << "; ++kk) {\n";
    os << "      float a[4], b[4];\n";
    os << "#pragma unroll\n";
    os << "      for (int t = 0; t < 4; ++t) {\n";
    os << "        a[t] = As[ty + 16u * t][kk];\n";
    os << "        b[t] = Bs[kk][tx + 16u * t];\n";
    os << "      }\n";
    os << "#pragma unroll\n";
    os << "      for (int r = 0; r < 4; ++r)\n";
    os << "#pragma unroll\n";
    os << "        for (int c = 0; c < 4; ++c) acc[r][c] += a[r] * b[c];\n";
    os << "    }\n";
    os << "    __syncthreads();\n";
    os << "  }\n";
    os << "#pragma unroll\n";
    os << "  for (int r = 0; r < 4; ++r)\n";
    os << "#pragma unroll\n";
    os << "    for (int c = 0; c < 4; ++c) {\n";
    os << "      const " << it
       << " gr = row0 + ty + 16u * r, gc = col0 + tx + "
          "16u * c;\n";
    os << "      if (gr < " << rows << "u && gc < " << q.n << "u) {\n";
    os << "        float v = acc[r][c];\n";
    os << store("gr", "gc", "        ");
    os << "      }\n";
    os << "    }\n";
    os << "}\n";
    if ((rows + tile - 1) / tile > 65535)
      return op.emitOpError("unimplemented: W4A16 matmul with ")
             << rows << " rows (grid too large)";
    k.grid = {static_cast<uint32_t>((q.n + tile - 1) / tile),
              static_cast<uint32_t>((rows + tile - 1) / tile), 1};
    k.block = {16, 16, 1};
  }
  k.source = finishSource(k, op, s);
  return success();
}
