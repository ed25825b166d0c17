//===- CudaEmitter.h - ds IR to CUDA C++ kernels ----------------*- C++ -*-===//
//
// Turns a static-shaped ds function into a kernel program: one CUDA C++
// kernel per computing op, the buffers they read and write, and the launch
// list. The kernel ABI (docs/design/kernel-abi.md): every kernel is
// `extern "C" __global__ void <name>(T0 *, T1 *, ...)` with one pointer per
// operand followed by one per result, shapes baked in as constants.
//
//===----------------------------------------------------------------------===//

#ifndef DS_CODEGEN_CUDAEMITTER_H
#define DS_CODEGEN_CUDAEMITTER_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Value.h"
#include "mlir/Support/LLVM.h"

#include <array>
#include <string>

namespace mlir::ds {

/// One emitted kernel and its single launch.
struct EmittedKernel {
  std::string name;   ///< deterministic: "k<index>_<op>"
  std::string source; ///< complete CUDA C++ translation unit
  std::array<uint32_t, 3> grid = {1, 1, 1};
  std::array<uint32_t, 3> block = {1, 1, 1};
  /// Values bound to the kernel's pointer parameters, in order.
  SmallVector<Value> args;
  /// Number of leading args that are read-only inputs.
  unsigned numInputs = 0;
  /// The op the kernel implements (for diagnostics); null for output copies.
  Operation *op = nullptr;
  /// C parameter types, e.g. "const float *", for the host launch wrapper.
  SmallVector<std::string> paramTypes;
};

/// The kernels of a function, in execution order.
struct KernelProgram {
  SmallVector<EmittedKernel> kernels;
  /// Returned values that needed a copy kernel (an input, a weight, a
  /// reshape view or a value returned twice), mapped to the copy's result
  /// slot: kernels[i].args.back() is not a Value then; see copyOutputs.
  /// For each function result, the kernel index that writes it, or -1 when
  /// the result is the plain result of a computing op.
  SmallVector<int> outputCopyKernel;
};

/// Kernels shared by every launch whose kernel is the same up to its name.
struct UniqueKernels {
  /// In order of first use, renamed "k<i>_<op>" (i: position here; op: the
  /// part of the original name after "k<n>_"), so the names and sources are
  /// deterministic.
  SmallVector<EmittedKernel> kernels;
  /// For each input kernel, its index in `kernels`.
  SmallVector<uint32_t> indexOf;
};

/// Folds kernels whose source is identical once the kernel's own name and
/// the leading "// ds kernel" comment line (which names the op and its ONNX
/// nodes) are set aside, and whose parameter types agree. The first
/// occurrence's source (with its comment) is kept under the new name. Each
/// unique kernel is compiled (NVRTC, host module) once. With `share` false,
/// every kernel stays (renamed by its position: kernels of several
/// functions get distinct names).
UniqueKernels uniqueKernels(ArrayRef<EmittedKernel> kernels, bool share = true);

/// Emits one kernel per computing op of `func`. Ops that move no data
/// (ds.weight, ds.constant and the views, see isViewOp in DSOps.h) get none.
/// Fails with an error on the op for dynamic shapes, unsupported ops or element
/// types and parameters that must be compile-time constants but are not.
FailureOr<KernelProgram> emitCudaKernels(func::FuncOp func);

/// Prints every kernel's launch configuration and source
/// (`// launch <name>: grid (x, y, z) block (x, y, z)`, then the source).
void printKernels(const KernelProgram &program, llvm::raw_ostream &os);

/// C type used to store elements of `type` in kernels ("float", "int", ...).
FailureOr<std::string> getCudaStorageType(Type elementType);

} // namespace mlir::ds

#endif // DS_CODEGEN_CUDAEMITTER_H
