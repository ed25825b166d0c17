//===- DType.cpp - ds runtime element types -------------------------------===//
//
// Names and sizes of the element types, and the bit-exact f16/bf16 <-> f32
// conversions used on the host (weights, the reference executor, .npy I/O).
//
//===----------------------------------------------------------------------===//

#include "runtime/DType.h"

#include <cstring>

namespace ds::runtime {

namespace {

/// One row of the dtype table: the enum value and its spellings.
struct DTypeInfo {
  DType dtype;
  size_t size;
  const char *name;
  const char *safetensorsName;
};

constexpr DTypeInfo kDTypes[] = {
    {DType::F32, 4, "f32", "F32"},    {DType::F16, 2, "f16", "F16"},
    {DType::BF16, 2, "bf16", "BF16"}, {DType::I64, 8, "i64", "I64"},
    {DType::I32, 4, "i32", "I32"},    {DType::I1, 1, "i1", "BOOL"},
    {DType::I8, 1, "i8", "I8"},       {DType::U8, 1, "u8", "U8"},
    {DType::F64, 8, "f64", "F64"},
};

const DTypeInfo *lookup(DType t) {
  for (const DTypeInfo &info : kDTypes)
    if (info.dtype == t)
      return &info;
  return nullptr;
}

uint32_t floatBits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof(bits));
  return bits;
}

float bitsToFloat(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

} // namespace

size_t dtypeSize(DType t) {
  const DTypeInfo *info = lookup(t);
  return info ? info->size : 0;
}

const char *dtypeName(DType t) {
  const DTypeInfo *info = lookup(t);
  return info ? info->name : "<invalid dtype>";
}

std::optional<DType> parseDTypeName(std::string_view name) {
  for (const DTypeInfo &info : kDTypes)
    if (name == info.name)
      return info.dtype;
  return std::nullopt;
}

const char *dtypeSafetensorsName(DType t) {
  const DTypeInfo *info = lookup(t);
  return info ? info->safetensorsName : "<invalid dtype>";
}

std::optional<DType> parseSafetensorsDType(std::string_view name) {
  for (const DTypeInfo &info : kDTypes)
    if (name == info.safetensorsName)
      return info.dtype;
  return std::nullopt;
}

std::optional<uint64_t> TensorType::checkedByteSize() const {
  uint64_t n = dtypeSize(dtype);
  if (n == 0)
    return std::nullopt;
  // The byte size bounds the element count, so checking it against int64
  // after every step keeps every partial product in range.
  constexpr uint64_t kMax = static_cast<uint64_t>(INT64_MAX);
  for (int64_t d : shape)
    if (d < 0 || __builtin_mul_overflow(n, static_cast<uint64_t>(d), &n) ||
        n > kMax)
      return std::nullopt;
  return n;
}

std::string TensorType::str() const {
  std::string s = "tensor<";
  for (int64_t d : shape) {
    s += d < 0 ? std::string("?") : std::to_string(d);
    s += 'x';
  }
  s += dtypeName(dtype);
  s += '>';
  return s;
}

//===----------------------------------------------------------------------===//
// f16
//===----------------------------------------------------------------------===//

float halfToFloat(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  if (exp == 0x1f) // Inf or NaN; the payload moves to the top of the mantissa.
    return bitsToFloat(sign | 0x7f800000 | (mant << 13));
  if (exp != 0)
    return bitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  if (mant == 0)
    return bitsToFloat(sign);
  // Subnormal: normalize; every f16 subnormal is an f32 normal.
  uint32_t e = 113;
  while (!(mant & 0x400)) {
    mant <<= 1;
    --e;
  }
  return bitsToFloat(sign | (e << 23) | ((mant & 0x3ff) << 13));
}

uint16_t floatToHalf(float f) {
  uint32_t x = floatBits(f);
  uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000);
  uint32_t absx = x & 0x7fffffff;
  if (absx >= 0x7f800000) {
    if (absx == 0x7f800000)
      return sign | 0x7c00;
    // NaN: keep the top payload bits and force the quiet bit so the result is
    // never mistaken for infinity.
    return sign | 0x7e00 | static_cast<uint16_t>((absx >> 13) & 0x3ff);
  }
  // 65520 is halfway between the largest f16 (65504) and 2^16; the tie goes
  // to the even neighbour, which is infinity.
  if (absx >= 0x477ff000)
    return sign | 0x7c00;
  if (absx < 0x38800000) { // Below 2^-14: f16 subnormal or zero.
    if (absx < 0x33000000) // Below 2^-25: rounds to zero.
      return sign;
    uint32_t e = absx >> 23; // 102..112
    uint32_t m = (absx & 0x7fffff) | 0x800000;
    uint32_t shift = 126 - e; // Units of 2^-24: 14..24.
    uint32_t r = m >> shift;
    uint32_t rem = m & ((1u << shift) - 1);
    uint32_t halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (r & 1)))
      ++r; // May carry into the smallest normal, which encodes correctly.
    return sign | static_cast<uint16_t>(r);
  }
  // Normal: rebias the exponent (127 -> 15), round 23 mantissa bits to 10. A
  // mantissa carry correctly bumps the exponent.
  uint32_t r = absx - 0x38000000;
  uint32_t rem = r & 0x1fff;
  r >>= 13;
  if (rem > 0x1000 || (rem == 0x1000 && (r & 1)))
    ++r;
  return sign | static_cast<uint16_t>(r);
}

//===----------------------------------------------------------------------===//
// bf16
//===----------------------------------------------------------------------===//

float bf16ToFloat(uint16_t h) {
  return bitsToFloat(static_cast<uint32_t>(h) << 16);
}

uint16_t floatToBf16(float f) {
  uint32_t x = floatBits(f);
  if ((x & 0x7fffffff) > 0x7f800000) // NaN: truncate and keep it quiet.
    return static_cast<uint16_t>((x >> 16) | 0x40);
  // Round to nearest even; overflow correctly carries into infinity.
  uint32_t rounding = 0x7fff + ((x >> 16) & 1);
  return static_cast<uint16_t>((x + rounding) >> 16);
}

} // namespace ds::runtime
