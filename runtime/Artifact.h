//===- Artifact.h - ds compiled artifact (.dsa) -----------------*- C++ -*-===//
//
// In-memory form of a compiled ds artifact and its (de)serialization. The
// compiler fills an Artifact and calls serializeArtifact(); the runtime maps a
// file and calls parseArtifact(). The byte format is documented in
// docs/design/artifact-format.md. Serialization is deterministic: the same
// Artifact always gives the same bytes.
//
//===----------------------------------------------------------------------===//

#ifndef DS_RUNTIME_ARTIFACT_H
#define DS_RUNTIME_ARTIFACT_H

#include "runtime/DType.h"
#include "runtime/Status.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ds::runtime {

inline constexpr uint32_t kArtifactVersion = 1;

/// One logical tensor of the program.
struct BufferDesc {
  enum class Kind : uint8_t {
    Input = 0,        ///< model input, lives in the arena at `offset`
    Output = 1,       ///< model output, lives in the arena at `offset`
    Intermediate = 2, ///< lives in the arena at `offset`
    Weight = 3,       ///< bytes in the artifact's weight blob at `offset`
    Constant = 4,     ///< like Weight, but came from an inline ds.constant
    View = 5,         ///< same bytes as buffer `aliasOf` (reshape); no storage
  };
  Kind kind = Kind::Intermediate;
  std::string name; ///< input/output/weight name; "" for intermediates
  /// Element type and shape. A dim of -1 is dynamic (known only at run
  /// time); only Input, Output and Intermediate buffers that no launch uses
  /// and no view aliases may have one (verifyArtifact() checks it), so such
  /// buffers only live in the reference program: an input takes the bound
  /// tensor's dim, anything else the shape its op computes. byteSize() is
  /// meaningless for a dynamic type; use checkedByteSize(), which rejects it.
  TensorType type;
  uint64_t offset = 0;  ///< arena offset or weight-blob offset (by kind)
  uint32_t aliasOf = 0; ///< only for Kind::View (may point to another view)
  /// Kind::Weight only: the bytes stay in (pinned) host memory and are
  /// copied into a staging slot before each launch that reads them (see
  /// LaunchDesc::stage); otherwise the weight is resident on the device.
  bool streamed = false;
};

/// One compiled GPU binary of a kernel.
struct KernelBinary {
  std::string target; ///< "sm_80", "sm_90" (CUBIN) or "compute_80" (PTX)
  std::string data;   ///< raw CUBIN bytes or PTX text
  /// ptxas resource use; -1 where unknown (PTX).
  int32_t registers = -1;
  int32_t spillStoreBytes = -1;
  int32_t spillLoadBytes = -1;
  int32_t sharedBytes = -1;
};

/// One generated kernel. `source` is the CUDA C++ text; its entry point is
/// `extern "C" __global__ void <name>(...)` taking one pointer per launch
/// argument, in order.
struct KernelDesc {
  std::string name;
  std::string source;
  std::vector<KernelBinary> binaries;
};

/// A streamed weight copied into a staging slot before a launch.
struct StageCopy {
  uint32_t buffer = 0; ///< a streamed Weight buffer
  uint32_t slot = 0;   ///< < MemoryPlanDesc::stagingSlots
  uint64_t offset = 0; ///< byte offset within the slot
};

/// One launch in the schedule.
struct LaunchDesc {
  uint32_t kernel = 0; ///< index into Artifact::kernels
  uint32_t grid[3] = {1, 1, 1};
  uint32_t block[3] = {1, 1, 1};
  uint32_t dynamicSharedBytes = 0;
  std::vector<uint32_t> args; ///< buffer ids, one per kernel pointer param
  /// Streamed weights this launch reads, copied in ahead of it (on a copy
  /// stream, double-buffered). A launch argument that is (a view of) a
  /// streamed weight points into its slot.
  std::vector<StageCopy> stage;
};

/// The compiler's memory plan (ds-plan-memory), beyond the offsets stored
/// in the buffers. The runtime executes it; it never re-plans.
struct MemoryPlanDesc {
  std::string heuristic;          ///< arena heuristic that won
  uint64_t lowerBoundBytes = 0;   ///< peak live bytes: no arena is smaller
  uint64_t noReuseBytes = 0;      ///< every activation in its own slot
  uint32_t inPlace = 0;           ///< elementwise results stored in place
  uint64_t deviceBudgetBytes = 0; ///< the compile's budget; 0: none
  /// Resident weights occupy the prefix [0, residentWeightBytes) of the
  /// weights section and are uploaded once; streamed ones lie after it.
  uint64_t residentWeightBytes = 0;
  uint32_t stagingSlots = 0; ///< 0, 1 or 2 device staging buffers
  uint64_t stagingSlotBytes = 0;
  uint64_t streamedBytesPerInference = 0;
  /// Predicted time per inference: streamed bytes over the host link, and
  /// kernel traffic over HBM (bandwidths in docs/design/memory-planning.md).
  uint64_t predictedHostLinkNs = 0;
  uint64_t predictedHbmNs = 0;
};

/// A shape-specialized variant of the program (a batch bucket): its own
/// inputs, outputs, launch range and reference-op range over the shared
/// buffers, kernels and weights. Buckets are sorted by their (single) dim's
/// value; the runtime picks the smallest bucket whose dim fits the bound
/// inputs, pads the inputs with zeros along Artifact::inputBucketAxes and
/// slices the outputs back along Artifact::outputBucketAxes. Every bucket's
/// arena buffers are planned from offset 0 of the one shared arena (only one
/// bucket runs at a time), so Artifact::arenaBytes is the largest bucket's.
struct BucketVariant {
  std::string name;                    ///< e.g. "batch=4"
  std::map<std::string, int64_t> dims; ///< symbolic dim -> bound size
  std::vector<uint32_t> inputs;        ///< buffer ids, signature order
  std::vector<uint32_t> outputs;       ///< buffer ids, signature order
  uint32_t firstLaunch = 0;
  uint32_t numLaunches = 0;
  /// The bucket's ops in Artifact::reference (for `ds-run --check`).
  uint32_t firstReference = 0;
  uint32_t numReferences = 0;
  uint64_t arenaBytes = 0; ///< this bucket's arena peak (<= arenaBytes)
};

/// An attribute of a reference op.
struct RefAttr {
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::string str;
  bool operator==(const RefAttr &o) const {
    return ints == o.ints && floats == o.floats && str == o.str;
  }
};

/// One op of the reference program: the unfused ds op, by name, over buffer
/// ids. The runtime's reference executor (runtime/Reference.h) runs it on the
/// CPU to check the compiled kernels (`ds-run --check`).
struct RefOp {
  std::string op; ///< ds op name without the dialect prefix: "add", "matmul"
  std::vector<uint32_t> operands;
  std::vector<uint32_t> results;
  std::map<std::string, RefAttr> attrs;
  std::string location; ///< source location for messages (ONNX node name)
};

/// A whole compiled program.
struct Artifact {
  uint32_t version = kArtifactVersion;
  std::string producer; ///< "ds-compile <version>"
  std::vector<BufferDesc> buffers;
  std::vector<uint32_t> inputs;  ///< buffer ids, in signature order
  std::vector<uint32_t> outputs; ///< buffer ids, in signature order
  std::vector<KernelDesc> kernels;
  std::vector<LaunchDesc> launches;
  std::vector<RefOp> reference;
  uint64_t arenaBytes = 0;
  MemoryPlanDesc plan;
  /// Bucket variants of the signature; empty when the program is one static
  /// function (inputs/outputs above, every launch). With buckets, `inputs`
  /// and `outputs` are those of the largest bucket (names and types for the
  /// signature; the bucket axis is dynamic).
  std::vector<BucketVariant> buckets;
  /// With buckets: per signature input and output, the axis that is the
  /// bucket dim, or -1 (not padded or sliced). Empty without buckets.
  std::vector<int32_t> inputBucketAxes;
  std::vector<int32_t> outputBucketAxes;
  /// Shared object with the same kernels compiled for the host against
  /// runtime/emu/CudaEmu.h; exports `ds_emu_launch_<kernel name>` (see
  /// HostModule.h). Empty when not built.
  std::string hostModule;
  /// Weight and constant bytes; BufferDesc::offset of Weight/Constant buffers
  /// points here. Aligned to 4096 bytes within the file, so a mapping of the
  /// file can be uploaded (or mapped again) without copying.
  std::string weights;
};

/// Artifact whose weight bytes stay in a mapped file instead of
/// Artifact::weights.
struct LoadedArtifact {
  Artifact artifact; ///< `weights` is empty; use weightData/weightSize
  const uint8_t *weightData = nullptr;
  uint64_t weightSize = 0;
};

/// Serializes deterministically. Call verifyArtifact() first: an invalid
/// Artifact serializes, but parseArtifact() will reject the bytes.
std::string serializeArtifact(const Artifact &artifact);
/// Serializes to `path` atomically (a temporary file next to it, then
/// rename()), so readers never see a partial artifact.
Status writeArtifactFile(const Artifact &artifact, const std::string &path);

/// Checks what parseArtifact() checks on the in-memory form: known kinds and
/// dtypes, every buffer/kernel index in range, view chains that end at a
/// non-view buffer of the same byte size, arena buffers inside `arenaBytes`
/// and weight/constant buffers inside `weights`, dynamic (-1) dims only on
/// input/output/intermediate buffers that no launch argument names and no
/// view aliases (they take no arena space).
Status verifyArtifact(const Artifact &artifact);

/// Knobs of parseArtifact().
struct ArtifactParseOptions {
  /// The weights checksum costs one pass over the weight bytes; a loader that
  /// checks the file another way may skip it. Everything else is always
  /// checked.
  bool verifyWeightsChecksum = true;
};

/// Parses and validates (magic, version, checksums, every index in range,
/// every buffer inside the arena or weight blob). `data` must outlive the
/// result: weight bytes are referenced, not copied.
StatusOr<LoadedArtifact> parseArtifact(const uint8_t *data, uint64_t size);
StatusOr<LoadedArtifact> parseArtifact(const uint8_t *data, uint64_t size,
                                       const ArtifactParseOptions &options);

/// Whether a launch reads or writes buffer `id` (directly or through a
/// view). An intermediate no launch touches lives only in the reference
/// program (a value inside a fused kernel) and takes no arena bytes.
bool isLaunchBuffer(const Artifact &a, size_t id);

} // namespace ds::runtime

#endif // DS_RUNTIME_ARTIFACT_H
