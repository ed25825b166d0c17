//===- Passes.h - ds passes and pipelines -----------------------*- C++ -*-===//

#ifndef DS_PASSES_PASSES_H
#define DS_PASSES_PASSES_H

#include "dialects/DS/DSDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir {
class RewritePatternSet;
namespace ds {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

/// Rewrites that remove inference no-ops (transpose pairs, identities).
void populateDeadNodeEliminationPatterns(RewritePatternSet &patterns);

/// Rewrites that raise exporter patterns (erf GELU, SiLU) to ds ops.
void populateRaisePatterns(RewritePatternSet &patterns);

/// Options of the default inference pipeline.
struct InferencePipelineOptions
    : public PassPipelineOptions<InferencePipelineOptions> {
  Option<bool> report{*this, "report",
                      llvm::cl::desc("Emit remarks with what each pass did"),
                      llvm::cl::init(false)};
  ListOption<std::string> bind{
      *this, "bind",
      llvm::cl::desc("Dim bindings for ds-static-shapes (name=N, "
                     "input[dim]=N); with none, shapes stay as imported")};
  Option<bool> allowDynamic{
      *this, "allow-dynamic",
      llvm::cl::desc("Let ds-static-shapes leave undeterminable dims dynamic"),
      llvm::cl::init(false)};
  ListOption<std::string> buckets{
      *this, "buckets",
      llvm::cl::desc("Batch buckets for ds-batch-buckets (name:v1,v2,...); "
                     "one static function per bucket instead of one")};
  Option<int64_t> memoryLimit{
      *this, "memory-limit",
      llvm::cl::desc("ds-batch-buckets: drop buckets estimated above this "
                     "many bytes (0: no limit)"),
      llvm::cl::init(0)};
  Option<std::string> weightsOut{
      *this, "weights-out",
      llvm::cl::desc("File for the weights ds-fold-constants creates "
                     "(default: beside the module's first weight file)")};
  Option<bool> fuse{
      *this, "fuse",
      llvm::cl::desc("Group ops into ds.fusion kernels (ds-fuse)"),
      llvm::cl::init(true)};
  Option<std::string> fusionReport{
      *this, "fusion-report",
      llvm::cl::desc("ds-fuse's report-file (JSON figures)")};
};

/// Cleanup and optimization passes run by ds-compile before codegen.
void buildDSInferencePipeline(OpPassManager &pm,
                              const InferencePipelineOptions &options);

/// Registers every ds pass and the `ds-inference-pipeline`.
void registerDSPassesAndPipelines();

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace ds
} // namespace mlir

#endif // DS_PASSES_PASSES_H
