//===- HostModule.h - host-compiled kernels loaded from memory --*- C++ -*-===//
//
// An artifact's `hostModule` is a shared object: the generated CUDA kernels
// compiled for the host against runtime/emu/CudaEmu.h. It lets a machine
// without a GPU run the very kernels the GPU would run. This file loads it
// from memory and looks up its entry points.
//
// Host module ABI (every symbol extern "C", default visibility):
//
//   int ds_emu_launch_<kernelName>(void **args, const unsigned *grid,
//                                  const unsigned *block,
//                                  unsigned dynamicSharedBytes);
//     Runs one launch of kernel <kernelName> over grid[0..2] x block[0..2]
//     with `dynamicSharedBytes` of dynamic shared memory. args[i] points to
//     the i-th kernel argument value, as cuLaunchKernel's kernelParams do
//     (for pointer parameters: args[i] = &ptr_i). Returns 0 on success.
//
//   const char *ds_emu_last_error();
//     The message explaining the last non-zero return of a launch function.
//
//===----------------------------------------------------------------------===//

#ifndef DS_RUNTIME_HOSTMODULE_H
#define DS_RUNTIME_HOSTMODULE_H

#include "runtime/Status.h"

#include <cstddef>
#include <memory>
#include <string>

namespace ds::runtime {

/// Prefix of the per-kernel entry points of a host module.
inline constexpr const char *kHostLaunchPrefix = "ds_emu_launch_";
/// Name of the host module's error-message accessor.
inline constexpr const char *kHostLastErrorSymbol = "ds_emu_last_error";

/// A host module loaded into this process. Unloaded on destruction.
class HostModule {
public:
  /// Entry point of one kernel (see the ABI above).
  using LaunchFn = int (*)(void **args, const unsigned *grid,
                           const unsigned *block, unsigned dynamicSharedBytes);

  /// Loads a shared object held in memory: written to an anonymous memfd and
  /// dlopen'ed through /proc/self/fd (falling back to a temporary file that is
  /// deleted right after dlopen). Symbols stay local to the module, so several
  /// modules exporting the same kernel names can coexist. Errors carry the
  /// dlerror() text.
  static StatusOr<std::unique_ptr<HostModule>> load(const void *data,
                                                    size_t size);
  static StatusOr<std::unique_ptr<HostModule>> load(const std::string &bytes) {
    return load(bytes.data(), bytes.size());
  }

  ~HostModule();
  HostModule(const HostModule &) = delete;
  HostModule &operator=(const HostModule &) = delete;

  /// The entry point `ds_emu_launch_<kernelName>`; an error naming the kernel
  /// if the module does not export it.
  StatusOr<LaunchFn> lookup(const std::string &kernelName) const;

  /// Calls `fn`; a non-zero return becomes an error naming the kernel and
  /// carrying ds_emu_last_error()'s message.
  Status launch(LaunchFn fn, const std::string &kernelName, void **args,
                const unsigned grid[3], const unsigned block[3],
                unsigned dynamicSharedBytes) const;

  /// ds_emu_last_error() of this module ("" if it does not export one).
  std::string lastError() const;

private:
  HostModule() = default;
  void *handle = nullptr;
  const char *(*lastErrorFn)() = nullptr;
};

} // namespace ds::runtime

#endif // DS_RUNTIME_HOSTMODULE_H
