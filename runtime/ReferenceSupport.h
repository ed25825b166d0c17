//===- ReferenceSupport.h - Shared helpers of the reference ops -*- C++ -*-===//
//
// Internal to the reference executor (runtime/Reference*.cpp): diagnostics,
// whole-tensor element conversions, broadcasting, attribute readers, result
// sizing and the GEMM the contractions share. Not part of the runtime API.
//
//===----------------------------------------------------------------------===//

#ifndef DS_RUNTIME_REFERENCESUPPORT_H
#define DS_RUNTIME_REFERENCESUPPORT_H

#include "runtime/Artifact.h"
#include "runtime/Npy.h"
#include "runtime/Status.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ds::runtime::ref {

using Operands = std::vector<const HostTensor *>;
using Results = std::vector<HostTensor *>;
using Shape = std::vector<int64_t>;

/// A reference kernel: reads `operands` (present ones only; optional operands
/// are omitted), sizes and fills every result through setResult().
using OpFn = Status (*)(const RefOp &, const Operands &, const Results &);

/// One row of the dispatch table.
struct OpEntry {
  const char *name;
  unsigned minOperands;
  unsigned maxOperands; ///< ~0u: variadic
  unsigned numResults;
  OpFn fn;
};

/// The table rows of each category, in the order docs/design/ops.md lists
/// them.
std::vector<OpEntry> elementwiseOps();
std::vector<OpEntry> contractionOps();
std::vector<OpEntry> normalizationOps();
std::vector<OpEntry> dataMovementOps();
std::vector<OpEntry> quantizedOps();

//===----------------------------------------------------------------------===//
// Diagnostics
//===----------------------------------------------------------------------===//

/// Error naming the op and its source location.
Status opError(const RefOp &op, const std::string &message);
std::string shapeStr(const Shape &shape);
/// "unsupported element type <t>" (+ " for <what>" when given).
Status unsupportedType(const RefOp &op, DType t, const std::string &what = "");

//===----------------------------------------------------------------------===//
// Element types and whole-tensor conversions
//===----------------------------------------------------------------------===//

/// f32, f16, bf16, f64.
bool isFloatType(DType t);
/// i32, i64.
bool isIntType(DType t);

/// Every element widened to double (float, integer and i1 element types).
std::vector<double> toDoubles(const HostTensor &t);
/// Every element as int64 (i32, i64, i1 only).
std::vector<int64_t> toInts(const HostTensor &t);
/// Rounds each value once to `t`'s element type (float types), or converts
/// it as `cast` does (integer types truncate toward zero and saturate, i1 is
/// `!= 0`). `t` must already be sized.
void fromDoubles(HostTensor &t, const std::vector<double> &v);
/// Integer element types wrap (two's complement); i1 is `!= 0`; float types
/// round.
void fromInts(HostTensor &t, const std::vector<int64_t> &v);

/// A tensor's elements as a contiguous T array: points into the tensor when
/// its element type already is T, else holds a widened copy.
template <typename T> class ElementBuffer {
public:
  explicit ElementBuffer(const HostTensor &t);
  const T *data() const { return ptr; }

private:
  std::vector<T> owned;
  const T *ptr = nullptr;
};
/// Writes T values into a sized tensor of a float element type.
template <typename T> void storeElements(HostTensor &t, const T *values);

//===----------------------------------------------------------------------===//
// Shapes and broadcasting
//===----------------------------------------------------------------------===//

Shape rowMajorStrides(const Shape &shape);
int64_t product(const Shape &shape, size_t begin, size_t end);
inline int64_t product(const Shape &shape) {
  return product(shape, 0, shape.size());
}

/// numpy broadcasting of two shapes; nullopt when incompatible.
std::optional<Shape> broadcastShapes(const Shape &a, const Shape &b);
/// Element strides of `shape` read as if broadcast to `outShape` (which it
/// must broadcast to): right-aligned, 0 for broadcast dimensions.
Shape broadcastStrides(const Shape &shape, const Shape &outShape);

/// Visits every index of `shape` in row-major order, calling
/// fn(linearIndex, offsets) where offsets[k] = sum_d index[d] * strides[k][d].
/// Zero strides express broadcasting. Runs once for rank 0, never for an
/// empty shape.
template <size_t N, typename Fn>
void forEachIndex(const Shape &shape, const std::array<Shape, N> &strides,
                  Fn fn) {
  int64_t total = product(shape);
  if (total == 0)
    return;
  size_t rank = shape.size();
  Shape index(rank, 0);
  std::array<int64_t, N> offsets{};
  for (int64_t linear = 0; linear < total; ++linear) {
    fn(linear, offsets);
    // Increment the multi-index, carrying into outer dimensions.
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < shape[d]) {
        for (size_t k = 0; k < N; ++k)
          offsets[k] += strides[k][d];
        break;
      }
      for (size_t k = 0; k < N; ++k)
        offsets[k] -= strides[k][d] * (shape[d] - 1);
      index[d] = 0;
    }
  }
}

//===----------------------------------------------------------------------===//
// Attributes and shape-like operands
//===----------------------------------------------------------------------===//

/// Integer attribute `name` (exactly one integer); `def` when absent, an
/// error when absent without a default or malformed.
Status intAttr(const RefOp &op, const char *name, std::optional<int64_t> def,
               int64_t &out);
/// Integer-array attribute; `def` when absent.
Status intsAttr(const RefOp &op, const char *name, std::optional<Shape> def,
                Shape &out);
/// Float attribute (exactly one float); `def` when absent.
Status floatAttr(const RefOp &op, const char *name, double def, double &out);
/// String attribute that must be one of `allowed`; `def` when absent.
Status strAttr(const RefOp &op, const char *name, const std::string &def,
               const std::vector<std::string> &allowed, std::string &out);
/// Normalizes axis `v` (negative counts from the back) of a rank-`rank`
/// tensor; `what` names it in the error.
Status normalizeAxis(const RefOp &op, const std::string &what, int64_t v,
                     int64_t rank, int64_t &axis);

/// Values of a rank-1 i64/i32 operand (Reshape's shape, Slice's starts, ...).
Status readIndexVector(const RefOp &op, const HostTensor &t,
                       const std::string &what, Shape &out);
/// The single value of a rank-0 (or one-element) i64/i32 operand.
Status readIndexScalar(const RefOp &op, const HostTensor &t,
                       const std::string &what, int64_t &out);

//===----------------------------------------------------------------------===//
// Results
//===----------------------------------------------------------------------===//

/// Sizes `result` (result #`index`) to `type`, zero-filled. Its incoming type
/// is the declared one: the element type must match, the rank must match and
/// every static (non -1) dim must equal the computed one; a mismatch is an
/// error naming both types.
Status setResult(const RefOp &op, HostTensor &result, const TensorType &type,
                 size_t index = 0);

//===----------------------------------------------------------------------===//
// GEMM
//===----------------------------------------------------------------------===//

/// C = op(A) * op(B) (+ C when `accumulate`), row-major: op(A) is M x K (A
/// is stored K x M with leading dimension lda when transA), op(B) is K x N,
/// C is M x N with leading dimension ldc. Uses cblas when the runtime was
/// built with it (DS_REFERENCE_HAVE_CBLAS), else a cache-blocked portable
/// kernel. Accumulates in T: float sums have errors of order
/// sqrt(K) * 2^-24 * sum|a*b| (see Reference.h).
void gemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k,
          const float *a, int64_t lda, const float *b, int64_t ldb, float *c,
          int64_t ldc, bool accumulate);
void gemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k,
          const double *a, int64_t lda, const double *b, int64_t ldb, double *c,
          int64_t ldc, bool accumulate);
/// The portable kernel gemm() falls back to without cblas; exposed so tests
/// cover it on builds that have cblas too.
void portableGemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k,
                  const float *a, int64_t lda, const float *b, int64_t ldb,
                  float *c, int64_t ldc, bool accumulate);
void portableGemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k,
                  const double *a, int64_t lda, const double *b, int64_t ldb,
                  double *c, int64_t ldc, bool accumulate);
/// "cblas" or "portable": which GEMM gemm() runs (for benchmarks and logs).
const char *gemmBackendName();

/// Elements the im2col (conv) and column (conv_transpose) scratch matrices
/// may hold; larger problems are processed in chunks of spatial rows. Tests
/// lower it to exercise the chunking.
extern int64_t convScratchElements;

} // namespace ds::runtime::ref

#endif // DS_RUNTIME_REFERENCESUPPORT_H
