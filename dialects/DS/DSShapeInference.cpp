//===- DSShapeInference.cpp - result types of ds ops from their operands --===//
//
// The shape function of every ds op: given operand types and the values of
// operands that are constants, the most static result type ONNX semantics
// allow. ds-static-shapes runs it to a fixed point after binding symbolic
// dims. Where a shape depends on a non-constant operand value, the dims stay
// `?`.
//
//===----------------------------------------------------------------------===//

#include "dialects/DS/DSOps.h"
#include "dialects/DS/DSTypeInference.h"
#include "runtime/Padding.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <optional>

using namespace mlir;
using namespace mlir::ds;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

bool isDyn(int64_t d) { return ShapedType::isDynamic(d); }

/// Integer values of a constant operand, if known.
std::optional<SmallVector<int64_t>> intValues(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseIntElementsAttr>(attr);
  if (!dense)
    return std::nullopt;
  SmallVector<int64_t> values;
  for (APInt v : dense.getValues<APInt>())
    values.push_back(v.getSExtValue());
  return values;
}

std::optional<SmallVector<double>> floatValues(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseFPElementsAttr>(attr);
  if (!dense)
    return std::nullopt;
  SmallVector<double> values;
  for (APFloat v : dense.getValues<APFloat>())
    values.push_back(v.convertToDouble());
  return values;
}

/// Scalar of a constant 0-D/1-element operand as double.
std::optional<double> scalarValue(Attribute attr) {
  if (auto f = floatValues(attr); f && f->size() == 1)
    return (*f)[0];
  if (auto i = intValues(attr); i && i->size() == 1)
    return static_cast<double>((*i)[0]);
  return std::nullopt;
}

ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

int64_t mul(int64_t a, int64_t b) {
  return isDyn(a) || isDyn(b) ? kDyn : a * b;
}

int64_t windowOutput(int64_t in, int64_t padBegin, int64_t padEnd,
                     int64_t kernel, int64_t stride, int64_t dilation,
                     bool ceilMode) {
  if (isDyn(in) || isDyn(kernel))
    return kDyn;
  int64_t span = in + padBegin + padEnd - dilation * (kernel - 1) - 1;
  int64_t out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceilMode && (out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

/// Shape rules; each returns the result shape or fails with `error`.
class ShapeRules {
public:
  ShapeRules(ArrayRef<Attribute> constants, std::string &error)
      : constants(constants), error(error) {}

  FailureOr<SmallVector<int64_t>> infer(Operation *op);

private:
  Attribute constant(Operation *op, unsigned i) {
    (void)op;
    return i < constants.size() ? constants[i] : Attribute();
  }
  FailureOr<SmallVector<int64_t>> fail(const std::string &message) {
    error = message;
    return failure();
  }

  FailureOr<SmallVector<int64_t>> reshape(ReshapeOp op);
  FailureOr<SmallVector<int64_t>> slice(SliceOp op);
  FailureOr<SmallVector<int64_t>> resize(ResizeOp op);
  FailureOr<SmallVector<int64_t>> range(RangeOp op);

  ArrayRef<Attribute> constants;
  std::string &error;
};

FailureOr<SmallVector<int64_t>> ShapeRules::reshape(ReshapeOp op) {
  auto result = cast<RankedTensorType>(op.getType());
  if (!op.getShape())
    return SmallVector<int64_t>(result.getShape());
  std::optional<SmallVector<int64_t>> target = intValues(constant(op, 1));
  if (!target)
    return SmallVector<int64_t>(result.getShape());
  ArrayRef<int64_t> in = shapeOf(op.getInput());
  SmallVector<int64_t> out;
  int64_t inferIndex = -1, known = 1;
  bool knownDynamic = false;
  for (auto [i, d] : llvm::enumerate(*target)) {
    if (d == 0 && !op.getAllowzero()) {
      if (i >= in.size())
        return fail("reshape target dim " + std::to_string(i) +
                    " is 0 but the input has rank " +
                    std::to_string(in.size()));
      d = in[i];
    } else if (d == -1) {
      if (inferIndex >= 0)
        return fail("reshape target has more than one -1");
      inferIndex = i;
      out.push_back(kDyn);
      continue;
    } else if (d < -1) {
      return fail("reshape target dim " + std::to_string(d) + " is negative");
    }
    out.push_back(d);
    if (isDyn(d))
      knownDynamic = true;
    else
      known *= d;
  }
  int64_t total = 1;
  for (int64_t d : in)
    total = mul(total, d);
  if (inferIndex >= 0 && !isDyn(total) && !knownDynamic) {
    if (known == 0 || total % known != 0)
      return fail("cannot reshape " + std::to_string(total) +
                  " elements into " + shapeToString(*target));
    out[inferIndex] = total / known;
  }
  if (inferIndex < 0 && !isDyn(total) && !knownDynamic && known != total)
    return fail("cannot reshape " + std::to_string(total) + " elements into " +
                shapeToString(out));
  return out;
}

FailureOr<SmallVector<int64_t>> ShapeRules::slice(SliceOp op) {
  ArrayRef<int64_t> in = shapeOf(op.getInput());
  SmallVector<int64_t> out(in);
  auto starts = intValues(constant(op, 1)), ends = intValues(constant(op, 2));
  auto axes = intValues(constant(op, 3)), steps = intValues(constant(op, 4));
  if (!starts || !ends || !axes || !steps) {
    // Which dims are sliced is unknown without the axes: all may change.
    if (!axes)
      return SmallVector<int64_t>(in.size(), kDyn);
    for (int64_t a : *axes)
      if (a >= -static_cast<int64_t>(in.size()) &&
          a < static_cast<int64_t>(in.size()))
        out[a < 0 ? a + in.size() : a] = kDyn;
    return out;
  }
  int64_t rank = in.size();
  for (size_t i = 0; i < axes->size(); ++i) {
    int64_t axis = (*axes)[i] < 0 ? (*axes)[i] + rank : (*axes)[i];
    if (axis < 0 || axis >= rank)
      return fail("slice axis " + std::to_string((*axes)[i]) +
                  " is out of range for rank " + std::to_string(rank));
    int64_t dim = in[axis], step = (*steps)[i];
    if (step == 0)
      return fail("slice step is 0");
    if (isDyn(dim)) {
      out[axis] = kDyn;
      continue;
    }
    // ONNX Slice-13 clamping.
    int64_t start = (*starts)[i], end = (*ends)[i];
    if (start < 0)
      start += dim;
    if (end < 0 && end > std::numeric_limits<int64_t>::min() / 2)
      end += dim;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      out[axis] = end > start ? (end - start + step - 1) / step : 0;
    } else {
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
      out[axis] = start > end ? (start - end - step - 1) / -step : 0;
    }
  }
  return out;
}

FailureOr<SmallVector<int64_t>> ShapeRules::resize(ResizeOp op) {
  ArrayRef<int64_t> in = shapeOf(op.getInput());
  // Operand positions depend on which optional operands are present.
  unsigned next = 1;
  std::optional<SmallVector<double>> scales;
  std::optional<SmallVector<int64_t>> sizes;
  if (op.getScales())
    scales = floatValues(constant(op, next++));
  if (op.getSizes())
    sizes = intValues(constant(op, next++));
  SmallVector<int64_t> out(in.size(), kDyn);
  if (sizes && sizes->size() == in.size())
    return SmallVector<int64_t>(*sizes);
  if (scales && scales->size() == in.size())
    for (size_t i = 0; i < in.size(); ++i)
      out[i] = isDyn(in[i]) ? kDyn
                            : static_cast<int64_t>(std::floor(
                                  static_cast<double>(in[i]) * (*scales)[i]));
  return out;
}

FailureOr<SmallVector<int64_t>> ShapeRules::range(RangeOp op) {
  auto start = scalarValue(constant(op, 0));
  auto limit = scalarValue(constant(op, 1));
  auto delta = scalarValue(constant(op, 2));
  if (!start || !limit || !delta)
    return SmallVector<int64_t>{kDyn};
  if (*delta == 0)
    return fail("range delta is 0");
  return SmallVector<int64_t>{std::max<int64_t>(
      0, static_cast<int64_t>(std::ceil((*limit - *start) / *delta)))};
}

FailureOr<SmallVector<int64_t>> ShapeRules::infer(Operation *op) {
  using Result = FailureOr<SmallVector<int64_t>>;
  auto same = [&](Value v) -> Result {
    return SmallVector<int64_t>(shapeOf(v));
  };
  auto resultShape = [&]() -> Result {
    return SmallVector<int64_t>(
        cast<RankedTensorType>(op->getResult(0).getType()).getShape());
  };
  if (op->hasTrait<mlir::ds::OpTrait::UnaryElementwise>())
    return same(op->getOperand(0));
  if (op->hasTrait<mlir::ds::OpTrait::BroadcastBinary>()) {
    Result r = inferBroadcastShape(shapeOf(op->getOperand(0)),
                                   shapeOf(op->getOperand(1)), error);
    return r;
  }
  return llvm::TypeSwitch<Operation *, Result>(op)
      .Case<WeightOp, ConstantOp, DequantizeInt4Op>(
          [&](auto) { return resultShape(); })
      .Case([&](WhereOp w) -> Result {
        Result xy = inferBroadcastShape(shapeOf(w.getLhs()),
                                        shapeOf(w.getRhs()), error);
        if (failed(xy))
          return failure();
        return inferBroadcastShape(shapeOf(w.getCondition()), *xy, error);
      })
      .Case([&](MatmulOp m) {
        return inferMatmulShape(shapeOf(m.getLhs()), shapeOf(m.getRhs()),
                                error);
      })
      .Case<SoftmaxOp, BatchNormOp, LayerNormOp, TriluOp>(
          [&](auto o) { return same(o->getOperand(0)); })
      .Case([&](ConvOp c) -> Result {
        ArrayRef<int64_t> in = shapeOf(c.getInput()),
                          w = shapeOf(c.getWeight());
        if (in.size() < 3 || w.size() != in.size())
          return fail("conv input and weight ranks differ");
        size_t k = in.size() - 2;
        SmallVector<int64_t> out = {in[0], w[0]};
        std::optional<SmallVector<int64_t>> pads = resolveWindowPads(c);
        for (size_t i = 0; i < k; ++i)
          out.push_back(pads ? windowOutput(in[2 + i], (*pads)[i],
                                            (*pads)[k + i], w[2 + i],
                                            c.getStrides()[i],
                                            c.getDilations()[i], false)
                             : kDyn);
        return out;
      })
      .Case([&](ConvTransposeOp c) -> Result {
        ArrayRef<int64_t> in = shapeOf(c.getInput()),
                          w = shapeOf(c.getWeight());
        if (in.size() < 3 || w.size() != in.size())
          return fail("conv_transpose input and weight ranks differ");
        size_t k = in.size() - 2;
        SmallVector<int64_t> out = {in[0], mul(w[1], c.getGroup())};
        std::optional<SmallVector<int64_t>> pads = resolveWindowPads(c);
        for (size_t i = 0; i < k; ++i)
          out.push_back(!pads || isDyn(in[2 + i]) || isDyn(w[2 + i])
                            ? kDyn
                            : c.getStrides()[i] * (in[2 + i] - 1) +
                                  c.getOutputPadding()[i] +
                                  c.getDilations()[i] * (w[2 + i] - 1) + 1 -
                                  (*pads)[i] - (*pads)[k + i]);
        return out;
      })
      .Case<MaxPoolOp, AvgPoolOp>([&](auto p) -> Result {
        ArrayRef<int64_t> in = shapeOf(p.getInput());
        size_t k = in.size() - 2;
        SmallVector<int64_t> dilations = p.getDilationsOrOnes();
        SmallVector<int64_t> out = {in[0], in[1]};
        std::optional<SmallVector<int64_t>> pads = resolveWindowPads(p);
        for (size_t i = 0; i < k; ++i)
          out.push_back(
              pads ? windowOutput(in[2 + i], (*pads)[i], (*pads)[k + i],
                                  p.getKernelShape()[i], p.getStrides()[i],
                                  dilations[i], p.getCeilMode() != 0)
                   : kDyn);
        return out;
      })
      .Case<ReduceSumOp, ReduceMeanOp, ReduceMaxOp, ReduceMinOp, ReduceProdOp>(
          [&](auto r) -> Result {
            ArrayRef<int64_t> in = shapeOf(r.getInput());
            SmallVector<bool> reduced(in.size(), r.getAxes().empty());
            for (int64_t a : r.getAxes())
              reduced[a] = true;
            SmallVector<int64_t> out;
            for (size_t i = 0; i < in.size(); ++i) {
              if (!reduced[i])
                out.push_back(in[i]);
              else if (r.getKeepdims())
                out.push_back(1);
            }
            return out;
          })
      .Case([&](ReshapeOp r) { return reshape(r); })
      .Case([&](FlattenOp f) -> Result {
        ArrayRef<int64_t> in = shapeOf(f.getInput());
        int64_t outer = 1, inner = 1;
        for (size_t i = 0; i < in.size(); ++i) {
          if (static_cast<int64_t>(i) < static_cast<int64_t>(f.getAxis()))
            outer = mul(outer, in[i]);
          else
            inner = mul(inner, in[i]);
        }
        return SmallVector<int64_t>{outer, inner};
      })
      .Case([&](SqueezeOp s) -> Result {
        ArrayRef<int64_t> in = shapeOf(s.getInput());
        SmallVector<int64_t> out;
        for (size_t i = 0; i < in.size(); ++i)
          if (!llvm::is_contained(s.getAxes(), static_cast<int64_t>(i)))
            out.push_back(in[i]);
        return out;
      })
      .Case([&](UnsqueezeOp u) -> Result {
        ArrayRef<int64_t> in = shapeOf(u.getInput());
        SmallVector<int64_t> out;
        size_t next = 0;
        for (size_t i = 0; i < in.size() + u.getAxes().size(); ++i)
          out.push_back(llvm::is_contained(u.getAxes(), static_cast<int64_t>(i))
                            ? 1
                            : in[next++]);
        return out;
      })
      .Case([&](TransposeOp t) {
        return inferTransposeShape(shapeOf(t.getInput()), t.getPerm(), error);
      })
      .Case([&](ConcatOp c) -> Result {
        SmallVector<int64_t> out(shapeOf(c.getInputs().front()));
        int64_t axis = c.getAxis();
        out[axis] = 0;
        for (Value v : c.getInputs()) {
          ArrayRef<int64_t> s = shapeOf(v);
          for (size_t i = 0; i < s.size(); ++i)
            if (static_cast<int64_t>(i) != axis && isDyn(out[i]))
              out[i] = s[i];
          out[axis] =
              isDyn(out[axis]) || isDyn(s[axis]) ? kDyn : out[axis] + s[axis];
        }
        return out;
      })
      .Case([&](SliceOp s) { return slice(s); })
      .Case([&](GatherOp g) -> Result {
        ArrayRef<int64_t> data = shapeOf(g.getData());
        int64_t axis = g.getAxis();
        SmallVector<int64_t> out(data.take_front(axis));
        llvm::append_range(out, shapeOf(g.getIndices()));
        llvm::append_range(out, data.drop_front(axis + 1));
        return out;
      })
      .Case([&](ExpandOp e) -> Result {
        std::optional<SmallVector<int64_t>> shape = intValues(constant(op, 1));
        if (!shape)
          return resultShape();
        return inferBroadcastShape(shapeOf(e.getInput()), *shape, error);
      })
      .Case([&](TileOp t) -> Result {
        ArrayRef<int64_t> in = shapeOf(t.getInput());
        std::optional<SmallVector<int64_t>> reps = intValues(constant(op, 1));
        if (!reps || reps->size() != in.size())
          return SmallVector<int64_t>(in.size(), kDyn);
        SmallVector<int64_t> out;
        for (size_t i = 0; i < in.size(); ++i)
          out.push_back(mul(in[i], (*reps)[i]));
        return out;
      })
      .Case([&](PadOp p) -> Result {
        ArrayRef<int64_t> in = shapeOf(p.getInput());
        std::optional<SmallVector<int64_t>> pads = intValues(constant(op, 1));
        if (!pads || pads->size() != 2 * in.size())
          return SmallVector<int64_t>(in.size(), kDyn);
        SmallVector<int64_t> out;
        for (size_t i = 0; i < in.size(); ++i)
          out.push_back(isDyn(in[i])
                            ? kDyn
                            : in[i] + (*pads)[i] + (*pads)[in.size() + i]);
        return out;
      })
      .Case([&](ResizeOp r) { return resize(r); })
      .Case([&](ShapeOp s) -> Result {
        return SmallVector<int64_t>{static_cast<int64_t>(s.getEnd()) -
                                    static_cast<int64_t>(s.getStart())};
      })
      .Case([&](ConstantOfShapeOp c) -> Result {
        std::optional<SmallVector<int64_t>> shape = intValues(constant(op, 0));
        if (!shape)
          return resultShape();
        return *shape;
      })
      .Case([&](RangeOp r) { return range(r); })
      .Default([&](Operation *other) -> Result {
        return fail("no shape function for '" +
                    other->getName().getStringRef().str() + "'");
      });
}

} // namespace

std::optional<SmallVector<int64_t>> mlir::ds::resolveWindowPads(Operation *op) {
  namespace rt = ::ds::runtime;
  auto in = cast<RankedTensorType>(op->getOperand(0).getType()).getShape();
  size_t k = in.size() < 2 ? 0 : in.size() - 2;
  auto autoPadAttr = op->getAttrOfType<StringAttr>("auto_pad");
  std::string autoPad = autoPadAttr ? autoPadAttr.str() : "";
  auto outputShape = op->getAttrOfType<DenseI64ArrayAttr>("output_shape");
  auto pads = op->getAttrOfType<DenseI64ArrayAttr>("pads");
  if (!autoPadAttr && !outputShape)
    return SmallVector<int64_t>(pads.asArrayRef());
  SmallVector<int64_t> kernel, strides, dilations;
  if (auto p = op->getAttrOfType<DenseI64ArrayAttr>("kernel_shape"))
    kernel.assign(p.asArrayRef().begin(), p.asArrayRef().end());
  else
    for (int64_t d : cast<RankedTensorType>(op->getOperand(1).getType())
                         .getShape()
                         .drop_front(2))
      kernel.push_back(d);
  strides.assign(
      op->getAttrOfType<DenseI64ArrayAttr>("strides").asArrayRef().begin(),
      op->getAttrOfType<DenseI64ArrayAttr>("strides").asArrayRef().end());
  auto dil = op->getAttrOfType<DenseI64ArrayAttr>("dilations");
  if (dil && !dil.empty())
    dilations.assign(dil.asArrayRef().begin(), dil.asArrayRef().end());
  else
    dilations.assign(k, 1);
  if (kernel.size() != k || strides.size() != k || dilations.size() != k)
    return std::nullopt;
  SmallVector<int64_t> out(2 * k, 0);
  for (size_t i = 0; i < k; ++i) {
    int64_t d = in[2 + i];
    if (ShapedType::isDynamic(d) || ShapedType::isDynamic(kernel[i]))
      return std::nullopt;
    if (auto ct = dyn_cast<ConvTransposeOp>(op)) {
      int64_t target =
          outputShape && outputShape.size() == static_cast<int64_t>(k)
              ? outputShape[i]
              : d * strides[i];
      if (!rt::transposePads(autoPad, d, target, kernel[i], strides[i],
                             dilations[i], ct.getOutputPadding()[i], out[i],
                             out[k + i]))
        return std::nullopt;
    } else {
      rt::samePads(autoPad, d, kernel[i], strides[i], dilations[i], out[i],
                   out[k + i]);
    }
  }
  return out;
}

LogicalResult mlir::ds::inferResultShape(Operation *op,
                                         ArrayRef<Attribute> constantOperands,
                                         SmallVectorImpl<int64_t> &shape,
                                         std::string &error) {
  ShapeRules rules(constantOperands, error);
  FailureOr<SmallVector<int64_t>> result = rules.infer(op);
  if (failed(result))
    return failure();
  shape.assign(result->begin(), result->end());
  return success();
}
