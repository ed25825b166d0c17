//===- ArtifactBuilder.h - ds module to a compiled artifact -----*- C++ -*-===//
//
// Lowers the entry function of an optimized ds module to a runtime Artifact:
// buffers and their arena offsets, kernels (CUDA source, CUBIN per target and
// PTX through NVRTC, plus a host module for the CPU emulation), the launch
// list, the reference program and the weights copied from the safetensors
// file. Errors are emitted as diagnostics on the offending op.
//
//===----------------------------------------------------------------------===//

#ifndef DS_CODEGEN_ARTIFACTBUILDER_H
#define DS_CODEGEN_ARTIFACTBUILDER_H

#include "codegen/CudaEmitter.h"
#include "runtime/Artifact.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace mlir::ds {

struct ArtifactOptions {
  /// safetensors file holding every ds.weight; may be empty if none is used.
  std::string weightsPath;
  /// NVRTC targets: "sm_XY" gives CUBIN, "compute_XY" gives PTX.
  std::vector<std::string> targets = {"sm_80", "sm_90", "compute_80"};
  bool buildHostModule = true;
  bool useNvrtc = true;
  /// Persistent NVRTC cache folder (NvrtcCache); empty disables it.
  std::string nvrtcCacheDir;
  /// Emit each kernel that is the same up to its name once (uniqueKernels);
  /// off: one kernel per launch (for comparisons).
  bool shareKernels = true;
  /// Arena alignment of every buffer, in bytes.
  uint64_t alignment = 256;
  /// Build only what the reference executor needs (buffers, reference ops,
  /// weights): no kernels, no arena. Dynamic dims are allowed (as -1).
  bool referenceOnly = false;
};

/// Figures of one compile, for the report and the benchmarks.
struct CompileReport {
  struct Kernel {
    std::string name;
    std::string op;
    double nvrtcMs = 0; ///< all targets together
  };
  std::vector<Kernel> kernels;
  double nvrtcTotalMs = 0; ///< summed over kernels and targets
  double nvrtcWallMs = 0;  ///< elapsed, compiling in parallel
  unsigned nvrtcCompiles = 0, nvrtcCacheHits = 0;
  double hostCompileMs = 0;
  std::string nvrtcVersion;
};

/// The functions an artifact is built from: the entry function, or with a
/// `ds.buckets` table (ds-batch-buckets) one function per bucket.
struct ArtifactFunctions {
  SmallVector<func::FuncOp> functions;
  /// Empty without buckets; else the bucketed dim, one value per function
  /// (increasing) and the bucket axis of each input and result (-1: none).
  std::string bucketDim;
  std::vector<int64_t> bucketValues;
  std::vector<int64_t> inputAxes, resultAxes;
};

/// Reads `module`'s ds.buckets table, or takes the entry function when it
/// has none; emits an error if neither is usable.
FailureOr<ArtifactFunctions> getArtifactFunctions(ModuleOp module);

/// Builds the artifact of `module`: its entry function (`@main`, or the only
/// function), or every bucket function of its `ds.buckets` table, sharing
/// one copy of the weights, one arena (every bucket planned from offset 0)
/// and every kernel that is the same up to its name (uniqueKernels). Fails
/// after emitting diagnostics.
FailureOr<::ds::runtime::Artifact> buildArtifact(ModuleOp module,
                                                 const ArtifactOptions &options,
                                                 CompileReport &report);

/// The entry function: `@main`, or the only function; emits an error if none.
FailureOr<func::FuncOp> getEntryFunction(ModuleOp module);

} // namespace mlir::ds

#endif // DS_CODEGEN_ARTIFACTBUILDER_H
