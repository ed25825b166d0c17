//===- NvrtcCompiler.cpp - CUDA C++ to CUBIN/PTX with NVRTC ---------------===//

#include "codegen/NvrtcCompiler.h"

#include "runtime/SafeTensors.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/SHA256.h"

#include <chrono>
#include <cstring>
#include <regex>
#include <vector>

#ifdef DS_HAVE_NVRTC
#include <nvrtc.h>
#endif

using namespace mlir::ds;

void mlir::ds::parsePtxasResourceUsage(const std::string &log,
                                       ::ds::runtime::KernelBinary &binary) {
  std::smatch m;
  static const std::regex regs("Used ([0-9]+) registers");
  static const std::regex smem("([0-9]+) bytes smem");
  static const std::regex spills(
      "([0-9]+) bytes spill stores, ([0-9]+) bytes spill loads");
  if (std::regex_search(log, m, regs))
    binary.registers = std::stoi(m[1]);
  binary.sharedBytes = std::regex_search(log, m, smem) ? std::stoi(m[1]) : 0;
  if (std::regex_search(log, m, spills)) {
    binary.spillStoreBytes = std::stoi(m[1]);
    binary.spillLoadBytes = std::stoi(m[2]);
  }
}

std::vector<std::string> mlir::ds::nvrtcOptions(const std::string &source,
                                                const std::string &target) {
  // IEEE math (no --use_fast_math): results are checked against the CPU.
  std::vector<std::string> options = {"--gpu-architecture=" + target,
                                      "--std=c++17"};
  if (target.rfind("sm_", 0) == 0)
    options.push_back("--ptxas-options=-v");
#ifdef DS_CUDA_INCLUDE_DIR
  // The tensor-core kernels use the toolkit's <mma.h> (and the half types it
  // includes), which NVRTC finds only on the toolkit's include path; the
  // other kernels include nothing.
  if (source.find("#include <mma.h>") != std::string::npos)
    options.push_back(std::string("--include-path=") + DS_CUDA_INCLUDE_DIR);
#endif
  return options;
}

#ifdef DS_HAVE_NVRTC

bool mlir::ds::isNvrtcAvailable() { return true; }

std::string mlir::ds::getNvrtcVersion() {
  int major = 0, minor = 0;
  if (nvrtcVersion(&major, &minor) != NVRTC_SUCCESS)
    return "unknown";
  return std::to_string(major) + "." + std::to_string(minor);
}

NvrtcOutput mlir::ds::compileWithNvrtc(const std::string &source,
                                       const std::string &kernelName,
                                       const std::string &target) {
  NvrtcOutput out;
  out.binary.target = target;
  auto start = std::chrono::steady_clock::now();
  nvrtcProgram prog;
  std::string fileName = kernelName + ".cu";
  nvrtcResult res = nvrtcCreateProgram(&prog, source.c_str(), fileName.c_str(),
                                       0, nullptr, nullptr);
  if (res != NVRTC_SUCCESS) {
    out.log =
        std::string("nvrtcCreateProgram failed: ") + nvrtcGetErrorString(res);
    return out;
  }
  bool cubin = target.rfind("sm_", 0) == 0;
  std::vector<std::string> optionStrings = nvrtcOptions(source, target);
  std::vector<const char *> options;
  for (const std::string &o : optionStrings)
    options.push_back(o.c_str());
  res = nvrtcCompileProgram(prog, static_cast<int>(options.size()),
                            options.data());
  size_t logSize = 0;
  if (nvrtcGetProgramLogSize(prog, &logSize) == NVRTC_SUCCESS && logSize > 1) {
    out.log.resize(logSize);
    if (nvrtcGetProgramLog(prog, out.log.data()) != NVRTC_SUCCESS)
      out.log.clear();
    while (!out.log.empty() && out.log.back() == '\0')
      out.log.pop_back();
  }
  if (res != NVRTC_SUCCESS) {
    out.log = std::string(nvrtcGetErrorString(res)) + "\n" + out.log;
    nvrtcDestroyProgram(&prog);
    return out;
  }
  size_t size = 0;
  if (cubin) {
    res = nvrtcGetCUBINSize(prog, &size);
    out.binary.data.resize(size);
    if (res == NVRTC_SUCCESS)
      res = nvrtcGetCUBIN(prog, out.binary.data.data());
    parsePtxasResourceUsage(out.log, out.binary);
  } else {
    res = nvrtcGetPTXSize(prog, &size);
    out.binary.data.resize(size);
    if (res == NVRTC_SUCCESS)
      res = nvrtcGetPTX(prog, out.binary.data.data());
    // PTX is text; drop the terminating NUL.
    while (!out.binary.data.empty() && out.binary.data.back() == '\0')
      out.binary.data.pop_back();
  }
  nvrtcDestroyProgram(&prog);
  if (res != NVRTC_SUCCESS) {
    out.log = std::string("retrieving the binary failed: ") +
              nvrtcGetErrorString(res);
    return out;
  }
  out.ok = true;
  out.compileMs = std::chrono::duration<double, std::milli>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  return out;
}

#else // !DS_HAVE_NVRTC

bool mlir::ds::isNvrtcAvailable() { return false; }
std::string mlir::ds::getNvrtcVersion() { return "unavailable"; }
NvrtcOutput mlir::ds::compileWithNvrtc(const std::string &, const std::string &,
                                       const std::string &target) {
  NvrtcOutput out;
  out.binary.target = target;
  out.log = "ds was built without the CUDA toolkit (NVRTC)";
  return out;
}

#endif // DS_HAVE_NVRTC

//===----------------------------------------------------------------------===//
// Persistent cache
//===----------------------------------------------------------------------===//

namespace {
/// Bump when the entry layout or the compile options change.
constexpr const char kCacheFormat[] = "ds-nvrtc-cache-2";
constexpr const char kEntryMagic[8] = {'D', 'S', 'N', 'V', 'R', 'C', '1', '\n'};

void appendU64(std::string &out, uint64_t v) {
  for (int i = 0; i < 8; ++i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

bool readU64(llvm::StringRef &in, uint64_t &v) {
  if (in.size() < 8)
    return false;
  v = 0;
  for (int i = 0; i < 8; ++i)
    v |= static_cast<uint64_t>(static_cast<uint8_t>(in[i])) << (8 * i);
  in = in.drop_front(8);
  return true;
}
} // namespace

std::string NvrtcCache::defaultDir() {
  if (std::optional<std::string> d =
          llvm::sys::Process::GetEnv("DS_NVRTC_CACHE_DIR"))
    return *d;
  llvm::SmallString<256> path;
  if (std::optional<std::string> xdg =
          llvm::sys::Process::GetEnv("XDG_CACHE_HOME"))
    path = *xdg;
  else if (!llvm::sys::path::home_directory(path))
    return "";
  else
    llvm::sys::path::append(path, ".cache");
  llvm::sys::path::append(path, "ds", "nvrtc");
  return std::string(path);
}

std::string NvrtcCache::key(const std::string &source,
                            const std::string &kernelName,
                            const std::string &target) {
  llvm::SHA256 hash;
  auto field = [&](llvm::StringRef s) {
    std::string len;
    appendU64(len, s.size());
    hash.update(len);
    hash.update(s);
  };
  field(kCacheFormat);
  field(getNvrtcVersion());
  std::string options;
  for (const std::string &o : nvrtcOptions(source, target))
    options += o + "\n";
  field(options);
  field(kernelName);
  field(source);
  std::array<uint8_t, 32> digest = hash.final();
  return llvm::toHex(digest, /*LowerCase=*/true);
}

NvrtcOutput NvrtcCache::compile(const std::string &source,
                                const std::string &kernelName,
                                const std::string &target, bool &hit) const {
  hit = false;
  if (dir.empty() || !isNvrtcAvailable())
    return compileWithNvrtc(source, kernelName, target);
  auto start = std::chrono::steady_clock::now();
  std::string k = key(source, kernelName, target);
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, k.substr(0, 2), k + ".bin");
  // Entry: magic, then length-prefixed log and binary.
  if (llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buf =
          llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                      /*RequiresNullTerminator=*/false)) {
    llvm::StringRef in = (*buf)->getBuffer();
    uint64_t logSize = 0, binSize = 0;
    if (in.size() >= 8 && std::memcmp(in.data(), kEntryMagic, 8) == 0) {
      in = in.drop_front(8);
      NvrtcOutput out;
      out.binary.target = target;
      if (readU64(in, logSize) && in.size() >= logSize) {
        out.log = in.take_front(logSize).str();
        in = in.drop_front(logSize);
        if (readU64(in, binSize) && in.size() == binSize && binSize > 0) {
          out.binary.data.assign(in.begin(), in.end());
          if (target.rfind("sm_", 0) == 0)
            parsePtxasResourceUsage(out.log, out.binary);
          out.ok = true;
          out.compileMs = std::chrono::duration<double, std::milli>(
                              std::chrono::steady_clock::now() - start)
                              .count();
          hit = true;
          return out;
        }
      }
    }
  }
  NvrtcOutput out = compileWithNvrtc(source, kernelName, target);
  if (!out.ok)
    return out; // Failures are not cached: the log must stay current.
  std::string entry(kEntryMagic, 8);
  appendU64(entry, out.log.size());
  entry += out.log;
  appendU64(entry, out.binary.data.size());
  entry.append(out.binary.data.begin(), out.binary.data.end());
  // A cache that cannot be written only costs time.
  if (!llvm::sys::fs::create_directories(llvm::sys::path::parent_path(path)))
    (void)::ds::runtime::writeFileAtomically(std::string(path), {entry});
  return out;
}
