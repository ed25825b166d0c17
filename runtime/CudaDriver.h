//===- CudaDriver.h - dlopen'd CUDA driver API ------------------*- C++ -*-===//
//
// The runtime reaches the CUDA driver only through dlopen("libcuda.so.1") and
// a table of function pointers, so it builds without the CUDA toolkit and runs
// (on the CPU emulation) on machines without a GPU. The few driver types it
// needs are declared here with the driver ABI's sizes; cuda.h is never
// included. Pattern after IREE's cuda_dynamic_symbol_table.h and
// cuda_status_util.h.
//
//===----------------------------------------------------------------------===//

#ifndef DS_RUNTIME_CUDADRIVER_H
#define DS_RUNTIME_CUDADRIVER_H

#include "runtime/Status.h"

#include <cstddef>
#include <string>

namespace ds::runtime::cu {

//===----------------------------------------------------------------------===//
// Driver types (ABI-compatible subset of cuda.h)
//===----------------------------------------------------------------------===//

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;
using CUevent = struct CUevent_st *;
using CUgraph = struct CUgraph_st *;
using CUgraphExec = struct CUgraphExec_st *;
using CUdevice_attribute = int;
using CUfunction_attribute = int;
using CUjit_option = int;

inline constexpr CUresult CUDA_SUCCESS = 0;
inline constexpr CUresult CUDA_ERROR_NO_DEVICE = 100;
inline constexpr CUdevice_attribute
    CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
inline constexpr CUdevice_attribute
    CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
inline constexpr CUdevice_attribute
    CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97;
inline constexpr CUfunction_attribute
    CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;
inline constexpr CUjit_option CU_JIT_ERROR_LOG_BUFFER = 5;
inline constexpr CUjit_option CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;
inline constexpr unsigned CU_STREAM_NON_BLOCKING = 1;
inline constexpr unsigned CU_EVENT_DEFAULT = 0;
/// CUstreamCaptureMode: captures only this thread's calls.
inline constexpr int CU_STREAM_CAPTURE_MODE_THREAD_LOCAL = 1;

//===----------------------------------------------------------------------===//
// Symbol table
//===----------------------------------------------------------------------===//

/// X-macro over every driver entry point the runtime uses:
/// X(member, "exported symbol", parameter types...). `member` is the name
/// cuda.h's macros give the call (cuMemAlloc), the symbol the versioned
/// export it resolves to (cuMemAlloc_v2).
#define DS_CU_SYMBOLS(X)                                                       \
  X(cuInit, "cuInit", unsigned)                                                \
  X(cuDeviceGet, "cuDeviceGet", CUdevice *, int)                               \
  X(cuDeviceGetCount, "cuDeviceGetCount", int *)                               \
  X(cuDeviceGetAttribute, "cuDeviceGetAttribute", int *, CUdevice_attribute,   \
    CUdevice)                                                                  \
  X(cuDeviceGetName, "cuDeviceGetName", char *, int, CUdevice)                 \
  X(cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain", CUcontext *,         \
    CUdevice)                                                                  \
  X(cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2", CUdevice)       \
  X(cuCtxSetCurrent, "cuCtxSetCurrent", CUcontext)                             \
  X(cuModuleLoadData, "cuModuleLoadData", CUmodule *, const void *)            \
  X(cuModuleLoadDataEx, "cuModuleLoadDataEx", CUmodule *, const void *,        \
    unsigned, CUjit_option *, void **)                                         \
  X(cuModuleGetFunction, "cuModuleGetFunction", CUfunction *, CUmodule,        \
    const char *)                                                              \
  X(cuModuleUnload, "cuModuleUnload", CUmodule)                                \
  X(cuFuncSetAttribute, "cuFuncSetAttribute", CUfunction,                      \
    CUfunction_attribute, int)                                                 \
  X(cuMemAlloc, "cuMemAlloc_v2", CUdeviceptr *, size_t)                        \
  X(cuMemFree, "cuMemFree_v2", CUdeviceptr)                                    \
  X(cuMemAllocHost, "cuMemAllocHost_v2", void **, size_t)                      \
  X(cuMemFreeHost, "cuMemFreeHost", void *)                                    \
  X(cuMemcpyHtoD, "cuMemcpyHtoD_v2", CUdeviceptr, const void *, size_t)        \
  X(cuMemcpyDtoH, "cuMemcpyDtoH_v2", void *, CUdeviceptr, size_t)              \
  X(cuMemcpyHtoDAsync, "cuMemcpyHtoDAsync_v2", CUdeviceptr, const void *,      \
    size_t, CUstream)                                                          \
  X(cuMemsetD8, "cuMemsetD8_v2", CUdeviceptr, unsigned char, size_t)           \
  X(cuLaunchKernel, "cuLaunchKernel", CUfunction, unsigned, unsigned,          \
    unsigned, unsigned, unsigned, unsigned, unsigned, CUstream, void **,       \
    void **)                                                                   \
  X(cuStreamCreate, "cuStreamCreate", CUstream *, unsigned)                    \
  X(cuStreamSynchronize, "cuStreamSynchronize", CUstream)                      \
  X(cuStreamWaitEvent, "cuStreamWaitEvent", CUstream, CUevent, unsigned)       \
  X(cuStreamDestroy, "cuStreamDestroy_v2", CUstream)                           \
  X(cuEventCreate, "cuEventCreate", CUevent *, unsigned)                       \
  X(cuEventRecord, "cuEventRecord", CUevent, CUstream)                         \
  X(cuEventSynchronize, "cuEventSynchronize", CUevent)                         \
  X(cuEventElapsedTime, "cuEventElapsedTime", float *, CUevent, CUevent)       \
  X(cuEventDestroy, "cuEventDestroy_v2", CUevent)                              \
  X(cuStreamBeginCapture, "cuStreamBeginCapture_v2", CUstream, int)            \
  X(cuStreamEndCapture, "cuStreamEndCapture", CUstream, CUgraph *)             \
  X(cuGraphInstantiate, "cuGraphInstantiateWithFlags", CUgraphExec *, CUgraph, \
    unsigned long long)                                                        \
  X(cuGraphLaunch, "cuGraphLaunch", CUgraphExec, CUstream)                     \
  X(cuGraphExecDestroy, "cuGraphExecDestroy", CUgraphExec)                     \
  X(cuGraphDestroy, "cuGraphDestroy", CUgraph)                                 \
  X(cuGetErrorName, "cuGetErrorName", CUresult, const char **)                 \
  X(cuGetErrorString, "cuGetErrorString", CUresult, const char **)

/// The loaded driver: one function pointer per DS_CU_SYMBOLS entry. Loaded
/// once per process and never unloaded.
struct CudaDriver {
#define DS_CU_DECLARE_PFN(member, symbol, ...)                                 \
  CUresult (*member)(__VA_ARGS__) = nullptr;
  DS_CU_SYMBOLS(DS_CU_DECLARE_PFN)
#undef DS_CU_DECLARE_PFN

  /// Number of CUDA devices (at least 1 once get() succeeded).
  int deviceCount = 0;

  /// The process-wide driver: dlopens libcuda.so.1, resolves every symbol,
  /// calls cuInit(0) and counts devices, once (thread-safe). A failure at any
  /// of those steps means "no GPU": the error message starts with "no GPU: "
  /// and gives the reason (library not found, missing symbol, cuInit's error
  /// name, zero devices). Callers may treat it as "fall back to the CPU".
  static StatusOr<const CudaDriver *> get();
};

/// Facts about one device.
struct CudaDeviceInfo {
  int ordinal = 0;
  CUdevice device = 0;
  std::string name;
  int ccMajor = 0, ccMinor = 0;
  int maxSharedPerBlockOptin = 0;
  /// "sm_90"-style target name.
  std::string smTarget() const {
    return "sm_" + std::to_string(ccMajor * 10 + ccMinor);
  }
};

/// Queries device `ordinal` (range-checked against deviceCount).
StatusOr<CudaDeviceInfo> queryDevice(const CudaDriver &driver, int ordinal);

/// Turns a CUresult into a Status: ok for CUDA_SUCCESS, else an error with the
/// call text, file:line and the driver's error name and description. Use
/// through DS_CU_CHECK.
Status cuResultToStatus(CUresult result, const char *callText, const char *file,
                        int line);

} // namespace ds::runtime::cu

/// Evaluates a driver call and yields its Status (every CUresult goes through
/// here): `DS_RETURN_IF_ERROR(DS_CU_CHECK(drv->cuMemAlloc(&p, n)));`.
#define DS_CU_CHECK(expr)                                                      \
  ::ds::runtime::cu::cuResultToStatus((expr), #expr, __FILE__, __LINE__)

#endif // DS_RUNTIME_CUDADRIVER_H
