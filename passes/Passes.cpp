//===- Passes.cpp - ds pipelines and registration -------------------------===//

#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void ds::buildDSInferencePipeline(OpPassManager &pm,
                                  const InferencePipelineOptions &options) {
  OpPassManager *funcPm = &pm.nest<func::FuncOp>();
  DeadNodeEliminationPassOptions dne;
  dne.report = options.report;
  // Cleanup first (less to infer), then shapes, then cleanup of what the
  // folding left dead, then pattern raising on the static graph.
  funcPm->addPass(createDeadNodeEliminationPass(dne));
  if (!options.buckets.empty()) {
    // One static function per bucket; the bucket pass binds and infers.
    BatchBucketsPassOptions buckets;
    buckets.buckets.assign(options.buckets.begin(), options.buckets.end());
    buckets.bind.assign(options.bind.begin(), options.bind.end());
    buckets.memoryLimit = options.memoryLimit;
    pm.addPass(createBatchBucketsPass(buckets));
    funcPm = &pm.nest<func::FuncOp>();
    funcPm->addPass(createDeadNodeEliminationPass());
  } else if (!options.bind.empty() || !options.allowDynamic) {
    StaticShapesPassOptions shapes;
    shapes.bind.assign(options.bind.begin(), options.bind.end());
    shapes.allowDynamic = options.allowDynamic;
    funcPm->addPass(createStaticShapesPass(shapes));
    funcPm->addPass(createDeadNodeEliminationPass());
  }
  // Weight subgraphs (transposed weights, folded batch norms) become
  // weights once shapes are static.
  FoldConstantsPassOptions fold;
  fold.weightsOut = options.weightsOut;
  fold.report = options.report;
  pm.addPass(createFoldConstantsPass(fold));
  funcPm = &pm.nest<func::FuncOp>();
  funcPm->addPass(createRaisePatternsPass());
  funcPm->addPass(createCanonicalizerPass());
  funcPm->addPass(createCSEPass());
  // Fusion last: it needs the final static graph (it leaves functions with
  // dynamic shapes alone).
  if (options.fuse) {
    FusePassOptions fuse;
    fuse.report = options.report;
    fuse.reportFile = options.fusionReport;
    pm.addPass(createFusePass(fuse));
  }
}

void ds::registerDSPassesAndPipelines() {
  registerDSPasses();
  PassPipelineRegistration<InferencePipelineOptions>(
      "ds-inference-pipeline",
      "Cleanup and optimization of an imported model before codegen",
      buildDSInferencePipeline);
}
