//===- HostCompiler.h - generated CUDA source to a host module --*- C++ -*-===//
//
// Compiles the emitted kernel sources, unchanged, for the host against the
// CUDA execution-model emulation (runtime/emu/CudaEmu.h, embedded in this
// binary), into one shared object that the runtime loads when there is no
// GPU. Each kernel gets an exported launch wrapper
// `int ds_emu_launch_<name>(void **args, const unsigned *grid,
//                           const unsigned *block, unsigned dynSmem)`.
//
//===----------------------------------------------------------------------===//

#ifndef DS_CODEGEN_HOSTCOMPILER_H
#define DS_CODEGEN_HOSTCOMPILER_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <string>

namespace mlir::ds {

struct HostKernel {
  std::string name;
  std::string source;
  llvm::SmallVector<std::string> paramTypes;
};

struct HostModuleResult {
  bool ok = false;
  std::string module; ///< shared object bytes
  std::string log;    ///< compiler output on failure
  double compileMs = 0;
};

/// The host C++ compiler: $DS_HOST_CXX, else the compiler ds was built with.
std::string getHostCompiler();

/// The launch wrapper appended to a kernel's source for the host build.
std::string getHostLaunchWrapper(const HostKernel &kernel);

/// Compiles all kernels (in parallel, one translation unit each) and links
/// them into one shared object. Deterministic for equal input.
HostModuleResult compileHostModule(llvm::ArrayRef<HostKernel> kernels);

} // namespace mlir::ds

#endif // DS_CODEGEN_HOSTCOMPILER_H
