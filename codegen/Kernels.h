//===- Kernels.h - CUDA kernel templates of the emitter ---------*- C++ -*-===//
//
// Internal to the CUDA emitter (CudaEmitter.cpp and codegen/Kernels*.cpp):
// the KernelEmitter that walks a function, the index and literal helpers the
// templates share, and how each element type is stored and computed. One
// kernel per op, specialized to static shapes; the templates live by op
// category next to this file, as the reference executor's kernels do.
//
//===----------------------------------------------------------------------===//

#ifndef DS_CODEGEN_KERNELS_H
#define DS_CODEGEN_KERNELS_H

#include "codegen/CudaEmitter.h"
#include "dialects/DS/DSOps.h"

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace mlir::ds::cuda {

/// Threads per block of the one-element-per-thread templates.
constexpr unsigned kElementwiseBlock = 256;
/// Grid cap of the grid-stride loop.
constexpr unsigned kMaxElementwiseGrid = 4096;
constexpr unsigned kMatmulTile = 16;
/// The tensor-core (WMMA) matmul of f16/bf16 operands: a block computes a
/// kWmmaTileM x kWmmaTileN output tile with kWmmaWarps warps (each a 32x32
/// quarter, 2x2 fragments of 16x16x16) stepping K by kWmmaTileK through
/// shared memory.
constexpr unsigned kWmmaTileM = 64;
constexpr unsigned kWmmaTileN = 64;
constexpr unsigned kWmmaTileK = 32;
constexpr unsigned kWmmaWarps = 4;
/// Function attribute: `ds.tensor_cores = false` compiles the f16/bf16
/// matmuls of the function with the SIMT template instead (the fallback,
/// and the baseline of test/bench/tensorcore_bench.py).
constexpr const char kTensorCoresAttr[] = "ds.tensor_cores";
/// Threads per block of softmax and layer_norm (one block per row).
constexpr unsigned kRowBlock = 128;

//===----------------------------------------------------------------------===//
// Index math
//===----------------------------------------------------------------------===//

/// 32-bit unsigned indices when every index is below 2^31, else 64-bit.
std::string idxType(int64_t n);
/// Row-major strides of `shape`.
SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape);
/// Strides of `operand` broadcast numpy-style (right-aligned) to `result`:
/// 0 where it broadcasts.
SmallVector<int64_t> broadcastStrides(ArrayRef<int64_t> operand,
                                      ArrayRef<int64_t> result);
int64_t product(ArrayRef<int64_t> shape);
/// Emits code decomposing the linear index `lin` over `shape` into
/// coordinates <prefix>0..<prefix>N-1 (declared as `type`).
void emitCoordinates(llvm::raw_ostream &os, ArrayRef<int64_t> shape,
                     StringRef lin, StringRef type, StringRef indent,
                     StringRef prefix = "c");
/// Index of `operand` broadcast numpy-style to `shape`: "i" when it is not
/// broadcast, else the dot product of the coordinates c0.. with its
/// broadcast strides (and `coordinates` is set).
std::string broadcastIndex(Value operand, ArrayRef<int64_t> shape,
                           bool &coordinates);
/// `c0 * s0 + c1 * s1 ...` skipping zero strides; "0" when empty. Negative
/// strides subtract (unsigned arithmetic wraps back into range).
std::string dotCoordinates(ArrayRef<int64_t> strides, StringRef prefix = "c");

//===----------------------------------------------------------------------===//
// Literals
//===----------------------------------------------------------------------===//

/// A float constant in C syntax that rounds to the same float: "0.5f",
/// "1.0e+10f", or a bit pattern for infinities and NaN.
std::string floatLiteral(double v);
/// An integer constant of a 64-bit signed type ("-3LL"; INT64_MIN spelled
/// without overflow).
std::string int64Literal(int64_t v);

//===----------------------------------------------------------------------===//
// Element types
//===----------------------------------------------------------------------===//

/// How a kernel stores one element type and computes with it: f16 and bf16
/// are `unsigned short` in memory and `float` in registers (bit-level
/// conversions emitted into the source, see helperDefinitions), i1 is one
/// byte in memory and `bool` in registers.
struct ElementKind {
  enum Kind { F32, F16, BF16, I32, I64, I1 };
  Kind kind = F32;

  bool isFloat() const { return kind == F32 || kind == F16 || kind == BF16; }
  bool isInt() const { return kind == I32 || kind == I64; }
  /// C type in memory ("unsigned short" for f16).
  std::string storage() const;
  /// C type in registers ("float" for f16, "bool" for i1).
  std::string compute() const;
  /// Unsigned type of the integer kinds (wrapping arithmetic).
  std::string unsignedType() const;
  /// `expr` (a storage value) as a compute value.
  std::string load(StringRef expr) const;
  /// `expr` (a compute value) as a storage value.
  std::string store(StringRef expr) const;
};

/// The kind of `type`; failure for element types kernels do not handle.
FailureOr<ElementKind> getElementKind(Type type);
/// `value` (a compute value of `from`) converted as ds.cast does to the
/// compute type of `to`: float to integer truncates toward zero and
/// saturates (NaN gives 0), anything to i1 is `!= 0`, integers wrap.
std::string convertCompute(StringRef value, ElementKind from, ElementKind to);
/// `a op b` in the wrapping (unsigned) arithmetic of integer kind `k`.
std::string wrappingOp(ElementKind k, StringRef a, StringRef op, StringRef b);
/// The expression of unary elementwise op `op` (not cast) on the compute
/// value `x0` of kind `k`; empty when `op` does not support `k`.
std::string unaryExpression(Operation *op, ElementKind k);
/// The expression of broadcasting binary op `op` on the compute values `x0`
/// and `x1` of operand kind `k` (a compute value of the result's kind); empty
/// when `op` does not support `k`.
std::string binaryExpression(Operation *op, ElementKind k);
/// Definitions of the ds helper functions (conversions) that `source` calls,
/// to be placed before it.
std::string helperDefinitions(StringRef source);
/// A block-wide reduction device function `name(T v, T *scratch)` over
/// `warps` warps: __shfl_xor_sync within each warp, then the warp leaders
/// combine through `scratch`; every thread gets the result. `combine` is an
/// expression in `$a` and `$b`.
std::string blockReduceFunction(StringRef name, StringRef type,
                                StringRef combine, unsigned warps);

//===----------------------------------------------------------------------===//
// Operand values known at compile time
//===----------------------------------------------------------------------===//

/// The integers of an operand produced by ds.constant; failure otherwise.
FailureOr<SmallVector<int64_t>> getConstantInts(Value v);
/// The floats of an operand produced by ds.constant; failure otherwise.
FailureOr<SmallVector<double>> getConstantFloats(Value v);

//===----------------------------------------------------------------------===//
// The emitter
//===----------------------------------------------------------------------===//

/// A one-element-per-thread kernel over the result shape (grid-stride loop,
/// 256 threads per block): `body` runs once per result element with the
/// linear index `i` (and coordinates c0.. when `coordinates` is set) and
/// writes out[i]. Inputs are in0, in1, ... in the order of `inputs`.
struct PointwiseKernel {
  std::string opName;
  SmallVector<Value> inputs;
  SmallVector<std::string> inputTypes; ///< storage type of each input
  Value result;                        ///< null for an output copy
  std::string resultType;              ///< storage type
  SmallVector<int64_t> shape;          ///< the iteration space (result shape)
  bool coordinates = false;
  /// Index type of i and of the coordinates (see indexTypeFor).
  std::string indexType;
  /// File-scope declarations (lookup tables) placed before the kernel.
  std::string prelude;
  std::string body;
  /// Set for the kernel of a ds.fusion: the parameters are its inputs and
  /// results (fusedParameters), `inputs`/`result` are not used.
  FusionOp fusion;
};

//===----------------------------------------------------------------------===//
// Fused kernels (KernelsFused.cpp)
//===----------------------------------------------------------------------===//

/// What the expressions of one fused kernel share.
struct FusedState {
  /// Index type of the kernel (see idxType).
  std::string indexType;
  /// File-scope declarations (constant tables) placed before the kernel.
  std::string prelude;
  std::map<Operation *, std::string> constantTables;
  unsigned counter = 0;
};

/// Emits straight-line code computing values of a ds.fusion body at linear
/// indices of their own shape, by pull: each op asks for its operands at the
/// index it maps them to (broadcast, transposed, the same for views). Block
/// argument N is loaded from `inN`; splat constants become literals, other
/// constants tables in the prelude. Results are memoized per (value, index)
/// within one scope (one FusedExpr); `leaf` supplies values computed by the
/// kernel template (a contraction's accumulator, a reduction's result).
class FusedExpr {
public:
  FusedExpr(FusedState &state, std::string indent)
      : indent(std::move(indent)), state(state) {}

  /// A compute-typed expression (a literal or a variable name) of `v` at
  /// linear index `lin` of v's shape; statements it needs go to `code`.
  std::string get(Value v, StringRef lin);
  /// The index into `operand` read by an op of result shape `result` at
  /// `lin` (numpy broadcasting).
  std::string operandIndex(Value operand, ArrayRef<int64_t> result,
                           StringRef lin);
  /// Reports "unimplemented: <why>" on `op` (once) and returns a dummy.
  std::string fail(Operation *op, const Twine &why);

  std::function<std::optional<std::string>(Value, StringRef)> leaf;
  std::string indent;
  std::string code;
  bool failedAny = false;

private:
  std::string fresh(StringRef prefix);
  /// Declares the coordinates of `lin` over `shape`; returns their prefix.
  std::string coordinates(ArrayRef<int64_t> shape, StringRef lin);
  std::string define(Value v, StringRef lin, StringRef expr);

  FusedState &state;
  std::map<std::pair<void *, std::string>, std::string> memo;
  std::map<std::string, std::string> coordMemo;
};

/// Elements of the largest value a fusion touches (index type choice).
int64_t fusionMaxElements(FusionOp op);
/// Parameters of a fused kernel, `const T *__restrict__ in0, ..., T
/// *__restrict__ out0, ...` (the fusion's inputs, then its results); sets
/// k.args, k.numInputs and k.paramTypes.
std::string fusedParameters(FusionOp fusion, EmittedKernel &k);
/// Parameters of a matmul kernel: the fusion's (fusedParameters) or, for a
/// lone op, `const T *__restrict__ A, const T *__restrict__ B, T
/// *__restrict__ C` with T = `storage`; sets k.args, k.numInputs and
/// k.paramTypes.
std::string matmulParameters(MatmulOp op, FusionOp fusion, EmittedKernel &k,
                             StringRef storage);
/// Statements storing every yielded value of `fusion` at linear index `lin`
/// of its shape (`outN[lin] = ...`), computed through `expr`.
std::string storeResults(FusionOp fusion, FusedExpr &expr, StringRef lin);
/// The epilogue of a contraction `op` inside `fusion`: statements that store
/// every result at output index `lin`, where the expression `value` is op's
/// result (the accumulator; kernels round it to the element type first, as
/// the unfused op stores it). Failure (reported on `op`) when the epilogue
/// reads op's result at another index.
FailureOr<std::string> contractionEpilogue(FusionOp fusion, Operation *op,
                                           FusedState &state, StringRef lin,
                                           StringRef value, StringRef indent);

/// A matmul normalized to [batch..., M, K] x [batch..., K, N] (numpy rules,
/// 1-D operands promoted), with the broadcast batch strides of A and B in
/// whole matrices.
struct MatmulShape {
  ElementKind e;
  int64_t m = 0, k = 0, n = 0;
  SmallVector<int64_t> batch, aStrides, bStrides;
  int64_t batchCount = 1;
  /// Index type of the kernel (covers the fusion's values when fused).
  std::string indexType;
};

class KernelEmitter {
public:
  explicit KernelEmitter(func::FuncOp func) : func(func) {}

  FailureOr<KernelProgram> run();

private:
  LogicalResult emitOp(Operation *op);

  // KernelsElementwise.cpp
  LogicalResult emitUnary(Operation *op);
  LogicalResult emitCast(CastOp op);
  LogicalResult emitBinary(Operation *op);
  LogicalResult emitWhere(WhereOp op);
  LogicalResult emitBatchNorm(BatchNormOp op);
  /// Elementwise kernel over broadcast operands: loads x0, x1, ... (compute
  /// values of `kinds`) at their broadcast indices, stores `expr` (a compute
  /// value of `resultKind`) to out[i].
  void emitElementwise(Operation *op, StringRef opName, ArrayRef<Value> inputs,
                       ArrayRef<ElementKind> kinds, Value result,
                       ArrayRef<int64_t> shape, ElementKind resultKind,
                       StringRef expr);

  // KernelsContraction.cpp
  /// With `fusion`, the kernel of that "matmul" fusion: operands pulled
  /// through the body, the epilogue applied at the store.
  LogicalResult emitMatmul(MatmulOp op, FusionOp fusion = {});
  // KernelsGemv.cpp: matmuls of at most 8 rows (decoding).
  bool isGemvShape(MatmulOp op, FusionOp fusion);
  LogicalResult emitMatmulGemv(MatmulOp op, FusionOp fusion);
  FailureOr<MatmulShape> matmulShape(MatmulOp op, FusionOp fusion);
  /// f16/bf16 operands of one type, unless the function opts out with
  /// `ds.tensor_cores = false`.
  bool useTensorCores(MatmulOp op, const MatmulShape &shape) const;
  /// The WMMA template (nvcuda::wmma m16n16k16, f32 accumulation), fused
  /// epilogue included.
  LogicalResult emitMatmulTensorCore(MatmulOp op, FusionOp fusion,
                                     const MatmulShape &shape);
  /// With `fusion`, the kernel of that "conv" fusion (epilogue at the store).
  LogicalResult emitConv(ConvOp op, FusionOp fusion = {});
  /// f16/bf16 input and weight, group 1, unless the function opts out with
  /// `ds.tensor_cores = false`, and large enough for an implicit GEMM:
  /// channels x taps >= kWmmaTileK and >= 16 output channels.
  bool useTensorCores(ConvOp op) const;
  /// Implicit GEMM on the tensor-core template: M = output channels,
  /// N = output positions, K = input channels x taps, one image per
  /// gridDim.z; the image patch gathered while loading B tiles.
  LogicalResult emitConvTensorCore(ConvOp op, FusionOp fusion);
  LogicalResult emitConvTranspose(ConvTransposeOp op, FusionOp fusion = {});
  /// max_pool and avg_pool.
  LogicalResult emitPool(Operation *op);

  // KernelsQuantized.cpp
  /// The dequantize_int4 whose loads the W4A16 kernel of `op` fuses, or null
  /// when `op` is a plain matmul.
  static DequantizeInt4Op fusableDequant(MatmulOp op);
  /// A standalone dequantization kernel, unless every user fuses it.
  LogicalResult emitDequantizeInt4(DequantizeInt4Op op);
  /// Records the activation-scaling muls and epilogue adds that W4A16
  /// kernels compute (in `absorbed`), before any kernel is emitted.
  void collectFusedInt4Ops();
  /// [x * s] matmul(x, dequantize_int4(...)) [+ add]: GEMV or GEMM.
  LogicalResult emitMatmulInt4(MatmulOp op, DequantizeInt4Op dq);

  // KernelsNormalization.cpp
  LogicalResult emitSoftmax(SoftmaxOp op);
  LogicalResult emitLayerNorm(LayerNormOp op);
  LogicalResult emitReduce(Operation *op);

  // KernelsFused.cpp
  LogicalResult emitFusion(FusionOp op);
  LogicalResult emitFusedElementwise(FusionOp op);
  LogicalResult emitFusedReduction(FusionOp op);
  LogicalResult checkFusionTypes(FusionOp op);

  // KernelsDataMovement.cpp
  LogicalResult emitTranspose(TransposeOp op);
  LogicalResult emitConcat(ConcatOp op);
  LogicalResult emitSlice(SliceOp op);
  LogicalResult emitGather(GatherOp op);
  LogicalResult emitExpand(ExpandOp op);
  LogicalResult emitTile(TileOp op);
  LogicalResult emitPad(PadOp op);
  LogicalResult emitResize(ResizeOp op);
  LogicalResult emitTrilu(TriluOp op);
  LogicalResult emitRange(RangeOp op);
  LogicalResult emitShape(ShapeOp op);
  LogicalResult emitConstantOfShape(ConstantOfShapeOp op);

  /// Index type wide enough for every element of `values` and `shape`.
  static std::string indexTypeFor(ArrayRef<Value> values,
                                  ArrayRef<int64_t> shape);
  /// The element kind of `v`, or an "unimplemented" error on `op`.
  FailureOr<ElementKind> kindOf(Operation *op, Value v);
  /// Fails on `op` unless `kind` is a float kind.
  LogicalResult requireFloat(Operation *op, ElementKind kind, Type type);
  void emitPointwise(Operation *op, PointwiseKernel &spec);
  EmittedKernel &newKernel(Operation *op, StringRef opName);
  /// `// ds kernel <name>: <op> (<node>)` and the helper definitions the
  /// body calls, then the body.
  std::string finishSource(const EmittedKernel &k, Operation *op,
                           StringRef body);

  func::FuncOp func;
  KernelProgram program;
  /// Ops computed inside an earlier op's kernel (a fused epilogue).
  llvm::SmallPtrSet<Operation *, 8> absorbed;
};

} // namespace mlir::ds::cuda

#endif // DS_CODEGEN_KERNELS_H
