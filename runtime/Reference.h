//===- Reference.h - CPU reference executor for ds ops ----------*- C++ -*-===//
//
// A plain, trustworthy CPU implementation of every ds op, used to check the
// compiled kernels (`ds-run --check`) and by the tests: the oracle for real
// ONNX models. Semantics, operand order and attribute names are those of
// docs/design/ops.md (ONNX opset 17 semantics unless stated there).
//
// Shapes are dynamic: every op computes its result shape from its operands'
// runtime shapes and, for shape-like operands (reshape's shape, slice's
// starts, expand's shape, pad's pads, resize's scales/sizes, ...), their
// values, then sizes its result tensor itself.
//
// Numerics:
//  - elementwise ops, normalizations, reductions, pooling and resize compute
//    in double and round once to the result element type (f16/bf16 are
//    widened per element and narrowed back);
//  - matmul, conv and conv_transpose run a float GEMM (double for f64): cblas
//    (OpenBLAS) when the runtime was built with it, else a portable blocked
//    kernel. Each output is a float sum of K products, so compare against it
//    with a relative tolerance of about 1e-5 (K up to a few thousand) scaled
//    by sum|a*b| / |result|; f16/bf16 results are rounded once from that
//    float value;
//  - integers compute in int64 and wrap to i32 (two's complement).
//
//===----------------------------------------------------------------------===//

#ifndef DS_RUNTIME_REFERENCE_H
#define DS_RUNTIME_REFERENCE_H

#include "runtime/Artifact.h"
#include "runtime/Npy.h"
#include "runtime/Status.h"

#include <string>
#include <vector>

namespace ds::runtime {

/// Runs one reference op. Each result's incoming `type` is its declared type:
/// the element type is binding (it is the target of `cast` and
/// `constant_of_shape`; every other op checks it), the rank must match, and
/// dims are either static (checked against the computed shape) or -1
/// (dynamic). Incoming result bytes are ignored: the op resizes the result
/// to the computed type. Results must not alias operands. An unknown op, a
/// wrong number of operands or results, an unsupported element type, a bad
/// attribute or an inconsistent shape gives an error naming the op and
/// `RefOp::location`; a declared/computed mismatch names both types.
///
/// Element types: f32, f16, bf16 (and f64) for float ops; i32/i64 for
/// add sub mul div max min neg abs relu clip, the comparisons, the reduce
/// ops except reduce_mean, range, constant_of_shape and cast; i1 for not and
/// or xor, equal, where's condition and cast; every element type for the
/// data movement ops (reshape flatten squeeze unsqueeze transpose concat
/// slice gather expand tile pad where shape trilu, nearest resize).
/// Choices where ONNX leaves room: integer division truncates and dividing
/// by zero is an error; max/min/reduce_max/reduce_min/max_pool propagate
/// NaN; float-to-integer cast truncates toward zero and saturates (NaN
/// gives 0).
Status runReferenceOp(const RefOp &op,
                      const std::vector<const HostTensor *> &operands,
                      const std::vector<HostTensor *> &results);

/// Runs Artifact::reference over host tensors, one per buffer: Weight and
/// Constant buffers are filled from the weight blob, `inputs` are bound in
/// signature order (count, element type and rank checked; a -1 dim of an
/// input's declared type takes the bound tensor's dim, static dims must
/// match), every other buffer gets its shape and bytes from the op that
/// writes it (View buffers are materialized from their base when read
/// before being written). With buckets, runs the ops of the bucket that
/// fits the inputs on the zero-padded inputs and slices the outputs back,
/// as the compiled program does (runtime/Buckets.h). Returns the outputs in
/// signature order, with
/// their computed shapes. Reading a buffer that no op wrote is an error.
StatusOr<std::vector<HostTensor>>
runReferenceProgram(const LoadedArtifact &artifact,
                    const std::vector<HostTensor> &inputs);

/// True if runReferenceOp knows `opName`.
bool hasReferenceOp(const std::string &opName);
/// Every op name runReferenceOp knows, in table order: every op of
/// docs/design/ops.md except the sources (`weight`, `constant`), which are
/// buffers of the artifact rather than reference ops.
std::vector<std::string> referenceOpNames();

} // namespace ds::runtime

#endif // DS_RUNTIME_REFERENCE_H
