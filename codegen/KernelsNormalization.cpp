//===- KernelsNormalization.cpp - softmax, layer_norm, reduce templates ---===//
//
// One block per row (softmax, layer_norm) or per output element (reduce_*):
// each thread strides over the row, then a block-wide reduction combines the
// partial results with __shfl_xor_sync within warps and a shared-memory step
// across warps. Floats accumulate in f32 (f16/bf16 included); integer sums
// and products wrap in the element type.
//
//===----------------------------------------------------------------------===//

#include "codegen/Kernels.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::cuda;

namespace {

/// Threads of a block reducing `n` elements: a power of two in [32, 256].
unsigned reduceBlockSize(int64_t n) {
  unsigned t = 32;
  while (t < 256 && t < n)
    t *= 2;
  return t;
}

} // namespace

//===----------------------------------------------------------------------===//
// softmax
//===----------------------------------------------------------------------===//

LogicalResult KernelEmitter::emitSoftmax(SoftmaxOp op) {
  RankedTensorType type = op.getType();
  FailureOr<ElementKind> kind = kindOf(op, op.getResult());
  if (failed(kind))
    return failure();
  ElementKind e = *kind;
  int64_t axis = op.getNormalizedAxis();
  ArrayRef<int64_t> shape = type.getShape();
  int64_t outer = product(shape.take_front(axis)), len = shape[axis];
  int64_t inner = product(shape.drop_front(axis + 1));
  if (outer * inner > std::numeric_limits<int32_t>::max())
    return op.emitOpError("unimplemented: more than 2^31 softmax rows");
  if (outer * inner == 0)
    return success(); // Nothing to compute.
  std::string it = idxType(type.getNumElements());
  std::string st = e.storage();
  unsigned threads = kRowBlock, warps = threads / 32;

  EmittedKernel &k = newKernel(op, "softmax");
  std::string s;
  llvm::raw_string_ostream os(s);
  os << blockReduceFunction("dsBlockMax", "float", "fmaxf($a, $b)", warps)
     << blockReduceFunction("dsBlockSum", "float", "$a + $b", warps);
  os << "extern \"C\" __global__ void __launch_bounds__(" << threads << ") "
     << k.name << "(const " << st << " *__restrict__ in, " << st
     << " *__restrict__ out) {\n";
  os << "  __shared__ float scratch[" << warps << "];\n";
  os << "  const " << it << " row = blockIdx.x;\n";
  os << "  const " << it << " base = (row / " << inner << "u) * " << len * inner
     << "u + row % " << inner << "u;\n";
  os << "  const " << st << " *x = in + base;\n";
  os << "  " << st << " *y = out + base;\n";
  std::string xj = e.load(llvm::formatv("x[j * {0}u]", inner).str());
  os << "  float m = __int_as_float(0xff800000);\n";
  os << "  for (" << it << " j = threadIdx.x; j < " << len
     << "u; j += " << threads << "u)\n";
  os << "    m = fmaxf(m, " << xj << ");\n";
  os << "  m = dsBlockMax(m, scratch);\n";
  os << "  float sum = 0.0f;\n";
  os << "  for (" << it << " j = threadIdx.x; j < " << len
     << "u; j += " << threads << "u)\n";
  os << "    sum += expf(" << xj << " - m);\n";
  os << "  sum = dsBlockSum(sum, scratch);\n";
  os << "  const float inv = 1.0f / sum;\n";
  os << "  for (" << it << " j = threadIdx.x; j < " << len
     << "u; j += " << threads << "u)\n";
  os << "    y[j * " << inner
     << "u] = " << e.store("expf(" + xj + " - m) * inv") << ";\n";
  os << "}\n";
  k.source = finishSource(k, op, s);
  k.grid = {static_cast<uint32_t>(outer * inner), 1, 1};
  k.block = {threads, 1, 1};
  k.args = {op.getInput(), op.getResult()};
  k.numInputs = 1;
  k.paramTypes = {"const " + st + " *", st + " *"};
  return success();
}

//===----------------------------------------------------------------------===//
// layer_norm
//===----------------------------------------------------------------------===//

LogicalResult KernelEmitter::emitLayerNorm(LayerNormOp op) {
  RankedTensorType type = op.getType();
  FailureOr<ElementKind> kind = kindOf(op, op.getResult());
  if (failed(kind))
    return failure();
  ElementKind e = *kind;
  int64_t axis = static_cast<int64_t>(op.getAxis());
  ArrayRef<int64_t> shape = type.getShape();
  ArrayRef<int64_t> normShape = shape.drop_front(axis);
  int64_t rows = product(shape.take_front(axis)), len = product(normShape);
  if (rows > std::numeric_limits<int32_t>::max())
    return op.emitOpError("unimplemented: more than 2^31 layer_norm rows");
  if (rows * len == 0)
    return success(); // Nothing to compute.
  std::string it = idxType(type.getNumElements());
  std::string st = e.storage();
  unsigned threads = kRowBlock, warps = threads / 32;

  // Scale and bias broadcast to the normalized dims: index them by j when
  // they are not broadcast, else through j's coordinates (n0, n1, ...).
  SmallVector<Value> params = {op.getScale()};
  if (op.getBias())
    params.push_back(op.getBias());
  bool coordinates = false;
  SmallVector<std::string> paramIndex;
  for (Value p : params) {
    SmallVector<int64_t> strides = broadcastStrides(
        cast<RankedTensorType>(p.getType()).getShape(), normShape);
    if (ArrayRef<int64_t>(strides) == ArrayRef<int64_t>(stridesOf(normShape))) {
      paramIndex.push_back("j");
    } else {
      paramIndex.push_back(dotCoordinates(strides, "n"));
      coordinates = true;
    }
  }

  EmittedKernel &k = newKernel(op, "layer_norm");
  std::string s;
  llvm::raw_string_ostream os(s);
  os << blockReduceFunction("dsBlockSum", "float", "$a + $b", warps);
  os << "extern \"C\" __global__ void __launch_bounds__(" << threads << ") "
     << k.name << "(const " << st << " *__restrict__ in0, const " << st
     << " *__restrict__ in1, ";
  k.paramTypes = {"const " + st + " *", "const " + st + " *"};
  if (op.getBias()) {
    os << "const " << st << " *__restrict__ in2, ";
    k.paramTypes.push_back("const " + st + " *");
  }
  os << st << " *__restrict__ out) {\n";
  k.paramTypes.push_back(st + " *");
  os << "  __shared__ float scratch[" << warps << "];\n";
  os << "  const " << st << " *x = in0 + (" << it << ")blockIdx.x * " << len
     << "u;\n";
  os << "  " << st << " *y = out + (" << it << ")blockIdx.x * " << len
     << "u;\n";
  std::string loop = llvm::formatv("  for ({0} j = threadIdx.x; j < {1}u; j "
                                   "+= {2}u)",
                                   it, len, threads)
                         .str();
  std::string n = floatLiteral(static_cast<double>(len));
  // Two passes (mean, then the mean of squared deviations), as the
  // reference computes them: no cancellation for rows with a large mean.
  os << "  float sum = 0.0f;\n";
  os << loop << "\n    sum += " << e.load("x[j]") << ";\n";
  os << "  const float mean = dsBlockSum(sum, scratch) / " << n << ";\n";
  os << "  float sq = 0.0f;\n";
  os << loop << " {\n    const float d = " << e.load("x[j]")
     << " - mean;\n    sq += d * d;\n  }\n";
  os << "  const float inv = 1.0f / sqrtf(dsBlockSum(sq, scratch) / " << n
     << " + " << floatLiteral(op.getEpsilon().convertToDouble()) << ");\n";
  os << loop << " {\n";
  if (coordinates)
    emitCoordinates(os, normShape, "j", it, "    ", "n");
  std::string v = "(" + e.load("x[j]") + " - mean) * inv * " +
                  e.load("in1[" + paramIndex[0] + "]");
  if (op.getBias())
    v += " + " + e.load("in2[" + paramIndex[1] + "]");
  os << "    y[j] = " << e.store(v) << ";\n  }\n}\n";
  k.source = finishSource(k, op, s);
  k.grid = {static_cast<uint32_t>(rows), 1, 1};
  k.block = {threads, 1, 1};
  k.args = {op.getInput(), op.getScale()};
  if (op.getBias())
    k.args.push_back(op.getBias());
  k.args.push_back(op.getResult());
  k.numInputs = k.args.size() - 1;
  return success();
}

//===----------------------------------------------------------------------===//
// reduce_sum, reduce_mean, reduce_max, reduce_min, reduce_prod
//===----------------------------------------------------------------------===//

LogicalResult KernelEmitter::emitReduce(Operation *op) {
  enum class Reduce { Sum, Mean, Max, Min, Prod };
  Reduce what = llvm::TypeSwitch<Operation *, Reduce>(op)
                    .Case([](ReduceSumOp) { return Reduce::Sum; })
                    .Case([](ReduceMeanOp) { return Reduce::Mean; })
                    .Case([](ReduceMaxOp) { return Reduce::Max; })
                    .Case([](ReduceMinOp) { return Reduce::Min; })
                    .Default([](Operation *) { return Reduce::Prod; });
  Value input = op->getOperand(0), result = op->getResult(0);
  FailureOr<ElementKind> kind = kindOf(op, result);
  if (failed(kind))
    return failure();
  ElementKind e = *kind;
  if (!e.isFloat() && !e.isInt())
    return op->emitOpError("unimplemented: CUDA emission for element type ")
           << cast<RankedTensorType>(result.getType()).getElementType();
  ArrayRef<int64_t> inShape =
      cast<RankedTensorType>(input.getType()).getShape();
  ArrayRef<int64_t> axes = op->getAttrOfType<DenseI64ArrayAttr>("axes");
  size_t rank = inShape.size();
  SmallVector<bool> reduced(rank, axes.empty());
  for (int64_t a : axes)
    reduced[a] = true;
  // keepdims leaves size-1 dims: the result layout is the same either way.
  SmallVector<int64_t> inStrides = stridesOf(inShape);
  SmallVector<int64_t> keptShape, keptStrides, redShape, redStrides;
  for (size_t d = 0; d < rank; ++d) {
    (reduced[d] ? redShape : keptShape).push_back(inShape[d]);
    (reduced[d] ? redStrides : keptStrides).push_back(inStrides[d]);
  }
  int64_t outputs = product(keptShape), len = product(redShape);
  if (outputs > std::numeric_limits<int32_t>::max())
    return op->emitOpError("unimplemented: more than 2^31 reduction outputs");
  if (outputs == 0)
    return success(); // Nothing to compute.

  bool f = e.isFloat();
  std::string acc = e.compute(), st = e.storage();
  std::string init, combine;
  switch (what) {
  case Reduce::Sum:
  case Reduce::Mean:
    init = f ? "0.0f" : "0";
    combine = f ? "$a + $b" : wrappingOp(e, "$a", "+", "$b");
    break;
  case Reduce::Prod:
    init = f ? "1.0f" : "1";
    combine = f ? "$a * $b" : wrappingOp(e, "$a", "*", "$b");
    break;
  case Reduce::Max:
    init = f                            ? "__int_as_float(0xff800000)"
           : e.kind == ElementKind::I32 ? "(-2147483647 - 1)"
                                        : int64Literal(INT64_MIN);
    // NaN propagates.
    combine = f ? "($b > $a || $b != $b) ? $b : $a" : "$b > $a ? $b : $a";
    break;
  case Reduce::Min:
    init = f                            ? "__int_as_float(0x7f800000)"
           : e.kind == ElementKind::I32 ? "2147483647"
                                        : int64Literal(INT64_MAX);
    combine = f ? "($b < $a || $b != $b) ? $b : $a" : "$b < $a ? $b : $a";
    break;
  }
  unsigned threads = reduceBlockSize(len), warps = threads / 32;
  std::string it = idxType(product(inShape));
  // Reduced dims at the back: the row of an output is contiguous.
  bool trailing = true;
  for (size_t d = 0; d < rank; ++d)
    trailing &=
        !reduced[d] || llvm::all_of(ArrayRef<bool>(reduced).drop_front(d),
                                    [](bool r) { return r; });

  EmittedKernel &k = newKernel(op, op->getName().stripDialect());
  std::string s;
  llvm::raw_string_ostream os(s);
  os << blockReduceFunction("dsBlockReduce", acc, combine, warps);
  os << "extern \"C\" __global__ void __launch_bounds__(" << threads << ") "
     << k.name << "(const " << st << " *__restrict__ in0, " << st
     << " *__restrict__ out) {\n";
  os << "  __shared__ " << acc << " scratch[" << warps << "];\n";
  os << "  const " << it << " o = blockIdx.x;\n";
  std::string base, offset;
  if (trailing) {
    base = llvm::formatv("o * {0}u", len).str();
    offset = "j";
  } else {
    emitCoordinates(os, keptShape, "o", it, "  ", "o");
    base = dotCoordinates(keptStrides, "o");
    offset = dotCoordinates(redStrides, "r");
  }
  os << "  const " << st << " *x = in0 + (" << base << ");\n";
  os << "  " << acc << " acc = " << init << ";\n";
  os << "  for (" << it << " j = threadIdx.x; j < " << len
     << "u; j += " << threads << "u) {\n";
  if (!trailing)
    emitCoordinates(os, redShape, "j", it, "    ", "r");
  std::string apply = combine;
  auto replaceAll = [](std::string &text, StringRef from, StringRef to) {
    for (size_t p = text.find(from); p != std::string::npos;
         p = text.find(from, p + to.size()))
      text.replace(p, from.size(), to.str());
  };
  replaceAll(apply, "$a", "acc");
  replaceAll(apply, "$b", "v");
  os << "    const " << acc << " v = " << e.load("x[" + offset + "]") << ";\n";
  os << "    acc = " << apply << ";\n";
  os << "  }\n";
  os << "  acc = dsBlockReduce(acc, scratch);\n";
  std::string value = what == Reduce::Mean
                          ? "acc / " + floatLiteral(static_cast<double>(len))
                          : std::string("acc");
  os << "  if (threadIdx.x == 0)\n    out[o] = " << e.store(value) << ";\n";
  os << "}\n";
  k.source = finishSource(k, op, s);
  k.grid = {static_cast<uint32_t>(outputs), 1, 1};
  k.block = {threads, 1, 1};
  k.args = {input, result};
  k.numInputs = 1;
  k.paramTypes = {"const " + st + " *", st + " *"};
  return success();
}
