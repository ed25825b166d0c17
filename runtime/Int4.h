//===- Int4.h - INT4 weight quantization math -------------------*- C++ -*-===//
//
// Group-wise 4-bit weight quantization for W4A16 matmuls (docs/design/int4.md):
// the quantization methods (round to nearest, clipping search, activation-
// aware scaling), the packed storage layout the kernels load, and its exact
// inverse. No MLIR: the compiler pass (passes/QuantizeInt4.cpp), the
// reference executor (`dequantize_int4`) and the tests share this code.
//
// A quantized matrix has `rows` output channels of `cols` weights each; the
// columns are the matmul's reduction dim (a matmul rhs B[K, N] is stored as
// its transpose: rows = N, cols = K). Each row is cut into groups of
// `groupSize` consecutive columns (the last one may be shorter); every group
// has one f16 scale s and one zero point z in [0, 15] (8 for symmetric
// quantization, not stored), and each weight is the nibble q in [0, 15] with
//
//     w = (q - z) * s.
//
//===----------------------------------------------------------------------===//

#ifndef DS_RUNTIME_INT4_H
#define DS_RUNTIME_INT4_H

#include "runtime/Status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ds::runtime::int4 {

/// Which values a quantizer picks for each group.
enum class Method {
  /// Round to nearest over the full range of the group (the baseline).
  Rtn,
  /// Clipping search: tries ranges shrunk by factors in [0.5, 1] and keeps
  /// the one with the smallest (importance-weighted) squared error.
  Search,
  /// Activation-aware per-input-channel scaling (AWQ, arXiv 2306.00978)
  /// followed by the clipping search; needs calibration activations.
  Awq,
};

/// "rtn", "search", "awq".
const char *methodName(Method m);
/// Inverse of methodName; false for unknown names.
bool parseMethod(const std::string &name, Method &out);

struct Options {
  int64_t groupSize = 128; ///< 32, 64 or 128 (any value >= 2 works)
  bool symmetric = true;   ///< false: per-group zero points are stored
  Method method = Method::Rtn;
};

/// A quantized matrix in its stored form (docs/design/int4.md).
struct QuantizedMatrix {
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t groupSize = 128;
  bool symmetric = true;
  /// rows x bytesPerRow(): byte j of row r holds column 2j in its low nibble
  /// and column 2j+1 in its high nibble (0 in the padding nibble of an odd
  /// column count).
  std::vector<uint8_t> packed;
  /// rows x groupsPerRow() f16 bit patterns.
  std::vector<uint16_t> scales;
  /// rows x groupsPerRow() zero points in [0, 15]; empty when symmetric.
  std::vector<uint8_t> zeros;

  int64_t bytesPerRow() const { return (cols + 1) / 2; }
  int64_t groupsPerRow() const { return (cols + groupSize - 1) / groupSize; }
  /// Nibble of (r, c).
  uint8_t code(int64_t r, int64_t c) const;
  /// Zero point of the group holding (r, c).
  uint8_t zero(int64_t r, int64_t c) const;
  /// Dequantized value of (r, c), computed in f32 as the kernels do.
  float value(int64_t r, int64_t c) const;
  /// Bytes of packed + scales + zeros.
  uint64_t storedBytes() const;
};

/// Bytes a rows x cols matrix takes when quantized with `groupSize` (packed
/// nibbles, f16 scales, u8 zero points when asymmetric).
uint64_t storedBytes(int64_t rows, int64_t cols, int64_t groupSize,
                     bool symmetric);
/// storedBytes * 8 / (rows * cols): 4.125 at group 128 symmetric, 4.1875
/// asymmetric.
double bitsPerWeight(int64_t rows, int64_t cols, int64_t groupSize,
                     bool symmetric);

/// Quantizes a row-major rows x cols f32 matrix with Rtn or Search.
/// `importance` (cols values, or empty) weights the squared error of each
/// column in the search (e.g. the mean square of the activation that
/// multiplies it); ignored by Rtn. Errors: bad sizes or group size,
/// non-finite weights, a scale beyond the f16 range.
StatusOr<QuantizedMatrix> quantize(const float *w, int64_t rows, int64_t cols,
                                   const Options &options,
                                   const std::vector<float> &importance = {});

/// Result of the activation-aware method: the matmul computes
/// (x * inputScale) . dequant(matrix)^T, which approximates x . w^T.
struct AwqResult {
  QuantizedMatrix matrix;
  /// One multiplier per column (reduction index) applied to the activation;
  /// all 1 when the search kept alpha = 0.
  std::vector<float> inputScale;
  double alpha = 0; ///< chosen exponent: s_k = mean|x_k|^alpha
  /// Mean squared output error on the calibration rows: plain round to
  /// nearest and the result.
  double rtnOutputMse = 0;
  double outputMse = 0;
};

/// AWQ: searches alpha in {0, 0.05, ..., 1} for per-column scales
/// s_k = mean|x_k|^alpha (normalized to geometric mean 1), quantizes w * s
/// with round to nearest, keeps the alpha with the smallest output error on
/// the calibration activations `x` (samples x cols, row-major), then runs
/// the clipping search on the scaled weights with the scaled activations'
/// mean squares as importance. alpha = 0 is round to nearest itself, so the
/// calibration error never exceeds that of round to nearest before the
/// final clipping step.
StatusOr<AwqResult> quantizeAwq(const float *w, int64_t rows, int64_t cols,
                                const float *x, int64_t samples,
                                const Options &options);

/// Every value of `m`, row-major rows x cols.
std::vector<float> dequantize(const QuantizedMatrix &m);

/// Packs row-major nibbles (rows x cols, each < 16) into the stored layout.
std::vector<uint8_t> pack(const std::vector<uint8_t> &codes, int64_t rows,
                          int64_t cols);
/// Inverse of pack.
std::vector<uint8_t> unpack(const std::vector<uint8_t> &packed, int64_t rows,
                            int64_t cols);

/// sqrt(sum (a - b)^2 / sum a^2); 0 when a is all zero and a == b.
double relativeRmsError(const float *a, const float *b, int64_t n);

} // namespace ds::runtime::int4

#endif // DS_RUNTIME_INT4_H
