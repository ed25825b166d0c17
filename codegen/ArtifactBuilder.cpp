//===- ArtifactBuilder.cpp - ds module to a compiled artifact -------------===//

#include "codegen/ArtifactBuilder.h"
#include "codegen/CudaEmitter.h"
#include "codegen/HostCompiler.h"
#include "codegen/NvrtcCompiler.h"
#include "dialects/DS/DSOps.h"
#include "passes/MemoryPlan.h"
#include "passes/MemoryPlanner.h"
#include "passes/Passes.h"
#include "passes/ReferenceBridge.h"
#include "passes/WeightStore.h"
#include "runtime/SafeTensors.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cstring>
#include <optional>

using namespace mlir;
using namespace mlir::ds;
namespace rt = ::ds::runtime;

FailureOr<func::FuncOp> mlir::ds::getEntryFunction(ModuleOp module) {
  SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
  for (func::FuncOp f : funcs)
    if (f.getSymName() == "main")
      return f;
  if (funcs.size() == 1)
    return funcs.front();
  module.emitError("expected a function named @main or exactly one function, "
                   "found ")
      << funcs.size();
  return failure();
}

FailureOr<ArtifactFunctions> mlir::ds::getArtifactFunctions(ModuleOp module) {
  ArtifactFunctions result;
  auto table = module->getAttrOfType<DictionaryAttr>("ds.buckets");
  if (!table) {
    FailureOr<func::FuncOp> entry = getEntryFunction(module);
    if (failed(entry))
      return failure();
    result.functions.push_back(*entry);
    return result;
  }
  auto bad = [&](StringRef what) {
    return module.emitError("malformed ds.buckets table: ") << what;
  };
  auto dim = table.getAs<StringAttr>("dim");
  auto values = table.getAs<DenseI64ArrayAttr>("values");
  auto functions = table.getAs<ArrayAttr>("functions");
  auto inputAxes = table.getAs<DenseI64ArrayAttr>("input_axes");
  auto resultAxes = table.getAs<DenseI64ArrayAttr>("result_axes");
  if (!dim || !values || !functions || !inputAxes || !resultAxes ||
      values.size() != static_cast<int64_t>(functions.size()) || values.empty())
    return bad("expected dim, values, functions (as many as values), "
               "input_axes and result_axes (run ds-batch-buckets)");
  result.bucketDim = dim.str();
  result.bucketValues.assign(values.asArrayRef().begin(),
                             values.asArrayRef().end());
  result.inputAxes.assign(inputAxes.asArrayRef().begin(),
                          inputAxes.asArrayRef().end());
  result.resultAxes.assign(resultAxes.asArrayRef().begin(),
                           resultAxes.asArrayRef().end());
  for (Attribute a : functions) {
    auto ref = dyn_cast<FlatSymbolRefAttr>(a);
    auto f = ref ? module.lookupSymbol<func::FuncOp>(ref) : func::FuncOp();
    if (!f)
      return bad("a function entry is not a function of the module");
    if (f.getNumArguments() != result.inputAxes.size() ||
        f.getNumResults() != result.resultAxes.size())
      return bad("the axes do not match @" + f.getSymName().str() +
                 "'s signature");
    result.functions.push_back(f);
  }
  return result;
}

namespace {

uint64_t alignTo(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

class ArtifactLowering {
public:
  ArtifactLowering(ArtifactFunctions functions, const ArtifactOptions &options,
                   CompileReport &report)
      : functions(std::move(functions)), func(this->functions.functions[0]),
        options(options), report(report) {}

  FailureOr<rt::Artifact> run();

private:
  FailureOr<rt::Artifact> runReferenceOnly();
  /// Name of function result `i` (`ds.name`, else "output<i>").
  std::string outputName(unsigned i);
  /// Makes `v`'s own buffer the output named `name`.
  void markOutput(Value v, const std::string &name);
  /// A fresh output buffer for `v`, filled by a byte copy in the reference
  /// program (appended to `copies`).
  FailureOr<uint32_t> addOutputCopy(Value v, const std::string &name,
                                    std::vector<rt::RefOp> &copies);
  FailureOr<uint32_t> addBuffer(Value v, rt::BufferDesc::Kind kind,
                                std::string name) {
    return addBuffer(v, v.getType(), kind, std::move(name));
  }
  FailureOr<uint32_t> addBuffer(Value v, Type type, rt::BufferDesc::Kind kind,
                                std::string name);
  LogicalResult assignBuffers();
  /// Arena offsets, weight placement and figures from ds-plan-memory's
  /// attributes.
  LogicalResult applyMemoryPlan();
  /// Staging copies of streamed weights, per launch (after the launches).
  LogicalResult assignStaging();
  LogicalResult loadWeights();
  void buildReference();
  /// Lowers `func` (one bucket, or the whole program): buffers, outputs,
  /// reference ops, arena offsets and launches; its kernels are appended to
  /// `kernels` (launch.kernel indexes them until compileKernels).
  LogicalResult lowerFunction(SmallVectorImpl<EmittedKernel> &kernels,
                              rt::BucketVariant &bucket);
  /// Shares identical kernels, compiles each unique one (NVRTC per target,
  /// host module) and points the launches at them.
  LogicalResult compileKernels(ArrayRef<EmittedKernel> emitted);

  ArtifactFunctions functions;
  func::FuncOp func; ///< the function being lowered
  const ArtifactOptions &options;
  CompileReport &report;
  rt::Artifact artifact;
  /// Buffers of the values of `func` (cleared per function).
  llvm::DenseMap<Value, uint32_t> bufferOf;
  /// Op (ds.weight or ds.constant) of each weight-blob buffer, for messages.
  llvm::DenseMap<uint32_t, Operation *> weightOps;
  /// Weight and constant buffers shared by every function (getWeightKey).
  llvm::DenseMap<Attribute, uint32_t> weightByKey;
  /// Output-copy buffers of `func` by function result index.
  llvm::DenseMap<uint32_t, unsigned> outputCopyResult;
  /// The arena figures of `func`'s plan (applyMemoryPlan).
  uint64_t functionArenaBytes = 0;
  rt::MemoryPlanDesc functionPlan;
};

FailureOr<uint32_t> ArtifactLowering::addBuffer(Value v, Type valueType,
                                                rt::BufferDesc::Kind kind,
                                                std::string name) {
  auto type = cast<RankedTensorType>(valueType);
  std::optional<rt::DType> dtype = toDType(type.getElementType());
  if (!dtype) {
    Operation *where = v.getDefiningOp() ? v.getDefiningOp() : func;
    where->emitOpError("unimplemented: element type ")
        << type.getElementType() << " in an artifact";
    return failure();
  }
  rt::BufferDesc b;
  b.kind = kind;
  b.name = std::move(name);
  b.type.dtype = *dtype;
  for (int64_t d : type.getShape())
    b.type.shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
  artifact.buffers.push_back(std::move(b));
  uint32_t id = artifact.buffers.size() - 1;
  if (v)
    bufferOf[v] = id;
  return id;
}

LogicalResult ArtifactLowering::assignBuffers() {
  using Kind = rt::BufferDesc::Kind;
  for (BlockArgument arg : func.getArguments()) {
    std::string name = "input" + std::to_string(arg.getArgNumber());
    if (auto attr =
            func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "ds.name"))
      name = attr.str();
    FailureOr<uint32_t> id = addBuffer(arg, Kind::Input, name);
    if (failed(id))
      return failure();
    artifact.inputs.push_back(*id);
  }
  unsigned constants = 0;
  // Ops of fusion bodies come right after their fusion's results: the
  // reference program runs them unfused (block arguments and yielded values
  // share the fusion's operand and result buffers).
  SmallVector<Operation *> ops;
  for (Operation &op : func.getBody().front()) {
    ops.push_back(&op);
    if (auto fusion = dyn_cast<FusionOp>(op))
      for (Operation &inner : fusion.getBody().front())
        ops.push_back(&inner);
  }
  for (Operation *opPtr : ops) {
    Operation &op = *opPtr;
    if (isa<func::ReturnOp, YieldOp>(op))
      continue;
    if (auto fusion = dyn_cast<FusionOp>(op)) {
      for (Value r : fusion.getResults())
        if (failed(addBuffer(r, Kind::Intermediate, "")))
          return failure();
      Block &body = fusion.getBody().front();
      for (auto [arg, input] :
           llvm::zip(body.getArguments(), fusion.getInputs()))
        bufferOf[arg] = bufferOf.at(input);
      for (auto [v, r] :
           llvm::zip(fusion.getYield().getValues(), fusion.getResults()))
        bufferOf[v] = bufferOf.at(r);
      continue;
    }
    Value result = op.getResult(0);
    // Yielded values already have their fusion result's buffer.
    if (bufferOf.count(result))
      continue;
    // Views (isViewOp) reinterpret their operand's bytes: no kernel, no
    // storage of their own (the reference program gives them a buffer).
    // Inside a fusion body a view is a plain reference-program value.
    if (isViewOp(&op) && !options.referenceOnly &&
        op.getParentRegion() == &func.getBody()) {
      FailureOr<uint32_t> view = addBuffer(result, Kind::View, "");
      if (failed(view))
        return failure();
      artifact.buffers[*view].aliasOf = bufferOf.at(op.getOperand(0));
      continue;
    }
    // A weight or constant another op already has (by getWeightKey: name
    // or value, in any function) keeps its buffer: one copy in the weights
    // section, as ds-plan-memory counts it.
    if (isa<WeightOp, ConstantOp>(op)) {
      if (auto it = weightByKey.find(getWeightKey(&op));
          it != weightByKey.end()) {
        bufferOf[result] = it->second;
        continue;
      }
    }
    FailureOr<uint32_t> id =
        llvm::TypeSwitch<Operation *, FailureOr<uint32_t>>(&op)
            .Case([&](WeightOp w) {
              return addBuffer(result, Kind::Weight, w.getName().str());
            })
            .Case([&](ConstantOp) {
              return addBuffer(result, Kind::Constant,
                               "constant" + std::to_string(constants++));
            })
            .Default([&](Operation *) {
              return addBuffer(result, Kind::Intermediate, "");
            });
    if (failed(id))
      return failure();
    if (isa<WeightOp, ConstantOp>(op))
      weightOps[*id] = &op;
    if (isa<WeightOp, ConstantOp>(op))
      weightByKey.try_emplace(getWeightKey(&op), *id);
  }
  return success();
}

LogicalResult ArtifactLowering::loadWeights() {
  std::optional<ModuleWeights> files;
  // Resident weights first: they form the prefix the runtime uploads once;
  // streamed ones follow (see MemoryPlanDesc::residentWeightBytes).
  for (bool streamedPass : {false, true}) {
    if (streamedPass)
      artifact.plan.residentWeightBytes = artifact.weights.size();
    for (auto [id, b] : llvm::enumerate(artifact.buffers)) {
      Operation *op = weightOps.lookup(id);
      if (!op || b.streamed != streamedPass)
        continue;
      artifact.weights.resize(alignTo(artifact.weights.size(), 64), '\0');
      b.offset = artifact.weights.size();
      if (auto c = dyn_cast<ConstantOp>(op)) {
        auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
        if (!dense)
          return c.emitOpError("unimplemented: non-dense constant value");
        artifact.weights += constantBytes(dense, b.type.dtype);
        continue;
      }
      if (!files) {
        FailureOr<ModuleWeights> opened = ModuleWeights::open(
            func->getParentOfType<ModuleOp>(), options.weightsPath);
        if (failed(opened))
          return failure();
        files = std::move(*opened);
      }
      FailureOr<rt::SafeTensorEntry> entry = files->lookup(cast<WeightOp>(op));
      if (failed(entry))
        return failure();
      artifact.weights.append(reinterpret_cast<const char *>(entry->data),
                              entry->byteSize);
    }
  }
  return success();
}

LogicalResult ArtifactLowering::applyMemoryPlan() {
  auto plan = func->getAttrOfType<DictionaryAttr>(kMemoryPlanAttr);
  if (!plan)
    return func.emitOpError("has no memory plan (run ds-plan-memory)");
  auto figure = [&](StringRef name) -> uint64_t {
    auto a = plan.getAs<IntegerAttr>(name);
    return a ? a.getValue().getZExtValue() : 0;
  };
  functionArenaBytes = figure("arena_bytes");
  functionPlan = rt::MemoryPlanDesc();
  rt::MemoryPlanDesc &p = functionPlan;
  if (auto h = plan.getAs<StringAttr>("heuristic"))
    p.heuristic = h.str();
  p.lowerBoundBytes = figure("lower_bound_bytes");
  p.noReuseBytes = figure("no_reuse_bytes");
  p.inPlace = figure("in_place");
  p.deviceBudgetBytes = figure("device_budget_bytes");
  p.predictedHostLinkNs = figure("predicted_host_link_ns");
  p.predictedHbmNs = figure("predicted_hbm_ns");

  auto missing = [&](Operation *where) {
    return where->emitOpError("has no arena offset in the memory plan (run "
                              "ds-plan-memory after the last transformation)");
  };
  // Values of fusion bodies: block arguments and yielded values share the
  // fusion's operand and result buffers; the others exist only in the
  // reference program (the fused kernel keeps them in registers): no launch
  // touches them, so they take no arena bytes (runtime/Artifact.h,
  // isLaunchBuffer).
  llvm::DenseSet<uint32_t> outer;
  for (auto [v, id] : bufferOf)
    if (v.getParentRegion() == &func.getBody())
      outer.insert(id);
  for (auto [v, id] : bufferOf) {
    rt::BufferDesc &b = artifact.buffers[id];
    using Kind = rt::BufferDesc::Kind;
    if (v.getParentRegion() != &func.getBody()) {
      if (!outer.contains(id) && b.kind == Kind::Intermediate) {
        b.offset = 0;
      }
      continue;
    }
    if (b.kind == Kind::Weight) {
      // A weight shared by buckets is streamed if any bucket's plan
      // streams it.
      auto placement =
          v.getDefiningOp()->getAttrOfType<StringAttr>(kPlacementAttr);
      b.streamed |= placement && placement.getValue() == "host";
      continue;
    }
    if (b.kind != Kind::Input && b.kind != Kind::Output &&
        b.kind != Kind::Intermediate)
      continue;
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      auto offset = func.getArgAttrOfType<IntegerAttr>(arg.getArgNumber(),
                                                       kArenaOffsetAttr);
      if (!offset)
        return missing(func);
      b.offset = offset.getInt();
      continue;
    }
    auto result = cast<OpResult>(v);
    auto offsets =
        result.getOwner()->getAttrOfType<DenseI64ArrayAttr>(kArenaOffsetsAttr);
    if (!offsets || offsets.size() != static_cast<int64_t>(
                                          result.getOwner()->getNumResults()))
      return missing(result.getOwner());
    b.offset = offsets[result.getResultNumber()];
  }
  for (auto [id, resultIndex] : outputCopyResult) {
    auto offset =
        func.getResultAttrOfType<IntegerAttr>(resultIndex, kArenaOffsetAttr);
    if (!offset)
      return missing(func);
    artifact.buffers[id].offset = offset.getInt();
  }
  return success();
}

LogicalResult ArtifactLowering::assignStaging() {
  namespace mp = ::ds::memplan;
  std::vector<uint32_t> weightIds;
  std::vector<bool> streamed;
  std::vector<mp::WeightUse> weights;
  llvm::DenseMap<uint32_t, uint32_t> weightIndex;
  for (auto [id, b] : llvm::enumerate(artifact.buffers)) {
    if (b.kind != rt::BufferDesc::Kind::Weight &&
        b.kind != rt::BufferDesc::Kind::Constant)
      continue;
    weightIndex[id] = weightIds.size();
    weightIds.push_back(id);
    streamed.push_back(b.streamed);
    weights.push_back({b.type.byteSize(), {}, b.streamed});
  }
  // Each bucket's launch range is staged on its own (one bucket runs per
  // inference); the slots are sized for the largest.
  SmallVector<std::pair<uint32_t, uint32_t>> ranges;
  for (const rt::BucketVariant &v : artifact.buckets)
    ranges.push_back({v.firstLaunch, v.numLaunches});
  if (ranges.empty())
    ranges.push_back({0, static_cast<uint32_t>(artifact.launches.size())});
  rt::MemoryPlanDesc &p = artifact.plan;
  p.stagingSlots = 0;
  p.stagingSlotBytes = 0;
  p.streamedBytesPerInference = 0;
  uint64_t residentBytes = 0;
  for (auto [first, count] : ranges) {
    mp::TieringRequest request;
    request.arenaBytes = artifact.arenaBytes;
    request.numSteps = count;
    request.alignment = options.alignment;
    request.weights = weights;
    for (uint32_t step = 0; step < count; ++step)
      for (uint32_t arg : artifact.launches[first + step].args) {
        uint32_t root = arg;
        while (artifact.buffers[root].kind == rt::BufferDesc::Kind::View)
          root = artifact.buffers[root].aliasOf;
        if (auto it = weightIndex.find(root); it != weightIndex.end())
          request.weights[it->second].steps.push_back(step);
      }
    mp::TieringPlan staging;
    mp::assignStaging(request, streamed, staging);
    for (const mp::StepStaging &st : staging.staging)
      for (auto [w, offset] : st.weights)
        artifact.launches[first + st.step].stage.push_back(
            {weightIds[w], st.slot, offset});
    p.stagingSlots = std::max(p.stagingSlots, staging.stagingSlots);
    p.stagingSlotBytes = std::max(p.stagingSlotBytes, staging.stagingSlotBytes);
    p.streamedBytesPerInference = std::max(p.streamedBytesPerInference,
                                           staging.streamedBytesPerInference);
    residentBytes = staging.residentWeightBytes;
  }
  uint64_t deviceBytes =
      artifact.arenaBytes + residentBytes + p.stagingSlots * p.stagingSlotBytes;
  if (p.deviceBudgetBytes && deviceBytes > p.deviceBudgetBytes)
    return func.emitOpError("the kernels need ")
           << deviceBytes
           << " device bytes (arena, resident weights and staging), over the "
              "device memory budget of "
           << p.deviceBudgetBytes << " bytes";
  return success();
}

void ArtifactLowering::buildReference() {
  SmallVector<Operation *> ops;
  for (Operation &op : func.getBody().front()) {
    if (auto fusion = dyn_cast<FusionOp>(op)) {
      for (Operation &inner : fusion.getBody().front())
        ops.push_back(&inner);
      continue;
    }
    ops.push_back(&op);
  }
  for (Operation *opPtr : ops) {
    Operation &op = *opPtr;
    if (isa<func::ReturnOp, YieldOp, WeightOp, ConstantOp>(op))
      continue;
    rt::RefOp ref = toRefOp(&op);
    for (Value v : op.getOperands())
      ref.operands.push_back(bufferOf.at(v));
    for (Value v : op.getResults())
      ref.results.push_back(bufferOf.at(v));
    artifact.reference.push_back(std::move(ref));
  }
}

LogicalResult
ArtifactLowering::compileKernels(ArrayRef<EmittedKernel> emitted) {
  UniqueKernels program = uniqueKernels(emitted, options.shareKernels);
  for (rt::LaunchDesc &launch : artifact.launches)
    launch.kernel = program.indexOf[launch.kernel];
  size_t numTargets = options.useNvrtc ? options.targets.size() : 0;
  std::vector<NvrtcOutput> outputs(program.kernels.size() * numTargets);
  if (numTargets) {
    NvrtcCache cache(options.nvrtcCacheDir);
    std::vector<char> hits(outputs.size(), 0);
    auto start = std::chrono::steady_clock::now();
    llvm::DefaultThreadPool pool(llvm::hardware_concurrency());
    for (auto [i, k] : llvm::enumerate(program.kernels))
      for (size_t t = 0; t < numTargets; ++t)
        pool.async([&, i = i, t] {
          bool hit = false;
          outputs[i * numTargets + t] =
              cache.compile(program.kernels[i].source, program.kernels[i].name,
                            options.targets[t], hit);
          hits[i * numTargets + t] = hit;
        });
    pool.wait();
    report.nvrtcWallMs = std::chrono::duration<double, std::milli>(
                             std::chrono::steady_clock::now() - start)
                             .count();
    for (char h : hits)
      ++(h ? report.nvrtcCacheHits : report.nvrtcCompiles);
  }
  bool failedAny = false;
  for (auto [i, k] : llvm::enumerate(program.kernels)) {
    rt::KernelDesc desc;
    desc.name = k.name;
    desc.source = k.source;
    CompileReport::Kernel rk;
    rk.name = k.name;
    rk.op = k.op ? k.op->getName().getStringRef().str() : "output copy";
    for (size_t t = 0; t < numTargets; ++t) {
      NvrtcOutput &out = outputs[i * numTargets + t];
      rk.nvrtcMs += out.compileMs;
      if (!out.ok) {
        Operation *where = k.op ? k.op : func.getOperation();
        InFlightDiagnostic diag =
            where->emitOpError("NVRTC failed to compile kernel '")
            << k.name << "' for " << options.targets[t];
        diag.attachNote() << "NVRTC log:\n" << out.log;
        failedAny = true;
        continue;
      }
      desc.binaries.push_back(std::move(out.binary));
    }
    report.nvrtcTotalMs += rk.nvrtcMs;
    report.kernels.push_back(std::move(rk));
    artifact.kernels.push_back(std::move(desc));
  }
  if (failedAny)
    return failure();

  if (options.buildHostModule) {
    SmallVector<HostKernel> hostKernels;
    for (const EmittedKernel &k : program.kernels)
      hostKernels.push_back({k.name, k.source, k.paramTypes});
    HostModuleResult host = compileHostModule(hostKernels);
    report.hostCompileMs = host.compileMs;
    if (!host.ok) {
      func.emitError("compiling the kernels for the host (CUDA emulation) "
                     "failed")
              .attachNote()
          << host.log;
      return failure();
    }
    artifact.hostModule = std::move(host.module);
  }
  return success();
}

std::string ArtifactLowering::outputName(unsigned i) {
  if (auto attr = func.getResultAttrOfType<StringAttr>(i, "ds.name"))
    return attr.str();
  return "output" + std::to_string(i);
}

void ArtifactLowering::markOutput(Value v, const std::string &name) {
  rt::BufferDesc &b = artifact.buffers[bufferOf.at(v)];
  b.kind = rt::BufferDesc::Kind::Output;
  b.name = name;
  artifact.outputs.push_back(bufferOf.at(v));
}

FailureOr<uint32_t>
ArtifactLowering::addOutputCopy(Value v, const std::string &name,
                                std::vector<rt::RefOp> &copies) {
  FailureOr<uint32_t> id =
      addBuffer(Value(), v.getType(), rt::BufferDesc::Kind::Output, name);
  if (failed(id))
    return failure();
  artifact.outputs.push_back(*id);
  rt::RefOp ref;
  ref.op = "reshape"; // a byte copy with the result's type
  ref.operands = {bufferOf.at(v)};
  ref.results = {*id};
  ref.location = "output copy of '" + name + "'";
  copies.push_back(std::move(ref));
  return id;
}

FailureOr<rt::Artifact> ArtifactLowering::runReferenceOnly() {
  if (failed(assignBuffers()))
    return failure();
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  // A value computed by an op becomes the output buffer itself; inputs,
  // weights, constants and values returned twice get their own buffer and a
  // byte copy (their shapes are known).
  llvm::SmallPtrSet<Value, 8> taken;
  std::vector<rt::RefOp> copies;
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    Operation *def = v.getDefiningOp();
    if (def && !isa<WeightOp, ConstantOp>(def) && taken.insert(v).second)
      markOutput(v, outputName(i));
    else if (failed(addOutputCopy(v, outputName(i), copies)))
      return failure();
  }
  buildReference();
  llvm::append_range(artifact.reference, copies);
  if (failed(loadWeights()))
    return failure();
  artifact.producer = "ds reference program";
  return std::move(artifact);
}

LogicalResult
ArtifactLowering::lowerFunction(SmallVectorImpl<EmittedKernel> &kernels,
                                rt::BucketVariant &bucket) {
  bufferOf.clear();
  outputCopyResult.clear();
  FailureOr<KernelProgram> program = emitCudaKernels(func);
  if (failed(program))
    return failure();
  if (failed(assignBuffers()))
    return failure();

  // Outputs: a computed value becomes an Output buffer in place; others were
  // given a copy kernel whose last argument is a fresh Output buffer.
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  std::vector<uint32_t> copyOutputBuffer(program->kernels.size(), ~0u);
  std::vector<rt::RefOp> copies;
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    int copy = program->outputCopyKernel[i];
    if (copy < 0) {
      markOutput(v, outputName(i));
      continue;
    }
    FailureOr<uint32_t> id = addOutputCopy(v, outputName(i), copies);
    if (failed(id))
      return failure();
    copyOutputBuffer[copy] = *id;
    outputCopyResult[*id] = i;
  }
  // Reference ops of the function come before the output copies.
  bucket.firstReference = artifact.reference.size();
  buildReference();
  llvm::append_range(artifact.reference, copies);
  bucket.numReferences = artifact.reference.size() - bucket.firstReference;

  if (failed(applyMemoryPlan()))
    return failure();
  bucket.arenaBytes = functionArenaBytes;

  bucket.firstLaunch = artifact.launches.size();
  for (auto [i, k] : llvm::enumerate(program->kernels)) {
    rt::LaunchDesc launch;
    launch.kernel = kernels.size() + i;
    std::copy(k.grid.begin(), k.grid.end(), launch.grid);
    std::copy(k.block.begin(), k.block.end(), launch.block);
    for (Value v : k.args)
      launch.args.push_back(v ? bufferOf.at(v) : copyOutputBuffer[i]);
    artifact.launches.push_back(std::move(launch));
  }
  bucket.numLaunches = artifact.launches.size() - bucket.firstLaunch;
  llvm::append_range(kernels, program->kernels);
  return success();
}

FailureOr<rt::Artifact> ArtifactLowering::run() {
  if (options.referenceOnly)
    return runReferenceOnly();
  report.nvrtcVersion = getNvrtcVersion();
  bool bucketed = !functions.bucketDim.empty();
  SmallVector<EmittedKernel> kernels;
  uint64_t lowerBound = 0;
  for (auto [b, f] : llvm::enumerate(functions.functions)) {
    func = f;
    rt::BucketVariant bucket;
    if (failed(lowerFunction(kernels, bucket)))
      return failure();
    // One arena for every bucket (one runs at a time): the largest bucket's
    // plan gives the figures.
    if (b == 0 || functionArenaBytes > artifact.arenaBytes) {
      artifact.arenaBytes = functionArenaBytes;
      artifact.plan = functionPlan;
    }
    lowerBound = std::max(lowerBound, functionPlan.lowerBoundBytes);
    if (!bucketed)
      continue;
    int64_t value = functions.bucketValues[b];
    bucket.name = functions.bucketDim + "=" + std::to_string(value);
    bucket.dims[functions.bucketDim] = value;
    bucket.inputs = std::move(artifact.inputs);
    bucket.outputs = std::move(artifact.outputs);
    artifact.inputs.clear();
    artifact.outputs.clear();
    artifact.buckets.push_back(std::move(bucket));
  }
  artifact.plan.lowerBoundBytes = lowerBound;
  if (bucketed) {
    // The signature: the largest bucket's buffers (names and types).
    artifact.inputs = artifact.buckets.back().inputs;
    artifact.outputs = artifact.buckets.back().outputs;
    for (int64_t axis : functions.inputAxes)
      artifact.inputBucketAxes.push_back(static_cast<int32_t>(axis));
    for (int64_t axis : functions.resultAxes)
      artifact.outputBucketAxes.push_back(static_cast<int32_t>(axis));
  }
  if (failed(loadWeights()))
    return failure();
  if (failed(assignStaging()))
    return failure();
  if (failed(compileKernels(kernels)))
    return failure();
  artifact.producer = "ds-compile (NVRTC " + report.nvrtcVersion + ")";
  return std::move(artifact);
}

} // namespace

FailureOr<rt::Artifact> mlir::ds::buildArtifact(ModuleOp module,
                                                const ArtifactOptions &options,
                                                CompileReport &report) {
  FailureOr<ArtifactFunctions> functions =
      options.referenceOnly ? FailureOr<ArtifactFunctions>(failure())
                            : getArtifactFunctions(module);
  if (options.referenceOnly) {
    FailureOr<func::FuncOp> entry = getEntryFunction(module);
    if (failed(entry))
      return failure();
    functions = ArtifactFunctions();
    functions->functions.push_back(*entry);
  }
  if (failed(functions))
    return failure();
  // The plan normally comes from ds-compile's pipeline; plan here for
  // callers that skip it.
  for (func::FuncOp func : functions->functions) {
    if (options.referenceOnly || func->hasAttr(kMemoryPlanAttr))
      continue;
    PassManager pm(module.getContext(), func::FuncOp::getOperationName());
    PlanMemoryPassOptions planOptions;
    planOptions.alignment = options.alignment;
    pm.addPass(createPlanMemoryPass(planOptions));
    if (failed(pm.run(func)))
      return failure();
  }
  return ArtifactLowering(std::move(*functions), options, report).run();
}
