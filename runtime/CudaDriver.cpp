//===- CudaDriver.cpp - dlopen'd CUDA driver API --------------------------===//

#include "runtime/CudaDriver.h"

#include <atomic>
#include <dlfcn.h>

using namespace ds::runtime;
using namespace ds::runtime::cu;

namespace {

/// The driver whose cuGetErrorName/cuGetErrorString describe results; set as
/// soon as the symbols resolve (before cuInit), so cuInit's own failure is
/// named too.
std::atomic<const CudaDriver *> namingDriver{nullptr};

/// Names of the results most worth naming when the driver cannot (not loaded,
/// or the stub library): values from cuda.h's CUresult.
const char *builtinResultName(CUresult r) {
  static const struct {
    CUresult value;
    const char *name;
  } kNames[] = {
      {1, "CUDA_ERROR_INVALID_VALUE"},
      {2, "CUDA_ERROR_OUT_OF_MEMORY"},
      {3, "CUDA_ERROR_NOT_INITIALIZED"},
      {4, "CUDA_ERROR_DEINITIALIZED"},
      {34, "CUDA_ERROR_STUB_LIBRARY"},
      {36, "CUDA_ERROR_CALL_REQUIRES_NEWER_DRIVER"},
      {46, "CUDA_ERROR_DEVICE_UNAVAILABLE"},
      {100, "CUDA_ERROR_NO_DEVICE"},
      {101, "CUDA_ERROR_INVALID_DEVICE"},
      {200, "CUDA_ERROR_INVALID_IMAGE"},
      {201, "CUDA_ERROR_INVALID_CONTEXT"},
      {209, "CUDA_ERROR_NO_BINARY_FOR_GPU"},
      {218, "CUDA_ERROR_INVALID_PTX"},
      {222, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION"},
      {400, "CUDA_ERROR_INVALID_HANDLE"},
      {500, "CUDA_ERROR_NOT_FOUND"},
      {700, "CUDA_ERROR_ILLEGAL_ADDRESS"},
      {701, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"},
      {702, "CUDA_ERROR_LAUNCH_TIMEOUT"},
      {716, "CUDA_ERROR_MISALIGNED_ADDRESS"},
      {719, "CUDA_ERROR_LAUNCH_FAILED"},
      {999, "CUDA_ERROR_UNKNOWN"},
  };
  for (const auto &entry : kNames)
    if (entry.value == r)
      return entry.name;
  return nullptr;
}

Status formatResult(const CudaDriver *drv, CUresult result,
                    const char *callText, const char *file, int line) {
  const char *name = nullptr;
  const char *text = nullptr;
  if (drv) {
    if (drv->cuGetErrorName(result, &name) != CUDA_SUCCESS)
      name = nullptr;
    if (drv->cuGetErrorString(result, &text) != CUDA_SUCCESS)
      text = nullptr;
  }
  std::string message =
      std::string(callText) + " failed at " + file + ":" +
      std::to_string(line) + ": " +
      (name                        ? std::string(name)
       : builtinResultName(result) ? std::string(builtinResultName(result))
                                   : "CUresult " + std::to_string(result));
  if (text)
    message += std::string(" (") + text + ")";
  return Status::error(message);
}

/// Fills `d` in place (it is the process-wide table, so naming errors through
/// it stays valid).
Status loadDriver(CudaDriver &d) {
  // RTLD_LOCAL: the driver's symbols are reached through the table only.
  void *lib = ::dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char *e = ::dlerror();
    std::string why = e ? e : "";
    if (why.empty() || why.find("No such file") != std::string::npos)
      return Status::error("no GPU: libcuda.so.1 not found");
    return Status::error("no GPU: cannot load libcuda.so.1: " + why);
  }
  // The library stays loaded for the life of the process: the table points
  // into it.
#define DS_CU_RESOLVE(member, symbol, ...)                                     \
  d.member = reinterpret_cast<decltype(d.member)>(::dlsym(lib, symbol));       \
  if (!d.member)                                                               \
    return Status::error("no GPU: libcuda.so.1 lacks symbol " symbol           \
                         " (driver too old?)");
  DS_CU_SYMBOLS(DS_CU_RESOLVE)
#undef DS_CU_RESOLVE
  namingDriver.store(&d, std::memory_order_release);
  DS_RETURN_IF_ERROR(DS_CU_CHECK(d.cuInit(0)).withContext("no GPU"));
  DS_RETURN_IF_ERROR(
      DS_CU_CHECK(d.cuDeviceGetCount(&d.deviceCount)).withContext("no GPU"));
  if (d.deviceCount <= 0)
    return Status::error("no GPU: the CUDA driver reports no devices");
  return Status::ok();
}

} // namespace

StatusOr<const CudaDriver *> CudaDriver::get() {
  // Constant-initialized, then filled once under the guard of `status`.
  static CudaDriver driver;
  static const Status status = loadDriver(driver);
  if (!status.isOk())
    return status;
  return &driver;
}

Status cu::cuResultToStatus(CUresult result, const char *callText,
                            const char *file, int line) {
  if (result == CUDA_SUCCESS)
    return Status::ok();
  return formatResult(namingDriver.load(std::memory_order_acquire), result,
                      callText, file, line);
}

StatusOr<CudaDeviceInfo> cu::queryDevice(const CudaDriver &driver,
                                         int ordinal) {
  if (ordinal < 0 || ordinal >= driver.deviceCount)
    return Status::error(
        "CUDA device " + std::to_string(ordinal) + " does not exist (" +
        std::to_string(driver.deviceCount) + " device(s) present)");
  CudaDeviceInfo info;
  info.ordinal = ordinal;
  DS_RETURN_IF_ERROR(DS_CU_CHECK(driver.cuDeviceGet(&info.device, ordinal)));
  char name[256] = {};
  DS_RETURN_IF_ERROR(
      DS_CU_CHECK(driver.cuDeviceGetName(name, sizeof(name) - 1, info.device)));
  info.name = name;
  DS_RETURN_IF_ERROR(DS_CU_CHECK(driver.cuDeviceGetAttribute(
      &info.ccMajor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
      info.device)));
  DS_RETURN_IF_ERROR(DS_CU_CHECK(driver.cuDeviceGetAttribute(
      &info.ccMinor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
      info.device)));
  DS_RETURN_IF_ERROR(DS_CU_CHECK(driver.cuDeviceGetAttribute(
      &info.maxSharedPerBlockOptin,
      CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, info.device)));
  return info;
}
