//===- MemoryPlanner.h - arena offsets and host/device tiering --*- C++ -*-===//
//
// The planning math behind ds-plan-memory, in plain C++ (no MLIR), so it can
// be unit-tested on hand-made cases and reused by the artifact builder:
//
// * planArena(): offsets in one device arena for buffers with known sizes and
//   live ranges over the kernel schedule. Several heuristics run (best fit by
//   decreasing size, as XLA's GlobalDecreasingSizeBestFitHeap; greedy first
//   fit in schedule order) and the smallest arena wins (XLA's
//   ChooseBestHeapAlgorithm). In-place pairs let an elementwise result take
//   over its dying operand's bytes. The report carries the lower bound: the
//   peak over time of the live bytes (XLA's NoFragmentationStatsHeap).
//
// * planTiering(): which weights stay resident on the device and which live
//   in host memory and are streamed into double-buffered staging slots ahead
//   of the kernel that reads them, under a device memory budget.
//
// See docs/design/memory-planning.md.
//
//===----------------------------------------------------------------------===//

#ifndef DS_PASSES_MEMORYPLANNER_H
#define DS_PASSES_MEMORYPLANNER_H

#include <cstdint>
#include <string>
#include <vector>

namespace ds::memplan {

/// Rounds `v` up to a multiple of `align` (align > 0).
uint64_t alignUp(uint64_t v, uint64_t align);

//===----------------------------------------------------------------------===//
// Arena planning
//===----------------------------------------------------------------------===//

/// One buffer: `bytes` of storage, live from schedule step `first` (written)
/// through step `last` (last read), both inclusive.
struct Interval {
  uint64_t bytes = 0;
  uint32_t first = 0;
  uint32_t last = 0;
};

/// `result` may be written over `operand`'s bytes: the step that defines
/// `result` is `operand`'s last use and reads each element before it writes
/// the same element (elementwise, no broadcast). The planner applies a pair
/// only if its preconditions hold (see planArena()).
struct InPlacePair {
  uint32_t result = 0;
  uint32_t operand = 0;
};

struct ArenaRequest {
  std::vector<Interval> buffers;
  std::vector<InPlacePair> inPlace;
  /// Every offset is a multiple of it, and every size is rounded up to it.
  uint64_t alignment = 256;
};

enum class Heuristic {
  BestFitDecreasingSize, ///< largest first, into the smallest gap that fits
  GreedyInOrder,         ///< by first use, into the lowest gap that fits
};

/// "best-fit-decreasing-size" or "greedy-in-order".
const char *heuristicName(Heuristic h);

struct ArenaPlan {
  std::vector<uint64_t> offsets; ///< one per request buffer
  uint64_t arenaBytes = 0;
  /// Peak over steps of the aligned bytes live at once, after in-place
  /// sharing: no placement can be smaller.
  uint64_t lowerBoundBytes = 0;
  /// Sum of the aligned sizes: every buffer in its own slot.
  uint64_t noReuseBytes = 0;
  Heuristic heuristic = Heuristic::BestFitDecreasingSize;
  /// Arena size each heuristic reached, indexed by Heuristic.
  std::vector<uint64_t> heuristicBytes;
  /// In-place pairs that were applied.
  unsigned inPlaceApplied = 0;
  /// For each buffer, the buffer whose storage it shares through in-place
  /// pairs (the first of its chain; itself when it has its own storage).
  std::vector<uint32_t> storageOf;
  /// arenaBytes / lowerBoundBytes (1 when both are 0).
  double ratio() const;
};

/// Plans with every heuristic and keeps the smallest arena (the first
/// heuristic on ties). An in-place pair applies when both ids are valid,
/// `operand`'s storage (after earlier pairs) is last used at `result`'s first
/// step, `result` does not already share storage and is not larger than that
/// storage. Zero-byte buffers get offset 0.
ArenaPlan planArena(const ArenaRequest &request);

/// Plans with one heuristic (for tests and the report).
ArenaPlan planArenaWith(const ArenaRequest &request, Heuristic heuristic);

/// Empty when no two buffers that are live at the same step (and do not share
/// storage through in-place) overlap in the arena, and every buffer lies
/// inside it at an aligned offset; otherwise the first conflict.
std::string checkArenaPlan(const ArenaRequest &request, const ArenaPlan &plan);

//===----------------------------------------------------------------------===//
// Host/device tiering
//===----------------------------------------------------------------------===//

/// One weight (or constant) and the schedule steps whose kernel reads it.
struct WeightUse {
  uint64_t bytes = 0;
  std::vector<uint32_t> steps;
  /// False for bytes that must stay resident (constants).
  bool streamable = true;
};

/// Assumed bandwidths for the time prediction (bytes per second). The host
/// link default is a PCIe 4.0 x16-class ~25 GB/s (PCIe 5.0 x16 measures
/// ~55 GB/s); HBM is an H200's 4.8 TB/s.
inline constexpr double kDefaultHostLinkBytesPerSec = 25e9;
inline constexpr double kDefaultHbmBytesPerSec = 4.8e12;

struct TieringRequest {
  /// Device bytes available to the program; 0 means unlimited.
  uint64_t budgetBytes = 0;
  uint64_t arenaBytes = 0;
  std::vector<WeightUse> weights;
  uint32_t numSteps = 0;
  uint64_t alignment = 256;
  /// Bytes the kernels read and write in device memory per inference
  /// (activations and weights), for the HBM time.
  uint64_t kernelTrafficBytes = 0;
  double hostLinkBytesPerSec = kDefaultHostLinkBytesPerSec;
  double hbmBytesPerSec = kDefaultHbmBytesPerSec;
};

/// The streamed weights one step needs, packed into one staging slot.
struct StepStaging {
  uint32_t step = 0;
  uint32_t slot = 0; ///< alternates 0, 1, 0, ... over staging steps
  /// (weight index, byte offset in the slot), by weight index.
  std::vector<std::pair<uint32_t, uint64_t>> weights;
  uint64_t bytes = 0; ///< unaligned sum of the weights' bytes
};

struct TieringPlan {
  /// False when the budget cannot be met; `error` says by how much.
  bool ok = true;
  std::string error;
  std::vector<bool> streamed;       ///< per weight: lives in host memory
  uint64_t residentWeightBytes = 0; ///< aligned, resident weights only
  uint64_t stagingSlotBytes = 0;    ///< bytes of one staging slot
  uint32_t stagingSlots = 0;        ///< 0, 1 or 2 (double buffering)
  std::vector<StepStaging> staging; ///< steps that read streamed weights
  uint64_t streamedBytesPerInference = 0;
  /// arena + resident weights + staging slots.
  uint64_t deviceBytes = 0;
  double hostLinkMs = 0; ///< streamed bytes over the host link
  double hbmMs = 0;      ///< kernel traffic plus staging writes over HBM
  /// Predicted time per inference with the copies overlapped with the
  /// kernels (double buffering): max(hostLinkMs, hbmMs).
  double predictedMs() const { return hostLinkMs > hbmMs ? hostLinkMs : hbmMs; }
};

/// Lays out the staging slots for a given choice of streamed weights.
void assignStaging(const TieringRequest &request,
                   const std::vector<bool> &streamed, TieringPlan &plan);

/// Chooses the streamed weights: with no budget or when everything fits, all
/// stay resident. Otherwise weights are moved to the host one at a time,
/// each time the one that saves the most device bytes per byte it adds to
/// the host-link traffic (bytes times uses), until the total fits. Fails when
/// the arena alone exceeds the budget, or when even streaming every weight
/// does not fit, saying by how many bytes.
TieringPlan planTiering(const TieringRequest &request);

} // namespace ds::memplan

#endif // DS_PASSES_MEMORYPLANNER_H
