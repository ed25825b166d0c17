//===- ReferenceBridge.cpp - ds IR to the reference executor --------------===//

#include "passes/ReferenceBridge.h"
#include "dialects/DS/DSOps.h"

#include "runtime/Reference.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace mlir;
using namespace mlir::ds;
namespace rt = ::ds::runtime;

std::optional<rt::DType> mlir::ds::toDType(Type t) {
  if (t.isF32())
    return rt::DType::F32;
  if (t.isF16())
    return rt::DType::F16;
  if (t.isBF16())
    return rt::DType::BF16;
  if (t.isF64())
    return rt::DType::F64;
  if (t.isInteger(64))
    return rt::DType::I64;
  if (t.isInteger(32))
    return rt::DType::I32;
  if (t.isUnsignedInteger(8))
    return rt::DType::U8;
  if (t.isInteger(8))
    return rt::DType::I8;
  if (t.isInteger(1))
    return rt::DType::I1;
  return std::nullopt;
}

std::string mlir::ds::locationString(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  std::string s;
  llvm::raw_string_ostream os(s);
  loc.print(os);
  return s;
}

/// Stores one attribute in the form the reference executor reads.
static void addRefAttr(rt::RefOp &ref, StringRef name, Attribute value) {
  rt::RefAttr &out = ref.attrs[name.str()];
  if (auto a = dyn_cast<DenseI64ArrayAttr>(value))
    out.ints.assign(a.asArrayRef().begin(), a.asArrayRef().end());
  else if (auto a = dyn_cast<DenseI32ArrayAttr>(value))
    out.ints.assign(a.asArrayRef().begin(), a.asArrayRef().end());
  else if (auto a = dyn_cast<IntegerAttr>(value))
    out.ints = {a.getValue().getSExtValue()};
  else if (auto a = dyn_cast<FloatAttr>(value))
    out.floats = {a.getValueAsDouble()};
  else if (auto a = dyn_cast<StringAttr>(value))
    out.str = a.str();
  else if (auto a = dyn_cast<DenseElementsAttr>(value)) {
    if (isa<FloatType>(a.getElementType()))
      for (APFloat v : a.getValues<APFloat>())
        out.floats.push_back(v.convertToDouble());
    else
      for (APInt v : a.getValues<APInt>())
        out.ints.push_back(a.getElementType().isInteger(1)
                               ? static_cast<int64_t>(v.getZExtValue())
                               : v.getSExtValue());
  } else
    ref.attrs.erase(name.str());
}

/// Little-endian bytes of a dense constant, one element at a time (splats
/// expanded, i1 as one byte per element).
std::string mlir::ds::constantBytes(DenseElementsAttr attr, rt::DType dtype) {
  std::string bytes;
  size_t size = rt::dtypeSize(dtype);
  bytes.reserve(attr.getNumElements() * size);
  auto append = [&](uint64_t bits) {
    for (size_t b = 0; b < size; ++b)
      bytes.push_back(static_cast<char>((bits >> (8 * b)) & 0xff));
  };
  if (isa<FloatType>(attr.getElementType())) {
    for (APFloat v : attr.getValues<APFloat>())
      append(v.bitcastToAPInt().getZExtValue());
  } else {
    for (APInt v : attr.getValues<APInt>())
      append(v.getZExtValue());
  }
  return bytes;
}

/// Attributes left at their ODS default are absent from the properties; the
/// reference executor gets their values explicitly.
static void addDefaultedAttrs(Operation *op, rt::RefOp &ref) {
  auto setInt = [&](StringRef name, int64_t v) {
    ref.attrs[name.str()].ints = {v};
  };
  auto setFloat = [&](StringRef name, double v) {
    ref.attrs[name.str()].floats = {v};
  };
  auto setStr = [&](StringRef name, StringRef v) {
    ref.attrs[name.str()].str = v.str();
  };
  llvm::TypeSwitch<Operation *>(op)
      .Case([&](SoftmaxOp o) { setInt("axis", o.getNormalizedAxis()); })
      .Case([&](GeluOp o) { setStr("approximate", o.getApproximate()); })
      .Case([&](LeakyReluOp o) {
        setFloat("alpha", o.getAlpha().convertToDouble());
      })
      .Case([&](HardSigmoidOp o) {
        setFloat("alpha", o.getAlpha().convertToDouble());
        setFloat("beta", o.getBeta().convertToDouble());
      })
      .Case([&](ClipOp o) {
        setFloat("min", o.getMin().convertToDouble());
        setFloat("max", o.getMax().convertToDouble());
      })
      .Case([&](ConvOp o) { setInt("group", o.getGroup()); })
      .Case([&](ConvTransposeOp o) { setInt("group", o.getGroup()); })
      .Case<MaxPoolOp, AvgPoolOp>([&](auto o) {
        SmallVector<int64_t> d = o.getDilationsOrOnes();
        ref.attrs["dilations"].ints.assign(d.begin(), d.end());
        setInt("ceil_mode", o.getCeilMode());
        setInt("count_include_pad", o.getCountIncludePad());
      })
      .Case<BatchNormOp, LayerNormOp>([&](auto o) {
        setFloat("epsilon", o.getEpsilon().convertToDouble());
      })
      .Case<ReduceSumOp, ReduceMeanOp, ReduceMaxOp, ReduceMinOp, ReduceProdOp>(
          [&](auto o) { setInt("keepdims", o.getKeepdims()); })
      .Case([&](ReshapeOp o) { setInt("allowzero", o.getAllowzero()); })
      .Case([&](PadOp o) { setStr("mode", o.getMode()); })
      .Case([&](ResizeOp o) {
        setStr("mode", o.getMode());
        setStr("coordinate_transformation_mode",
               o.getCoordinateTransformationMode());
        setStr("nearest_mode", o.getNearestMode());
        ref.attrs["operandSegmentSizes"].ints = {1, o.getScales() ? 1 : 0,
                                                 o.getSizes() ? 1 : 0};
      })
      .Case([&](TriluOp o) { setInt("upper", o.getUpper()); });
}

rt::RefOp mlir::ds::toRefOp(Operation *op) {
  rt::RefOp ref;
  ref.op = op->getName().stripDialect().str();
  ref.location = locationString(op->getLoc());
  // Every inherent attribute travels under its own name (ops.md), defaults
  // included: the reference executor never guesses.
  if (auto props =
          dyn_cast_or_null<DictionaryAttr>(op->getPropertiesAsAttribute()))
    for (NamedAttribute attr : props)
      addRefAttr(ref, attr.getName().strref(), attr.getValue());
  addDefaultedAttrs(op, ref);
  return ref;
}

std::optional<rt::HostTensor> mlir::ds::toHostTensor(DenseElementsAttr attr) {
  auto type = cast<RankedTensorType>(attr.getType());
  std::optional<rt::DType> dtype = toDType(type.getElementType());
  if (!dtype || !type.hasStaticShape())
    return std::nullopt;
  rt::TensorType tt;
  tt.dtype = *dtype;
  tt.shape.assign(type.getShape().begin(), type.getShape().end());
  rt::HostTensor t(tt);
  std::string bytes = constantBytes(attr, *dtype);
  if (bytes.size() != t.bytes.size())
    return std::nullopt;
  std::memcpy(t.bytes.data(), bytes.data(), bytes.size());
  return t;
}

DenseElementsAttr mlir::ds::toElementsAttr(const rt::HostTensor &tensor,
                                           Type elementType) {
  auto type = RankedTensorType::get(tensor.type.shape, elementType);
  size_t size = rt::dtypeSize(tensor.type.dtype);
  int64_t n = tensor.type.numElements();
  auto word = [&](int64_t i) {
    uint64_t bits = 0;
    std::memcpy(&bits, tensor.bytes.data() + i * size, size);
    return bits;
  };
  if (auto ft = dyn_cast<FloatType>(elementType)) {
    SmallVector<APFloat> values;
    for (int64_t i = 0; i < n; ++i)
      values.emplace_back(ft.getFloatSemantics(),
                          APInt(ft.getWidth(), word(i)));
    return DenseElementsAttr::get(type, values);
  }
  unsigned width = elementType.getIntOrFloatBitWidth();
  SmallVector<APInt> values;
  for (int64_t i = 0; i < n; ++i)
    values.emplace_back(width, width == 1 ? (word(i) != 0) : word(i));
  return DenseElementsAttr::get(type, values);
}

FailureOr<rt::HostTensor>
mlir::ds::evaluateOp(Operation *op, ArrayRef<const rt::HostTensor *> operands,
                     std::string &error) {
  if (op->getNumResults() != 1) {
    error = "only single-result ops are evaluated";
    return failure();
  }
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  std::optional<rt::DType> dtype = toDType(resultType.getElementType());
  if (!dtype) {
    error = "unsupported result element type";
    return failure();
  }
  rt::HostTensor result;
  result.type.dtype = *dtype;
  for (int64_t d : resultType.getShape())
    result.type.shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
  if (resultType.hasStaticShape())
    result.bytes.resize(result.type.byteSize());
  std::vector<const rt::HostTensor *> in(operands.begin(), operands.end());
  rt::Status st = rt::runReferenceOp(toRefOp(op), in, {&result});
  if (!st) {
    error = st.message();
    return failure();
  }
  return result;
}

FailureOr<DenseElementsAttr>
mlir::ds::evaluateOp(Operation *op, ArrayRef<DenseElementsAttr> operands,
                     std::string &error) {
  std::vector<rt::HostTensor> inputs;
  for (DenseElementsAttr attr : operands) {
    std::optional<rt::HostTensor> t = toHostTensor(attr);
    if (!t) {
      error = "unsupported constant operand";
      return failure();
    }
    inputs.push_back(std::move(*t));
  }
  SmallVector<const rt::HostTensor *> in;
  for (const rt::HostTensor &t : inputs)
    in.push_back(&t);
  FailureOr<rt::HostTensor> result = evaluateOp(op, in, error);
  if (failed(result))
    return failure();
  return toElementsAttr(
      *result,
      cast<RankedTensorType>(op->getResult(0).getType()).getElementType());
}
