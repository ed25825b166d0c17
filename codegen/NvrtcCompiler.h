//===- NvrtcCompiler.h - CUDA C++ to CUBIN/PTX with NVRTC -------*- C++ -*-===//
//
// Thin wrapper over NVRTC: compiles one kernel source for one target
// ("sm_XY" gives CUBIN, "compute_XY" gives PTX) and parses the ptxas
// resource report (registers, spills, shared memory) from the program log.
// Available when ds was built with the CUDA toolkit (DS_HAVE_NVRTC).
//
//===----------------------------------------------------------------------===//

#ifndef DS_CODEGEN_NVRTCCOMPILER_H
#define DS_CODEGEN_NVRTCCOMPILER_H

#include "runtime/Artifact.h"

#include <string>

namespace mlir::ds {

/// True when this build can compile with NVRTC.
bool isNvrtcAvailable();
/// "13.0" or "unavailable".
std::string getNvrtcVersion();

/// Result of one NVRTC compilation.
struct NvrtcOutput {
  bool ok = false;
  std::string log; ///< NVRTC program log (errors, or ptxas info)
  ::ds::runtime::KernelBinary binary;
  double compileMs = 0;
};

/// Compiles `source` (entry `kernelName`) for `target`.
NvrtcOutput compileWithNvrtc(const std::string &source,
                             const std::string &kernelName,
                             const std::string &target);

/// Parses ptxas -v lines of `log` into `binary`'s resource fields.
void parsePtxasResourceUsage(const std::string &log,
                             ::ds::runtime::KernelBinary &binary);

} // namespace mlir::ds

#endif // DS_CODEGEN_NVRTCCOMPILER_H
