//===- cuda_bf16.h - Host shim for CUDA's __nv_bfloat16 ---------*- C++ -*-===//
//
// Host stand-in for CUDA's <cuda_bf16.h>, part of the CUDA execution-model
// emulation (see CudaEmu.h). __nv_bfloat16 is the upper half of an IEEE
// float; every operation computes in float and rounds back to nearest-even
// (exact for +, -, *, / and sqrt). A NaN converts to the canonical 0x7fff,
// as CUDA's host path does. The operator set mirrors CUDA's (see
// cuda_fp16.h for why mixed expressions are ambiguous).
//
//===----------------------------------------------------------------------===//

#ifndef DS_RUNTIME_EMU_CUDA_BF16_H
#define DS_RUNTIME_EMU_CUDA_BF16_H

#include "cuda_fp16.h"

namespace ds_emu::fp {

/// float -> bfloat16 bits, correctly rounded in `mode`.
inline uint16_t floatToBf16Bits(float f, Round mode = Round::NearestEven) {
  uint32_t u = floatBits(f);
  if ((u & 0x7fffffffu) > 0x7f800000u)
    return 0x7fffu; // NaN -> canonical NaN.
  uint32_t r = u >> 16;
  uint32_t rem = u & 0xffffu;
  bool negative = (u >> 31) != 0;
  // A carry into the exponent, up to infinity, is the correct result in every
  // mode (only rounding away from zero carries).
  if (roundsAway(rem, 0x8000u, r & 1u, negative, mode))
    ++r;
  return static_cast<uint16_t>(r);
}

inline float bf16BitsToFloat(uint16_t b) {
  return bitsToFloat(static_cast<uint32_t>(b) << 16);
}

} // namespace ds_emu::fp

struct __nv_bfloat16_raw {
  unsigned short x;
};

struct __nv_bfloat162_raw {
  unsigned short x, y;
};

/// bfloat16 value (8-bit exponent, 7-bit mantissa).
struct __attribute__((aligned(2))) __nv_bfloat16 {
  unsigned short __x;

  __nv_bfloat16() = default;
  constexpr __nv_bfloat16(const __nv_bfloat16_raw &r) : __x(r.x) {}
  __nv_bfloat16(float f) : __x(ds_emu::fp::floatToBf16Bits(f)) {}
  __nv_bfloat16(double d)
      : __x(ds_emu::fp::floatToBf16Bits(
            ds_emu::fp::doubleToFloatRoundToOdd(d))) {}
  // Integers go through double so that int32 values round only once.
  __nv_bfloat16(short v) : __nv_bfloat16(static_cast<double>(v)) {}
  __nv_bfloat16(unsigned short v) : __nv_bfloat16(static_cast<double>(v)) {}
  __nv_bfloat16(int v) : __nv_bfloat16(static_cast<double>(v)) {}
  __nv_bfloat16(unsigned int v) : __nv_bfloat16(static_cast<double>(v)) {}
  __nv_bfloat16(long v) : __nv_bfloat16(static_cast<double>(v)) {}
  __nv_bfloat16(unsigned long v) : __nv_bfloat16(static_cast<double>(v)) {}
  __nv_bfloat16(long long v) : __nv_bfloat16(static_cast<double>(v)) {}
  __nv_bfloat16(unsigned long long v) : __nv_bfloat16(static_cast<double>(v)) {}

  __nv_bfloat16 &operator=(const __nv_bfloat16_raw &r) {
    __x = r.x;
    return *this;
  }
  constexpr operator __nv_bfloat16_raw() const {
    return __nv_bfloat16_raw{__x};
  }
  operator float() const { return ds_emu::fp::bf16BitsToFloat(__x); }
};

/// A pair of __nv_bfloat16, 4-byte aligned.
struct __attribute__((aligned(4))) __nv_bfloat162 {
  __nv_bfloat16 x, y;

  __nv_bfloat162() = default;
  constexpr __nv_bfloat162(const __nv_bfloat16 &a, const __nv_bfloat16 &b)
      : x(a), y(b) {}
  constexpr __nv_bfloat162(const __nv_bfloat162_raw &r)
      : x(__nv_bfloat16_raw{r.x}), y(__nv_bfloat16_raw{r.y}) {}
  constexpr operator __nv_bfloat162_raw() const {
    return __nv_bfloat162_raw{x.__x, y.__x};
  }
};

typedef __nv_bfloat16 nv_bfloat16;
typedef __nv_bfloat162 nv_bfloat162;

//===----------------------------------------------------------------------===//
// Conversions and bit casts
//===----------------------------------------------------------------------===//

inline __nv_bfloat16 __float2bfloat16(float f) { return __nv_bfloat16(f); }
inline __nv_bfloat16 __float2bfloat16_rn(float f) { return __nv_bfloat16(f); }
inline __nv_bfloat16 __float2bfloat16_rz(float f) {
  return __nv_bfloat16_raw{
      ds_emu::fp::floatToBf16Bits(f, ds_emu::fp::Round::TowardZero)};
}
inline __nv_bfloat16 __float2bfloat16_rd(float f) {
  return __nv_bfloat16_raw{
      ds_emu::fp::floatToBf16Bits(f, ds_emu::fp::Round::Down)};
}
inline __nv_bfloat16 __float2bfloat16_ru(float f) {
  return __nv_bfloat16_raw{
      ds_emu::fp::floatToBf16Bits(f, ds_emu::fp::Round::Up)};
}
inline __nv_bfloat16 __double2bfloat16(double d) { return __nv_bfloat16(d); }
inline float __bfloat162float(__nv_bfloat16 b) { return static_cast<float>(b); }
inline __nv_bfloat16 __int2bfloat16_rn(int v) { return __nv_bfloat16(v); }
inline int __bfloat162int_rn(__nv_bfloat16 b) {
  return static_cast<int>(std::nearbyint(static_cast<float>(b)));
}
inline int __bfloat162int_rz(__nv_bfloat16 b) {
  return static_cast<int>(static_cast<float>(b));
}
inline short __bfloat16_as_short(__nv_bfloat16 b) {
  return static_cast<short>(b.__x);
}
inline unsigned short __bfloat16_as_ushort(__nv_bfloat16 b) { return b.__x; }
inline __nv_bfloat16 __short_as_bfloat16(short v) {
  return __nv_bfloat16_raw{static_cast<unsigned short>(v)};
}
inline __nv_bfloat16 __ushort_as_bfloat16(unsigned short v) {
  return __nv_bfloat16_raw{v};
}

//===----------------------------------------------------------------------===//
// Scalar arithmetic, comparisons and math (CUDA overloads the __h* names)
//===----------------------------------------------------------------------===//

inline __nv_bfloat16 __hadd(__nv_bfloat16 a, __nv_bfloat16 b) {
  return __nv_bfloat16(float(a) + float(b));
}
inline __nv_bfloat16 __hsub(__nv_bfloat16 a, __nv_bfloat16 b) {
  return __nv_bfloat16(float(a) - float(b));
}
inline __nv_bfloat16 __hmul(__nv_bfloat16 a, __nv_bfloat16 b) {
  return __nv_bfloat16(float(a) * float(b));
}
inline __nv_bfloat16 __hdiv(__nv_bfloat16 a, __nv_bfloat16 b) {
  return __nv_bfloat16(float(a) / float(b));
}
inline __nv_bfloat16 __hfma(__nv_bfloat16 a, __nv_bfloat16 b, __nv_bfloat16 c) {
  return __nv_bfloat16(
      std::fma(double(float(a)), double(float(b)), double(float(c))));
}
inline __nv_bfloat16 __hneg(__nv_bfloat16 a) {
  return __nv_bfloat16_raw{static_cast<unsigned short>(a.__x ^ 0x8000u)};
}
inline __nv_bfloat16 __habs(__nv_bfloat16 a) {
  return __nv_bfloat16_raw{static_cast<unsigned short>(a.__x & 0x7fffu)};
}
inline __nv_bfloat16 __hmax(__nv_bfloat16 a, __nv_bfloat16 b) {
  return __nv_bfloat16(std::fmax(float(a), float(b)));
}
inline __nv_bfloat16 __hmin(__nv_bfloat16 a, __nv_bfloat16 b) {
  return __nv_bfloat16(std::fmin(float(a), float(b)));
}
inline bool __hisnan(__nv_bfloat16 a) { return (a.__x & 0x7fffu) > 0x7f80u; }
inline int __hisinf(__nv_bfloat16 a) {
  return (a.__x & 0x7fffu) == 0x7f80u ? ((a.__x & 0x8000u) ? -1 : 1) : 0;
}
inline bool __heq(__nv_bfloat16 a, __nv_bfloat16 b) {
  return float(a) == float(b);
}
inline bool __hne(__nv_bfloat16 a, __nv_bfloat16 b) {
  return !__hisnan(a) && !__hisnan(b) && float(a) != float(b);
}
inline bool __hneu(__nv_bfloat16 a, __nv_bfloat16 b) {
  return float(a) != float(b);
}
inline bool __hlt(__nv_bfloat16 a, __nv_bfloat16 b) {
  return float(a) < float(b);
}
inline bool __hle(__nv_bfloat16 a, __nv_bfloat16 b) {
  return float(a) <= float(b);
}
inline bool __hgt(__nv_bfloat16 a, __nv_bfloat16 b) {
  return float(a) > float(b);
}
inline bool __hge(__nv_bfloat16 a, __nv_bfloat16 b) {
  return float(a) >= float(b);
}
inline __nv_bfloat16 hsqrt(__nv_bfloat16 a) {
  return __nv_bfloat16(std::sqrt(float(a)));
}
inline __nv_bfloat16 hrsqrt(__nv_bfloat16 a) {
  return __nv_bfloat16(1.0f / std::sqrt(float(a)));
}
inline __nv_bfloat16 hrcp(__nv_bfloat16 a) {
  return __nv_bfloat16(1.0f / float(a));
}
inline __nv_bfloat16 hexp(__nv_bfloat16 a) {
  return __nv_bfloat16(std::exp(float(a)));
}
inline __nv_bfloat16 hlog(__nv_bfloat16 a) {
  return __nv_bfloat16(std::log(float(a)));
}
inline __nv_bfloat16 htanh(__nv_bfloat16 a) {
  return __nv_bfloat16(std::tanh(float(a)));
}

inline __nv_bfloat16 operator+(const __nv_bfloat16 &a, const __nv_bfloat16 &b) {
  return __hadd(a, b);
}
inline __nv_bfloat16 operator-(const __nv_bfloat16 &a, const __nv_bfloat16 &b) {
  return __hsub(a, b);
}
inline __nv_bfloat16 operator*(const __nv_bfloat16 &a, const __nv_bfloat16 &b) {
  return __hmul(a, b);
}
inline __nv_bfloat16 operator/(const __nv_bfloat16 &a, const __nv_bfloat16 &b) {
  return __hdiv(a, b);
}
inline __nv_bfloat16 &operator+=(__nv_bfloat16 &a, const __nv_bfloat16 &b) {
  return a = a + b;
}
inline __nv_bfloat16 &operator-=(__nv_bfloat16 &a, const __nv_bfloat16 &b) {
  return a = a - b;
}
inline __nv_bfloat16 &operator*=(__nv_bfloat16 &a, const __nv_bfloat16 &b) {
  return a = a * b;
}
inline __nv_bfloat16 &operator/=(__nv_bfloat16 &a, const __nv_bfloat16 &b) {
  return a = a / b;
}
inline __nv_bfloat16 operator+(const __nv_bfloat16 &a) { return a; }
inline __nv_bfloat16 operator-(const __nv_bfloat16 &a) { return __hneg(a); }
inline bool operator==(const __nv_bfloat16 &a, const __nv_bfloat16 &b) {
  return __heq(a, b);
}
inline bool operator!=(const __nv_bfloat16 &a, const __nv_bfloat16 &b) {
  return __hneu(a, b);
}
inline bool operator<(const __nv_bfloat16 &a, const __nv_bfloat16 &b) {
  return __hlt(a, b);
}
inline bool operator<=(const __nv_bfloat16 &a, const __nv_bfloat16 &b) {
  return __hle(a, b);
}
inline bool operator>(const __nv_bfloat16 &a, const __nv_bfloat16 &b) {
  return __hgt(a, b);
}
inline bool operator>=(const __nv_bfloat16 &a, const __nv_bfloat16 &b) {
  return __hge(a, b);
}

//===----------------------------------------------------------------------===//
// __nv_bfloat162
//===----------------------------------------------------------------------===//

inline __nv_bfloat162 __halves2bfloat162(__nv_bfloat16 a, __nv_bfloat16 b) {
  return __nv_bfloat162(a, b);
}
inline __nv_bfloat162 __bfloat162bfloat162(__nv_bfloat16 a) {
  return __nv_bfloat162(a, a);
}
inline __nv_bfloat162 __float2bfloat162_rn(float f) {
  return __nv_bfloat162(__nv_bfloat16(f), __nv_bfloat16(f));
}
inline __nv_bfloat162 __floats2bfloat162_rn(float a, float b) {
  return __nv_bfloat162(__nv_bfloat16(a), __nv_bfloat16(b));
}
inline __nv_bfloat162 __float22bfloat162_rn(float2 f) {
  return __nv_bfloat162(__nv_bfloat16(f.x), __nv_bfloat16(f.y));
}
inline float2 __bfloat1622float2(__nv_bfloat162 b) {
  return make_float2(float(b.x), float(b.y));
}
inline __nv_bfloat16 __low2bfloat16(__nv_bfloat162 b) { return b.x; }
inline __nv_bfloat16 __high2bfloat16(__nv_bfloat162 b) { return b.y; }
inline float __low2float(__nv_bfloat162 b) { return float(b.x); }
inline float __high2float(__nv_bfloat162 b) { return float(b.y); }
inline __nv_bfloat162 __hadd2(__nv_bfloat162 a, __nv_bfloat162 b) {
  return __nv_bfloat162(__hadd(a.x, b.x), __hadd(a.y, b.y));
}
inline __nv_bfloat162 __hsub2(__nv_bfloat162 a, __nv_bfloat162 b) {
  return __nv_bfloat162(__hsub(a.x, b.x), __hsub(a.y, b.y));
}
inline __nv_bfloat162 __hmul2(__nv_bfloat162 a, __nv_bfloat162 b) {
  return __nv_bfloat162(__hmul(a.x, b.x), __hmul(a.y, b.y));
}
inline __nv_bfloat162 __hfma2(__nv_bfloat162 a, __nv_bfloat162 b,
                              __nv_bfloat162 c) {
  return __nv_bfloat162(__hfma(a.x, b.x, c.x), __hfma(a.y, b.y, c.y));
}
inline __nv_bfloat162 __hmax2(__nv_bfloat162 a, __nv_bfloat162 b) {
  return __nv_bfloat162(__hmax(a.x, b.x), __hmax(a.y, b.y));
}
inline __nv_bfloat162 __hmin2(__nv_bfloat162 a, __nv_bfloat162 b) {
  return __nv_bfloat162(__hmin(a.x, b.x), __hmin(a.y, b.y));
}
inline __nv_bfloat162 operator+(const __nv_bfloat162 &a,
                                const __nv_bfloat162 &b) {
  return __hadd2(a, b);
}
inline __nv_bfloat162 operator-(const __nv_bfloat162 &a,
                                const __nv_bfloat162 &b) {
  return __hsub2(a, b);
}
inline __nv_bfloat162 operator*(const __nv_bfloat162 &a,
                                const __nv_bfloat162 &b) {
  return __hmul2(a, b);
}

#endif // DS_RUNTIME_EMU_CUDA_BF16_H
