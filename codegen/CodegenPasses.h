//===- CodegenPasses.h - ds codegen passes ----------------------*- C++ -*-===//

#ifndef DS_CODEGEN_CODEGENPASSES_H
#define DS_CODEGEN_CODEGENPASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::ds {

#define GEN_PASS_DECL
#include "codegen/CodegenPasses.h.inc"

#define GEN_PASS_REGISTRATION
#include "codegen/CodegenPasses.h.inc"

} // namespace mlir::ds

#endif // DS_CODEGEN_CODEGENPASSES_H
