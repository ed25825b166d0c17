//===- vector_types.h - CUDA built-in vector types for the host -*- C++ -*-===//
//
// Host stand-in for CUDA's <vector_types.h>: char1..double4, uint3 and dim3
// with the alignments CUDA gives them, plus the make_<type><n> helpers. Part
// of the CUDA execution-model emulation (see CudaEmu.h); kernels emitted by
// ds compile unchanged against it.
//
//===----------------------------------------------------------------------===//

#ifndef DS_RUNTIME_EMU_VECTOR_TYPES_H
#define DS_RUNTIME_EMU_VECTOR_TYPES_H

// Defines NAME1..NAME4 over element type T with CUDA's alignments (the
// three-component types keep their natural alignment, as in CUDA).
#define DS_EMU_DEFINE_VECTOR_TYPES(T, NAME, A1, A2, A4)                        \
  struct __attribute__((aligned(A1))) NAME##1 {                                \
    T x;                                                                       \
  };                                                                           \
  struct __attribute__((aligned(A2))) NAME##2 {                                \
    T x, y;                                                                    \
  };                                                                           \
  struct NAME##3 {                                                             \
    T x, y, z;                                                                 \
  };                                                                           \
  struct __attribute__((aligned(A4))) NAME##4 {                                \
    T x, y, z, w;                                                              \
  };                                                                           \
  inline NAME##1 make_##NAME##1(T x) { return NAME##1 {x}; }                   \
  inline NAME##2 make_##NAME##2(T x, T y) { return NAME##2 {x, y}; }           \
  inline NAME##3 make_##NAME##3(T x, T y, T z) { return NAME##3 {x, y, z}; }   \
  inline NAME##4 make_##NAME##4(T x, T y, T z, T w) {                          \
    return NAME##4 {x, y, z, w};                                               \
  }

DS_EMU_DEFINE_VECTOR_TYPES(signed char, char, 1, 2, 4)
DS_EMU_DEFINE_VECTOR_TYPES(unsigned char, uchar, 1, 2, 4)
DS_EMU_DEFINE_VECTOR_TYPES(short, short, 2, 4, 8)
DS_EMU_DEFINE_VECTOR_TYPES(unsigned short, ushort, 2, 4, 8)
DS_EMU_DEFINE_VECTOR_TYPES(int, int, 4, 8, 16)
DS_EMU_DEFINE_VECTOR_TYPES(unsigned int, uint, 4, 8, 16)
DS_EMU_DEFINE_VECTOR_TYPES(long, long, 8, 16, 16)
DS_EMU_DEFINE_VECTOR_TYPES(unsigned long, ulong, 8, 16, 16)
DS_EMU_DEFINE_VECTOR_TYPES(long long, longlong, 8, 16, 16)
DS_EMU_DEFINE_VECTOR_TYPES(unsigned long long, ulonglong, 8, 16, 16)
DS_EMU_DEFINE_VECTOR_TYPES(float, float, 4, 8, 16)
DS_EMU_DEFINE_VECTOR_TYPES(double, double, 8, 16, 16)

#undef DS_EMU_DEFINE_VECTOR_TYPES

/// Launch dimensions: a uint3 whose components default to 1.
struct dim3 {
  unsigned int x, y, z;
  constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1)
      : x(vx), y(vy), z(vz) {}
  constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
  constexpr operator uint3() const { return uint3{x, y, z}; }
};

#endif // DS_RUNTIME_EMU_VECTOR_TYPES_H
