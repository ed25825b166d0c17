//===- MemoryPlannerTest.cpp - arena planning and tiering, hand-checked ---===//

#include "passes/MemoryPlanner.h"

#include <gtest/gtest.h>

#include <random>

using namespace ds::memplan;

namespace {

constexpr uint64_t kA = 256;

ArenaRequest request(std::vector<Interval> buffers,
                     std::vector<InPlacePair> inPlace = {}) {
  ArenaRequest r;
  r.buffers = std::move(buffers);
  r.inPlace = std::move(inPlace);
  r.alignment = kA;
  return r;
}

TEST(MemoryPlanner, ChainNeedsTwoBuffers) {
  // x -> a -> b -> c -> d: each step reads one buffer and writes the next.
  ArenaRequest r = request({{1024, 0, 1}, // x, read at step 1
                            {1024, 1, 2},
                            {1024, 2, 3},
                            {1024, 3, 4},
                            {1024, 4, 5}}); // d, read out at step 5
  for (Heuristic h :
       {Heuristic::BestFitDecreasingSize, Heuristic::GreedyInOrder}) {
    ArenaPlan p = planArenaWith(r, h);
    EXPECT_EQ(p.arenaBytes, 2048u) << heuristicName(h);
    EXPECT_EQ(p.lowerBoundBytes, 2048u);
    EXPECT_EQ(p.noReuseBytes, 5 * 1024u);
    EXPECT_EQ(checkArenaPlan(r, p), "");
    // Neighbours alternate between the two slots.
    for (size_t i = 0; i + 1 < 5; ++i)
      EXPECT_NE(p.offsets[i], p.offsets[i + 1]);
    for (size_t i = 0; i + 2 < 5; ++i)
      EXPECT_EQ(p.offsets[i], p.offsets[i + 2]);
  }
}

TEST(MemoryPlanner, ChainInPlaceNeedsOneBuffer) {
  ArenaRequest r =
      request({{1024, 0, 1}, {1024, 1, 2}, {1024, 2, 3}}, {{1, 0}, {2, 1}});
  ArenaPlan p = planArena(r);
  EXPECT_EQ(p.inPlaceApplied, 2u);
  EXPECT_EQ(p.arenaBytes, 1024u);
  EXPECT_EQ(p.lowerBoundBytes, 1024u);
  EXPECT_EQ(p.offsets, (std::vector<uint64_t>{0, 0, 0}));
  EXPECT_EQ(p.storageOf, (std::vector<uint32_t>{0, 0, 0}));
  EXPECT_EQ(checkArenaPlan(r, p), "");
}

TEST(MemoryPlanner, InPlaceDoesNotFireWhenOperandLivesOn) {
  // Buffer 0 is read again at step 2, after buffer 1 is written at step 1.
  ArenaRequest r = request({{1024, 0, 2}, {1024, 1, 2}}, {{1, 0}});
  ArenaPlan p = planArena(r);
  EXPECT_EQ(p.inPlaceApplied, 0u);
  EXPECT_NE(p.offsets[0], p.offsets[1]);
  EXPECT_EQ(p.arenaBytes, 2048u);
}

TEST(MemoryPlanner, InPlaceDoesNotFireForLargerResult) {
  ArenaRequest r = request({{256, 0, 1}, {1024, 1, 2}}, {{1, 0}});
  ArenaPlan p = planArena(r);
  EXPECT_EQ(p.inPlaceApplied, 0u);
  EXPECT_EQ(checkArenaPlan(r, p), "");
}

TEST(MemoryPlanner, InPlaceTakesStorageOnce) {
  // Two results want the same dying operand: only the first gets it.
  ArenaRequest r =
      request({{1024, 0, 1}, {1024, 1, 3}, {1024, 1, 3}}, {{1, 0}, {2, 0}});
  ArenaPlan p = planArena(r);
  EXPECT_EQ(p.inPlaceApplied, 1u);
  EXPECT_EQ(p.offsets[0], p.offsets[1]);
  EXPECT_NE(p.offsets[2], p.offsets[1]);
  EXPECT_EQ(checkArenaPlan(r, p), "");
}

TEST(MemoryPlanner, LowerBoundXlaExample) {
  // XLA's NoFragmentationStatsHeap example: live sets {A10 + B20} and
  // {A10 + C30} give 40 (here in units of the alignment).
  ArenaRequest r = request({{10 * kA, 0, 1}, {20 * kA, 0, 0}, {30 * kA, 1, 1}});
  ArenaPlan p = planArena(r);
  EXPECT_EQ(p.lowerBoundBytes, 40 * kA);
  EXPECT_EQ(p.arenaBytes, 40 * kA); // B and C share: met exactly
  EXPECT_DOUBLE_EQ(p.ratio(), 1.0);
  EXPECT_EQ(p.noReuseBytes, 60 * kA);
}

TEST(MemoryPlanner, AlignmentRoundsSizesAndOffsets) {
  ArenaRequest r = request({{1, 0, 1}, {3, 0, 1}, {257, 0, 1}});
  ArenaPlan p = planArena(r);
  EXPECT_EQ(p.arenaBytes, 4 * kA);
  EXPECT_EQ(p.noReuseBytes, 4 * kA);
  for (uint64_t o : p.offsets)
    EXPECT_EQ(o % kA, 0u);
  EXPECT_EQ(checkArenaPlan(r, p), "");
}

TEST(MemoryPlanner, ZeroByteBuffersTakeNoSpace) {
  ArenaRequest r = request({{0, 0, 3}, {512, 0, 3}});
  ArenaPlan p = planArena(r);
  EXPECT_EQ(p.arenaBytes, 512u);
  EXPECT_EQ(p.offsets[0], 0u);
}

TEST(MemoryPlanner, KeepsTheSmallerHeuristic) {
  // Both heuristics give valid plans; the chosen one is the smaller.
  ArenaRequest r = request({{kA, 0, 0},     // small, step 0
                            {4 * kA, 1, 2}, // big, steps 1-2
                            {kA, 0, 1},     // medium, steps 0-1
                            {3 * kA, 2, 3}});
  ArenaPlan best = planArenaWith(r, Heuristic::BestFitDecreasingSize);
  ArenaPlan greedy = planArenaWith(r, Heuristic::GreedyInOrder);
  ArenaPlan chosen = planArena(r);
  EXPECT_EQ(checkArenaPlan(r, best), "");
  EXPECT_EQ(checkArenaPlan(r, greedy), "");
  EXPECT_EQ(chosen.arenaBytes, std::min(best.arenaBytes, greedy.arenaBytes));
  ASSERT_EQ(chosen.heuristicBytes.size(), 2u);
  EXPECT_EQ(chosen.heuristicBytes[0], best.arenaBytes);
  EXPECT_EQ(chosen.heuristicBytes[1], greedy.arenaBytes);
  EXPECT_GE(chosen.arenaBytes, chosen.lowerBoundBytes);
}

TEST(MemoryPlanner, RandomPlansAreValidAndBounded) {
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    std::vector<Interval> bufs;
    std::vector<InPlacePair> pairs;
    int n = 5 + rng() % 40;
    for (int i = 0; i < n; ++i) {
      uint32_t first = rng() % 30;
      uint32_t last = first + rng() % 8;
      bufs.push_back({1 + rng() % 5000, first, last});
      if (i && rng() % 3 == 0)
        pairs.push_back(
            {static_cast<uint32_t>(i), static_cast<uint32_t>(rng() % i)});
    }
    ArenaRequest r = request(bufs, pairs);
    ArenaPlan p = planArena(r);
    ASSERT_EQ(checkArenaPlan(r, p), "") << "round " << round;
    EXPECT_GE(p.arenaBytes, p.lowerBoundBytes);
    EXPECT_LE(p.arenaBytes, p.noReuseBytes);
  }
}

TEST(MemoryPlanner, CheckerFindsOverlap) {
  ArenaRequest r = request({{kA, 0, 1}, {kA, 1, 2}});
  ArenaPlan p = planArena(r);
  p.offsets = {0, 0};
  EXPECT_NE(checkArenaPlan(r, p).find("overlap"), std::string::npos);
}

//===----------------------------------------------------------------------===//
// Tiering
//===----------------------------------------------------------------------===//

TieringRequest tiering(uint64_t budget, uint64_t arena,
                       std::vector<WeightUse> weights, uint32_t steps) {
  TieringRequest t;
  t.budgetBytes = budget;
  t.arenaBytes = arena;
  t.weights = std::move(weights);
  t.numSteps = steps;
  t.alignment = kA;
  return t;
}

TEST(Tiering, EverythingResidentWhenItFits) {
  TieringPlan p = planTiering(
      tiering(10 * kA, 2 * kA, {{4 * kA, {0}, true}, {4 * kA, {1}, true}}, 2));
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.streamed, (std::vector<bool>{false, false}));
  EXPECT_EQ(p.deviceBytes, 10 * kA);
  EXPECT_EQ(p.streamedBytesPerInference, 0u);
  EXPECT_EQ(p.stagingSlots, 0u);
}

TEST(Tiering, NoBudgetMeansResident) {
  TieringPlan p = planTiering(tiering(0, 2 * kA, {{1000 * kA, {0}, true}}, 1));
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.streamed, (std::vector<bool>{false}));
}

TEST(Tiering, StreamsTheLeastUsedWeights) {
  // Four weights of 4 units; the first is read by three kernels, the others
  // by one each. Budget: arena 2 + 16 weights does not fit in 14.
  std::vector<WeightUse> w = {{4 * kA, {0, 2, 4}, true},
                              {4 * kA, {1}, true},
                              {4 * kA, {3}, true},
                              {4 * kA, {5}, true}};
  TieringPlan p = planTiering(tiering(14 * kA, 2 * kA, w, 6));
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_FALSE(p.streamed[0]) << "the most-used weight stays resident";
  EXPECT_LE(p.deviceBytes, 14 * kA);
  // Staging: two slots of one weight each.
  EXPECT_EQ(p.stagingSlotBytes, 4 * kA);
  EXPECT_EQ(p.stagingSlots, 2u);
  int streamedCount = 0;
  for (bool s : p.streamed)
    streamedCount += s;
  EXPECT_EQ(p.streamedBytesPerInference, streamedCount * 4 * kA);
  // Slots alternate over the staging steps, in schedule order.
  for (size_t i = 0; i < p.staging.size(); ++i) {
    EXPECT_EQ(p.staging[i].slot, i % 2);
    if (i)
      EXPECT_LT(p.staging[i - 1].step, p.staging[i].step);
  }
  EXPECT_GT(p.hostLinkMs, 0);
  EXPECT_DOUBLE_EQ(p.hostLinkMs, p.streamedBytesPerInference /
                                     kDefaultHostLinkBytesPerSec * 1e3);
}

TEST(Tiering, TwoWeightsOfOneKernelShareASlot) {
  TieringRequest t = tiering(3 * kA, kA, {{kA, {0}, true}, {kA, {0}, true}}, 1);
  TieringPlan p;
  assignStaging(t, {true, true}, p);
  ASSERT_EQ(p.staging.size(), 1u);
  EXPECT_EQ(p.staging[0].weights.size(), 2u);
  EXPECT_EQ(p.staging[0].weights[0].second, 0u);
  EXPECT_EQ(p.staging[0].weights[1].second, kA);
  EXPECT_EQ(p.stagingSlotBytes, 2 * kA);
  EXPECT_EQ(p.stagingSlots, 1u);
  EXPECT_EQ(p.deviceBytes, 3 * kA);
}

TEST(Tiering, ArenaAloneTooBigSaysByHowMuch) {
  TieringPlan p = planTiering(tiering(1000, 1500, {{kA, {0}, true}}, 1));
  ASSERT_FALSE(p.ok);
  EXPECT_NE(p.error.find("arena alone needs 1500 bytes"), std::string::npos)
      << p.error;
  EXPECT_NE(p.error.find("by 500 bytes"), std::string::npos) << p.error;
}

TEST(Tiering, ConstantsStayResidentAndCanMakeItFail) {
  // A 4-unit constant cannot move; arena 2 + 4 > budget 5.
  TieringPlan p = planTiering(
      tiering(5 * kA, 2 * kA, {{4 * kA, {0}, false}, {kA, {1}, true}}, 2));
  ASSERT_FALSE(p.ok);
  EXPECT_FALSE(p.streamed[0]);
  EXPECT_NE(p.error.find("over the budget by"), std::string::npos) << p.error;
}

TEST(Tiering, UnusedWeightsMoveFirst) {
  // A weight no kernel reads costs nothing to keep on the host.
  TieringPlan p = planTiering(
      tiering(5 * kA, kA, {{4 * kA, {0}, true}, {4 * kA, {}, true}}, 1));
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.streamed, (std::vector<bool>{false, true}));
  EXPECT_EQ(p.streamedBytesPerInference, 0u);
}

} // namespace
