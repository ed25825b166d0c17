// The standard MlirOptMain flags work with the ds passes.
// RUN: ds-opt %s --pass-pipeline="builtin.module(func.func(ds-dead-node-elimination))" | FileCheck %s
// RUN: ds-opt %s --ds-inference-pipeline --mlir-timing 2>&1 | FileCheck %s --check-prefix=TIMING
// RUN: ds-opt %s --ds-dead-node-elimination --mlir-print-ir-after-all 2>&1 | FileCheck %s --check-prefix=AFTER
// RUN: ds-opt %s --ds-inference-pipeline=report=true -o /dev/null 2>&1 | FileCheck %s --check-prefix=REPORT

// CHECK-LABEL: func @main
// CHECK-NOT: ds.exp
// CHECK: return %arg0

// TIMING: Execution time report
// TIMING: DeadNodeEliminationPass

// AFTER: // -----// IR Dump After DeadNodeEliminationPass (ds-dead-node-elimination)

// REPORT: remark: ds-dead-node-elimination: removed 1 of 1 nodes and 0 weight bytes
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = ds.exp %x : tensor<4xf32>
  return %x : tensor<4xf32>
}
