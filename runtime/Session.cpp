//===- Session.cpp - ds runtime public API --------------------------------===//
//
// A Session executes the artifact's memory plan: one arena holds inputs,
// outputs and intermediates at compiler-assigned offsets, weights live in one
// read-only region, views resolve to their base buffer, and the launches run
// in schedule order. Two backends share that plan: CUDA (through the dlopen'd
// driver) and the CPU (through the host module).
//
//===----------------------------------------------------------------------===//

#include "runtime/Session.h"

#include "runtime/Buckets.h"
#include "runtime/CudaDriver.h"
#include "runtime/HostModule.h"
#include "runtime/SafeTensors.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

using namespace ds::runtime;
using namespace ds::runtime::cu;

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

constexpr uint64_t kArenaAlignment = 256;

//===----------------------------------------------------------------------===//
// Memory plan
//===----------------------------------------------------------------------===//

/// Where each buffer's bytes live: the arena or the weight region, at an
/// offset, with views resolved to their base.
struct BufferPlace {
  bool inWeights = false;
  uint64_t offset = 0;
};

StatusOr<std::vector<BufferPlace>> planBuffers(const LoadedArtifact &la) {
  const Artifact &a = la.artifact;
  std::vector<BufferPlace> places(a.buffers.size());
  for (size_t id = 0; id < a.buffers.size(); ++id) {
    size_t root = id, steps = 0;
    while (a.buffers[root].kind == BufferDesc::Kind::View) {
      root = a.buffers[root].aliasOf;
      if (root >= a.buffers.size() || ++steps > a.buffers.size())
        return Status::error("buffer " + std::to_string(id) +
                             " is a view with no base buffer");
    }
    const BufferDesc &base = a.buffers[root];
    // Dynamic dims: a buffer only the reference program has (e.g. a value
    // inside a fused kernel); no launch reads it (verifyArtifact checks).
    auto dynamic = [](const TensorType &t) {
      return std::any_of(t.shape.begin(), t.shape.end(),
                         [](int64_t d) { return d < 0; });
    };
    if (dynamic(a.buffers[id].type) || dynamic(base.type) ||
        (base.kind == BufferDesc::Kind::Intermediate &&
         !isLaunchBuffer(a, root))) {
      places[id] = {false, 0};
      continue;
    }
    bool inWeights = base.kind == BufferDesc::Kind::Weight ||
                     base.kind == BufferDesc::Kind::Constant;
    uint64_t limit = inWeights ? la.weightSize : a.arenaBytes;
    uint64_t size =
        std::max(a.buffers[id].type.byteSize(), base.type.byteSize());
    if (base.offset > limit || size > limit - base.offset)
      return Status::error("buffer " + std::to_string(id) + " (" +
                           a.buffers[id].type.str() + " at offset " +
                           std::to_string(base.offset) + ") lies outside the " +
                           (inWeights ? "weight blob" : "arena"));
    places[id] = {inWeights, base.offset};
  }
  for (size_t i = 0; i < a.launches.size(); ++i) {
    const LaunchDesc &l = a.launches[i];
    if (l.kernel >= a.kernels.size())
      return Status::error("launch " + std::to_string(i) +
                           " names unknown kernel " + std::to_string(l.kernel));
    for (uint32_t arg : l.args)
      if (arg >= a.buffers.size())
        return Status::error("launch " + std::to_string(i) +
                             " passes unknown buffer " + std::to_string(arg));
  }
  return places;
}

/// The staging part of the plan, resolved once at load: per launch, where
/// each argument points and which weight bytes must be copied in first.
struct StagingSchedule {
  struct Copy {
    uint64_t src = 0; ///< offset in the weights section
    uint64_t dst = 0; ///< offset in the staging area (slot base included)
    uint64_t size = 0;
  };
  struct Launch {
    std::vector<Copy> copies;
    /// Previous launch that used any slot this one fills; it must finish
    /// before the copies start (double buffering). -1 if none.
    int64_t waitFor = -1;
    uint64_t bytes = 0;
  };
  std::vector<Launch> launches;
  /// Per launch, per argument: the staging offset of a streamed weight
  /// argument, or nullopt when the argument uses its BufferPlace.
  std::vector<std::vector<std::optional<uint64_t>>> argStaging;
  uint64_t stagingBytes = 0;  ///< all slots
  uint64_t residentBytes = 0; ///< prefix of the weights kept on the device
  bool any = false;
};

uint32_t rootBuffer(const Artifact &a, uint32_t id) {
  while (a.buffers[id].kind == BufferDesc::Kind::View)
    id = a.buffers[id].aliasOf;
  return id;
}

StagingSchedule planStaging(const LoadedArtifact &la) {
  const Artifact &a = la.artifact;
  StagingSchedule s;
  s.stagingBytes = uint64_t(a.plan.stagingSlots) * a.plan.stagingSlotBytes;
  bool anyStreamed = false;
  for (const BufferDesc &b : a.buffers)
    anyStreamed |= b.streamed;
  s.residentBytes = anyStreamed ? a.plan.residentWeightBytes : la.weightSize;
  s.launches.resize(a.launches.size());
  s.argStaging.resize(a.launches.size());
  std::vector<int64_t> lastUser(a.plan.stagingSlots, -1);
  // Buckets run alone: a launch never waits for another bucket's.
  std::vector<bool> bucketStart(a.launches.size() + 1, false);
  for (const BucketVariant &v : a.buckets)
    bucketStart[v.firstLaunch] = true;
  for (size_t i = 0; i < a.launches.size(); ++i) {
    const LaunchDesc &l = a.launches[i];
    if (bucketStart[i])
      std::fill(lastUser.begin(), lastUser.end(), -1);
    StagingSchedule::Launch &sl = s.launches[i];
    for (const StageCopy &c : l.stage) {
      uint64_t dst = uint64_t(c.slot) * a.plan.stagingSlotBytes + c.offset;
      uint64_t size = a.buffers[c.buffer].type.byteSize();
      sl.copies.push_back({a.buffers[c.buffer].offset, dst, size});
      sl.bytes += size;
      sl.waitFor = std::max(sl.waitFor, lastUser[c.slot]);
    }
    for (const StageCopy &c : l.stage)
      lastUser[c.slot] = static_cast<int64_t>(i);
    s.any |= !l.stage.empty();
    for (uint32_t arg : l.args) {
      std::optional<uint64_t> at;
      uint32_t root = rootBuffer(a, arg);
      for (const StageCopy &c : l.stage)
        if (c.buffer == root)
          at = uint64_t(c.slot) * a.plan.stagingSlotBytes + c.offset;
      s.argStaging[i].push_back(at);
    }
  }
  return s;
}

/// Checks run() inputs against the signature.
Status checkInputs(const Artifact &a, const std::vector<HostTensor> &inputs) {
  if (inputs.size() != a.inputs.size())
    return Status::error("expected " + std::to_string(a.inputs.size()) +
                         " input(s), got " + std::to_string(inputs.size()));
  for (size_t i = 0; i < inputs.size(); ++i) {
    const BufferDesc &b = a.buffers[a.inputs[i]];
    if (inputs[i].type != b.type)
      return Status::error("input '" + b.name + "': expected " + b.type.str() +
                           ", got " + inputs[i].type.str());
    if (inputs[i].bytes.size() != b.type.byteSize())
      return Status::error("input '" + b.name + "' holds " +
                           std::to_string(inputs[i].bytes.size()) +
                           " bytes, but " + b.type.str() + " needs " +
                           std::to_string(b.type.byteSize()));
  }
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Backend interface
//===----------------------------------------------------------------------===//

class Backend {
public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  /// Copies `bytes` into buffer place `p` (always an arena place).
  virtual Status copyIn(const BufferPlace &p, const void *bytes,
                        size_t size) = 0;
  virtual Status copyOut(const BufferPlace &p, void *bytes, size_t size) = 0;
  /// Runs launches [begin, end) in order (the program, or one bucket),
  /// staging streamed weights ahead of the launches that read them; fills
  /// the timing fields of `stats` and adds the bytes copied into staging
  /// slots to stats.bytesStreamed.
  virtual Status runLaunches(size_t begin, size_t end,
                             Session::RunStats &stats) = 0;
  /// Device bytes held: arena, resident weights and staging slots.
  virtual uint64_t deviceBytes() const = 0;
};

//===----------------------------------------------------------------------===//
// CPU backend: the host module on the CUDA emulation
//===----------------------------------------------------------------------===//

class CpuBackend : public Backend {
public:
  static StatusOr<std::unique_ptr<CpuBackend>>
  create(const LoadedArtifact &la, const std::vector<BufferPlace> &places,
         const StagingSchedule &staging) {
    const Artifact &a = la.artifact;
    std::unique_ptr<CpuBackend> be(new CpuBackend());
    be->artifact = &a;
    be->staging = &staging;
    StatusOr<std::unique_ptr<HostModule>> module =
        HostModule::load(a.hostModule);
    if (!module)
      return module.status();
    be->module = std::move(*module);
    for (const KernelDesc &k : a.kernels) {
      StatusOr<HostModule::LaunchFn> fn = be->module->lookup(k.name);
      if (!fn)
        return fn.status();
      be->kernelFns.push_back(*fn);
    }
    // One aligned arena for the life of the session.
    uint64_t bytes =
        (std::max<uint64_t>(a.arenaBytes, 1) + kArenaAlignment - 1) /
        kArenaAlignment * kArenaAlignment;
    be->arena =
        static_cast<uint8_t *>(std::aligned_alloc(kArenaAlignment, bytes));
    if (!be->arena)
      return Status::error("cannot allocate a " + std::to_string(bytes) +
                           "-byte host arena");
    // Weights are read in place from the mapped file. The mapping is
    // read-only; kernels never write weights. Streamed weights are reached
    // only through the staging slots, which emulate the device buffers of
    // the tiered plan: the copy thread fills them as the CUDA copy stream
    // would.
    be->weights = const_cast<uint8_t *>(la.weightData);
    be->arenaBytes = bytes;
    if (staging.stagingBytes) {
      uint64_t stagingBytes = (staging.stagingBytes + kArenaAlignment - 1) /
                              kArenaAlignment * kArenaAlignment;
      be->stagingArea = static_cast<uint8_t *>(
          std::aligned_alloc(kArenaAlignment, stagingBytes));
      if (!be->stagingArea)
        return Status::error("cannot allocate " + std::to_string(stagingBytes) +
                             " bytes of staging buffers");
    }
    for (const BufferPlace &p : places)
      be->pointers.push_back((p.inWeights ? be->weights : be->arena) +
                             p.offset);
    // Kernel parameters: args[i] points at the i-th pointer value.
    for (size_t i = 0; i < a.launches.size(); ++i) {
      std::vector<void *> values;
      for (size_t j = 0; j < a.launches[i].args.size(); ++j) {
        const std::optional<uint64_t> &st = staging.argStaging[i][j];
        values.push_back(st ? be->stagingArea + *st
                            : be->pointers[a.launches[i].args[j]]);
      }
      be->argValues.push_back(std::move(values));
    }
    for (std::vector<void *> &values : be->argValues) {
      std::vector<void *> params;
      for (void *&v : values)
        params.push_back(&v);
      be->argParams.push_back(std::move(params));
    }
    return be;
  }

  ~CpuBackend() override {
    std::free(arena);
    std::free(stagingArea);
  }

  uint64_t deviceBytes() const override {
    return arenaBytes + staging->residentBytes + staging->stagingBytes;
  }

  std::string name() const override { return "cpu (CUDA emulation)"; }

  Status copyIn(const BufferPlace &p, const void *bytes, size_t size) override {
    if (size)
      std::memcpy(arena + p.offset, bytes, size);
    return Status::ok();
  }

  Status copyOut(const BufferPlace &p, void *bytes, size_t size) override {
    if (size)
      std::memcpy(bytes, (p.inWeights ? weights : arena) + p.offset, size);
    return Status::ok();
  }

  Status runLaunches(size_t begin, size_t end,
                     Session::RunStats &stats) override {
    const std::vector<LaunchDesc> &launches = artifact->launches;
    std::vector<double> &perLaunchMs = stats.perLaunchMs;
    perLaunchMs.assign(end - begin, 0.0);
    stats.launches = end - begin;
    stats.firstLaunch = begin;
    if (!staging->any) {
      DS_RETURN_IF_ERROR(runKernels(begin, end, perLaunchMs, nullptr));
      for (double ms : perLaunchMs)
        stats.kernelMs += ms;
      return Status::ok();
    }

    // A copy thread plays the CUDA copy stream: it fills the staging slot of
    // each staged launch as soon as the launch that last used that slot has
    // finished (double buffering), while the kernels run on this thread and
    // wait for their copies. `ready` and `done` are the two sets of events.
    StagingSync sync(launches.size());
    std::thread copier([&] {
      for (size_t i = begin; i < end; ++i) {
        const StagingSchedule::Launch &sl = staging->launches[i];
        if (sl.copies.empty())
          continue;
        if (!sync.waitDone(sl.waitFor))
          return;
        for (const StagingSchedule::Copy &c : sl.copies)
          std::memcpy(stagingArea + c.dst, weights + c.src, c.size);
        sync.markReady(i);
      }
    });
    Status s = runKernels(begin, end, perLaunchMs, &sync);
    if (!s)
      sync.abort();
    copier.join();
    if (!s)
      return s;
    for (size_t i = begin; i < end; ++i)
      stats.bytesStreamed += staging->launches[i].bytes;
    for (double ms : perLaunchMs)
      stats.kernelMs += ms;
    return Status::ok();
  }

private:
  /// Events between the kernels and the copy thread.
  class StagingSync {
  public:
    explicit StagingSync(size_t n) : ready(n, false), done(n, false) {}
    void markReady(size_t i) { set(ready, i); }
    void markDone(size_t i) { set(done, i); }
    /// False when aborted.
    bool waitReady(size_t i) { return wait(ready, static_cast<int64_t>(i)); }
    bool waitDone(int64_t i) { return wait(done, i); }
    void abort() {
      std::lock_guard<std::mutex> lock(mutex);
      aborted = true;
      cv.notify_all();
    }

  private:
    void set(std::vector<bool> &flags, size_t i) {
      std::lock_guard<std::mutex> lock(mutex);
      flags[i] = true;
      cv.notify_all();
    }
    bool wait(std::vector<bool> &flags, int64_t i) {
      if (i < 0)
        return true;
      std::unique_lock<std::mutex> lock(mutex);
      cv.wait(lock, [&] { return aborted || flags[i]; });
      return !aborted;
    }
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<bool> ready, done;
    bool aborted = false;
  };

  Status runKernels(size_t begin, size_t end, std::vector<double> &perLaunchMs,
                    StagingSync *sync) {
    const std::vector<LaunchDesc> &launches = artifact->launches;
    for (size_t i = begin; i < end; ++i) {
      const LaunchDesc &l = launches[i];
      if (sync && !staging->launches[i].copies.empty() && !sync->waitReady(i))
        return Status::error("launch " + std::to_string(i) +
                             ": staging aborted");
      Clock::time_point start = Clock::now();
      Status s = module->launch(
          kernelFns[l.kernel], artifact->kernels[l.kernel].name,
          argParams[i].data(), l.grid, l.block, l.dynamicSharedBytes);
      perLaunchMs[i - begin] = msSince(start);
      if (sync)
        sync->markDone(i);
      if (!s)
        return s.withContext("launch " + std::to_string(i));
    }
    return Status::ok();
  }

  CpuBackend() = default;

  const Artifact *artifact = nullptr;
  const StagingSchedule *staging = nullptr;
  uint8_t *stagingArea = nullptr;
  uint64_t arenaBytes = 0;
  std::unique_ptr<HostModule> module;
  std::vector<HostModule::LaunchFn> kernelFns;
  uint8_t *arena = nullptr;
  uint8_t *weights = nullptr; ///< the mapped weight blob (read-only pages)
  std::vector<uint8_t *> pointers;
  std::vector<std::vector<void *>> argValues;
  std::vector<std::vector<void *>> argParams;
};

//===----------------------------------------------------------------------===//
// CUDA backend
//===----------------------------------------------------------------------===//

/// A compiled target name: "sm_90", "sm_90a" (arch-specific, runs only on
/// exactly 9.0) or "compute_90" (PTX).
struct TargetName {
  bool ptx = false;
  bool archSpecific = false;
  int cc = 0; ///< major * 10 + minor
};

std::optional<TargetName> parseTarget(const std::string &target) {
  TargetName t;
  std::string digits;
  if (target.rfind("sm_", 0) == 0) {
    digits = target.substr(3);
  } else if (target.rfind("compute_", 0) == 0) {
    t.ptx = true;
    digits = target.substr(8);
  } else {
    return std::nullopt;
  }
  if (!digits.empty() && (digits.back() == 'a' || digits.back() == 'f')) {
    t.archSpecific = true;
    digits.pop_back();
  }
  if (digits.empty() || digits.size() > 4 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  t.cc = std::stoi(digits);
  return t;
}

/// Picks the binary to load on a device of compute capability `cc`: the exact
/// CUBIN, else a same-major CUBIN of lower minor (SASS is forward compatible
/// within a major version, except arch-specific targets), else the newest PTX
/// not newer than the device.
const KernelBinary *pickBinary(const KernelDesc &k, int cc) {
  const KernelBinary *exact = nullptr, *compatible = nullptr, *ptx = nullptr;
  int compatibleCc = -1, ptxCc = -1;
  for (const KernelBinary &b : k.binaries) {
    std::optional<TargetName> t = parseTarget(b.target);
    if (!t || b.data.empty())
      continue;
    if (t->ptx) {
      if (t->cc <= cc && t->cc > ptxCc && (!t->archSpecific || t->cc == cc)) {
        ptx = &b;
        ptxCc = t->cc;
      }
    } else if (t->cc == cc) {
      // Prefer the generic CUBIN; an arch-specific one also runs here.
      if (!exact || !t->archSpecific)
        exact = &b;
    } else if (!t->archSpecific && t->cc / 10 == cc / 10 && t->cc < cc &&
               t->cc > compatibleCc) {
      compatible = &b;
      compatibleCc = t->cc;
    }
  }
  return exact ? exact : compatible ? compatible : ptx;
}

class CudaBackend : public Backend {
public:
  static StatusOr<std::unique_ptr<CudaBackend>>
  create(const LoadedArtifact &la, const std::vector<BufferPlace> &places,
         const StagingSchedule &staging, const SessionOptions &options) {
    StatusOr<const CudaDriver *> drv = CudaDriver::get();
    if (!drv)
      return drv.status();
    std::unique_ptr<CudaBackend> be(new CudaBackend());
    be->drv = *drv;
    be->artifact = &la.artifact;
    StatusOr<CudaDeviceInfo> info = queryDevice(**drv, options.cudaDevice);
    if (!info)
      return info.status();
    be->info = *info;
    be->staging = &staging;
    be->profile = options.profileLaunches;
    be->useGraph = options.cudaGraph && !options.profileLaunches &&
                   !staging.any && !la.artifact.launches.empty();
    DS_RETURN_IF_ERROR(be->init(la, places));
    return be;
  }

  ~CudaBackend() override {
    // Best effort: errors while tearing down have nowhere to go.
    if (!contextRetained)
      return;
    (void)drv->cuCtxSetCurrent(context);
    for (auto &[begin, g] : graphs) {
      if (g.exec)
        (void)drv->cuGraphExecDestroy(g.exec);
      if (g.graph)
        (void)drv->cuGraphDestroy(g.graph);
    }
    if (pinnedInputs)
      (void)drv->cuMemFreeHost(pinnedInputs);
    for (CUevent e : events)
      if (e)
        (void)drv->cuEventDestroy(e);
    for (CUevent e : readyEvents)
      if (e)
        (void)drv->cuEventDestroy(e);
    if (stream)
      (void)drv->cuStreamDestroy(stream);
    if (copyStream)
      (void)drv->cuStreamDestroy(copyStream);
    if (stagingArea)
      (void)drv->cuMemFree(stagingArea);
    if (pinnedStreamed)
      (void)drv->cuMemFreeHost(pinnedStreamed);
    if (arena)
      (void)drv->cuMemFree(arena);
    if (weights)
      (void)drv->cuMemFree(weights);
    for (CUmodule m : modules)
      (void)drv->cuModuleUnload(m);
    (void)drv->cuDevicePrimaryCtxRelease(info.device);
  }

  std::string name() const override {
    return "cuda:" + std::to_string(info.ordinal) + " (" + info.name + ", " +
           info.smTarget() + ")";
  }

  /// Inputs go through pinned host memory and are copied asynchronously on
  /// the kernel stream, so they overlap the host's next input (and need no
  /// synchronization of their own).
  Status copyIn(const BufferPlace &p, const void *bytes, size_t size) override {
    if (!size)
      return Status::ok();
    if (!pinnedInputs || inputCursor + size > pinnedInputBytes)
      return DS_CU_CHECK(drv->cuMemcpyHtoD(arena + p.offset, bytes, size));
    std::memcpy(pinnedInputs + inputCursor, bytes, size);
    Status s = DS_CU_CHECK(drv->cuMemcpyHtoDAsync(
        arena + p.offset, pinnedInputs + inputCursor, size, stream));
    inputCursor += size;
    return s;
  }

  Status copyOut(const BufferPlace &p, void *bytes, size_t size) override {
    if (!size)
      return Status::ok();
    return DS_CU_CHECK(drv->cuMemcpyDtoH(
        bytes, (p.inWeights ? weights : arena) + p.offset, size));
  }

  uint64_t deviceBytes() const override {
    return artifact->arenaBytes + staging->residentBytes +
           staging->stagingBytes;
  }

  Status runLaunches(size_t begin, size_t end,
                     Session::RunStats &stats) override {
    const std::vector<LaunchDesc> &launches = artifact->launches;
    inputCursor = 0; // the pinned inputs are free once the stream syncs
    stats.launches = end - begin;
    stats.firstLaunch = begin;
    DS_RETURN_IF_ERROR(DS_CU_CHECK(drv->cuCtxSetCurrent(context)));
    if (!profile && !staging->any)
      return runUnprofiled(begin, end, stats);
    std::vector<double> &perLaunchMs = stats.perLaunchMs;
    perLaunchMs.assign(end - begin, 0.0);
    // events[i] and events[i + 1] bracket launch i.
    DS_RETURN_IF_ERROR(DS_CU_CHECK(drv->cuEventRecord(events[begin], stream)));
    uint64_t streamed = 0;
    for (size_t i = begin; i < end; ++i) {
      // Staging on the copy stream: wait until the launch that last used the
      // slot is done (its end event), copy from pinned host memory, signal
      // the kernel stream. Copies for launch i+1 overlap kernel i.
      const StagingSchedule::Launch &sl = staging->launches[i];
      if (!sl.copies.empty()) {
        if (sl.waitFor >= 0)
          DS_RETURN_IF_ERROR(DS_CU_CHECK(
              drv->cuStreamWaitEvent(copyStream, events[sl.waitFor + 1], 0)));
        for (const StagingSchedule::Copy &c : sl.copies)
          DS_RETURN_IF_ERROR(DS_CU_CHECK(drv->cuMemcpyHtoDAsync(
              stagingArea + c.dst,
              pinnedStreamed + (c.src - staging->residentBytes), c.size,
              copyStream)));
        DS_RETURN_IF_ERROR(
            DS_CU_CHECK(drv->cuEventRecord(readyEvents[i], copyStream)));
        DS_RETURN_IF_ERROR(
            DS_CU_CHECK(drv->cuStreamWaitEvent(stream, readyEvents[i], 0)));
        streamed += sl.bytes;
      }
      DS_RETURN_IF_ERROR(launch(i));
      DS_RETURN_IF_ERROR(
          DS_CU_CHECK(drv->cuEventRecord(events[i + 1], stream)));
    }
    // Kernel faults surface here.
    DS_RETURN_IF_ERROR(DS_CU_CHECK(drv->cuStreamSynchronize(stream)));
    for (size_t i = begin; i < end; ++i) {
      float ms = 0;
      DS_RETURN_IF_ERROR(
          DS_CU_CHECK(drv->cuEventElapsedTime(&ms, events[i], events[i + 1])));
      perLaunchMs[i - begin] = ms;
    }
    float total = 0;
    DS_RETURN_IF_ERROR(DS_CU_CHECK(
        drv->cuEventElapsedTime(&total, events[begin], events[end])));
    stats.kernelMs = total;
    stats.bytesStreamed += streamed;
    return Status::ok();
  }

private:
  CudaBackend() = default;

  /// A captured launch range.
  struct Graph {
    bool tried = false;
    CUgraph graph = nullptr;
    CUgraphExec exec = nullptr;
  };

  /// Enqueues launch `i` on `stream`.
  Status launch(size_t i) {
    const LaunchDesc &l = artifact->launches[i];
    Status s = DS_CU_CHECK(drv->cuLaunchKernel(
        functions[l.kernel], l.grid[0], l.grid[1], l.grid[2], l.block[0],
        l.block[1], l.block[2], l.dynamicSharedBytes, stream, params[i].data(),
        nullptr));
    if (!s)
      return s.withContext("launch " + std::to_string(i) + " of kernel '" +
                           artifact->kernels[l.kernel].name + "'");
    return Status::ok();
  }

  /// Enqueues launches [begin, end) on `stream`, in order.
  Status enqueueLaunches(size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i)
      DS_RETURN_IF_ERROR(launch(i));
    return Status::ok();
  }

  /// Captures launches [begin, end) (the program, or one bucket) into a CUDA
  /// graph, TensorRT's and ONNX Runtime's way to cut launch overhead: the
  /// launch parameters never change, since every buffer has a fixed place in
  /// the arena. A capture that fails leaves `g.exec` null: plain launches.
  void captureGraph(size_t begin, size_t end, Graph &g) {
    g.tried = true;
    if (!DS_CU_CHECK(drv->cuStreamBeginCapture(
            stream, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL)))
      return;
    Status launched = enqueueLaunches(begin, end);
    CUgraph captured = nullptr;
    Status ended = DS_CU_CHECK(drv->cuStreamEndCapture(stream, &captured));
    if (launched && ended && captured &&
        DS_CU_CHECK(drv->cuGraphInstantiate(&g.exec, captured, 0))) {
      g.graph = captured;
      return;
    }
    g.exec = nullptr;
    if (captured)
      (void)drv->cuGraphDestroy(captured);
  }

  /// The launches without per-launch events: as one CUDA graph, or enqueued
  /// back to back. Two events give the device time of the whole schedule.
  Status runUnprofiled(size_t begin, size_t end, Session::RunStats &stats) {
    CUgraphExec graphExec = nullptr;
    if (useGraph) {
      Graph &g = graphs[begin];
      if (!g.tried)
        captureGraph(begin, end, g);
      graphExec = g.exec;
    }
    DS_RETURN_IF_ERROR(DS_CU_CHECK(drv->cuEventRecord(events[0], stream)));
    if (graphExec)
      DS_RETURN_IF_ERROR(DS_CU_CHECK(drv->cuGraphLaunch(graphExec, stream))
                             .withContext("CUDA graph of " +
                                          std::to_string(stats.launches) +
                                          " launches"));
    else
      DS_RETURN_IF_ERROR(enqueueLaunches(begin, end));
    DS_RETURN_IF_ERROR(DS_CU_CHECK(drv->cuEventRecord(events.back(), stream)));
    // Kernel faults surface here.
    DS_RETURN_IF_ERROR(DS_CU_CHECK(drv->cuStreamSynchronize(stream)));
    float ms = 0;
    DS_RETURN_IF_ERROR(
        DS_CU_CHECK(drv->cuEventElapsedTime(&ms, events[0], events.back())));
    stats.kernelMs = ms;
    stats.cudaGraph = graphExec != nullptr;
    return Status::ok();
  }

  Status init(const LoadedArtifact &la,
              const std::vector<BufferPlace> &places) {
    const Artifact &a = la.artifact;
    DS_RETURN_IF_ERROR(
        DS_CU_CHECK(drv->cuDevicePrimaryCtxRetain(&context, info.device)));
    contextRetained = true;
    DS_RETURN_IF_ERROR(DS_CU_CHECK(drv->cuCtxSetCurrent(context)));

    int cc = info.ccMajor * 10 + info.ccMinor;
    for (const KernelDesc &k : a.kernels) {
      const KernelBinary *bin = pickBinary(k, cc);
      if (!bin) {
        std::string have;
        for (const KernelBinary &b : k.binaries)
          have += (have.empty() ? "" : ", ") + b.target;
        return Status::error("kernel '" + k.name + "' has no binary for " +
                             info.smTarget() +
                             " (has: " + (have.empty() ? "none" : have) + ")");
      }
      DS_RETURN_IF_ERROR(loadModule(k, *bin));
    }

    // Large dynamic shared memory must be opted into per function.
    std::vector<unsigned> maxDynamicShared(a.kernels.size(), 0);
    for (const LaunchDesc &l : a.launches)
      maxDynamicShared[l.kernel] =
          std::max(maxDynamicShared[l.kernel], l.dynamicSharedBytes);
    for (size_t k = 0; k < a.kernels.size(); ++k) {
      if (maxDynamicShared[k] <= 48 * 1024)
        continue;
      if (static_cast<int>(maxDynamicShared[k]) > info.maxSharedPerBlockOptin)
        return Status::error(
            "kernel '" + a.kernels[k].name + "' needs " +
            std::to_string(maxDynamicShared[k]) +
            " bytes of dynamic shared memory; the device allows " +
            std::to_string(info.maxSharedPerBlockOptin));
      DS_RETURN_IF_ERROR(DS_CU_CHECK(drv->cuFuncSetAttribute(
          functions[k], CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
          static_cast<int>(maxDynamicShared[k]))));
    }

    // Resident weights: one allocation, uploaded once. Streamed weights go
    // to pinned host memory (async copies need it) and staging slots.
    uint64_t resident = staging->residentBytes;
    if (resident) {
      DS_RETURN_IF_ERROR(DS_CU_CHECK(drv->cuMemAlloc(&weights, resident)));
      DS_RETURN_IF_ERROR(
          DS_CU_CHECK(drv->cuMemcpyHtoD(weights, la.weightData, resident)));
    }
    if (staging->any) {
      uint64_t hostBytes = la.weightSize - resident;
      void *pinned = nullptr;
      DS_RETURN_IF_ERROR(DS_CU_CHECK(
          drv->cuMemAllocHost(&pinned, std::max<uint64_t>(hostBytes, 1))));
      pinnedStreamed = static_cast<uint8_t *>(pinned);
      std::memcpy(pinnedStreamed, la.weightData + resident, hostBytes);
      DS_RETURN_IF_ERROR(
          DS_CU_CHECK(drv->cuMemAlloc(&stagingArea, staging->stagingBytes)));
      DS_RETURN_IF_ERROR(DS_CU_CHECK(
          drv->cuStreamCreate(&copyStream, CU_STREAM_NON_BLOCKING)));
    }
    DS_RETURN_IF_ERROR(DS_CU_CHECK(
        drv->cuMemAlloc(&arena, std::max<uint64_t>(a.arenaBytes, 1))));
    DS_RETURN_IF_ERROR(DS_CU_CHECK(drv->cuStreamCreate(&stream, 0)));
    // Pinned host memory for the inputs (async copies need it).
    for (uint32_t id : a.inputs)
      pinnedInputBytes += a.buffers[id].type.checkedByteSize().value_or(0);
    if (pinnedInputBytes) {
      void *pinned = nullptr;
      DS_RETURN_IF_ERROR(
          DS_CU_CHECK(drv->cuMemAllocHost(&pinned, pinnedInputBytes)));
      pinnedInputs = static_cast<uint8_t *>(pinned);
    }
    events.assign(a.launches.size() + 1, nullptr);
    for (CUevent &e : events)
      DS_RETURN_IF_ERROR(DS_CU_CHECK(drv->cuEventCreate(&e, CU_EVENT_DEFAULT)));
    readyEvents.assign(a.launches.size(), nullptr);
    for (size_t i = 0; i < a.launches.size(); ++i)
      if (!staging->launches[i].copies.empty())
        DS_RETURN_IF_ERROR(
            DS_CU_CHECK(drv->cuEventCreate(&readyEvents[i], CU_EVENT_DEFAULT)));

    // kernelParams: addresses of the CUdeviceptr values.
    std::vector<CUdeviceptr> pointers;
    for (const BufferPlace &p : places)
      pointers.push_back((p.inWeights ? weights : arena) + p.offset);
    for (size_t i = 0; i < a.launches.size(); ++i) {
      std::vector<CUdeviceptr> values;
      for (size_t j = 0; j < a.launches[i].args.size(); ++j) {
        const std::optional<uint64_t> &st = staging->argStaging[i][j];
        values.push_back(st ? stagingArea + *st
                            : pointers[a.launches[i].args[j]]);
      }
      argValues.push_back(std::move(values));
    }
    for (std::vector<CUdeviceptr> &values : argValues) {
      std::vector<void *> ps;
      for (CUdeviceptr &v : values)
        ps.push_back(&v);
      params.push_back(std::move(ps));
    }
    return Status::ok();
  }

  Status loadModule(const KernelDesc &k, const KernelBinary &bin) {
    // PTX must be NUL-terminated for the JIT; CUBIN is passed as is.
    std::string image = bin.data;
    std::vector<char> log(8192, 0);
    CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER,
                              CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
    void *values[] = {log.data(), reinterpret_cast<void *>(
                                      static_cast<uintptr_t>(log.size() - 1))};
    CUmodule module = nullptr;
    Status s = DS_CU_CHECK(
        drv->cuModuleLoadDataEx(&module, image.c_str(), 2, options, values));
    if (!s) {
      std::string jitLog(log.data());
      return s.withContext("loading kernel '" + k.name + "' (" + bin.target +
                           ")" +
                           (jitLog.empty() ? "" : "; JIT log: " + jitLog));
    }
    modules.push_back(module);
    CUfunction fn = nullptr;
    Status f =
        DS_CU_CHECK(drv->cuModuleGetFunction(&fn, module, k.name.c_str()));
    if (!f)
      return f.withContext("kernel '" + k.name + "' (" + bin.target + ")");
    functions.push_back(fn);
    return Status::ok();
  }

  const CudaDriver *drv = nullptr;
  const Artifact *artifact = nullptr;
  CudaDeviceInfo info;
  CUcontext context = nullptr;
  bool contextRetained = false;
  std::vector<CUmodule> modules;
  std::vector<CUfunction> functions; ///< one per kernel
  const StagingSchedule *staging = nullptr;
  CUdeviceptr weights = 0, arena = 0, stagingArea = 0;
  uint8_t *pinnedStreamed = nullptr; ///< streamed weights, pinned
  CUstream stream = nullptr;
  CUstream copyStream = nullptr;    ///< staging copies
  std::vector<CUevent> events;      ///< launches + 1, bracketing each launch
  std::vector<CUevent> readyEvents; ///< per staged launch: copies done
  std::vector<std::vector<CUdeviceptr>> argValues;
  std::vector<std::vector<void *>> params;
  bool profile = false;  ///< per-launch events
  bool useGraph = false; ///< replay as a CUDA graph
  /// Captured schedules by their first launch (the program, or a bucket).
  std::map<size_t, Graph> graphs;
  uint8_t *pinnedInputs = nullptr; ///< staging for async input copies
  uint64_t pinnedInputBytes = 0, inputCursor = 0;
};

} // namespace

//===----------------------------------------------------------------------===//
// Session
//===----------------------------------------------------------------------===//

struct Session::Impl {
  std::shared_ptr<MappedFile> file;
  LoadedArtifact loaded;
  std::vector<BufferPlace> places;
  StagingSchedule staging;
  DeviceKind kind = DeviceKind::Cpu;
  std::string deviceName;
  std::unique_ptr<Backend> backend;
  RunStats stats;
  Counters counters;
  std::vector<HostTensor> boundInputs;
  std::vector<bool> bound;
  std::vector<HostTensor> lastOutputs;
};

const char *ds::runtime::deviceKindName(DeviceKind kind) {
  switch (kind) {
  case DeviceKind::Auto:
    return "auto";
  case DeviceKind::Cpu:
    return "cpu";
  case DeviceKind::Cuda:
    return "cuda";
  }
  return "?";
}

StatusOr<std::unique_ptr<Session>>
Session::load(const std::string &artifactPath, const SessionOptions &options) {
  auto impl = std::make_unique<Impl>();
  StatusOr<std::shared_ptr<MappedFile>> file = MappedFile::open(artifactPath);
  if (!file)
    return file.status();
  impl->file = *file;
  StatusOr<LoadedArtifact> loaded =
      parseArtifact(impl->file->data(), impl->file->size());
  if (!loaded)
    return loaded.status().withContext(artifactPath);
  impl->loaded = std::move(*loaded);
  StatusOr<std::vector<BufferPlace>> places = planBuffers(impl->loaded);
  if (!places)
    return places.status().withContext(artifactPath);
  impl->places = std::move(*places);
  impl->staging = planStaging(impl->loaded);
  impl->bound.assign(impl->loaded.artifact.inputs.size(), false);
  impl->boundInputs.resize(impl->loaded.artifact.inputs.size());

  std::string cudaFailure;
  if (options.device != DeviceKind::Cpu) {
    StatusOr<std::unique_ptr<CudaBackend>> cuda =
        CudaBackend::create(impl->loaded, impl->places, impl->staging, options);
    if (cuda) {
      impl->kind = DeviceKind::Cuda;
      impl->deviceName = (*cuda)->name();
      impl->backend = std::move(*cuda);
      return std::unique_ptr<Session>(new Session(std::move(impl)));
    }
    if (options.device == DeviceKind::Cuda)
      return cuda.status().withContext(artifactPath);
    cudaFailure = cuda.status().message();
  }

  StatusOr<std::unique_ptr<CpuBackend>> cpu =
      CpuBackend::create(impl->loaded, impl->places, impl->staging);
  if (!cpu) {
    Status s = cpu.status();
    if (!cudaFailure.empty())
      s = Status::error(s.message() + "; and CUDA is unusable: " + cudaFailure);
    return s.withContext(artifactPath);
  }
  impl->kind = DeviceKind::Cpu;
  impl->deviceName = (*cpu)->name();
  if (!cudaFailure.empty())
    impl->deviceName = "cpu (CUDA emulation; " + cudaFailure + ")";
  impl->backend = std::move(*cpu);
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

Session::Session(std::unique_ptr<Impl> state) : impl(std::move(state)) {}
Session::~Session() = default;

/// The signature; with buckets, the bucket axis is dynamic (-1).
static std::vector<TensorInfo> describe(const Artifact &a, bool output) {
  const std::vector<uint32_t> &ids = output ? a.outputs : a.inputs;
  const std::vector<int32_t> &axes =
      output ? a.outputBucketAxes : a.inputBucketAxes;
  std::vector<TensorInfo> infos;
  for (size_t i = 0; i < ids.size(); ++i) {
    TensorInfo info{a.buffers[ids[i]].name, a.buffers[ids[i]].type};
    if (!a.buckets.empty()) {
      info.type = bucketSignatureType(a, i, output);
      info.bucketAxis = axes[i];
    }
    infos.push_back(std::move(info));
  }
  return infos;
}

std::vector<TensorInfo> Session::inputs() const {
  return describe(impl->loaded.artifact, /*output=*/false);
}

std::vector<TensorInfo> Session::outputs() const {
  return describe(impl->loaded.artifact, /*output=*/true);
}

Session::BucketInfo Session::buckets() const {
  const Artifact &a = impl->loaded.artifact;
  BucketInfo info;
  info.dim = bucketDimName(a);
  for (const BucketVariant &v : a.buckets)
    info.values.push_back(v.dims.empty() ? 0 : v.dims.begin()->second);
  return info;
}

Status Session::run(const std::vector<HostTensor> &inputs,
                    std::vector<HostTensor> &outputs) {
  const Artifact &a = impl->loaded.artifact;
  // The program, or the bucket that fits: its buffers and launch range.
  const std::vector<uint32_t> *inputIds = &a.inputs, *outputIds = &a.outputs;
  size_t begin = 0, end = a.launches.size();
  std::optional<BucketChoice> bucket;
  if (a.buckets.empty()) {
    DS_RETURN_IF_ERROR(checkInputs(a, inputs));
  } else {
    StatusOr<BucketChoice> choice = selectBucket(a, inputs);
    if (!choice)
      return choice.status();
    bucket = *choice;
    const BucketVariant &v = a.buckets[bucket->bucket];
    inputIds = &v.inputs;
    outputIds = &v.outputs;
    begin = v.firstLaunch;
    end = begin + v.numLaunches;
  }
  RunStats stats;
  Clock::time_point start = Clock::now();
  for (size_t i = 0; i < inputs.size(); ++i) {
    uint32_t id = (*inputIds)[i];
    // Zero-padded to the bucket along its bucket axis.
    std::optional<HostTensor> padded;
    if (bucket && a.inputBucketAxes[i] >= 0 &&
        inputs[i].type != a.buffers[id].type)
      padded = padAlongAxis(inputs[i], a.inputBucketAxes[i],
                            a.buffers[id].type.shape[a.inputBucketAxes[i]]);
    const HostTensor &in = padded ? *padded : inputs[i];
    DS_RETURN_IF_ERROR(
        impl->backend
            ->copyIn(impl->places[id], in.bytes.data(), in.bytes.size())
            .withContext("copying input '" + a.buffers[id].name + "'"));
    stats.bytesCopiedH2D += in.bytes.size();
  }
  DS_RETURN_IF_ERROR(impl->backend->runLaunches(begin, end, stats));
  std::vector<HostTensor> results;
  results.reserve(outputIds->size());
  for (size_t i = 0; i < outputIds->size(); ++i) {
    uint32_t id = (*outputIds)[i];
    HostTensor t(a.buffers[id].type);
    DS_RETURN_IF_ERROR(
        impl->backend->copyOut(impl->places[id], t.bytes.data(), t.bytes.size())
            .withContext("copying output '" + a.buffers[id].name + "'"));
    stats.bytesCopiedD2H += t.bytes.size();
    // Sliced back to the real size along the bucket axis.
    if (bucket && a.outputBucketAxes[i] >= 0 &&
        t.type.shape[a.outputBucketAxes[i]] != bucket->size)
      t = sliceAlongAxis(t, a.outputBucketAxes[i], bucket->size);
    results.push_back(std::move(t));
  }
  stats.bucket = bucket ? static_cast<int64_t>(bucket->bucket) : -1;
  stats.totalMs = msSince(start);
  outputs = std::move(results);
  Counters &c = impl->counters;
  ++c.runs;
  c.runSeconds += stats.totalMs / 1e3;
  c.kernelSeconds += stats.kernelMs / 1e3;
  c.bytesInputs += stats.bytesCopiedH2D;
  c.bytesOutputs += stats.bytesCopiedD2H;
  c.bytesStreamed += stats.bytesStreamed;
  impl->stats = std::move(stats);
  return Status::ok();
}

Status Session::setInput(const std::string &name, HostTensor tensor) {
  const Artifact &a = impl->loaded.artifact;
  for (size_t i = 0; i < a.inputs.size(); ++i) {
    if (a.buffers[a.inputs[i]].name != name)
      continue;
    impl->boundInputs[i] = std::move(tensor);
    impl->bound[i] = true;
    return Status::ok();
  }
  std::string names;
  for (uint32_t id : a.inputs)
    names += (names.empty() ? "'" : ", '") + a.buffers[id].name + "'";
  return Status::error("no input named '" + name +
                       "' (inputs: " + (names.empty() ? "none" : names) + ")");
}

Status Session::run() {
  const Artifact &a = impl->loaded.artifact;
  for (size_t i = 0; i < impl->bound.size(); ++i)
    if (!impl->bound[i])
      return Status::error("input '" + a.buffers[a.inputs[i]].name +
                           "' is not bound (setInput)");
  return run(impl->boundInputs, impl->lastOutputs);
}

StatusOr<HostTensor> Session::output(const std::string &name) const {
  const Artifact &a = impl->loaded.artifact;
  for (size_t i = 0; i < a.outputs.size(); ++i) {
    if (a.buffers[a.outputs[i]].name != name)
      continue;
    if (i >= impl->lastOutputs.size())
      return Status::error("no outputs yet: call run() first");
    return impl->lastOutputs[i];
  }
  return Status::error("no output named '" + name + "'");
}

Session::Counters Session::counters() const {
  Counters c = impl->counters;
  const Artifact &a = impl->loaded.artifact;
  c.arenaBytes = a.arenaBytes;
  c.arenaLowerBoundBytes = a.plan.lowerBoundBytes;
  c.residentWeightBytes = impl->staging.residentBytes;
  c.stagingBytes = impl->staging.stagingBytes;
  c.deviceBytes = impl->backend->deviceBytes();
  return c;
}

std::string Session::prometheusMetrics() const {
  Counters c = counters();
  std::string device =
      "device=\"" + std::string(deviceKindName(impl->kind)) + "\"";
  struct Metric {
    const char *name, *type, *help;
    std::vector<std::pair<std::string, double>> samples; ///< labels, value
  };
  auto one = [&](double v) {
    return std::vector<std::pair<std::string, double>>{{device, v}};
  };
  auto d = [](uint64_t v) { return static_cast<double>(v); };
  const Metric metrics[] = {
      {"ds_runs_total", "counter", "Completed Session::run calls.",
       one(d(c.runs))},
      {"ds_run_seconds_total", "counter",
       "Wall time of run(), copies included.", one(c.runSeconds)},
      {"ds_kernel_seconds_total", "counter",
       "Time in kernels (on CUDA: between launch events, staging waits "
       "included).",
       one(c.kernelSeconds)},
      {"ds_bytes_copied_total",
       "counter",
       "Bytes copied between host and device.",
       {{device + ",direction=\"inputs\"", d(c.bytesInputs)},
        {device + ",direction=\"outputs\"", d(c.bytesOutputs)},
        {device + ",direction=\"streamed_weights\"", d(c.bytesStreamed)}}},
      {"ds_arena_peak_bytes", "gauge",
       "Planned activation arena (the peak of the memory plan).",
       one(d(c.arenaBytes))},
      {"ds_arena_lower_bound_bytes", "gauge",
       "Peak of the live activation bytes (no arena is smaller).",
       one(d(c.arenaLowerBoundBytes))},
      {"ds_resident_weight_bytes", "gauge", "Weights kept in device memory.",
       one(d(c.residentWeightBytes))},
      {"ds_staging_bytes", "gauge", "Staging buffers for streamed weights.",
       one(d(c.stagingBytes))},
      {"ds_device_bytes", "gauge",
       "Device memory held: arena, resident weights, staging.",
       one(d(c.deviceBytes))},
  };
  std::ostringstream os;
  os.precision(9);
  for (const Metric &m : metrics) {
    os << "# HELP " << m.name << " " << m.help << "\n# TYPE " << m.name << " "
       << m.type << "\n";
    for (const auto &[labels, value] : m.samples)
      os << m.name << "{" << labels << "} " << value << "\n";
  }
  return os.str();
}

DeviceKind Session::device() const { return impl->kind; }
std::string Session::deviceName() const { return impl->deviceName; }
const LoadedArtifact &Session::artifact() const { return impl->loaded; }
Session::RunStats Session::lastRunStats() const { return impl->stats; }
