//===- ds-compile.cpp - ahead-of-time compiler driver ---------------------===//
//
// ds-compile model.mlir --weights w.safetensors -o model.dsa
//
// Parses the model, runs the inference pipeline, emits one CUDA kernel per
// op, compiles them with NVRTC (CUBIN per target, PTX) and for the host (CUDA
// emulation), and writes the artifact. `--emit=cuda` prints the kernels
// instead; `--emit=mlir` prints the optimized IR.
//
//===----------------------------------------------------------------------===//

#include "codegen/ArtifactBuilder.h"
#include "codegen/CudaEmitter.h"
#include "codegen/NvrtcCompiler.h"
#include "dialects/DS/DSDialect.h"
#include "passes/Passes.h"
#include "runtime/Artifact.h"
#include "tools/common/ModelLoader.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/ToolUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {
cl::OptionCategory category("ds-compile options");

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.mlir>"),
                               cl::Required, cl::cat(category));
cl::opt<std::string> outputFile("o", cl::desc("Output artifact (.dsa)"),
                                cl::value_desc("file"), cl::init("-"),
                                cl::cat(category));
cl::opt<std::string> weightsFile("weights",
                                 cl::desc("safetensors file with the weights"),
                                 cl::value_desc("file"), cl::cat(category));
cl::list<std::string>
    bindDims("bind", cl::CommaSeparated,
             cl::desc("Bind symbolic input dims: name=N, input[dim]=N "
                      "(e.g. --bind=batch=1,seq=128)"),
             cl::cat(category));
cl::list<std::string> buckets(
    "buckets", cl::CommaSeparated,
    cl::desc("Compile one static variant per value of a dynamic dim, e.g. "
             "--buckets=batch:1,2,4,8 (ds-batch-buckets); the runtime runs "
             "the smallest bucket that fits, padding the inputs"),
    cl::value_desc("dim:v1,v2,..."), cl::cat(category));
cl::opt<std::string> bucketMemoryLimit(
    "bucket-memory-limit",
    cl::desc("Drop buckets whose estimated device bytes exceed this (e.g. "
             "512M; ds-batch-buckets memory-limit)"),
    cl::value_desc("bytes"), cl::cat(category));
cl::list<std::string>
    targets("targets", cl::CommaSeparated,
            cl::desc("NVRTC targets: sm_XY (CUBIN) and compute_XY (PTX); "
                     "default sm_80,sm_90,compute_80"),
            cl::cat(category));
enum class Emit { Artifact, Cuda, Mlir };
cl::opt<Emit> emit(
    "emit", cl::desc("What to produce"), cl::init(Emit::Artifact),
    cl::values(clEnumValN(Emit::Artifact, "artifact",
                          "the compiled artifact (default)"),
               clEnumValN(Emit::Cuda, "cuda", "the CUDA C++ of every kernel"),
               clEnumValN(Emit::Mlir, "mlir", "the optimized ds IR")),
    cl::cat(category));
enum class Quantize { None, Int4 };
cl::opt<Quantize> quantize(
    "quantize", cl::desc("Weight quantization"), cl::init(Quantize::None),
    cl::values(clEnumValN(Quantize::None, "none", "float weights (default)"),
               clEnumValN(Quantize::Int4, "int4",
                          "group-wise INT4 matmul weights (ds-quantize-int4)")),
    cl::cat(category));
cl::opt<int64_t> quantizeGroupSize("quantize-group-size",
                                   cl::desc("INT4 group size (default 128)"),
                                   cl::init(128), cl::cat(category));
cl::opt<std::string>
    quantizeMethod("quantize-method",
                   cl::desc("INT4 method: rtn, search (default) or awq"),
                   cl::init("search"), cl::cat(category));
cl::opt<bool> quantizeAsymmetric("quantize-asymmetric",
                                 cl::desc("INT4 with per-group zero points"),
                                 cl::cat(category));
cl::opt<int64_t> quantizeMinElements(
    "quantize-min-elements",
    cl::desc("Keep weights with fewer elements in float (default 4096)"),
    cl::init(4096), cl::cat(category));
cl::opt<std::string>
    quantizeExclude("quantize-exclude",
                    cl::desc("Regex of weight or node names to keep in float"),
                    cl::cat(category));
cl::list<std::string>
    quantizeCalibration("quantize-calibration", cl::CommaSeparated,
                        cl::desc("Calibration inputs for awq: name=file.npy"),
                        cl::cat(category));
cl::opt<bool> noNvrtc("no-nvrtc", cl::desc("Skip NVRTC (CPU-only artifact)"),
                      cl::cat(category));
cl::opt<std::string> nvrtcCache(
    "nvrtc-cache",
    cl::desc("Persistent NVRTC cache folder (default: $DS_NVRTC_CACHE_DIR, "
             "else ~/.cache/ds/nvrtc)"),
    cl::value_desc("dir"), cl::cat(category));
cl::opt<bool> noNvrtcCache("no-nvrtc-cache",
                           cl::desc("Compile every kernel, ignoring the cache"),
                           cl::cat(category));
cl::opt<bool> noHostModule("no-host-module",
                           cl::desc("Skip the host (CUDA emulation) module"),
                           cl::cat(category));
cl::opt<std::string> dumpKernels(
    "dump-kernels",
    cl::desc("Write each kernel's source, PTX and resource use to DIR"),
    cl::value_desc("dir"), cl::cat(category));
cl::opt<bool> quiet("quiet", cl::desc("Print no compile report"),
                    cl::cat(category));
cl::opt<bool> noFuse("no-fuse",
                     cl::desc("Skip ds-fuse: one kernel per op (for "
                              "comparisons)"),
                     cl::cat(category));
cl::opt<bool> noShareKernels(
    "no-share-kernels",
    cl::desc("Emit one kernel per launch, even where two are the same up to "
             "their name (for comparisons)"),
    cl::cat(category));
cl::opt<std::string> fusionReport(
    "fusion-report",
    cl::desc("Write ds-fuse's kernel and modelled-bytes figures as JSON to "
             "this file"),
    cl::value_desc("file"), cl::cat(category));
cl::opt<std::string> deviceMemoryBudget(
    "device-memory-budget",
    cl::desc("Device bytes for activations, resident weights and staging "
             "(e.g. 80000000, 512K, 64M, 16G); weights beyond it stay in "
             "host memory and are streamed. Default: unlimited"),
    cl::value_desc("bytes"), cl::cat(category));
enum class Progress { Auto, Always, Never };
cl::opt<Progress> progress(
    "progress", cl::desc("Show compile stages on stdout"),
    cl::init(Progress::Auto),
    cl::values(clEnumValN(Progress::Auto, "auto", "when stdout is a terminal"),
               clEnumValN(Progress::Always, "always", "one line per stage"),
               clEnumValN(Progress::Never, "never", "never")),
    cl::cat(category));
cl::opt<bool> splitInputFile(
    "split-input-file",
    cl::desc("Compile each '// -----' chunk of the input separately"),
    cl::cat(category));
cl::opt<bool> verifyDiagnostics(
    "verify-diagnostics",
    cl::desc("Check diagnostics against expected-* comments in the input "
             "(for tests)"),
    cl::cat(category));

/// Parses "123", "512K", "64M", "16G" (powers of 1024) into bytes.
std::optional<uint64_t> parseBytes(llvm::StringRef text) {
  uint64_t scale = 1;
  if (!text.empty()) {
    switch (llvm::toUpper(text.back())) {
    case 'K':
      scale = 1ull << 10;
      break;
    case 'M':
      scale = 1ull << 20;
      break;
    case 'G':
      scale = 1ull << 30;
      break;
    default:
      break;
    }
    if (scale != 1)
      text = text.drop_back();
  }
  uint64_t value;
  if (text.getAsInteger(10, value) || value > UINT64_MAX / scale)
    return std::nullopt;
  return value * scale;
}

/// Prints the compile stages: on a terminal one line rewritten in place,
/// otherwise (--progress=always) one line per stage.
class ProgressDisplay {
public:
  ProgressDisplay(llvm::raw_ostream &os, bool enabled, bool inPlace)
      : os(os), enabled(enabled), inPlace(inPlace) {}
  void stage(const llvm::Twine &what) {
    if (!enabled)
      return;
    ++count;
    if (inPlace)
      os << "\r\033[K";
    os << "ds-compile [" << count << "] " << what;
    if (!inPlace)
      os << "\n";
    os.flush();
  }
  void done() {
    if (enabled && inPlace)
      os << "\r\033[K";
    os.flush();
  }

private:
  llvm::raw_ostream &os;
  bool enabled, inPlace;
  unsigned count = 0;
};

/// Reports each pass of the pipeline as a stage.
struct PassProgress : public PassInstrumentation {
  explicit PassProgress(ProgressDisplay &display) : display(display) {}
  void runBeforePass(Pass *pass, Operation *op) override {
    if (!isa<ModuleOp>(op) && pass->getArgument() != "")
      display.stage(pass->getArgument());
  }
  ProgressDisplay &display;
};

ProgressDisplay &progressDisplay() {
  static ProgressDisplay display(
      llvm::outs(),
      progress == Progress::Always ||
          (progress == Progress::Auto && llvm::outs().is_displayed()),
      progress != Progress::Always);
  return display;
}

int fail(const llvm::Twine &message) {
  llvm::errs() << "ds-compile: error: " << message << "\n";
  return 1;
}

LogicalResult writeText(const std::string &path, llvm::StringRef text) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return failure();
  os << text;
  return success();
}

LogicalResult dumpKernelFiles(const ::ds::runtime::Artifact &artifact,
                              const std::string &dir) {
  if (llvm::sys::fs::create_directories(dir))
    return failure();
  for (const ::ds::runtime::KernelDesc &k : artifact.kernels) {
    if (failed(writeText(dir + "/" + k.name + ".cu", k.source)))
      return failure();
    std::string resources;
    for (const ::ds::runtime::KernelBinary &b : k.binaries) {
      if (b.target.rfind("compute_", 0) == 0) {
        if (failed(writeText(dir + "/" + k.name + "." + b.target + ".ptx",
                             b.data)))
          return failure();
        continue;
      }
      resources += llvm::formatv("{0}: registers={1} spill_stores={2} "
                                 "spill_loads={3} shared_bytes={4}\n",
                                 b.target, b.registers, b.spillStoreBytes,
                                 b.spillLoadBytes, b.sharedBytes)
                       .str();
    }
    if (failed(writeText(dir + "/" + k.name + ".resources.txt", resources)))
      return failure();
  }
  return success();
}

void printReport(const ::ds::runtime::Artifact &artifact,
                 const mlir::ds::CompileReport &report) {
  llvm::raw_ostream &os = llvm::errs();
  os << llvm::formatv("ds-compile: {0} launches, {1} unique kernels, NVRTC "
                      "{2}, arena {3} bytes, weights {4} bytes\n",
                      artifact.launches.size(), artifact.kernels.size(),
                      report.nvrtcVersion, artifact.arenaBytes,
                      artifact.weights.size());
  for (const ::ds::runtime::BucketVariant &b : artifact.buckets)
    os << llvm::formatv("  bucket {0}: {1} launches, arena {2} bytes\n", b.name,
                        b.numLaunches, b.arenaBytes);
  os << llvm::formatv("  {0,-22} {1,-14} {2,10}  {3}\n", "kernel", "op",
                      "nvrtc ms", "target: regs/spill-st/spill-ld/smem");
  for (auto [k, r] : llvm::zip(artifact.kernels, report.kernels)) {
    std::string res;
    for (const ::ds::runtime::KernelBinary &b : k.binaries)
      if (b.registers >= 0)
        res += llvm::formatv("{0}: {1}/{2}/{3}/{4}  ", b.target, b.registers,
                             b.spillStoreBytes, b.spillLoadBytes, b.sharedBytes)
                   .str();
    os << llvm::formatv("  {0,-22} {1,-14} {2,10:F1}  {3}\n", k.name, r.op,
                        r.nvrtcMs, res);
  }
  os << llvm::formatv("  NVRTC {0} compiled, {1} from cache; {2:F1} ms summed, "
                      "{3:F1} ms elapsed in parallel; host module {4:F1} ms\n",
                      report.nvrtcCompiles, report.nvrtcCacheHits,
                      report.nvrtcTotalMs, report.nvrtcWallMs,
                      report.hostCompileMs);
  const ::ds::runtime::MemoryPlanDesc &p = artifact.plan;
  os << llvm::formatv(
      "  memory plan: arena {0} bytes ({1}), lower bound {2}, no reuse {3}, "
      "{4} in place; weights {5} bytes resident, {6} streamed per inference "
      "({7} staging x {8} bytes); predicted {9:F3} ms over the host link, "
      "{10:F3} ms over HBM\n",
      artifact.arenaBytes, p.heuristic, p.lowerBoundBytes, p.noReuseBytes,
      p.inPlace, p.residentWeightBytes, p.streamedBytesPerInference,
      p.stagingSlots, p.stagingSlotBytes, p.predictedHostLinkNs / 1e6,
      p.predictedHbmNs / 1e6);
}

/// Runs the compile; diagnostics go to the context's handler.
LogicalResult compile(MLIRContext &context, ModuleOp module,
                      const std::string &weightsPath, llvm::raw_ostream &os);

/// Parses a buffer and compiles it; the weights default to the file beside
/// the input.
LogicalResult parseAndCompile(MLIRContext &context, llvm::SourceMgr &sourceMgr,
                              llvm::raw_ostream &os) {
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return failure();
  std::string weights = weightsFile;
  mlir::ds::bindWeightsFile(*module, weights, inputFile);
  return compile(context, *module, weights, os);
}

/// Compiles one input buffer (the whole file, or one -split-input-file
/// chunk) in a fresh context.
LogicalResult processBuffer(std::unique_ptr<llvm::MemoryBuffer> buffer,
                            llvm::raw_ostream &os) {
  DialectRegistry registry;
  registry.insert<mlir::ds::DSDialect, func::FuncDialect>();
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  // Messages point at the op by location; dumping whole functions is noise.
  context.printOpOnDiagnostic(false);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  if (verifyDiagnostics) {
    SourceMgrDiagnosticVerifierHandler handler(sourceMgr, &context);
    (void)parseAndCompile(context, sourceMgr, os);
    return handler.verify();
  }
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  return parseAndCompile(context, sourceMgr, os);
}

/// Imports an ONNX model on the fly and compiles it.
LogicalResult processOnnx(llvm::raw_ostream &os) {
  DialectRegistry registry;
  mlir::ds::registerToolDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  context.printOpOnDiagnostic(false);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  std::string weights = weightsFile;
  bool temporaryWeights = weights.empty();
  FailureOr<OwningOpRef<ModuleOp>> module =
      mlir::ds::loadModel(inputFile, context, sourceMgr, weights);
  LogicalResult result =
      succeeded(module) ? compile(context, **module, weights, os) : failure();
  if (temporaryWeights && !weights.empty())
    llvm::sys::fs::remove(weights);
  return result;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "ds ahead-of-time compiler\n");

  if (mlir::ds::isOnnxPath(inputFile))
    return failed(processOnnx(llvm::outs())) ? 1 : 0;
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input = openInputFile(inputFile, &error);
  if (!input)
    return fail(error);
  if (splitInputFile)
    return failed(splitAndProcessBuffer(
               std::move(input),
               [](std::unique_ptr<llvm::MemoryBuffer> chunk,
                  llvm::raw_ostream &os) {
                 return processBuffer(std::move(chunk), os);
               },
               llvm::outs(), kDefaultSplitMarker, kDefaultSplitMarker))
               ? 1
               : 0;
  return failed(processBuffer(std::move(input), llvm::outs())) ? 1 : 0;
}

namespace {
LogicalResult compile(MLIRContext &context, ModuleOp module,
                      const std::string &weightsPath, llvm::raw_ostream &os) {
  ProgressDisplay &display = progressDisplay();
  PassManager pm(&context);
  pm.addInstrumentation(std::make_unique<PassProgress>(display));
  mlir::ds::InferencePipelineOptions pipelineOptions;
  for (const std::string &b : bindDims)
    pipelineOptions.bind.push_back(b);
  for (const std::string &b : buckets)
    pipelineOptions.buckets.push_back(b);
  if (!bucketMemoryLimit.empty()) {
    std::optional<uint64_t> limit = parseBytes(bucketMemoryLimit);
    if (!limit || *limit == 0 || *limit > uint64_t(INT64_MAX))
      return emitError(UnknownLoc::get(&context))
             << "--bucket-memory-limit: expected a byte count such as "
                "80000000, 512K, 64M or 16G, got '"
             << bucketMemoryLimit << "'";
    if (buckets.empty())
      return emitError(UnknownLoc::get(&context))
             << "--bucket-memory-limit needs --buckets";
    pipelineOptions.memoryLimit = static_cast<int64_t>(*limit);
  }
  // Weights the pipeline creates (constant folding) live in a temporary
  // file until they are copied into the artifact.
  llvm::SmallString<128> derived;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
          "ds-folded", "safetensors", derived))
    return emitError(UnknownLoc::get(&context))
           << "cannot create a temporary weights file: " << ec.message();
  llvm::FileRemover removeDerived(derived);
  pipelineOptions.weightsOut = std::string(derived);
  // Quantization rewrites matmuls on weights, so it runs before fusion
  // groups them; the memory plan comes last.
  pipelineOptions.fuse = false;
  mlir::ds::buildDSInferencePipeline(pm, pipelineOptions);
  // The quantized weights only feed the artifact: a temporary file.
  std::optional<llvm::FileRemover> quantizedWeights;
  if (quantize == Quantize::Int4) {
    SmallString<128> path;
    if (llvm::sys::fs::createTemporaryFile("ds-int4", "safetensors", path))
      return emitError(UnknownLoc::get(&context))
             << "cannot create a temporary file for the INT4 weights";
    quantizedWeights.emplace(path);
    mlir::ds::QuantizeInt4PassOptions q;
    q.groupSize = quantizeGroupSize;
    q.method = quantizeMethod;
    q.symmetric = !quantizeAsymmetric;
    q.minElements = quantizeMinElements;
    q.exclude = quantizeExclude;
    q.calibration.assign(quantizeCalibration.begin(),
                         quantizeCalibration.end());
    q.weightsOut = path.str().str();
    pm.addPass(mlir::ds::createQuantizeInt4Pass(q));
  }
  if (!noFuse) {
    mlir::ds::FusePassOptions fuse;
    fuse.reportFile = fusionReport;
    pm.addPass(mlir::ds::createFusePass(fuse));
  }
  mlir::ds::PlanMemoryPassOptions planOptions;
  if (!deviceMemoryBudget.empty()) {
    std::optional<uint64_t> budget = parseBytes(deviceMemoryBudget);
    if (!budget || *budget > uint64_t(INT64_MAX))
      return emitError(UnknownLoc::get(&context))
             << "--device-memory-budget: expected a byte count such as "
                "80000000, 512K, 64M or 16G, got '"
             << deviceMemoryBudget << "'";
    planOptions.deviceMemoryBudget = static_cast<int64_t>(*budget);
  }
  if (emit != Emit::Cuda)
    pm.addNestedPass<func::FuncOp>(mlir::ds::createPlanMemoryPass(planOptions));
  LogicalResult piped = pm.run(module);
  display.done();
  if (failed(piped))
    return failure();

  if (emit == Emit::Mlir) {
    module.print(os);
    return success();
  }
  if (emit == Emit::Cuda) {
    FailureOr<mlir::ds::ArtifactFunctions> functions =
        mlir::ds::getArtifactFunctions(module);
    if (failed(functions))
      return failure();
    for (func::FuncOp func : functions->functions) {
      if (functions->functions.size() > 1)
        os << "// function @" << func.getSymName() << "\n";
      FailureOr<mlir::ds::KernelProgram> program =
          mlir::ds::emitCudaKernels(func);
      if (failed(program))
        return failure();
      mlir::ds::printKernels(*program, os);
    }
    return success();
  }

  mlir::ds::ArtifactOptions options;
  options.weightsPath = weightsPath;
  if (!targets.empty())
    options.targets.assign(targets.begin(), targets.end());
  options.useNvrtc = !noNvrtc;
  if (!noNvrtcCache)
    options.nvrtcCacheDir = nvrtcCache.empty()
                                ? mlir::ds::NvrtcCache::defaultDir()
                                : std::string(nvrtcCache);
  options.buildHostModule = !noHostModule;
  options.shareKernels = !noShareKernels;
  mlir::ds::CompileReport report;
  display.stage("codegen, NVRTC and host module");
  FailureOr<::ds::runtime::Artifact> artifact =
      mlir::ds::buildArtifact(module, options, report);
  display.done();
  if (failed(artifact))
    return failure();
  Location loc = UnknownLoc::get(&context);
  if (!dumpKernels.empty() && failed(dumpKernelFiles(*artifact, dumpKernels)))
    return emitError(loc) << "cannot write kernels to '" << dumpKernels << "'";
  if (outputFile == "-")
    return emitError(loc)
           << "an output file is required for --emit=artifact (-o)";
  display.stage("writing " + outputFile);
  ::ds::runtime::Status st =
      ::ds::runtime::writeArtifactFile(*artifact, outputFile);
  display.done();
  if (!st)
    return emitError(loc) << st.message();
  if (!quiet)
    printReport(*artifact, report);
  return success();
}
} // namespace
