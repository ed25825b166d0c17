//===- MemoryPlanner.cpp - arena offsets and host/device tiering ----------===//

#include "passes/MemoryPlanner.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace ds::memplan {

uint64_t alignUp(uint64_t v, uint64_t align) {
  return (v + align - 1) / align * align;
}

const char *heuristicName(Heuristic h) {
  switch (h) {
  case Heuristic::BestFitDecreasingSize:
    return "best-fit-decreasing-size";
  case Heuristic::GreedyInOrder:
    return "greedy-in-order";
  }
  return "?";
}

double ArenaPlan::ratio() const {
  if (lowerBoundBytes == 0)
    return arenaBytes == 0 ? 1.0 : std::numeric_limits<double>::infinity();
  return static_cast<double>(arenaBytes) / static_cast<double>(lowerBoundBytes);
}

namespace {

/// A unit of storage: a buffer plus every buffer that took it over in place.
struct Slot {
  uint32_t id = 0; ///< the buffer that owns the storage
  uint64_t bytes = 0;
  uint32_t first = 0, last = 0;
};

bool overlapsInTime(const Slot &a, const Slot &b) {
  return a.first <= b.last && b.first <= a.last;
}

/// Applies the in-place pairs; fills plan.storageOf and plan.inPlaceApplied
/// and returns the slots (one per storage owner with a non-zero size).
std::vector<Slot> buildSlots(const ArenaRequest &req, ArenaPlan &plan) {
  size_t n = req.buffers.size();
  plan.storageOf.resize(n);
  std::iota(plan.storageOf.begin(), plan.storageOf.end(), 0u);
  std::vector<Slot> byOwner(n);
  std::vector<bool> hasMembers(n, false);
  for (uint32_t i = 0; i < n; ++i) {
    const Interval &b = req.buffers[i];
    byOwner[i] = {i, alignUp(b.bytes, req.alignment), b.first,
                  std::max(b.first, b.last)};
  }
  for (const InPlacePair &p : req.inPlace) {
    if (p.result >= n || p.operand >= n || p.result == p.operand)
      continue;
    uint32_t owner = plan.storageOf[p.operand];
    Slot &s = byOwner[owner];
    const Slot &r = byOwner[p.result];
    if (plan.storageOf[p.result] != p.result || hasMembers[p.result] ||
        owner == p.result || s.last != r.first || r.bytes > s.bytes ||
        r.bytes == 0)
      continue;
    plan.storageOf[p.result] = owner;
    hasMembers[owner] = true;
    s.last = std::max(s.last, r.last);
    ++plan.inPlaceApplied;
  }
  std::vector<Slot> slots;
  for (uint32_t i = 0; i < n; ++i)
    if (plan.storageOf[i] == i && byOwner[i].bytes > 0)
      slots.push_back(byOwner[i]);
  return slots;
}

/// Offset for `s` among the already placed slots that overlap it in time:
/// the smallest gap that fits (best fit) or the lowest (first fit), else the
/// top of the overlapping slots.
uint64_t findOffset(const Slot &s, const std::vector<Slot> &placed,
                    const std::vector<uint64_t> &placedOffsets, bool bestFit) {
  std::vector<std::pair<uint64_t, uint64_t>> busy; // [offset, end)
  for (size_t i = 0; i < placed.size(); ++i)
    if (overlapsInTime(s, placed[i]))
      busy.push_back({placedOffsets[i], placedOffsets[i] + placed[i].bytes});
  std::sort(busy.begin(), busy.end());
  uint64_t cursor = 0;
  uint64_t best = std::numeric_limits<uint64_t>::max();
  uint64_t bestGap = std::numeric_limits<uint64_t>::max();
  for (auto [begin, end] : busy) {
    if (begin > cursor) {
      uint64_t gap = begin - cursor;
      if (gap >= s.bytes && gap < bestGap) {
        best = cursor;
        bestGap = gap;
        if (!bestFit)
          return best;
      }
    }
    cursor = std::max(cursor, end);
  }
  return best != std::numeric_limits<uint64_t>::max() ? best : cursor;
}

} // namespace

ArenaPlan planArenaWith(const ArenaRequest &req, Heuristic heuristic) {
  ArenaPlan plan;
  plan.heuristic = heuristic;
  std::vector<Slot> slots = buildSlots(req, plan);

  for (const Interval &b : req.buffers)
    plan.noReuseBytes += alignUp(b.bytes, req.alignment);

  // Lower bound: live bytes per step (difference array over the steps).
  uint32_t maxStep = 0;
  for (const Slot &s : slots)
    maxStep = std::max(maxStep, s.last);
  std::vector<int64_t> delta(static_cast<size_t>(maxStep) + 2, 0);
  for (const Slot &s : slots) {
    delta[s.first] += static_cast<int64_t>(s.bytes);
    delta[s.last + 1] -= static_cast<int64_t>(s.bytes);
  }
  int64_t live = 0;
  for (int64_t d : delta) {
    live += d;
    plan.lowerBoundBytes =
        std::max(plan.lowerBoundBytes, static_cast<uint64_t>(live));
  }

  std::vector<size_t> order(slots.size());
  std::iota(order.begin(), order.end(), 0);
  if (heuristic == Heuristic::BestFitDecreasingSize)
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      if (slots[a].bytes != slots[b].bytes)
        return slots[a].bytes > slots[b].bytes;
      return slots[a].first < slots[b].first;
    });
  else
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      if (slots[a].first != slots[b].first)
        return slots[a].first < slots[b].first;
      return slots[a].bytes > slots[b].bytes;
    });

  plan.offsets.assign(req.buffers.size(), 0);
  std::vector<Slot> placed;
  std::vector<uint64_t> placedOffsets;
  for (size_t i : order) {
    uint64_t offset = findOffset(slots[i], placed, placedOffsets,
                                 heuristic == Heuristic::BestFitDecreasingSize);
    placed.push_back(slots[i]);
    placedOffsets.push_back(offset);
    plan.offsets[slots[i].id] = offset;
    plan.arenaBytes = std::max(plan.arenaBytes, offset + slots[i].bytes);
  }
  for (size_t i = 0; i < req.buffers.size(); ++i)
    plan.offsets[i] = plan.offsets[plan.storageOf[i]];
  return plan;
}

ArenaPlan planArena(const ArenaRequest &req) {
  const Heuristic all[] = {Heuristic::BestFitDecreasingSize,
                           Heuristic::GreedyInOrder};
  ArenaPlan best;
  std::vector<uint64_t> sizes;
  for (Heuristic h : all) {
    ArenaPlan p = planArenaWith(req, h);
    sizes.push_back(p.arenaBytes);
    if (sizes.size() == 1 || p.arenaBytes < best.arenaBytes)
      best = std::move(p);
  }
  best.heuristicBytes = std::move(sizes);
  return best;
}

std::string checkArenaPlan(const ArenaRequest &req, const ArenaPlan &plan) {
  size_t n = req.buffers.size();
  if (plan.offsets.size() != n || plan.storageOf.size() != n)
    return "plan has the wrong number of buffers";
  auto label = [](size_t i) { return "buffer " + std::to_string(i); };
  for (size_t i = 0; i < n; ++i) {
    uint64_t bytes = alignUp(req.buffers[i].bytes, req.alignment);
    if (plan.offsets[i] % req.alignment)
      return label(i) + " is not aligned";
    if (bytes && plan.offsets[i] + bytes > plan.arenaBytes)
      return label(i) + " ends past the arena";
  }
  for (size_t i = 0; i < n; ++i) {
    const Interval &a = req.buffers[i];
    uint64_t aBytes = alignUp(a.bytes, req.alignment);
    for (size_t j = i + 1; j < n; ++j) {
      const Interval &b = req.buffers[j];
      uint64_t bBytes = alignUp(b.bytes, req.alignment);
      if (!aBytes || !bBytes || plan.storageOf[i] == plan.storageOf[j])
        continue;
      if (a.first > b.last || b.first > a.last)
        continue;
      uint64_t ai = plan.offsets[i], bj = plan.offsets[j];
      if (ai < bj + bBytes && bj < ai + aBytes)
        return label(i) + " and " + label(j) +
               " are live at the same time and overlap";
    }
  }
  return "";
}

//===----------------------------------------------------------------------===//
// Tiering
//===----------------------------------------------------------------------===//

void assignStaging(const TieringRequest &req, const std::vector<bool> &streamed,
                   TieringPlan &plan) {
  plan.streamed = streamed;
  plan.staging.clear();
  plan.residentWeightBytes = 0;
  plan.stagingSlotBytes = 0;
  plan.streamedBytesPerInference = 0;
  std::vector<std::vector<uint32_t>> byStep(req.numSteps);
  for (uint32_t w = 0; w < req.weights.size(); ++w) {
    const WeightUse &u = req.weights[w];
    if (!streamed[w]) {
      plan.residentWeightBytes += alignUp(u.bytes, req.alignment);
      continue;
    }
    std::vector<uint32_t> steps = u.steps;
    std::sort(steps.begin(), steps.end());
    steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
    for (uint32_t s : steps)
      if (s < req.numSteps)
        byStep[s].push_back(w);
  }
  for (uint32_t s = 0; s < req.numSteps; ++s) {
    if (byStep[s].empty())
      continue;
    StepStaging st;
    st.step = s;
    st.slot = plan.staging.size() % 2;
    uint64_t offset = 0;
    for (uint32_t w : byStep[s]) {
      st.weights.push_back({w, offset});
      offset += alignUp(req.weights[w].bytes, req.alignment);
      st.bytes += req.weights[w].bytes;
    }
    plan.stagingSlotBytes = std::max(plan.stagingSlotBytes, offset);
    plan.streamedBytesPerInference += st.bytes;
    plan.staging.push_back(std::move(st));
  }
  plan.stagingSlots = std::min<size_t>(plan.staging.size(), 2);
  plan.deviceBytes = req.arenaBytes + plan.residentWeightBytes +
                     plan.stagingSlots * plan.stagingSlotBytes;
  plan.hostLinkMs =
      req.hostLinkBytesPerSec > 0
          ? plan.streamedBytesPerInference / req.hostLinkBytesPerSec * 1e3
          : 0;
  plan.hbmMs = req.hbmBytesPerSec > 0
                   ? (req.kernelTrafficBytes + plan.streamedBytesPerInference) /
                         req.hbmBytesPerSec * 1e3
                   : 0;
}

TieringPlan planTiering(const TieringRequest &req) {
  TieringPlan plan;
  size_t n = req.weights.size();
  std::vector<bool> streamed(n, false);
  assignStaging(req, streamed, plan);
  if (req.budgetBytes == 0 || plan.deviceBytes <= req.budgetBytes)
    return plan;
  if (req.arenaBytes > req.budgetBytes) {
    plan.ok = false;
    plan.error = "the activation arena alone needs " +
                 std::to_string(req.arenaBytes) +
                 " bytes, over the device memory budget of " +
                 std::to_string(req.budgetBytes) + " bytes by " +
                 std::to_string(req.arenaBytes - req.budgetBytes) + " bytes";
    return plan;
  }
  // Greedy moves can pass the best placement (staging grows as weights
  // move), so the smallest one seen is what a failure reports.
  TieringPlan trial, smallest = plan;
  while (plan.deviceBytes > req.budgetBytes) {
    // The move that saves the most device bytes per byte of added host-link
    // traffic; a weight no kernel reads costs nothing to move.
    int64_t bestWeight = -1;
    double bestScore = 0, bestCost = 0;
    for (size_t w = 0; w < n; ++w) {
      if (streamed[w] || !req.weights[w].streamable)
        continue;
      streamed[w] = true;
      assignStaging(req, streamed, trial);
      streamed[w] = false;
      int64_t saving = static_cast<int64_t>(plan.deviceBytes) -
                       static_cast<int64_t>(trial.deviceBytes);
      double cost = static_cast<double>(trial.streamedBytesPerInference) -
                    static_cast<double>(plan.streamedBytesPerInference);
      double score =
          cost <= 0 ? std::numeric_limits<double>::infinity() : saving / cost;
      if (saving <= 0)
        score = static_cast<double>(saving); // least harm when nothing saves
      // Ties (e.g. moves that save nothing yet): the cheapest to stream.
      if (bestWeight < 0 || score > bestScore ||
          (score == bestScore && cost < bestCost)) {
        bestWeight = static_cast<int64_t>(w);
        bestScore = score;
        bestCost = cost;
      }
    }
    if (bestWeight < 0)
      break;
    streamed[bestWeight] = true;
    assignStaging(req, streamed, plan);
    if (plan.deviceBytes < smallest.deviceBytes)
      smallest = plan;
  }
  if (plan.deviceBytes > req.budgetBytes) {
    plan = smallest;
    plan.ok = false;
    plan.error = "the smallest placement found needs " +
                 std::to_string(plan.deviceBytes) + " device bytes (arena " +
                 std::to_string(req.arenaBytes) + ", resident weights " +
                 std::to_string(plan.residentWeightBytes) + ", staging " +
                 std::to_string(plan.stagingSlots) + " x " +
                 std::to_string(plan.stagingSlotBytes) +
                 "), over the budget by " +
                 std::to_string(plan.deviceBytes - req.budgetBytes) + " bytes";
  }
  return plan;
}

} // namespace ds::memplan
