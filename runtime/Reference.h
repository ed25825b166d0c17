//===- Reference.h - CPU reference executor for ds ops ----------*- C++ -*-===//
//
// A plain, trustworthy CPU implementation of every ds op, used to check the
// compiled kernels (`ds-run --check`) and by the tests. It favours clarity and
// accuracy over speed: floating-point math is done in double and rounded once
// to the result's element type (f16/bf16 are widened to float per element and
// narrowed back).
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

/// Runs one reference op. `results` must already be sized with their
/// TensorType (the reference checks that type against the op's semantics and
/// fails on a mismatch instead of reshaping). An unknown op, a wrong number of
/// operands or results, an unsupported element type or an inconsistent type
/// gives an error naming the op and `RefOp::location`.
///
/// Op semantics (RefOp::op, attributes in RefOp::attrs):
///  - add sub mul div max min pow: elementwise with numpy broadcasting
///    (integer div truncates toward zero; division by zero is an error);
///  - neg exp sqrt rsqrt tanh erf relu sigmoid silu gelu: elementwise; gelu's
///    attr "approximate" (str) is "none" (default, erf form) or "tanh";
///  - matmul: numpy matmul (1-D operands promoted and the unit dim dropped,
///    batch dims broadcast), accumulated in double;
///  - softmax: over attr "axis" (ints[0]), max-subtracted;
///  - transpose: attr "perm" (ints), result dim i is operand dim perm[i];
///  - reshape: copies the bytes into the (already typed) result.
/// Floats: f32, f16, bf16, f64. i32/i64: add sub mul div max min neg relu
/// reshape transpose (transpose and reshape take any element type).
Status runReferenceOp(const RefOp &op,
                      const std::vector<const HostTensor *> &operands,
                      const std::vector<HostTensor *> &results);

/// Runs Artifact::reference over fresh host tensors: one per buffer (View
/// buffers are materialized from their base when read before being written),
/// Weight/Constant buffers filled from the weight blob, `inputs` bound in
/// signature order (count and types checked). Returns the outputs in signature
/// order. Reading a buffer that no op wrote is an error.
StatusOr<std::vector<HostTensor>>
runReferenceProgram(const LoadedArtifact &artifact,
                    const std::vector<HostTensor> &inputs);

/// True if runReferenceOp knows `opName`.
bool hasReferenceOp(const std::string &opName);
/// Every op name runReferenceOp knows, in table order.
std::vector<std::string> referenceOpNames();

} // namespace ds::runtime

#endif // DS_RUNTIME_REFERENCE_H
