//===- CudaEmuTest.cpp - Tests of the CUDA execution-model emulation ------===//
//
// The kernels below are written as CUDA source (the emulation's contract is
// that ds's emitted CUDA compiles unchanged against CudaEmu.h); each test
// launches them with ds_emu::launch and checks the results against values
// computed independently on the host.
//
//===----------------------------------------------------------------------===//

#include "CudaEmu.h"
#include "cuda_bf16.h"
#include "cuda_fp16.h"

#include <gtest/gtest.h>

#include <cfloat>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <fstream>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

constexpr unsigned kFullMask = 0xffffffffu;

/// Sets an environment variable for the lifetime of the object.
class ScopedEnv {
public:
  ScopedEnv(const char *name, const char *value) : name(name) {
    if (const char *old = std::getenv(name)) {
      hadOld = true;
      oldValue = old;
    }
    setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (hadOld)
      setenv(name, oldValue.c_str(), 1);
    else
      unsetenv(name);
  }

private:
  const char *name;
  bool hadOld = false;
  std::string oldValue;
};

template <typename F> int launch(dim3 grid, dim3 block, F &&body) {
  return ds_emu::launch(grid, block, 0, std::forward<F>(body));
}

} // namespace

//===----------------------------------------------------------------------===//
// Built-in index variables
//===----------------------------------------------------------------------===//

__global__ void recordIndices(unsigned *visits, int *bad, dim3 expectGrid,
                              dim3 expectBlock) {
  if (gridDim.x != expectGrid.x || gridDim.y != expectGrid.y ||
      gridDim.z != expectGrid.z || blockDim.x != expectBlock.x ||
      blockDim.y != expectBlock.y || blockDim.z != expectBlock.z ||
      threadIdx.x >= blockDim.x || threadIdx.y >= blockDim.y ||
      threadIdx.z >= blockDim.z || blockIdx.x >= gridDim.x ||
      blockIdx.y >= gridDim.y || blockIdx.z >= gridDim.z)
    atomicAdd(bad, 1);
  unsigned block =
      blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
  unsigned thread =
      threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
  atomicAdd(&visits[block * blockDim.x * blockDim.y * blockDim.z + thread], 1u);
}

TEST(CudaEmuIndexing, EveryThreadOfA3DLaunchRunsOnce) {
  ScopedEnv threads("DS_EMU_THREADS", "4");
  dim3 grid(3, 2, 4), block(5, 3, 2); // 30 threads: a partial warp.
  std::vector<unsigned> visits(3 * 2 * 4 * 5 * 3 * 2, 0);
  int bad = 0;
  ASSERT_EQ(launch(grid, block,
                   [&] { recordIndices(visits.data(), &bad, grid, block); }),
            0)
      << ds_emu::lastError();
  EXPECT_EQ(bad, 0);
  for (size_t i = 0; i < visits.size(); ++i)
    EXPECT_EQ(visits[i], 1u) << "global thread " << i;
}

//===----------------------------------------------------------------------===//
// __syncthreads
//===----------------------------------------------------------------------===//

// Round r: thread i publishes a value, then reads its neighbour's. Without a
// real barrier, threads running one after another would read stale values.
__global__ void neighbourExchange(int *errors, int rounds) {
  __shared__ int buf[256];
  unsigned n = blockDim.x, i = threadIdx.x;
  for (int r = 0; r < rounds; ++r) {
    buf[i] = static_cast<int>(blockIdx.x * 1000000 + r * 1000 + i);
    __syncthreads();
    unsigned j = (i + 1) % n;
    if (buf[j] != static_cast<int>(blockIdx.x * 1000000 + r * 1000 + j))
      atomicAdd(errors, 1);
    __syncthreads();
  }
}

TEST(CudaEmuSyncthreads, NeighbourSeesValueWrittenBeforeBarrier) {
  int errors = 0;
  ASSERT_EQ(launch(dim3(8), dim3(200), [&] { neighbourExchange(&errors, 5); }),
            0)
      << ds_emu::lastError();
  EXPECT_EQ(errors, 0);
}

__global__ void treeReduce(const int *in, long long *out, int n) {
  __shared__ int partial[512];
  int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  partial[threadIdx.x] = i < n ? in[i] : 0;
  __syncthreads();
  for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
    if (threadIdx.x < s)
      partial[threadIdx.x] += partial[threadIdx.x + s];
    __syncthreads();
  }
  if (threadIdx.x == 0)
    out[blockIdx.x] = partial[0];
}

TEST(CudaEmuSyncthreads, MultiPhaseSharedMemoryReduction) {
  const int n = 5000;
  const unsigned threads = 512;
  const unsigned blocks = (n + threads - 1) / threads;
  std::vector<int> in(n);
  for (int i = 0; i < n; ++i)
    in[i] = i + 1;
  std::vector<long long> out(blocks, -1);
  ASSERT_EQ(launch(dim3(blocks), dim3(threads),
                   [&] { treeReduce(in.data(), out.data(), n); }),
            0)
      << ds_emu::lastError();
  for (unsigned b = 0; b < blocks; ++b) {
    long long lo = b * threads + 1,
              hi = std::min<long long>(n, lo + threads - 1);
    EXPECT_EQ(out[b], (lo + hi) * (hi - lo + 1) / 2) << "block " << b;
  }
}

__global__ void barrierAfterSomeThreadsExit(int *out) {
  __shared__ int v[96];
  if (threadIdx.x % 3 == 0)
    return;
  v[threadIdx.x] = static_cast<int>(threadIdx.x) * 2;
  __syncthreads();
  unsigned j = threadIdx.x % 3 == 1 ? threadIdx.x + 1 : threadIdx.x - 1;
  out[threadIdx.x] = v[j];
}

__global__ void onlyThreadZeroWaits(int *out) {
  if (threadIdx.x != 0)
    return; // Exits after thread 0 already waits at the barrier.
  __syncthreads();
  out[0] = 1;
}

TEST(CudaEmuSyncthreads, ExitedThreadsCountAsArrived) {
  std::vector<int> out(96, -1);
  ASSERT_EQ(launch(dim3(1), dim3(96),
                   [&] { barrierAfterSomeThreadsExit(out.data()); }),
            0)
      << ds_emu::lastError();
  for (unsigned t = 0; t < 96; ++t) {
    if (t % 3 == 0)
      EXPECT_EQ(out[t], -1);
    else
      EXPECT_EQ(out[t], static_cast<int>(t % 3 == 1 ? t + 1 : t - 1) * 2);
  }
  int flag = 0;
  ASSERT_EQ(launch(dim3(1), dim3(64), [&] { onlyThreadZeroWaits(&flag); }), 0)
      << ds_emu::lastError();
  EXPECT_EQ(flag, 1);
}

// On sm_70+ a barrier counts arrivals, whichever __syncthreads() call site
// each thread reaches.
__global__ void barrierFromTwoCallSites(int *out) {
  __shared__ int v[64];
  unsigned t = threadIdx.x;
  v[t] = static_cast<int>(t) + 1;
  if (t % 2)
    __syncthreads();
  else
    __syncthreads();
  out[t] = v[63 - t];
}

TEST(CudaEmuSyncthreads, DivergentCallSitesMeetAtOneBarrier) {
  int out[64];
  ASSERT_EQ(launch(dim3(1), dim3(64), [&] { barrierFromTwoCallSites(out); }), 0)
      << ds_emu::lastError();
  for (int t = 0; t < 64; ++t)
    EXPECT_EQ(out[t], 64 - t);
}

__global__ void syncthreadsPredicates(int *out) {
  unsigned t = threadIdx.x;
  int count = __syncthreads_count(t % 4 == 0);
  int all = __syncthreads_and(t < 1000);
  int notAll = __syncthreads_and(t != 7);
  int any = __syncthreads_or(t == 99);
  int none = __syncthreads_or(0);
  if (t == 0) {
    out[0] = count;
    out[1] = all;
    out[2] = notAll;
    out[3] = any;
    out[4] = none;
  }
}

TEST(CudaEmuSyncthreads, CountAndOrPredicates) {
  int out[5] = {-1, -1, -1, -1, -1};
  ASSERT_EQ(launch(dim3(2), dim3(100), [&] { syncthreadsPredicates(out); }), 0)
      << ds_emu::lastError();
  EXPECT_EQ(out[0], 25);
  EXPECT_EQ(out[1], 1);
  EXPECT_EQ(out[2], 0);
  EXPECT_EQ(out[3], 1);
  EXPECT_EQ(out[4], 0);
}

// A spin-wait within a block makes progress when it yields with __nanosleep.
__global__ void spinUntilLastThreadArrives(volatile int *flag, int *seen) {
  if (threadIdx.x == 0) {
    while (*flag == 0)
      __nanosleep(100);
    *seen = 1;
  }
  if (threadIdx.x == blockDim.x - 1)
    *flag = 1;
}

TEST(CudaEmuSyncthreads, NanosleepLetsOtherThreadsRun) {
  int flag = 0, seen = 0;
  ASSERT_EQ(launch(dim3(1), dim3(64),
                   [&] { spinUntilLastThreadArrives(&flag, &seen); }),
            0)
      << ds_emu::lastError();
  EXPECT_EQ(seen, 1);
}

//===----------------------------------------------------------------------===//
// Shared memory
//===----------------------------------------------------------------------===//

__shared__ int namespaceScopeShared[128];

__global__ void sharedIsPerBlock(int *errors, int rounds) {
  __shared__ int tile[128];
  unsigned t = threadIdx.x;
  for (int r = 0; r < rounds; ++r) {
    int mine = static_cast<int>(blockIdx.x * 100000 + r * 1000 + t);
    tile[t] = mine;
    namespaceScopeShared[t] = -mine;
    __syncthreads();
    // Every element must still hold this block's values from this round.
    for (unsigned k = 0; k < blockDim.x; k += 17) {
      int want = static_cast<int>(blockIdx.x * 100000 + r * 1000 + k);
      if (tile[k] != want || namespaceScopeShared[k] != -want)
        atomicAdd(errors, 1);
    }
    __syncthreads();
  }
}

TEST(CudaEmuSharedMemory, BlocksOnDifferentOsThreadsDoNotInterfere) {
  ScopedEnv threads("DS_EMU_THREADS", "4");
  int errors = 0;
  ASSERT_EQ(launch(dim3(64), dim3(128), [&] { sharedIsPerBlock(&errors, 20); }),
            0)
      << ds_emu::lastError();
  EXPECT_EQ(errors, 0);
}

__global__ void reverseWithDynamicShared(const float *in, float *out) {
  extern __shared__ float dynamicTile[];
  unsigned t = threadIdx.x, n = blockDim.x;
  dynamicTile[t] = in[blockIdx.x * n + t];
  __syncthreads();
  out[blockIdx.x * n + t] = dynamicTile[n - 1 - t];
}
// What ds emits next to the host launch wrappers for each dynamic name.
DS_EMU_DYNAMIC_SHARED(float, dynamicTile);

TEST(CudaEmuSharedMemory, DynamicSharedMemory) {
  const unsigned n = 300, blocks = 3;
  std::vector<float> in(n * blocks), out(n * blocks, 0.0f);
  for (unsigned i = 0; i < in.size(); ++i)
    in[i] = static_cast<float>(i);
  ASSERT_EQ(
      ds_emu::launch(dim3(blocks), dim3(n), n * sizeof(float),
                     [&] { reverseWithDynamicShared(in.data(), out.data()); }),
      0)
      << ds_emu::lastError();
  for (unsigned b = 0; b < blocks; ++b)
    for (unsigned t = 0; t < n; ++t)
      EXPECT_EQ(out[b * n + t], in[b * n + n - 1 - t]);
}

//===----------------------------------------------------------------------===//
// Warp shuffles, votes and reductions
//===----------------------------------------------------------------------===//

/// Lane l's source lane for __shfl_sync(mask, v, srcLane(l), width).
__host__ __device__ int shflSrcArg(unsigned lane) {
  return static_cast<int>(lane * 7 % 45) - 6;
}

template <typename T> __host__ __device__ T laneValue(unsigned tid) {
  return static_cast<T>(3 * tid + 1);
}

template <typename T>
__global__ void shuffleVariants(T *idx, T *up, T *down, T *xr, unsigned delta,
                                int laneMask, int width) {
  unsigned tid = threadIdx.x;
  unsigned lane = tid % 32;
  T v = laneValue<T>(tid);
  idx[tid] = __shfl_sync(kFullMask, v, shflSrcArg(lane), width);
  up[tid] = __shfl_up_sync(kFullMask, v, delta, width);
  down[tid] = __shfl_down_sync(kFullMask, v, delta, width);
  xr[tid] = __shfl_xor_sync(kFullMask, v, laneMask, width);
}

/// CUDA's documented rules, written independently of the emulation: lanes
/// form segments of `width`; shfl wraps its source modulo width, up/down
/// return the caller's value when the source leaves the segment, xor may read
/// earlier segments but not later ones. A source lane beyond the block (the
/// partial last warp) yields the caller's own value in the emulation.
template <typename T>
void checkShuffles(unsigned threads, unsigned delta, int laneMask, int width) {
  std::vector<T> idx(threads), up(threads), down(threads), xr(threads);
  ASSERT_EQ(launch(dim3(1), dim3(threads),
                   [&] {
                     shuffleVariants<T>(idx.data(), up.data(), down.data(),
                                        xr.data(), delta, laneMask, width);
                   }),
            0)
      << ds_emu::lastError();
  auto valueOf = [&](unsigned tid, long srcLane) {
    unsigned warpBase = tid / 32 * 32;
    long src = static_cast<long>(warpBase) + srcLane;
    if (srcLane < 0 || srcLane >= 32 || src >= static_cast<long>(threads))
      return laneValue<T>(tid);
    return laneValue<T>(static_cast<unsigned>(src));
  };
  long w = width;
  for (unsigned tid = 0; tid < threads; ++tid) {
    long lane = tid % 32, segment = lane / w;
    long wrapped = ((shflSrcArg(static_cast<unsigned>(lane)) % w) + w) % w;
    long d = static_cast<long>(delta);
    long xorSrc = lane ^ laneMask;
    SCOPED_TRACE("thread " + std::to_string(tid) + " width " +
                 std::to_string(width));
    EXPECT_EQ(idx[tid], valueOf(tid, segment * w + wrapped));
    EXPECT_EQ(up[tid], lane - d >= segment * w ? valueOf(tid, lane - d)
                                               : laneValue<T>(tid));
    EXPECT_EQ(down[tid], lane + d < (segment + 1) * w ? valueOf(tid, lane + d)
                                                      : laneValue<T>(tid));
    EXPECT_EQ(xr[tid],
              xorSrc / w > segment ? laneValue<T>(tid) : valueOf(tid, xorSrc));
  }
}

TEST(CudaEmuWarp, ShufflesFullWarpsAllWidths) {
  for (int width : {32, 16, 8, 4, 2, 1}) {
    checkShuffles<int>(64, 3, 5, width);
    checkShuffles<int>(64, 1, 16, width);
  }
}

TEST(CudaEmuWarp, ShufflesPartialLastWarp) {
  for (int width : {32, 8})
    checkShuffles<int>(40, 2, 3, width); // Second warp has 8 lanes.
}

TEST(CudaEmuWarp, ShufflesEveryValueType) {
  checkShuffles<unsigned>(64, 4, 9, 32);
  checkShuffles<float>(64, 4, 9, 32);
  checkShuffles<double>(64, 4, 9, 16);
  checkShuffles<long long>(64, 4, 9, 32);
  checkShuffles<unsigned long long>(64, 4, 9, 8);
}

__global__ void shuffleHalves(__half *h, __nv_bfloat16 *b, __half2 *h2) {
  unsigned t = threadIdx.x;
  __half hv = __float2half(static_cast<float>(t) + 0.5f);
  __nv_bfloat16 bv = __float2bfloat16(static_cast<float>(t) * 2.0f);
  __half2 pair = __floats2half2_rn(static_cast<float>(t), -1.0f * t);
  h[t] = __shfl_xor_sync(kFullMask, hv, 1);
  b[t] = __shfl_down_sync(kFullMask, bv, 1);
  h2[t] = __shfl_sync(kFullMask, pair, 0);
}

TEST(CudaEmuWarp, ShufflesHalfTypes) {
  __half h[32];
  __nv_bfloat16 b[32];
  __half2 h2[32];
  ASSERT_EQ(launch(dim3(1), dim3(32), [&] { shuffleHalves(h, b, h2); }), 0)
      << ds_emu::lastError();
  for (unsigned t = 0; t < 32; ++t) {
    EXPECT_EQ(__half2float(h[t]), static_cast<float>(t ^ 1u) + 0.5f);
    EXPECT_EQ(__bfloat162float(b[t]),
              static_cast<float>(t < 31 ? t + 1 : t) * 2.0f);
    EXPECT_EQ(__low2float(h2[t]), 0.0f);
    EXPECT_EQ(__high2float(h2[t]), 0.0f);
  }
}

__global__ void votes(unsigned *ballot, int *any, int *all, unsigned *active,
                      unsigned *activeAfterExit) {
  unsigned t = threadIdx.x;
  active[t] = __activemask();
  ballot[t] = __ballot_sync(kFullMask, t % 3 == 0);
  any[t] = __any_sync(kFullMask, t == 5) * 2 + __any_sync(kFullMask, 0);
  all[t] = __all_sync(kFullMask, t < 1000) * 2 + __all_sync(kFullMask, t != 3);
  if (t % 2)
    return;
  // Once the warp has synced, the odd lanes have exited.
  __syncwarp();
  activeAfterExit[t] = __activemask();
}

TEST(CudaEmuWarp, BallotAnyAllActivemask) {
  const unsigned n = 40; // Warp 1 has lanes 0..7.
  std::vector<unsigned> ballot(n), active(n), afterExit(n, 0);
  std::vector<int> any(n), all(n);
  ASSERT_EQ(launch(dim3(1), dim3(n),
                   [&] {
                     votes(ballot.data(), any.data(), all.data(), active.data(),
                           afterExit.data());
                   }),
            0)
      << ds_emu::lastError();
  for (unsigned t = 0; t < n; ++t) {
    unsigned base = t / 32 * 32, lanes = std::min(32u, n - base);
    unsigned expectBallot = 0, expectActive = 0, evens = 0;
    for (unsigned l = 0; l < lanes; ++l) {
      expectActive |= 1u << l;
      if ((base + l) % 3 == 0)
        expectBallot |= 1u << l;
      if (l % 2 == 0)
        evens |= 1u << l;
    }
    EXPECT_EQ(ballot[t], expectBallot) << t;
    EXPECT_EQ(active[t], expectActive) << t;
    EXPECT_EQ(any[t], base == 0 ? 2 : 0) << t;
    EXPECT_EQ(all[t], base == 0 ? 2 : 3) << t;
    EXPECT_EQ(afterExit[t], t % 2 ? 0u : evens) << t;
  }
}

__global__ void matchAndReduce(unsigned *matchAny, unsigned *matchAll,
                               int *matchAllPred, unsigned *sum, int *minV,
                               unsigned *maxV, unsigned *orV) {
  unsigned t = threadIdx.x;
  matchAny[t] = __match_any_sync(kFullMask, t % 4);
  int pred = -1;
  matchAll[t] = __match_all_sync(kFullMask, t < 16 ? 7 : 7 + (t == 20), &pred);
  matchAllPred[t] = pred;
  sum[t] = __reduce_add_sync(kFullMask, t);
  minV[t] = __reduce_min_sync(kFullMask, static_cast<int>(t) - 10);
  maxV[t] = __reduce_max_sync(kFullMask, t * 3);
  orV[t] = __reduce_or_sync(kFullMask, 1u << (t % 8));
}

TEST(CudaEmuWarp, MatchAndReduceIntrinsics) {
  unsigned matchAny[32], matchAll[32], sum[32], maxV[32], orV[32];
  int pred[32], minV[32];
  ASSERT_EQ(launch(dim3(1), dim3(32),
                   [&] {
                     matchAndReduce(matchAny, matchAll, pred, sum, minV, maxV,
                                    orV);
                   }),
            0)
      << ds_emu::lastError();
  for (unsigned t = 0; t < 32; ++t) {
    EXPECT_EQ(matchAny[t], 0x11111111u << (t % 4));
    EXPECT_EQ(matchAll[t], 0u);
    EXPECT_EQ(pred[t], 0);
    EXPECT_EQ(sum[t], 31u * 32u / 2u);
    EXPECT_EQ(minV[t], -10);
    EXPECT_EQ(maxV[t], 93u);
    EXPECT_EQ(orV[t], 0xffu);
  }
}

__global__ void disjointHalfWarps(int *out) {
  unsigned t = threadIdx.x;
  int v = static_cast<int>(t);
  // The two half-warps shuffle independently with their own masks.
  if (t < 16)
    v += __shfl_down_sync(0x0000ffffu, v, 1, 16) * 100;
  else
    v += __shfl_xor_sync(0xffff0000u, v, 2, 16) * 1000;
  out[t] = v;
}

TEST(CudaEmuWarp, PartialMasksSyncOnlyTheirLanes) {
  int out[32];
  ASSERT_EQ(launch(dim3(1), dim3(32), [&] { disjointHalfWarps(out); }), 0)
      << ds_emu::lastError();
  for (int t = 0; t < 16; ++t)
    EXPECT_EQ(out[t], t + (t < 15 ? t + 1 : t) * 100);
  for (int t = 16; t < 32; ++t)
    EXPECT_EQ(out[t], t + (t ^ 2) * 1000);
}

__device__ unsigned long long warpSum(unsigned long long v) {
  for (int offset = warpSize / 2; offset > 0; offset /= 2)
    v += __shfl_down_sync(kFullMask, v, offset);
  return v;
}

// Warp shuffles, then one partial per warp in shared memory, then warp 0
// reduces the partials: the standard two-level block reduction.
__global__ void sumOneToN(unsigned long long *total, unsigned n) {
  __shared__ unsigned long long warpPartials[32];
  unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  unsigned long long v = i < n ? i + 1ull : 0ull;
  v = warpSum(v);
  unsigned lane = threadIdx.x % warpSize, warp = threadIdx.x / warpSize;
  if (lane == 0)
    warpPartials[warp] = v;
  __syncthreads();
  unsigned numWarps = (blockDim.x + warpSize - 1) / warpSize;
  if (warp == 0) {
    v = lane < numWarps ? warpPartials[lane] : 0ull;
    v = warpSum(v);
    if (lane == 0)
      atomicAdd(total, v);
  }
}

TEST(CudaEmuWarp, WarpAndBlockReductionIsExact) {
  ScopedEnv threads("DS_EMU_THREADS", "3");
  for (unsigned blockSize : {1024u, 256u, 96u}) {
    const unsigned n = 100000;
    unsigned long long total = 0;
    ASSERT_EQ(launch(dim3((n + blockSize - 1) / blockSize), dim3(blockSize),
                     [&] { sumOneToN(&total, n); }),
              0)
        << ds_emu::lastError();
    EXPECT_EQ(total, 100000ull * 100001ull / 2) << "block size " << blockSize;
  }
}

//===----------------------------------------------------------------------===//
// Atomics
//===----------------------------------------------------------------------===//

struct AtomicCounters {
  int addInt;
  unsigned addUnsigned;
  unsigned long long addU64;
  float addFloat;
  double addDouble;
  int maxInt;
  int minInt;
  unsigned maxUnsigned;
  unsigned inc;
  int exchanged;
  int lock;
  long long lockedCounter; // Updated non-atomically under `lock`.
};

__global__ void hammerAtomics(AtomicCounters *c) {
  int g = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  atomicAdd(&c->addInt, 1);
  atomicAdd(&c->addUnsigned, 2u);
  atomicAdd(&c->addU64, 1ull << 33);
  atomicAdd(&c->addFloat, 1.0f);
  atomicAdd(&c->addDouble, 0.5);
  atomicMax(&c->maxInt, g * 7 - 100);
  atomicMin(&c->minInt, 100 - g);
  atomicMax(&c->maxUnsigned, static_cast<unsigned>(g));
  atomicInc(&c->inc, 99u);
  atomicExch(&c->exchanged, g);
  if (threadIdx.x == 0) {
    // One thread per block: the lock holder always runs on another OS
    // thread, so spinning cannot starve it.
    while (atomicCAS(&c->lock, 0, 1) != 0) {
    }
    __threadfence();
    c->lockedCounter += blockIdx.x + 1;
    __threadfence();
    atomicExch(&c->lock, 0);
  }
}

TEST(CudaEmuAtomics, AcrossBlocksOnParallelOsThreads) {
  ScopedEnv threads("DS_EMU_THREADS", "4");
  AtomicCounters c{};
  c.maxInt = INT_MIN;
  c.minInt = INT_MAX;
  const unsigned blocks = 200, perBlock = 256, total = blocks * perBlock;
  ASSERT_EQ(launch(dim3(blocks), dim3(perBlock), [&] { hammerAtomics(&c); }), 0)
      << ds_emu::lastError();
  EXPECT_EQ(c.addInt, static_cast<int>(total));
  EXPECT_EQ(c.addUnsigned, 2 * total);
  EXPECT_EQ(c.addU64, static_cast<unsigned long long>(total) << 33);
  EXPECT_EQ(c.addFloat, static_cast<float>(total)); // Exact below 2^24.
  EXPECT_EQ(c.addDouble, total * 0.5);
  EXPECT_EQ(c.maxInt, static_cast<int>(total - 1) * 7 - 100);
  EXPECT_EQ(c.minInt, 100 - static_cast<int>(total - 1));
  EXPECT_EQ(c.maxUnsigned, total - 1);
  EXPECT_EQ(c.inc, total % 100);
  EXPECT_GE(c.exchanged, 0);
  EXPECT_LT(c.exchanged, static_cast<int>(total));
  EXPECT_EQ(c.lock, 0);
  EXPECT_EQ(c.lockedCounter, static_cast<long long>(blocks) * (blocks + 1) / 2);
}

TEST(CudaEmuAtomics, ReturnOldValues) {
  int i = 5;
  EXPECT_EQ(atomicCAS(&i, 5, 9), 5);
  EXPECT_EQ(i, 9);
  EXPECT_EQ(atomicCAS(&i, 5, 1), 9);
  EXPECT_EQ(i, 9);
  unsigned u = 3;
  EXPECT_EQ(atomicDec(&u, 10u), 3u);
  EXPECT_EQ(u, 2u);
  u = 0;
  atomicDec(&u, 10u);
  EXPECT_EQ(u, 10u);
  float f = 1.5f;
  EXPECT_EQ(atomicExch(&f, 2.5f), 1.5f);
  EXPECT_EQ(atomicAdd(&f, 1.0f), 2.5f);
  EXPECT_EQ(f, 3.5f);
  unsigned long long x = 0xf0;
  EXPECT_EQ(atomicOr(&x, 0x0full), 0xf0ull);
  EXPECT_EQ(atomicAnd(&x, 0x3cull), 0xffull);
  EXPECT_EQ(x, 0x3cull);
}

//===----------------------------------------------------------------------===//
// Launch errors
//===----------------------------------------------------------------------===//

__global__ void doNothing() {}

TEST(CudaEmuLaunch, InvalidConfigurationsReturnErrors) {
  auto invalid = static_cast<int>(ds_emu::LaunchStatus::InvalidConfiguration);
  EXPECT_EQ(launch(dim3(1), dim3(2048), [] { doNothing(); }), invalid);
  EXPECT_NE(std::string(ds_emu::lastError()).find("2048"), std::string::npos)
      << ds_emu::lastError();
  EXPECT_EQ(launch(dim3(1), dim3(32, 32, 2), [] { doNothing(); }), invalid);
  EXPECT_EQ(launch(dim3(1), dim3(1, 1, 65), [] { doNothing(); }), invalid);
  EXPECT_EQ(launch(dim3(1, 70000), dim3(32), [] { doNothing(); }), invalid);
  EXPECT_EQ(launch(dim3(0), dim3(32), [] { doNothing(); }), invalid);
  EXPECT_EQ(launch(dim3(1), dim3(32, 0), [] { doNothing(); }), invalid);
  EXPECT_EQ(ds_emu::launch(dim3(1), dim3(32),
                           ds_emu::kMaxDynamicSharedBytes + 1,
                           [] { doNothing(); }),
            invalid);
  EXPECT_STRNE(ds_emu::lastError(), "");
  EXPECT_STREQ(ds_emu_last_error(), ds_emu::lastError());
  EXPECT_EQ(launch(dim3(1, 65535, 1), dim3(1), [] { doNothing(); }), 0);
  EXPECT_STREQ(ds_emu::lastError(), "");
}

__global__ void divergentBarriers() {
  // Lane 0 waits for the whole block while its warp waits for lane 0.
  if (threadIdx.x == 0)
    __syncthreads();
  else
    __syncwarp();
}

__global__ void trapInOneThread(int *ran) {
  if (blockIdx.x == 1 && threadIdx.x == 3)
    __trap();
  atomicAdd(ran, 1);
}

TEST(CudaEmuLaunch, DeadlockAndTrapAreReported) {
  EXPECT_EQ(launch(dim3(2), dim3(64), [] { divergentBarriers(); }),
            static_cast<int>(ds_emu::LaunchStatus::Deadlock));
  EXPECT_NE(std::string(ds_emu::lastError()).find("deadlock"),
            std::string::npos)
      << ds_emu::lastError();
  int ran = 0;
  EXPECT_EQ(launch(dim3(2), dim3(32), [&] { trapInOneThread(&ran); }),
            static_cast<int>(ds_emu::LaunchStatus::KernelFault));
  EXPECT_NE(std::string(ds_emu::lastError()).find("__trap"), std::string::npos)
      << ds_emu::lastError();
  // The emulation recovers: abandoned fibers' stacks are reused.
  int errors = 0;
  EXPECT_EQ(launch(dim3(4), dim3(256), [&] { neighbourExchange(&errors, 2); }),
            0);
  EXPECT_EQ(errors, 0);
}

//===----------------------------------------------------------------------===//
// Tiled matrix multiply
//===----------------------------------------------------------------------===//

constexpr int kTile = 16;

__global__ void __launch_bounds__(256)
    tiledMatmul(const float *__restrict__ a, const float *__restrict__ b,
                float *__restrict__ c, int m, int n, int k) {
  __shared__ float aTile[kTile][kTile];
  __shared__ float bTile[kTile][kTile + 1];
  int row = static_cast<int>(blockIdx.y * kTile + threadIdx.y);
  int col = static_cast<int>(blockIdx.x * kTile + threadIdx.x);
  float acc = 0.0f;
  for (int t0 = 0; t0 < k; t0 += kTile) {
    int ak = t0 + static_cast<int>(threadIdx.x);
    int bk = t0 + static_cast<int>(threadIdx.y);
    aTile[threadIdx.y][threadIdx.x] =
        row < m && ak < k ? a[row * k + ak] : 0.0f;
    bTile[threadIdx.y][threadIdx.x] =
        bk < k && col < n ? __ldg(&b[bk * n + col]) : 0.0f;
    __syncthreads();
#pragma unroll
    for (int i = 0; i < kTile; ++i)
      acc = __fmaf_rn(aTile[threadIdx.y][i], bTile[i][threadIdx.x], acc);
    __syncthreads();
  }
  if (row < m && col < n)
    c[row * n + col] = acc;
}

TEST(CudaEmuMatmul, TiledSharedMemoryMatmulMatchesNaiveLoop) {
  const int m = 200, n = 150, k = 130;
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> a(m * k), b(k * n), c(m * n, NAN), ref(m * n);
  for (float &v : a)
    v = dist(rng);
  for (float &v : b)
    v = dist(rng);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      double acc = 0.0;
      for (int p = 0; p < k; ++p)
        acc += static_cast<double>(a[i * k + p]) * b[p * n + j];
      ref[i * n + j] = static_cast<float>(acc);
    }
  auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(launch(dim3((n + kTile - 1) / kTile, (m + kTile - 1) / kTile),
                   dim3(kTile, kTile),
                   [&] { tiledMatmul(a.data(), b.data(), c.data(), m, n, k); }),
            0)
      << ds_emu::lastError();
  double ms = std::chrono::duration<double, std::milli>(
                  std::chrono::steady_clock::now() - start)
                  .count();
  std::printf("[ info ] %dx%dx%d tiled matmul: %.1f ms\n", m, n, k, ms);
  // float accumulation of 130 products in [-1, 1]: error well below 1e-4.
  for (int i = 0; i < m * n; ++i)
    ASSERT_NEAR(c[i], ref[i], 1e-4f) << "element " << i;
}

//===----------------------------------------------------------------------===//
// Math functions
//===----------------------------------------------------------------------===//

TEST(CudaEmuMath, IntrinsicsFollowCuda) {
  EXPECT_EQ(__popc(0xf0f0u), 8);
  EXPECT_EQ(__popcll(~0ull), 64);
  EXPECT_EQ(__clz(0), 32);
  EXPECT_EQ(__clz(1), 31);
  EXPECT_EQ(__clz(-1), 0);
  EXPECT_EQ(__clzll(1), 63);
  EXPECT_EQ(__ffs(0), 0);
  EXPECT_EQ(__ffs(8), 4);
  EXPECT_EQ(__brev(1u), 0x80000000u);
  EXPECT_EQ(__brev(0x12345678u), 0x1e6a2c48u);
  EXPECT_EQ(__byte_perm(0x33221100u, 0x77665544u, 0x3210u), 0x33221100u);
  EXPECT_EQ(__byte_perm(0x33221100u, 0x77665544u, 0x7654u), 0x77665544u);
  EXPECT_EQ(__byte_perm(0x33221100u, 0x77665544u, 0x0145u), 0x00114455u);
  EXPECT_EQ(__umulhi(0x80000000u, 4u), 2u);
  EXPECT_EQ(__float_as_uint(1.0f), 0x3f800000u);
  EXPECT_EQ(__int_as_float(0x40000000), 2.0f);
  EXPECT_EQ(__float2int_rn(2.5f), 2);
  EXPECT_EQ(__float2int_rn(3.5f), 4);
  EXPECT_EQ(__float2int_rz(-2.7f), -2);
  EXPECT_EQ(__float2int_rd(-2.2f), -3);
  EXPECT_EQ(__float2int_ru(2.2f), 3);
  EXPECT_EQ(__float2int_rn(1e20f), INT_MAX);
  EXPECT_EQ(__float2int_rn(NAN), 0);
  EXPECT_EQ(rsqrtf(4.0f), 0.5f);
  EXPECT_EQ(__saturatef(NAN), 0.0f);
  EXPECT_EQ(__saturatef(1.5f), 1.0f);
  EXPECT_EQ(__saturatef(-0.5f), 0.0f);
  EXPECT_EQ(__fdividef(1.0f, 4.0f), 0.25f);
  EXPECT_EQ(__frcp_rn(8.0f), 0.125f);
  EXPECT_EQ(__fmaf_rn(2.0f, 3.0f, 1.0f), 7.0f);
  EXPECT_FLOAT_EQ(__expf(1.0f), expf(1.0f));
  EXPECT_FLOAT_EQ(tanhf(0.5f), std::tanh(0.5f));
  EXPECT_FLOAT_EQ(normcdff(0.0f), 0.5f);
  EXPECT_EQ(min(-1, 1u), 1u); // int vs unsigned compares unsigned, as CUDA.
  EXPECT_EQ(max(-1, 1), 1);
  EXPECT_EQ(min(2.0f, NAN), 2.0f);
  EXPECT_EQ(max(1ll, 2ll), 2ll);
  float x = 3.0f;
  EXPECT_EQ(__ldg(&x), 3.0f);
}

//===----------------------------------------------------------------------===//
// __half and __nv_bfloat16
//===----------------------------------------------------------------------===//

namespace {
unsigned short halfBits(float f) { return __half_as_ushort(__float2half(f)); }
unsigned short bf16Bits(float f) {
  return __bfloat16_as_ushort(__float2bfloat16(f));
}
float fromBits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof(f));
  return f;
}
} // namespace

TEST(CudaEmuHalf, FloatToHalfEdgeCases) {
  EXPECT_EQ(halfBits(0.0f), 0x0000);
  EXPECT_EQ(halfBits(-0.0f), 0x8000);
  EXPECT_EQ(halfBits(1.0f), 0x3c00);
  EXPECT_EQ(halfBits(-2.0f), 0xc000);
  // Ties between 1 and its neighbours round to the even mantissa.
  EXPECT_EQ(halfBits(1.0f + std::ldexp(1.0f, -11)), 0x3c00);
  EXPECT_EQ(halfBits(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);
  EXPECT_EQ(halfBits(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)),
            0x3c01);
  // Largest finite, and the overflow threshold 65520.
  EXPECT_EQ(halfBits(65504.0f), 0x7bff);
  EXPECT_EQ(halfBits(65519.99f), 0x7bff);
  EXPECT_EQ(halfBits(65520.0f), 0x7c00);
  EXPECT_EQ(halfBits(-1e10f), 0xfc00);
  EXPECT_EQ(halfBits(INFINITY), 0x7c00);
  EXPECT_EQ(halfBits(-INFINITY), 0xfc00);
  EXPECT_TRUE(__hisnan(__float2half(NAN)));
  EXPECT_EQ(halfBits(NAN), 0x7fff);
  // Subnormals: units of 2^-24, ties to even.
  EXPECT_EQ(halfBits(std::ldexp(1.0f, -24)), 0x0001);
  EXPECT_EQ(halfBits(std::ldexp(1.0f, -25)), 0x0000);
  EXPECT_EQ(halfBits(std::ldexp(3.0f, -26)), 0x0001);
  EXPECT_EQ(halfBits(std::ldexp(3.0f, -25)), 0x0002);
  EXPECT_EQ(halfBits(std::ldexp(5.0f, -25)), 0x0002);
  EXPECT_EQ(halfBits(std::ldexp(1023.0f, -24)), 0x03ff);
  EXPECT_EQ(halfBits(std::ldexp(1.0f, -14)), 0x0400);
  EXPECT_EQ(halfBits(-std::ldexp(1.0f, -24)), 0x8001);
  EXPECT_EQ(halfBits(FLT_TRUE_MIN), 0x0000);
  // Directed rounding.
  EXPECT_EQ(__half_as_ushort(__float2half_rz(65535.0f)), 0x7bff);
  EXPECT_EQ(__half_as_ushort(__float2half_ru(1.0f + 1e-6f)), 0x3c01);
  EXPECT_EQ(__half_as_ushort(__float2half_rd(-1.0f - 1e-6f)), 0xbc01);
  EXPECT_EQ(__half_as_ushort(__float2half_rd(1.0f + 1e-6f)), 0x3c00);
  // double -> half rounds once: 1 + 2^-11 + 2^-40 lies above the tie.
  EXPECT_EQ(__half_as_ushort(__double2half(1.0 + std::ldexp(1.0, -11) +
                                           std::ldexp(1.0, -40))),
            0x3c01);
}

TEST(CudaEmuHalf, HalfToFloatIsExactAndRoundTrips) {
  EXPECT_EQ(__half2float(__ushort_as_half(0x0001)), std::ldexp(1.0f, -24));
  EXPECT_EQ(__half2float(__ushort_as_half(0x03ff)), std::ldexp(1023.0f, -24));
  EXPECT_EQ(__half2float(__ushort_as_half(0x7bff)), 65504.0f);
  EXPECT_EQ(__half2float(__ushort_as_half(0xfc00)), -INFINITY);
  EXPECT_TRUE(std::isnan(__half2float(__ushort_as_half(0x7e00))));
  for (unsigned bits = 0; bits < 0x10000; ++bits) {
    auto h = __ushort_as_half(static_cast<unsigned short>(bits));
    if (__hisnan(h))
      continue;
    ASSERT_EQ(halfBits(__half2float(h)), bits) << std::hex << bits;
  }
}

TEST(CudaEmuHalf, FloatToHalfIsNearestEvenOverASweep) {
  // Independent check: the result is no farther from f than either
  // neighbouring half, and a tie picks the even mantissa.
  for (uint64_t u = 0; u < 0x100000000ull; u += 7919) {
    float f = fromBits(static_cast<uint32_t>(u));
    if (std::isnan(f) || std::fabs(f) >= 65520.0f)
      continue;
    unsigned short h = halfBits(f);
    double got = __half2float(__ushort_as_half(h));
    double err = std::fabs(got - f);
    for (int step : {-1, 1}) {
      unsigned mag = h & 0x7fffu;
      if ((step < 0 && mag == 0) || (step > 0 && mag == 0x7bff))
        continue;
      auto nb = __ushort_as_half(
          static_cast<unsigned short>((h & 0x8000u) | (mag + step)));
      double other = std::fabs(static_cast<double>(__half2float(nb)) - f);
      ASSERT_LE(err, other) << "f=" << f;
      if (err == other) {
        ASSERT_EQ(h & 1u, 0u) << "tie not to even, f=" << f;
      }
    }
  }
}

TEST(CudaEmuHalf, ArithmeticAndPairs) {
  __half one = __float2half(1.0f), tiny = __float2half(std::ldexp(1.0f, -11));
  EXPECT_EQ(__half_as_ushort(__hadd(one, tiny)), 0x3c00); // Tie to even.
  EXPECT_EQ(__half2float(__hmul(__float2half(3.0f), __float2half(0.5f))), 1.5f);
  EXPECT_EQ(__half2float(__hsub(__float2half(3.0f), one)), 2.0f);
  EXPECT_EQ(__half2float(__hfma(__float2half(2.0f), __float2half(3.0f), one)),
            7.0f);
  EXPECT_TRUE(__hisinf(__hmul(__float2half(60000.0f), __float2half(2.0f))));
  __half a = 2.0f;
  a += __half(0.5f);
  EXPECT_EQ(__half2float(a), 2.5f);
  EXPECT_TRUE(a > one);
  EXPECT_EQ(__half2float(-a), -2.5f);
  __half2 p = __halves2half2(one, a);
  EXPECT_EQ(__low2float(p), 1.0f);
  EXPECT_EQ(__high2float(p), 2.5f);
  __half2 q = __floats2half2_rn(0.25f, 65536.0f);
  EXPECT_EQ(__low2float(q), 0.25f);
  EXPECT_TRUE(std::isinf(__high2float(q)));
  __half2 r = __hfma2(p, __float2half2_rn(2.0f), __floats2half2_rn(1.0f, 1.0f));
  EXPECT_EQ(__low2float(r), 3.0f);
  EXPECT_EQ(__high2float(r), 6.0f);
  float2 f2 = __half22float2(p + p);
  EXPECT_EQ(f2.x, 2.0f);
  EXPECT_EQ(f2.y, 5.0f);
}

TEST(CudaEmuHalf, Bfloat16EdgeCases) {
  EXPECT_EQ(bf16Bits(1.0f), 0x3f80);
  EXPECT_EQ(bf16Bits(-0.0f), 0x8000);
  EXPECT_EQ(bf16Bits(1.0f + std::ldexp(1.0f, -8)), 0x3f80);     // Tie, even.
  EXPECT_EQ(bf16Bits(1.0f + 3 * std::ldexp(1.0f, -8)), 0x3f82); // Tie, even.
  EXPECT_EQ(bf16Bits(1.0f + std::ldexp(1.0f, -8) + std::ldexp(1.0f, -20)),
            0x3f81);
  EXPECT_EQ(bf16Bits(FLT_MAX), 0x7f80); // Rounds past the largest finite.
  EXPECT_EQ(bf16Bits(fromBits(0x7f7f7fffu)), 0x7f7f);
  EXPECT_EQ(bf16Bits(INFINITY), 0x7f80);
  EXPECT_EQ(bf16Bits(-INFINITY), 0xff80);
  EXPECT_EQ(bf16Bits(NAN), 0x7fff);
  EXPECT_TRUE(__hisnan(__float2bfloat16(-NAN)));
  EXPECT_EQ(bf16Bits(fromBits(0x00018000u)), 0x0002); // Subnormal tie, even.
  EXPECT_EQ(bf16Bits(fromBits(0x00008000u)), 0x0000);
  EXPECT_EQ(bf16Bits(fromBits(0x00008001u)), 0x0001);
  EXPECT_EQ(__bfloat16_as_ushort(__float2bfloat16_rz(FLT_MAX)), 0x7f7f);
  EXPECT_EQ(__bfloat162float(__ushort_as_bfloat16(0x0001)),
            fromBits(0x00010000u));
  EXPECT_EQ(__bfloat162float(__ushort_as_bfloat16(0x7f7f)),
            fromBits(0x7f7f0000u));
  for (unsigned bits = 0; bits < 0x10000; ++bits) {
    auto b = __ushort_as_bfloat16(static_cast<unsigned short>(bits));
    if (__hisnan(b))
      continue;
    ASSERT_EQ(bf16Bits(__bfloat162float(b)), bits) << std::hex << bits;
  }
  __nv_bfloat16 x = __float2bfloat16(3.0f), y = __float2bfloat16(0.5f);
  EXPECT_EQ(__bfloat162float(__hmul(x, y)), 1.5f);
  EXPECT_EQ(__bfloat162float(x + y), 3.5f);
  __nv_bfloat162 p = __floats2bfloat162_rn(1.0f, -2.0f);
  EXPECT_EQ(__low2float(p), 1.0f);
  EXPECT_EQ(__high2float(p), -2.0f);
  EXPECT_EQ(__bfloat16_as_ushort(__double2bfloat16(1.0 + std::ldexp(1.0, -8) +
                                                   std::ldexp(1.0, -40))),
            0x3f81);
}

//===----------------------------------------------------------------------===//
// Large blocks and a kernel built as a shared object
//===----------------------------------------------------------------------===//

__global__ void bigBlockScan(int *out) {
  // Inclusive scan of 1s over 1024 threads: warp scan, then warp totals.
  __shared__ int warpTotals[32];
  unsigned tid = threadIdx.x + threadIdx.y * blockDim.x;
  unsigned lane = tid % 32, warp = tid / 32;
  int v = 1;
  for (unsigned d = 1; d < 32; d *= 2) {
    int other = __shfl_up_sync(kFullMask, v, d);
    if (lane >= d)
      v += other;
  }
  if (lane == 31)
    warpTotals[warp] = v;
  __syncthreads();
  int offset = 0;
  for (unsigned w = 0; w < warp; ++w)
    offset += warpTotals[w];
  out[blockIdx.x * 1024 + tid] = v + offset;
}

TEST(CudaEmuLaunch, MaximumBlockSizeWithWarpsAndBarriers) {
  std::vector<int> out(4 * 1024);
  for (int rep = 0; rep < 3; ++rep) {
    ASSERT_EQ(launch(dim3(4), dim3(32, 32), [&] { bigBlockScan(out.data()); }),
              0)
        << ds_emu::lastError();
    for (unsigned i = 0; i < out.size(); ++i)
      ASSERT_EQ(out[i], static_cast<int>(i % 1024) + 1);
  }
}

namespace {
std::string emuIncludeDir() {
#ifdef DS_EMU_INCLUDE_DIR
  return DS_EMU_INCLUDE_DIR;
#else
  // test/unittests/emu/CudaEmuTest.cpp -> runtime/emu
  std::string file = __FILE__;
  size_t pos = file.rfind("test/unittests/emu/");
  if (pos == std::string::npos)
    return "";
  return file.substr(0, pos) + "runtime/emu";
#endif
}
} // namespace

// The form ds emits: kernel source, then host-only launch wrappers.
static const char *kSharedObjectSource = R"cuda(
#include "CudaEmu.h"
#include <cuda_fp16.h>

__global__ void scaleAndSum(const float *__restrict__ in, __half *out,
                            float scale, unsigned *sum) {
  __shared__ float tile[64];
  unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  tile[threadIdx.x] = in[i] * scale;
  __syncthreads();
  out[i] = __float2half(tile[blockDim.x - 1 - threadIdx.x]);
  unsigned v = __reduce_add_sync(0xffffffffu, 1u);
  if (threadIdx.x % 32 == 0)
    atomicAdd(sum, v);
}

extern "C" int ds_emu_launch_k0(void **args, const unsigned *grid,
                                const unsigned *block,
                                unsigned dynamicSharedBytes) {
  return ds_emu::launch(dim3(grid[0], grid[1], grid[2]),
                        dim3(block[0], block[1], block[2]),
                        dynamicSharedBytes, [&] {
                          scaleAndSum(*(const float *const *)args[0],
                                      *(__half *const *)args[1],
                                      *(const float *)args[2],
                                      *(unsigned *const *)args[3]);
                        });
}
)cuda";

TEST(CudaEmuSharedObject, CompilesWarningFreeAndRunsAfterDlopen) {
  std::string include = emuIncludeDir();
  if (include.empty())
    GTEST_SKIP() << "cannot locate runtime/emu";
  const char *cxx = std::getenv("CXX");
  std::string compiler = cxx && *cxx ? cxx : "c++";
  char dirTemplate[] = "/tmp/ds-emu-test-XXXXXX";
  ASSERT_NE(mkdtemp(dirTemplate), nullptr);
  std::string dir = dirTemplate;
  std::ofstream(dir + "/k.cpp") << kSharedObjectSource;
  std::string cmd =
      compiler + " -std=c++17 -O2 -fPIC -shared -Wall -Wextra -Werror -I" +
      include + " " + dir + "/k.cpp -o " + dir + "/k.so 2>" + dir + "/log";
  int rc = std::system(cmd.c_str());
  std::string log;
  {
    std::ifstream in(dir + "/log");
    log.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_EQ(rc, 0) << cmd << "\n" << log;

  void *handle = dlopen((dir + "/k.so").c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << dlerror();
  using LaunchFn =
      int (*)(void **, const unsigned *, const unsigned *, unsigned);
  auto launchK0 = reinterpret_cast<LaunchFn>(dlsym(handle, "ds_emu_launch_k0"));
  auto lastErr =
      reinterpret_cast<const char *(*)()>(dlsym(handle, "ds_emu_last_error"));
  ASSERT_NE(launchK0, nullptr);
  ASSERT_NE(lastErr, nullptr);
  // Only the wrappers and the error hook are exported.
  EXPECT_EQ(dlsym(handle, "_ZN6ds_emu6detail13currentThreadE"), nullptr);

  std::vector<float> in(256);
  for (unsigned i = 0; i < in.size(); ++i)
    in[i] = static_cast<float>(i);
  std::vector<__half> out(256);
  const float *inPtr = in.data();
  __half *outPtr = out.data();
  float scale = 0.5f;
  unsigned sum = 0, *sumPtr = &sum;
  void *args[] = {&inPtr, &outPtr, &scale, &sumPtr};
  unsigned grid[3] = {4, 1, 1}, block[3] = {64, 1, 1};
  ASSERT_EQ(launchK0(args, grid, block, 0), 0) << lastErr();
  for (unsigned b = 0; b < 4; ++b)
    for (unsigned t = 0; t < 64; ++t)
      EXPECT_EQ(__half2float(out[b * 64 + t]), (b * 64 + 63 - t) * 0.5f);
  EXPECT_EQ(sum, 256u);
  unsigned badBlock[3] = {2048, 1, 1};
  EXPECT_EQ(launchK0(args, grid, badBlock, 0),
            static_cast<int>(ds_emu::LaunchStatus::InvalidConfiguration));
  EXPECT_NE(std::string(lastErr()).find("2048"), std::string::npos);
  dlclose(handle);
  std::system(("rm -rf " + dir).c_str());
}
