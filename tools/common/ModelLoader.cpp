//===- ModelLoader.cpp - load .mlir or .onnx models for the tools ---------===//

#include "tools/common/ModelLoader.h"

#include "codegen/ArtifactBuilder.h"
#include "dialects/DS/DSDialect.h"
#include "passes/WeightStore.h"
#include "tools/common/ReferenceProgram.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#ifdef DS_HAVE_ONNX_IMPORT
#include "tools/ds-import/OnnxImporter.h"
#endif

using namespace mlir;

bool mlir::ds::isOnnxPath(llvm::StringRef path) {
  return path.ends_with(".onnx");
}

void mlir::ds::registerToolDialects(DialectRegistry &registry) {
  registry.insert<mlir::ds::DSDialect, func::FuncDialect>();
}

/// `<dir>/<stem>.safetensors` beside `path`.
static std::string besideModel(llvm::StringRef path) {
  llvm::SmallString<256> p(path);
  llvm::sys::path::replace_extension(p, ".safetensors");
  return std::string(p);
}

FailureOr<OwningOpRef<ModuleOp>> mlir::ds::loadModel(llvm::StringRef path,
                                                     MLIRContext &context,
                                                     llvm::SourceMgr &sourceMgr,
                                                     std::string &weightsPath) {
  if (isOnnxPath(path)) {
#ifdef DS_HAVE_ONNX_IMPORT
    OnnxImportOptions options;
    if (weightsPath.empty()) {
      llvm::SmallString<128> tmp;
      if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
              llvm::sys::path::stem(path), "safetensors", tmp))
        return emitError(UnknownLoc::get(&context))
               << "cannot create a temporary weights file: " << ec.message();
      weightsPath = std::string(tmp);
    }
    options.weightsPath = weightsPath;
    return importOnnxModel(path.str(), context, options);
#else
    return emitError(UnknownLoc::get(&context))
           << "this build has no ONNX importer (libonnx was not found)";
#endif
  }
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input = openInputFile(path, &error);
  if (!input)
    return emitError(UnknownLoc::get(&context)) << error;
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return failure();
  bindWeightsFile(*module, weightsPath, path);
  return std::move(module);
}

void mlir::ds::bindWeightsFile(ModuleOp module, std::string &weightsPath,
                               llvm::StringRef modelPath) {
  SmallVector<std::string> files = getWeightFiles(module);
  if (!weightsPath.empty()) {
    if (files.empty())
      files.push_back(weightsPath);
    else
      files.front() = weightsPath;
    setWeightFiles(module, files);
    return;
  }
  if (!files.empty())
    return;
  if (modelPath != "-" && !isOnnxPath(modelPath) &&
      llvm::sys::fs::exists(besideModel(modelPath))) {
    weightsPath = besideModel(modelPath);
    setWeightFiles(module, {weightsPath});
  }
}

namespace ds::tools {
::ds::runtime::StatusOr<::ds::runtime::Artifact>
buildReferenceProgram(const std::string &modelPath,
                      const std::string &weightsPath) {
  DialectRegistry registry;
  mlir::ds::registerToolDialects(registry);
  MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  llvm::SourceMgr sourceMgr;
  std::string messages;
  llvm::raw_string_ostream os(messages);
  SourceMgrDiagnosticHandler handler(sourceMgr, &context, os);

  std::string weights = weightsPath;
  FailureOr<OwningOpRef<ModuleOp>> module =
      mlir::ds::loadModel(modelPath, context, sourceMgr, weights);
  // Messages without a location read better without "<unknown>:0: error: ".
  auto clean = [&] {
    std::string text = messages;
    for (llvm::StringRef prefix : {"<unknown>:0: error: ", "error: "})
      for (size_t pos; (pos = text.find(prefix.str())) != std::string::npos;)
        text.erase(pos, prefix.size());
    while (!text.empty() && text.back() == '\n')
      text.pop_back();
    return text;
  };
  if (failed(module))
    return ::ds::runtime::Status::error(clean());
  mlir::ds::ArtifactOptions options;
  options.referenceOnly = true;
  options.weightsPath = weights;
  mlir::ds::CompileReport report;
  FailureOr<::ds::runtime::Artifact> artifact =
      mlir::ds::buildArtifact(**module, options, report);
  if (mlir::ds::isOnnxPath(modelPath) && weightsPath.empty())
    llvm::sys::fs::remove(weights);
  if (failed(artifact))
    return ::ds::runtime::Status::error(clean());
  return std::move(*artifact);
}
} // namespace ds::tools
