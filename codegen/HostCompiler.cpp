//===- HostCompiler.cpp - generated CUDA source to a host module ----------===//

#include "codegen/HostCompiler.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cstdlib>
#include <mutex>

using namespace mlir::ds;

namespace {

struct EmbeddedFile {
  const char *name;
  const char *contents;
};

const EmbeddedFile kEmuHeaders[] = {
#include "codegen/EmuHeaders.inc"
};

/// The ABI translation unit (CudaEmu.h itself exports ds_emu_last_error).
constexpr const char *kAbiSource = R"(// ds host module ABI
extern "C" __attribute__((visibility("default"))) int ds_emu_abi_version() {
  return 1;
}
)";

bool writeFile(const llvm::Twine &path, llvm::StringRef contents) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path.str(), ec);
  if (ec)
    return false;
  os << contents;
  return !os.has_error();
}

std::string readFileOrEmpty(const llvm::Twine &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  return buffer ? (*buffer)->getBuffer().str() : std::string();
}

/// Runs `args` in `dir`; on failure appends its output to `log`.
bool run(llvm::ArrayRef<std::string> args, llvm::StringRef dir,
         llvm::StringRef outputName, std::string &log, std::mutex &logMutex) {
  // ExecuteAndWait has no working-directory parameter: go through /bin/sh so
  // the compiler sees only paths relative to `dir`, and no temporary path
  // reaches the objects (the module must be byte-identical across runs).
  std::string command = "cd '" + dir.str() + "' && exec";
  for (const std::string &a : args)
    command += " '" + a + "'";
  std::string outPath = (dir + "/" + outputName + ".log").str();
  std::optional<llvm::StringRef> redirects[] = {
      std::nullopt, llvm::StringRef(outPath), llvm::StringRef(outPath)};
  llvm::SmallVector<llvm::StringRef> argv = {"/bin/sh", "-c", command};
  std::string errMsg;
  int rc = llvm::sys::ExecuteAndWait("/bin/sh", argv, std::nullopt, redirects,
                                     0, 0, &errMsg);
  if (rc == 0)
    return true;
  std::lock_guard<std::mutex> lock(logMutex);
  log += "$ " + command + "\n" + readFileOrEmpty(outPath) + errMsg + "\n";
  return false;
}

} // namespace

std::string mlir::ds::getHostCompiler() {
  if (const char *env = std::getenv("DS_HOST_CXX"); env && *env)
    return env;
  return DS_HOST_CXX_DEFAULT;
}

std::string mlir::ds::getHostLaunchWrapper(const HostKernel &kernel) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "\n// ds host launch wrapper (CUDA emulation)\n";
  os << "extern \"C\" int ds_emu_launch_" << kernel.name
     << "(void **args, const unsigned *grid, const unsigned *block, "
        "unsigned dynamicSharedBytes) {\n";
  os << "  return ds_emu::launch(dim3(grid[0], grid[1], grid[2]), "
        "dim3(block[0], block[1], block[2]), dynamicSharedBytes, [&] {\n";
  os << "    " << kernel.name << "(";
  for (auto [i, type] : llvm::enumerate(kernel.paramTypes))
    os << (i ? ", " : "") << "*reinterpret_cast<" << type << " const *>(args["
       << i << "])";
  os << ");\n  });\n}\n";
  return s;
}

HostModuleResult
mlir::ds::compileHostModule(llvm::ArrayRef<HostKernel> kernels) {
  HostModuleResult result;
  auto start = std::chrono::steady_clock::now();
  llvm::SmallString<128> dir;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("ds-host", dir)) {
    result.log = "cannot create a temporary directory: " + ec.message();
    return result;
  }
  for (const EmbeddedFile &f : kEmuHeaders)
    if (!writeFile(dir + "/" + f.name, f.contents)) {
      result.log = "cannot write " + (dir + "/" + f.name).str();
      return result;
    }

  std::string cxx = getHostCompiler();
  // Kernels are grouped into one translation unit per core: the emulation
  // header is large, so one TU per kernel would parse it hundreds of times.
  // Each kernel's source goes in unchanged, inside its own namespace so that
  // file-local helpers of different kernels cannot collide; its extern "C"
  // entry points keep their names.
  std::vector<std::string> objects;
  std::vector<std::pair<std::string, std::string>> units; // name, source
  size_t numUnits = std::max<size_t>(
      1, std::min<size_t>(kernels.size(),
                          llvm::hardware_concurrency().compute_thread_count()));
  for (size_t u = 0; u < numUnits; ++u)
    units.emplace_back("unit" + std::to_string(u), "");
  for (auto [i, k] : llvm::enumerate(kernels)) {
    std::string &text = units[i * numUnits / kernels.size()].second;
    text += "namespace ds_kernel_" + k.name + " {\n" + k.source +
            getHostLaunchWrapper(k) + "} // namespace ds_kernel_" + k.name +
            "\n\n";
  }
  units.front().second += kAbiSource;
  // A kernel's `#include <mma.h>` sits inside its namespace: the emulated
  // header is included first, at file scope, so that include is a no-op.
  bool needsMma = llvm::any_of(kernels, [](const HostKernel &k) {
    return llvm::StringRef(k.source).contains("#include <mma.h>");
  });

  std::mutex logMutex;
  std::atomic<bool> ok{true};
  {
    llvm::DefaultThreadPool pool(llvm::hardware_concurrency());
    for (auto &[name, source] : units) {
      std::string cpp = name + ".cpp", obj = name + ".o";
      objects.push_back(obj);
      if (!writeFile(dir + "/" + cpp, source)) {
        result.log = "cannot write " + cpp;
        return result;
      }
      pool.async([&, cpp, obj, name] {
        std::vector<std::string> args = {cxx,        "-std=c++17", "-O2",
                                         "-fPIC",    "-w",         "-I.",
                                         "-include", "CudaEmu.h"};
        if (needsMma)
          args.insert(args.end(), {"-include", "mma.h"});
        args.insert(args.end(), {"-c", cpp, "-o", obj});
        if (!run(args, dir, name, result.log, logMutex))
          ok = false;
      });
    }
    pool.wait();
  }
  if (ok) {
    std::vector<std::string> args = {cxx, "-shared", "-pthread", "-o",
                                     "module.so"};
    args.insert(args.end(), objects.begin(), objects.end());
    if (!run(args, dir, "link", result.log, logMutex))
      ok = false;
  }
  if (ok) {
    result.module = readFileOrEmpty(dir + "/module.so");
    result.ok = !result.module.empty();
    if (!result.ok)
      result.log += "the linked host module is empty or unreadable\n";
  }
  llvm::sys::fs::remove_directories(dir);
  result.compileMs = std::chrono::duration<double, std::milli>(
                         std::chrono::steady_clock::now() - start)
                         .count();
  return result;
}
