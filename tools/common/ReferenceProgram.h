//===- ReferenceProgram.h - models as reference programs --------*- C++ -*-===//
//
// For plain (non-LLVM) tools such as ds-run: turns a `.mlir` or `.onnx` model
// into a runtime Artifact holding only the reference program (buffers,
// reference ops, weights), which runtime/Reference.h executes. No MLIR types
// in this header.
//
//===----------------------------------------------------------------------===//

#ifndef DS_TOOLS_COMMON_REFERENCEPROGRAM_H
#define DS_TOOLS_COMMON_REFERENCEPROGRAM_H

#include "runtime/Artifact.h"

#include <string>

namespace ds::tools {

/// Loads the model and lowers it to a reference program. `weightsPath` may
/// be empty (see mlir::ds::loadModel). Compiler diagnostics become the
/// error message.
::ds::runtime::StatusOr<::ds::runtime::Artifact>
buildReferenceProgram(const std::string &modelPath,
                      const std::string &weightsPath);

} // namespace ds::tools

#endif // DS_TOOLS_COMMON_REFERENCEPROGRAM_H
