//===- ReferenceGemm.cpp - GEMM for the reference contractions ------------===//
//
// matmul, conv (im2col) and conv_transpose (col2im) all reduce to one row-major
// GEMM. With cblas (OpenBLAS) available at build time it is called directly;
// otherwise a portable cache-blocked kernel runs: B is packed into panels of
// NR columns and A into panels of MR rows so the MR x NR micro-kernel reads
// both contiguously and the compiler vectorizes its inner loop. Column ranges
// are split over a few threads; each C element is computed by one thread in a
// fixed order, so results do not depend on the thread count.
//
//===----------------------------------------------------------------------===//

#include "runtime/ReferenceSupport.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <thread>
#include <vector>

#ifdef DS_REFERENCE_HAVE_CBLAS
#include <cblas.h>
#endif

namespace ds::runtime::ref {
namespace {

/// Micro-tile sizes: MR rows of A times NR columns of B stay in registers
/// (MR * NR / lanes accumulators, 12 of the 16 SSE/AVX registers).
template <typename T> struct Tile;
template <> struct Tile<float> { static constexpr int64_t kMR = 6, kNR = 8; };
template <> struct Tile<double> { static constexpr int64_t kMR = 6, kNR = 4; };

constexpr int64_t kKC = 256; // depth of one packed block
constexpr int64_t kMC = 96;  // rows of A packed at once (multiple of kMR)
constexpr int64_t kNC = 2048;

#if defined(__GNUC__)
/// 16-byte SIMD vectors through the GCC/Clang vector extension: SSE2 on any
/// x86-64, NEON on AArch64, without target-specific intrinsics.
template <typename T> struct Simd {
  typedef T Vec __attribute__((vector_size(16)));
  static constexpr int64_t kLanes = 16 / sizeof(T);
};

/// acc[i][j] = sum_p ap[p][i] * bp[p][j]; then written (or added) to the
/// mr x nr corner of C.
template <typename T>
void microKernel(int64_t kc, const T *ap, const T *bp, T *c, int64_t ldc,
                 int64_t mr, int64_t nr, bool accumulate) {
  using Vec = typename Simd<T>::Vec;
  constexpr int64_t MR = Tile<T>::kMR, NR = Tile<T>::kNR;
  constexpr int64_t L = Simd<T>::kLanes, NV = NR / L;
  Vec acc[MR][NV] = {};
  for (int64_t p = 0; p < kc; ++p) {
    Vec b[NV];
    std::memcpy(b, bp + p * NR, sizeof(b));
    const T *a = ap + p * MR;
    for (int64_t i = 0; i < MR; ++i)
      for (int64_t v = 0; v < NV; ++v)
        acc[i][v] += a[i] * b[v];
  }
  T sum[MR][NR];
  std::memcpy(sum, acc, sizeof(sum));
  for (int64_t i = 0; i < mr; ++i)
    for (int64_t j = 0; j < nr; ++j)
      c[i * ldc + j] = accumulate ? c[i * ldc + j] + sum[i][j] : sum[i][j];
}
#else
template <typename T>
void microKernel(int64_t kc, const T *ap, const T *bp, T *c, int64_t ldc,
                 int64_t mr, int64_t nr, bool accumulate) {
  constexpr int64_t MR = Tile<T>::kMR, NR = Tile<T>::kNR;
  T sum[MR][NR] = {};
  for (int64_t p = 0; p < kc; ++p)
    for (int64_t i = 0; i < MR; ++i)
      for (int64_t j = 0; j < NR; ++j)
        sum[i][j] += ap[p * MR + i] * bp[p * NR + j];
  for (int64_t i = 0; i < mr; ++i)
    for (int64_t j = 0; j < nr; ++j)
      c[i * ldc + j] = accumulate ? c[i * ldc + j] + sum[i][j] : sum[i][j];
}
#endif

struct Operand {
  bool trans;
  int64_t ld;
};

/// op(X)[r][col] of a row-major matrix stored transposed or not.
template <typename T>
inline T at(const T *x, const Operand &o, int64_t r, int64_t col) {
  return o.trans ? x[col * o.ld + r] : x[r * o.ld + col];
}

/// C[:, n0:n1] for the portable path.
template <typename T>
void gemmColumns(int64_t m, int64_t n0, int64_t n1, int64_t k, const T *a,
                 Operand oa, const T *b, Operand ob, T *c, int64_t ldc,
                 bool accumulate) {
  constexpr int64_t MR = Tile<T>::kMR, NR = Tile<T>::kNR;
  std::vector<T> bp, ap;
  for (int64_t jc = n0; jc < n1; jc += kNC) {
    int64_t nc = std::min(kNC, n1 - jc);
    int64_t nPanels = (nc + NR - 1) / NR;
    for (int64_t pc = 0; pc < k; pc += kKC) {
      int64_t kc = std::min(kKC, k - pc);
      bool acc = accumulate || pc > 0;
      // Pack op(B)[pc:pc+kc, jc:jc+nc] as nPanels panels of kc x NR.
      bp.assign(static_cast<size_t>(nPanels * kc * NR), T(0));
      for (int64_t jp = 0; jp < nPanels; ++jp) {
        int64_t cols = std::min(NR, nc - jp * NR);
        T *dst = bp.data() + jp * kc * NR;
        for (int64_t p = 0; p < kc; ++p)
          for (int64_t j = 0; j < cols; ++j)
            dst[p * NR + j] = at(b, ob, pc + p, jc + jp * NR + j);
      }
      for (int64_t ic = 0; ic < m; ic += kMC) {
        int64_t mc = std::min(kMC, m - ic);
        int64_t mPanels = (mc + MR - 1) / MR;
        ap.assign(static_cast<size_t>(mPanels * kc * MR), T(0));
        for (int64_t ip = 0; ip < mPanels; ++ip) {
          int64_t rows = std::min(MR, mc - ip * MR);
          T *dst = ap.data() + ip * kc * MR;
          for (int64_t p = 0; p < kc; ++p)
            for (int64_t i = 0; i < rows; ++i)
              dst[p * MR + i] = at(a, oa, ic + ip * MR + i, pc + p);
        }
        for (int64_t jp = 0; jp < nPanels; ++jp)
          for (int64_t ip = 0; ip < mPanels; ++ip)
            microKernel<T>(
                kc, ap.data() + ip * kc * MR, bp.data() + jp * kc * NR,
                c + (ic + ip * MR) * ldc + jc + jp * NR, ldc,
                std::min(MR, mc - ip * MR), std::min(NR, nc - jp * NR), acc);
      }
    }
  }
}

template <typename T>
void blockedGemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k,
                 const T *a, int64_t lda, const T *b, int64_t ldb, T *c,
                 int64_t ldc, bool accumulate) {
  if (m == 0 || n == 0)
    return;
  if (k == 0) {
    if (!accumulate)
      for (int64_t i = 0; i < m; ++i)
        std::fill(c + i * ldc, c + i * ldc + n, T(0));
    return;
  }
  Operand oa{transA, lda}, ob{transB, ldb};
  // Threads only pay off on large products; split columns on panel bounds.
  constexpr int64_t NR = Tile<T>::kNR;
  int64_t work = m * n * k;
  int64_t threads = std::min<int64_t>(
      {static_cast<int64_t>(std::max(1u, std::thread::hardware_concurrency())),
       8, (n + NR - 1) / NR, std::max<int64_t>(1, work / (1 << 21))});
  if (threads <= 1) {
    gemmColumns(m, 0, n, k, a, oa, b, ob, c, ldc, accumulate);
    return;
  }
  int64_t panels = (n + NR - 1) / NR;
  std::vector<std::thread> pool;
  for (int64_t t = 0; t < threads; ++t) {
    int64_t n0 = std::min(n, panels * t / threads * NR);
    int64_t n1 = std::min(n, panels * (t + 1) / threads * NR);
    if (n0 < n1)
      pool.emplace_back(
          [=] { gemmColumns(m, n0, n1, k, a, oa, b, ob, c, ldc, accumulate); });
  }
  for (std::thread &th : pool)
    th.join();
}

#ifdef DS_REFERENCE_HAVE_CBLAS
bool fitsBlasInt(std::initializer_list<int64_t> values) {
  for (int64_t v : values)
    if (v > INT_MAX)
      return false;
  return true;
}
#endif

} // namespace

void portableGemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k,
                  const float *a, int64_t lda, const float *b, int64_t ldb,
                  float *c, int64_t ldc, bool accumulate) {
  blockedGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
}

void portableGemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k,
                  const double *a, int64_t lda, const double *b, int64_t ldb,
                  double *c, int64_t ldc, bool accumulate) {
  blockedGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
}

void gemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k,
          const float *a, int64_t lda, const float *b, int64_t ldb, float *c,
          int64_t ldc, bool accumulate) {
#ifdef DS_REFERENCE_HAVE_CBLAS
  if (m > 0 && n > 0 && k > 0 && fitsBlasInt({m, n, k, lda, ldb, ldc})) {
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
                transB ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a, lda, b,
                ldb, accumulate ? 1.0f : 0.0f, c, ldc);
    return;
  }
#endif
  portableGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
}

void gemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k,
          const double *a, int64_t lda, const double *b, int64_t ldb, double *c,
          int64_t ldc, bool accumulate) {
#ifdef DS_REFERENCE_HAVE_CBLAS
  if (m > 0 && n > 0 && k > 0 && fitsBlasInt({m, n, k, lda, ldb, ldc})) {
    cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
                transB ? CblasTrans : CblasNoTrans, m, n, k, 1.0, a, lda, b,
                ldb, accumulate ? 1.0 : 0.0, c, ldc);
    return;
  }
#endif
  portableGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
}

const char *gemmBackendName() {
#ifdef DS_REFERENCE_HAVE_CBLAS
  return "cblas";
#else
  return "portable";
#endif
}

} // namespace ds::runtime::ref
