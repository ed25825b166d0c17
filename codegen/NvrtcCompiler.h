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
#include <vector>

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

/// The NVRTC options of `source` for `target` (what the cache key hashes):
/// the architecture, C++17, ptxas resource use for CUBIN targets, and the
/// toolkit's include path for a source that includes <mma.h>.
std::vector<std::string> nvrtcOptions(const std::string &source,
                                      const std::string &target);

/// Compiles `source` (entry `kernelName`) for `target`.
NvrtcOutput compileWithNvrtc(const std::string &source,
                             const std::string &kernelName,
                             const std::string &target);

/// A persistent on-disk cache of NVRTC results. An entry is keyed by the
/// SHA-256 of the source, the kernel name, the target, the NVRTC options and
/// version and the cache format, so any change recompiles; it holds the
/// binary and the program log (ptxas resource use is parsed from it again).
/// Entries are written atomically; an unreadable or corrupt entry is a miss
/// and is rewritten. Safe to use from several threads and processes.
class NvrtcCache {
public:
  /// `dir` empty disables the cache.
  explicit NvrtcCache(std::string dir) : dir(std::move(dir)) {}

  /// The default folder: $DS_NVRTC_CACHE_DIR, else $XDG_CACHE_HOME/ds/nvrtc,
  /// else ~/.cache/ds/nvrtc; empty when none can be determined.
  static std::string defaultDir();

  /// compileWithNvrtc() through the cache; `hit` tells whether the result
  /// came from disk (its compileMs is then the lookup time).
  NvrtcOutput compile(const std::string &source, const std::string &kernelName,
                      const std::string &target, bool &hit) const;

  /// The cache key of one compilation (hex SHA-256).
  static std::string key(const std::string &source,
                         const std::string &kernelName,
                         const std::string &target);

  const std::string &directory() const { return dir; }

private:
  std::string dir;
};

/// Parses ptxas -v lines of `log` into `binary`'s resource fields.
void parsePtxasResourceUsage(const std::string &log,
                             ::ds::runtime::KernelBinary &binary);

} // namespace mlir::ds

#endif // DS_CODEGEN_NVRTCCOMPILER_H
