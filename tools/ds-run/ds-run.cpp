//===- ds-run.cpp - run a compiled ds artifact ----------------------------===//
//
// Loads a .dsa artifact into a runtime Session, binds inputs from .npy files
// (or deterministic random values), runs it, prints and saves the outputs, and
// optionally checks them against the reference executor. A small tool: argv is
// parsed by hand and it depends on the runtime only.
//
//===----------------------------------------------------------------------===//

#include "runtime/Artifact.h"
#include "runtime/Buckets.h"
#include "runtime/Npy.h"
#include "runtime/Reference.h"
#include "runtime/SafeTensors.h"
#include "runtime/Session.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#ifdef DS_HAVE_COMPILER
#include "tools/common/ReferenceProgram.h"
#endif

using namespace ds::runtime;

namespace {

const char *const kUsage =
    "usage: ds-run MODEL [options]\n"
    "\n"
    "Runs a compiled ds artifact (.dsa) on the GPU or the CUDA emulation, or\n"
    "a model (.mlir, .onnx) with the reference executor.\n"
    "\n"
    "options:\n"
    "  --input NAME=FILE.npy   bind input NAME (repeatable)\n"
    "  --random-inputs SEED    fill inputs not given with deterministic\n"
    "                          uniform [-1,1) values (integers: [0,10))\n"
    "  --device auto|cpu|cuda  where to run (default auto)\n"
    "  --cuda-device N         CUDA device ordinal (default 0)\n"
    "  --output-dir DIR        write each output to DIR/NAME.npy\n"
    "  --print                 print the first values of each output\n"
    "  --check                 compare with the reference executor\n"
    "  --reference             run the reference executor only (implied for\n"
    "                          .mlir and .onnx models)\n"
    "  --weights FILE          weights of a .mlir model (default: the\n"
    "                          .safetensors file beside it)\n"
    "  --atol X                absolute tolerance for --check (1e-5)\n"
    "  --rtol X                relative tolerance for --check (1e-3)\n"
    "  --repeat N              time N more runs (mean/min per run)\n"
    "  --metrics FILE          write the session's counters (runs, kernel\n"
    "                          time, bytes copied and streamed, arena peak)\n"
    "                          in the Prometheus text format\n"
    "  --info                  print signature, kernels and launches; runs\n"
    "                          the model only if every input is available\n"
    "  --profile               time every launch (an event pair each on\n"
    "                          CUDA) and print the slowest kernels\n"
    "  --no-cuda-graph         on CUDA, launch kernel by kernel instead of\n"
    "                          replaying the schedule as a CUDA graph\n"
    "  --help                  show this text\n";

/// Number of values --print shows per output.
constexpr int64_t kPrintCount = 8;

struct Options {
  std::string model;
  std::vector<std::pair<std::string, std::string>> inputFiles;
  SessionOptions session;
  std::string outputDir;
  bool check = false;
  bool reference = false;
  std::string weights;
  double atol = 1e-5;
  double rtol = 1e-3;
  bool print = false;
  int64_t repeat = 0;
  std::string metricsFile;
  bool randomInputs = false;
  uint64_t seed = 0;
  bool info = false;
  bool profile = false;
  bool help = false;
};

//===----------------------------------------------------------------------===//
// Command line
//===----------------------------------------------------------------------===//

bool parseDouble(const std::string &text, double &out) {
  if (text.empty())
    return false;
  char *end = nullptr;
  errno = 0;
  out = std::strtod(text.c_str(), &end);
  return errno == 0 && *end == '\0' && std::isfinite(out);
}

bool parseInt(const std::string &text, int64_t &out) {
  if (text.empty())
    return false;
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  out = v;
  return errno == 0 && *end == '\0';
}

Status parseArgs(int argc, char **argv, Options &o) {
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    std::string value;
    bool hasInlineValue = false;
    if (arg.rfind("--", 0) == 0) {
      if (size_t eq = arg.find('='); eq != std::string::npos) {
        value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
        hasInlineValue = true;
      }
    }
    // Fetches the option's value: "--opt=value" or "--opt value".
    auto takeValue = [&]() -> Status {
      if (hasInlineValue)
        return Status::ok();
      if (i + 1 >= args.size())
        return Status::error("option " + arg + " needs a value");
      value = args[++i];
      return Status::ok();
    };
    auto noValue = [&]() -> Status {
      return hasInlineValue ? Status::error("option " + arg + " takes no value")
                            : Status::ok();
    };

    if (arg == "--help" || arg == "-h") {
      o.help = true;
    } else if (arg == "--input") {
      DS_RETURN_IF_ERROR(takeValue());
      size_t eq = value.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == value.size())
        return Status::error("--input expects NAME=FILE.npy, got '" + value +
                             "'");
      o.inputFiles.emplace_back(value.substr(0, eq), value.substr(eq + 1));
    } else if (arg == "--device") {
      DS_RETURN_IF_ERROR(takeValue());
      if (value == "auto")
        o.session.device = DeviceKind::Auto;
      else if (value == "cpu")
        o.session.device = DeviceKind::Cpu;
      else if (value == "cuda")
        o.session.device = DeviceKind::Cuda;
      else
        return Status::error("--device expects auto, cpu or cuda, got '" +
                             value + "'");
    } else if (arg == "--cuda-device") {
      DS_RETURN_IF_ERROR(takeValue());
      int64_t n = 0;
      if (!parseInt(value, n) || n < 0 || n > 1024)
        return Status::error("--cuda-device expects a device ordinal, got '" +
                             value + "'");
      o.session.cudaDevice = static_cast<int>(n);
    } else if (arg == "--output-dir") {
      DS_RETURN_IF_ERROR(takeValue());
      if (value.empty())
        return Status::error("--output-dir expects a directory");
      o.outputDir = value;
    } else if (arg == "--check") {
      DS_RETURN_IF_ERROR(noValue());
      o.check = true;
    } else if (arg == "--reference") {
      DS_RETURN_IF_ERROR(noValue());
      o.reference = true;
    } else if (arg == "--weights") {
      DS_RETURN_IF_ERROR(takeValue());
      if (value.empty())
        return Status::error("--weights expects a file");
      o.weights = value;
    } else if (arg == "--atol" || arg == "--rtol") {
      DS_RETURN_IF_ERROR(takeValue());
      double v = 0;
      if (!parseDouble(value, v) || v < 0)
        return Status::error(arg + " expects a non-negative number, got '" +
                             value + "'");
      (arg == "--atol" ? o.atol : o.rtol) = v;
    } else if (arg == "--print") {
      DS_RETURN_IF_ERROR(noValue());
      o.print = true;
    } else if (arg == "--repeat") {
      DS_RETURN_IF_ERROR(takeValue());
      if (!parseInt(value, o.repeat) || o.repeat < 1)
        return Status::error("--repeat expects a positive count, got '" +
                             value + "'");
    } else if (arg == "--metrics") {
      DS_RETURN_IF_ERROR(takeValue());
      if (value.empty())
        return Status::error("--metrics expects a file name");
      o.metricsFile = value;
    } else if (arg == "--random-inputs") {
      DS_RETURN_IF_ERROR(takeValue());
      int64_t seed = 0;
      if (!parseInt(value, seed) || seed < 0)
        return Status::error(
            "--random-inputs expects a non-negative integer seed, got '" +
            value + "'");
      o.randomInputs = true;
      o.seed = static_cast<uint64_t>(seed);
    } else if (arg == "--info") {
      DS_RETURN_IF_ERROR(noValue());
      o.info = true;
    } else if (arg == "--no-cuda-graph") {
      DS_RETURN_IF_ERROR(noValue());
      o.session.cudaGraph = false;
    } else if (arg == "--profile") {
      DS_RETURN_IF_ERROR(noValue());
      o.session.profileLaunches = true;
      o.profile = true;
    } else if (arg.size() > 1 && arg[0] == '-') {
      return Status::error("unknown option '" + arg + "' (see --help)");
    } else if (o.model.empty()) {
      o.model = arg;
    } else {
      return Status::error("more than one model given: '" + o.model +
                           "' and '" + arg + "'");
    }
  }
  if (!o.help && o.model.empty())
    return Status::error("no model given (usage: ds-run MODEL.dsa [options])");
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Inputs
//===----------------------------------------------------------------------===//

/// splitmix64: tiny, and identical on every platform (std::
/// distributions are not).
uint64_t nextRandom(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// Stores `v` as element `i` of `t` in its element type.
void setElement(HostTensor &t, int64_t i, double v) {
  uint8_t *p = t.bytes.data() + i * dtypeSize(t.type.dtype);
  auto store = [p](auto x) { std::memcpy(p, &x, sizeof(x)); };
  switch (t.type.dtype) {
  case DType::F32:
    return store(static_cast<float>(v));
  case DType::F64:
    return store(v);
  case DType::F16:
    return store(floatToHalf(static_cast<float>(v)));
  case DType::BF16:
    return store(floatToBf16(static_cast<float>(v)));
  case DType::I64:
    return store(static_cast<int64_t>(v));
  case DType::I32:
    return store(static_cast<int32_t>(v));
  case DType::I1:
    return store(static_cast<uint8_t>(v != 0));
  case DType::I8:
    return store(static_cast<int8_t>(v));
  case DType::U8:
    return store(static_cast<uint8_t>(v));
  }
}

bool isFloat(DType t) {
  return t == DType::F32 || t == DType::F16 || t == DType::BF16 ||
         t == DType::F64;
}

HostTensor randomTensor(const TensorType &type, uint64_t seed, size_t index) {
  HostTensor t(type);
  uint64_t state = seed * 0x100000001b3ull + index * 0x9e3779b97f4a7c15ull;
  for (int64_t i = 0, n = type.numElements(); i < n; ++i) {
    uint64_t r = nextRandom(state);
    double v;
    if (isFloat(type.dtype))
      v = static_cast<double>(r >> 11) * 0x1.0p-53 * 2.0 - 1.0;
    else if (type.dtype == DType::I1)
      v = static_cast<double>(r >> 63);
    else
      v = static_cast<double>(r % 10);
    setElement(t, i, v);
  }
  return t;
}

/// Reads the --input file for `info`, converting f32 files to bf16 inputs
/// (numpy has no bf16, so bf16 tensors travel as f32).
StatusOr<HostTensor> readInput(const TensorInfo &info,
                               const std::string &path) {
  StatusOr<HostTensor> t = readNpy(path);
  if (!t)
    return t.status();
  if (t->type.dtype == DType::F32 && info.type.dtype == DType::BF16 &&
      t->type.shape == info.type.shape) {
    HostTensor converted(info.type);
    for (int64_t i = 0, n = info.type.numElements(); i < n; ++i)
      setElement(converted, i, t->getAsDouble(i));
    return converted;
  }
  bool matches = t->type.dtype == info.type.dtype &&
                 t->type.shape.size() == info.type.shape.size();
  for (size_t d = 0; matches && d < info.type.shape.size(); ++d)
    matches = info.type.shape[d] < 0 || info.type.shape[d] == t->type.shape[d];
  if (!matches)
    return Status::error("input '" + info.name + "' expects " +
                         info.type.str() + ", but " + path + " holds " +
                         t->type.str());
  return t;
}

/// Returns false (no error) when inputs are missing but `allowMissing`.
StatusOr<bool> gatherInputs(const Options &o,
                            const std::vector<TensorInfo> &sig,
                            bool allowMissing, std::vector<HostTensor> &out) {
  std::map<std::string, std::string> files;
  for (const auto &[name, path] : o.inputFiles) {
    const std::string &wanted =
        name; // structured bindings: no capture in C++17
    bool known = std::any_of(sig.begin(), sig.end(), [&](const TensorInfo &t) {
      return t.name == wanted;
    });
    if (!known) {
      std::string names;
      for (const TensorInfo &t : sig)
        names += (names.empty() ? "" : ", ") + t.name;
      return Status::error("--input names unknown input '" + name +
                           "' (inputs: " + (names.empty() ? "none" : names) +
                           ")");
    }
    if (!files.emplace(name, path).second)
      return Status::error("input '" + name + "' given twice");
  }
  out.clear();
  for (size_t i = 0; i < sig.size(); ++i) {
    auto it = files.find(sig[i].name);
    if (it != files.end()) {
      StatusOr<HostTensor> t = readInput(sig[i], it->second);
      if (!t)
        return t.status();
      out.push_back(std::move(*t));
    } else if (o.randomInputs) {
      for (int64_t d : sig[i].type.shape)
        if (d < 0)
          return Status::error("input '" + sig[i].name + "' (" +
                               sig[i].type.str() +
                               ") has dynamic dims: --random-inputs needs "
                               "--input " +
                               sig[i].name + "=FILE.npy");
      out.push_back(randomTensor(sig[i].type, o.seed, i));
    } else if (allowMissing) {
      return false;
    } else {
      return Status::error("missing input '" + sig[i].name + "' (" +
                           sig[i].type.str() + "); pass --input " +
                           sig[i].name + "=FILE.npy or --random-inputs SEED");
    }
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Reporting
//===----------------------------------------------------------------------===//

std::string resourceText(int32_t v, const char *unit) {
  return v < 0 ? "?" : std::to_string(v) + unit;
}

void printInfo(const std::string &path, const LoadedArtifact &la) {
  const Artifact &a = la.artifact;
  std::printf("artifact: %s (producer: %s, format version %u)\n", path.c_str(),
              a.producer.empty() ? "?" : a.producer.c_str(), a.version);
  std::printf("inputs:\n");
  for (size_t i = 0; i < a.inputs.size(); ++i)
    std::printf("  %s: %s\n", a.buffers[a.inputs[i]].name.c_str(),
                (a.buckets.empty() ? a.buffers[a.inputs[i]].type
                                   : bucketSignatureType(a, i, false))
                    .str()
                    .c_str());
  std::printf("outputs:\n");
  for (size_t i = 0; i < a.outputs.size(); ++i)
    std::printf("  %s: %s\n", a.buffers[a.outputs[i]].name.c_str(),
                (a.buckets.empty() ? a.buffers[a.outputs[i]].type
                                   : bucketSignatureType(a, i, true))
                    .str()
                    .c_str());
  if (!a.buckets.empty()) {
    std::string values;
    for (const BucketVariant &v : a.buckets)
      values +=
          (values.empty() ? "" : ", ") + std::to_string(v.dims.begin()->second);
    std::printf("buckets: %zu over '%s' (%s); inputs padded with zeros to "
                "the smallest that fits\n",
                a.buckets.size(), bucketDimName(a).c_str(), values.c_str());
    for (const BucketVariant &v : a.buckets)
      std::printf("  %s: launches [%u, +%u), reference ops [%u, +%u), arena "
                  "%llu bytes\n",
                  v.name.c_str(), v.firstLaunch, v.numLaunches,
                  v.firstReference, v.numReferences,
                  static_cast<unsigned long long>(v.arenaBytes));
  }
  std::printf("memory: %zu buffers, arena %llu bytes, weights %llu bytes\n",
              a.buffers.size(), static_cast<unsigned long long>(a.arenaBytes),
              static_cast<unsigned long long>(la.weightSize));
  const MemoryPlanDesc &p = a.plan;
  size_t streamed = 0;
  for (const BufferDesc &b : a.buffers)
    streamed += b.streamed;
  std::printf(
      "memory plan: %s, lower bound %llu bytes, no reuse %llu bytes, "
      "%u in place; %zu weights streamed (%llu bytes per inference, "
      "%u staging x %llu bytes), %llu bytes resident\n",
      p.heuristic.empty() ? "?" : p.heuristic.c_str(),
      static_cast<unsigned long long>(p.lowerBoundBytes),
      static_cast<unsigned long long>(p.noReuseBytes), p.inPlace, streamed,
      static_cast<unsigned long long>(p.streamedBytesPerInference),
      p.stagingSlots, static_cast<unsigned long long>(p.stagingSlotBytes),
      static_cast<unsigned long long>(p.residentWeightBytes));
  std::printf("kernels: %zu (host module: %zu bytes)\n", a.kernels.size(),
              a.hostModule.size());
  for (size_t k = 0; k < a.kernels.size(); ++k) {
    const KernelDesc &kd = a.kernels[k];
    std::printf("  #%zu %s\n", k, kd.name.c_str());
    for (const KernelBinary &b : kd.binaries) {
      if (b.target.rfind("compute_", 0) == 0) {
        std::printf("    %s: PTX, %zu bytes\n", b.target.c_str(),
                    b.data.size());
        continue;
      }
      std::printf("    %s: %s registers, spills %s stores / %s loads, "
                  "shared %s, %zu bytes\n",
                  b.target.c_str(), resourceText(b.registers, "").c_str(),
                  resourceText(b.spillStoreBytes, " B").c_str(),
                  resourceText(b.spillLoadBytes, " B").c_str(),
                  resourceText(b.sharedBytes, " B").c_str(), b.data.size());
    }
  }
  std::printf("launches: %zu\n", a.launches.size());
  for (size_t i = 0; i < a.launches.size(); ++i) {
    const LaunchDesc &l = a.launches[i];
    std::string args;
    for (uint32_t arg : l.args)
      args += (args.empty() ? "" : ", ") + std::to_string(arg);
    std::printf(
        "  #%zu %s grid (%u,%u,%u) block (%u,%u,%u) smem %u args [%s]\n", i,
        a.kernels[l.kernel].name.c_str(), l.grid[0], l.grid[1], l.grid[2],
        l.block[0], l.block[1], l.block[2], l.dynamicSharedBytes, args.c_str());
  }
  std::printf("reference ops: %zu\n", a.reference.size());
}

void printValues(const HostTensor &t) {
  int64_t n = t.type.numElements();
  std::printf("  [");
  for (int64_t i = 0; i < std::min(n, kPrintCount); ++i)
    std::printf("%s%.6g", i ? ", " : "", t.getAsDouble(i));
  std::printf("%s]\n", n > kPrintCount ? ", ..." : "");
}

/// Output names may hold characters that are unsafe in file names (ONNX
/// names such as "logits:0" or "a/b").
std::string fileNameFor(const std::string &name) {
  std::string s = name.empty() ? "output" : name;
  for (char &c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' &&
        c != '.')
      c = '_';
  return s;
}

/// numpy.allclose semantics per element: |a - b| <= atol + rtol * |b|, with b
/// the reference; NaN matches only NaN.
bool checkOutput(const TensorInfo &info, const HostTensor &got,
                 const HostTensor &want, double atol, double rtol) {
  double maxAbs = 0, maxRel = 0;
  int64_t bad = 0, n = want.type.numElements();
  for (int64_t i = 0; i < n; ++i) {
    double a = got.getAsDouble(i), b = want.getAsDouble(i);
    if (std::isnan(a) || std::isnan(b)) {
      if (std::isnan(a) != std::isnan(b)) {
        ++bad;
        maxAbs = maxRel = INFINITY;
      }
      continue;
    }
    if (a == b) // Also covers equal infinities.
      continue;
    double err = std::fabs(a - b);
    maxAbs = std::max(maxAbs, err);
    if (b != 0)
      maxRel = std::max(maxRel, err / std::fabs(b));
    if (!(err <= atol + rtol * std::fabs(b)))
      ++bad;
  }
  bool pass = bad == 0 && got.type == want.type;
  std::printf("check %s: max_abs_err=%.3g max_rel_err=%.3g %s",
              info.name.c_str(), maxAbs, maxRel, pass ? "PASS" : "FAIL");
  if (got.type != want.type)
    std::printf(" (type %s, reference %s)", got.type.str().c_str(),
                want.type.str().c_str());
  else if (bad)
    std::printf(" (%lld of %lld elements outside atol=%g + rtol=%g*|ref|)",
                static_cast<long long>(bad), static_cast<long long>(n), atol,
                rtol);
  std::printf("\n");
  return pass;
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// The inputs' or outputs' names and types; with buckets, the bucket axis
/// is dynamic (as Session::inputs()).
std::vector<TensorInfo> signatureOf(const LoadedArtifact &la, bool outputs) {
  const Artifact &a = la.artifact;
  const std::vector<uint32_t> &ids = outputs ? a.outputs : a.inputs;
  std::vector<TensorInfo> sig;
  for (size_t i = 0; i < ids.size(); ++i)
    sig.push_back({a.buffers[ids[i]].name,
                   a.buckets.empty() ? a.buffers[ids[i]].type
                                     : bucketSignatureType(a, i, outputs)});
  return sig;
}

/// Prints each output's name and type (and its first values with --print).
void printOutputs(const Options &o, const std::vector<TensorInfo> &sig,
                  const std::vector<HostTensor> &outputs) {
  for (size_t i = 0; i < sig.size(); ++i) {
    std::printf("output %s: %s\n", sig[i].name.c_str(),
                outputs[i].type.str().c_str());
    if (o.print)
      printValues(outputs[i]);
  }
}

/// Writes each output to --output-dir as NAME.npy.
Status writeOutputs(const Options &o, const std::vector<TensorInfo> &sig,
                    const std::vector<HostTensor> &outputs) {
  if (o.outputDir.empty())
    return Status::ok();
  std::error_code ec;
  std::filesystem::create_directories(o.outputDir, ec);
  if (ec)
    return Status::error("cannot create output directory " + o.outputDir +
                         ": " + ec.message());
  for (size_t i = 0; i < sig.size(); ++i)
    DS_RETURN_IF_ERROR(writeNpy(
        o.outputDir + "/" + fileNameFor(sig[i].name) + ".npy", outputs[i]));
  return Status::ok();
}

/// --profile: the launches that took longest, with their kernels.
void printProfile(const Artifact &a, const Session::RunStats &stats) {
  std::vector<size_t> order(stats.perLaunchMs.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    return stats.perLaunchMs[x] > stats.perLaunchMs[y];
  });
  double sum = 0;
  for (double ms : stats.perLaunchMs)
    sum += ms;
  std::printf("profile: %zu launches, %.3f ms summed\n", order.size(), sum);
  for (size_t r = 0; r < order.size() && r < 10; ++r) {
    size_t index = stats.firstLaunch + order[r]; // a bucket's range
    const LaunchDesc &l = a.launches[index];
    double ms = stats.perLaunchMs[order[r]];
    std::printf("  #%zu %s: %.3f ms (%.1f%%) grid %ux%ux%u block %ux%ux%u\n",
                index, a.kernels[l.kernel].name.c_str(), ms,
                sum > 0 ? 100 * ms / sum : 0.0, l.grid[0], l.grid[1], l.grid[2],
                l.block[0], l.block[1], l.block[2]);
  }
}

/// --repeat N: runs `once` (which returns the milliseconds of one run) N
/// times and prints the mean and the minimum.
Status reportRepeats(const Options &o,
                     const std::function<StatusOr<double>()> &once) {
  if (o.repeat <= 0)
    return Status::ok();
  double sum = 0, best = INFINITY;
  for (int64_t r = 0; r < o.repeat; ++r) {
    StatusOr<double> ms = once();
    if (!ms)
      return ms.status();
    sum += *ms;
    best = std::min(best, *ms);
  }
  std::printf("repeat %lld: mean %.3f ms, min %.3f ms per run\n",
              static_cast<long long>(o.repeat), sum / o.repeat, best);
  return Status::ok();
}

/// Runs the reference program of an artifact or of a .mlir/.onnx model.
StatusOr<int> runReferenceTool(const Options &o) {
  LoadedArtifact la;
  std::shared_ptr<MappedFile> file;
  if (endsWith(o.model, ".mlir") || endsWith(o.model, ".onnx")) {
#ifdef DS_HAVE_COMPILER
    StatusOr<Artifact> program =
        ::ds::tools::buildReferenceProgram(o.model, o.weights);
    if (!program)
      return program.status();
    la.artifact = std::move(*program);
    la.weightData =
        reinterpret_cast<const uint8_t *>(la.artifact.weights.data());
    la.weightSize = la.artifact.weights.size();
#else
    return Status::error("this ds-run was built without the compiler; "
                         "compile the model with ds-compile first");
#endif
  } else {
    StatusOr<std::shared_ptr<MappedFile>> mapped = MappedFile::open(o.model);
    if (!mapped)
      return mapped.status();
    file = *mapped;
    StatusOr<LoadedArtifact> parsed = parseArtifact(file->data(), file->size());
    if (!parsed)
      return parsed.status().withContext(o.model);
    la = std::move(*parsed);
  }
  std::printf("device: reference executor (cpu)\n");
  std::vector<TensorInfo> inSig = signatureOf(la, /*outputs=*/false);
  std::vector<TensorInfo> outSig = signatureOf(la, /*outputs=*/true);
  std::vector<HostTensor> inputs;
  StatusOr<bool> complete = gatherInputs(o, inSig, false, inputs);
  if (!complete)
    return complete.status();
  // One timed reference run.
  std::vector<HostTensor> outputs;
  auto runOnce = [&]() -> StatusOr<double> {
    auto start = std::chrono::steady_clock::now();
    StatusOr<std::vector<HostTensor>> out = runReferenceProgram(la, inputs);
    if (!out)
      return out.status().withContext("reference executor");
    outputs = std::move(*out);
    return std::chrono::duration<double, std::milli>(
               std::chrono::steady_clock::now() - start)
        .count();
  };
  StatusOr<double> ms = runOnce();
  if (!ms)
    return ms.status();
  printOutputs(o, outSig, outputs);
  std::printf("time: %.3f ms (%zu reference ops)\n", *ms,
              la.artifact.reference.size());
  DS_RETURN_IF_ERROR(writeOutputs(o, outSig, outputs));
  DS_RETURN_IF_ERROR(reportRepeats(o, runOnce));
  return 0;
}

/// Returns the exit code; failures come back as a Status.
StatusOr<int> runTool(const Options &o) {
  if (o.reference || endsWith(o.model, ".mlir") || endsWith(o.model, ".onnx"))
    return runReferenceTool(o);
  if (o.info) {
    StatusOr<std::shared_ptr<MappedFile>> file = MappedFile::open(o.model);
    if (!file)
      return file.status();
    StatusOr<LoadedArtifact> la =
        parseArtifact((*file)->data(), (*file)->size());
    if (!la)
      return la.status().withContext(o.model);
    printInfo(o.model, *la);
  }

  StatusOr<std::unique_ptr<Session>> loaded = Session::load(o.model, o.session);
  if (!loaded)
    return loaded.status();
  Session &session = **loaded;
  std::printf("device: %s\n", session.deviceName().c_str());

  std::vector<HostTensor> inputs;
  StatusOr<bool> complete = gatherInputs(o, session.inputs(), o.info, inputs);
  if (!complete)
    return complete.status();
  if (!*complete)
    return 0; // --info alone: nothing to run.

  std::vector<HostTensor> outputs;
  DS_RETURN_IF_ERROR(session.run(inputs, outputs));
  Session::RunStats first = session.lastRunStats();
  std::vector<TensorInfo> sig = session.outputs();
  printOutputs(o, sig, outputs);
  if (first.bucket >= 0)
    std::printf("bucket: %s\n",
                session.artifact().artifact.buckets[first.bucket].name.c_str());
  std::printf("time: %.3f ms (%zu launches%s; device %.3f ms)\n", first.totalMs,
              first.launches, first.cudaGraph ? ", CUDA graph" : "",
              first.kernelMs);
  if (o.profile)
    printProfile(session.artifact().artifact, first);
  if (first.bytesStreamed)
    std::printf("streamed: %llu weight bytes\n",
                static_cast<unsigned long long>(first.bytesStreamed));
  DS_RETURN_IF_ERROR(writeOutputs(o, sig, outputs));
  std::vector<HostTensor> scratch;
  DS_RETURN_IF_ERROR(reportRepeats(o, [&]() -> StatusOr<double> {
    DS_RETURN_IF_ERROR(session.run(inputs, scratch));
    return session.lastRunStats().totalMs;
  }));
  if (!o.metricsFile.empty())
    DS_RETURN_IF_ERROR(
        writeFileAtomically(o.metricsFile, {session.prometheusMetrics()})
            .withContext("--metrics"));

  if (o.check) {
    StatusOr<std::vector<HostTensor>> ref =
        runReferenceProgram(session.artifact(), inputs);
    if (!ref)
      return ref.status().withContext("reference executor");
    bool allPass = true;
    for (size_t i = 0; i < sig.size(); ++i)
      allPass &= checkOutput(sig[i], outputs[i], (*ref)[i], o.atol, o.rtol);
    if (!allPass)
      return 1;
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  try {
    Options options;
    Status parsed = parseArgs(argc, argv, options);
    if (!parsed) {
      std::fprintf(stderr, "ds-run: error: %s\n", parsed.message().c_str());
      return 1;
    }
    if (options.help) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    StatusOr<int> rc = runTool(options);
    std::fflush(stdout);
    if (!rc) {
      std::fprintf(stderr, "ds-run: error: %s\n",
                   rc.status().message().c_str());
      return 1;
    }
    return *rc;
  } catch (const std::exception &e) {
    std::fflush(stdout);
    std::fprintf(stderr, "ds-run: error: %s\n", e.what());
    return 1;
  } catch (...) {
    std::fflush(stdout);
    std::fprintf(stderr, "ds-run: error: unexpected failure\n");
    return 1;
  }
}
