//===- mma.h - Host shim for CUDA's nvcuda::wmma ----------------*- C++ -*-===//
//
// Host stand-in for the subset of CUDA's <mma.h> (warp matrix multiply-
// accumulate) that ds emits, part of the CUDA execution-model emulation (see
// CudaEmu.h, docs/design/cuda-emulation.md):
//
//   fragment<matrix_a | matrix_b, 16, 16, 16, __half | __nv_bfloat16,
//            row_major | col_major>
//   fragment<accumulator, 16, 16, 16, float>
//   fill_fragment, load_matrix_sync, mma_sync, store_matrix_sync
//
// The *_sync functions are warp-collective as on the GPU: all 32 lanes of
// the warp must call the same function with the same pointer, leading
// dimension and layout. A warp that diverges (some lanes skip the call,
// exit, or call another warp-synchronous function) or whose lanes disagree
// on the arguments fails the launch with LaunchStatus::KernelFault naming
// the function, the block and the warp; lanes that wait at a __syncthreads
// meanwhile give a Deadlock. Misaligned pointers (not 32-byte aligned) and
// leading dimensions that are not a multiple of 16 bytes are reported the
// same way, since the hardware requires both.
//
// Fragments are per-lane objects with the hardware's element counts
// (num_elements: 16 for matrix_a/matrix_b, 8 for the accumulator), but the
// element-to-lane mapping is ds's own, as CUDA leaves it unspecified: lane l
// holds row l % 16 of matrix_a, column l % 16 of matrix_b (lanes l and l + 16
// hold the same elements, as the hardware also duplicates them) and row l / 2,
// columns (l % 2) * 8 ... + 7 of the accumulator. Code that touches x[]
// elementwise with the same operation on every element (fill, scale, an
// activation) therefore works; code that depends on the mapping does not
// port to the GPU anyway. mma_sync multiplies in float (products of two
// 16-bit floats are exact) and accumulates in float, in k order, onto c.
//
//===----------------------------------------------------------------------===//

#ifndef DS_RUNTIME_EMU_MMA_H
#define DS_RUNTIME_EMU_MMA_H

#include "CudaEmu.h"
#include "cuda_bf16.h"
#include "cuda_fp16.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <type_traits>

// Hidden like the rest of the emulation: a kernel module exports only its
// launch wrappers (and can be dlclose'd).
#pragma GCC visibility push(hidden)

namespace nvcuda {
namespace wmma {

struct row_major;
struct col_major;
struct matrix_a;
struct matrix_b;
struct accumulator;

enum layout_t { mem_row_major, mem_col_major };

namespace detail {

template <typename T>
inline constexpr bool kIsHalfType =
    std::is_same<T, __half>::value || std::is_same<T, __nv_bfloat16>::value;

template <typename Use, int M, int N, int K, typename T, typename Layout>
struct FragmentTraits {
  static constexpr bool kSupported = false;
  static constexpr int kElements = 1;
};
template <typename T, typename Layout>
struct FragmentTraits<matrix_a, 16, 16, 16, T, Layout> {
  static constexpr bool kSupported =
      kIsHalfType<T> && (std::is_same<Layout, row_major>::value ||
                         std::is_same<Layout, col_major>::value);
  static constexpr int kElements = 16;
};
template <typename T, typename Layout>
struct FragmentTraits<matrix_b, 16, 16, 16, T, Layout> {
  static constexpr bool kSupported =
      FragmentTraits<matrix_a, 16, 16, 16, T, Layout>::kSupported;
  static constexpr int kElements = 16;
};
template <> struct FragmentTraits<accumulator, 16, 16, 16, float, void> {
  static constexpr bool kSupported = true;
  static constexpr int kElements = 8;
};

} // namespace detail

/// A lane's share of a 16x16 tile (see the file comment for the mapping).
template <typename Use, int M, int N, int K, typename T, typename Layout = void>
class fragment {
  using Traits = detail::FragmentTraits<Use, M, N, K, T, Layout>;
  static_assert(Traits::kSupported,
                "the ds CUDA emulation implements wmma fragments m16n16k16 "
                "with __half/__nv_bfloat16 matrix_a/matrix_b (row_major or "
                "col_major) and float accumulators only");

public:
  typedef T element_type;
  typedef T storage_element_type;
  enum { num_elements = Traits::kElements };
  T x[num_elements];
};

namespace detail {

inline float toFloat(float v) { return v; }
inline float toFloat(__half v) { return __half2float(v); }
inline float toFloat(__nv_bfloat16 v) { return __bfloat162float(v); }

/// Fails the launch with `message` (prefixed with the block and warp) and
/// ends the calling thread, as __trap() does.
[[noreturn]] inline void fault(const char *function, const std::string &why) {
  using namespace ds_emu::detail;
  ThreadCtx &t = current();
  BlockCtx &b = *t.block;
  std::string message = std::string("wmma::") + function + " in block " +
                        formatIndex(builtinBlockIdx()) + " warp " +
                        decimal(t.index / ds_emu::kWarpSize) + ": " + why;
  b.launch->fail(ds_emu::LaunchStatus::KernelFault, message);
  __trap();
}

/// The collective step of every *_sync function: waits for the whole warp
/// and checks that all 32 lanes arrived here with the same `key` (the
/// function and its uniform arguments).
inline void convergeWarp(const char *function, std::uint64_t key) {
  using namespace ds_emu::detail;
  const LaneSlot &s = warpCollective(WarpOp::MatchAll, 0xffffffffu, key);
  unsigned group = s.group;
  bool agree = static_cast<unsigned>(s.result) != 0;
  if (group != 0xffffffffu) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "0x%08x", group);
    fault(function, std::string("the whole warp must call it, but only "
                                "lanes ") +
                        buf + " took part (divergent or exited lanes)");
  }
  if (!agree)
    fault(function, "the lanes of the warp called different warp-synchronous "
                    "operations, or passed different pointers, leading "
                    "dimensions or layouts (divergent warp)");
}

inline std::uint64_t keyOf(unsigned function, const void *ptr, unsigned ldm,
                           unsigned layout) {
  std::uint64_t p = reinterpret_cast<std::uintptr_t>(ptr);
  return (p * 0x9e3779b97f4a7c15ull) ^
         ((static_cast<std::uint64_t>(ldm) << 8) | (layout << 4) | function);
}

enum : unsigned { kLoad = 1, kStore = 2, kMma = 3 };

inline void checkMemory(const char *function, const void *ptr, unsigned ldm,
                        unsigned elementBytes) {
  if (reinterpret_cast<std::uintptr_t>(ptr) % 32 != 0)
    fault(function, "the pointer must be 32-byte aligned");
  if (ldm * elementBytes % 16 != 0 || ldm < 16)
    fault(function, "ldm " + ds_emu::detail::decimal(ldm) +
                        " must be at least 16 and a multiple of 16 bytes");
}

inline unsigned lane() { return ds_emu::detail::current().lane; }

/// Per warp of the running block, the fragments each lane passed to the
/// pending mma_sync (an OS thread runs one block at a time).
struct MmaOperands {
  const void *a, *b;
};
inline thread_local MmaOperands
    mmaOperands[ds_emu::kMaxThreadsPerBlock / ds_emu::kWarpSize]
               [ds_emu::kWarpSize];

} // namespace detail

template <typename Use, int M, int N, int K, typename T, typename Layout>
inline void fill_fragment(fragment<Use, M, N, K, T, Layout> &f, const T &v) {
  for (int i = 0; i < f.num_elements; ++i)
    f.x[i] = v;
}

/// matrix_a / matrix_b: the tile at `p` with leading dimension `ldm`, in
/// the fragment's layout.
template <typename Use, typename T, typename Layout>
inline void load_matrix_sync(fragment<Use, 16, 16, 16, T, Layout> &f,
                             const T *p, unsigned ldm) {
  static_assert(!std::is_same<Use, accumulator>::value,
                "an accumulator load takes a layout_t");
  detail::checkMemory("load_matrix_sync", p, ldm, sizeof(T));
  bool rowMajor = std::is_same<Layout, row_major>::value;
  detail::convergeWarp("load_matrix_sync",
                       detail::keyOf(detail::kLoad, p, ldm, rowMajor));
  unsigned l = detail::lane() % 16;
  bool isA = std::is_same<Use, matrix_a>::value;
  for (unsigned j = 0; j < 16; ++j) {
    // (r, c) in the logical 16x16 tile.
    unsigned r = isA ? l : j, c = isA ? j : l;
    f.x[j] = rowMajor ? p[r * ldm + c] : p[c * ldm + r];
  }
}

inline void load_matrix_sync(fragment<accumulator, 16, 16, 16, float> &f,
                             const float *p, unsigned ldm, layout_t layout) {
  detail::checkMemory("load_matrix_sync", p, ldm, sizeof(float));
  detail::convergeWarp("load_matrix_sync",
                       detail::keyOf(detail::kLoad, p, ldm, layout + 2));
  unsigned l = detail::lane(), r = l / 2;
  for (unsigned j = 0; j < 8; ++j) {
    unsigned c = (l % 2) * 8 + j;
    f.x[j] = layout == mem_row_major ? p[r * ldm + c] : p[c * ldm + r];
  }
}

inline void store_matrix_sync(float *p,
                              const fragment<accumulator, 16, 16, 16, float> &f,
                              unsigned ldm, layout_t layout) {
  detail::checkMemory("store_matrix_sync", p, ldm, sizeof(float));
  detail::convergeWarp("store_matrix_sync",
                       detail::keyOf(detail::kStore, p, ldm, layout));
  unsigned l = detail::lane(), r = l / 2;
  for (unsigned j = 0; j < 8; ++j) {
    unsigned c = (l % 2) * 8 + j;
    (layout == mem_row_major ? p[r * ldm + c] : p[c * ldm + r]) = f.x[j];
  }
}

/// d = a * b + c over the warp: each lane computes its accumulator elements
/// from the rows of a and columns of b the other lanes hold, then the warp
/// meets again so that no lane changes a fragment another still reads.
template <typename T, typename LayoutA, typename LayoutB>
inline void mma_sync(fragment<accumulator, 16, 16, 16, float> &d,
                     const fragment<matrix_a, 16, 16, 16, T, LayoutA> &a,
                     const fragment<matrix_b, 16, 16, 16, T, LayoutB> &b,
                     const fragment<accumulator, 16, 16, 16, float> &c,
                     bool /*satf*/ = false) {
  using namespace ds_emu::detail;
  ThreadCtx &t = current();
  detail::MmaOperands(&table)[ds_emu::kWarpSize] =
      detail::mmaOperands[t.index / ds_emu::kWarpSize];
  table[t.lane] = {&a, &b};
  detail::convergeWarp("mma_sync", detail::keyOf(detail::kMma, nullptr, 0, 0));
  using FragA = fragment<matrix_a, 16, 16, 16, T, LayoutA>;
  using FragB = fragment<matrix_b, 16, 16, 16, T, LayoutB>;
  unsigned r = t.lane / 2;
  const FragA &row = *static_cast<const FragA *>(table[r].a);
  float out[8];
  for (unsigned j = 0; j < 8; ++j) {
    const FragB &col =
        *static_cast<const FragB *>(table[(t.lane % 2) * 8 + j].b);
    float acc = c.x[j];
    for (unsigned k = 0; k < 16; ++k)
      acc += detail::toFloat(row.x[k]) * detail::toFloat(col.x[k]);
    out[j] = acc;
  }
  // Every lane has read what it needs before any lane writes d (which may
  // be another lane's c) or moves on.
  __syncwarp();
  for (unsigned j = 0; j < 8; ++j)
    d.x[j] = out[j];
}

} // namespace wmma
} // namespace nvcuda

#pragma GCC visibility pop

#endif // DS_RUNTIME_EMU_MMA_H
