//===- DType.h - ds runtime element types -----------------------*- C++ -*-===//
//
// Element types shared by the artifact, the weights file and the kernels.
// The numeric values are part of the artifact format: never renumber.
//
//===----------------------------------------------------------------------===//

#ifndef DS_RUNTIME_DTYPE_H
#define DS_RUNTIME_DTYPE_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ds::runtime {

enum class DType : uint8_t {
  F32 = 0,
  F16 = 1,
  BF16 = 2,
  I64 = 3,
  I32 = 4,
  I1 = 5, ///< Stored as one byte per element (0 or 1).
  I8 = 6,
  U8 = 7,
  F64 = 8,
};

/// Bytes per element in memory.
size_t dtypeSize(DType t);
/// Short lower-case name: "f32", "f16", "bf16", "i64", "i32", "i1", ...
const char *dtypeName(DType t);
/// Inverse of dtypeName.
std::optional<DType> parseDTypeName(std::string_view name);
/// safetensors dtype names ("F32", "F16", "BF16", "I64", "I32", "BOOL", ...).
const char *dtypeSafetensorsName(DType t);
std::optional<DType> parseSafetensorsDType(std::string_view name);

/// Element type plus a static shape.
struct TensorType {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;

  int64_t numElements() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
  uint64_t byteSize() const {
    return static_cast<uint64_t>(numElements()) * dtypeSize(dtype);
  }
  /// byteSize() for untrusted shapes: nullopt when the dtype is invalid, a
  /// dimension is negative, or the byte size does not fit in int64 (so
  /// numElements() and byteSize() cannot overflow either).
  std::optional<uint64_t> checkedByteSize() const;
  /// "tensor<2x3xf32>"-like text for messages.
  std::string str() const;
  bool operator==(const TensorType &o) const {
    return dtype == o.dtype && shape == o.shape;
  }
  bool operator!=(const TensorType &o) const { return !(*this == o); }
};

/// f16/bf16 <-> f32 conversions (round to nearest even).
float halfToFloat(uint16_t h);
uint16_t floatToHalf(float f);
float bf16ToFloat(uint16_t h);
uint16_t floatToBf16(float f);

} // namespace ds::runtime

#endif // DS_RUNTIME_DTYPE_H
