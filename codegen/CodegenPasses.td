//===- CodegenPasses.td - ds codegen passes ----------------*- tablegen -*-===//
//
// Passes that live with the CUDA emitter (they depend on codegen, which the
// optimization passes in passes/ must not).
//
//===----------------------------------------------------------------------===//

#ifndef DS_CODEGEN_PASSES_TD
#define DS_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

def PrintCudaPass : Pass<"ds-print-cuda", "::mlir::func::FuncOp"> {
  let summary = "Prints the CUDA C++ kernels of each function";
  let description = [{
    Runs the CUDA emitter on each static-shaped function and prints every
    kernel (one per computing op or `ds.fusion` region) with its launch
    configuration to stdout, as `ds-compile --emit=cuda` does, leaving the
    IR unchanged. With `ds-opt --ds-fuse --ds-print-cuda` it shows the fused
    IR's kernels; an op the emitter cannot handle is an error on that op.

    ```
    // launch k0_fusion_matmul: grid (1, 1, 1) block (16, 16, 1)
    // ds kernel k0_fusion_matmul: ds.fusion "matmul" of matmul add relu
    extern "C" __global__ void __launch_bounds__(256) k0_fusion_matmul(...) {
    ```
  }];
  let dependentDialects = ["::mlir::ds::DSDialect"];
}

#endif // DS_CODEGEN_PASSES_TD
