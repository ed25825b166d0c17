//===- KernelsFused.cpp - One kernel per ds.fusion ------------------------===//
//
// Every ds.fusion region becomes exactly one kernel (docs/design/fusion.md).
// The body's values are computed "by pull": FusedExpr emits straight-line
// code computing a value at a linear index of its own shape, asking for each
// operand at the index the op maps it to (the same index for elementwise
// ops, a broadcast index, a permuted index for transposes, the same linear
// index for views). Values never touch device memory except the fusion's
// inputs (kernel parameters in0, in1, ...) and results (out0, out1, ...).
//
// - "elementwise": a grid-stride loop over the results' index space;
// - "matmul": the shared-memory tiled matmul, its operand loads pulled
//   through absorbed transposes/views, its epilogue pulled at the store;
// - "conv": the direct conv/conv_transpose template with its epilogue;
// - "reduction": one block per row; each reduction is a pass over the row
//   (warp shuffles and a shared-memory combine), per-row scalars live in
//   registers, a last pass writes the row-shaped results.
//
//===----------------------------------------------------------------------===//

#include "codegen/Kernels.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"

#include <map>
#include <set>

using namespace mlir;
using namespace mlir::ds;
using namespace mlir::ds::cuda;

namespace {

ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

ArrayRef<int64_t> stripLeadingOnes(ArrayRef<int64_t> shape) {
  while (!shape.empty() && shape.front() == 1)
    shape = shape.drop_front();
  return shape;
}

/// Replaces the identifiers `x0` and `x1` of a template expression (not
/// inside other tokens such as `0x0`).
std::string substitute(StringRef expr, ArrayRef<std::string> args) {
  std::string out;
  for (size_t i = 0; i < expr.size(); ++i) {
    bool tokenStart = i == 0 || !(isalnum(expr[i - 1]) || expr[i - 1] == '_');
    if (tokenStart && expr[i] == 'x' && i + 1 < expr.size() &&
        (expr[i + 1] == '0' || expr[i + 1] == '1') &&
        (i + 2 >= expr.size() ||
         !(isalnum(expr[i + 2]) || expr[i + 2] == '_'))) {
      unsigned a = expr[i + 1] - '0';
      out += "(" + args[a] + ")";
      ++i;
      continue;
    }
    out += expr[i];
  }
  return out;
}

} // namespace

//===----------------------------------------------------------------------===//
// FusedExpr
//===----------------------------------------------------------------------===//

std::string FusedExpr::fresh(StringRef prefix) {
  return (prefix + Twine(state.counter++)).str();
}

std::string FusedExpr::coordinates(ArrayRef<int64_t> shape, StringRef lin) {
  std::string key = lin.str() + "|";
  for (int64_t d : shape)
    key += std::to_string(d) + ",";
  auto it = coordMemo.find(key);
  if (it != coordMemo.end())
    return it->second;
  std::string prefix = fresh("q") + "_";
  llvm::raw_string_ostream os(code);
  emitCoordinates(os, shape, lin, state.indexType, indent, prefix);
  coordMemo[key] = prefix;
  return prefix;
}

std::string FusedExpr::operandIndex(Value operand, ArrayRef<int64_t> result,
                                    StringRef lin) {
  ArrayRef<int64_t> own = shapeOf(operand);
  if (stripLeadingOnes(own) == stripLeadingOnes(result))
    return lin.str();
  if (product(own) == 1)
    return "0";
  std::string prefix = coordinates(result, lin);
  std::string dot = dotCoordinates(broadcastStrides(own, result), prefix);
  std::string name = fresh("x");
  code +=
      indent + "const " + state.indexType + " " + name + " = " + dot + ";\n";
  return name;
}

std::string FusedExpr::define(Value v, StringRef lin, StringRef expr) {
  FailureOr<ElementKind> k =
      getElementKind(cast<RankedTensorType>(v.getType()).getElementType());
  std::string name = fresh("v");
  // A computed f16/bf16 value is rounded as if stored, so that fusion does
  // not change numerics (the unfused kernel stores every op's result).
  std::string value = expr.str();
  if (!isa<BlockArgument>(v) &&
      (k->kind == ElementKind::F16 || k->kind == ElementKind::BF16))
    value = k->load(k->store(value));
  code += indent + "const " + k->compute() + " " + name + " = " + value + ";\n";
  memo[{v.getAsOpaquePointer(), lin.str()}] = name;
  return name;
}

std::string FusedExpr::fail(Operation *op, const Twine &why) {
  if (!failedAny)
    op->emitOpError("unimplemented: ") << why << " in a fused kernel";
  failedAny = true;
  return "0";
}

std::string FusedExpr::get(Value v, StringRef lin) {
  auto memoIt = memo.find({v.getAsOpaquePointer(), lin.str()});
  if (memoIt != memo.end())
    return memoIt->second;
  if (leaf)
    if (std::optional<std::string> e = leaf(v, lin))
      return *e;
  FailureOr<ElementKind> kind =
      getElementKind(cast<RankedTensorType>(v.getType()).getElementType());
  if (auto arg = dyn_cast<BlockArgument>(v)) {
    if (failed(kind))
      return fail(arg.getOwner()->getParentOp(), "element type");
    return define(
        v, lin,
        kind->load(llvm::formatv("in{0}[{1}]", arg.getArgNumber(), lin).str()));
  }
  Operation *op = v.getDefiningOp();
  if (failed(kind))
    return fail(op, "element type");
  ElementKind k = *kind;
  ArrayRef<int64_t> shape = shapeOf(v);

  if (auto c = dyn_cast<ConstantOp>(op)) {
    auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
    if (!dense)
      return fail(op, "non-dense constant");
    auto literal = [&](int64_t i) -> std::string {
      if (k.isFloat())
        return floatLiteral(dense.getValues<APFloat>()[i].convertToDouble());
      if (k.kind == ElementKind::I1)
        return dense.getValues<bool>()[i] ? "true" : "false";
      int64_t x = dense.getValues<APInt>()[i].getSExtValue();
      return k.kind == ElementKind::I64 ? int64Literal(x)
                                        : "(" + std::to_string(x) + ")";
    };
    if (dense.isSplat())
      return literal(0);
    // A small table compiled into the source.
    auto table = state.constantTables.find(op);
    std::string name;
    if (table == state.constantTables.end()) {
      name = llvm::formatv("dsConst{0}", state.constantTables.size()).str();
      state.constantTables[op] = name;
      std::string decl = "static __device__ const " + k.compute() + " " + name +
                         "[" + std::to_string(dense.getNumElements()) + "] = {";
      for (int64_t i = 0; i < dense.getNumElements(); ++i)
        decl += (i ? ", " : "") + literal(i);
      state.prelude += decl + "};\n";
    } else {
      name = table->second;
    }
    return define(v, lin, name + "[" + lin.str() + "]");
  }
  if (isViewOp(op))
    return get(op->getOperand(0), lin);
  if (auto t = dyn_cast<TransposeOp>(op)) {
    std::string prefix = coordinates(shape, lin);
    SmallVector<int64_t> inStrides = stridesOf(shapeOf(t.getInput()));
    SmallVector<int64_t> strides;
    for (int64_t p : t.getPerm())
      strides.push_back(inStrides[p]);
    std::string name = fresh("x");
    code += indent + "const " + state.indexType + " " + name + " = " +
            dotCoordinates(strides, prefix) + ";\n";
    return get(t.getInput(), name);
  }
  if (auto e = dyn_cast<ExpandOp>(op))
    return get(e.getInput(), operandIndex(e.getInput(), shape, lin));
  if (auto c = dyn_cast<CastOp>(op)) {
    FailureOr<ElementKind> from = getElementKind(
        cast<RankedTensorType>(c.getInput().getType()).getElementType());
    if (failed(from))
      return fail(op, "element type");
    std::string x = get(c.getInput(), lin);
    return define(v, lin, convertCompute(x, *from, k));
  }
  if (op->hasTrait<mlir::ds::OpTrait::UnaryElementwise>()) {
    std::string expr = unaryExpression(op, k);
    if (expr.empty())
      return fail(op, "element type");
    std::string x = get(op->getOperand(0), lin);
    return define(v, lin, substitute(expr, {x}));
  }
  if (op->hasTrait<mlir::ds::OpTrait::BroadcastBinary>()) {
    FailureOr<ElementKind> in = getElementKind(
        cast<RankedTensorType>(op->getOperand(0).getType()).getElementType());
    if (failed(in))
      return fail(op, "element type");
    std::string expr = binaryExpression(op, *in);
    if (expr.empty())
      return fail(op, "element type");
    std::string x0 =
        get(op->getOperand(0), operandIndex(op->getOperand(0), shape, lin));
    std::string x1 =
        get(op->getOperand(1), operandIndex(op->getOperand(1), shape, lin));
    return define(v, lin, substitute(expr, {x0, x1}));
  }
  if (auto w = dyn_cast<WhereOp>(op)) {
    std::string c =
        get(w.getCondition(), operandIndex(w.getCondition(), shape, lin));
    std::string a = get(w.getLhs(), operandIndex(w.getLhs(), shape, lin));
    std::string b = get(w.getRhs(), operandIndex(w.getRhs(), shape, lin));
    return define(v, lin, c + " ? " + a + " : " + b);
  }
  if (auto bn = dyn_cast<BatchNormOp>(op)) {
    int64_t channels = shape[1], inner = product(shape.drop_front(2));
    std::string ch = fresh("x");
    code += indent + "const " + state.indexType + " " + ch + " = " +
            (inner == 1 ? lin.str()
                        : llvm::formatv("{0} / {1}u", lin, inner).str()) +
            " % " + std::to_string(channels) + "u;\n";
    std::string x = get(bn.getInput(), lin);
    std::string scale = get(bn.getScale(), ch), bias = get(bn.getBias(), ch);
    std::string mean = get(bn.getMean(), ch), var = get(bn.getVariance(), ch);
    return define(v, lin,
                  scale + " * (" + x + " - " + mean + ") / sqrtf(" + var +
                      " + " + floatLiteral(bn.getEpsilon().convertToDouble()) +
                      ") + " + bias);
  }
  return fail(op, "'" + op->getName().getStringRef() + "'");
}

//===----------------------------------------------------------------------===//
// Kernels
//===----------------------------------------------------------------------===//

std::string cuda::fusedParameters(FusionOp fusion, EmittedKernel &k) {
  std::string s;
  for (auto [i, v] : llvm::enumerate(fusion.getInputs())) {
    std::string st =
        getElementKind(cast<RankedTensorType>(v.getType()).getElementType())
            ->storage();
    s += "const " + st + " *__restrict__ in" + std::to_string(i) + ", ";
    k.paramTypes.push_back("const " + st + " *");
  }
  for (auto [i, v] : llvm::enumerate(fusion.getResults())) {
    std::string st =
        getElementKind(cast<RankedTensorType>(v.getType()).getElementType())
            ->storage();
    s += st + " *__restrict__ out" + std::to_string(i) +
         (i + 1 == fusion.getNumResults() ? "" : ", ");
    k.paramTypes.push_back(st + " *");
  }
  k.args.append(fusion.getInputs().begin(), fusion.getInputs().end());
  k.args.append(fusion.getResults().begin(), fusion.getResults().end());
  k.numInputs = fusion.getInputs().size();
  return s;
}

std::string cuda::storeResults(FusionOp fusion, FusedExpr &expr,
                               StringRef lin) {
  std::string s;
  for (auto [i, v] : llvm::enumerate(fusion.getYield().getValues())) {
    std::string value = expr.get(v, lin);
    ElementKind k =
        *getElementKind(cast<RankedTensorType>(v.getType()).getElementType());
    s += llvm::formatv("{0}out{1}[{2}] = {3};\n", expr.indent, i, lin,
                       k.store(value))
             .str();
  }
  return s;
}

FailureOr<std::string> cuda::contractionEpilogue(FusionOp fusion, Operation *op,
                                                 FusedState &state,
                                                 StringRef lin, StringRef value,
                                                 StringRef indent) {
  FusedExpr epilogue(state, indent.str());
  Value result = op->getResult(0);
  epilogue.leaf = [&](Value v, StringRef at) -> std::optional<std::string> {
    if (v != result)
      return std::nullopt;
    if (at != lin)
      return epilogue.fail(op, "a " + op->getName().stripDialect() +
                                   " result read at another index");
    return value.str();
  };
  std::string stores = storeResults(fusion, epilogue, lin);
  if (epilogue.failedAny)
    return failure();
  return epilogue.code + stores;
}

LogicalResult KernelEmitter::checkFusionTypes(FusionOp op) {
  for (Type t :
       llvm::concat<Type>(op.getInputs().getTypes(), op.getResultTypes()))
    if (failed(getElementKind(cast<RankedTensorType>(t).getElementType())))
      return op.emitOpError("unimplemented: CUDA emission for element type ")
             << cast<RankedTensorType>(t).getElementType();
  return success();
}

int64_t cuda::fusionMaxElements(FusionOp op) {
  int64_t n = 0;
  op.getBody().walk([&](Operation *inner) {
    for (Type t :
         llvm::concat<Type>(inner->getOperandTypes(), inner->getResultTypes()))
      if (auto r = dyn_cast<RankedTensorType>(t))
        n = std::max(n, r.getNumElements());
  });
  for (Type t : op.getInputs().getTypes())
    n = std::max(n, cast<RankedTensorType>(t).getNumElements());
  return n;
}

LogicalResult KernelEmitter::emitFusion(FusionOp op) {
  if (failed(checkFusionTypes(op)))
    return failure();
  StringRef kind = op.getKind();
  Block &body = op.getBody().front();
  if (kind == "elementwise")
    return emitFusedElementwise(op);
  if (kind == "reduction")
    return emitFusedReduction(op);
  for (Operation &inner : body) {
    if (auto m = dyn_cast<MatmulOp>(inner))
      return emitMatmul(m, op);
    if (auto c = dyn_cast<ConvOp>(inner))
      return emitConv(c, op);
    if (auto c = dyn_cast<ConvTransposeOp>(inner))
      return emitConvTranspose(c, op);
  }
  return op.emitOpError("unimplemented: CUDA emission of fusion kind \"")
         << kind << "\"";
}

LogicalResult KernelEmitter::emitFusedElementwise(FusionOp op) {
  int64_t n =
      cast<RankedTensorType>(op.getResult(0).getType()).getNumElements();
  for (Type t : op.getResultTypes())
    if (cast<RankedTensorType>(t).getNumElements() != n)
      return op.emitOpError("unimplemented: elementwise fusion results with "
                            "different element counts");
  EmittedKernel &k = newKernel(op, "fusion_elementwise");
  FusedState state;
  state.indexType = idxType(fusionMaxElements(op));
  std::string it = state.indexType;
  std::string params = fusedParameters(op, k);
  // Four consecutive elements per thread and iteration when the count
  // allows: f32 inputs read at the loop's own index and f32 results move as
  // 16-byte vectors (buffers are at least 64-byte aligned).
  constexpr int64_t lanes = 4;
  bool vector = n % lanes == 0;
  int64_t iterations = vector ? n / lanes : n;
  FusedExpr expr(state, "    ");
  std::string loads, stores;
  if (vector) {
    std::map<unsigned, std::string> vectorLoads;
    expr.leaf = [&](Value v, StringRef lin) -> std::optional<std::string> {
      auto arg = dyn_cast<BlockArgument>(v);
      if (!arg || !getElementTypeOrSelf(v.getType()).isF32() ||
          lin.size() != 2 || lin[0] != 'i' || lin[1] < '0' ||
          lin[1] >= '0' + lanes)
        return std::nullopt;
      std::string &name = vectorLoads[arg.getArgNumber()];
      if (name.empty()) {
        name = "ld" + std::to_string(arg.getArgNumber());
        loads += llvm::formatv("    const dsF4 {0} = reinterpret_cast<const "
                               "dsF4 *>(in{1})[q];\n",
                               name, arg.getArgNumber())
                     .str();
      }
      return name + "." + "xyzw"[lin[1] - '0'];
    };
    for (auto [r, v] : llvm::enumerate(op.getYield().getValues())) {
      ElementKind e = *getElementKind(getElementTypeOrSelf(v.getType()));
      SmallVector<std::string> values;
      for (int64_t l = 0; l < lanes; ++l)
        values.push_back(expr.get(v, "i" + std::to_string(l)));
      if (e.kind == ElementKind::F32) {
        stores += llvm::formatv("    reinterpret_cast<dsF4 *>(out{0})[q] = "
                                "dsF4{{{1}, {2}, {3}, {4}};\n",
                                r, values[0], values[1], values[2], values[3])
                      .str();
        continue;
      }
      for (int64_t l = 0; l < lanes; ++l)
        stores +=
            llvm::formatv("    out{0}[i{1}] = {2};\n", r, l, e.store(values[l]))
                .str();
    }
  } else {
    stores = storeResults(op, expr, "i");
  }
  if (expr.failedAny)
    return failure();
  std::string s;
  llvm::raw_string_ostream os(s);
  if (vector)
    os << "struct alignas(16) dsF4 {\n  float x, y, z, w;\n};\n\n";
  os << "extern \"C\" __global__ void __launch_bounds__(" << kElementwiseBlock
     << ") " << k.name << "(" << params << ") {\n";
  std::string var = vector ? "q" : "i";
  os << "  for (" << it << " " << var << " = blockIdx.x * " << kElementwiseBlock
     << "u + threadIdx.x; " << var << " < " << iterations << "u; " << var
     << " += gridDim.x * " << kElementwiseBlock << "u) {\n";
  if (vector) {
    os << "    const " << it << " i0 = q * " << lanes << "u";
    for (int64_t l = 1; l < lanes; ++l)
      os << ", i" << l << " = i0 + " << l << "u";
    os << ";\n" << loads;
  }
  os << expr.code << stores << "  }\n}\n";
  k.source = finishSource(k, op, state.prelude + s);
  int64_t blocks = (iterations + kElementwiseBlock - 1) / kElementwiseBlock;
  k.grid = {static_cast<uint32_t>(std::max<int64_t>(
                1, std::min<int64_t>(blocks, kMaxElementwiseGrid))),
            1, 1};
  k.block = {kElementwiseBlock, 1, 1};
  return success();
}

//===----------------------------------------------------------------------===//
// Reduction rows
//===----------------------------------------------------------------------===//

namespace {

bool isReduceOp(Operation *op) {
  return isa<ReduceSumOp, ReduceMeanOp, ReduceMaxOp, ReduceMinOp, ReduceProdOp>(
      op);
}

} // namespace

LogicalResult KernelEmitter::emitFusedReduction(FusionOp op) {
  Block &body = op.getBody().front();
  SmallVector<Operation *> reductions;
  for (Operation &inner : body)
    if (isReduceOp(&inner))
      reductions.push_back(&inner);
  // The row space: the (first) reduced operand's shape; reduced dims are the
  // trailing ones (ds-fuse checks it; the checks below keep bad IR out).
  ArrayRef<int64_t> full = shapeOf(reductions.front()->getOperand(0));
  int64_t rows = product(shapeOf(reductions.front()->getResult(0)));
  int64_t len = product(full) / std::max<int64_t>(rows, 1);
  SmallVector<int64_t> kept;
  {
    int64_t acc = 1;
    for (int64_t d : full) {
      kept.push_back(acc < rows ? d : 1);
      acc *= d;
    }
  }
  if (product(kept) != rows)
    return op.emitOpError("unimplemented: a fused reduction over dims that "
                          "are not the trailing ones");
  for (Operation *r : reductions) {
    if (shapeOf(r->getOperand(0)) != full ||
        product(shapeOf(r->getResult(0))) != rows)
      return r->emitOpError("unimplemented: fused reductions over different "
                            "rows");
    FailureOr<ElementKind> e = kindOf(r, r->getResult(0));
    if (failed(e) ||
        failed(requireFloat(r, *e,
                            getElementTypeOrSelf(r->getResult(0).getType()))))
      return failure();
  }
  auto isScalar = [&](Value v) {
    return stripLeadingOnes(shapeOf(v)) == stripLeadingOnes(kept);
  };
  auto isFull = [&](Value v) {
    return stripLeadingOnes(shapeOf(v)) == stripLeadingOnes(full);
  };
  if (rows > std::numeric_limits<int32_t>::max())
    return op.emitOpError("unimplemented: more than 2^31 reduction rows");

  unsigned threads = 32;
  while (threads < 256 && threads < len)
    threads *= 2;
  unsigned warps = threads / 32;
  EmittedKernel &k = newKernel(op, "fusion_reduction");
  FusedState state;
  state.indexType = idxType(fusionMaxElements(op));
  std::string it = state.indexType;
  std::string params = fusedParameters(op, k);

  // Per-row scalars are computed once per block, in registers; values of the
  // row are recomputed in each pass that needs them.
  FusedExpr scalars(state, "  ");
  DenseMap<Operation *, std::string> reduced;
  std::function<std::optional<std::string>(Value, StringRef)> rowLeaf;
  rowLeaf = [&](Value v, StringRef) -> std::optional<std::string> {
    Operation *def = v.getDefiningOp();
    if (def && isReduceOp(def)) {
      auto it = reduced.find(def);
      if (it == reduced.end()) {
        scalars.fail(def, "a reduction read before it is computed");
        return std::string("0");
      }
      return it->second;
    }
    return std::nullopt;
  };
  scalars.leaf = rowLeaf;
  auto passLeaf = [&](Value v, StringRef lin) -> std::optional<std::string> {
    if (std::optional<std::string> r = rowLeaf(v, lin))
      return r;
    if (!isa<BlockArgument>(v) && isScalar(v) && !isFull(v))
      return scalars.get(v, "row");
    return std::nullopt;
  };
  std::string loop = llvm::formatv("  for ({0} j = threadIdx.x; j < {1}u; j "
                                   "+= {2}u) {{\n    const {0} e = row * {1}u "
                                   "+ j;\n",
                                   it, len, threads)
                         .str();
  std::string passes;
  std::set<std::string> reduceFunctions;
  std::string functions;
  for (Operation *r : reductions) {
    std::string init, combine, fn;
    llvm::TypeSwitch<Operation *>(r)
        .Case<ReduceSumOp, ReduceMeanOp>([&](auto) {
          init = "0.0f";
          combine = "$a + $b";
          fn = "dsBlockSum";
        })
        .Case([&](ReduceProdOp) {
          init = "1.0f";
          combine = "$a * $b";
          fn = "dsBlockProd";
        })
        .Case([&](ReduceMaxOp) {
          init = "__int_as_float(0xff800000)";
          combine = "($b > $a || $b != $b) ? $b : $a";
          fn = "dsBlockMax";
        })
        .Case([&](ReduceMinOp) {
          init = "__int_as_float(0x7f800000)";
          combine = "($b < $a || $b != $b) ? $b : $a";
          fn = "dsBlockMin";
        });
    if (reduceFunctions.insert(fn).second)
      functions += blockReduceFunction(fn, "float", combine, warps);
    std::string acc = "acc" + std::to_string(reduced.size());
    FusedExpr pass(state, "    ");
    pass.leaf = passLeaf;
    std::string x = pass.get(r->getOperand(0), "e");
    std::string apply = combine;
    auto replaceAll = [](std::string &text, StringRef from, StringRef to) {
      for (size_t p = text.find(from); p != std::string::npos;
           p = text.find(from, p + to.size()))
        text.replace(p, from.size(), to.str());
    };
    replaceAll(apply, "$a", acc);
    replaceAll(apply, "$b", x);
    // Scalars this pass needs were emitted into `scalars.code` by now.
    passes += scalars.code;
    scalars.code.clear();
    passes += "  float " + acc + " = " + init + ";\n" + loop + pass.code +
              "    " + acc + " = " + apply + ";\n  }\n";
    std::string value = fn + "(" + acc + ", scratch)";
    if (isa<ReduceMeanOp>(r))
      value =
          "(" + value + " / " + floatLiteral(static_cast<double>(len)) + ")";
    std::string name = "r" + std::to_string(reduced.size());
    passes += "  const float " + name + " = " + value + ";\n";
    reduced[r] = name;
  }
  // Results: row-shaped ones in a last pass, per-row scalars by thread 0.
  std::string fullStores, scalarStores;
  FusedExpr last(state, "    ");
  last.leaf = passLeaf;
  for (auto [i, v] : llvm::enumerate(op.getYield().getValues())) {
    ElementKind e = *getElementKind(getElementTypeOrSelf(v.getType()));
    if (isFull(v) && !isScalar(v)) {
      std::string value = last.get(v, "e");
      fullStores +=
          llvm::formatv("    out{0}[e] = {1};\n", i, e.store(value)).str();
    } else if (isScalar(v)) {
      std::string value = scalars.get(v, "row");
      scalarStores +=
          llvm::formatv("    out{0}[row] = {1};\n", i, e.store(value)).str();
    } else {
      return op.emitOpError("unimplemented: a fused reduction result that is "
                            "neither row-shaped nor per-row");
    }
  }
  if (scalars.failedAny || last.failedAny)
    return failure();
  std::string s;
  llvm::raw_string_ostream os(s);
  os << functions;
  os << "extern \"C\" __global__ void __launch_bounds__(" << threads << ") "
     << k.name << "(" << params << ") {\n";
  os << "  __shared__ float scratch[" << warps << "];\n";
  os << "  const " << it << " row = blockIdx.x;\n";
  os << passes << scalars.code;
  if (!fullStores.empty())
    os << loop << last.code << fullStores << "  }\n";
  if (!scalarStores.empty())
    os << "  if (threadIdx.x == 0) {\n" << scalarStores << "  }\n";
  os << "}\n";
  k.source = finishSource(k, op, state.prelude + s);
  k.grid = {static_cast<uint32_t>(rows), 1, 1};
  k.block = {threads, 1, 1};
  return success();
}
