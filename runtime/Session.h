//===- Session.h - ds runtime public API ------------------------*- C++ -*-===//
//
// A Session loads a compiled artifact (.dsa) and runs it on a CUDA GPU or, when
// there is none, on the CPU through the artifact's host module (the same
// kernels compiled against the CUDA emulation). Usage:
//
//   auto session = Session::load("model.dsa", {});
//   if (!session) { report(session.status()); ... }
//   std::vector<HostTensor> outputs;
//   Status s = (*session)->run(inputs, outputs);
//
//===----------------------------------------------------------------------===//

#ifndef DS_RUNTIME_SESSION_H
#define DS_RUNTIME_SESSION_H

#include "runtime/Artifact.h"
#include "runtime/Npy.h"
#include "runtime/Status.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ds::runtime {

/// Where a Session runs its kernels.
enum class DeviceKind {
  Auto, ///< CUDA if a usable GPU is present, else the CPU emulation
  Cpu,  ///< the host module on the CPU emulation
  Cuda, ///< a CUDA GPU; failing to use one is an error
};

/// "auto", "cpu" or "cuda".
const char *deviceKindName(DeviceKind kind);

struct SessionOptions {
  DeviceKind device = DeviceKind::Auto;
  int cudaDevice = 0; ///< device ordinal for DeviceKind::Cuda/Auto
  /// CUDA: replay the schedule as one CUDA graph (captured at the first run)
  /// instead of one cuLaunchKernel per launch. Not for programs that stream
  /// weights (their copies are ordered by events on a second stream), nor
  /// with profileLaunches.
  bool cudaGraph = true;
  /// Time every launch (RunStats::perLaunchMs): one event pair per launch on
  /// CUDA, which adds host overhead. The CPU backend always times launches.
  bool profileLaunches = false;
};

/// Name and type of one input or output of the program.
struct TensorInfo {
  std::string name;
  /// With buckets, the bucket axis is -1 (any size up to the largest
  /// bucket; see Session::buckets()).
  TensorType type;
  int32_t bucketAxis = -1; ///< the axis of the bucket dim, or -1
};

/// A loaded artifact bound to a device, with its arena and weights resident.
/// Not thread-safe: one run() at a time (runs share the arena).
class Session {
public:
  /// Maps the artifact file, validates it and prepares the device: for CUDA,
  /// picks each kernel's binary (the CUBIN for the device's sm_XY, else a
  /// compatible CUBIN of the same major version, else PTX JIT-compiled by the
  /// driver), uploads the weights once and allocates the arena; for the CPU,
  /// loads the host module and resolves every kernel's entry point. Auto falls
  /// back to the CPU when CUDA is unusable and keeps the reason in
  /// deviceName().
  static StatusOr<std::unique_ptr<Session>>
  load(const std::string &artifactPath, const SessionOptions &options = {});

  ~Session();
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;

  /// Program inputs and outputs in signature order.
  std::vector<TensorInfo> inputs() const;
  std::vector<TensorInfo> outputs() const;

  /// The dynamic dim of a bucketed artifact: its symbolic name ("batch")
  /// and the bucket values, increasing. `dim` is empty without buckets.
  struct BucketInfo {
    std::string dim;
    std::vector<int64_t> values;
  };
  BucketInfo buckets() const;

  /// Runs the program. `inputs` must match inputs() in count, element type
  /// and shape (errors name the input and both types); `outputs` is replaced
  /// by one tensor per program output, in signature order. With buckets, a
  /// -1 dim takes any size up to the largest bucket (the same in every
  /// input): the smallest bucket that fits runs on the inputs zero-padded
  /// along that dim, and the outputs are sliced back to the real size. A
  /// size above the largest bucket is an error.
  Status run(const std::vector<HostTensor> &inputs,
             std::vector<HostTensor> &outputs);

  /// Binds input `name` for run() (checked against the signature there).
  Status setInput(const std::string &name, HostTensor tensor);
  /// Runs with the bound inputs; every input must be bound. Outputs are read
  /// with output().
  Status run();
  /// Output `name` of the last run().
  StatusOr<HostTensor> output(const std::string &name) const;

  /// Cpu or Cuda (never Auto once loaded).
  DeviceKind device() const;
  /// "cuda:0 (NVIDIA H200, sm_90)", "cpu (CUDA emulation)", or on fallback
  /// "cpu (CUDA emulation; no GPU: libcuda.so.1 not found)".
  std::string deviceName() const;
  const LoadedArtifact &artifact() const;

  /// Timings and traffic of the last successful run().
  struct RunStats {
    double totalMs = 0; ///< wall time of run(), copies included
    /// Device time from the first launch's start to the last one's end.
    double kernelMs = 0;
    /// One per launch run, in schedule order (from firstLaunch); empty on
    /// CUDA unless SessionOptions::profileLaunches.
    std::vector<double> perLaunchMs;
    size_t launches = 0;    ///< launches run
    size_t firstLaunch = 0; ///< the first (a bucket's launch range)
    int64_t bucket = -1;    ///< index of the bucket that ran; -1: no buckets
    bool cudaGraph = false; ///< the launches ran as one CUDA graph
    uint64_t bytesCopiedH2D = 0; ///< input bytes copied in
    uint64_t bytesCopiedD2H = 0; ///< output bytes copied out
    uint64_t bytesStreamed = 0;  ///< weight bytes copied into staging
  };
  RunStats lastRunStats() const;

  /// Totals over every successful run() and the memory the session holds.
  struct Counters {
    uint64_t runs = 0;
    double runSeconds = 0;
    double kernelSeconds = 0;
    uint64_t bytesInputs = 0, bytesOutputs = 0, bytesStreamed = 0;
    uint64_t arenaBytes = 0; ///< the planned arena: the activation peak
    uint64_t arenaLowerBoundBytes = 0;
    uint64_t residentWeightBytes = 0;
    uint64_t stagingBytes = 0;
    uint64_t deviceBytes = 0; ///< arena + resident weights + staging
  };
  Counters counters() const;
  /// counters() in the Prometheus text exposition format (ds_* metrics).
  std::string prometheusMetrics() const;

  struct Impl;

private:
  explicit Session(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl;
};

} // namespace ds::runtime

#endif // DS_RUNTIME_SESSION_H
