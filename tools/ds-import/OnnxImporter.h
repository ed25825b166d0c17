//===- OnnxImporter.h - ONNX models to the ds dialect -----------*- C++ -*-===//
//
// Converts an ONNX model (default domain, opsets 7 to 17) into a module with
// one `func.func @main` of ds ops, following docs/design/ops.md. Weights go
// to a safetensors file and are referenced by `ds.weight`; only small
// constants stay inline. Every op carries the location
// `"<node name>"(<model file>:<node index + 1>:0)`, so diagnostics name the
// ONNX node.
//
//===----------------------------------------------------------------------===//

#ifndef DS_TOOLS_DSIMPORT_ONNXIMPORTER_H
#define DS_TOOLS_DSIMPORT_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"

#include <cstdint>
#include <string>

namespace mlir::ds {

struct OnnxImportOptions {
  /// The safetensors file that receives the weights; empty means
  /// `<model path without extension>.safetensors`. Always written (with no
  /// tensor when the model has no weight).
  std::string weightsPath;
  /// Initializers and `Constant` nodes with at most this many elements are
  /// inlined as `ds.constant`; larger ones become `ds.weight`. Integer
  /// shape-like tensors (rank <= 1) are always inlined.
  int64_t inlineConstantLimit = 64;
  /// Make every input dim symbolic (see readOnnxModel); for testing the
  /// dynamic-to-static path on static models.
  bool forceDynamic = false;
};

/// Imports the ONNX model at `onnxPath` into `context` (loading the ds and
/// func dialects) and writes its weights. The module is verified. On failure
/// the errors have been emitted to the context's diagnostic handler and no
/// weights file is written.
FailureOr<OwningOpRef<ModuleOp>>
importOnnxModel(const std::string &onnxPath, MLIRContext &context,
                const OnnxImportOptions &options);

} // namespace mlir::ds

#endif // DS_TOOLS_DSIMPORT_ONNXIMPORTER_H
