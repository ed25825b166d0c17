//===- cuda_fp16.h - Host shim for CUDA's __half and __half2 ----*- C++ -*-===//
//
// Host stand-in for CUDA's <cuda_fp16.h>, part of the CUDA execution-model
// emulation (see CudaEmu.h). __half is 16-bit IEEE binary16 storage; every
// operation computes in float and rounds back to nearest-even, which is
// exact for +, -, *, / and sqrt (float has at least 2*11+2 significand bits,
// so double rounding is innocuous). Conversions handle NaN, infinities,
// subnormals and overflow as CUDA does; a NaN converts to the canonical
// 0x7fff, as CUDA's host path does.
//
// The operator set mirrors CUDA's: __half converts implicitly from the
// arithmetic types and to float, and has __half-only arithmetic and
// comparison operators, so mixed expressions such as `h + 1.0f` are
// ambiguous here exactly as they are under nvcc and NVRTC.
//
//===----------------------------------------------------------------------===//

#ifndef DS_RUNTIME_EMU_CUDA_FP16_H
#define DS_RUNTIME_EMU_CUDA_FP16_H

#include "vector_types.h"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace ds_emu::fp {

/// IEEE rounding directions of the _rn/_rz/_rd/_ru conversions.
enum class Round { NearestEven, TowardZero, Down, Up };

inline uint32_t floatBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof(u));
  return u;
}

inline float bitsToFloat(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof(f));
  return f;
}

/// Whether rounding a magnitude with truncated bits `rem` (`halfway` being
/// half a unit in the last place) moves it one unit away from zero.
inline bool roundsAway(uint64_t rem, uint64_t halfway, bool lsbOdd,
                       bool negative, Round mode) {
  switch (mode) {
  case Round::NearestEven:
    return rem > halfway || (rem == halfway && lsbOdd);
  case Round::TowardZero:
    return false;
  case Round::Down:
    return rem != 0 && negative;
  case Round::Up:
    return rem != 0 && !negative;
  }
  return false;
}

/// float -> binary16 bits, correctly rounded in `mode`.
inline uint16_t floatToHalfBits(float f, Round mode = Round::NearestEven) {
  uint32_t u = floatBits(f);
  uint32_t sign = (u >> 16) & 0x8000u;
  uint32_t mag = u & 0x7fffffffu;
  if (mag > 0x7f800000u)
    return 0x7fffu; // NaN -> canonical NaN.
  if (mag == 0x7f800000u)
    return static_cast<uint16_t>(sign | 0x7c00u);
  bool negative = sign != 0;
  int exp = static_cast<int>(mag >> 23);
  uint32_t mant = mag & 0x7fffffu;
  uint32_t r;
  uint64_t rem, halfway;
  if (exp >= 143) {
    // |f| >= 2^16: beyond the largest finite half whatever the rounding.
    r = 0x7c00u;
    rem = halfway = 0;
  } else if (exp >= 113) {
    // Normal half: rebias the exponent, keep the top 10 mantissa bits.
    r = (static_cast<uint32_t>(exp - 112) << 10) | (mant >> 13);
    rem = mant & 0x1fffu;
    halfway = 0x1000u;
  } else {
    // Subnormal half or zero: count units of 2^-24. A float subnormal has
    // exponent field 0 but the scale of exponent field 1.
    int scaleExp = exp == 0 ? 1 : exp;
    uint64_t m = exp == 0 ? mant : (mant | 0x800000u);
    int shift = 126 - scaleExp; // >= 14 here.
    if (shift > 40)
      shift = 40; // Everything shifts out; keeps the shifts defined.
    r = static_cast<uint32_t>(m >> shift);
    rem = m & ((uint64_t(1) << shift) - 1);
    halfway = uint64_t(1) << (shift - 1);
  }
  if (roundsAway(rem, halfway, r & 1u, negative, mode))
    ++r; // A carry into the exponent is the correct result.
  if (r >= 0x7c00u) {
    bool toInf = mode == Round::NearestEven ||
                 (mode == Round::Up && !negative) ||
                 (mode == Round::Down && negative);
    r = toInf ? 0x7c00u : 0x7bffu;
  }
  return static_cast<uint16_t>(sign | r);
}

/// binary16 bits -> float (exact).
inline float halfBitsToFloat(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  if (exp == 0) {
    float mag = std::ldexp(static_cast<float>(mant), -24);
    return sign ? -mag : mag;
  }
  if (exp == 31)
    return bitsToFloat(sign | 0x7f800000u | (mant << 13));
  return bitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
}

/// double -> float rounded to odd: rounding that float once more to a format
/// with at most 22 significand bits gives the correctly rounded result, so
/// double -> half and double -> bfloat16 need no separate code path.
inline float doubleToFloatRoundToOdd(double d) {
  if (!std::isfinite(d))
    return static_cast<float>(d);
  float f = static_cast<float>(d);
  if (static_cast<double>(f) == d)
    return f;
  if (std::fabs(static_cast<double>(f)) > std::fabs(d))
    f = std::nextafter(f, 0.0f);
  return bitsToFloat(floatBits(f) | 1u);
}

/// Clamps to [0, 1]; NaN -> 0, as CUDA's _sat operations.
inline float saturate(float v) {
  return v > 0.0f ? (v < 1.0f ? v : 1.0f) : 0.0f;
}

} // namespace ds_emu::fp

struct __half_raw {
  unsigned short x;
};

struct __half2_raw {
  unsigned short x, y;
};

/// IEEE binary16 value.
struct __attribute__((aligned(2))) __half {
  unsigned short __x;

  __half() = default;
  constexpr __half(const __half_raw &r) : __x(r.x) {}
  __half(float f) : __x(ds_emu::fp::floatToHalfBits(f)) {}
  __half(double d)
      : __x(ds_emu::fp::floatToHalfBits(
            ds_emu::fp::doubleToFloatRoundToOdd(d))) {}
  __half(short v) : __half(static_cast<float>(v)) {}
  __half(unsigned short v) : __half(static_cast<float>(v)) {}
  __half(int v) : __half(static_cast<float>(v)) {}
  __half(unsigned int v) : __half(static_cast<float>(v)) {}
  __half(long v) : __half(static_cast<float>(v)) {}
  __half(unsigned long v) : __half(static_cast<float>(v)) {}
  __half(long long v) : __half(static_cast<float>(v)) {}
  __half(unsigned long long v) : __half(static_cast<float>(v)) {}

  __half &operator=(const __half_raw &r) {
    __x = r.x;
    return *this;
  }
  constexpr operator __half_raw() const { return __half_raw{__x}; }
  operator float() const { return ds_emu::fp::halfBitsToFloat(__x); }
};

/// A pair of __half, 4-byte aligned.
struct __attribute__((aligned(4))) __half2 {
  __half x, y;

  __half2() = default;
  constexpr __half2(const __half &a, const __half &b) : x(a), y(b) {}
  constexpr __half2(const __half2_raw &r)
      : x(__half_raw{r.x}), y(__half_raw{r.y}) {}
  constexpr operator __half2_raw() const { return __half2_raw{x.__x, y.__x}; }
};

typedef __half half;
typedef __half2 half2;

//===----------------------------------------------------------------------===//
// Conversions and bit casts
//===----------------------------------------------------------------------===//

inline __half __float2half(float f) { return __half(f); }
inline __half __float2half_rn(float f) { return __half(f); }
inline __half __float2half_rz(float f) {
  return __half_raw{
      ds_emu::fp::floatToHalfBits(f, ds_emu::fp::Round::TowardZero)};
}
inline __half __float2half_rd(float f) {
  return __half_raw{ds_emu::fp::floatToHalfBits(f, ds_emu::fp::Round::Down)};
}
inline __half __float2half_ru(float f) {
  return __half_raw{ds_emu::fp::floatToHalfBits(f, ds_emu::fp::Round::Up)};
}
inline __half __double2half(double d) { return __half(d); }
inline float __half2float(__half h) { return static_cast<float>(h); }
inline __half __int2half_rn(int v) { return __half(v); }
inline __half __uint2half_rn(unsigned int v) { return __half(v); }
inline __half __short2half_rn(short v) { return __half(v); }
inline __half __ll2half_rn(long long v) { return __half(v); }
inline int __half2int_rn(__half h) {
  return static_cast<int>(std::nearbyint(static_cast<float>(h)));
}
inline int __half2int_rz(__half h) {
  return static_cast<int>(static_cast<float>(h));
}
inline short __half_as_short(__half h) { return static_cast<short>(h.__x); }
inline unsigned short __half_as_ushort(__half h) { return h.__x; }
inline __half __short_as_half(short v) {
  return __half_raw{static_cast<unsigned short>(v)};
}
inline __half __ushort_as_half(unsigned short v) { return __half_raw{v}; }

//===----------------------------------------------------------------------===//
// Scalar arithmetic, comparisons and math
//===----------------------------------------------------------------------===//

inline __half __hadd(__half a, __half b) { return __half(float(a) + float(b)); }
inline __half __hsub(__half a, __half b) { return __half(float(a) - float(b)); }
inline __half __hmul(__half a, __half b) { return __half(float(a) * float(b)); }
inline __half __hdiv(__half a, __half b) { return __half(float(a) / float(b)); }
inline __half __hfma(__half a, __half b, __half c) {
  return __half(std::fma(double(float(a)), double(float(b)), double(float(c))));
}
inline __half __hneg(__half a) {
  return __half_raw{static_cast<unsigned short>(a.__x ^ 0x8000u)};
}
inline __half __habs(__half a) {
  return __half_raw{static_cast<unsigned short>(a.__x & 0x7fffu)};
}
inline __half __hadd_sat(__half a, __half b) {
  return __half(ds_emu::fp::saturate(float(__hadd(a, b))));
}
inline __half __hmul_sat(__half a, __half b) {
  return __half(ds_emu::fp::saturate(float(__hmul(a, b))));
}
inline __half __hfma_sat(__half a, __half b, __half c) {
  return __half(ds_emu::fp::saturate(float(__hfma(a, b, c))));
}
inline __half __hmax(__half a, __half b) {
  return __half(std::fmax(float(a), float(b)));
}
inline __half __hmin(__half a, __half b) {
  return __half(std::fmin(float(a), float(b)));
}
inline bool __hisnan(__half a) { return (a.__x & 0x7fffu) > 0x7c00u; }
inline int __hisinf(__half a) {
  return (a.__x & 0x7fffu) == 0x7c00u ? ((a.__x & 0x8000u) ? -1 : 1) : 0;
}
inline bool __heq(__half a, __half b) { return float(a) == float(b); }
inline bool __hne(__half a, __half b) {
  return !__hisnan(a) && !__hisnan(b) && float(a) != float(b);
}
inline bool __hequ(__half a, __half b) {
  return __hisnan(a) || __hisnan(b) || float(a) == float(b);
}
inline bool __hneu(__half a, __half b) { return float(a) != float(b); }
inline bool __hlt(__half a, __half b) { return float(a) < float(b); }
inline bool __hle(__half a, __half b) { return float(a) <= float(b); }
inline bool __hgt(__half a, __half b) { return float(a) > float(b); }
inline bool __hge(__half a, __half b) { return float(a) >= float(b); }
inline __half hsqrt(__half a) { return __half(std::sqrt(float(a))); }
inline __half hrsqrt(__half a) { return __half(1.0f / std::sqrt(float(a))); }
inline __half hrcp(__half a) { return __half(1.0f / float(a)); }
inline __half hexp(__half a) { return __half(std::exp(float(a))); }
inline __half hexp2(__half a) { return __half(std::exp2(float(a))); }
inline __half hlog(__half a) { return __half(std::log(float(a))); }
inline __half hlog2(__half a) { return __half(std::log2(float(a))); }
inline __half hsin(__half a) { return __half(std::sin(float(a))); }
inline __half hcos(__half a) { return __half(std::cos(float(a))); }
inline __half htanh(__half a) { return __half(std::tanh(float(a))); }
inline __half hfloor(__half a) { return __half(std::floor(float(a))); }
inline __half hceil(__half a) { return __half(std::ceil(float(a))); }
inline __half htrunc(__half a) { return __half(std::trunc(float(a))); }

inline __half operator+(const __half &a, const __half &b) {
  return __hadd(a, b);
}
inline __half operator-(const __half &a, const __half &b) {
  return __hsub(a, b);
}
inline __half operator*(const __half &a, const __half &b) {
  return __hmul(a, b);
}
inline __half operator/(const __half &a, const __half &b) {
  return __hdiv(a, b);
}
inline __half &operator+=(__half &a, const __half &b) { return a = a + b; }
inline __half &operator-=(__half &a, const __half &b) { return a = a - b; }
inline __half &operator*=(__half &a, const __half &b) { return a = a * b; }
inline __half &operator/=(__half &a, const __half &b) { return a = a / b; }
inline __half operator+(const __half &a) { return a; }
inline __half operator-(const __half &a) { return __hneg(a); }
inline __half &operator++(__half &a) { return a += __half(1.0f); }
inline __half &operator--(__half &a) { return a -= __half(1.0f); }
inline __half operator++(__half &a, int) {
  __half old = a;
  ++a;
  return old;
}
inline __half operator--(__half &a, int) {
  __half old = a;
  --a;
  return old;
}
inline bool operator==(const __half &a, const __half &b) { return __heq(a, b); }
inline bool operator!=(const __half &a, const __half &b) {
  return __hneu(a, b);
}
inline bool operator<(const __half &a, const __half &b) { return __hlt(a, b); }
inline bool operator<=(const __half &a, const __half &b) { return __hle(a, b); }
inline bool operator>(const __half &a, const __half &b) { return __hgt(a, b); }
inline bool operator>=(const __half &a, const __half &b) { return __hge(a, b); }

//===----------------------------------------------------------------------===//
// __half2
//===----------------------------------------------------------------------===//

inline __half2 __halves2half2(__half a, __half b) { return __half2(a, b); }
inline __half2 __half2half2(__half a) { return __half2(a, a); }
inline __half2 __float2half2_rn(float f) {
  return __half2(__half(f), __half(f));
}
inline __half2 __floats2half2_rn(float a, float b) {
  return __half2(__half(a), __half(b));
}
inline __half2 __float22half2_rn(float2 f) {
  return __half2(__half(f.x), __half(f.y));
}
inline float2 __half22float2(__half2 h) {
  return make_float2(float(h.x), float(h.y));
}
inline __half __low2half(__half2 h) { return h.x; }
inline __half __high2half(__half2 h) { return h.y; }
inline float __low2float(__half2 h) { return float(h.x); }
inline float __high2float(__half2 h) { return float(h.y); }
inline __half2 __lows2half2(__half2 a, __half2 b) { return __half2(a.x, b.x); }
inline __half2 __highs2half2(__half2 a, __half2 b) { return __half2(a.y, b.y); }
inline __half2 __low2half2(__half2 a) { return __half2(a.x, a.x); }
inline __half2 __high2half2(__half2 a) { return __half2(a.y, a.y); }
inline __half2 __lowhigh2highlow(__half2 a) { return __half2(a.y, a.x); }
inline __half2 __hadd2(__half2 a, __half2 b) {
  return __half2(__hadd(a.x, b.x), __hadd(a.y, b.y));
}
inline __half2 __hsub2(__half2 a, __half2 b) {
  return __half2(__hsub(a.x, b.x), __hsub(a.y, b.y));
}
inline __half2 __hmul2(__half2 a, __half2 b) {
  return __half2(__hmul(a.x, b.x), __hmul(a.y, b.y));
}
inline __half2 __h2div(__half2 a, __half2 b) {
  return __half2(__hdiv(a.x, b.x), __hdiv(a.y, b.y));
}
inline __half2 __hfma2(__half2 a, __half2 b, __half2 c) {
  return __half2(__hfma(a.x, b.x, c.x), __hfma(a.y, b.y, c.y));
}
inline __half2 __hneg2(__half2 a) { return __half2(__hneg(a.x), __hneg(a.y)); }
inline __half2 __habs2(__half2 a) { return __half2(__habs(a.x), __habs(a.y)); }
inline __half2 __hmax2(__half2 a, __half2 b) {
  return __half2(__hmax(a.x, b.x), __hmax(a.y, b.y));
}
inline __half2 __hmin2(__half2 a, __half2 b) {
  return __half2(__hmin(a.x, b.x), __hmin(a.y, b.y));
}
inline __half2 operator+(const __half2 &a, const __half2 &b) {
  return __hadd2(a, b);
}
inline __half2 operator-(const __half2 &a, const __half2 &b) {
  return __hsub2(a, b);
}
inline __half2 operator*(const __half2 &a, const __half2 &b) {
  return __hmul2(a, b);
}
inline __half2 operator/(const __half2 &a, const __half2 &b) {
  return __h2div(a, b);
}
inline __half2 &operator+=(__half2 &a, const __half2 &b) { return a = a + b; }
inline __half2 &operator-=(__half2 &a, const __half2 &b) { return a = a - b; }
inline __half2 &operator*=(__half2 &a, const __half2 &b) { return a = a * b; }
inline __half2 &operator/=(__half2 &a, const __half2 &b) { return a = a / b; }
inline __half2 operator-(const __half2 &a) { return __hneg2(a); }

#endif // DS_RUNTIME_EMU_CUDA_FP16_H
