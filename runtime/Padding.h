//===- Padding.h - ONNX auto_pad formulas -----------------------*- C++ -*-===//
//
// The pads that ONNX's auto_pad SAME_UPPER / SAME_LOWER (and ConvTranspose's
// output_shape) imply for one spatial dim. Header-only and MLIR-free: the
// importer, the ops' shape functions, ds-static-shapes and the reference
// executor all resolve pads with these.
//
//===----------------------------------------------------------------------===//

#ifndef DS_RUNTIME_PADDING_H
#define DS_RUNTIME_PADDING_H

#include <algorithm>
#include <cstdint>
#include <string_view>

namespace ds::runtime {

/// True for the auto_pad values that are resolved from the input size.
inline bool isSameAutoPad(std::string_view autoPad) {
  return autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
}

/// Splits `total` padding of one dim: SAME_UPPER puts the extra one at the
/// end, SAME_LOWER at the beginning.
inline void splitPadding(std::string_view autoPad, int64_t total,
                         int64_t &begin, int64_t &end) {
  int64_t small = total / 2, large = total - small;
  begin = autoPad == "SAME_LOWER" ? large : small;
  end = autoPad == "SAME_LOWER" ? small : large;
}

/// Conv and pooling: the output is ceil(in / stride) long.
inline void samePads(std::string_view autoPad, int64_t in, int64_t kernel,
                     int64_t stride, int64_t dilation, int64_t &begin,
                     int64_t &end) {
  int64_t out = (in + stride - 1) / stride;
  int64_t total = std::max<int64_t>(0, (out - 1) * stride +
                                           (kernel - 1) * dilation + 1 - in);
  splitPadding(autoPad, total, begin, end);
}

/// ConvTranspose: pads that make the output `target` long (`target` is the
/// output_shape entry, or in * stride for SAME). As ONNX specifies, only
/// SAME_UPPER puts the extra one at the end (an output_shape without
/// auto_pad puts it at the beginning). False when that needs negative
/// padding.
inline bool transposePads(std::string_view autoPad, int64_t in, int64_t target,
                          int64_t kernel, int64_t stride, int64_t dilation,
                          int64_t outputPadding, int64_t &begin, int64_t &end) {
  int64_t total =
      stride * (in - 1) + outputPadding + (kernel - 1) * dilation + 1 - target;
  if (total < 0)
    return false;
  int64_t small = total / 2, large = total - small;
  bool upper = autoPad == "SAME_UPPER";
  begin = upper ? small : large;
  end = upper ? large : small;
  return true;
}

} // namespace ds::runtime

#endif // DS_RUNTIME_PADDING_H
