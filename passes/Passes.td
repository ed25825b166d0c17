//===- Passes.td - ds passes -------------------------------*- tablegen -*-===//

#ifndef DS_PASSES_TD
#define DS_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Graph cleanup
//===----------------------------------------------------------------------===//

def DeadNodeEliminationPass
    : Pass<"ds-dead-node-elimination", "::mlir::func::FuncOp"> {
  let summary = "Removes nodes that do not reach an output and inference no-ops";
  let description = [{
    Removes every ds op whose results do not reach the function's return,
    and the inference no-ops that exporters leave behind: reshapes to the same
    type, identity transposes, transpose pairs that cancel and reshape chains.
    Weights that are no longer referenced disappear with their `ds.weight`
    op, so the compiled artifact does not carry them. With `outputs`, only
    the named function results are kept (an unknown name is an error). With
    `report`, a remark on the function gives the nodes and weight bytes
    removed.

    Before:
    ```mlir
    func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
      %w = ds.weight "unused" : tensor<1024xf32>
      %t = ds.transpose %x, perm = [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
      %u = ds.transpose %t, perm = [1, 0] : tensor<3x2xf32> -> tensor<2x3xf32>
      return %u : tensor<2x3xf32>
    }
    ```
    After:
    ```mlir
    func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
      return %x : tensor<2x3xf32>
    }
    ```
  }];
  let dependentDialects = ["::mlir::ds::DSDialect"];
  let options = [
    Option<"report", "report", "bool", /*default=*/"false",
           "Emit a remark with the nodes and weight bytes removed">,
    ListOption<"outputs", "outputs", "std::string",
               "Keep only these outputs (by ds.name or result number); "
               "everything that only fed the others is removed">,
  ];
}

//===----------------------------------------------------------------------===//
// Dynamic to static
//===----------------------------------------------------------------------===//

def StaticShapesPass : Pass<"ds-static-shapes", "::mlir::func::FuncOp"> {
  let summary = "Binds symbolic dims, infers every shape and folds shape "
                "computations";
  let description = [{
    Binds the symbolic (`?`) dims of the function's inputs, by the ONNX
    dim_param name the importer keeps in `ds.dims` (`batch=1`), by input name
    and position (`x[0]=1`) or by argument number (`0[0]=1`); then, to a
    fixed point, infers the shape of every op from its operands
    (`inferResultShape`, all ds ops) and folds ops whose operands are all
    small constants with the reference executor's kernels, so that shape
    subgraphs (Shape -> Gather -> Unsqueeze -> Concat -> Reshape) become
    constants and Reshape targets with -1 and 0 are resolved. Unless
    `allow-dynamic`, a `?` left anywhere is an error naming the op, its ONNX
    node and the dim.

    Before (`bind=batch=2`):
    ```mlir
    func.func @main(%x: tensor<?x4xf32> {ds.dims = ["batch", ""]}) -> tensor<?x2x2xf32> {
      %s = ds.shape %x {start = 0 : i64, end = 1 : i64} : tensor<?x4xf32> -> tensor<1xi64>
      %c = ds.constant dense<[2, 2]> : tensor<2xi64>
      %t = ds.concat %s, %c {axis = 0 : i64} : (tensor<1xi64>, tensor<2xi64>) -> tensor<3xi64>
      %r = ds.reshape %x, %t : tensor<?x4xf32>, tensor<3xi64> -> tensor<?x2x2xf32>
      return %r : tensor<?x2x2xf32>
    }
    ```
    After:
    ```mlir
    func.func @main(%x: tensor<2x4xf32> {ds.dims = ["batch", ""]}) -> tensor<2x2x2xf32> {
      %r = ds.reshape %x : tensor<2x4xf32> -> tensor<2x2x2xf32>
      return %r : tensor<2x2x2xf32>
    }
    ```
  }];
  let dependentDialects = ["::mlir::ds::DSDialect"];
  let options = [
    ListOption<"bind", "bind", "std::string",
               "Dim bindings: name=N, input[dim]=N or argnum[dim]=N">,
    Option<"allowDynamic", "allow-dynamic", "bool", /*default=*/"false",
           "Leave dims that cannot be determined dynamic instead of failing">,
    Option<"foldLimit", "fold-limit", "int64_t", /*default=*/"4096",
           "Largest constant (in elements) that folding may create; a fold "
           "never grows its inputs' total size beyond this">,
  ];
}

def FoldConstantsPass : Pass<"ds-fold-constants", "::mlir::ModuleOp"> {
  let summary = "Evaluates weight and constant subgraphs once at compile time";
  let description = [{
    Ops whose operands are all `ds.weight` or `ds.constant` are evaluated
    with the reference executor's kernels and replaced by their value: a new
    weight, written to the safetensors file `weights-out` that is appended to
    the module's `ds.weight_files`, or a `ds.constant` when the result has at
    most `inline-limit` elements. Identical folds (same op on the same
    weights) share one new weight, also across functions (batch buckets).

    A fold whose result would be larger than `max-growth` times its inputs
    (and over 1 KiB) is not materialized: an Expand, Tile or ConstantOfShape
    of a small constant stays a cheap kernel instead of becoming a big
    weight.

    With `fold-batch-norm`, a `ds.batch_norm` with constant statistics that
    follows a convolution (or a rank-2 matmul) with a constant weight, and is
    its only user, is folded into that weight and bias:
    `w' = w * s`, `b' = (b - mean) * s + beta` with
    `s = scale / sqrt(var + epsilon)` per output channel.

    Before:
    ```mlir
    %w = ds.weight "w" : tensor<8x4xf32>
    %t = ds.transpose %w, perm = [1, 0] : tensor<8x4xf32> -> tensor<4x8xf32>
    %y = ds.matmul %x, %t : (tensor<2x4xf32>, tensor<4x8xf32>) -> tensor<2x8xf32>
    ```
    After:
    ```mlir
    %t = ds.weight "folded.w" : tensor<4x8xf32>
    %y = ds.matmul %x, %t : (tensor<2x4xf32>, tensor<4x8xf32>) -> tensor<2x8xf32>
    ```
  }];
  let dependentDialects = ["::mlir::ds::DSDialect"];
  let options = [
    Option<"weightsOut", "weights-out", "std::string", /*default=*/"",
           "File for the new weights (default: <first weight file>."
           "folded.safetensors)">,
    Option<"maxGrowth", "max-growth", "double", /*default=*/"2.0",
           "Largest ratio of result bytes to input bytes that is folded">,
    Option<"inlineLimit", "inline-limit", "int64_t", /*default=*/"16",
           "Results with at most this many elements become ds.constant">,
    Option<"foldBatchNorm", "fold-batch-norm", "bool", /*default=*/"true",
           "Fold batch_norm into a preceding conv or matmul">,
    Option<"report", "report", "bool", /*default=*/"false",
           "Emit a remark with the ops folded and the weight bytes before "
           "and after">,
  ];
}

def BatchBucketsPass : Pass<"ds-batch-buckets", "::mlir::ModuleOp"> {
  let summary = "One static function per bucket of a dynamic dim, plus a "
                "signature table";
  let description = [{
    For `buckets=batch:1,2,4,8`, clones the entry function (`@main`, or the
    only function) once per value, binds the dim (by its ONNX name in
    `ds.dims`, as ds-static-shapes does) plus the fixed `bind` dims, and
    makes each clone static with ds-static-shapes. The clones are named
    `@<entry>_<dim>_<value>` and replace the dynamic function; the module
    attribute `ds.buckets` is the signature table the runtime reads to pick
    the smallest bucket that fits and pad:

    ```mlir
    module attributes {ds.buckets = {dim = "batch", entry = "main",
        functions = [@main_batch_1, @main_batch_2],
        values = array<i64: 1, 2>,
        bytes = array<i64: 9216, 13312>,
        input_axes = array<i64: 0>, result_axes = array<i64: 0>}} { ... }
    ```

    `bytes` is each bucket's estimated device memory: its weights plus every
    intermediate without reuse (an upper bound; the memory planner's arena
    is smaller). `input_axes` and `result_axes` give, per input and result,
    the axis that is the bucket dim (-1: none): the runtime pads inputs and
    slices results along it. An input axis is the one `ds.dims` names; a
    result axis is the one dim whose size differs between buckets and equals
    the bucket value (with a single bucket, a probe specialized at value + 1
    decides). A result that changes otherwise (a dim of 2 * batch, or two
    dims that follow the batch) is an error: it cannot be sliced back. With `memory-limit`, a bucket whose estimate exceeds it is
    dropped with a warning that names it, its estimate and the limit; it is
    an error when no bucket fits.
  }];
  let dependentDialects = ["::mlir::ds::DSDialect"];
  let options = [
    ListOption<"buckets", "buckets", "std::string",
               "The dim and its values: name:v1,v2,...">,
    ListOption<"bind", "bind", "std::string",
               "Further fixed bindings for every bucket (name=N, "
               "input[dim]=N)">,
    Option<"memoryLimit", "memory-limit", "int64_t", /*default=*/"0",
           "Largest estimated bytes of a bucket (0: no limit)">,
  ];
}

def RaisePatternsPass : Pass<"ds-raise-patterns", "::mlir::func::FuncOp"> {
  let summary = "Raises decomposed exporter patterns to single ds ops";
  let description = [{
    Exporters decompose activations into chains of primitive ops. This pass
    recognizes them and raises them to the ds op, so that codegen emits one
    expression instead of five kernels:

    - GELU, erf form (PyTorch `nn.GELU()`):
      `x * 0.5 * (1 + erf(x / sqrt(2)))` in any association of the two
      multiplications, with `/ sqrt(2)` or `* (1 / sqrt(2))`;
    - SiLU / swish: `x * sigmoid(x)`.

    Scalars must be splat `ds.constant`s within 1e-4 relative of the exact
    value. The pass does not fire when an intermediate value has other uses.

    Before:
    ```mlir
    %d = ds.div %x, %c_sqrt2 : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    %e = ds.erf %d : tensor<4xf32>
    %a = ds.add %e, %c_one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    %m = ds.mul %x, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %y = ds.mul %m, %c_half : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    ```
    After:
    ```mlir
    %y = ds.gelu %x : tensor<4xf32>
    ```
  }];
  let dependentDialects = ["::mlir::ds::DSDialect"];
}

//===----------------------------------------------------------------------===//
// Fusion
//===----------------------------------------------------------------------===//

def FusePass : Pass<"ds-fuse", "::mlir::ModuleOp"> {
  let summary = "Groups ops into ds.fusion regions, one kernel each";
  let description = [{
    Groups the ops of a static-shaped function into `ds.fusion` regions, each
    of which codegen turns into exactly one kernel (docs/design/fusion.md has
    the rules and the cost model), in three phases:

    1. contractions (`ds.matmul`, `ds.conv`, `ds.conv_transpose`) take their
       elementwise epilogue (bias, activation, residual add, scaling, clip):
       consumers that read the result at the same index; a matmul also
       absorbs transposes and views of its operands into its loads;
    2. reductions over trailing dims take their elementwise prologue and
       epilogue and other reductions over the same rows (decomposed softmax,
       layer norm, RMS norm, reduce-mean patterns): one block per row;
    3. the remaining elementwise, broadcast, transpose, expand and view ops
       form loop kernels, producers fused into consumers; a producer read at a
       broadcast index (recomputed per use) only when it is cheap.

    A value of a group that is also used outside becomes an extra result
    (multi-output) instead of being recomputed; contractions and reductions
    are never duplicated; a merge that would make a cycle between groups is
    refused. Ops of other kinds (pooling, softmax, concat, gather, ...) stay
    as they are: one kernel each. `report` emits a remark with kernel count
    and modelled device-memory bytes before and after, against the floor
    (weights read once plus inputs and outputs); `report-file` writes the
    same figures as JSON (per function and summed over the functions when
    there are several, e.g. batch buckets).

    Before:
    ```mlir
    %m = ds.matmul %x, %w : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
    %a = ds.add %m, %b : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
    %r = ds.relu %a : tensor<4x16xf32>
    ```
    After:
    ```mlir
    %r = ds.fusion "matmul" (%x, %w, %b) : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<4x16xf32> {
    ^bb0(%x0: tensor<4x8xf32>, %w0: tensor<8x16xf32>, %b0: tensor<16xf32>):
      %m = ds.matmul %x0, %w0 : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
      %a = ds.add %m, %b0 : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
      %r0 = ds.relu %a : tensor<4x16xf32>
      ds.yield %r0 : tensor<4x16xf32>
    }
    ```
  }];
  let dependentDialects = ["::mlir::ds::DSDialect"];
  let options = [
    Option<"report", "report", "bool", /*default=*/"false",
           "Emit a remark with kernels and modelled bytes before/after fusion "
           "and the floor">,
    Option<"reportFile", "report-file", "std::string", /*default=*/"\"\"",
           "Write the same figures as JSON to this file">,
    Option<"maxBroadcastCost", "max-broadcast-cost", "unsigned",
           /*default=*/"2",
           "Most recompute cost (per element) of a producer that a consumer "
           "reads at a broadcast index (see docs/design/fusion.md)">,
  ];
}

//===----------------------------------------------------------------------===//
// Memory planning
//===----------------------------------------------------------------------===//

def PlanMemoryPass : Pass<"ds-plan-memory", "::mlir::func::FuncOp"> {
  let summary = "Plans the device arena and where each weight lives";
  let description = [{
    Computes liveness over the function's kernel schedule and gives every
    activation an offset in one device arena; the artifact builder serializes
    the plan and the runtime only executes it.

    The schedule is the function's top-level ops in order: each op that is
    not a `ds.weight`, a `ds.constant` or a view (`ds.reshape`, `ds.flatten`,
    `ds.squeeze`, `ds.unsqueeze`, which alias their operand's bytes) is one
    kernel, a region op (a fusion group) included: values inside a region are
    never buffers, and a value the region's body reads counts as read by the
    region op. Inputs are live from before the first kernel, outputs until
    after the last; a returned value that is an input, a weight, a view or a
    repeat gets its own output buffer, written by a copy kernel after the
    others (as codegen does).

    Offsets come from the better of two heuristics (best fit by decreasing
    size; greedy first fit in schedule order). An elementwise result (unary or
    broadcasting binary op) reuses its operand's bytes when the operand is an
    intermediate whose last use is that op and has the result's shape and
    byte size (no broadcast). Every offset and size is a multiple of
    `alignment` (default 256 bytes, enough for any vector load).

    With `device-memory-budget` (bytes; 0: unlimited), weights that do not
    fit beside the arena are placed in host memory and streamed, per kernel,
    into one of two staging slots (double buffering); the weights read by
    many kernels stay resident. A budget the arena alone exceeds is an error
    that says by how much. Constants always stay resident.

    The plan is recorded as attributes: `ds.arena_offset` on inputs and on
    copied outputs, `ds.arena_offsets` (one per result) on kernel ops,
    `ds.placement` ("device" or "host") on weights and `ds.memory_plan` on
    the function (arena, lower bound, no-reuse size, heuristic, in-place
    count, resident and streamed weight bytes, staging, predicted time per
    inference from the bytes over the host link and HBM). `report` emits
    these figures as a remark.

    Before:
    ```mlir
    func.func @f(%x: tensor<256xf32>) -> tensor<256xf32> {
      %0 = ds.exp %x : tensor<256xf32>
      %1 = ds.tanh %0 : tensor<256xf32>
      %2 = ds.neg %1 : tensor<256xf32>
      return %2 : tensor<256xf32>
    }
    ```
    After (`%1` and `%2` take over `%0`'s bytes in place; the input keeps its
    own slot):
    ```mlir
    func.func @f(%x: tensor<256xf32> {ds.arena_offset = 0 : i64})
        -> tensor<256xf32>
        attributes {ds.memory_plan = {arena_bytes = 2048 : i64, in_place = 2 : i64,
                                      lower_bound_bytes = 2048 : i64, ...}} {
      %0 = ds.exp %x {ds.arena_offsets = array<i64: 1024>} : tensor<256xf32>
      %1 = ds.tanh %0 {ds.arena_offsets = array<i64: 1024>} : tensor<256xf32>
      %2 = ds.neg %1 {ds.arena_offsets = array<i64: 1024>} : tensor<256xf32>
      return %2 : tensor<256xf32>
    }
    ```
  }];
  let dependentDialects = ["::mlir::ds::DSDialect"];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"256",
           "Byte alignment of every arena offset and size (a power of two)">,
    Option<"deviceMemoryBudget", "device-memory-budget", "int64_t",
           /*default=*/"0",
           "Device bytes for arena, resident weights and staging; 0: "
           "unlimited">,
    Option<"hostLinkGBps", "host-link-gbps", "double", /*default=*/"25.0",
           "Assumed host-to-device bandwidth (GB/s) for the prediction">,
    Option<"hbmGBps", "hbm-gbps", "double", /*default=*/"4800.0",
           "Assumed device memory bandwidth (GB/s) for the prediction">,
    Option<"report", "report", "bool", /*default=*/"false",
           "Emit a remark with the plan's figures">,
  ];
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def QuantizeInt4Pass : Pass<"ds-quantize-int4", "::mlir::ModuleOp"> {
  let summary = "Quantizes matmul weights to group-wise INT4 (W4A16)";
  let description = [{
    Replaces the float weight `B` [K, N] of every selected `ds.matmul`
    (directly a 2-D `ds.weight`, or the `ds.transpose` of one, as Gemm with
    transB imports) by a `ds.dequantize_int4` of new weights: nibbles packed
    two per byte, one f16 scale (and, with `symmetric=false`, one u8 zero
    point) per group of `group-size` consecutive elements along K. The new
    weights go to one safetensors file (`weights-out`, default
    `<first weight file stem>.int4.safetensors`) that is appended to the
    module's `ds.weight_files`; the old weights disappear when unused.
    Layout and math: docs/design/int4.md.

    Methods: `rtn` (round to nearest), `search` (per-group clipping search
    minimizing the squared error), `awq` (activation-aware per-input-channel
    scaling chosen on calibration activations, which the pass computes by
    running the function on `calibration` inputs with the reference
    executor; the activation scaling becomes a `ds.mul` before the matmul).

    A weight is quantized when it has at least `min-elements` elements, its
    name or ONNX node name matches `include` (when given) and neither matches
    `exclude` (e.g. to keep the embedding or the last projection in float).
    With `report`, a remark per weight gives its relative error and bytes,
    and one on the module the totals.

    Before:
    ```mlir
    %w = ds.weight "fc.weight" : tensor<256x64xf32>
    %y = ds.matmul %x, %w : (tensor<2x256xf32>, tensor<256x64xf32>) -> tensor<2x64xf32>
    ```
    After (`group-size=128`):
    ```mlir
    %p = ds.weight "int4.fc.weight" : tensor<64x128xui8>
    %s = ds.weight "int4.fc.weight.scales" : tensor<64x2xf16>
    %w = ds.dequantize_int4 %p, %s {group_size = 128 : i64}
        : (tensor<64x128xui8>, tensor<64x2xf16>) -> tensor<256x64xf32>
    %y = ds.matmul %x, %w : (tensor<2x256xf32>, tensor<256x64xf32>) -> tensor<2x64xf32>
    ```
  }];
  let dependentDialects = ["::mlir::ds::DSDialect"];
  let options = [
    Option<"groupSize", "group-size", "int64_t", /*default=*/"128",
           "Elements per group along the reduction dim (a multiple of 8: "
           "32, 64, 128, ...)">,
    Option<"symmetric", "symmetric", "bool", /*default=*/"true",
           "Symmetric (no zero points) or asymmetric quantization">,
    Option<"method", "method", "std::string", /*default=*/"\"search\"",
           "rtn | search | awq">,
    Option<"minElements", "min-elements", "int64_t", /*default=*/"4096",
           "Leave weights with fewer elements in float">,
    Option<"include", "include", "std::string", /*default=*/"\"\"",
           "Regex: only weights whose name or ONNX node name matches">,
    Option<"exclude", "exclude", "std::string", /*default=*/"\"\"",
           "Regex: weights whose name or ONNX node name matches stay float">,
    ListOption<"calibration", "calibration", "std::string",
               "Calibration inputs for awq: name=file.npy (by ds.name or "
               "argument number); naming an input again starts another "
               "input set">,
    Option<"calibrationRows", "calibration-rows", "int64_t",
           /*default=*/"512",
           "Most activation rows per matmul used by awq (spread over the "
           "input sets)">,
    Option<"weightsOut", "weights-out", "std::string", /*default=*/"\"\"",
           "File for the quantized weights">,
    Option<"report", "report", "bool", /*default=*/"false",
           "Emit remarks with what was quantized and the errors">,
  ];
}

#endif // DS_PASSES_TD
