//===- OnnxImporter.cpp - ONNX models to the ds dialect -------------------===//
//
// The graph comes from OnnxReader (checked and shape-inferred by the ONNX
// library); this file maps each node to ds ops as docs/design/ops.md states.
// Ops are built generically by name (OperationState), so the importer does
// not depend on the generated op classes; `mlir::verify` checks the result.
//
//===----------------------------------------------------------------------===//

#include "tools/ds-import/OnnxImporter.h"

#include "dialects/DS/DSDialect.h"
#include "passes/WeightStore.h"
#include "runtime/Padding.h"
#include "runtime/SafeTensors.h"
#include "tools/ds-import/OnnxReader.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <limits>
#include <map>
#include <optional>

using namespace mlir;
using namespace mlir::ds;
namespace imp = ::ds::importer;
namespace rt = ::ds::runtime;

namespace {

constexpr int64_t kDynamic = ShapedType::kDynamic;
/// Integer tensors of rank <= 1 up to this size count as shape-like (shapes,
/// axes, pads, repeats) and stay inline whatever the inline limit says, so
/// shape computations can fold.
constexpr int64_t kMaxShapeLikeElements = 1024;

/// A tensor known at import time (an initializer or a `Constant` node's
/// output), materialized as `ds.constant` or `ds.weight` on first use.
struct ConstantSource {
  std::string name; ///< the value name; the weight's name in the file
  const imp::Tensor *tensor = nullptr;
  Location loc;
  std::string owner; ///< for messages: "initializer", "node 'c'"
};

std::optional<rt::DType> toRuntimeDType(imp::OnnxDType t) {
  switch (t) {
  case imp::OnnxDType::Float:
    return rt::DType::F32;
  case imp::OnnxDType::Float16:
    return rt::DType::F16;
  case imp::OnnxDType::BFloat16:
    return rt::DType::BF16;
  case imp::OnnxDType::Int64:
    return rt::DType::I64;
  case imp::OnnxDType::Int32:
    return rt::DType::I32;
  case imp::OnnxDType::Bool:
    return rt::DType::I1;
  default:
    return std::nullopt;
  }
}

/// The integer values of an integer tensor.
std::optional<SmallVector<int64_t>> tensorInts(const imp::Tensor &t) {
  SmallVector<int64_t> out;
  int64_t n = t.numElements();
  if (t.dtype == imp::OnnxDType::Int64) {
    out.resize(n);
    std::memcpy(out.data(), t.bytes.data(), n * sizeof(int64_t));
  } else if (t.dtype == imp::OnnxDType::Int32) {
    for (int64_t i = 0; i < n; ++i) {
      int32_t v;
      std::memcpy(&v, t.bytes.data() + i * sizeof(v), sizeof(v));
      out.push_back(v);
    }
  } else {
    return std::nullopt;
  }
  return out;
}

/// The values of a numeric tensor as doubles.
std::optional<SmallVector<double>> tensorDoubles(const imp::Tensor &t) {
  if (auto ints = tensorInts(t))
    return SmallVector<double>(ints->begin(), ints->end());
  SmallVector<double> out;
  int64_t n = t.numElements();
  const char *p = t.bytes.data();
  for (int64_t i = 0; i < n; ++i) {
    switch (t.dtype) {
    case imp::OnnxDType::Float: {
      float v;
      std::memcpy(&v, p + 4 * i, 4);
      out.push_back(v);
      break;
    }
    case imp::OnnxDType::Double: {
      double v;
      std::memcpy(&v, p + 8 * i, 8);
      out.push_back(v);
      break;
    }
    case imp::OnnxDType::Float16:
    case imp::OnnxDType::BFloat16: {
      uint16_t v;
      std::memcpy(&v, p + 2 * i, 2);
      out.push_back(t.dtype == imp::OnnxDType::Float16 ? rt::halfToFloat(v)
                                                       : rt::bf16ToFloat(v));
      break;
    }
    case imp::OnnxDType::Bool:
      out.push_back(p[i] != 0);
      break;
    default:
      return std::nullopt;
    }
  }
  return out;
}

/// A type-erased ONNX node conversion.
class Importer;
using ConvertFn = LogicalResult (Importer::*)(StringRef dsOp);
struct OpConversion {
  const char *onnxOp;
  ConvertFn convert;
  const char *dsOp; ///< the ds op of the one-to-one conversions
};

class Importer {
public:
  Importer(MLIRContext &context, const imp::Graph &graph,
           const std::string &modelPath, const OnnxImportOptions &options)
      : context(context), b(&context), graph(graph), options(options),
        fileName(StringAttr::get(&context, modelPath)),
        modelLoc(FileLineColLoc::get(fileName, 0, 0)), loc(modelLoc) {}

  FailureOr<OwningOpRef<ModuleOp>> run();
  /// Writes the weights used by the module to `path`.
  LogicalResult writeWeights(const std::string &path);

  static ArrayRef<OpConversion> conversions();

  // One conversion per ONNX op (or family); each reads `node` and `loc`.
  LogicalResult convertUnary(StringRef dsOp);
  LogicalResult convertBinary(StringRef dsOp);
  LogicalResult convertVariadic(StringRef dsOp);
  LogicalResult convertPow(StringRef dsOp);
  LogicalResult convertWhere(StringRef dsOp);
  LogicalResult convertLeakyRelu(StringRef dsOp);
  LogicalResult convertHardSigmoid(StringRef dsOp);
  LogicalResult convertClip(StringRef dsOp);
  LogicalResult convertGemm(StringRef dsOp);
  LogicalResult convertConv(StringRef dsOp);
  LogicalResult convertConvTranspose(StringRef dsOp);
  LogicalResult convertMaxPool(StringRef dsOp);
  LogicalResult convertAveragePool(StringRef dsOp);
  LogicalResult convertGlobalPool(StringRef dsOp);
  LogicalResult convertBatchNorm(StringRef dsOp);
  LogicalResult convertLayerNorm(StringRef dsOp);
  LogicalResult convertSoftmax(StringRef dsOp);
  LogicalResult convertReduce(StringRef dsOp);
  LogicalResult convertReshape(StringRef dsOp);
  LogicalResult convertFlatten(StringRef dsOp);
  LogicalResult convertSqueeze(StringRef dsOp);
  LogicalResult convertUnsqueeze(StringRef dsOp);
  LogicalResult convertTranspose(StringRef dsOp);
  LogicalResult convertConcat(StringRef dsOp);
  LogicalResult convertSlice(StringRef dsOp);
  LogicalResult convertSplit(StringRef dsOp);
  LogicalResult convertGather(StringRef dsOp);
  LogicalResult convertPad(StringRef dsOp);
  LogicalResult convertResize(StringRef dsOp);
  LogicalResult convertUpsample(StringRef dsOp);
  LogicalResult convertShape(StringRef dsOp);
  LogicalResult convertConstantOfShape(StringRef dsOp);
  LogicalResult convertTrilu(StringRef dsOp);
  LogicalResult convertIdentity(StringRef dsOp);
  LogicalResult convertDropout(StringRef dsOp);
  LogicalResult convertConstant(StringRef dsOp);

private:
  //===--------------------------------------------------------------------===//
  // Diagnostics
  //===--------------------------------------------------------------------===//

  /// Emits `message` at the current location, naming the current node (or
  /// what `where` says outside nodes).
  LogicalResult fail(const Twine &message) {
    InFlightDiagnostic diag = emitError(loc) << message;
    if (node)
      diag << " (node '" << node->name << "')";
    else if (!where.empty())
      diag << " (" << where << ")";
    return failure();
  }

  //===--------------------------------------------------------------------===//
  // Types
  //===--------------------------------------------------------------------===//

  Type elementType(imp::OnnxDType t) {
    switch (t) {
    case imp::OnnxDType::Float:
      return b.getF32Type();
    case imp::OnnxDType::Float16:
      return b.getF16Type();
    case imp::OnnxDType::BFloat16:
      return b.getBF16Type();
    case imp::OnnxDType::Int64:
      return b.getI64Type();
    case imp::OnnxDType::Int32:
      return b.getI32Type();
    case imp::OnnxDType::Bool:
      return b.getI1Type();
    default:
      return {};
    }
  }

  /// The tensor type of value `name`; emits an error (suffixed by `where`
  /// when no node is current) and returns null when it has none we support.
  RankedTensorType valueType(const std::string &name, StringRef what) {
    imp::ValueType vt;
    if (auto it = graph.valueTypes.find(name); it != graph.valueTypes.end())
      vt = it->second;
    if (!vt.isTensor) {
      (void)fail(Twine(what) + " '" + name + "' is not a tensor");
      return {};
    }
    if (vt.dtype == imp::OnnxDType::Undefined || !vt.hasShape) {
      (void)fail("the rank of " + Twine(what) + " '" + name +
                 "' is unknown after ONNX shape inference");
      return {};
    }
    Type elem = elementType(vt.dtype);
    if (!elem) {
      (void)fail(Twine("unsupported element type ") +
                 imp::onnxDTypeName(vt.dtype) + " of '" + name + "'");
      return {};
    }
    SmallVector<int64_t> shape;
    for (const imp::Dim &d : vt.dims)
      shape.push_back(d.isStatic() ? d.value : kDynamic);
    return RankedTensorType::get(shape, elem);
  }

  /// The inferred type of output `i` of the current node.
  RankedTensorType outType(size_t i) {
    if (i >= node->outputs.size() || node->outputs[i].empty()) {
      (void)fail("output " + Twine(i) + " is missing");
      return {};
    }
    return valueType(node->outputs[i], "output");
  }

  static RankedTensorType typeOf(Value v) {
    return cast<RankedTensorType>(v.getType());
  }

  /// numpy broadcast of two shapes (`?` meets n -> n unless n is 1).
  static RankedTensorType broadcastType(Value lhs, Value rhs) {
    ArrayRef<int64_t> a = typeOf(lhs).getShape(), b = typeOf(rhs).getShape();
    size_t rank = std::max(a.size(), b.size());
    SmallVector<int64_t> shape(rank);
    for (size_t i = 0; i < rank; ++i) {
      int64_t x = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
      int64_t y = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
      if (x == 1)
        shape[i] = y;
      else if (y == 1 || x == y)
        shape[i] = x;
      else if (x == kDynamic)
        shape[i] = y;
      else
        shape[i] = x;
    }
    return RankedTensorType::get(shape, typeOf(lhs).getElementType());
  }

  /// `axis` in [0, rank), or an error.
  FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank,
                                   StringRef what = "axis") {
    int64_t a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank)
      return fail(Twine(what) + " " + Twine(axis) +
                  " is out of range for rank " + Twine(rank));
    return a;
  }

  /// Normalized, sorted, duplicate-free axes.
  FailureOr<SmallVector<int64_t>> normalizeAxes(ArrayRef<int64_t> axes,
                                                int64_t rank) {
    SmallVector<int64_t> out;
    for (int64_t a : axes) {
      FailureOr<int64_t> n = normalizeAxis(a, rank);
      if (failed(n))
        return failure();
      out.push_back(*n);
    }
    llvm::sort(out);
    if (std::adjacent_find(out.begin(), out.end()) != out.end())
      return fail("axes repeat a dim");
    return out;
  }

  //===--------------------------------------------------------------------===//
  // Node attributes
  //===--------------------------------------------------------------------===//

  int64_t getInt(const std::string &name, int64_t def) {
    const int64_t *v = node->getAttr<int64_t>(name);
    return v ? *v : def;
  }
  /// A float attribute as the double its shortest decimal form denotes
  /// (ONNX stores float32: 0.2f becomes 0.2, not 0.20000000298...).
  double getFloat(const std::string &name, double def) {
    const float *v = node->getAttr<float>(name);
    if (!v)
      return def;
    char buf[64];
    std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf) - 1, *v);
    *r.ptr = '\0';
    return std::strtod(buf, nullptr);
  }
  std::string getString(const std::string &name, const std::string &def) {
    const std::string *v = node->getAttr<std::string>(name);
    return v ? *v : def;
  }
  std::optional<SmallVector<int64_t>> getInts(const std::string &name) {
    const std::vector<int64_t> *v = node->getAttr<std::vector<int64_t>>(name);
    if (!v)
      return std::nullopt;
    return SmallVector<int64_t>(v->begin(), v->end());
  }
  SmallVector<int64_t> getInts(const std::string &name, size_t size,
                               int64_t fill) {
    if (std::optional<SmallVector<int64_t>> v = getInts(name))
      return *v;
    return SmallVector<int64_t>(size, fill);
  }

  //===--------------------------------------------------------------------===//
  // Values
  //===--------------------------------------------------------------------===//

  bool has(size_t i) const {
    return i < node->inputs.size() && !node->inputs[i].empty();
  }

  /// The value named `name`, materializing constants on first use; null
  /// after an error.
  Value lookup(const std::string &name) {
    if (auto it = values.find(name); it != values.end())
      return it->second;
    if (auto it = constants.find(name); it != constants.end()) {
      Value v = materialize(it->second);
      if (v)
        values[name] = v;
      return v;
    }
    (void)fail("uses value '" + name + "', which no earlier node produced");
    return {};
  }

  /// Input `i` of the current node; an error if absent.
  Value operand(size_t i) {
    if (!has(i)) {
      (void)fail("input " + Twine(i) + " is missing");
      return {};
    }
    return lookup(node->inputs[i]);
  }

  /// The import-time value of input `i`, if it is an initializer or the
  /// output of a `Constant` node.
  const imp::Tensor *constantInput(size_t i) {
    if (!has(i))
      return nullptr;
    auto it = constants.find(node->inputs[i]);
    return it == constants.end() ? nullptr : it->second.tensor;
  }

  /// Integer values of a constant input, or an error naming `what`.
  FailureOr<SmallVector<int64_t>> constantInts(size_t i, StringRef what) {
    const imp::Tensor *t = constantInput(i);
    std::optional<SmallVector<int64_t>> v;
    if (t)
      v = tensorInts(*t);
    if (!v)
      return fail("unimplemented: " + Twine(what) +
                  " must be a constant integer tensor");
    return *v;
  }

  void setOutput(size_t i, Value v) {
    if (i < node->outputs.size() && !node->outputs[i].empty())
      values[node->outputs[i]] = v;
  }

  /// Outputs from `first` on must be absent or unused.
  LogicalResult requireUnused(size_t first, StringRef what) {
    for (size_t i = first; i < node->outputs.size(); ++i)
      if (!node->outputs[i].empty() && used.contains(node->outputs[i]))
        return fail("unsupported: the " + Twine(what) + " output '" +
                    node->outputs[i] + "' is used");
    return success();
  }

  //===--------------------------------------------------------------------===//
  // Op creation
  //===--------------------------------------------------------------------===//

  Value create(StringRef opName, ValueRange operands, Type resultType,
               ArrayRef<NamedAttribute> attrs = {}) {
    OperationState state(loc, opName);
    state.addOperands(operands);
    state.addAttributes(attrs);
    // Ops whose result type is their operand's (unary elementwise, softmax)
    // take it from the operand: ONNX inference may know more (a declared
    // output shape) than the operand carries when inputs are dynamic, and
    // ds-static-shapes recovers it once dims are bound.
    std::optional<RegisteredOperationName> info =
        RegisteredOperationName::lookup(opName, b.getContext());
    if (info && info->hasTrait<mlir::OpTrait::SameOperandsAndResultType>() &&
        !operands.empty())
      resultType = operands.front().getType();
    state.addTypes(resultType);
    return b.create(state)->getResult(0);
  }

  NamedAttribute i64Attr(StringRef name, int64_t v) {
    return b.getNamedAttr(name, b.getI64IntegerAttr(v));
  }
  NamedAttribute i64ArrayAttr(StringRef name, ArrayRef<int64_t> v) {
    return b.getNamedAttr(name, b.getDenseI64ArrayAttr(v));
  }
  NamedAttribute f64Attr(StringRef name, double v) {
    return b.getNamedAttr(name, b.getF64FloatAttr(v));
  }
  NamedAttribute strAttr(StringRef name, StringRef v) {
    return b.getNamedAttr(name, b.getStringAttr(v));
  }

  Value constant(DenseElementsAttr value) {
    OperationState state(loc, "ds.constant");
    state.addAttribute("value", value);
    state.addTypes(value.getType());
    return b.create(state)->getResult(0);
  }
  /// A 1-D i64 constant.
  Value i64Constant(ArrayRef<int64_t> v) {
    auto type = RankedTensorType::get({int64_t(v.size())}, b.getI64Type());
    return constant(DenseElementsAttr::get(type, v));
  }
  /// A rank-0 constant of element type `elem`.
  Value scalarConstant(double v, Type elem) {
    auto type = RankedTensorType::get({}, elem);
    Attribute a;
    if (isa<FloatType>(elem))
      a = b.getFloatAttr(elem, v);
    else if (elem.isInteger(1))
      a = b.getBoolAttr(v != 0);
    else
      a = b.getIntegerAttr(elem, static_cast<int64_t>(v));
    return constant(DenseElementsAttr::get(type, ArrayRef<Attribute>(a)));
  }

  Value createResize(Value x, Value scales, Value sizes, Type out,
                     StringRef mode, StringRef coord, StringRef nearest) {
    SmallVector<Value> ops = {x};
    if (scales)
      ops.push_back(scales);
    if (sizes)
      ops.push_back(sizes);
    return create("ds.resize", ops, out,
                  {strAttr("mode", mode),
                   strAttr("coordinate_transformation_mode", coord),
                   strAttr("nearest_mode", nearest),
                   b.getNamedAttr("operandSegmentSizes",
                                  b.getDenseI32ArrayAttr(
                                      {1, scales ? 1 : 0, sizes ? 1 : 0}))});
  }

  Value transpose(Value v, ArrayRef<int64_t> perm) {
    ArrayRef<int64_t> shape = typeOf(v).getShape();
    SmallVector<int64_t> out;
    for (int64_t p : perm)
      out.push_back(shape[p]);
    return create("ds.transpose", v,
                  RankedTensorType::get(out, typeOf(v).getElementType()),
                  {i64ArrayAttr("perm", perm)});
  }

  /// The dense attribute of a tensor's bytes.
  static DenseElementsAttr denseAttr(RankedTensorType type,
                                     const imp::Tensor &t) {
    if (type.getElementType().isInteger(1)) {
      SmallVector<bool> bits;
      for (char c : t.bytes)
        bits.push_back(c != 0);
      return DenseElementsAttr::get(type, bits);
    }
    if (t.bytes.empty())
      return DenseElementsAttr::get(type, ArrayRef<Attribute>());
    return DenseElementsAttr::getFromRawBuffer(
        type, ArrayRef<char>(t.bytes.data(), t.bytes.size()));
  }

  /// Creates the `ds.constant` or `ds.weight` of a known tensor.
  Value materialize(const ConstantSource &src) {
    const imp::Tensor &t = *src.tensor;
    Type elem = elementType(t.dtype);
    if (!elem) {
      emitError(src.loc) << "unsupported element type "
                         << imp::onnxDTypeName(t.dtype) << " of '" << src.name
                         << "' (" << src.owner << ")";
      return {};
    }
    auto type = RankedTensorType::get(t.dims, elem);
    int64_t n = t.numElements();
    bool shapeLike = (elem.isInteger(64) || elem.isInteger(32)) &&
                     t.dims.size() <= 1 && n <= kMaxShapeLikeElements;
    Location savedLoc = loc;
    loc = src.loc;
    Value v;
    if (n <= options.inlineConstantLimit || shapeLike) {
      v = constant(denseAttr(type, t));
    } else {
      OperationState state(loc, "ds.weight");
      state.addAttribute("name", b.getStringAttr(src.name));
      state.addTypes(type);
      v = b.create(state)->getResult(0);
      weights.push_back(&src);
    }
    loc = savedLoc;
    return v;
  }

  //===--------------------------------------------------------------------===//
  // Shared pieces of the sliding-window ops
  //===--------------------------------------------------------------------===//

  /// Checks that an ints attribute has `size` values.
  LogicalResult checkSize(StringRef name, ArrayRef<int64_t> v, size_t size) {
    if (v.size() != size)
      return fail("attribute '" + Twine(name) + "' has " + Twine(v.size()) +
                  " values, expected " + Twine(size));
    return success();
  }
  /// Checks that every value of an ints attribute is >= 1.
  LogicalResult checkPositive(StringRef name, ArrayRef<int64_t> v) {
    for (int64_t x : v)
      if (x < 1 && x != kDynamic)
        return fail("attribute '" + Twine(name) + "' has the value " +
                    Twine(x) + "; expected >= 1");
    return success();
  }

  /// The kernel size: `kernel_shape`, or the weight's spatial dims.
  FailureOr<SmallVector<int64_t>> convKernel(Value x, Value w) {
    if (std::optional<SmallVector<int64_t>> k = getInts("kernel_shape"))
      return *k;
    if (typeOf(w).getRank() != typeOf(x).getRank())
      return fail("expected a weight of rank " + Twine(typeOf(x).getRank()) +
                  ", got " + Twine(typeOf(w).getRank()));
    ArrayRef<int64_t> spatial = typeOf(w).getShape().drop_front(2);
    return SmallVector<int64_t>(spatial.begin(), spatial.end());
  }

  /// Resolves `auto_pad` SAME_UPPER/SAME_LOWER/VALID into explicit pads
  /// (begins then ends); NOTSET keeps `pads`.
  LogicalResult resolveAutoPad(RankedTensorType input, ArrayRef<int64_t> kernel,
                               ArrayRef<int64_t> strides,
                               ArrayRef<int64_t> dilations,
                               SmallVectorImpl<int64_t> &pads) {
    std::string autoPad = getString("auto_pad", "NOTSET");
    size_t n = kernel.size();
    if (autoPad == "NOTSET" || autoPad.empty())
      return success();
    pads.assign(2 * n, 0);
    if (autoPad == "VALID")
      return success();
    if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
      return fail("unknown auto_pad '" + autoPad + "'");
    for (size_t i = 0; i < n; ++i) {
      int64_t in = input.getDimSize(2 + i);
      if (in == kDynamic || kernel[i] == kDynamic) {
        // Resolved by ds-static-shapes once the dims are bound.
        pads.assign(2 * n, 0);
        deferredAutoPad = autoPad;
        return success();
      }
      ::ds::runtime::samePads(autoPad, in, kernel[i], strides[i], dilations[i],
                              pads[i], pads[n + i]);
    }
    return success();
  }

  /// The auto_pad the last resolveAutoPad() left to ds-static-shapes (the
  /// spatial dims were dynamic), put on the op `v` defines; cleared.
  Value withDeferredAutoPad(Value v) {
    if (deferredAutoPad && v)
      v.getDefiningOp()->setAttr("auto_pad", b.getStringAttr(*deferredAutoPad));
    deferredAutoPad.reset();
    return v;
  }
  std::optional<std::string> deferredAutoPad;

  /// Input rank >= 3 ([N, C, spatial...]); returns the spatial rank.
  FailureOr<size_t> spatialRank(Value x) {
    int64_t rank = typeOf(x).getRank();
    if (rank < 3)
      return fail("expected an input of rank >= 3 ([N, C, spatial...]), got " +
                  Twine(rank));
    return size_t(rank - 2);
  }

  //===--------------------------------------------------------------------===//
  // Driver pieces
  //===--------------------------------------------------------------------===//

  Location nodeLoc(size_t index, const std::string &name) {
    return NameLoc::get(b.getStringAttr(name),
                        FileLineColLoc::get(fileName, index + 1, 0));
  }
  Location valueLoc(const std::string &name) {
    return NameLoc::get(b.getStringAttr(name), modelLoc);
  }
  LogicalResult checkSupportedOps();
  LogicalResult checkDefinedValues();
  LogicalResult verifyNamingNodes(ModuleOp module);

  MLIRContext &context;
  OpBuilder b;
  const imp::Graph &graph;
  const OnnxImportOptions &options;
  StringAttr fileName;
  Location modelLoc;

  /// The node being converted (null outside nodes) and its location.
  const imp::Node *node = nullptr;
  Location loc;
  /// What is being converted outside nodes, for messages ("graph input").
  std::string where;

  llvm::StringMap<Value> values;
  std::map<std::string, ConstantSource> constants;
  /// Tensors built from `Constant` attributes (value_float, ...).
  std::deque<imp::Tensor> ownedTensors;
  /// Names consumed by a node or returned.
  llvm::StringSet<> used;
  /// Sources of every `ds.weight`, in creation order.
  std::vector<const ConstantSource *> weights;
};

//===----------------------------------------------------------------------===//
// Conversion table
//===----------------------------------------------------------------------===//

ArrayRef<OpConversion> Importer::conversions() {
  using I = Importer;
  static const OpConversion table[] = {
      // Elementwise unary.
      {"Abs", &I::convertUnary, "ds.abs"},
      {"Cast", &I::convertUnary, "ds.cast"},
      {"CastLike", &I::convertUnary, "ds.cast"},
      {"Erf", &I::convertUnary, "ds.erf"},
      {"Exp", &I::convertUnary, "ds.exp"},
      {"Cos", &I::convertUnary, "ds.cos"},
      {"Sin", &I::convertUnary, "ds.sin"},
      {"HardSwish", &I::convertUnary, "ds.hard_swish"},
      {"Log", &I::convertUnary, "ds.log"},
      {"Neg", &I::convertUnary, "ds.neg"},
      {"Not", &I::convertUnary, "ds.not"},
      {"Reciprocal", &I::convertUnary, "ds.reciprocal"},
      {"Relu", &I::convertUnary, "ds.relu"},
      {"Sigmoid", &I::convertUnary, "ds.sigmoid"},
      {"Sqrt", &I::convertUnary, "ds.sqrt"},
      {"Tanh", &I::convertUnary, "ds.tanh"},
      {"Clip", &I::convertClip, "ds.clip"},
      {"HardSigmoid", &I::convertHardSigmoid, "ds.hard_sigmoid"},
      {"LeakyRelu", &I::convertLeakyRelu, "ds.leaky_relu"},
      // Elementwise binary and ternary.
      {"Add", &I::convertBinary, "ds.add"},
      {"And", &I::convertBinary, "ds.and"},
      {"Div", &I::convertBinary, "ds.div"},
      {"Equal", &I::convertBinary, "ds.equal"},
      {"Greater", &I::convertBinary, "ds.greater"},
      {"GreaterOrEqual", &I::convertBinary, "ds.greater_equal"},
      {"Less", &I::convertBinary, "ds.less"},
      {"LessOrEqual", &I::convertBinary, "ds.less_equal"},
      {"Mul", &I::convertBinary, "ds.mul"},
      {"Or", &I::convertBinary, "ds.or"},
      {"PRelu", &I::convertBinary, "ds.prelu"},
      {"Sub", &I::convertBinary, "ds.sub"},
      {"Xor", &I::convertBinary, "ds.xor"},
      {"Pow", &I::convertPow, "ds.pow"},
      {"Max", &I::convertVariadic, "ds.max"},
      {"Min", &I::convertVariadic, "ds.min"},
      {"Sum", &I::convertVariadic, "ds.add"},
      {"Mean", &I::convertVariadic, "ds.add"},
      {"Where", &I::convertWhere, "ds.where"},
      // Contractions, convolution, pooling, normalization.
      {"MatMul", &I::convertBinary, "ds.matmul"},
      {"Gemm", &I::convertGemm, "ds.matmul"},
      {"Conv", &I::convertConv, "ds.conv"},
      {"ConvTranspose", &I::convertConvTranspose, "ds.conv_transpose"},
      {"MaxPool", &I::convertMaxPool, "ds.max_pool"},
      {"AveragePool", &I::convertAveragePool, "ds.avg_pool"},
      {"GlobalAveragePool", &I::convertGlobalPool, "ds.reduce_mean"},
      {"GlobalMaxPool", &I::convertGlobalPool, "ds.reduce_max"},
      {"BatchNormalization", &I::convertBatchNorm, "ds.batch_norm"},
      {"LayerNormalization", &I::convertLayerNorm, "ds.layer_norm"},
      {"Softmax", &I::convertSoftmax, "ds.softmax"},
      {"ReduceMax", &I::convertReduce, "ds.reduce_max"},
      {"ReduceMean", &I::convertReduce, "ds.reduce_mean"},
      {"ReduceMin", &I::convertReduce, "ds.reduce_min"},
      {"ReduceProd", &I::convertReduce, "ds.reduce_prod"},
      {"ReduceSum", &I::convertReduce, "ds.reduce_sum"},
      // Data movement and shapes.
      {"Concat", &I::convertConcat, "ds.concat"},
      {"ConstantOfShape", &I::convertConstantOfShape, "ds.constant_of_shape"},
      {"Expand", &I::convertBinary, "ds.expand"},
      {"Flatten", &I::convertFlatten, "ds.flatten"},
      {"Gather", &I::convertGather, "ds.gather"},
      {"Pad", &I::convertPad, "ds.pad"},
      {"Range", &I::convertWhere, "ds.range"},
      {"Reshape", &I::convertReshape, "ds.reshape"},
      {"Resize", &I::convertResize, "ds.resize"},
      {"Shape", &I::convertShape, "ds.shape"},
      {"Slice", &I::convertSlice, "ds.slice"},
      {"Split", &I::convertSplit, "ds.slice"},
      {"Squeeze", &I::convertSqueeze, "ds.squeeze"},
      {"Tile", &I::convertBinary, "ds.tile"},
      {"Transpose", &I::convertTranspose, "ds.transpose"},
      {"Trilu", &I::convertTrilu, "ds.trilu"},
      {"Unsqueeze", &I::convertUnsqueeze, "ds.unsqueeze"},
      {"Upsample", &I::convertUpsample, "ds.resize"},
      // Removed or folded into constants.
      {"Constant", &I::convertConstant, ""},
      {"Dropout", &I::convertDropout, ""},
      {"Identity", &I::convertIdentity, ""},
  };
  return table;
}

const OpConversion *findConversion(const imp::Node &n) {
  if (!n.domain.empty())
    return nullptr;
  for (const OpConversion &c : Importer::conversions())
    if (n.opType == c.onnxOp)
      return &c;
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

LogicalResult Importer::convertUnary(StringRef dsOp) {
  Value x = operand(0);
  RankedTensorType out = outType(0);
  if (!x || !out)
    return failure();
  setOutput(0, create(dsOp, x, out));
  return success();
}

/// Two operands, one result, no attributes: elementwise binaries, MatMul,
/// Expand (input, shape), Tile (input, repeats).
LogicalResult Importer::convertBinary(StringRef dsOp) {
  Value lhs = operand(0), rhs = lhs ? operand(1) : Value();
  RankedTensorType out = rhs ? outType(0) : nullptr;
  if (!out)
    return failure();
  setOutput(0, create(dsOp, {lhs, rhs}, out));
  return success();
}

/// Where (cond, x, y) and Range (start, limit, delta).
LogicalResult Importer::convertWhere(StringRef dsOp) {
  SmallVector<Value> ops;
  for (size_t i = 0; i < 3; ++i) {
    ops.push_back(operand(i));
    if (!ops.back())
      return failure();
  }
  RankedTensorType out = outType(0);
  if (!out)
    return failure();
  setOutput(0, create(dsOp, ops, out));
  return success();
}

/// Max, Min, Sum (chained binaries) and Mean (Sum, then a division).
LogicalResult Importer::convertVariadic(StringRef dsOp) {
  SmallVector<Value> ops;
  for (size_t i = 0; i < node->inputs.size(); ++i) {
    ops.push_back(operand(i));
    if (!ops.back())
      return failure();
  }
  RankedTensorType out = outType(0);
  if (!out || ops.empty())
    return failure();
  bool mean = node->opType == "Mean";
  Value acc = ops.front();
  for (size_t i = 1; i < ops.size(); ++i) {
    bool last = i + 1 == ops.size() && !mean;
    acc = create(dsOp, {acc, ops[i]}, last ? out : broadcastType(acc, ops[i]));
  }
  if (mean && ops.size() > 1)
    acc = create(
        "ds.div",
        {acc, scalarConstant(double(ops.size()), out.getElementType())}, out);
  setOutput(0, acc);
  return success();
}

LogicalResult Importer::convertPow(StringRef dsOp) {
  Value base = operand(0), exponent = base ? operand(1) : Value();
  RankedTensorType out = exponent ? outType(0) : nullptr;
  if (!out)
    return failure();
  Type elem = typeOf(base).getElementType();
  if (typeOf(exponent).getElementType() != elem)
    exponent = create("ds.cast", exponent, typeOf(exponent).clone(elem));
  setOutput(0, create(dsOp, {base, exponent}, out));
  return success();
}

LogicalResult Importer::convertLeakyRelu(StringRef dsOp) {
  Value x = operand(0);
  RankedTensorType out = x ? outType(0) : nullptr;
  if (!out)
    return failure();
  setOutput(0,
            create(dsOp, x, out, {f64Attr("alpha", getFloat("alpha", 0.01))}));
  return success();
}

LogicalResult Importer::convertHardSigmoid(StringRef dsOp) {
  Value x = operand(0);
  RankedTensorType out = x ? outType(0) : nullptr;
  if (!out)
    return failure();
  setOutput(0, create(dsOp, x, out,
                      {f64Attr("alpha", getFloat("alpha", 0.2)),
                       f64Attr("beta", getFloat("beta", 0.5))}));
  return success();
}

/// Clip-6 has min/max attributes; Clip-11+ optional inputs. Constant bounds
/// give `ds.clip`; computed ones `ds.max` then `ds.min`.
LogicalResult Importer::convertClip(StringRef dsOp) {
  Value x = operand(0);
  RankedTensorType out = x ? outType(0) : nullptr;
  if (!out)
    return failure();
  constexpr double inf = std::numeric_limits<double>::infinity();
  double lo = -inf, hi = inf;
  if (graph.opsetVersion < 11) {
    lo = getFloat("min", -inf);
    hi = getFloat("max", inf);
  } else {
    bool allConstant = true;
    for (size_t i : {1, 2}) {
      if (!has(i))
        continue;
      const imp::Tensor *t = constantInput(i);
      std::optional<SmallVector<double>> v;
      if (t)
        v = tensorDoubles(*t);
      if (!v || v->size() != 1) {
        allConstant = false;
        continue;
      }
      (i == 1 ? lo : hi) = v->front();
    }
    if (!allConstant) {
      Value acc = x;
      for (size_t i : {1, 2}) {
        if (!has(i))
          continue;
        Value bound = operand(i);
        if (!bound)
          return failure();
        bool last = i == 2 || !has(2);
        acc = create(i == 1 ? "ds.max" : "ds.min", {acc, bound},
                     last ? out : broadcastType(acc, bound));
      }
      setOutput(0, acc);
      return success();
    }
  }
  setOutput(0, create(dsOp, x, out, {f64Attr("min", lo), f64Attr("max", hi)}));
  return success();
}

//===----------------------------------------------------------------------===//
// Contractions, convolution, pooling, normalization
//===----------------------------------------------------------------------===//

/// Y = alpha * A' B' + beta * C.
LogicalResult Importer::convertGemm(StringRef dsOp) {
  Value a = operand(0), bv = a ? operand(1) : Value();
  Value c;
  if (bv && has(2))
    c = operand(2);
  RankedTensorType out = bv && (c || !has(2)) ? outType(0) : nullptr;
  if (!out)
    return failure();
  if (typeOf(a).getRank() != 2 || typeOf(bv).getRank() != 2)
    return fail("expected 2-D A and B");
  if (getInt("transA", 0))
    a = transpose(a, {1, 0});
  if (getInt("transB", 0))
    bv = transpose(bv, {1, 0});
  double alpha = getFloat("alpha", 1.0), beta = getFloat("beta", 1.0);
  bool scale = alpha != 1.0, addC = c && beta != 0.0;
  Type elem = out.getElementType();
  auto mmType = RankedTensorType::get(
      {typeOf(a).getDimSize(0), typeOf(bv).getDimSize(1)}, elem);
  Value y = create(dsOp, {a, bv}, !scale && !addC ? out : mmType);
  if (scale)
    y = create("ds.mul", {y, scalarConstant(alpha, elem)}, addC ? mmType : out);
  if (addC) {
    if (beta != 1.0)
      c = create("ds.mul", {c, scalarConstant(beta, elem)}, typeOf(c));
    y = create("ds.add", {y, c}, out);
  }
  setOutput(0, y);
  return success();
}

LogicalResult Importer::convertConv(StringRef dsOp) {
  Value x = operand(0), w = x ? operand(1) : Value();
  Value bias;
  if (w && has(2) && !(bias = operand(2)))
    return failure();
  RankedTensorType out = w ? outType(0) : nullptr;
  if (!out)
    return failure();
  FailureOr<size_t> n = spatialRank(x);
  if (failed(n))
    return failure();
  FailureOr<SmallVector<int64_t>> kernelOr = convKernel(x, w);
  if (failed(kernelOr))
    return failure();
  SmallVector<int64_t> kernel = *kernelOr;
  SmallVector<int64_t> strides = getInts("strides", *n, 1);
  SmallVector<int64_t> dilations = getInts("dilations", *n, 1);
  SmallVector<int64_t> pads = getInts("pads", 2 * *n, 0);
  if (failed(checkSize("kernel_shape", kernel, *n)) ||
      failed(checkSize("strides", strides, *n)) ||
      failed(checkSize("dilations", dilations, *n)) ||
      failed(checkSize("pads", pads, 2 * *n)) ||
      failed(checkPositive("kernel_shape", kernel)) ||
      failed(checkPositive("strides", strides)) ||
      failed(checkPositive("dilations", dilations)) ||
      failed(resolveAutoPad(typeOf(x), kernel, strides, dilations, pads)))
    return failure();
  SmallVector<Value> ops = {x, w};
  if (bias)
    ops.push_back(bias);
  setOutput(
      0, withDeferredAutoPad(create(dsOp, ops, out,
                                    {i64ArrayAttr("strides", strides),
                                     i64ArrayAttr("dilations", dilations),
                                     i64ArrayAttr("pads", pads),
                                     i64Attr("group", getInt("group", 1))})));
  return success();
}

/// `output_shape` and SAME auto_pad become explicit pads (ONNX's formulas).
LogicalResult Importer::convertConvTranspose(StringRef dsOp) {
  Value x = operand(0), w = x ? operand(1) : Value();
  Value bias;
  if (w && has(2) && !(bias = operand(2)))
    return failure();
  RankedTensorType out = w ? outType(0) : nullptr;
  if (!out)
    return failure();
  FailureOr<size_t> n = spatialRank(x);
  if (failed(n))
    return failure();
  FailureOr<SmallVector<int64_t>> kernelOr = convKernel(x, w);
  if (failed(kernelOr))
    return failure();
  SmallVector<int64_t> kernel = *kernelOr;
  SmallVector<int64_t> strides = getInts("strides", *n, 1);
  SmallVector<int64_t> dilations = getInts("dilations", *n, 1);
  SmallVector<int64_t> pads = getInts("pads", 2 * *n, 0);
  SmallVector<int64_t> outputPadding = getInts("output_padding", *n, 0);
  if (failed(checkSize("kernel_shape", kernel, *n)) ||
      failed(checkSize("strides", strides, *n)) ||
      failed(checkSize("dilations", dilations, *n)) ||
      failed(checkSize("pads", pads, 2 * *n)) ||
      failed(checkSize("output_padding", outputPadding, *n)) ||
      failed(checkPositive("kernel_shape", kernel)) ||
      failed(checkPositive("strides", strides)) ||
      failed(checkPositive("dilations", dilations)))
    return failure();
  std::string autoPad = getString("auto_pad", "NOTSET");
  std::optional<SmallVector<int64_t>> outputShape = getInts("output_shape");
  bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
  bool deferred = false;
  if (autoPad == "VALID") {
    pads.assign(2 * *n, 0);
  } else if (outputShape || same) {
    if (outputShape && outputShape->size() > *n) // given with N and C
      outputShape->erase(outputShape->begin(), outputShape->end() - *n);
    if (outputShape && failed(checkSize("output_shape", *outputShape, *n)))
      return failure();
    for (size_t i = 0; i < *n; ++i) {
      int64_t in = typeOf(x).getDimSize(2 + i);
      if (in == kDynamic || kernel[i] == kDynamic) {
        // Resolved by ds-static-shapes once the dims are bound.
        pads.assign(2 * *n, 0);
        deferred = true;
        break;
      }
      int64_t target = outputShape ? (*outputShape)[i] : in * strides[i];
      if (!::ds::runtime::transposePads(
              autoPad, in, target, kernel[i], strides[i], dilations[i],
              outputPadding[i], pads[i], pads[*n + i]))
        return fail("unimplemented: output_shape needs negative padding");
    }
  } else if (autoPad != "NOTSET" && !autoPad.empty()) {
    return fail("unknown auto_pad '" + autoPad + "'");
  }
  SmallVector<Value> ops = {x, w};
  if (bias)
    ops.push_back(bias);
  SmallVector<NamedAttribute> attrs = {
      i64ArrayAttr("strides", strides), i64ArrayAttr("dilations", dilations),
      i64ArrayAttr("pads", pads), i64ArrayAttr("output_padding", outputPadding),
      i64Attr("group", getInt("group", 1))};
  if (deferred && same)
    attrs.push_back(strAttr("auto_pad", autoPad));
  if (deferred && outputShape)
    attrs.push_back(i64ArrayAttr("output_shape", *outputShape));
  setOutput(0, create(dsOp, ops, out, attrs));
  return success();
}

LogicalResult Importer::convertMaxPool(StringRef dsOp) {
  if (failed(requireUnused(1, "Indices")))
    return failure();
  Value x = operand(0);
  RankedTensorType out = x ? outType(0) : nullptr;
  if (!out)
    return failure();
  FailureOr<size_t> n = spatialRank(x);
  if (failed(n))
    return failure();
  SmallVector<int64_t> kernel = getInts("kernel_shape", 0, 0);
  SmallVector<int64_t> strides = getInts("strides", *n, 1);
  SmallVector<int64_t> dilations = getInts("dilations", *n, 1);
  SmallVector<int64_t> pads = getInts("pads", 2 * *n, 0);
  if (failed(checkSize("kernel_shape", kernel, *n)) ||
      failed(checkSize("strides", strides, *n)) ||
      failed(checkSize("dilations", dilations, *n)) ||
      failed(checkSize("pads", pads, 2 * *n)) ||
      failed(checkPositive("kernel_shape", kernel)) ||
      failed(checkPositive("strides", strides)) ||
      failed(checkPositive("dilations", dilations)) ||
      failed(resolveAutoPad(typeOf(x), kernel, strides, dilations, pads)))
    return failure();
  setOutput(
      0, withDeferredAutoPad(create(
             dsOp, x, out,
             {i64ArrayAttr("kernel_shape", kernel),
              i64ArrayAttr("strides", strides),
              i64ArrayAttr("dilations", dilations), i64ArrayAttr("pads", pads),
              i64Attr("ceil_mode", getInt("ceil_mode", 0))})));
  return success();
}

LogicalResult Importer::convertAveragePool(StringRef dsOp) {
  Value x = operand(0);
  RankedTensorType out = x ? outType(0) : nullptr;
  if (!out)
    return failure();
  FailureOr<size_t> n = spatialRank(x);
  if (failed(n))
    return failure();
  SmallVector<int64_t> kernel = getInts("kernel_shape", 0, 0);
  SmallVector<int64_t> strides = getInts("strides", *n, 1);
  SmallVector<int64_t> ones(*n, 1);
  SmallVector<int64_t> pads = getInts("pads", 2 * *n, 0);
  if (failed(checkSize("kernel_shape", kernel, *n)) ||
      failed(checkSize("strides", strides, *n)) ||
      failed(checkSize("pads", pads, 2 * *n)) ||
      failed(checkPositive("kernel_shape", kernel)) ||
      failed(checkPositive("strides", strides)) ||
      failed(resolveAutoPad(typeOf(x), kernel, strides, ones, pads)))
    return failure();
  setOutput(
      0, withDeferredAutoPad(create(
             dsOp, x, out,
             {i64ArrayAttr("kernel_shape", kernel),
              i64ArrayAttr("strides", strides), i64ArrayAttr("pads", pads),
              i64ArrayAttr("dilations", ones),
              i64Attr("ceil_mode", getInt("ceil_mode", 0)),
              i64Attr("count_include_pad", getInt("count_include_pad", 0))})));
  return success();
}

/// GlobalAveragePool / GlobalMaxPool: a reduction over the spatial dims.
LogicalResult Importer::convertGlobalPool(StringRef dsOp) {
  Value x = operand(0);
  RankedTensorType out = x ? outType(0) : nullptr;
  if (!out)
    return failure();
  FailureOr<size_t> n = spatialRank(x);
  if (failed(n))
    return failure();
  SmallVector<int64_t> axes;
  for (size_t i = 0; i < *n; ++i)
    axes.push_back(2 + i);
  setOutput(0, create(dsOp, x, out,
                      {i64ArrayAttr("axes", axes), i64Attr("keepdims", 1)}));
  return success();
}

LogicalResult Importer::convertBatchNorm(StringRef dsOp) {
  if (failed(requireUnused(1, "training statistics")))
    return failure();
  if (getInt("training_mode", 0) != 0)
    return fail("unsupported: training_mode = 1");
  if (getInt("spatial", 1) != 1)
    return fail("unimplemented: spatial = 0");
  SmallVector<Value> ops;
  for (size_t i = 0; i < 5; ++i) {
    ops.push_back(operand(i));
    if (!ops.back())
      return failure();
  }
  RankedTensorType out = outType(0);
  if (!out)
    return failure();
  setOutput(0, create(dsOp, ops, out,
                      {f64Attr("epsilon", getFloat("epsilon", 1e-5))}));
  return success();
}

LogicalResult Importer::convertLayerNorm(StringRef dsOp) {
  if (failed(requireUnused(1, "Mean/InvStdDev")))
    return failure();
  Value x = operand(0), scale = x ? operand(1) : Value();
  Value bias;
  if (scale && has(2) && !(bias = operand(2)))
    return failure();
  RankedTensorType out = scale ? outType(0) : nullptr;
  if (!out)
    return failure();
  FailureOr<int64_t> axis =
      normalizeAxis(getInt("axis", -1), typeOf(x).getRank());
  if (failed(axis))
    return failure();
  SmallVector<Value> ops = {x, scale};
  if (bias)
    ops.push_back(bias);
  setOutput(0, create(dsOp, ops, out,
                      {i64Attr("axis", *axis),
                       f64Attr("epsilon", getFloat("epsilon", 1e-5))}));
  return success();
}

/// Softmax-13 maps directly. Softmax-1/11 normalize over the dims from
/// `axis` on together: flatten to 2-D, softmax(axis = 1), reshape back.
LogicalResult Importer::convertSoftmax(StringRef dsOp) {
  Value x = operand(0);
  RankedTensorType out = x ? outType(0) : nullptr;
  if (!out)
    return failure();
  RankedTensorType type = typeOf(x);
  int64_t rank = type.getRank();
  bool coerced = graph.opsetVersion < 13;
  FailureOr<int64_t> axis =
      normalizeAxis(getInt("axis", coerced ? 1 : -1), rank);
  if (failed(axis))
    return failure();
  if (!coerced || *axis == rank - 1) {
    setOutput(0, create(dsOp, x, out, {i64Attr("axis", *axis)}));
    return success();
  }
  auto product = [&](size_t begin, size_t end) {
    int64_t p = 1;
    for (size_t i = begin; i < end; ++i) {
      if (type.isDynamicDim(i))
        return kDynamic;
      p *= type.getDimSize(i);
    }
    return p;
  };
  auto flatType = RankedTensorType::get(
      {product(0, *axis), product(*axis, rank)}, type.getElementType());
  Value flat = create("ds.flatten", x, flatType, {i64Attr("axis", *axis)});
  Value sm = create(dsOp, flat, flatType, {i64Attr("axis", 1)});
  SmallVector<Value> ops = {sm};
  if (!out.hasStaticShape())
    ops.push_back(create("ds.shape", x,
                         RankedTensorType::get({rank}, b.getI64Type()),
                         {i64Attr("start", 0), i64Attr("end", rank)}));
  setOutput(0, create("ds.reshape", ops, out, {i64Attr("allowzero", 0)}));
  return success();
}

/// Reduce*: axes from the attribute, or ReduceSum-13's constant input.
LogicalResult Importer::convertReduce(StringRef dsOp) {
  Value x = operand(0);
  RankedTensorType out = x ? outType(0) : nullptr;
  if (!out)
    return failure();
  SmallVector<int64_t> axes;
  bool axesInput = node->opType == "ReduceSum" && graph.opsetVersion >= 13;
  if (axesInput && has(1)) {
    FailureOr<SmallVector<int64_t>> v = constantInts(1, "the axes input");
    if (failed(v))
      return failure();
    axes = *v;
  } else if (!axesInput) {
    axes = getInts("axes", 0, 0);
  }
  if (axes.empty() && axesInput && getInt("noop_with_empty_axes", 0)) {
    setOutput(0, x);
    return success();
  }
  FailureOr<SmallVector<int64_t>> norm =
      normalizeAxes(axes, typeOf(x).getRank());
  if (failed(norm))
    return failure();
  setOutput(0, create(dsOp, x, out,
                      {i64ArrayAttr("axes", *norm),
                       i64Attr("keepdims", getInt("keepdims", 1))}));
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement and shapes
//===----------------------------------------------------------------------===//

/// The shape operand is dropped when the inferred result is static (the
/// result type is then the target).
LogicalResult Importer::convertReshape(StringRef dsOp) {
  Value x = operand(0);
  RankedTensorType out = x ? outType(0) : nullptr;
  if (!out)
    return failure();
  SmallVector<Value> ops = {x};
  if (!out.hasStaticShape()) {
    Value shape = operand(1);
    if (!shape)
      return failure();
    ops.push_back(shape);
  }
  setOutput(0, create(dsOp, ops, out,
                      {i64Attr("allowzero", getInt("allowzero", 0))}));
  return success();
}

LogicalResult Importer::convertFlatten(StringRef dsOp) {
  Value x = operand(0);
  RankedTensorType out = x ? outType(0) : nullptr;
  if (!out)
    return failure();
  int64_t rank = typeOf(x).getRank();
  int64_t axis = getInt("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis > rank)
    return fail("axis " + Twine(getInt("axis", 1)) +
                " is out of range for rank " + Twine(rank));
  setOutput(0, create(dsOp, x, out, {i64Attr("axis", axis)}));
  return success();
}

LogicalResult Importer::convertSqueeze(StringRef dsOp) {
  Value x = operand(0);
  RankedTensorType out = x ? outType(0) : nullptr;
  if (!out)
    return failure();
  RankedTensorType type = typeOf(x);
  SmallVector<int64_t> axes;
  if (graph.opsetVersion >= 13 && has(1)) {
    FailureOr<SmallVector<int64_t>> v = constantInts(1, "the axes input");
    if (failed(v))
      return failure();
    axes = *v;
  } else if (graph.opsetVersion < 13) {
    axes = getInts("axes", 0, 0);
  }
  if (axes.empty()) {
    // Every dim of size 1; a `?` might be one too, so the result rank decides.
    for (int64_t i = 0; i < type.getRank(); ++i)
      if (type.getDimSize(i) == 1)
        axes.push_back(i);
    if (int64_t(axes.size()) != type.getRank() - out.getRank())
      return fail("unimplemented: Squeeze without axes on an input with "
                  "dynamic dims");
  }
  FailureOr<SmallVector<int64_t>> norm = normalizeAxes(axes, type.getRank());
  if (failed(norm))
    return failure();
  setOutput(0, create(dsOp, x, out, {i64ArrayAttr("axes", *norm)}));
  return success();
}

LogicalResult Importer::convertUnsqueeze(StringRef dsOp) {
  Value x = operand(0);
  RankedTensorType out = x ? outType(0) : nullptr;
  if (!out)
    return failure();
  SmallVector<int64_t> axes;
  if (graph.opsetVersion >= 13) {
    FailureOr<SmallVector<int64_t>> v = constantInts(1, "the axes input");
    if (failed(v))
      return failure();
    axes = *v;
  } else {
    axes = getInts("axes", 0, 0);
  }
  FailureOr<SmallVector<int64_t>> norm =
      normalizeAxes(axes, typeOf(x).getRank() + int64_t(axes.size()));
  if (failed(norm))
    return failure();
  setOutput(0, create(dsOp, x, out, {i64ArrayAttr("axes", *norm)}));
  return success();
}

LogicalResult Importer::convertTranspose(StringRef dsOp) {
  Value x = operand(0);
  RankedTensorType out = x ? outType(0) : nullptr;
  if (!out)
    return failure();
  int64_t rank = typeOf(x).getRank();
  SmallVector<int64_t> perm;
  if (std::optional<SmallVector<int64_t>> p = getInts("perm"))
    perm = *p;
  else
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  setOutput(0, create(dsOp, x, out, {i64ArrayAttr("perm", perm)}));
  return success();
}

LogicalResult Importer::convertConcat(StringRef dsOp) {
  SmallVector<Value> ops;
  for (size_t i = 0; i < node->inputs.size(); ++i) {
    ops.push_back(operand(i));
    if (!ops.back())
      return failure();
  }
  RankedTensorType out = outType(0);
  if (!out || ops.empty())
    return failure();
  FailureOr<int64_t> axis =
      normalizeAxis(getInt("axis", 0), typeOf(ops.front()).getRank());
  if (failed(axis))
    return failure();
  setOutput(0, create(dsOp, ops, out, {i64Attr("axis", *axis)}));
  return success();
}

/// Slice-10+ inputs (axes and steps made explicit; constant axes
/// normalized); Slice-1 attributes become constants.
LogicalResult Importer::convertSlice(StringRef dsOp) {
  Value x = operand(0);
  RankedTensorType out = x ? outType(0) : nullptr;
  if (!out)
    return failure();
  int64_t rank = typeOf(x).getRank();
  Value starts, ends, axes, steps;
  if (graph.opsetVersion < 10) {
    SmallVector<int64_t> s = getInts("starts", 0, 0), e = getInts("ends", 0, 0);
    SmallVector<int64_t> a;
    for (size_t i = 0; i < s.size(); ++i)
      a.push_back(i);
    if (std::optional<SmallVector<int64_t>> given = getInts("axes"))
      a = *given;
    if (failed(checkSize("ends", e, s.size())) ||
        failed(checkSize("axes", a, s.size())))
      return failure();
    for (int64_t &v : a) {
      FailureOr<int64_t> n = normalizeAxis(v, rank);
      if (failed(n))
        return failure();
      v = *n;
    }
    starts = i64Constant(s);
    ends = i64Constant(e);
    axes = i64Constant(a);
    steps = i64Constant(SmallVector<int64_t>(s.size(), 1));
  } else {
    starts = operand(1);
    ends = starts ? operand(2) : Value();
    if (!ends)
      return failure();
    if (typeOf(starts).getRank() != 1)
      return fail("starts must be 1-D");
    int64_t n = typeOf(starts).getDimSize(0);
    // With a run-time length, the default axes and steps are computed from
    // it (ds-static-shapes folds them once the length is bound).
    Value length, lengthScalar;
    if (n == kDynamic) {
      auto i64 = b.getI64Type();
      length = create("ds.shape", starts, RankedTensorType::get({1}, i64),
                      {i64Attr("start", 0), i64Attr("end", 1)});
      lengthScalar =
          create("ds.reshape", length, RankedTensorType::get({}, i64));
    }
    auto scalar = [&](int64_t v) {
      return constant(
          DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()), v));
    };
    auto dynamic1D = RankedTensorType::get({kDynamic}, b.getI64Type());
    if (has(3)) {
      if (const imp::Tensor *t = constantInput(3)) {
        std::optional<SmallVector<int64_t>> a = tensorInts(*t);
        if (!a)
          return fail("axes must be integers");
        for (int64_t &v : *a) {
          FailureOr<int64_t> norm = normalizeAxis(v, rank);
          if (failed(norm))
            return failure();
          v = *norm;
        }
        axes = i64Constant(*a);
      } else if (!(axes = operand(3))) {
        return failure();
      }
    } else if (length) {
      axes =
          create("ds.range", {scalar(0), lengthScalar, scalar(1)}, dynamic1D);
    } else {
      SmallVector<int64_t> a;
      for (int64_t i = 0; i < n; ++i)
        a.push_back(i);
      axes = i64Constant(a);
    }
    if (has(4)) {
      if (!(steps = operand(4)))
        return failure();
    } else if (length) {
      steps =
          create("ds.constant_of_shape", length, dynamic1D,
                 {b.getNamedAttr("value",
                                 DenseElementsAttr::get(
                                     RankedTensorType::get({1}, b.getI64Type()),
                                     int64_t(1)))});
    } else {
      steps = i64Constant(SmallVector<int64_t>(n, 1));
    }
  }
  SmallVector<Value> ops = {x};
  for (Value v : {starts, ends, axes, steps}) {
    if (!typeOf(v).getElementType().isInteger(64))
      v = create("ds.cast", v, typeOf(v).clone(b.getI64Type()));
    ops.push_back(v);
  }
  setOutput(0, create(dsOp, ops, out));
  return success();
}

/// Split becomes one `ds.slice` per output.
LogicalResult Importer::convertSplit(StringRef dsOp) {
  Value x = operand(0);
  if (!x)
    return failure();
  RankedTensorType type = typeOf(x);
  FailureOr<int64_t> axis = normalizeAxis(getInt("axis", 0), type.getRank());
  if (failed(axis))
    return failure();
  size_t numOutputs = node->outputs.size();
  SmallVector<int64_t> sizes;
  if (graph.opsetVersion >= 13 && has(1)) {
    FailureOr<SmallVector<int64_t>> v = constantInts(1, "the split input");
    if (failed(v))
      return failure();
    sizes = *v;
  } else if (graph.opsetVersion < 13) {
    sizes = getInts("split", 0, 0);
  }
  if (sizes.empty()) {
    int64_t dim = type.getDimSize(*axis);
    for (size_t i = 0; i < numOutputs; ++i) {
      RankedTensorType t = outType(i);
      if (!t)
        return failure();
      int64_t size = t.getDimSize(*axis);
      if (size == kDynamic && dim != kDynamic && dim % numOutputs == 0)
        size = dim / numOutputs;
      if (size == kDynamic)
        return fail("unimplemented: an equal Split of a dynamic dim");
      sizes.push_back(size);
    }
  }
  if (failed(checkSize("split", sizes, numOutputs)))
    return failure();
  int64_t offset = 0;
  for (size_t i = 0; i < numOutputs; ++i) {
    int64_t begin = offset;
    offset += sizes[i];
    if (node->outputs[i].empty())
      continue;
    RankedTensorType out = outType(i);
    if (!out)
      return failure();
    setOutput(i, create(dsOp,
                        {x, i64Constant({begin}), i64Constant({offset}),
                         i64Constant({*axis}), i64Constant({1})},
                        out));
  }
  return success();
}

LogicalResult Importer::convertGather(StringRef dsOp) {
  Value data = operand(0), indices = data ? operand(1) : Value();
  RankedTensorType out = indices ? outType(0) : nullptr;
  if (!out)
    return failure();
  FailureOr<int64_t> axis =
      normalizeAxis(getInt("axis", 0), typeOf(data).getRank());
  if (failed(axis))
    return failure();
  setOutput(0, create(dsOp, {data, indices}, out, {i64Attr("axis", *axis)}));
  return success();
}

/// Pad-11+ inputs; Pad-2 attributes become constants.
LogicalResult Importer::convertPad(StringRef dsOp) {
  Value x = operand(0);
  RankedTensorType out = x ? outType(0) : nullptr;
  if (!out)
    return failure();
  std::string mode = getString("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return fail("unsupported pad mode '" + mode + "'");
  SmallVector<Value> ops = {x};
  if (graph.opsetVersion < 11) {
    SmallVector<int64_t> pads = getInts("pads", 0, 0);
    if (failed(checkSize("pads", pads, 2 * typeOf(x).getRank())))
      return failure();
    ops.push_back(i64Constant(pads));
    double value = getFloat("value", 0.0);
    if (value != 0.0)
      ops.push_back(scalarConstant(value, out.getElementType()));
  } else {
    Value pads = operand(1);
    if (!pads)
      return failure();
    ops.push_back(pads);
    if (has(2)) {
      Value value = operand(2);
      if (!value)
        return failure();
      ops.push_back(value);
    }
  }
  setOutput(0, create(dsOp, ops, out, {strAttr("mode", mode)}));
  return success();
}

/// Resize-10 (scales) and -11/13 (roi ignored, scales or sizes; an empty
/// tensor counts as absent).
LogicalResult Importer::convertResize(StringRef dsOp) {
  Value x = operand(0);
  RankedTensorType out = x ? outType(0) : nullptr;
  if (!out)
    return failure();
  std::string mode = getString("mode", "nearest");
  std::string coord = "asymmetric", nearest = "floor";
  size_t scalesIndex = 1, sizesIndex = 0;
  if (graph.opsetVersion >= 11) {
    coord = getString("coordinate_transformation_mode", "half_pixel");
    nearest = getString("nearest_mode", "round_prefer_floor");
    scalesIndex = 2;
    sizesIndex = 3;
  }
  if (mode != "nearest" && mode != "linear")
    return fail("unimplemented: Resize mode '" + mode + "'");
  if (coord == "tf_crop_and_resize")
    return fail("unimplemented: coordinate_transformation_mode '" + coord +
                "'");
  auto present = [&](size_t i) -> FailureOr<Value> {
    if (i == 0 || !has(i))
      return Value();
    if (const imp::Tensor *t = constantInput(i))
      if (t->numElements() == 0)
        return Value();
    Value v = operand(i);
    if (!v)
      return failure();
    if (typeOf(v).getRank() == 1 && typeOf(v).getDimSize(0) == 0)
      return Value();
    return v;
  };
  FailureOr<Value> scales = present(scalesIndex);
  if (failed(scales))
    return failure();
  FailureOr<Value> sizes = present(sizesIndex);
  if (failed(sizes))
    return failure();
  if (!*scales && !*sizes)
    return fail("Resize needs scales or sizes");
  setOutput(0, createResize(x, *scales, *sizes, out, mode, coord, nearest));
  return success();
}

/// Upsample-7 (scales attribute) and -9 (scales input): Resize with
/// asymmetric coordinates and floor rounding.
LogicalResult Importer::convertUpsample(StringRef) {
  Value x = operand(0);
  RankedTensorType out = x ? outType(0) : nullptr;
  if (!out)
    return failure();
  std::string mode = getString("mode", "nearest");
  if (mode == "bilinear")
    mode = "linear";
  if (mode != "nearest" && mode != "linear")
    return fail("unimplemented: Upsample mode '" + mode + "'");
  Value scales;
  if (graph.opsetVersion < 9) {
    const auto *v = node->getAttr<std::vector<float>>("scales");
    if (!v)
      return fail("missing attribute 'scales'");
    auto type = RankedTensorType::get({int64_t(v->size())}, b.getF32Type());
    scales = constant(DenseElementsAttr::get(type, ArrayRef<float>(*v)));
  } else if (!(scales = operand(1))) {
    return failure();
  }
  setOutput(0,
            createResize(x, scales, Value(), out, mode, "asymmetric", "floor"));
  return success();
}

LogicalResult Importer::convertShape(StringRef dsOp) {
  Value x = operand(0);
  RankedTensorType out = x ? outType(0) : nullptr;
  if (!out)
    return failure();
  int64_t rank = typeOf(x).getRank();
  auto clampIndex = [&](int64_t v) {
    if (v < 0)
      v += rank;
    return std::clamp<int64_t>(v, 0, rank);
  };
  int64_t start = clampIndex(getInt("start", 0));
  int64_t end = clampIndex(getInt("end", rank));
  setOutput(
      0, create(dsOp, x, out, {i64Attr("start", start), i64Attr("end", end)}));
  return success();
}

LogicalResult Importer::convertConstantOfShape(StringRef dsOp) {
  Value shape = operand(0);
  RankedTensorType out = shape ? outType(0) : nullptr;
  if (!out)
    return failure();
  DenseElementsAttr value;
  if (const imp::Tensor *t = node->getAttr<imp::Tensor>("value")) {
    if (t->numElements() != 1)
      return fail("the value attribute must hold one element");
    Type elem = elementType(t->dtype);
    if (!elem)
      return fail(Twine("unsupported element type ") +
                  imp::onnxDTypeName(t->dtype) + " of the value attribute");
    value = denseAttr(RankedTensorType::get({1}, elem), *t);
  } else {
    value = DenseElementsAttr::get(RankedTensorType::get({1}, b.getF32Type()),
                                   0.0f);
  }
  setOutput(0, create(dsOp, shape, out, {b.getNamedAttr("value", value)}));
  return success();
}

LogicalResult Importer::convertTrilu(StringRef dsOp) {
  Value x = operand(0);
  Value k;
  if (x && has(1) && !(k = operand(1)))
    return failure();
  RankedTensorType out = x ? outType(0) : nullptr;
  if (!out)
    return failure();
  SmallVector<Value> ops = {x};
  if (k)
    ops.push_back(k);
  setOutput(0, create(dsOp, ops, out, {i64Attr("upper", getInt("upper", 1))}));
  return success();
}

//===----------------------------------------------------------------------===//
// Removed ops and constants
//===----------------------------------------------------------------------===//

LogicalResult Importer::convertIdentity(StringRef) {
  Value x = operand(0);
  if (!x)
    return failure();
  setOutput(0, x);
  return success();
}

/// Inference-mode Dropout is the identity; its mask is not supported.
LogicalResult Importer::convertDropout(StringRef) {
  if (failed(requireUnused(1, "mask")))
    return failure();
  if (const imp::Tensor *t = constantInput(2)) {
    std::optional<SmallVector<double>> v = tensorDoubles(*t);
    if (v && !v->empty() && v->front() != 0)
      return fail("unsupported: training_mode = true");
  }
  return convertIdentity("");
}

/// Registers the value; it is materialized where first used.
LogicalResult Importer::convertConstant(StringRef) {
  if (node->outputs.empty() || node->outputs[0].empty())
    return success();
  const std::string &name = node->outputs[0];
  const imp::Tensor *tensor = node->getAttr<imp::Tensor>("value");
  if (!tensor) {
    imp::Tensor t;
    t.name = name;
    auto put = [&](const void *data, size_t bytes) {
      t.bytes.assign(static_cast<const char *>(data), bytes);
    };
    if (const float *f = node->getAttr<float>("value_float")) {
      t.dtype = imp::OnnxDType::Float;
      put(f, sizeof(float));
    } else if (const auto *fs =
                   node->getAttr<std::vector<float>>("value_floats")) {
      t.dtype = imp::OnnxDType::Float;
      t.dims = {int64_t(fs->size())};
      put(fs->data(), fs->size() * sizeof(float));
    } else if (const int64_t *i = node->getAttr<int64_t>("value_int")) {
      t.dtype = imp::OnnxDType::Int64;
      put(i, sizeof(int64_t));
    } else if (const auto *is =
                   node->getAttr<std::vector<int64_t>>("value_ints")) {
      t.dtype = imp::OnnxDType::Int64;
      t.dims = {int64_t(is->size())};
      put(is->data(), is->size() * sizeof(int64_t));
    } else if (node->attributes.count("value_string") ||
               node->attributes.count("value_strings")) {
      return fail("unsupported element type string of '" + name + "'");
    } else {
      return fail("unsupported Constant form (sparse_value)");
    }
    ownedTensors.push_back(std::move(t));
    tensor = &ownedTensors.back();
  }
  constants.insert_or_assign(
      name, ConstantSource{name, tensor, loc, "node '" + node->name + "'"});
  return success();
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

/// One diagnostic for all unsupported ops: type, count, first node.
LogicalResult Importer::checkSupportedOps() {
  struct Unsupported {
    int count = 0;
    std::string first;
  };
  std::map<std::string, Unsupported> unsupported;
  for (const imp::Node &n : graph.nodes) {
    if (findConversion(n))
      continue;
    std::string key = n.domain.empty() ? n.opType : n.domain + "." + n.opType;
    Unsupported &u = unsupported[key];
    if (u.count++ == 0)
      u.first = n.name;
  }
  if (unsupported.empty())
    return success();
  InFlightDiagnostic diag = emitError(modelLoc) << "unsupported ONNX ops: ";
  bool firstEntry = true;
  for (const auto &[op, u] : unsupported) {
    diag << (firstEntry ? "" : ", ") << op << " (" << u.count << ", first '"
         << u.first << "')";
    firstEntry = false;
  }
  return failure();
}

/// Every input names an earlier value (the ONNX checker says so too; this
/// keeps the importer safe on its own).
LogicalResult Importer::checkDefinedValues() {
  llvm::StringSet<> defined;
  for (const imp::ValueInfo &in : graph.inputs)
    defined.insert(in.name);
  for (const imp::Tensor &t : graph.initializers)
    defined.insert(t.name);
  for (const auto &[i, n] : llvm::enumerate(graph.nodes)) {
    for (const std::string &in : n.inputs) {
      if (in.empty())
        continue;
      used.insert(in);
      if (!defined.contains(in))
        return emitError(nodeLoc(i, n.name))
               << "input '" << in << "' is not produced by an earlier node, "
               << "an initializer or a graph input (node '" << n.name << "')";
    }
    for (const std::string &out : n.outputs)
      if (!out.empty())
        defined.insert(out);
  }
  for (const imp::ValueInfo &out : graph.outputs) {
    used.insert(out.name);
    if (!defined.contains(out.name))
      return emitError(modelLoc)
             << "graph output '" << out.name << "' is never produced";
  }
  return success();
}

/// Runs the verifier and re-emits its errors with the ONNX node named.
LogicalResult Importer::verifyNamingNodes(ModuleOp module) {
  struct Captured {
    Location loc;
    std::string message;
    SmallVector<std::pair<Location, std::string>> notes;
  };
  std::vector<Captured> captured;
  LogicalResult result = success();
  {
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &d) {
      Captured c{d.getLocation(), d.str(), {}};
      for (Diagnostic &note : d.getNotes())
        c.notes.emplace_back(note.getLocation(), note.str());
      captured.push_back(std::move(c));
      return success();
    });
    result = verify(module);
  }
  for (Captured &c : captured) {
    InFlightDiagnostic diag = emitError(c.loc) << c.message;
    if (auto name = dyn_cast<NameLoc>(c.loc)) {
      auto file = dyn_cast<FileLineColLoc>(name.getChildLoc());
      diag << " (" << (file && file.getLine() ? "node" : "value") << " '"
           << name.getName().getValue() << "')";
    }
    for (auto &[noteLoc, text] : c.notes)
      diag.attachNote(noteLoc) << text;
  }
  return result;
}

FailureOr<OwningOpRef<ModuleOp>> Importer::run() {
  if (failed(checkSupportedOps()) || failed(checkDefinedValues()))
    return failure();

  OwningOpRef<ModuleOp> module = ModuleOp::create(modelLoc);
  b.setInsertionPointToEnd(module->getBody());

  // Arguments: graph inputs that are not initializers.
  SmallVector<Type> argTypes;
  where = "graph input";
  for (const imp::ValueInfo &in : graph.inputs) {
    RankedTensorType t = valueType(in.name, "graph input");
    if (!t)
      return failure();
    argTypes.push_back(t);
  }
  where.clear();
  auto func = func::FuncOp::create(b, modelLoc, "main",
                                   b.getFunctionType(argTypes, {}));
  Block *entry = &func.getBody().emplaceBlock();
  for (const auto &[i, in] : llvm::enumerate(graph.inputs)) {
    values[in.name] = entry->addArgument(argTypes[i], valueLoc(in.name));
    func.setArgAttr(i, "ds.name", b.getStringAttr(in.name));
    if (!cast<RankedTensorType>(argTypes[i]).hasStaticShape()) {
      SmallVector<Attribute> dims;
      for (const imp::Dim &d : in.type.dims)
        dims.push_back(b.getStringAttr(d.isStatic() ? "" : d.param));
      func.setArgAttr(i, "ds.dims", b.getArrayAttr(dims));
    }
  }
  for (const imp::Tensor &t : graph.initializers)
    if (!values.count(t.name))
      constants.insert_or_assign(
          t.name, ConstantSource{t.name, &t, valueLoc(t.name), "initializer"});

  b.setInsertionPointToEnd(entry);
  for (const auto &[i, n] : llvm::enumerate(graph.nodes)) {
    node = &n;
    loc = nodeLoc(i, n.name);
    const OpConversion *conversion = findConversion(n);
    if (failed((this->*conversion->convert)(conversion->dsOp)))
      return failure();
  }
  node = nullptr;
  loc = modelLoc;

  SmallVector<Value> results;
  for (const imp::ValueInfo &out : graph.outputs) {
    Value v = lookup(out.name);
    if (!v)
      return failure();
    results.push_back(v);
  }
  func::ReturnOp::create(b, modelLoc, results);
  func.setType(b.getFunctionType(argTypes, ValueRange(results).getTypes()));
  for (const auto &[i, out] : llvm::enumerate(graph.outputs))
    func.setResultAttr(i, "ds.name", b.getStringAttr(out.name));

  if (failed(verifyNamingNodes(*module)))
    return failure();
  return module;
}

LogicalResult Importer::writeWeights(const std::string &path) {
  std::vector<rt::SafeTensorToWrite> tensors;
  for (const ConstantSource *w : weights) {
    rt::SafeTensorToWrite t;
    t.name = w->name;
    t.type.dtype = *toRuntimeDType(w->tensor->dtype);
    t.type.shape = w->tensor->dims;
    t.data = w->tensor->bytes.data();
    tensors.push_back(std::move(t));
  }
  rt::Status st = rt::writeSafeTensors(path, tensors);
  if (!st)
    return emitError(modelLoc) << "cannot write the weights: " << st.message();
  return success();
}

} // namespace

FailureOr<OwningOpRef<ModuleOp>>
mlir::ds::importOnnxModel(const std::string &onnxPath, MLIRContext &context,
                          const OnnxImportOptions &options) {
  context.getOrLoadDialect<DSDialect>();
  context.getOrLoadDialect<func::FuncDialect>();
  Location fileLoc = FileLineColLoc::get(&context, onnxPath, 0, 0);

  rt::StatusOr<imp::Graph> graph =
      imp::readOnnxModel(onnxPath, options.forceDynamic);
  if (!graph) {
    emitError(fileLoc) << graph.status().message();
    return failure();
  }

  Importer importer(context, *graph, onnxPath, options);
  FailureOr<OwningOpRef<ModuleOp>> module = importer.run();
  if (failed(module))
    return failure();

  std::string weightsPath = options.weightsPath;
  if (weightsPath.empty()) {
    SmallString<256> path(onnxPath);
    llvm::sys::path::replace_extension(path, "safetensors");
    weightsPath = path.str().str();
  }
  if (failed(importer.writeWeights(weightsPath)))
    return failure();
  if (llvm::sys::fs::exists(weightsPath))
    setWeightFiles(**module, {weightsPath});
  return module;
}
