//===- DSOps.cpp - ds dialect operations ----------------------------------===//
//
// Verifiers, folders and builders of the ds ops. Each check carries the tag of
// the rule it implements (see DSOps.td).
//
//===----------------------------------------------------------------------===//

#include "dialects/DS/DSOps.h"
#include "dialects/DS/DSTypeInference.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::ds;

static std::string typeToString(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  type.print(os);
  return s;
}

static LogicalResult verifyVector(Operation *op, Value v, StringRef name,
                                  int64_t size);

//===----------------------------------------------------------------------===//
// Broadcasting binary ops
//===----------------------------------------------------------------------===//

LogicalResult mlir::ds::verifyBroadcastBinaryOp(Operation *op) {
  auto lhs = cast<RankedTensorType>(op->getOperand(0).getType());
  auto rhs = cast<RankedTensorType>(op->getOperand(1).getType());
  auto result = cast<RankedTensorType>(op->getResult(0).getType());
  // binary_c3
  bool i1Result = op->hasTrait<OpTrait::I1Result>();
  if (lhs.getElementType() != rhs.getElementType() ||
      (!i1Result && lhs.getElementType() != result.getElementType()))
    return op->emitOpError("requires the same element type for operands and "
                           "result, got ")
           << lhs.getElementType() << ", " << rhs.getElementType() << " -> "
           << result.getElementType();
  std::string error;
  // binary_c1
  FailureOr<SmallVector<int64_t>> shape =
      inferBroadcastShape(lhs.getShape(), rhs.getShape(), error);
  if (failed(shape))
    return op->emitOpError() << error;
  // binary_c2
  if (!areShapesCompatible(*shape, result.getShape()))
    return op->emitOpError("result shape ")
           << shapeToString(result.getShape())
           << " differs from the broadcast shape " << shapeToString(*shape);
  return success();
}

//===----------------------------------------------------------------------===//
// WeightOp
//===----------------------------------------------------------------------===//

LogicalResult WeightOp::verify() {
  // weight_c1
  if (getName().empty())
    return emitOpError("requires a non-empty weight name");
  // weight_c2
  if (!getType().hasStaticShape())
    return emitOpError("requires a static shape, got ") << getType();
  return success();
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::verify() {
  // constant_c1
  if (getValue().getType() != getType())
    return emitOpError("value type ")
           << getValue().getType() << " differs from the result type "
           << getType();
  return success();
}

LogicalResult
ConstantOp::inferReturnTypes(MLIRContext *, std::optional<Location>, ValueRange,
                             DictionaryAttr, OpaqueProperties properties,
                             RegionRange,
                             SmallVectorImpl<Type> &inferredReturnTypes) {
  auto *props = properties.as<Properties *>();
  if (!props || !props->value)
    return failure();
  inferredReturnTypes.push_back(props->value.getType());
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// GeluOp
//===----------------------------------------------------------------------===//

LogicalResult GeluOp::verify() {
  // gelu_c1
  if (getApproximate() != "none" && getApproximate() != "tanh")
    return emitOpError("approximate must be \"none\" or \"tanh\", got \"")
           << getApproximate() << "\"";
  return success();
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::verify() {
  RankedTensorType lhs = getLhs().getType(), rhs = getRhs().getType();
  RankedTensorType result = getResult().getType();
  // matmul_c1
  if (lhs.getRank() < 1 || rhs.getRank() < 1)
    return emitOpError("requires operands of rank >= 1");
  // matmul_c5
  if (lhs.getElementType() != rhs.getElementType() ||
      lhs.getElementType() != result.getElementType())
    return emitOpError("requires the same element type for operands and "
                       "result, got ")
           << lhs.getElementType() << ", " << rhs.getElementType() << " -> "
           << result.getElementType();
  // matmul_c2, matmul_c3
  std::string error;
  FailureOr<SmallVector<int64_t>> shape =
      inferMatmulShape(lhs.getShape(), rhs.getShape(), error);
  if (failed(shape))
    return emitOpError() << error;
  // matmul_c4
  if (!areShapesCompatible(*shape, result.getShape()))
    return emitOpError("result shape ")
           << shapeToString(result.getShape())
           << " differs from the inferred shape " << shapeToString(*shape);
  return success();
}

//===----------------------------------------------------------------------===//
// DequantizeInt4Op
//===----------------------------------------------------------------------===//

LogicalResult DequantizeInt4Op::verify() {
  auto packed = cast<RankedTensorType>(getPacked().getType());
  auto scales = cast<RankedTensorType>(getScales().getType());
  RankedTensorType result = getResult().getType();
  // dequantize_int4_c3
  int64_t group = getGroupSize();
  if (group < 2)
    return emitOpError("requires group_size >= 2, got ") << group;
  // dequantize_int4_c1
  if (result.getRank() != 2 || !result.hasStaticShape())
    return emitOpError("requires a static 2-D result, got ") << result;
  int64_t k = result.getDimSize(0), n = result.getDimSize(1);
  SmallVector<int64_t> packedShape = {n, (k + 1) / 2};
  if (packed.getShape() != ArrayRef<int64_t>(packedShape))
    return emitOpError("requires packed of shape ")
           << shapeToString(packedShape) << " for a " << shapeToString({k, n})
           << " result, got " << shapeToString(packed.getShape());
  // dequantize_int4_c2
  SmallVector<int64_t> groupShape = {n, (k + group - 1) / group};
  for (Value v : {getScales(), getZeros()}) {
    if (!v)
      continue;
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getShape() != ArrayRef<int64_t>(groupShape))
      return emitOpError("requires ")
             << (v == getScales() ? "scales" : "zeros") << " of shape "
             << shapeToString(groupShape) << ", got "
             << shapeToString(t.getShape());
  }
  (void)scales;
  return success();
}

//===----------------------------------------------------------------------===//
// SoftmaxOp
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxOp::verify() {
  int64_t rank = getInput().getType().getRank();
  // softmax_c1
  int64_t axis = getSignedAxis();
  if (axis < -rank || axis >= rank)
    return emitOpError("axis ") << axis << " is out of range for rank " << rank;
  return success();
}

//===----------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  RankedTensorType in = getInput().getType(), out = getResult().getType();
  // reshape_c1
  if (in.getElementType() != out.getElementType())
    return emitOpError("requires the same element type, got ")
           << in.getElementType() << " -> " << out.getElementType();
  // reshape_c3
  if (getShape() &&
      failed(verifyVector(*this, getShape(), "shape", out.getRank())))
    return failure();
  // reshape_c2
  if (in.hasStaticShape() && out.hasStaticShape() &&
      in.getNumElements() != out.getNumElements())
    return emitOpError("cannot reshape ")
           << in.getNumElements() << " elements (" << typeToString(in)
           << ") into " << out.getNumElements() << " (" << typeToString(out)
           << ")";
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  // A static target makes the shape operand redundant.
  if (getShape() && getType().hasStaticShape()) {
    getShapeMutable().clear();
    return getResult();
  }
  if (getShape())
    return {};
  if (getInput().getType() == getType())
    return getInput();
  // reshape(reshape(x)) -> reshape(x)
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(producer.getInput());
    return getResult();
  }
  if (auto value = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    return value.reshape(getType());
  return {};
}

//===----------------------------------------------------------------------===//
// TransposeOp
//===----------------------------------------------------------------------===//

LogicalResult TransposeOp::verify() {
  RankedTensorType in = getInput().getType(), out = getResult().getType();
  // transpose_c3
  if (in.getElementType() != out.getElementType())
    return emitOpError("requires the same element type, got ")
           << in.getElementType() << " -> " << out.getElementType();
  // transpose_c1
  std::string error;
  FailureOr<SmallVector<int64_t>> shape =
      inferTransposeShape(in.getShape(), getPerm(), error);
  if (failed(shape))
    return emitOpError() << error;
  // transpose_c2
  if (!areShapesCompatible(*shape, out.getShape()))
    return emitOpError("result shape ")
           << shapeToString(out.getShape())
           << " differs from the permuted shape " << shapeToString(*shape);
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> perm = getPerm();
  bool identity = true;
  for (auto [i, p] : llvm::enumerate(perm))
    identity &= static_cast<int64_t>(i) == p;
  if (identity && getInput().getType() == getType())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

/// Checks the result shape against an inferred one (`?` matches anything).
static LogicalResult verifyResultShape(Operation *op,
                                       ArrayRef<int64_t> inferred,
                                       StringRef what = "inferred") {
  auto result = cast<RankedTensorType>(op->getResult(0).getType());
  if (!areShapesCompatible(inferred, result.getShape()))
    return op->emitOpError("result shape ")
           << shapeToString(result.getShape()) << " differs from the " << what
           << " shape " << shapeToString(inferred);
  return success();
}

/// Sliding-window outputs must have at least one position.
static LogicalResult verifyWindowFits(Operation *op, ArrayRef<int64_t> shape) {
  for (size_t i = 2; i < shape.size(); ++i)
    if (!ShapedType::isDynamic(shape[i]) && shape[i] < 1)
      return op->emitOpError("the window does not fit: spatial dim ")
             << i - 2 << " of the output would be " << shape[i];
  return success();
}

/// Checks the result shape against the op's shape function (the one
/// ds-static-shapes runs, DSShapeInference.cpp), so the two never disagree.
/// Sliding-window ops also check that the window fits.
static LogicalResult verifyInferredShape(Operation *op, bool windowed = false) {
  SmallVector<int64_t> shape;
  std::string error;
  if (failed(inferResultShape(op, {}, shape, error)))
    return op->emitOpError() << error;
  if (windowed && failed(verifyWindowFits(op, shape)))
    return failure();
  return verifyResultShape(op, shape);
}

static LogicalResult verifySameElementType(Operation *op, Type a, Type b) {
  Type ea = cast<ShapedType>(a).getElementType();
  Type eb = cast<ShapedType>(b).getElementType();
  if (ea != eb)
    return op->emitOpError("requires the same element type, got ")
           << ea << " and " << eb;
  return success();
}

/// Verifies a list of axes: unique, in [0, rank).
static LogicalResult verifyAxes(Operation *op, ArrayRef<int64_t> axes,
                                int64_t rank, StringRef name = "axes") {
  SmallVector<bool> seen(rank, false);
  for (int64_t a : axes) {
    if (a < 0 || a >= rank)
      return op->emitOpError() << name << " entry " << a
                               << " is out of range [0, " << rank << ")";
    if (seen[a])
      return op->emitOpError() << name << " entry " << a << " is repeated";
    seen[a] = true;
  }
  return success();
}

static int64_t mulDims(int64_t a, int64_t b) {
  if (ShapedType::isDynamic(a) || ShapedType::isDynamic(b))
    return ShapedType::kDynamic;
  return a * b;
}

//===----------------------------------------------------------------------===//
// Elementwise with attributes
//===----------------------------------------------------------------------===//

LogicalResult ClipOp::verify() {
  // clip_c1
  if (getMin().convertToDouble() > getMax().convertToDouble())
    return emitOpError("min ")
           << getMin().convertToDouble() << " is greater than max "
           << getMax().convertToDouble();
  return success();
}

LogicalResult CastOp::verify() {
  // cast_c1
  if (!areShapesCompatible(getInput().getType().getShape(),
                           getType().getShape()))
    return emitOpError("operand shape ")
           << shapeToString(getInput().getType().getShape())
           << " differs from the result shape "
           << shapeToString(getType().getShape());
  return success();
}

OpFoldResult CastOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

LogicalResult WhereOp::verify() {
  auto c = cast<RankedTensorType>(getCondition().getType());
  auto x = cast<RankedTensorType>(getLhs().getType());
  auto y = cast<RankedTensorType>(getRhs().getType());
  // where_c3
  if (x.getElementType() != y.getElementType() ||
      x.getElementType() != getType().getElementType())
    return emitOpError("requires the same element type for x, y and the "
                       "result, got ")
           << x.getElementType() << ", " << y.getElementType() << " -> "
           << getType().getElementType();
  // where_c1
  std::string error;
  FailureOr<SmallVector<int64_t>> xy =
      inferBroadcastShape(x.getShape(), y.getShape(), error);
  if (failed(xy))
    return emitOpError() << error;
  FailureOr<SmallVector<int64_t>> all =
      inferBroadcastShape(c.getShape(), *xy, error);
  if (failed(all))
    return emitOpError() << error;
  // where_c2
  return verifyResultShape(*this, *all, "broadcast");
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

static LogicalResult verifyWindowAttrs(Operation *op, int64_t k,
                                       ArrayRef<int64_t> strides,
                                       ArrayRef<int64_t> pads,
                                       ArrayRef<int64_t> dilations) {
  if (static_cast<int64_t>(strides.size()) != k ||
      static_cast<int64_t>(dilations.size()) != k ||
      static_cast<int64_t>(pads.size()) != 2 * k)
    return op->emitOpError("expects ")
           << k << " strides and dilations and " << 2 * k << " pads, got "
           << strides.size() << ", " << dilations.size() << " and "
           << pads.size();
  for (int64_t i = 0; i < k; ++i)
    if (strides[i] < 1 || dilations[i] < 1)
      return op->emitOpError("strides and dilations must be >= 1");
  for (int64_t p : pads)
    if (p < 0)
      return op->emitOpError("pads must be >= 0");
  return success();
}

/// `auto_pad` is only kept in its SAME forms (the importer resolves the
/// others); `output_shape` has one entry per spatial dim.
static LogicalResult verifyAutoPad(Operation *op, int64_t k) {
  if (auto a = op->getAttrOfType<StringAttr>("auto_pad"))
    if (a.getValue() != "SAME_UPPER" && a.getValue() != "SAME_LOWER")
      return op->emitOpError("auto_pad must be SAME_UPPER or SAME_LOWER, got '")
             << a.getValue() << "'";
  if (auto o = op->getAttrOfType<DenseI64ArrayAttr>("output_shape"))
    if (o.size() != k)
      return op->emitOpError("expects ") << k << " output_shape entries";
  return success();
}

LogicalResult ConvOp::verify() {
  RankedTensorType in = getInput().getType(), w = getWeight().getType();
  int64_t rank = in.getRank();
  // conv_c1
  if (rank < 3 || w.getRank() != rank)
    return emitOpError("expects input and weight of the same rank >= 3, got ")
           << rank << " and " << w.getRank();
  if (getBias() && getBias().getType().getRank() != 1)
    return emitOpError("expects a 1-D bias");
  // conv_c5
  if (getBias() &&
      failed(verifySameElementType(*this, in, getBias().getType())))
    return failure();
  if (failed(verifySameElementType(*this, in, w)) ||
      failed(verifySameElementType(*this, in, getType())))
    return failure();
  int64_t k = rank - 2;
  // conv_c2
  if (failed(
          verifyWindowAttrs(*this, k, getStrides(), getPads(), getDilations())))
    return failure();
  // conv_c3
  int64_t group = static_cast<int64_t>(getGroup());
  int64_t c = in.getDimSize(1), m = w.getDimSize(0), wc = w.getDimSize(1);
  if (group < 1)
    return emitOpError("group must be >= 1, got ") << group;
  if (!ShapedType::isDynamic(c) && !ShapedType::isDynamic(wc) &&
      c != wc * group)
    return emitOpError("input has ")
           << c << " channels, weight expects " << wc << " x group " << group;
  if (!ShapedType::isDynamic(m) && m % group != 0)
    return emitOpError("group ")
           << group << " does not divide " << m << " output channels";
  if (getBias() && !areDimsCompatible(getBias().getType().getDimSize(0), m))
    return emitOpError("bias has ")
           << getBias().getType().getDimSize(0) << " entries, expected " << m;
  // conv_c6
  if (failed(verifyAutoPad(*this, k)))
    return failure();
  // conv_c4
  return verifyInferredShape(*this, /*windowed=*/true);
}

LogicalResult ConvTransposeOp::verify() {
  RankedTensorType in = getInput().getType(), w = getWeight().getType();
  int64_t rank = in.getRank();
  // conv_transpose_c1
  if (rank < 3 || w.getRank() != rank)
    return emitOpError("expects input and weight of the same rank >= 3, got ")
           << rank << " and " << w.getRank();
  int64_t k = rank - 2;
  // conv_transpose_c2
  if (failed(
          verifyWindowAttrs(*this, k, getStrides(), getPads(), getDilations())))
    return failure();
  if (static_cast<int64_t>(getOutputPadding().size()) != k)
    return emitOpError("expects ") << k << " output_padding entries";
  // conv_transpose_c3
  int64_t group = static_cast<int64_t>(getGroup());
  if (group < 1)
    return emitOpError("group must be >= 1, got ") << group;
  if (!ShapedType::isDynamic(in.getDimSize(1)) && in.getDimSize(1) % group != 0)
    return emitOpError("group ") << group << " does not divide "
                                 << in.getDimSize(1) << " input channels";
  for (int64_t p : getOutputPadding())
    if (p < 0)
      return emitOpError("output_padding must be >= 0");
  // conv_transpose_c5
  if (failed(verifySameElementType(*this, in, w)) ||
      failed(verifySameElementType(*this, in, getType())) ||
      (getBias() &&
       failed(verifySameElementType(*this, in, getBias().getType()))))
    return failure();
  if (getBias() && (getBias().getType().getRank() != 1 ||
                    !areDimsCompatible(getBias().getType().getDimSize(0),
                                       mulDims(w.getDimSize(1), group))))
    return emitOpError("bias must be 1-D with one entry per output channel, "
                       "got ")
           << getBias().getType();
  if (!areDimsCompatible(in.getDimSize(1), w.getDimSize(0)))
    return emitOpError("input has ")
           << in.getDimSize(1) << " channels, weight dim 0 is "
           << w.getDimSize(0);
  // conv_transpose_c6
  if (failed(verifyAutoPad(*this, k)))
    return failure();
  // conv_transpose_c4
  return verifyInferredShape(*this, /*windowed=*/true);
}

template <typename PoolOp> static LogicalResult verifyPool(PoolOp op) {
  RankedTensorType in = op.getInput().getType();
  int64_t rank = in.getRank();
  // pool_c1
  if (rank < 3)
    return op.emitOpError("expects an input of rank >= 3, got ") << rank;
  if (failed(verifySameElementType(op, in, op.getType())))
    return failure();
  if (op.getCeilMode() > 1 || op.getCountIncludePad() > 1)
    return op.emitOpError("ceil_mode and count_include_pad must be 0 or 1");
  int64_t k = rank - 2;
  // pool_c2
  if (static_cast<int64_t>(op.getKernelShape().size()) != k)
    return op.emitOpError("expects ") << k << " kernel_shape entries";
  SmallVector<int64_t> dilations = op.getDilationsOrOnes();
  if (failed(
          verifyWindowAttrs(op, k, op.getStrides(), op.getPads(), dilations)))
    return failure();
  for (int64_t i = 0; i < k; ++i) {
    if (op.getKernelShape()[i] < 1)
      return op.emitOpError("kernel_shape entries must be >= 1");
    int64_t extent = dilations[i] * (op.getKernelShape()[i] - 1) + 1;
    if (op.getPads()[i] >= extent || op.getPads()[k + i] >= extent)
      return op.emitOpError("pads must be smaller than the kernel extent");
  }
  // pool_c4
  if (failed(verifyAutoPad(op, k)))
    return failure();
  // pool_c3
  return verifyInferredShape(op, /*windowed=*/true);
}

LogicalResult MaxPoolOp::verify() { return verifyPool(*this); }
LogicalResult AvgPoolOp::verify() { return verifyPool(*this); }

//===----------------------------------------------------------------------===//
// Normalization and reductions
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::verify() {
  RankedTensorType in = getInput().getType();
  // batch_norm_c1
  if (in.getRank() < 2)
    return emitOpError("expects an input of rank >= 2");
  for (Value v : {getScale(), getBias(), getMean(), getVariance()}) {
    auto t = cast<RankedTensorType>(v.getType());
    if (failed(verifySameElementType(*this, in, t)))
      return failure();
    if (t.getRank() != 1 ||
        !areDimsCompatible(t.getDimSize(0), in.getDimSize(1)))
      return emitOpError("expects scale, bias, mean and var of shape [")
             << in.getDimSize(1) << "], got " << t;
  }
  // batch_norm_c2
  if (getType().getElementType() != in.getElementType() ||
      !areShapesCompatible(getType().getShape(), in.getShape()))
    return emitOpError("result type ") << getType() << " differs from " << in;
  return success();
}

LogicalResult LayerNormOp::verify() {
  RankedTensorType in = getInput().getType();
  int64_t axis = static_cast<int64_t>(getAxis());
  // layer_norm_c1
  if (axis < 0 || axis >= in.getRank())
    return emitOpError("axis ")
           << axis << " is out of range [0, " << in.getRank() << ")";
  // layer_norm_c2
  ArrayRef<int64_t> norm = in.getShape().drop_front(axis);
  for (Value v : {getScale(), getBias()}) {
    if (!v)
      continue;
    std::string error;
    auto t = cast<RankedTensorType>(v.getType());
    if (failed(verifySameElementType(*this, in, t)))
      return failure();
    FailureOr<SmallVector<int64_t>> b =
        inferBroadcastShape(t.getShape(), norm, error);
    if (failed(b) || !areShapesCompatible(*b, norm))
      return emitOpError("scale/bias ")
             << t << " does not broadcast to the normalized dims "
             << shapeToString(norm);
  }
  // layer_norm_c3
  if (getType().getElementType() != in.getElementType() ||
      !areShapesCompatible(getType().getShape(), in.getShape()))
    return emitOpError("result type ") << getType() << " differs from " << in;
  return success();
}

template <typename ReduceOp> static LogicalResult verifyReduce(ReduceOp op) {
  RankedTensorType in = op.getInput().getType();
  // reduce_c1
  if (failed(verifyAxes(op, op.getAxes(), in.getRank())))
    return failure();
  // reduce_c3
  if (failed(verifySameElementType(op, in, op.getType())))
    return failure();
  // reduce_c2
  return verifyInferredShape(op);
}

LogicalResult ReduceSumOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceMeanOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceMaxOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceMinOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceProdOp::verify() { return verifyReduce(*this); }

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

LogicalResult FlattenOp::verify() {
  RankedTensorType in = getInput().getType();
  int64_t axis = static_cast<int64_t>(getAxis());
  // flatten_c1
  if (axis < 0 || axis > in.getRank())
    return emitOpError("axis ")
           << axis << " is out of range [0, " << in.getRank() << "]";
  if (failed(verifySameElementType(*this, in, getType())))
    return failure();
  // flatten_c2
  return verifyInferredShape(*this);
}

LogicalResult SqueezeOp::verify() {
  RankedTensorType in = getInput().getType();
  // squeeze_c1
  if (failed(verifyAxes(*this, getAxes(), in.getRank())) ||
      failed(verifySameElementType(*this, in, getType())))
    return failure();
  for (int64_t a : getAxes())
    if (!areDimsCompatible(in.getDimSize(a), 1))
      return emitOpError("cannot squeeze dim ")
             << a << " of size " << in.getDimSize(a);
  // squeeze_c2
  return verifyInferredShape(*this);
}

LogicalResult UnsqueezeOp::verify() {
  RankedTensorType in = getInput().getType();
  int64_t outRank = in.getRank() + getAxes().size();
  // unsqueeze_c1
  if (failed(verifyAxes(*this, getAxes(), outRank)) ||
      failed(verifySameElementType(*this, in, getType())))
    return failure();
  // unsqueeze_c2
  return verifyInferredShape(*this);
}

LogicalResult ConcatOp::verify() {
  // concat_c1
  if (getInputs().empty())
    return emitOpError("requires at least one operand");
  RankedTensorType result = getType();
  int64_t rank = result.getRank(), axis = static_cast<int64_t>(getAxis());
  // concat_c2
  if (axis < 0 || axis >= rank)
    return emitOpError("axis ")
           << axis << " is out of range [0, " << rank << ")";
  SmallVector<int64_t> shape(result.getShape());
  shape[axis] = 0;
  for (Value v : getInputs()) {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getRank() != rank || t.getElementType() != result.getElementType())
      return emitOpError("operand ")
             << t << " does not match the result rank and element type";
    for (int64_t i = 0; i < rank; ++i)
      if (i != axis &&
          !areDimsCompatible(t.getDimSize(i), result.getDimSize(i)))
        return emitOpError("operand ")
               << t << " differs from the result in dim " << i;
    shape[axis] = ShapedType::isDynamic(t.getDimSize(axis)) ||
                          ShapedType::isDynamic(shape[axis])
                      ? ShapedType::kDynamic
                      : shape[axis] + t.getDimSize(axis);
  }
  // concat_c3
  return verifyResultShape(*this, shape);
}

/// A 1-D tensor operand; `size` < 0 accepts any length.
static LogicalResult verifyVector(Operation *op, Value v, StringRef name,
                                  int64_t size) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t || t.getRank() != 1)
    return op->emitOpError() << name << " must be 1-D, got " << v.getType();
  if (size >= 0 && !areDimsCompatible(t.getDimSize(0), size))
    return op->emitOpError()
           << name << " must have " << size << " entries, got " << t;
  return success();
}

LogicalResult SliceOp::verify() {
  // slice_c1
  int64_t n = getStarts().getType().getRank() == 1
                  ? getStarts().getType().getDimSize(0)
                  : -1;
  // Named arrays: a braced temporary inside the range-for would dangle.
  Value params[] = {getStarts(), getEnds(), getAxes(), getSteps()};
  StringRef names[] = {"starts", "ends", "axes", "steps"};
  for (auto [v, name] : llvm::zip(params, names))
    if (failed(verifyVector(*this, v, name, n)))
      return failure();
  // All four have the same length, even when it is dynamic.
  for (Value v : params)
    if (cast<RankedTensorType>(v.getType()).getDimSize(0) !=
        getStarts().getType().getDimSize(0))
      return emitOpError("starts, ends, axes and steps must have the same "
                         "length");
  // slice_c2
  RankedTensorType in = getInput().getType();
  if (failed(verifySameElementType(*this, in, getType())))
    return failure();
  if (in.getRank() != getType().getRank())
    return emitOpError("requires operand and result of the same rank");
  return success();
}

LogicalResult GatherOp::verify() {
  RankedTensorType data = getData().getType();
  int64_t axis = static_cast<int64_t>(getAxis());
  // gather_c1
  if (axis < 0 || axis >= data.getRank())
    return emitOpError("axis ")
           << axis << " is out of range [0, " << data.getRank() << ")";
  // gather_c2
  if (failed(verifySameElementType(*this, data, getType())))
    return failure();
  return verifyInferredShape(*this);
}

LogicalResult ExpandOp::verify() {
  // expand_c1
  if (failed(verifyVector(*this, getShape(), "shape", -1)))
    return failure();
  if (int64_t n = getShape().getType().getDimSize(0);
      !ShapedType::isDynamic(n) && n > getType().getRank())
    return emitOpError("shape has ")
           << n << " entries, more than the result rank "
           << getType().getRank();
  if (failed(verifySameElementType(*this, getInput().getType(), getType())))
    return failure();
  // expand_c2
  std::string error;
  FailureOr<SmallVector<int64_t>> b = inferBroadcastShape(
      getInput().getType().getShape(), getType().getShape(), error);
  if (failed(b))
    return emitOpError() << error;
  return verifyResultShape(*this, *b, "broadcast");
}

LogicalResult TileOp::verify() {
  RankedTensorType in = getInput().getType();
  // tile_c1
  if (failed(verifyVector(*this, getRepeats(), "repeats", in.getRank())))
    return failure();
  // tile_c2
  if (failed(verifySameElementType(*this, in, getType())))
    return failure();
  if (in.getRank() != getType().getRank())
    return emitOpError("requires operand and result of the same rank");
  return success();
}

LogicalResult PadOp::verify() {
  RankedTensorType in = getInput().getType();
  // pad_c1
  if (getMode() != "constant" && getMode() != "reflect" && getMode() != "edge")
    return emitOpError("mode must be \"constant\", \"reflect\" or "
                       "\"edge\", got \"")
           << getMode() << "\"";
  // pad_c2
  if (failed(verifyVector(*this, getPads(), "pads", 2 * in.getRank())))
    return failure();
  if (Value c = getConstantValue()) {
    auto t = cast<RankedTensorType>(c.getType());
    if (!t.hasStaticShape() || t.getNumElements() != 1 ||
        t.getElementType() != in.getElementType())
      return emitOpError("constant_value must be one element of type ")
             << in.getElementType() << ", got " << t;
  }
  // pad_c3
  if (failed(verifySameElementType(*this, in, getType())))
    return failure();
  if (in.getRank() != getType().getRank())
    return emitOpError("requires operand and result of the same rank");
  return success();
}

LogicalResult ResizeOp::verify() {
  RankedTensorType in = getInput().getType();
  // resize_c1
  if (static_cast<bool>(getScales()) == static_cast<bool>(getSizes()))
    return emitOpError("requires exactly one of scales and sizes");
  Value param = getScales() ? getScales() : getSizes();
  if (failed(verifyVector(*this, param, getScales() ? "scales" : "sizes",
                          in.getRank())))
    return failure();
  // resize_c2
  if (getMode() != "nearest" && getMode() != "linear")
    return emitOpError("mode must be \"nearest\" or \"linear\", got \"")
           << getMode() << "\"";
  StringRef ctm = getCoordinateTransformationMode();
  if (!llvm::is_contained(
          ArrayRef<StringRef>{"half_pixel", "asymmetric", "align_corners",
                              "pytorch_half_pixel", "tf_half_pixel_for_nn"},
          ctm))
    return emitOpError("unsupported coordinate_transformation_mode \"")
           << ctm << "\"";
  StringRef nm = getNearestMode();
  if (!llvm::is_contained(ArrayRef<StringRef>{"round_prefer_floor",
                                              "round_prefer_ceil", "floor",
                                              "ceil"},
                          nm))
    return emitOpError("unsupported nearest_mode \"") << nm << "\"";
  // resize_c3
  if (failed(verifySameElementType(*this, in, getType())))
    return failure();
  if (in.getRank() != getType().getRank())
    return emitOpError("requires operand and result of the same rank");
  return success();
}

LogicalResult ShapeOp::verify() {
  int64_t rank = getInput().getType().getRank();
  int64_t start = static_cast<int64_t>(getStart());
  int64_t end = static_cast<int64_t>(getEnd());
  // shape_c1
  if (start < 0 || start > end || end > rank)
    return emitOpError("requires 0 <= start <= end <= rank, got start ")
           << start << ", end " << end << ", rank " << rank;
  // shape_c2
  return verifyResultShape(*this, {end - start});
}

OpFoldResult ShapeOp::fold(FoldAdaptor) {
  RankedTensorType in = getInput().getType();
  int64_t start = static_cast<int64_t>(getStart());
  int64_t end = static_cast<int64_t>(getEnd());
  if (start < 0 || end > in.getRank() || start > end)
    return {};
  ArrayRef<int64_t> dims = in.getShape().slice(start, end - start);
  if (llvm::any_of(dims, ShapedType::isDynamic))
    return {};
  return DenseElementsAttr::get(getType(), dims);
}

LogicalResult ConstantOfShapeOp::verify() {
  // constant_of_shape_c1
  if (failed(verifyVector(*this, getShape(), "shape", getType().getRank())))
    return failure();
  // constant_of_shape_c2
  auto value = getValue();
  if (value.getNumElements() != 1 ||
      value.getElementType() != getType().getElementType())
    return emitOpError("value must be one element of type ")
           << getType().getElementType() << ", got " << value.getType();
  return success();
}

LogicalResult RangeOp::verify() {
  // range_c1
  for (Value v : {getStart(), getLimit(), getDelta()}) {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getRank() != 0 || t.getElementType() != getType().getElementType())
      return emitOpError("start, limit and delta must be 0-D of type ")
             << getType().getElementType() << ", got " << t;
  }
  // range_c2
  if (getType().getRank() != 1)
    return emitOpError("result must be 1-D");
  return success();
}

LogicalResult TriluOp::verify() {
  // trilu_c1
  if (getInput().getType().getRank() < 2)
    return emitOpError("expects an input of rank >= 2");
  if (getK() && cast<RankedTensorType>(getK().getType()).getRank() != 0)
    return emitOpError("k must be 0-D");
  // trilu_c2
  if (getType().getElementType() != getInput().getType().getElementType() ||
      !areShapesCompatible(getType().getShape(),
                           getInput().getType().getShape()))
    return emitOpError("result type ")
           << getType() << " differs from " << getInput().getType();
  return success();
}

bool mlir::ds::isViewOp(Operation *op) {
  return isa<ReshapeOp, FlattenOp, SqueezeOp, UnsqueezeOp>(op);
}

#define GET_OP_CLASSES
#include "dialects/DS/DSOps.cpp.inc"

//===----------------------------------------------------------------------===//
// FusionOp
//===----------------------------------------------------------------------===//

YieldOp FusionOp::getYield() {
  return cast<YieldOp>(getBody().front().getTerminator());
}

LogicalResult FusionOp::verify() {
  Block &body = getBody().front();
  // fusion_c1
  if (body.getArgumentTypes() != getInputs().getTypes())
    return emitOpError("requires the body's argument types to equal the "
                       "input types");
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield)
    return emitOpError("requires the body to end with ds.yield");
  // fusion_c2
  if (yield.getValues().getTypes() != getResultTypes())
    return emitOpError("requires the ds.yield operand types to equal the "
                       "result types");
  // fusion_c3
  unsigned matmuls = 0, convs = 0, reductions = 0;
  for (Operation &op : body.without_terminator()) {
    if (!isa_and_present<DSDialect>(op.getDialect()) ||
        isa<FusionOp, WeightOp>(op))
      return op.emitOpError("is not allowed in a ds.fusion body");
    matmuls += isa<MatmulOp>(op);
    convs += isa<ConvOp, ConvTransposeOp>(op);
    reductions +=
        isa<ReduceSumOp, ReduceMeanOp, ReduceMaxOp, ReduceMinOp, ReduceProdOp>(
            op);
  }
  // fusion_c4
  StringRef kind = getKind();
  if (kind == "matmul" ? matmuls != 1 || convs
      : kind == "conv" ? convs != 1 || matmuls
      : kind == "reduction"
          ? reductions == 0 || matmuls || convs
          : kind != "elementwise" || matmuls || convs || reductions)
    return emitOpError("kind \"")
           << kind
           << "\" does not match its body (expected \"elementwise\" without "
              "contractions or reductions, \"matmul\" with one ds.matmul, "
              "\"conv\" with one ds.conv or ds.conv_transpose, or "
              "\"reduction\" with reductions)";
  // fusion_c5
  llvm::SmallPtrSet<Value, 8> seen;
  for (Value v : yield.getValues()) {
    if (!v.getDefiningOp() || v.getDefiningOp()->getBlock() != &body)
      return emitOpError("yields a value not computed by its body");
    if (!seen.insert(v).second)
      return emitOpError("yields the same value twice");
  }
  return success();
}
