//===- CudaEmu.h - CUDA execution model on host threads ---------*- C++ -*-===//
//
// Header-only emulation of the CUDA execution model, so that the very CUDA
// C++ source ds emits for NVRTC also compiles with a host C++17 compiler and
// runs on the CPU:
//
//   - every CUDA thread of a block is a fiber; all fibers of a block run on
//     one OS thread, and blocks are spread over a pool of OS threads;
//   - __syncthreads() is a real barrier among the block's fibers, warp
//     intrinsics (__shfl*_sync, __ballot_sync, ...) are real 32-lane
//     collectives, and threads that have exited count as arrived (sm_70+);
//   - __shared__ is `thread_local`: one copy per OS thread, and an OS thread
//     runs one block at a time, so one copy per running block;
//   - atomics are host atomics, correct across blocks running in parallel.
//
// Launch with ds_emu::launch(grid, block, dynamicSharedBytes, body), where
// body is invoked once per CUDA thread (typically a lambda calling the
// kernel). It returns 0 on success or a ds_emu::LaunchStatus, and the reason
// is in ds_emu::lastError(). docs/design/cuda-emulation.md has the details
// and the limits.
//
// Define DS_EMU_USE_UCONTEXT to switch fibers with swapcontext instead of the
// x86-64 assembly switch (always used on other architectures).
//
//===----------------------------------------------------------------------===//

#ifndef DS_RUNTIME_EMU_CUDAEMU_H
#define DS_RUNTIME_EMU_CUDAEMU_H

#include "vector_types.h"

// Everything the header needs, and the headers that use the identifiers
// the qualifier macros below redefine (libstdc++'s <memory> spells
// __attribute__((__noinline__))), come first.
#include <algorithm>
#include <atomic>
#include <cassert>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <math.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__x86_64__) && !defined(DS_EMU_USE_UCONTEXT)
#define DS_EMU_X86_64_SWITCH 1
#else
#include <ucontext.h>
#endif

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
#define DS_EMU_EXCEPTIONS 1
#endif

//===----------------------------------------------------------------------===//
// CUDA qualifiers
//===----------------------------------------------------------------------===//

#define __global__
#define __device__
#define __host__
#define __constant__
#define __managed__
#define __grid_constant__
#define __forceinline__ __inline__ __attribute__((always_inline))
#define __noinline__ __attribute__((noinline))
#define __launch_bounds__(...)
#define __align__(n) __attribute__((aligned(n)))
// A block-scope thread_local is implicitly static, and
// `extern __shared__ T name[];` becomes a valid extern declaration.
#define __shared__ thread_local

/// Defines the storage behind `extern __shared__ T name[];` (dynamic shared
/// memory). Emitted by ds in the host-only launch wrappers that follow the
/// kernel source, once per name, so the kernel source stays valid CUDA.
#define DS_EMU_DYNAMIC_SHARED(T, name)                                         \
  alignas(16) thread_local T name[::ds_emu::kMaxDynamicSharedBytes / sizeof(T)]

#ifndef DS_EMU_MAX_DYNAMIC_SHARED_BYTES
/// Dynamic shared memory per block: 227 KiB, as on sm_90 with opt-in.
#define DS_EMU_MAX_DYNAMIC_SHARED_BYTES (227 * 1024)
#endif

/// The warp size built-in.
inline constexpr int warpSize = 32;

// The emulation's state must stay private to each shared object that
// includes this header, so that kernels built at different times never share
// fiber stacks or the current-thread pointer through symbol interposition.
#pragma GCC visibility push(hidden)

namespace ds_emu {

//===----------------------------------------------------------------------===//
// Limits and launch API
//===----------------------------------------------------------------------===//

/// Stack of one emulated CUDA thread. Kernels keep their locals in registers
/// on a GPU; 64 KiB holds generous local arrays. A PROT_NONE guard page below
/// each stack turns an overflow into a segmentation fault.
inline constexpr std::size_t kFiberStackBytes = 64 * 1024;
inline constexpr unsigned kWarpSize = 32;
inline constexpr unsigned kMaxThreadsPerBlock = 1024;
inline constexpr unsigned kMaxBlockDimX = 1024;
inline constexpr unsigned kMaxBlockDimY = 1024;
inline constexpr unsigned kMaxBlockDimZ = 64;
inline constexpr unsigned kMaxGridDimX = 0x7fffffffu;
inline constexpr unsigned kMaxGridDimYZ = 65535;
inline constexpr std::size_t kMaxDynamicSharedBytes =
    DS_EMU_MAX_DYNAMIC_SHARED_BYTES;

/// Outcome of launch(); 0 is success.
enum class LaunchStatus : int {
  Success = 0,
  /// Grid or block dimensions or dynamic shared memory out of range.
  InvalidConfiguration = 1,
  /// Threads of a block wait at barriers that can never complete.
  Deadlock = 2,
  /// A thread threw an exception or called __trap().
  KernelFault = 3,
  /// Fiber stacks or worker threads could not be created.
  OutOfResources = 4,
};

namespace detail {
inline std::string &lastErrorStorage() {
  static thread_local std::string message;
  return message;
}
} // namespace detail

/// Why the calling thread's most recent launch failed; "" after a success.
inline const char *lastError() { return detail::lastErrorStorage().c_str(); }

namespace detail {

//===----------------------------------------------------------------------===//
// Fiber context switch
//===----------------------------------------------------------------------===//

#if defined(DS_EMU_X86_64_SWITCH)
/// A suspended fiber: its stack pointer, with the callee-saved registers
/// pushed on its stack.
struct Context {
  void *sp = nullptr;
};

/// Saves the System V callee-saved registers on the current stack, stores
/// the stack pointer to *saveSp and resumes the context saved at loadSp. No
/// signal mask is touched, unlike swapcontext, so a switch costs a few
/// nanoseconds instead of a system call. MXCSR and the x87 control word are
/// not switched (saving them dominated the cost): every fiber of an OS
/// thread runs in that thread's floating-point environment, which CUDA
/// device code has no way to change.
__attribute__((naked, noinline)) inline void switchStacks(void ** /*saveSp*/,
                                                          void * /*loadSp*/) {
  asm("pushq %rbp\n\t"
      "pushq %rbx\n\t"
      "pushq %r12\n\t"
      "pushq %r13\n\t"
      "pushq %r14\n\t"
      "pushq %r15\n\t"
      "movq %rsp, (%rdi)\n\t"
      "movq %rsi, %rsp\n\t"
      "popq %r15\n\t"
      "popq %r14\n\t"
      "popq %r13\n\t"
      "popq %r12\n\t"
      "popq %rbx\n\t"
      "popq %rbp\n\t"
      "ret");
}

/// First code a new fiber runs: calls entry(arg), both restored from the
/// initial frame into %rbx and %r12, on a 16-byte aligned stack.
__attribute__((naked, noinline)) inline void fiberTrampoline() {
  asm("movq %r12, %rdi\n\t"
      "andq $-16, %rsp\n\t"
      "callq *%rbx\n\t"
      "ud2");
}

inline void switchContext(Context &from, Context &to) {
  switchStacks(&from.sp, to.sp);
}

/// Prepares `ctx` to run entry(arg) on [stackLow, stackLow + size).
inline void makeContext(Context &ctx, char *stackLow, std::size_t size,
                        void (*entry)(void *), void *arg) {
  auto top =
      reinterpret_cast<std::uintptr_t>(stackLow + size) & ~std::uintptr_t(15);
  // The frame switchStacks pops: r15, r14, r13, r12, rbx, rbp, return.
  auto *frame = reinterpret_cast<std::uint64_t *>(top) - 8;
  frame[0] = 0;
  frame[1] = 0;
  frame[2] = 0;
  frame[3] = reinterpret_cast<std::uint64_t>(arg);
  frame[4] = reinterpret_cast<std::uint64_t>(entry);
  frame[5] = 0;
  frame[6] = reinterpret_cast<std::uint64_t>(&fiberTrampoline);
  ctx.sp = frame;
}
#else
struct Context {
  ucontext_t uc;
};

inline void switchContext(Context &from, Context &to) {
  swapcontext(&from.uc, &to.uc);
}

/// makecontext passes int arguments only: pointers travel as 32-bit halves.
inline void ucontextEntry(unsigned entryLo, unsigned entryHi, unsigned argLo,
                          unsigned argHi) {
  auto join = [](unsigned lo, unsigned hi) {
    return static_cast<std::uintptr_t>(lo) |
           (static_cast<std::uintptr_t>(hi) << 16 << 16);
  };
  auto entry = reinterpret_cast<void (*)(void *)>(join(entryLo, entryHi));
  entry(reinterpret_cast<void *>(join(argLo, argHi)));
}

inline void makeContext(Context &ctx, char *stackLow, std::size_t size,
                        void (*entry)(void *), void *arg) {
  getcontext(&ctx.uc);
  ctx.uc.uc_stack.ss_sp = stackLow;
  ctx.uc.uc_stack.ss_size = size;
  ctx.uc.uc_link = nullptr;
  auto e = reinterpret_cast<std::uintptr_t>(entry);
  auto a = reinterpret_cast<std::uintptr_t>(arg);
  makecontext(&ctx.uc, reinterpret_cast<void (*)()>(&ucontextEntry), 4,
              static_cast<unsigned>(e), static_cast<unsigned>(e >> 16 >> 16),
              static_cast<unsigned>(a), static_cast<unsigned>(a >> 16 >> 16));
}
#endif

//===----------------------------------------------------------------------===//
// Fiber stacks
//===----------------------------------------------------------------------===//

/// Fiber stacks, each above a PROT_NONE guard page, mapped in chunks and
/// recycled across threads, blocks and launches.
class StackPool {
public:
  StackPool() = default;
  StackPool(const StackPool &) = delete;
  StackPool &operator=(const StackPool &) = delete;
  ~StackPool() {
    for (const auto &chunk : chunks)
      munmap(chunk.first, chunk.second);
  }

  /// Lowest usable address of a free stack, or nullptr when out of memory.
  char *acquire() {
    if (freeStacks.empty() && !grow())
      return nullptr;
    char *stack = freeStacks.back();
    freeStacks.pop_back();
    return stack;
  }

  void release(char *stack) { freeStacks.push_back(stack); }

private:
  bool grow() {
    constexpr std::size_t kStacksPerChunk = 32;
    std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    std::size_t slot = kFiberStackBytes + page;
    std::size_t bytes = slot * kStacksPerChunk;
    void *mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED)
      return false;
    chunks.emplace_back(mem, bytes);
    for (std::size_t i = kStacksPerChunk; i-- > 0;) {
      char *guard = static_cast<char *>(mem) + i * slot;
      mprotect(guard, page, PROT_NONE);
      freeStacks.push_back(guard + page);
    }
    return true;
  }

  std::vector<std::pair<void *, std::size_t>> chunks;
  std::vector<char *> freeStacks;
};

/// Pools not in use by a running worker, kept for the next launch.
class StackPoolCache {
public:
  std::unique_ptr<StackPool> take() {
    std::lock_guard<std::mutex> lock(mutex);
    if (idle.empty())
      return std::make_unique<StackPool>();
    std::unique_ptr<StackPool> pool = std::move(idle.back());
    idle.pop_back();
    return pool;
  }
  void give(std::unique_ptr<StackPool> pool) {
    std::lock_guard<std::mutex> lock(mutex);
    idle.push_back(std::move(pool));
  }

private:
  std::mutex mutex;
  std::vector<std::unique_ptr<StackPool>> idle;
};

inline StackPoolCache &stackPoolCache() {
  static StackPoolCache cache;
  return cache;
}

//===----------------------------------------------------------------------===//
// Threads, warps and blocks
//===----------------------------------------------------------------------===//

enum class FiberState : std::uint8_t {
  NotStarted,
  Runnable,
  AtBlockBarrier,
  AtWarpSync,
  Exited,
};

/// Warp-synchronous operations; the last lane to arrive computes every
/// participating lane's result.
enum class WarpOp : std::uint8_t {
  Sync,
  ShflIdx,
  ShflUp,
  ShflDown,
  ShflXor,
  Ballot,
  MatchAny,
  MatchAll,
  // The reductions come last: their results depend on the group only.
  ReduceAdd,
  ReduceMinU,
  ReduceMaxU,
  ReduceMinS,
  ReduceMaxS,
  ReduceAnd,
  ReduceOr,
  ReduceXor,
};

/// One lane's deposit for, and result of, a warp-synchronous operation.
struct LaneSlot {
  std::uint64_t value = 0;
  std::uint64_t result = 0;
  /// Lanes named by the caller's mask that took part.
  unsigned group = 0;
  unsigned mask = 0;
  int param = 0;
  int width = 32;
  WarpOp op = WarpOp::Sync;
};

struct BlockCtx;
struct WarpCtx;

struct ThreadCtx {
  uint3 threadIdx{0, 0, 0};
  /// Linear index in the block, and lane in the warp.
  unsigned index = 0;
  unsigned lane = 0;
  FiberState state = FiberState::NotStarted;
  BlockCtx *block = nullptr;
  WarpCtx *warp = nullptr;
  char *stack = nullptr;
  Context context;
};

struct WarpCtx {
  ThreadCtx *lanes = nullptr;
  /// Lanes that exist and have not exited.
  unsigned live = 0;
  /// `live` when the last warp-synchronous operation completed: what
  /// __activemask() reports, since fibers cannot observe convergence.
  unsigned converged = 0;
  /// Lanes waiting in the pending operation, and the lanes they name.
  unsigned arrived = 0;
  unsigned expected = 0;
  LaneSlot slots[32];
};

struct LaunchState;

struct BlockCtx {
  uint3 blockIdx{0, 0, 0};
  dim3 blockDim, gridDim;
  ThreadCtx *threads = nullptr;
  unsigned numThreads = 0;
  WarpCtx *warps = nullptr;
  unsigned numWarps = 0;
  /// Threads not yet exited.
  unsigned live = 0;
  /// The pending __syncthreads: arrivals and non-zero predicates so far, and
  /// the counts of the last completed one.
  unsigned barrierArrived = 0;
  unsigned barrierPredicates = 0;
  unsigned lastBarrierArrived = 0;
  unsigned lastBarrierPredicates = 0;
  Context scheduler;
  StackPool *pool = nullptr;
  /// Stack of a fiber that exited and switched away; released by whichever
  /// context runs next, since a fiber cannot free the stack it runs on.
  char *deadStack = nullptr;
  bool outOfStacks = false;
  LaunchState *launch = nullptr;
};

/// Everything the workers of one launch share.
struct LaunchState {
  dim3 grid, block;
  unsigned threadsPerBlock = 0;
  std::uint64_t numBlocks = 0;
  void (*body)(void *) = nullptr;
  void *bodyArg = nullptr;
  std::atomic<std::uint64_t> nextBlock{0};
  std::atomic<bool> failed{false};
  std::mutex errorMutex;
  LaunchStatus status = LaunchStatus::Success;
  std::string error;

  /// Records the first failure; workers stop taking blocks.
  void fail(LaunchStatus why, const std::string &message) {
    std::lock_guard<std::mutex> lock(errorMutex);
    if (status == LaunchStatus::Success) {
      status = why;
      error = message;
    }
    failed.store(true, std::memory_order_relaxed);
  }
};

/// The CUDA thread the calling OS thread is running.
inline thread_local ThreadCtx *currentThread = nullptr;

inline ThreadCtx &current() { return *currentThread; }

inline const uint3 &builtinThreadIdx() { return currentThread->threadIdx; }
inline const uint3 &builtinBlockIdx() { return currentThread->block->blockIdx; }
inline const dim3 &builtinBlockDim() { return currentThread->block->blockDim; }
inline const dim3 &builtinGridDim() { return currentThread->block->gridDim; }

inline void releaseDeadStack(BlockCtx &b) {
  if (b.deadStack) {
    b.pool->release(b.deadStack);
    b.deadStack = nullptr;
  }
}

[[noreturn]] inline void fiberMain(void *arg);

/// Gives a fiber that has not started yet a stack and an entry frame.
inline bool startFiber(ThreadCtx &t) {
  BlockCtx &b = *t.block;
  t.stack = b.pool->acquire();
  if (!t.stack) {
    b.outOfStacks = true;
    return false;
  }
  makeContext(t.context, t.stack, kFiberStackBytes, &fiberMain, &t);
  t.state = FiberState::Runnable;
  return true;
}

/// The first fiber after index `from` (round-robin, `from` itself last)
/// that can run, started if need be; nullptr if there is none.
inline ThreadCtx *nextRunnable(BlockCtx &b, unsigned from) {
  unsigned n = b.numThreads;
  for (unsigned k = 1; k <= n; ++k) {
    unsigned i = from + k < n ? from + k : from + k - n;
    ThreadCtx &t = b.threads[i];
    if (t.state == FiberState::Runnable)
      return &t;
    if (t.state == FiberState::NotStarted)
      return startFiber(t) ? &t : nullptr;
  }
  return nullptr;
}

/// Switches from `t` (whose state says why: waiting, exited, or runnable
/// after __nanosleep) straight to the next runnable fiber of the block, or
/// to the block scheduler when none can run. Returns when `t` runs again.
inline void suspend(ThreadCtx &t) {
  BlockCtx &b = *t.block;
  ThreadCtx *next = nextRunnable(b, t.index);
  if (next == &t)
    return;
  if (next) {
    currentThread = next;
    switchContext(t.context, next->context);
  } else {
    switchContext(t.context, b.scheduler);
  }
  releaseDeadStack(b);
}

/// Decimal text of `v`. Not std::to_string: its digit table is a
/// STB_GNU_UNIQUE symbol, which would make a kernel .so impossible to dlclose.
inline std::string decimal(unsigned long long v) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%llu", v);
  return buf;
}

inline std::string formatIndex(const uint3 &v) {
  return "(" + decimal(v.x) + "," + decimal(v.y) + "," + decimal(v.z) + ")";
}

//===----------------------------------------------------------------------===//
// Barriers
//===----------------------------------------------------------------------===//

inline void releaseBlockBarrier(BlockCtx &b) {
  b.lastBarrierArrived = b.barrierArrived;
  b.lastBarrierPredicates = b.barrierPredicates;
  b.barrierArrived = 0;
  b.barrierPredicates = 0;
  for (unsigned i = 0; i < b.numThreads; ++i)
    if (b.threads[i].state == FiberState::AtBlockBarrier)
      b.threads[i].state = FiberState::Runnable;
}

/// __syncthreads with a predicate: waits until every thread of the block that
/// has not exited arrives; returns how many passed a non-zero predicate and
/// sets *participants to how many arrived.
inline unsigned blockBarrier(int predicate, unsigned *participants) {
  ThreadCtx &t = current();
  BlockCtx &b = *t.block;
  b.barrierPredicates += predicate != 0;
  if (++b.barrierArrived == b.live) {
    releaseBlockBarrier(b);
  } else {
    t.state = FiberState::AtBlockBarrier;
    suspend(t);
  }
  // The next barrier cannot complete before this thread arrives at it, so
  // the counts of this one are still in place.
  if (participants)
    *participants = b.lastBarrierArrived;
  return b.lastBarrierPredicates;
}

inline unsigned sanitizeWidth(int width) {
  // CUDA requires a power of two in [1, 32]; anything else acts as 32 here.
  if (width <= 0 || width > 32 || (width & (width - 1)) != 0)
    return 32;
  return static_cast<unsigned>(width);
}

/// Computes lane `lane`'s result of the operation that the lanes in
/// `arrived` completed together.
inline void computeLaneResult(WarpCtx &w, unsigned lane, unsigned arrived) {
  LaneSlot &s = w.slots[lane];
  unsigned group = s.mask & arrived;
  s.group = group;
  unsigned width = sanitizeWidth(s.width);
  unsigned segmentBase = lane & ~(width - 1);
  auto readLane = [&](unsigned src, bool inRange) {
    // An out-of-range source yields the caller's own value (CUDA's rule); a
    // source lane that did not take part is undefined in CUDA and yields the
    // caller's own value too.
    bool valid = inRange && src < 32 && ((arrived >> src) & 1u);
    s.result = valid ? w.slots[src].value : s.value;
  };
  auto forGroup = [&](auto &&fn) {
    for (unsigned bits = group; bits; bits &= bits - 1)
      fn(w.slots[__builtin_ctz(bits)].value, __builtin_ctz(bits));
  };
  auto as32 = [](std::uint64_t v) { return static_cast<std::uint32_t>(v); };
  auto asS32 = [](std::uint64_t v) {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
  };
  switch (s.op) {
  case WarpOp::Sync:
    s.result = 0;
    break;
  case WarpOp::ShflIdx:
    readLane(segmentBase | (static_cast<unsigned>(s.param) & (width - 1)),
             true);
    break;
  case WarpOp::ShflUp: {
    unsigned delta = static_cast<unsigned>(s.param);
    readLane(lane - delta, delta <= (lane & (width - 1)));
    break;
  }
  case WarpOp::ShflDown: {
    unsigned delta = static_cast<unsigned>(s.param);
    readLane(lane + delta, delta < width - (lane & (width - 1)));
    break;
  }
  case WarpOp::ShflXor: {
    unsigned src = lane ^ static_cast<unsigned>(s.param);
    // Lanes may read from earlier segments but not later ones.
    readLane(src, src <= (segmentBase | (width - 1)));
    break;
  }
  case WarpOp::Ballot: {
    unsigned ballot = 0;
    forGroup([&](std::uint64_t v, unsigned l) {
      if (v != 0)
        ballot |= 1u << l;
    });
    s.result = ballot;
    break;
  }
  case WarpOp::MatchAny: {
    unsigned same = 0;
    forGroup([&](std::uint64_t v, unsigned l) {
      if (v == s.value)
        same |= 1u << l;
    });
    s.result = same;
    break;
  }
  case WarpOp::MatchAll: {
    bool all = true;
    forGroup([&](std::uint64_t v, unsigned) { all = all && v == s.value; });
    s.result = all ? group : 0;
    break;
  }
  case WarpOp::ReduceAdd: {
    std::uint32_t sum = 0;
    forGroup([&](std::uint64_t v, unsigned) { sum += as32(v); });
    s.result = sum;
    break;
  }
  case WarpOp::ReduceMinU:
  case WarpOp::ReduceMaxU: {
    std::uint32_t r = as32(s.value);
    bool isMin = s.op == WarpOp::ReduceMinU;
    forGroup([&](std::uint64_t v, unsigned) {
      r = isMin ? std::min(r, as32(v)) : std::max(r, as32(v));
    });
    s.result = r;
    break;
  }
  case WarpOp::ReduceMinS:
  case WarpOp::ReduceMaxS: {
    std::int32_t r = asS32(s.value);
    bool isMin = s.op == WarpOp::ReduceMinS;
    forGroup([&](std::uint64_t v, unsigned) {
      r = isMin ? std::min(r, asS32(v)) : std::max(r, asS32(v));
    });
    s.result = static_cast<std::uint32_t>(r);
    break;
  }
  case WarpOp::ReduceAnd:
  case WarpOp::ReduceOr:
  case WarpOp::ReduceXor: {
    std::uint32_t r = s.op == WarpOp::ReduceAnd ? ~0u : 0u;
    forGroup([&](std::uint64_t v, unsigned) {
      if (s.op == WarpOp::ReduceAnd)
        r &= as32(v);
      else if (s.op == WarpOp::ReduceOr)
        r |= as32(v);
      else
        r ^= as32(v);
    });
    s.result = r;
    break;
  }
  }
}

/// Completes the pending warp operation once every live lane named by the
/// arrived lanes' masks has arrived. Disjoint groups of one warp that sync
/// at the same time complete together; each lane's result only involves its
/// own mask, so that is harmless.
inline bool completeWarpIfReady(WarpCtx &w) {
  unsigned arrived = w.arrived;
  if (arrived == 0 || (w.expected & w.live & ~arrived) != 0)
    return false;
  w.arrived = 0;
  w.expected = 0;
  w.converged = w.live;
  // Votes and reductions give every lane of a group the same result:
  // compute it once per group rather than once per lane.
  bool haveUniform = false;
  WarpOp uniformOp = WarpOp::Sync;
  unsigned uniformGroup = 0;
  std::uint64_t uniformResult = 0;
  for (unsigned bits = arrived; bits; bits &= bits - 1) {
    unsigned lane = __builtin_ctz(bits);
    LaneSlot &s = w.slots[lane];
    bool uniform = s.op == WarpOp::Ballot || s.op == WarpOp::MatchAll ||
                   s.op >= WarpOp::ReduceAdd;
    if (uniform && haveUniform && s.op == uniformOp &&
        (s.mask & arrived) == uniformGroup) {
      s.group = uniformGroup;
      s.result = uniformResult;
      continue;
    }
    computeLaneResult(w, lane, arrived);
    if (uniform) {
      haveUniform = true;
      uniformOp = s.op;
      uniformGroup = s.group;
      uniformResult = s.result;
    }
  }
  for (unsigned bits = arrived; bits; bits &= bits - 1) {
    ThreadCtx &t = w.lanes[__builtin_ctz(bits)];
    if (t.state == FiberState::AtWarpSync)
      t.state = FiberState::Runnable;
  }
  return true;
}

/// Deposits this lane's operand, waits for the lanes named by `mask` that
/// have not exited, and returns this lane's slot holding the result.
inline const LaneSlot &warpCollective(WarpOp op, unsigned mask,
                                      std::uint64_t value, int param = 0,
                                      int width = 32) {
  ThreadCtx &t = current();
  WarpCtx &w = *t.warp;
  unsigned bit = 1u << t.lane;
  LaneSlot &s = w.slots[t.lane];
  s.op = op;
  s.mask = mask | bit;
  s.value = value;
  s.param = param;
  s.width = width;
  w.arrived |= bit;
  w.expected |= s.mask;
  if (!completeWarpIfReady(w)) {
    t.state = FiberState::AtWarpSync;
    suspend(t);
  }
  return s;
}

template <typename T> inline std::uint64_t toLaneBits(const T &v) {
  static_assert(std::is_trivially_copyable<T>::value && sizeof(T) <= 8,
                "warp operations move trivially copyable values of at most "
                "8 bytes");
  std::uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof(T));
  return bits;
}

template <typename T> inline T fromLaneBits(std::uint64_t bits) {
  T v;
  std::memcpy(static_cast<void *>(&v), &bits, sizeof(T));
  return v;
}

//===----------------------------------------------------------------------===//
// Block scheduler
//===----------------------------------------------------------------------===//

/// Thrown by __trap(); reported as LaunchStatus::KernelFault.
struct TrapError {};

inline void runThreadBody(ThreadCtx &t) {
  BlockCtx &b = *t.block;
  LaunchState &launch = *b.launch;
#if defined(DS_EMU_EXCEPTIONS)
  try {
    launch.body(launch.bodyArg);
  } catch (...) {
    std::string what = "__trap() called";
    try {
      throw;
    } catch (const std::exception &e) {
      what = std::string("exception: ") + e.what();
    } catch (const TrapError &) {
    } catch (...) {
      what = "unknown exception";
    }
    launch.fail(LaunchStatus::KernelFault,
                "kernel fault in block " + formatIndex(b.blockIdx) +
                    " thread " + formatIndex(t.threadIdx) + ": " + what);
  }
#else
  launch.body(launch.bodyArg);
#endif
}

inline void exitThread(ThreadCtx &t) {
  BlockCtx &b = *t.block;
  t.state = FiberState::Exited;
  --b.live;
  if (b.barrierArrived != 0 && b.barrierArrived == b.live)
    releaseBlockBarrier(b);
  WarpCtx &w = *t.warp;
  w.live &= ~(1u << t.lane);
  completeWarpIfReady(w);
}

[[noreturn]] inline void fiberMain(void *arg) {
  ThreadCtx *t = static_cast<ThreadCtx *>(arg);
  BlockCtx &b = *t->block;
  releaseDeadStack(b);
  for (;;) {
    runThreadBody(*t);
    exitThread(*t);
    // When the next thread in round-robin order has not started, it runs
    // right here on this stack: the order is the same as switching to it,
    // and a kernel without barriers needs no context switch per thread.
    unsigned i = t->index + 1;
    if (i == b.numThreads || b.threads[i].state != FiberState::NotStarted)
      break;
    ThreadCtx &next = b.threads[i];
    next.stack = t->stack;
    t->stack = nullptr;
    next.state = FiberState::Runnable;
    currentThread = &next;
    t = &next;
  }
  b.deadStack = t->stack;
  t->stack = nullptr;
  suspend(*t);
  __builtin_unreachable(); // An exited fiber is never resumed.
}

inline std::string describeDeadlock(const BlockCtx &b) {
  unsigned atBarrier = 0, atWarp = 0;
  std::string warpDetail;
  for (unsigned i = 0; i < b.numThreads; ++i) {
    const ThreadCtx &t = b.threads[i];
    if (t.state == FiberState::AtBlockBarrier)
      ++atBarrier;
    if (t.state == FiberState::AtWarpSync) {
      ++atWarp;
      if (warpDetail.empty()) {
        const WarpCtx &w = *t.warp;
        char buf[128];
        std::snprintf(buf, sizeof(buf),
                      "; warp %u waits for lanes 0x%08x, arrived 0x%08x",
                      static_cast<unsigned>(&w - b.warps), w.expected & w.live,
                      w.arrived);
        warpDetail = buf;
      }
    }
  }
  return "deadlock in block " + formatIndex(b.blockIdx) + ": " +
         decimal(atBarrier) + " thread(s) wait at __syncthreads and " +
         decimal(atWarp) +
         " at a warp-synchronous operation that can never complete" +
         warpDetail;
}

/// Runs one block to completion. Fibers hand control to each other
/// round-robin; it comes back here only when every thread has exited, or
/// when none can run (a deadlock) or no stack can be mapped. Returns false,
/// after recording why in the launch, in the latter cases.
inline bool runBlock(BlockCtx &b) {
  unsigned n = b.numThreads;
  b.live = n;
  b.barrierArrived = b.barrierPredicates = 0;
  b.outOfStacks = false;
  for (unsigned i = 0; i < b.numWarps; ++i) {
    WarpCtx &w = b.warps[i];
    unsigned lanes = std::min(32u, n - 32 * i);
    w.live = w.converged = lanes == 32 ? ~0u : (1u << lanes) - 1;
    w.arrived = w.expected = 0;
  }
  for (unsigned i = 0; i < n; ++i)
    b.threads[i].state = FiberState::NotStarted;

  if (ThreadCtx *first = nextRunnable(b, n - 1)) {
    currentThread = first;
    switchContext(b.scheduler, first->context);
    releaseDeadStack(b);
  }
  if (b.live == 0)
    return true;
  if (b.outOfStacks)
    b.launch->fail(LaunchStatus::OutOfResources, "cannot map a fiber stack");
  else
    b.launch->fail(LaunchStatus::Deadlock, describeDeadlock(b));
  // Abandon the suspended fibers; their stacks serve the next block.
  for (unsigned i = 0; i < n; ++i) {
    ThreadCtx &t = b.threads[i];
    if (t.stack) {
      b.pool->release(t.stack);
      t.stack = nullptr;
    }
  }
  return false;
}

/// One OS thread's share of a launch: takes blocks until none are left.
inline void runWorker(LaunchState &launch) {
  ThreadCtx *savedCurrent = currentThread;
#if defined(DS_EMU_EXCEPTIONS)
  try {
#endif
    std::unique_ptr<StackPool> pool = stackPoolCache().take();
    unsigned n = launch.threadsPerBlock;
    unsigned numWarps = (n + kWarpSize - 1) / kWarpSize;
    std::vector<ThreadCtx> threads(n);
    std::vector<WarpCtx> warps(numWarps);
    BlockCtx block;
    block.blockDim = launch.block;
    block.gridDim = launch.grid;
    block.threads = threads.data();
    block.numThreads = n;
    block.warps = warps.data();
    block.numWarps = numWarps;
    block.launch = &launch;
    block.pool = pool.get();
    const dim3 &bd = launch.block;
    for (unsigned i = 0; i < n; ++i) {
      ThreadCtx &t = threads[i];
      t.threadIdx = uint3{i % bd.x, (i / bd.x) % bd.y, i / (bd.x * bd.y)};
      t.index = i;
      t.lane = i % kWarpSize;
      t.block = &block;
      t.warp = &warps[i / kWarpSize];
    }
    for (unsigned i = 0; i < numWarps; ++i)
      warps[i].lanes = &threads[i * kWarpSize];

    const dim3 &g = launch.grid;
    std::uint64_t gxy = std::uint64_t(g.x) * g.y;
    while (!launch.failed.load(std::memory_order_relaxed)) {
      std::uint64_t i = launch.nextBlock.fetch_add(1);
      if (i >= launch.numBlocks)
        break;
      block.blockIdx = uint3{static_cast<unsigned>(i % g.x),
                             static_cast<unsigned>((i / g.x) % g.y),
                             static_cast<unsigned>(i / gxy)};
      if (!runBlock(block))
        break;
    }
    stackPoolCache().give(std::move(pool));
#if defined(DS_EMU_EXCEPTIONS)
  } catch (const std::bad_alloc &) {
    launch.fail(LaunchStatus::OutOfResources, "out of memory");
  }
#endif
  currentThread = savedCurrent;
}

/// Number of OS threads a launch may use: $DS_EMU_THREADS if it is a
/// positive integer, else the hardware concurrency.
inline unsigned workerThreadLimit() {
  if (const char *env = std::getenv("DS_EMU_THREADS")) {
    char *end = nullptr;
    long v = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && v > 0)
      return static_cast<unsigned>(std::min(v, 1024L));
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw ? hw : 1;
}

/// The checks cudaLaunchKernel makes; "" when the configuration is valid.
inline std::string validateLaunch(dim3 grid, dim3 block,
                                  std::size_t dynamicSharedBytes) {
  auto dims = [](const char *what, dim3 d) {
    return std::string(what) + " " + formatIndex(d);
  };
  if (grid.x == 0 || grid.y == 0 || grid.z == 0)
    return "invalid configuration: zero grid dimension in " +
           dims("grid", grid);
  if (block.x == 0 || block.y == 0 || block.z == 0)
    return "invalid configuration: zero block dimension in " +
           dims("block", block);
  if (grid.x > kMaxGridDimX || grid.y > kMaxGridDimYZ || grid.z > kMaxGridDimYZ)
    return "invalid configuration: " + dims("grid", grid) +
           " exceeds (2147483647,65535,65535)";
  if (block.x > kMaxBlockDimX || block.y > kMaxBlockDimY ||
      block.z > kMaxBlockDimZ)
    return "invalid configuration: " + dims("block", block) +
           " exceeds (1024,1024,64)";
  std::uint64_t threads = std::uint64_t(block.x) * block.y * block.z;
  if (threads > kMaxThreadsPerBlock)
    return "invalid configuration: " + dims("block", block) + " has " +
           decimal(threads) + " threads, more than 1024";
  if (dynamicSharedBytes > kMaxDynamicSharedBytes)
    return "invalid configuration: " + decimal(dynamicSharedBytes) +
           " bytes of dynamic shared memory exceed the " +
           decimal(kMaxDynamicSharedBytes) + " available";
  return "";
}

inline int launchErased(dim3 grid, dim3 block, std::size_t dynamicSharedBytes,
                        void (*body)(void *), void *bodyArg) {
  std::string invalid = validateLaunch(grid, block, dynamicSharedBytes);
  if (!invalid.empty()) {
    lastErrorStorage() = invalid;
    return static_cast<int>(LaunchStatus::InvalidConfiguration);
  }
  LaunchState launch;
  launch.grid = grid;
  launch.block = block;
  launch.threadsPerBlock = block.x * block.y * block.z;
  launch.numBlocks = std::uint64_t(grid.x) * grid.y * grid.z;
  launch.body = body;
  launch.bodyArg = bodyArg;

  auto workers = static_cast<unsigned>(
      std::min<std::uint64_t>(workerThreadLimit(), launch.numBlocks));
  std::vector<std::thread> threads;
#if defined(DS_EMU_EXCEPTIONS)
  try {
    threads.reserve(workers - 1);
    for (unsigned i = 1; i < workers; ++i)
      threads.emplace_back([&launch] { runWorker(launch); });
  } catch (...) {
    // Fewer OS threads only means less parallelism.
  }
#else
  threads.reserve(workers - 1);
  for (unsigned i = 1; i < workers; ++i)
    threads.emplace_back([&launch] { runWorker(launch); });
#endif
  runWorker(launch); // The launching thread works too.
  for (std::thread &t : threads)
    t.join();
  lastErrorStorage() = launch.error;
  return static_cast<int>(launch.status);
}

} // namespace detail

/// Runs `body` once per CUDA thread of a grid x block launch and returns
/// when every block has finished. `body` is called concurrently from
/// several OS threads. Returns 0, or a LaunchStatus (see lastError()) when
/// the configuration is invalid, a block deadlocks, a thread faults, or
/// resources run out.
template <typename F>
int launch(dim3 grid, dim3 block, std::size_t dynamicSharedBytes, F &&body) {
  using Body = std::remove_reference_t<F>;
  return detail::launchErased(
      grid, block, dynamicSharedBytes,
      [](void *f) { (*static_cast<Body *>(f))(); },
      const_cast<void *>(static_cast<const void *>(std::addressof(body))));
}

} // namespace ds_emu

//===----------------------------------------------------------------------===//
// Built-in variables
//===----------------------------------------------------------------------===//

#define threadIdx (::ds_emu::detail::builtinThreadIdx())
#define blockIdx (::ds_emu::detail::builtinBlockIdx())
#define blockDim (::ds_emu::detail::builtinBlockDim())
#define gridDim (::ds_emu::detail::builtinGridDim())

//===----------------------------------------------------------------------===//
// Synchronization
//===----------------------------------------------------------------------===//

inline void __syncthreads() { ds_emu::detail::blockBarrier(0, nullptr); }
inline int __syncthreads_count(int predicate) {
  return static_cast<int>(ds_emu::detail::blockBarrier(predicate, nullptr));
}
inline int __syncthreads_and(int predicate) {
  unsigned participants = 0;
  unsigned count = ds_emu::detail::blockBarrier(predicate, &participants);
  return count == participants;
}
inline int __syncthreads_or(int predicate) {
  return ds_emu::detail::blockBarrier(predicate, nullptr) != 0;
}
inline void __threadfence_block() {
  std::atomic_thread_fence(std::memory_order_seq_cst);
}
inline void __threadfence() {
  std::atomic_thread_fence(std::memory_order_seq_cst);
}
inline void __threadfence_system() {
  std::atomic_thread_fence(std::memory_order_seq_cst);
}
/// Lets the other threads of the block run, so a spin-wait on a flag that
/// another thread of the same block sets makes progress.
inline void __nanosleep(unsigned /*ns*/) {
  ds_emu::detail::suspend(ds_emu::detail::current());
}
[[noreturn]] inline void __trap() {
#if defined(DS_EMU_EXCEPTIONS)
  throw ds_emu::detail::TrapError();
#else
  std::abort();
#endif
}
inline long long clock64() {
  return static_cast<long long>(
      std::chrono::steady_clock::now().time_since_epoch().count());
}

//===----------------------------------------------------------------------===//
// Warp-synchronous intrinsics
//===----------------------------------------------------------------------===//

template <typename T>
inline T __shfl_sync(unsigned mask, T var, int srcLane, int width = warpSize) {
  using namespace ds_emu::detail;
  return fromLaneBits<T>(
      warpCollective(WarpOp::ShflIdx, mask, toLaneBits(var), srcLane, width)
          .result);
}
template <typename T>
inline T __shfl_up_sync(unsigned mask, T var, unsigned delta,
                        int width = warpSize) {
  using namespace ds_emu::detail;
  return fromLaneBits<T>(warpCollective(WarpOp::ShflUp, mask, toLaneBits(var),
                                        static_cast<int>(delta), width)
                             .result);
}
template <typename T>
inline T __shfl_down_sync(unsigned mask, T var, unsigned delta,
                          int width = warpSize) {
  using namespace ds_emu::detail;
  return fromLaneBits<T>(warpCollective(WarpOp::ShflDown, mask, toLaneBits(var),
                                        static_cast<int>(delta), width)
                             .result);
}
template <typename T>
inline T __shfl_xor_sync(unsigned mask, T var, int laneMask,
                         int width = warpSize) {
  using namespace ds_emu::detail;
  return fromLaneBits<T>(
      warpCollective(WarpOp::ShflXor, mask, toLaneBits(var), laneMask, width)
          .result);
}
inline unsigned __ballot_sync(unsigned mask, int predicate) {
  using namespace ds_emu::detail;
  return static_cast<unsigned>(
      warpCollective(WarpOp::Ballot, mask, predicate != 0).result);
}
inline int __any_sync(unsigned mask, int predicate) {
  return __ballot_sync(mask, predicate) != 0;
}
inline int __all_sync(unsigned mask, int predicate) {
  using namespace ds_emu::detail;
  const LaneSlot &s = warpCollective(WarpOp::Ballot, mask, predicate != 0);
  return static_cast<unsigned>(s.result) == s.group;
}
/// The lanes of the warp that had not exited when the warp last completed a
/// warp-synchronous operation (all its lanes before the first one). Fibers
/// cannot observe divergence, so this is an approximation of CUDA's
/// converged set; it is a safe mask for the *_sync intrinsics either way,
/// since they ignore lanes that have exited.
inline unsigned __activemask() {
  return ds_emu::detail::current().warp->converged;
}
inline void __syncwarp(unsigned mask = 0xffffffffu) {
  ds_emu::detail::warpCollective(ds_emu::detail::WarpOp::Sync, mask, 0);
}
template <typename T> inline unsigned __match_any_sync(unsigned mask, T value) {
  using namespace ds_emu::detail;
  return static_cast<unsigned>(
      warpCollective(WarpOp::MatchAny, mask, toLaneBits(value)).result);
}
template <typename T>
inline unsigned __match_all_sync(unsigned mask, T value, int *pred) {
  using namespace ds_emu::detail;
  auto result = static_cast<unsigned>(
      warpCollective(WarpOp::MatchAll, mask, toLaneBits(value)).result);
  *pred = result != 0;
  return result;
}
inline unsigned __reduce_add_sync(unsigned mask, unsigned value) {
  using namespace ds_emu::detail;
  return static_cast<unsigned>(
      warpCollective(WarpOp::ReduceAdd, mask, value).result);
}
inline int __reduce_add_sync(unsigned mask, int value) {
  return static_cast<int>(
      __reduce_add_sync(mask, static_cast<unsigned>(value)));
}
inline unsigned __reduce_min_sync(unsigned mask, unsigned value) {
  using namespace ds_emu::detail;
  return static_cast<unsigned>(
      warpCollective(WarpOp::ReduceMinU, mask, value).result);
}
inline unsigned __reduce_max_sync(unsigned mask, unsigned value) {
  using namespace ds_emu::detail;
  return static_cast<unsigned>(
      warpCollective(WarpOp::ReduceMaxU, mask, value).result);
}
inline int __reduce_min_sync(unsigned mask, int value) {
  using namespace ds_emu::detail;
  return static_cast<int>(static_cast<unsigned>(
      warpCollective(WarpOp::ReduceMinS, mask, static_cast<unsigned>(value))
          .result));
}
inline int __reduce_max_sync(unsigned mask, int value) {
  using namespace ds_emu::detail;
  return static_cast<int>(static_cast<unsigned>(
      warpCollective(WarpOp::ReduceMaxS, mask, static_cast<unsigned>(value))
          .result));
}
inline unsigned __reduce_and_sync(unsigned mask, unsigned value) {
  using namespace ds_emu::detail;
  return static_cast<unsigned>(
      warpCollective(WarpOp::ReduceAnd, mask, value).result);
}
inline unsigned __reduce_or_sync(unsigned mask, unsigned value) {
  using namespace ds_emu::detail;
  return static_cast<unsigned>(
      warpCollective(WarpOp::ReduceOr, mask, value).result);
}
inline unsigned __reduce_xor_sync(unsigned mask, unsigned value) {
  using namespace ds_emu::detail;
  return static_cast<unsigned>(
      warpCollective(WarpOp::ReduceXor, mask, value).result);
}

//===----------------------------------------------------------------------===//
// Atomics (sequentially consistent host atomics: blocks run in parallel)
//===----------------------------------------------------------------------===//

namespace ds_emu::detail {
/// Atomically replaces *address by op(*address); returns the old value.
template <typename T, typename Op> inline T atomicUpdate(T *address, Op op) {
  T old;
  __atomic_load(address, &old, __ATOMIC_RELAXED);
  T desired;
  do {
    desired = op(old);
  } while (!__atomic_compare_exchange(address, &old, &desired, /*weak=*/true,
                                      __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
  return old;
}
} // namespace ds_emu::detail

#define DS_EMU_ATOMIC_FETCH_OP(NAME, BUILTIN, T)                               \
  inline T NAME(T *address, T val) {                                           \
    return BUILTIN(address, val, __ATOMIC_SEQ_CST);                            \
  }
DS_EMU_ATOMIC_FETCH_OP(atomicAdd, __atomic_fetch_add, int)
DS_EMU_ATOMIC_FETCH_OP(atomicAdd, __atomic_fetch_add, unsigned int)
DS_EMU_ATOMIC_FETCH_OP(atomicAdd, __atomic_fetch_add, unsigned long long)
DS_EMU_ATOMIC_FETCH_OP(atomicSub, __atomic_fetch_sub, int)
DS_EMU_ATOMIC_FETCH_OP(atomicSub, __atomic_fetch_sub, unsigned int)
DS_EMU_ATOMIC_FETCH_OP(atomicAnd, __atomic_fetch_and, int)
DS_EMU_ATOMIC_FETCH_OP(atomicAnd, __atomic_fetch_and, unsigned int)
DS_EMU_ATOMIC_FETCH_OP(atomicAnd, __atomic_fetch_and, unsigned long long)
DS_EMU_ATOMIC_FETCH_OP(atomicOr, __atomic_fetch_or, int)
DS_EMU_ATOMIC_FETCH_OP(atomicOr, __atomic_fetch_or, unsigned int)
DS_EMU_ATOMIC_FETCH_OP(atomicOr, __atomic_fetch_or, unsigned long long)
DS_EMU_ATOMIC_FETCH_OP(atomicXor, __atomic_fetch_xor, int)
DS_EMU_ATOMIC_FETCH_OP(atomicXor, __atomic_fetch_xor, unsigned int)
DS_EMU_ATOMIC_FETCH_OP(atomicXor, __atomic_fetch_xor, unsigned long long)
#undef DS_EMU_ATOMIC_FETCH_OP

#define DS_EMU_ATOMIC_EXCH_CAS(T)                                              \
  inline T atomicExch(T *address, T val) {                                     \
    T old;                                                                     \
    __atomic_exchange(address, &val, &old, __ATOMIC_SEQ_CST);                  \
    return old;                                                                \
  }                                                                            \
  inline T atomicCAS(T *address, T compare, T val) {                           \
    __atomic_compare_exchange(address, &compare, &val, /*weak=*/false,         \
                              __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);             \
    return compare;                                                            \
  }
DS_EMU_ATOMIC_EXCH_CAS(int)
DS_EMU_ATOMIC_EXCH_CAS(unsigned int)
DS_EMU_ATOMIC_EXCH_CAS(unsigned long long)
DS_EMU_ATOMIC_EXCH_CAS(unsigned short)
#undef DS_EMU_ATOMIC_EXCH_CAS

inline float atomicExch(float *address, float val) {
  float old;
  __atomic_exchange(address, &val, &old, __ATOMIC_SEQ_CST);
  return old;
}

#define DS_EMU_ATOMIC_CAS_OP(NAME, T, EXPR)                                    \
  inline T NAME(T *address, T val) {                                           \
    return ds_emu::detail::atomicUpdate(address,                               \
                                        [val](T old) -> T { return EXPR; });   \
  }
DS_EMU_ATOMIC_CAS_OP(atomicAdd, float, old + val)
DS_EMU_ATOMIC_CAS_OP(atomicAdd, double, old + val)
DS_EMU_ATOMIC_CAS_OP(atomicMin, int, std::min(old, val))
DS_EMU_ATOMIC_CAS_OP(atomicMin, unsigned int, std::min(old, val))
DS_EMU_ATOMIC_CAS_OP(atomicMin, long long, std::min(old, val))
DS_EMU_ATOMIC_CAS_OP(atomicMin, unsigned long long, std::min(old, val))
DS_EMU_ATOMIC_CAS_OP(atomicMax, int, std::max(old, val))
DS_EMU_ATOMIC_CAS_OP(atomicMax, unsigned int, std::max(old, val))
DS_EMU_ATOMIC_CAS_OP(atomicMax, long long, std::max(old, val))
DS_EMU_ATOMIC_CAS_OP(atomicMax, unsigned long long, std::max(old, val))
DS_EMU_ATOMIC_CAS_OP(atomicInc, unsigned int, old >= val ? 0u : old + 1)
DS_EMU_ATOMIC_CAS_OP(atomicDec, unsigned int,
                     (old == 0 || old > val) ? val : old - 1)
#undef DS_EMU_ATOMIC_CAS_OP

//===----------------------------------------------------------------------===//
// Math and bit manipulation (<cmath>/<math.h> provide expf, tanhf, ...)
//===----------------------------------------------------------------------===//

inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }
inline double rsqrt(double x) { return 1.0 / std::sqrt(x); }
inline float rcbrtf(float x) { return 1.0f / std::cbrt(x); }
inline float normcdff(float x) {
  return 0.5f * std::erfc(-x * 0.70710678118654752f);
}
inline double normcdf(double x) {
  return 0.5 * std::erfc(-x * 0.70710678118654752);
}
// Fast intrinsics: computed exactly here (at least as accurate as CUDA's).
inline float __expf(float x) { return std::exp(x); }
inline float __exp10f(float x) { return std::pow(10.0f, x); }
inline float __logf(float x) { return std::log(x); }
inline float __log2f(float x) { return std::log2(x); }
inline float __log10f(float x) { return std::log10(x); }
inline float __sinf(float x) { return std::sin(x); }
inline float __cosf(float x) { return std::cos(x); }
inline float __tanf(float x) { return std::tan(x); }
inline void __sincosf(float x, float *s, float *c) {
  *s = std::sin(x);
  *c = std::cos(x);
}
inline float __powf(float x, float y) { return std::pow(x, y); }
inline float __fdividef(float x, float y) { return x / y; }
inline float __saturatef(float x) {
  return x > 0.0f ? (x < 1.0f ? x : 1.0f) : 0.0f; // NaN -> 0.
}
// Correctly rounded arithmetic (round-to-nearest is the host default).
inline float __fadd_rn(float x, float y) { return x + y; }
inline float __fsub_rn(float x, float y) { return x - y; }
inline float __fmul_rn(float x, float y) { return x * y; }
inline float __fdiv_rn(float x, float y) { return x / y; }
inline float __frcp_rn(float x) { return 1.0f / x; }
inline float __fsqrt_rn(float x) { return std::sqrt(x); }
inline float __frsqrt_rn(float x) { return 1.0f / std::sqrt(x); }
inline float __fmaf_rn(float x, float y, float z) { return std::fma(x, y, z); }
inline double __dadd_rn(double x, double y) { return x + y; }
inline double __dsub_rn(double x, double y) { return x - y; }
inline double __dmul_rn(double x, double y) { return x * y; }
inline double __ddiv_rn(double x, double y) { return x / y; }
inline double __fma_rn(double x, double y, double z) {
  return std::fma(x, y, z);
}

namespace ds_emu::detail {
template <typename To, typename From> inline To bitCast(const From &from) {
  static_assert(sizeof(To) == sizeof(From), "bit cast between sizes");
  To to;
  std::memcpy(&to, &from, sizeof(To));
  return to;
}
/// CUDA's float -> integer conversions saturate and map NaN to 0.
template <typename Int> inline Int saturatingCast(double v) {
  if (std::isnan(v))
    return 0;
  if (v <= static_cast<double>(std::numeric_limits<Int>::min()))
    return std::numeric_limits<Int>::min();
  if (v >= static_cast<double>(std::numeric_limits<Int>::max()))
    return std::numeric_limits<Int>::max();
  return static_cast<Int>(v);
}
} // namespace ds_emu::detail

inline int __float_as_int(float x) { return ds_emu::detail::bitCast<int>(x); }
inline float __int_as_float(int x) { return ds_emu::detail::bitCast<float>(x); }
inline unsigned __float_as_uint(float x) {
  return ds_emu::detail::bitCast<unsigned>(x);
}
inline float __uint_as_float(unsigned x) {
  return ds_emu::detail::bitCast<float>(x);
}
inline long long __double_as_longlong(double x) {
  return ds_emu::detail::bitCast<long long>(x);
}
inline double __longlong_as_double(long long x) {
  return ds_emu::detail::bitCast<double>(x);
}
inline int __float2int_rn(float x) {
  return ds_emu::detail::saturatingCast<int>(std::nearbyint(x));
}
inline int __float2int_rz(float x) {
  return ds_emu::detail::saturatingCast<int>(std::trunc(x));
}
inline int __float2int_rd(float x) {
  return ds_emu::detail::saturatingCast<int>(std::floor(x));
}
inline int __float2int_ru(float x) {
  return ds_emu::detail::saturatingCast<int>(std::ceil(x));
}
inline unsigned __float2uint_rn(float x) {
  return ds_emu::detail::saturatingCast<unsigned>(std::nearbyint(x));
}
inline unsigned __float2uint_rz(float x) {
  return ds_emu::detail::saturatingCast<unsigned>(std::trunc(x));
}
inline long long __float2ll_rn(float x) {
  return ds_emu::detail::saturatingCast<long long>(std::nearbyint(x));
}
inline int __double2int_rn(double x) {
  return ds_emu::detail::saturatingCast<int>(std::nearbyint(x));
}
inline float __int2float_rn(int x) { return static_cast<float>(x); }
inline float __uint2float_rn(unsigned x) { return static_cast<float>(x); }
inline float __ll2float_rn(long long x) { return static_cast<float>(x); }
inline float __double2float_rn(double x) { return static_cast<float>(x); }

inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline int __popcll(unsigned long long x) { return __builtin_popcountll(x); }
inline int __clz(int x) {
  return x == 0 ? 32 : __builtin_clz(static_cast<unsigned>(x));
}
inline int __clzll(long long x) {
  return x == 0 ? 64 : __builtin_clzll(static_cast<unsigned long long>(x));
}
inline int __ffs(int x) { return __builtin_ffs(x); }
inline int __ffsll(long long x) { return __builtin_ffsll(x); }
inline unsigned __brev(unsigned x) {
  x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
  x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
  x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
  return __builtin_bswap32(x);
}
inline unsigned long long __brevll(unsigned long long x) {
  return (static_cast<unsigned long long>(__brev(static_cast<unsigned>(x)))
          << 32) |
         __brev(static_cast<unsigned>(x >> 32));
}
inline int __mulhi(int x, int y) {
  return static_cast<int>((static_cast<long long>(x) * y) >> 32);
}
inline unsigned __umulhi(unsigned x, unsigned y) {
  return static_cast<unsigned>((static_cast<unsigned long long>(x) * y) >> 32);
}
inline long long __mul64hi(long long x, long long y) {
  return static_cast<long long>((static_cast<__int128>(x) * y) >> 64);
}
inline unsigned long long __umul64hi(unsigned long long x,
                                     unsigned long long y) {
  return static_cast<unsigned long long>(
      (static_cast<unsigned __int128>(x) * y) >> 64);
}
inline unsigned __byte_perm(unsigned x, unsigned y, unsigned s) {
  unsigned long long bytes = (static_cast<unsigned long long>(y) << 32) | x;
  unsigned r = 0;
  for (int i = 0; i < 4; ++i)
    r |= static_cast<unsigned>((bytes >> (8 * ((s >> (4 * i)) & 7))) & 0xff)
         << (8 * i);
  return r;
}
inline unsigned __funnelshift_l(unsigned lo, unsigned hi, unsigned shift) {
  unsigned long long v = (static_cast<unsigned long long>(hi) << 32) | lo;
  return static_cast<unsigned>((v << (shift & 31)) >> 32);
}
inline unsigned __funnelshift_r(unsigned lo, unsigned hi, unsigned shift) {
  unsigned long long v = (static_cast<unsigned long long>(hi) << 32) | lo;
  return static_cast<unsigned>(v >> (shift & 31));
}

// min/max with CUDA's overload set (mixed signedness compares unsigned).
#define DS_EMU_MINMAX(R, A, B, MIN, MAX)                                       \
  inline R min(A a, B b) { return MIN; }                                       \
  inline R max(A a, B b) { return MAX; }
#define DS_EMU_MINMAX_INT(R, A, B)                                             \
  DS_EMU_MINMAX(R, A, B,                                                       \
                static_cast<R>(a) < static_cast<R>(b) ? static_cast<R>(a)      \
                                                      : static_cast<R>(b),     \
                static_cast<R>(a) > static_cast<R>(b) ? static_cast<R>(a)      \
                                                      : static_cast<R>(b))
DS_EMU_MINMAX_INT(int, int, int)
DS_EMU_MINMAX_INT(unsigned int, unsigned int, unsigned int)
DS_EMU_MINMAX_INT(unsigned int, int, unsigned int)
DS_EMU_MINMAX_INT(unsigned int, unsigned int, int)
DS_EMU_MINMAX_INT(long, long, long)
DS_EMU_MINMAX_INT(unsigned long, unsigned long, unsigned long)
DS_EMU_MINMAX_INT(long long, long long, long long)
DS_EMU_MINMAX_INT(unsigned long long, unsigned long long, unsigned long long)
DS_EMU_MINMAX_INT(unsigned long long, long long, unsigned long long)
DS_EMU_MINMAX_INT(unsigned long long, unsigned long long, long long)
DS_EMU_MINMAX(float, float, float, std::fmin(a, b), std::fmax(a, b))
DS_EMU_MINMAX(double, double, double, std::fmin(a, b), std::fmax(a, b))
DS_EMU_MINMAX(double, float, double, std::fmin(double(a), b),
              std::fmax(double(a), b))
DS_EMU_MINMAX(double, double, float, std::fmin(a, double(b)),
              std::fmax(a, double(b)))
#undef DS_EMU_MINMAX_INT
#undef DS_EMU_MINMAX
inline unsigned umin(unsigned a, unsigned b) { return a < b ? a : b; }
inline unsigned umax(unsigned a, unsigned b) { return a > b ? a : b; }
inline long long llmin(long long a, long long b) { return a < b ? a : b; }
inline long long llmax(long long a, long long b) { return a > b ? a : b; }

//===----------------------------------------------------------------------===//
// Cache-hinted loads and stores (plain accesses on the host)
//===----------------------------------------------------------------------===//

template <typename T> inline T __ldg(const T *p) { return *p; }
template <typename T> inline T __ldcg(const T *p) { return *p; }
template <typename T> inline T __ldca(const T *p) { return *p; }
template <typename T> inline T __ldcs(const T *p) { return *p; }
template <typename T> inline T __ldlu(const T *p) { return *p; }
template <typename T> inline T __ldcv(const T *p) { return *p; }
template <typename T> inline void __stwb(T *p, T v) { *p = v; }
template <typename T> inline void __stcg(T *p, T v) { *p = v; }
template <typename T> inline void __stcs(T *p, T v) { *p = v; }
template <typename T> inline void __stwt(T *p, T v) { *p = v; }

#pragma GCC visibility pop

/// Why the most recent launch on the calling thread failed ("" if it did
/// not), exported from every shared object built against this header so the
/// runtime can dlsym it next to the launch wrappers.
extern "C" inline __attribute__((used, visibility("default"))) const char *
ds_emu_last_error() {
  return ds_emu::lastError();
}

#endif // DS_RUNTIME_EMU_CUDAEMU_H
