//===- HostModule.cpp - host-compiled kernels loaded from memory ----------===//
//
// Loading from memory avoids leaving files behind: memfd_create gives an
// anonymous file that dlopen can open through /proc/self/fd/N. Where memfd is
// unavailable (old kernels, seccomp) a temporary file is used and unlinked as
// soon as dlopen has mapped it.
//
//===----------------------------------------------------------------------===//

#include "runtime/HostModule.h"

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

using namespace ds::runtime;

namespace {

/// Writes all of `data` to `fd`; false with errno set on failure.
bool writeAll(int fd, const void *data, size_t size) {
  const char *p = static_cast<const char *>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

/// The last dlerror() text, or a fallback.
std::string dlErrorText() {
  const char *e = ::dlerror();
  return e ? e : "unknown dlopen error";
}

/// memfd_create through syscall(): the glibc wrapper is newer than some of
/// the systems this must run on.
int createMemfd(const char *name) {
#ifdef SYS_memfd_create
  return static_cast<int>(::syscall(SYS_memfd_create, name, 1u /*CLOEXEC*/));
#else
  errno = ENOSYS;
  return -1;
#endif
}

/// A path naming `fd` that no earlier load in this process used. glibc's
/// dlopen returns an already-loaded object whose name matches the path
/// string before looking at the file, and modules built against CudaEmu.h are
/// never really unloaded (their thread_local destructors make them
/// NODELETE). Descriptor numbers are reused, so "/proc/self/fd/5" may name a
/// different module now than it did before. Inserting a load counter as
/// "./" (bit 0) and ".//" (bit 1) components keeps every path distinct while
/// it still resolves to /proc/self/fd/N.
std::string uniqueFdPath(int fd) {
  static std::atomic<uint64_t> loads{0};
  uint64_t n = ++loads;
  std::string path = "/proc/self/fd/";
  for (int bit = 63 - __builtin_clzll(n); bit >= 0; --bit)
    path += (n >> bit) & 1 ? ".//" : "./";
  return path + std::to_string(fd);
}

/// dlopen through a memfd; nullptr with `error` set when that fails before
/// dlopen (so the caller may fall back), or `dlopenFailed` set when dlopen
/// itself rejected the bytes (no point falling back).
void *openViaMemfd(const void *data, size_t size, std::string &error,
                   bool &dlopenFailed) {
  int fd = createMemfd("ds-host-module");
  if (fd < 0) {
    error = std::string("memfd_create: ") + std::strerror(errno);
    return nullptr;
  }
  if (!writeAll(fd, data, size)) {
    error = std::string("writing the memfd: ") + std::strerror(errno);
    ::close(fd);
    return nullptr;
  }
  std::string path = uniqueFdPath(fd);
  if (::access(path.c_str(), R_OK) != 0) {
    error = path + " is not accessible (is /proc mounted?)";
    ::close(fd);
    return nullptr;
  }
  void *handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    error = dlErrorText();
    dlopenFailed = true;
  }
  // The mapping keeps the file alive; the descriptor is no longer needed.
  ::close(fd);
  return handle;
}

/// dlopen through a temporary file deleted right after dlopen.
void *openViaTempFile(const void *data, size_t size, std::string &error) {
  const char *dir = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(dir && *dir ? dir : "/tmp") + "/ds-host-module-XXXXXX";
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) {
    error =
        "cannot create a temporary file " + tmpl + ": " + std::strerror(errno);
    return nullptr;
  }
  bool written = writeAll(fd, data, size);
  int writeErrno = errno;
  ::close(fd);
  if (!written) {
    ::unlink(tmpl.c_str());
    error = "cannot write " + tmpl + ": " + std::strerror(writeErrno);
    return nullptr;
  }
  void *handle = ::dlopen(tmpl.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    error = dlErrorText();
  ::unlink(tmpl.c_str());
  return handle;
}

} // namespace

StatusOr<std::unique_ptr<HostModule>> HostModule::load(const void *data,
                                                       size_t size) {
  if (!data || size == 0)
    return Status::error("cannot load host module: it is empty (the artifact "
                         "was built without a host module)");
  std::string memfdError;
  bool dlopenFailed = false;
  void *handle = openViaMemfd(data, size, memfdError, dlopenFailed);
  if (!handle && dlopenFailed)
    return Status::error("cannot load host module: " + memfdError);
  if (!handle) {
    std::string tempError;
    handle = openViaTempFile(data, size, tempError);
    if (!handle)
      return Status::error("cannot load host module: " + tempError +
                           " (memfd: " + memfdError + ")");
  }
  std::unique_ptr<HostModule> module(new HostModule());
  module->handle = handle;
  module->lastErrorFn = reinterpret_cast<const char *(*)()>(
      ::dlsym(handle, kHostLastErrorSymbol));
  return module;
}

HostModule::~HostModule() {
  if (handle)
    ::dlclose(handle);
}

StatusOr<HostModule::LaunchFn>
HostModule::lookup(const std::string &kernelName) const {
  std::string symbol = kHostLaunchPrefix + kernelName;
  ::dlerror(); // Clear any stale error.
  void *sym = ::dlsym(handle, symbol.c_str());
  if (!sym)
    return Status::error("host module has no entry point for kernel '" +
                         kernelName + "' (missing symbol " + symbol + ")");
  return reinterpret_cast<LaunchFn>(sym);
}

Status HostModule::launch(LaunchFn fn, const std::string &kernelName,
                          void **args, const unsigned grid[3],
                          const unsigned block[3],
                          unsigned dynamicSharedBytes) const {
  int rc = fn(args, grid, block, dynamicSharedBytes);
  if (rc == 0)
    return Status::ok();
  std::string message = lastError();
  return Status::error("host launch of kernel '" + kernelName +
                       "' failed (code " + std::to_string(rc) + ")" +
                       (message.empty() ? "" : ": " + message));
}

std::string HostModule::lastError() const {
  if (!lastErrorFn)
    return "";
  const char *msg = lastErrorFn();
  return msg ? msg : "";
}
