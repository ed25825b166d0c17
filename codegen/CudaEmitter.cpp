//===- CudaEmitter.cpp - ds IR to CUDA C++ kernels ------------------------===//
//
// One CUDA C++ kernel per computing op, specialized for static shapes. This
// file walks the function, dispatches each op to its template and holds the
// helpers the templates share; the templates live by op category:
// - KernelsElementwise.cpp: unary, cast, broadcasting binary, where,
//   batch_norm, output copies (one element per thread, grid-stride loop,
//   unrolled broadcast index math with constant strides);
// - KernelsContraction.cpp: matmul (16x16 shared-memory tiles), direct conv
//   and conv_transpose, max/avg pooling;
// - KernelsNormalization.cpp: softmax, layer_norm, reduce_* (one block per
//   row or output element; warp shuffles and a shared-memory combine);
// - KernelsDataMovement.cpp: transpose, concat, slice, gather, expand, tile,
//   pad, resize, trilu, range, shape, constant_of_shape.
//
// Kernel source must compile both with NVRTC and with the host compiler
// against runtime/emu/CudaEmu.h, so it includes no headers (NVRTC finds
// <cuda_fp16.h> only with -I<toolkit>/include) and uses no math.h macros
// (e.g. -inf is __int_as_float(0xff800000)). f16/bf16 are `unsigned short`
// in memory, computed in f32 through bit-level conversions emitted into the
// source (helperDefinitions).
//
//===----------------------------------------------------------------------===//

#include "codegen/CudaEmitter.h"
#include "codegen/Kernels.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"

#include <cctype>
#include <cmath>
#include <cstdio>

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::cuda;

//===----------------------------------------------------------------------===//
// Index math and literals
//===----------------------------------------------------------------------===//

std::string cuda::idxType(int64_t n) {
  return n < (int64_t(1) << 31) ? "unsigned" : "unsigned long long";
}

SmallVector<int64_t> cuda::stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int i = static_cast<int>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

SmallVector<int64_t> cuda::broadcastStrides(ArrayRef<int64_t> operand,
                                            ArrayRef<int64_t> result) {
  SmallVector<int64_t> own = stridesOf(operand);
  SmallVector<int64_t> strides(result.size(), 0);
  size_t offset = result.size() - operand.size();
  for (size_t i = 0; i < operand.size(); ++i)
    strides[offset + i] = operand[i] == 1 ? 0 : own[i];
  return strides;
}

std::string cuda::broadcastIndex(Value operand, ArrayRef<int64_t> shape,
                                 bool &coordinates) {
  ArrayRef<int64_t> own = cast<RankedTensorType>(operand.getType()).getShape();
  SmallVector<int64_t> strides = broadcastStrides(own, shape);
  if (ArrayRef<int64_t>(strides) == ArrayRef<int64_t>(stridesOf(shape)))
    return "i";
  coordinates = true;
  return dotCoordinates(strides);
}

int64_t cuda::product(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

void cuda::emitCoordinates(llvm::raw_ostream &os, ArrayRef<int64_t> shape,
                           StringRef lin, StringRef type, StringRef indent,
                           StringRef prefix) {
  if (shape.empty())
    return;
  std::string rem = prefix == "c" ? "rem" : (prefix + "rem").str();
  os << indent << type << " " << rem << " = " << lin << ";\n";
  for (int i = static_cast<int>(shape.size()) - 1; i >= 0; --i) {
    if (i == 0) {
      os << indent << type << " " << prefix << "0 = " << rem << ";\n";
      break;
    }
    os << indent << type << " " << prefix << i << " = " << rem << " % "
       << shape[i] << "u;\n";
    os << indent << rem << " /= " << shape[i] << "u;\n";
  }
}

std::string cuda::dotCoordinates(ArrayRef<int64_t> strides, StringRef prefix) {
  std::string expr;
  for (auto [i, s] : llvm::enumerate(strides)) {
    if (s == 0)
      continue;
    int64_t mag = s < 0 ? -s : s;
    std::string term =
        mag == 1 ? llvm::formatv("{0}{1}", prefix, i).str()
                 : llvm::formatv("{0}{1} * {2}u", prefix, i, mag).str();
    if (expr.empty())
      expr = s < 0 ? "0u - " + term : term;
    else
      expr += (s < 0 ? " - " : " + ") + term;
  }
  return expr.empty() ? "0" : expr;
}

std::string cuda::floatLiteral(double v) {
  float f = static_cast<float>(v);
  if (std::isnan(f))
    return "__int_as_float(0x7fc00000)";
  if (std::isinf(f))
    return f < 0 ? "__int_as_float(0xff800000)" : "__int_as_float(0x7f800000)";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.9g", static_cast<double>(f));
  std::string s = buf;
  if (s.find_first_of(".e") == std::string::npos)
    s += ".0";
  return s + "f";
}

std::string cuda::int64Literal(int64_t v) {
  if (v == std::numeric_limits<int64_t>::min())
    return "(-9223372036854775807LL - 1)";
  return std::to_string(v) + "LL";
}

//===----------------------------------------------------------------------===//
// Element types
//===----------------------------------------------------------------------===//

std::string ElementKind::storage() const {
  switch (kind) {
  case F32:
    return "float";
  case F16:
  case BF16:
    return "unsigned short";
  case I32:
    return "int";
  case I64:
    return "long long";
  case I1:
    return "unsigned char";
  }
  return "";
}

std::string ElementKind::compute() const {
  switch (kind) {
  case F32:
  case F16:
  case BF16:
    return "float";
  case I32:
    return "int";
  case I64:
    return "long long";
  case I1:
    return "bool";
  }
  return "";
}

std::string ElementKind::unsignedType() const {
  return kind == I64 ? "unsigned long long" : "unsigned";
}

std::string ElementKind::load(StringRef expr) const {
  switch (kind) {
  case F16:
    return ("dsF16ToF32(" + expr + ")").str();
  case BF16:
    return ("dsBf16ToF32(" + expr + ")").str();
  case I1:
    return ("(" + expr + " != 0)").str();
  default:
    return expr.str();
  }
}

std::string ElementKind::store(StringRef expr) const {
  switch (kind) {
  case F16:
    return ("dsF32ToF16(" + expr + ")").str();
  case BF16:
    return ("dsF32ToBf16(" + expr + ")").str();
  case I1:
    return ("(unsigned char)(" + expr + ")").str();
  default:
    return expr.str();
  }
}

FailureOr<ElementKind> cuda::getElementKind(Type type) {
  ElementKind k;
  if (type.isF32())
    k.kind = ElementKind::F32;
  else if (type.isF16())
    k.kind = ElementKind::F16;
  else if (type.isBF16())
    k.kind = ElementKind::BF16;
  else if (type.isInteger(32))
    k.kind = ElementKind::I32;
  else if (type.isInteger(64))
    k.kind = ElementKind::I64;
  else if (type.isInteger(1))
    k.kind = ElementKind::I1;
  else
    return failure();
  return k;
}

std::string cuda::convertCompute(StringRef value, ElementKind from,
                                 ElementKind to) {
  std::string v = value.str();
  if (to.isFloat()) {
    if (from.isFloat())
      return v;
    if (from.kind == ElementKind::I1)
      return "(" + v + " ? 1.0f : 0.0f)";
    return "(float)(" + v + ")";
  }
  if (to.kind == ElementKind::I1) {
    if (from.kind == ElementKind::I1)
      return v;
    return "(" + v + (from.isFloat() ? " != 0.0f)" : " != 0)");
  }
  if (from.isFloat())
    return (to.kind == ElementKind::I32 ? "dsF32ToI32(" : "dsF32ToI64(") + v +
           ")";
  if (from.kind == to.kind)
    return v;
  return "(" + to.compute() + ")(" + v + ")";
}

std::string cuda::wrappingOp(ElementKind k, StringRef a, StringRef op,
                             StringRef b) {
  std::string u = k.unsignedType();
  return ("(" + k.compute() + ")((" + u + ")" + a + " " + op + " (" + u + ")" +
          b + ")")
      .str();
}

namespace {

struct Helper {
  const char *name;
  const char *definition;
};

/// Conversions every kernel may call. Bit-level, so the same source gives
/// the same bits under NVRTC and the host compiler; rounding is to nearest
/// even, NaN becomes the canonical 0x7fff (as CUDA's host path).
const Helper kHelpers[] = {
    {"dsF16ToF32",
     R"(static __device__ __forceinline__ float dsF16ToF32(unsigned short h) {
  const unsigned sign = (unsigned)(h & 0x8000u) << 16;
  const unsigned exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
  if (exp == 0x1fu)
    return __uint_as_float(sign | 0x7f800000u | (mant << 13));
  if (exp == 0) {
    const float m = (float)mant * 5.9604644775390625e-8f;
    return sign ? -m : m;
  }
  return __uint_as_float(sign | ((exp + 112u) << 23) | (mant << 13));
}
)"},
    {"dsF32ToF16",
     R"(static __device__ __forceinline__ unsigned short dsF32ToF16(float f) {
  const unsigned u = __float_as_uint(f);
  const unsigned sign = (u >> 16) & 0x8000u, mag = u & 0x7fffffffu;
  if (mag > 0x7f800000u)
    return (unsigned short)0x7fffu;
  if (mag >= 0x477ff000u)
    return (unsigned short)(sign | 0x7c00u);
  if (mag >= 0x38800000u) {
    const unsigned r = mag - 0x38000000u;
    return (unsigned short)(sign | ((r + 0xfffu + ((r >> 13) & 1u)) >> 13));
  }
  return (unsigned short)(sign | (unsigned)__float2int_rn(
                                     __uint_as_float(mag) * 16777216.0f));
}
)"},
    {"dsBf16ToF32",
     R"(static __device__ __forceinline__ float dsBf16ToF32(unsigned short b) {
  return __uint_as_float((unsigned)b << 16);
}
)"},
    {"dsF32ToBf16",
     R"(static __device__ __forceinline__ unsigned short dsF32ToBf16(float f) {
  const unsigned u = __float_as_uint(f);
  if ((u & 0x7fffffffu) > 0x7f800000u)
    return (unsigned short)0x7fffu;
  return (unsigned short)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}
)"},
    {"dsF32ToI32",
     R"(static __device__ __forceinline__ int dsF32ToI32(float v) {
  return v != v ? 0
         : v <= -2147483648.0f ? (-2147483647 - 1)
         : v >= 2147483648.0f  ? 2147483647
                               : (int)v;
}
)"},
    {"dsF32ToI64",
     R"(static __device__ __forceinline__ long long dsF32ToI64(float v) {
  return v != v ? 0LL
         : v <= -9223372036854775808.0f ? (-9223372036854775807LL - 1)
         : v >= 9223372036854775808.0f  ? 9223372036854775807LL
                                        : (long long)v;
}
)"},
};

} // namespace

std::string cuda::helperDefinitions(StringRef source) {
  std::string defs;
  for (const Helper &h : kHelpers)
    if (source.contains((Twine(h.name) + "(").str()))
      defs += h.definition;
  return defs.empty() ? defs : defs + "\n";
}

std::string cuda::blockReduceFunction(StringRef name, StringRef type,
                                      StringRef combine, unsigned warps) {
  auto apply = [&](StringRef a, StringRef b) {
    std::string out;
    for (size_t i = 0; i < combine.size(); ++i) {
      if (combine.substr(i).starts_with("$a")) {
        out += a;
        ++i;
      } else if (combine.substr(i).starts_with("$b")) {
        out += b;
        ++i;
      } else {
        out += combine[i];
      }
    }
    return out;
  };
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "static __device__ __forceinline__ " << type << " " << name << "("
     << type << " v, " << type << " *scratch) {\n"
     << "  for (int o = 16; o > 0; o >>= 1) {\n"
     << "    " << type << " w = __shfl_xor_sync(0xffffffffu, v, o);\n"
     << "    v = " << apply("v", "w") << ";\n"
     << "  }\n"
     << "  if ((threadIdx.x & 31u) == 0) scratch[threadIdx.x >> 5] = v;\n"
     << "  __syncthreads();\n"
     << "  v = scratch[0];\n"
     << "  for (int w = 1; w < " << warps << "; ++w)\n"
     << "    v = " << apply("v", "scratch[w]") << ";\n"
     << "  __syncthreads();\n"
     << "  return v;\n"
     << "}\n\n";
  return s;
}

//===----------------------------------------------------------------------===//
// Compile-time operand values
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<int64_t>> cuda::getConstantInts(Value v) {
  auto c = v ? v.getDefiningOp<ConstantOp>() : ConstantOp();
  if (!c)
    return failure();
  auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
  if (!dense || !isa<IntegerType>(dense.getElementType()))
    return failure();
  SmallVector<int64_t> out;
  for (APInt x : dense.getValues<APInt>())
    out.push_back(x.getSExtValue());
  return out;
}

FailureOr<SmallVector<double>> cuda::getConstantFloats(Value v) {
  auto c = v ? v.getDefiningOp<ConstantOp>() : ConstantOp();
  if (!c)
    return failure();
  auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
  if (!dense || !isa<FloatType>(dense.getElementType()))
    return failure();
  SmallVector<double> out;
  for (APFloat x : dense.getValues<APFloat>())
    out.push_back(x.convertToDouble());
  return out;
}

//===----------------------------------------------------------------------===//
// KernelEmitter
//===----------------------------------------------------------------------===//

std::string KernelEmitter::indexTypeFor(ArrayRef<Value> values,
                                        ArrayRef<int64_t> shape) {
  int64_t n = product(shape);
  for (Value v : values)
    if (auto t = dyn_cast_or_null<RankedTensorType>(v ? v.getType() : Type()))
      n = std::max(n, t.getNumElements());
  return idxType(n);
}

FailureOr<ElementKind> KernelEmitter::kindOf(Operation *op, Value v) {
  Type elt = cast<RankedTensorType>(v.getType()).getElementType();
  FailureOr<ElementKind> k = getElementKind(elt);
  if (failed(k))
    return op->emitOpError("unimplemented: CUDA emission for element type ")
           << elt;
  return k;
}

LogicalResult KernelEmitter::requireFloat(Operation *op, ElementKind kind,
                                          Type type) {
  if (kind.isFloat())
    return success();
  return op->emitOpError("unimplemented: CUDA emission for element type ")
         << type << " (f32, f16 and bf16 only)";
}

EmittedKernel &KernelEmitter::newKernel(Operation *op, StringRef opName) {
  EmittedKernel &k = program.kernels.emplace_back();
  k.name = llvm::formatv("k{0}_{1}", program.kernels.size() - 1, opName).str();
  k.op = op;
  return k;
}

std::string KernelEmitter::finishSource(const EmittedKernel &k, Operation *op,
                                        StringRef body) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "// ds kernel " << k.name;
  if (op) {
    os << ": " << op->getName().getStringRef();
    if (auto fusion = dyn_cast<FusionOp>(op)) {
      // The fused ops and their nodes, in order.
      os << " \"" << fusion.getKind() << "\" of";
      for (Operation &inner : fusion.getBody().front().without_terminator()) {
        if (isa<ConstantOp>(inner))
          continue;
        os << " " << inner.getName().stripDialect();
        if (auto loc = dyn_cast<NameLoc>(inner.getLoc()))
          os << " (" << loc.getName().getValue() << ")";
      }
    } else if (auto loc = dyn_cast<NameLoc>(op->getLoc())) {
      os << " (" << loc.getName().getValue() << ")";
    }
  }
  os << "\n" << helperDefinitions(body) << body;
  return s;
}

void KernelEmitter::emitPointwise(Operation *op, PointwiseKernel &spec) {
  if (spec.fusion)
    op = spec.fusion;
  EmittedKernel &k = newKernel(op, spec.opName);
  int64_t n = product(spec.shape);
  std::string it = spec.indexType.empty()
                       ? indexTypeFor(spec.inputs, spec.shape)
                       : spec.indexType;
  std::string s = spec.prelude;
  llvm::raw_string_ostream os(s);
  os << "extern \"C\" __global__ void __launch_bounds__(" << kElementwiseBlock
     << ") " << k.name << "(";
  if (spec.fusion) {
    os << fusedParameters(spec.fusion, k) << ") {\n";
  } else {
    for (auto [i, type] : llvm::enumerate(spec.inputTypes)) {
      os << "const " << type << " *__restrict__ in" << i << ", ";
      k.paramTypes.push_back("const " + type + " *");
    }
    os << spec.resultType << " *__restrict__ out) {\n";
    k.paramTypes.push_back(spec.resultType + " *");
  }
  os << "  for (" << it << " i = blockIdx.x * " << kElementwiseBlock
     << "u + threadIdx.x; i < " << n << "u; i += gridDim.x * "
     << kElementwiseBlock << "u) {\n";
  if (spec.coordinates)
    emitCoordinates(os, spec.shape, "i", it, "    ");
  os << spec.body;
  os << "  }\n}\n";
  k.source = finishSource(k, op, s);
  int64_t blocks = (n + kElementwiseBlock - 1) / kElementwiseBlock;
  k.grid = {static_cast<uint32_t>(std::max<int64_t>(
                1, std::min<int64_t>(blocks, kMaxElementwiseGrid))),
            1, 1};
  k.block = {kElementwiseBlock, 1, 1};
  if (spec.fusion)
    return;
  k.args.append(spec.inputs.begin(), spec.inputs.end());
  k.args.push_back(spec.result);
  k.numInputs = spec.inputs.size();
}

LogicalResult KernelEmitter::emitOp(Operation *op) {
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case<WeightOp, ConstantOp, ReshapeOp, FlattenOp, SqueezeOp, UnsqueezeOp>(
          [](auto) { return success(); })
      .Case([&](CastOp o) { return emitCast(o); })
      .Case([&](WhereOp o) { return emitWhere(o); })
      .Case([&](BatchNormOp o) { return emitBatchNorm(o); })
      .Case([&](FusionOp o) { return emitFusion(o); })
      .Case([&](MatmulOp o) {
        if (DequantizeInt4Op dq = fusableDequant(o))
          return emitMatmulInt4(o, dq);
        return emitMatmul(o);
      })
      .Case([&](DequantizeInt4Op o) { return emitDequantizeInt4(o); })
      .Case([&](ConvOp o) { return emitConv(o); })
      .Case([&](ConvTransposeOp o) { return emitConvTranspose(o); })
      .Case<MaxPoolOp, AvgPoolOp>([&](auto o) { return emitPool(o); })
      .Case([&](SoftmaxOp o) { return emitSoftmax(o); })
      .Case([&](LayerNormOp o) { return emitLayerNorm(o); })
      .Case<ReduceSumOp, ReduceMeanOp, ReduceMaxOp, ReduceMinOp, ReduceProdOp>(
          [&](auto o) { return emitReduce(o); })
      .Case([&](TransposeOp o) { return emitTranspose(o); })
      .Case([&](ConcatOp o) { return emitConcat(o); })
      .Case([&](SliceOp o) { return emitSlice(o); })
      .Case([&](GatherOp o) { return emitGather(o); })
      .Case([&](ExpandOp o) { return emitExpand(o); })
      .Case([&](TileOp o) { return emitTile(o); })
      .Case([&](PadOp o) { return emitPad(o); })
      .Case([&](ResizeOp o) { return emitResize(o); })
      .Case([&](TriluOp o) { return emitTrilu(o); })
      .Case([&](RangeOp o) { return emitRange(o); })
      .Case([&](ShapeOp o) { return emitShape(o); })
      .Case([&](ConstantOfShapeOp o) { return emitConstantOfShape(o); })
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
  collectFusedInt4Ops();
  for (Operation &op : func.getBody().front()) {
    if (isa<func::ReturnOp>(op))
      continue;
    bool staticShapes = true;
    for (Type t :
         llvm::concat<Type>(op.getResultTypes(), op.getOperandTypes())) {
      auto ranked = dyn_cast<RankedTensorType>(t);
      if (!ranked || !ranked.hasStaticShape()) {
        op.emitOpError("requires static shapes for CUDA emission, got ")
            << t << " (bind dynamic dims with ds-static-shapes)";
        staticShapes = false;
        break;
      }
    }
    if (!staticShapes) {
      failedAny = true;
      continue;
    }
    if (op.hasAttr("auto_pad") || op.hasAttr("output_shape")) {
      op.emitOpError("has an unresolved auto_pad/output_shape; run "
                     "ds-static-shapes to turn it into pads");
      failedAny = true;
      continue;
    }
    if (!isa_and_present<DSDialect>(op.getDialect())) {
      op.emitOpError("unsupported op for CUDA emission");
      failedAny = true;
      continue;
    }
    // Nothing to compute for empty results.
    if (op.getNumResults() && llvm::all_of(op.getResultTypes(), [](Type t) {
          return cast<RankedTensorType>(t).getNumElements() == 0;
        }))
      continue;
    if (!absorbed.contains(&op))
      failedAny |= failed(emitOp(&op));
  }
  if (failedAny)
    return failure();

  // Function results that are not the plain result of a kernel (function
  // arguments, weights, constants, views, values returned twice) get a copy
  // kernel into their own output buffer.
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  llvm::SmallPtrSet<Value, 8> seen;
  for (Value v : ret.getOperands()) {
    Operation *def = v.getDefiningOp();
    bool computed = def && !isa<WeightOp, ConstantOp>(def) && !isViewOp(def);
    if (computed && seen.insert(v).second) {
      program.outputCopyKernel.push_back(-1);
      continue;
    }
    auto type = cast<RankedTensorType>(v.getType());
    FailureOr<ElementKind> kind = getElementKind(type.getElementType());
    if (failed(kind))
      return ret.emitOpError("unimplemented: output of element type ")
             << type.getElementType();
    PointwiseKernel copy;
    copy.opName = "copy";
    copy.inputs = {v};
    copy.inputTypes = {kind->storage()};
    copy.resultType = kind->storage();
    copy.shape.assign(type.getShape().begin(), type.getShape().end());
    copy.body = "    out[i] = in0[i];\n";
    emitPointwise(nullptr, copy);
    program.outputCopyKernel.push_back(program.kernels.size() - 1);
  }
  return std::move(program);
}

void mlir::ds::printKernels(const KernelProgram &program,
                            llvm::raw_ostream &os) {
  for (const EmittedKernel &k : program.kernels)
    os << llvm::formatv("// launch {0}: grid ({1}, {2}, {3}) "
                        "block ({4}, {5}, {6})\n",
                        k.name, k.grid[0], k.grid[1], k.grid[2], k.block[0],
                        k.block[1], k.block[2])
       << k.source << "\n";
}

FailureOr<KernelProgram> mlir::ds::emitCudaKernels(func::FuncOp func) {
  return KernelEmitter(func).run();
}

namespace {
bool isIdentifierChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

/// `text` with every whole-identifier occurrence of `from` replaced by `to`.
std::string replaceIdentifier(StringRef text, StringRef from, StringRef to) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (true) {
    size_t hit = text.find(from, pos);
    if (hit == StringRef::npos)
      break;
    size_t end = hit + from.size();
    bool whole = (hit == 0 || !isIdentifierChar(text[hit - 1])) &&
                 (end == text.size() || !isIdentifierChar(text[end]));
    out += text.slice(pos, whole ? hit : end).str();
    if (whole)
      out += to.str();
    pos = end;
  }
  out += text.drop_front(pos).str();
  return out;
}
} // namespace

UniqueKernels mlir::ds::uniqueKernels(ArrayRef<EmittedKernel> kernels,
                                      bool share) {
  UniqueKernels result;
  llvm::StringMap<uint32_t> byKey;
  for (const EmittedKernel &k : kernels) {
    StringRef source = k.source;
    if (source.starts_with("// ds kernel "))
      source = source.split('\n').second;
    // \x01 cannot occur in the emitted C++: a safe placeholder.
    std::string key = replaceIdentifier(source, k.name, "\x01");
    for (const std::string &t : k.paramTypes)
      key += "\x02" + t;
    if (!share)
      key = std::to_string(result.indexOf.size());
    auto [it, inserted] = byKey.try_emplace(key, result.kernels.size());
    result.indexOf.push_back(it->second);
    if (!inserted)
      continue;
    StringRef op = StringRef(k.name).split('_').second;
    std::string name =
        llvm::formatv("k{0}_{1}", result.kernels.size(), op).str();
    EmittedKernel &u = result.kernels.emplace_back(k);
    u.source = replaceIdentifier(k.source, k.name, name);
    u.name = std::move(name);
  }
  return result;
}

FailureOr<std::string> mlir::ds::getCudaStorageType(Type elementType) {
  if (elementType.isF64())
    return std::string("double");
  if (elementType.isInteger(8))
    return std::string("unsigned char");
  FailureOr<ElementKind> k = getElementKind(elementType);
  if (failed(k))
    return failure();
  return k->storage();
}
