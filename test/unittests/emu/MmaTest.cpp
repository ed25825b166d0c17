//===- MmaTest.cpp - Tests of the nvcuda::wmma emulation (mma.h) ----------===//
//
// Kernels written as CUDA source against runtime/emu/mma.h: tiled products
// of every supported operand type and layout against a double-precision
// host product of the same 16-bit inputs, elementwise fragment access, and
// the diagnostics for divergent warps and misuse.
//
//===----------------------------------------------------------------------===//

#include "mma.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

using namespace nvcuda;

namespace {

template <typename F> int launch(dim3 grid, dim3 block, F &&body) {
  return ds_emu::launch(grid, block, 0, std::forward<F>(body));
}

/// C[M x N] = scale * (A[M x K] * B[K x N]) + C, one warp per 16x16 output
/// tile; A is stored row-major (lda = K) or column-major (lda = M), B
/// likewise. M, N, K are multiples of 16.
template <typename T, typename LayoutA, typename LayoutB>
__global__ void tiledProduct(const T *a, const T *b, float *c, unsigned m,
                             unsigned n, unsigned k, float scale) {
  const unsigned warp = threadIdx.x / 32, warps = blockDim.x / 32;
  const unsigned tiles = (m / 16) * (n / 16);
  for (unsigned tile = blockIdx.x * warps + warp; tile < tiles;
       tile += gridDim.x * warps) {
    const unsigned r0 = tile / (n / 16) * 16, c0 = tile % (n / 16) * 16;
    wmma::fragment<wmma::matrix_a, 16, 16, 16, T, LayoutA> fa;
    wmma::fragment<wmma::matrix_b, 16, 16, 16, T, LayoutB> fb;
    wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc, prior;
    wmma::fill_fragment(acc, 0.0f);
    constexpr bool aRow = std::is_same<LayoutA, wmma::row_major>::value;
    constexpr bool bRow = std::is_same<LayoutB, wmma::row_major>::value;
    for (unsigned k0 = 0; k0 < k; k0 += 16) {
      wmma::load_matrix_sync(fa, aRow ? a + r0 * k + k0 : a + k0 * m + r0,
                             aRow ? k : m);
      wmma::load_matrix_sync(fb, bRow ? b + k0 * n + c0 : b + c0 * k + k0,
                             bRow ? n : k);
      wmma::mma_sync(acc, fa, fb, acc);
    }
    // Elementwise access of x[] with one operation on every element is
    // independent of the element-to-lane mapping.
    for (int i = 0; i < acc.num_elements; ++i)
      acc.x[i] *= scale;
    wmma::load_matrix_sync(prior, c + r0 * n + c0, n, wmma::mem_row_major);
    for (int i = 0; i < acc.num_elements; ++i)
      acc.x[i] += prior.x[i];
    wmma::store_matrix_sync(c + r0 * n + c0, acc, n, wmma::mem_row_major);
  }
}

template <typename T> T fromFloat(float v);
template <> __half fromFloat<__half>(float v) { return __float2half(v); }
template <> __nv_bfloat16 fromFloat<__nv_bfloat16>(float v) {
  return __float2bfloat16(v);
}

template <typename T, typename LayoutA, typename LayoutB> void checkProduct() {
  constexpr unsigned m = 48, n = 32, k = 64;
  constexpr bool aRow = std::is_same<LayoutA, wmma::row_major>::value;
  constexpr bool bRow = std::is_same<LayoutB, wmma::row_major>::value;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  // 32-byte aligned storage (load_matrix_sync requires it).
  std::vector<T, std::allocator<T>> a(m * k + 16), b(k * n + 16);
  std::vector<float> c(m * n + 8), expect(m * n);
  auto align = [](auto *p) {
    auto bits = reinterpret_cast<std::uintptr_t>(p);
    return reinterpret_cast<decltype(p)>((bits + 31) & ~std::uintptr_t(31));
  };
  T *pa = align(a.data()), *pb = align(b.data());
  float *pc = align(c.data());
  for (unsigned i = 0; i < m * k; ++i)
    pa[i] = fromFloat<T>(dist(rng));
  for (unsigned i = 0; i < k * n; ++i)
    pb[i] = fromFloat<T>(dist(rng));
  for (unsigned i = 0; i < m * n; ++i)
    pc[i] = dist(rng);
  const float scale = 0.5f;
  for (unsigned r = 0; r < m; ++r)
    for (unsigned col = 0; col < n; ++col) {
      double sum = 0;
      for (unsigned kk = 0; kk < k; ++kk)
        sum += static_cast<double>(
                   static_cast<float>(aRow ? pa[r * k + kk] : pa[kk * m + r])) *
               static_cast<float>(bRow ? pb[kk * n + col] : pb[col * k + kk]);
      expect[r * n + col] = static_cast<float>(scale * sum + pc[r * n + col]);
    }
  ASSERT_EQ(launch(dim3(2), dim3(64),
                   [&] {
                     tiledProduct<T, LayoutA, LayoutB>(pa, pb, pc, m, n, k,
                                                       scale);
                   }),
            0)
      << ds_emu::lastError();
  // Products of 16-bit floats are exact in float; only the float sums
  // round (64 terms of magnitude <= 4).
  for (unsigned i = 0; i < m * n; ++i)
    ASSERT_NEAR(pc[i], expect[i], 1e-4) << "element " << i;
}

TEST(CudaEmuMma, HalfRowRow) {
  checkProduct<__half, wmma::row_major, wmma::row_major>();
}
TEST(CudaEmuMma, HalfRowCol) {
  checkProduct<__half, wmma::row_major, wmma::col_major>();
}
TEST(CudaEmuMma, HalfColRow) {
  checkProduct<__half, wmma::col_major, wmma::row_major>();
}
TEST(CudaEmuMma, Bf16RowRow) {
  checkProduct<__nv_bfloat16, wmma::row_major, wmma::row_major>();
}
TEST(CudaEmuMma, Bf16ColCol) {
  checkProduct<__nv_bfloat16, wmma::col_major, wmma::col_major>();
}

TEST(CudaEmuMma, FragmentShapes) {
  using A = wmma::fragment<wmma::matrix_a, 16, 16, 16, __half, wmma::row_major>;
  using B = wmma::fragment<wmma::matrix_b, 16, 16, 16, __nv_bfloat16,
                           wmma::col_major>;
  using C = wmma::fragment<wmma::accumulator, 16, 16, 16, float>;
  // The hardware's per-lane element counts for m16n16k16.
  EXPECT_EQ(A::num_elements, 16);
  EXPECT_EQ(B::num_elements, 16);
  EXPECT_EQ(C::num_elements, 8);
  EXPECT_TRUE((std::is_same<A::element_type, __half>::value));
}

//===----------------------------------------------------------------------===//
// Diagnostics
//===----------------------------------------------------------------------===//

alignas(32) float gTile[16 * 16];

__global__ void halfWarpStores() {
  wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
  wmma::fill_fragment(acc, 1.0f);
  // Lanes 16..31 exit: the store is divergent.
  if (threadIdx.x % 32 < 16)
    wmma::store_matrix_sync(gTile, acc, 16, wmma::mem_row_major);
}

__global__ void lanesDisagreeOnPointer() {
  wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
  wmma::fill_fragment(acc, 1.0f);
  float *p = threadIdx.x % 32 == 5 ? gTile + 8 : gTile;
  wmma::store_matrix_sync(p, acc, 16, wmma::mem_row_major);
}

__global__ void lanesInDifferentCalls(const __half *a) {
  wmma::fragment<wmma::matrix_a, 16, 16, 16, __half, wmma::row_major> fa;
  wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
  wmma::fill_fragment(acc, 0.0f);
  if (threadIdx.x % 32 == 0)
    wmma::load_matrix_sync(fa, a, 16);
  else
    wmma::store_matrix_sync(gTile, acc, 16, wmma::mem_row_major);
}

__global__ void divergentAroundBarrier(const __half *a) {
  wmma::fragment<wmma::matrix_a, 16, 16, 16, __half, wmma::row_major> fa;
  if (threadIdx.x % 32 < 8)
    wmma::load_matrix_sync(fa, a, 16);
  __syncthreads();
}

__global__ void misalignedLoad(const __half *a) {
  wmma::fragment<wmma::matrix_a, 16, 16, 16, __half, wmma::row_major> fa;
  wmma::load_matrix_sync(fa, a + 1, 16);
}

__global__ void oddLeadingDimension(const __half *a) {
  wmma::fragment<wmma::matrix_a, 16, 16, 16, __half, wmma::row_major> fa;
  wmma::load_matrix_sync(fa, a, 20);
}

void expectFault(int status, const char *what) {
  EXPECT_EQ(status, static_cast<int>(ds_emu::LaunchStatus::KernelFault))
      << ds_emu::lastError();
  std::string error = ds_emu::lastError();
  EXPECT_NE(error.find(what), std::string::npos) << error;
  EXPECT_NE(error.find("wmma::"), std::string::npos) << error;
}

TEST(CudaEmuMma, DivergenceIsReported) {
  alignas(32) static __half a[16 * 32];
  expectFault(launch(dim3(1), dim3(64), [] { halfWarpStores(); }),
              "only lanes 0x0000ffff took part");
  expectFault(launch(dim3(1), dim3(32), [] { lanesDisagreeOnPointer(); }),
              "divergent warp");
  expectFault(launch(dim3(1), dim3(32), [&] { lanesInDifferentCalls(a); }),
              "divergent warp");
  // Lanes waiting at the barrier while their warp waits for them.
  EXPECT_EQ(launch(dim3(1), dim3(32), [&] { divergentAroundBarrier(a); }),
            static_cast<int>(ds_emu::LaunchStatus::Deadlock));
  expectFault(launch(dim3(1), dim3(32), [&] { misalignedLoad(a); }),
              "32-byte aligned");
  expectFault(launch(dim3(1), dim3(32), [&] { oddLeadingDimension(a); }),
              "multiple of 16 bytes");
  // The emulation recovers: a correct launch after the failures works.
  checkProduct<__half, wmma::row_major, wmma::row_major>();
}

} // namespace
