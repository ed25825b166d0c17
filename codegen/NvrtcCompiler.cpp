//===- NvrtcCompiler.cpp - CUDA C++ to CUBIN/PTX with NVRTC ---------------===//

#include "codegen/NvrtcCompiler.h"

#include <chrono>
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
  std::string arch = "--gpu-architecture=" + target;
  // IEEE math (no --use_fast_math): results are checked against the CPU.
  std::vector<const char *> options = {arch.c_str(), "--std=c++17"};
  if (cubin)
    options.push_back("--ptxas-options=-v");
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
