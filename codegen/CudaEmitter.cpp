//===- CudaEmitter.cpp - ds IR to CUDA C++ kernels ------------------------===//
//
// Kernel templates, specialized for static shapes:
// - elementwise (unary, broadcasting binary, transpose, copy): one element
//   per thread in a grid-stride loop; broadcast and permutation index math is
//   unrolled with constant strides.
// - matmul: 16x16 shared-memory tiles, one output per thread, batch in
//   gridDim.z with broadcast batch offsets.
// - softmax: one block per row; max and sum with warp shuffles and a
//   shared-memory combine across warps.
//
// Kernel source must compile both with NVRTC and with the host compiler
// against runtime/emu/CudaEmu.h, so it uses no headers and no macros from
// math.h (e.g. -inf is written as __int_as_float(0xff800000)).
//
//===----------------------------------------------------------------------===//

#include "codegen/CudaEmitter.h"
#include "dialects/DS/DSOps.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::ds;

namespace {

constexpr unsigned kElementwiseBlock = 256;
constexpr unsigned kMaxElementwiseGrid = 4096;
constexpr unsigned kMatmulTile = 16;
constexpr unsigned kSoftmaxBlock = 128;

std::string idxType(int64_t n) {
  return n < (int64_t(1) << 31) ? "unsigned" : "unsigned long long";
}

/// Row-major strides of `shape`.
SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int i = static_cast<int>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Strides of `operand` broadcast to `result` (0 where it broadcasts).
SmallVector<int64_t> broadcastStrides(ArrayRef<int64_t> operand,
                                      ArrayRef<int64_t> result) {
  SmallVector<int64_t> own = stridesOf(operand);
  SmallVector<int64_t> strides(result.size(), 0);
  size_t offset = result.size() - operand.size();
  for (size_t i = 0; i < operand.size(); ++i)
    strides[offset + i] = operand[i] == 1 ? 0 : own[i];
  return strides;
}

/// Emits code decomposing the linear index `lin` over `shape` into
/// coordinates c0..cN-1 (declared as `type cI`).
void emitCoordinates(llvm::raw_ostream &os, ArrayRef<int64_t> shape,
                     StringRef lin, StringRef type, StringRef indent) {
  os << indent << type << " rem = " << lin << ";\n";
  for (int i = static_cast<int>(shape.size()) - 1; i >= 0; --i) {
    if (i == 0) {
      os << indent << type << " c0 = rem;\n";
      break;
    }
    os << indent << type << " c" << i << " = rem % " << shape[i] << "u;\n";
    os << indent << "rem /= " << shape[i] << "u;\n";
  }
}

/// `c0 * s0 + c1 * s1 ...` skipping zero strides; "0" when empty.
std::string dotCoordinates(ArrayRef<int64_t> strides) {
  std::string expr;
  for (auto [i, s] : llvm::enumerate(strides)) {
    if (s == 0)
      continue;
    if (!expr.empty())
      expr += " + ";
    expr += s == 1 ? llvm::formatv("c{0}", i).str()
                   : llvm::formatv("c{0} * {1}u", i, s).str();
  }
  return expr.empty() ? "0" : expr;
}

class KernelEmitter {
public:
  explicit KernelEmitter(func::FuncOp func) : func(func) {}

  FailureOr<KernelProgram> run();

private:
  LogicalResult emitOp(Operation *op);
  LogicalResult emitUnary(Operation *op);
  LogicalResult emitBinary(Operation *op);
  LogicalResult emitMatmul(MatmulOp op);
  LogicalResult emitSoftmax(SoftmaxOp op);
  LogicalResult emitTranspose(TransposeOp op);
  /// Elementwise kernel: `body` computes `out[i]` from loaded values named
  /// x0, x1, ... whose indices are given by `operandStrides`.
  void emitElementwiseKernel(Operation *op, StringRef opName,
                             ArrayRef<Value> inputs, Value output,
                             ArrayRef<SmallVector<int64_t>> operandStrides,
                             ArrayRef<int64_t> shape, StringRef inType,
                             StringRef outType, StringRef body);
  EmittedKernel &newKernel(Operation *op, StringRef opName);
  std::string header(const EmittedKernel &k, Operation *op);

  func::FuncOp func;
  KernelProgram program;
};

} // namespace

FailureOr<std::string> mlir::ds::getCudaStorageType(Type elementType) {
  if (elementType.isF32())
    return std::string("float");
  if (elementType.isF64())
    return std::string("double");
  if (elementType.isF16() || elementType.isBF16())
    return std::string("unsigned short");
  if (elementType.isInteger(64))
    return std::string("long long");
  if (elementType.isInteger(32))
    return std::string("int");
  if (elementType.isInteger(1) || elementType.isInteger(8))
    return std::string("unsigned char");
  return failure();
}

EmittedKernel &KernelEmitter::newKernel(Operation *op, StringRef opName) {
  EmittedKernel &k = program.kernels.emplace_back();
  k.name = llvm::formatv("k{0}_{1}", program.kernels.size() - 1, opName).str();
  k.op = op;
  return k;
}

std::string KernelEmitter::header(const EmittedKernel &k, Operation *op) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "// ds kernel " << k.name;
  if (op) {
    os << ": " << op->getName().getStringRef();
    if (auto loc = dyn_cast<NameLoc>(op->getLoc()))
      os << " (" << loc.getName().getValue() << ")";
  }
  os << "\n";
  return s;
}

void KernelEmitter::emitElementwiseKernel(
    Operation *op, StringRef opName, ArrayRef<Value> inputs, Value output,
    ArrayRef<SmallVector<int64_t>> operandStrides, ArrayRef<int64_t> shape,
    StringRef inType, StringRef outType, StringRef body) {
  EmittedKernel &k = newKernel(op, opName);
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  std::string it = idxType(n);
  std::string s = header(k, op);
  llvm::raw_string_ostream os(s);
  os << "extern \"C\" __global__ void __launch_bounds__(" << kElementwiseBlock
     << ") " << k.name << "(";
  for (auto [i, v] : llvm::enumerate(inputs)) {
    os << "const " << inType << " *__restrict__ in" << i << ", ";
    k.paramTypes.push_back(("const " + inType + " *").str());
  }
  os << outType << " *__restrict__ out) {\n";
  k.paramTypes.push_back((outType + " *").str());
  os << "  for (" << it << " i = blockIdx.x * " << kElementwiseBlock
     << "u + threadIdx.x; i < " << n << "u; i += gridDim.x * "
     << kElementwiseBlock << "u) {\n";
  bool needCoords = false;
  for (ArrayRef<int64_t> strides : operandStrides)
    needCoords |=
        ArrayRef<int64_t>(strides) != ArrayRef<int64_t>(stridesOf(shape));
  if (needCoords)
    emitCoordinates(os, shape, "i", it, "    ");
  for (auto [idx, strides] : llvm::enumerate(operandStrides)) {
    std::string index =
        ArrayRef<int64_t>(strides) == ArrayRef<int64_t>(stridesOf(shape))
            ? "i"
            : dotCoordinates(strides);
    os << "    " << inType << " x" << idx << " = in" << idx << "[" << index
       << "];\n";
  }
  os << "    out[i] = " << body << ";\n";
  os << "  }\n}\n";
  k.source = std::move(s);
  int64_t blocks = (n + kElementwiseBlock - 1) / kElementwiseBlock;
  k.grid = {static_cast<uint32_t>(std::max<int64_t>(
                1, std::min<int64_t>(blocks, kMaxElementwiseGrid))),
            1, 1};
  k.block = {kElementwiseBlock, 1, 1};
  k.args.append(inputs.begin(), inputs.end());
  k.args.push_back(output);
  k.numInputs = inputs.size();
}

LogicalResult KernelEmitter::emitUnary(Operation *op) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  if (!type.getElementType().isF32())
    return op->emitOpError("unimplemented: CUDA emission for element type ")
           << type.getElementType() << " (only f32 today)";
  std::string body =
      llvm::TypeSwitch<Operation *, std::string>(op)
          .Case([](NegOp) { return "-x0"; })
          .Case([](ExpOp) { return "expf(x0)"; })
          .Case([](SqrtOp) { return "sqrtf(x0)"; })
          .Case([](RsqrtOp) { return "rsqrtf(x0)"; })
          .Case([](TanhOp) { return "tanhf(x0)"; })
          .Case([](ErfOp) { return "erff(x0)"; })
          .Case([](ReluOp) { return "fmaxf(x0, 0.0f)"; })
          .Case([](SigmoidOp) { return "1.0f / (1.0f + expf(-x0))"; })
          .Case([](SiluOp) { return "x0 / (1.0f + expf(-x0))"; })
          .Case([](GeluOp g) {
            if (g.getApproximate() == "tanh")
              return "0.5f * x0 * (1.0f + tanhf(0.7978845608028654f * (x0 + "
                     "0.044715f * x0 * x0 * x0)))";
            return "0.5f * x0 * (1.0f + erff(x0 * 0.7071067811865476f))";
          })
          .Default([](Operation *) { return ""; });
  if (body.empty())
    return op->emitOpError("unsupported op for CUDA emission");
  SmallVector<int64_t> strides = stridesOf(type.getShape());
  emitElementwiseKernel(op, op->getName().stripDialect(), {op->getOperand(0)},
                        op->getResult(0), {strides}, type.getShape(), "float",
                        "float", body);
  return success();
}

LogicalResult KernelEmitter::emitBinary(Operation *op) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  Type elt = type.getElementType();
  if (!elt.isF32() && !elt.isInteger(32) && !elt.isInteger(64))
    return op->emitOpError("unimplemented: CUDA emission for element type ")
           << elt << " (f32, i32 and i64 today)";
  std::string ctype = *getCudaStorageType(elt);
  std::string body = llvm::TypeSwitch<Operation *, std::string>(op)
                         .Case([](AddOp) { return "x0 + x1"; })
                         .Case([](SubOp) { return "x0 - x1"; })
                         .Case([](MulOp) { return "x0 * x1"; })
                         .Case([](DivOp) { return "x0 / x1"; })
                         .Default([](Operation *) { return ""; });
  if (body.empty())
    return op->emitOpError("unsupported op for CUDA emission");
  SmallVector<SmallVector<int64_t>> strides;
  for (Value operand : op->getOperands())
    strides.push_back(broadcastStrides(
        cast<RankedTensorType>(operand.getType()).getShape(), type.getShape()));
  emitElementwiseKernel(
      op, op->getName().stripDialect(), {op->getOperand(0), op->getOperand(1)},
      op->getResult(0), strides, type.getShape(), ctype, ctype, body);
  return success();
}

LogicalResult KernelEmitter::emitTranspose(TransposeOp op) {
  RankedTensorType in = op.getInput().getType();
  RankedTensorType out = op.getType();
  FailureOr<std::string> ctype = getCudaStorageType(in.getElementType());
  if (failed(ctype))
    return op.emitOpError("unimplemented: CUDA emission for element type ")
           << in.getElementType();
  // Output coordinate i reads input dim perm[i].
  SmallVector<int64_t> inStrides = stridesOf(in.getShape());
  SmallVector<int64_t> strides;
  for (int64_t p : op.getPerm())
    strides.push_back(in.getShape()[p] == 1 ? 0 : inStrides[p]);
  emitElementwiseKernel(op, "transpose", {op.getInput()}, op.getResult(),
                        {strides}, out.getShape(), *ctype, *ctype, "x0");
  return success();
}

LogicalResult KernelEmitter::emitMatmul(MatmulOp op) {
  RankedTensorType lhsType = op.getLhs().getType();
  RankedTensorType rhsType = op.getRhs().getType();
  RankedTensorType outType = op.getType();
  if (!outType.getElementType().isF32())
    return op.emitOpError("unimplemented: CUDA emission for element type ")
           << outType.getElementType() << " (only f32 today)";
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
  int64_t batchCount = 1;
  for (int64_t d : batch)
    batchCount *= d;
  if (batchCount > 65535 || (m + kMatmulTile - 1) / kMatmulTile > 65535)
    return op.emitOpError("unimplemented: matmul grid too large (batch ")
           << batchCount << ", rows " << m << ")";
  // Offsets of a batch coordinate into A and B, in units of whole matrices.
  SmallVector<int64_t> aStrides = broadcastStrides(batchA, batch);
  SmallVector<int64_t> bStrides = broadcastStrides(batchB, batch);
  int64_t total = batchCount * std::max(m * kDim, std::max(kDim * n, m * n));
  std::string it = idxType(total);

  EmittedKernel &k = newKernel(op, "matmul");
  std::string s = header(k, op);
  llvm::raw_string_ostream os(s);
  unsigned t = kMatmulTile;
  os << "extern \"C\" __global__ void __launch_bounds__(" << t * t << ") "
     << k.name
     << "(const float *__restrict__ A, const float *__restrict__ B, "
        "float *__restrict__ C) {\n";
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
  os << "    As[ty][tx] = (row < " << m << "u && ka < " << kDim
     << "u) ? A[aBase + row * " << kDim << "u + ka] : 0.0f;\n";
  os << "    Bs[ty][tx] = (kb < " << kDim << "u && col < " << n
     << "u) ? B[bBase + kb * " << n << "u + col] : 0.0f;\n";
  os << "    __syncthreads();\n";
  os << "#pragma unroll\n";
  os << "    for (int kk = 0; kk < " << t << "; ++kk)\n";
  os << "      acc += As[ty][kk] * Bs[kk][tx];\n";
  os << "    __syncthreads();\n";
  os << "  }\n";
  os << "  if (row < " << m << "u && col < " << n << "u)\n";
  os << "    C[cBase + row * " << n << "u + col] = acc;\n";
  os << "}\n";
  k.source = std::move(s);
  k.grid = {static_cast<uint32_t>((n + t - 1) / t),
            static_cast<uint32_t>((m + t - 1) / t),
            static_cast<uint32_t>(batchCount)};
  k.block = {t, t, 1};
  k.args = {op.getLhs(), op.getRhs(), op.getResult()};
  k.numInputs = 2;
  k.paramTypes = {"const float *", "const float *", "float *"};
  return success();
}

LogicalResult KernelEmitter::emitSoftmax(SoftmaxOp op) {
  RankedTensorType type = op.getType();
  if (!type.getElementType().isF32())
    return op.emitOpError("unimplemented: CUDA emission for element type ")
           << type.getElementType() << " (only f32 today)";
  int64_t axis = op.getNormalizedAxis();
  ArrayRef<int64_t> shape = type.getShape();
  int64_t outer = 1, inner = 1, len = shape[axis];
  for (int64_t i = 0; i < axis; ++i)
    outer *= shape[i];
  for (int64_t i = axis + 1; i < static_cast<int64_t>(shape.size()); ++i)
    inner *= shape[i];
  std::string it = idxType(type.getNumElements());
  unsigned threads = kSoftmaxBlock, warps = threads / 32;

  EmittedKernel &k = newKernel(op, "softmax");
  std::string s = header(k, op);
  llvm::raw_string_ostream os(s);
  // Block-wide reductions: warp shuffles, then warp leaders combine through
  // shared memory; every thread gets the result.
  os << "static __device__ __forceinline__ float dsBlockReduce(float v, "
        "float *scratch, bool isMax) {\n"
     << "  for (int o = 16; o > 0; o >>= 1) {\n"
     << "    float w = __shfl_xor_sync(0xffffffffu, v, o);\n"
     << "    v = isMax ? fmaxf(v, w) : v + w;\n"
     << "  }\n"
     << "  if ((threadIdx.x & 31u) == 0) scratch[threadIdx.x >> 5] = v;\n"
     << "  __syncthreads();\n"
     << "  v = scratch[0];\n"
     << "  for (int w = 1; w < " << warps << "; ++w)\n"
     << "    v = isMax ? fmaxf(v, scratch[w]) : v + scratch[w];\n"
     << "  __syncthreads();\n"
     << "  return v;\n"
     << "}\n\n";
  os << "extern \"C\" __global__ void __launch_bounds__(" << threads << ") "
     << k.name << "(const float *__restrict__ in, float *__restrict__ out) {\n";
  os << "  __shared__ float scratch[" << warps << "];\n";
  os << "  const " << it << " row = blockIdx.x;\n";
  os << "  const " << it << " base = (row / " << inner << "u) * " << len * inner
     << "u + row % " << inner << "u;\n";
  os << "  const float *x = in + base;\n";
  os << "  float *y = out + base;\n";
  os << "  float m = __int_as_float(0xff800000);\n";
  os << "  for (" << it << " j = threadIdx.x; j < " << len
     << "u; j += " << threads << "u)\n";
  os << "    m = fmaxf(m, x[j * " << inner << "u]);\n";
  os << "  m = dsBlockReduce(m, scratch, true);\n";
  os << "  float sum = 0.0f;\n";
  os << "  for (" << it << " j = threadIdx.x; j < " << len
     << "u; j += " << threads << "u)\n";
  os << "    sum += expf(x[j * " << inner << "u] - m);\n";
  os << "  sum = dsBlockReduce(sum, scratch, false);\n";
  os << "  const float inv = 1.0f / sum;\n";
  os << "  for (" << it << " j = threadIdx.x; j < " << len
     << "u; j += " << threads << "u)\n";
  os << "    y[j * " << inner << "u] = expf(x[j * " << inner
     << "u] - m) * inv;\n";
  os << "}\n";
  k.source = std::move(s);
  if (outer * inner > std::numeric_limits<int32_t>::max())
    return op.emitOpError("unimplemented: more than 2^31 softmax rows");
  k.grid = {static_cast<uint32_t>(outer * inner), 1, 1};
  k.block = {threads, 1, 1};
  k.args = {op.getInput(), op.getResult()};
  k.numInputs = 1;
  k.paramTypes = {"const float *", "float *"};
  return success();
}

LogicalResult KernelEmitter::emitOp(Operation *op) {
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case<WeightOp, ConstantOp, ReshapeOp>([](auto) { return success(); })
      .Case<MatmulOp>([&](auto m) { return emitMatmul(m); })
      .Case<SoftmaxOp>([&](auto s) { return emitSoftmax(s); })
      .Case<TransposeOp>([&](auto t) { return emitTranspose(t); })
      .Default([&](Operation *other) -> LogicalResult {
        if (other->hasTrait<mlir::ds::OpTrait::UnaryElementwise>())
          return emitUnary(other);
        if (other->hasTrait<mlir::ds::OpTrait::BroadcastBinary>())
          return emitBinary(other);
        return other->emitOpError("unsupported op for CUDA emission");
      });
}

FailureOr<KernelProgram> KernelEmitter::run() {
  if (func.getBody().getBlocks().size() != 1)
    return func.emitOpError("unimplemented: CUDA emission of a function with "
                            "more than one block");
  bool failedAny = false;
  for (Operation &op : func.getBody().front()) {
    if (isa<func::ReturnOp>(op))
      continue;
    for (Type t : op.getResultTypes()) {
      auto ranked = dyn_cast<RankedTensorType>(t);
      if (!ranked || !ranked.hasStaticShape()) {
        op.emitOpError("requires static shapes for CUDA emission, got ")
            << t << " (bind dynamic dims with ds-static-shapes)";
        failedAny = true;
      }
    }
    if (failedAny)
      continue;
    if (!isa_and_present<DSDialect>(op.getDialect())) {
      op.emitOpError("unsupported op for CUDA emission");
      failedAny = true;
      continue;
    }
    failedAny |= failed(emitOp(&op));
  }
  if (failedAny)
    return failure();

  // Function results that are not the plain result of a kernel (function
  // arguments, weights, constants, reshape views, values returned twice)
  // get a copy kernel into their own output buffer.
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  llvm::SmallPtrSet<Value, 8> seen;
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    Operation *def = v.getDefiningOp();
    bool computed = def && !isa<WeightOp, ConstantOp, ReshapeOp>(def);
    if (computed && seen.insert(v).second) {
      program.outputCopyKernel.push_back(-1);
      continue;
    }
    auto type = cast<RankedTensorType>(v.getType());
    FailureOr<std::string> ctype = getCudaStorageType(type.getElementType());
    if (failed(ctype))
      return ret.emitOpError("unimplemented: output of element type ")
             << type.getElementType();
    SmallVector<int64_t> strides = stridesOf(type.getShape());
    emitElementwiseKernel(nullptr, "copy", {v}, Value(), {strides},
                          type.getShape(), *ctype, *ctype, "x0");
    program.outputCopyKernel.push_back(program.kernels.size() - 1);
  }
  return std::move(program);
}

FailureOr<KernelProgram> mlir::ds::emitCudaKernels(func::FuncOp func) {
  return KernelEmitter(func).run();
}
