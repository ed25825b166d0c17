//===- PrintCuda.cpp - ds-print-cuda: print the kernels of a function -----===//

#include "codegen/CodegenPasses.h"
#include "codegen/CudaEmitter.h"
#include "dialects/DS/DSDialect.h"

#include "llvm/Support/raw_ostream.h"

namespace mlir::ds {
#define GEN_PASS_DEF_PRINTCUDAPASS
#include "codegen/CodegenPasses.h.inc"
} // namespace mlir::ds

using namespace mlir;

namespace {

struct PrintCudaPass : ds::impl::PrintCudaPassBase<PrintCudaPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    FailureOr<ds::KernelProgram> program = ds::emitCudaKernels(func);
    if (failed(program))
      return signalPassFailure();
    llvm::outs() << "// ds-print-cuda @" << func.getSymName() << ": "
                 << program->kernels.size() << " kernels\n";
    ds::printKernels(*program, llvm::outs());
    llvm::outs().flush();
  }
};

} // namespace
