//===- ModelLoader.h - load .mlir or .onnx models for the tools -*- C++ -*-===//
//
// Wherever a tool accepts `.mlir`, it accepts `.onnx` too: ONNX models are
// imported on the fly (weights written to a temporary safetensors file).
//
//===----------------------------------------------------------------------===//

#ifndef DS_TOOLS_COMMON_MODELLOADER_H
#define DS_TOOLS_COMMON_MODELLOADER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/SourceMgr.h"

#include <string>

namespace mlir::ds {

/// True for paths ending in ".onnx".
bool isOnnxPath(llvm::StringRef path);

/// Parses `path` (.mlir; `-` is stdin) into `sourceMgr`, or imports it
/// (.onnx). `weightsPath` is in/out: when empty, it becomes the weights file
/// beside the model (`<stem>.safetensors`, if it exists) or, for ONNX, the
/// file the importer wrote. Diagnostics go to the context's handler.
FailureOr<OwningOpRef<ModuleOp>> loadModel(llvm::StringRef path,
                                           MLIRContext &context,
                                           llvm::SourceMgr &sourceMgr,
                                           std::string &weightsPath);

/// Makes the module's `ds.weight_files` agree with a tool's weights option:
/// an explicit `weightsPath` replaces the first file; without one, a module
/// that names no file gets `<stem>.safetensors` beside `modelPath` if it
/// exists. `weightsPath` becomes the first weight file (or stays empty).
void bindWeightsFile(ModuleOp module, std::string &weightsPath,
                     llvm::StringRef modelPath);

/// Registers what every tool needs in a context.
void registerToolDialects(DialectRegistry &registry);

} // namespace mlir::ds

#endif // DS_TOOLS_COMMON_MODELLOADER_H
