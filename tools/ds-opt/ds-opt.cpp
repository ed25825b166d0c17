//===- ds-opt.cpp - ds optimizer driver -----------------------------------===//
//
// MlirOptMain with the ds dialect, the ds passes (ds-print-cuda included) and
// the upstream transforms.
//
//===----------------------------------------------------------------------===//

#include "codegen/CodegenPasses.h"
#include "dialects/DS/DSDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerTransformsPasses();
  mlir::ds::registerDSPassesAndPipelines();
  mlir::ds::registerDSCodegenPasses();

  mlir::DialectRegistry registry;
  registry.insert<mlir::ds::DSDialect, mlir::func::FuncDialect>();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "ds optimizer driver\n", registry));
}
