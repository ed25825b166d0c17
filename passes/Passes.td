//===- Passes.td - ds passes -------------------------------*- tablegen -*-===//

#ifndef DS_PASSES_TD
#define DS_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Graph cleanup
//===----------------------------------------------------------------------===//

def DeadNodeEliminationPass
    : Pass<"ds-dead-node-elimination", "::mlir::func::FuncOp"> {
  let summary = "Removes nodes that do not reach an output and inference no-ops";
  let description = [{
    Removes every ds op whose results do not reach the function's return,
    and the inference no-ops that exporters leave behind: reshapes to the same
    type, identity transposes, transpose pairs that cancel and reshape chains.
    Weights that are no longer referenced disappear with their `ds.weight`
    op, so the compiled artifact does not carry them. With `report`, a remark
    on the function gives the nodes and weight bytes removed.

    Before:
    ```mlir
    func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
      %w = ds.weight "unused" : tensor<1024xf32>
      %t = ds.transpose %x, perm = [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
      %u = ds.transpose %t, perm = [1, 0] : tensor<3x2xf32> -> tensor<2x3xf32>
      return %u : tensor<2x3xf32>
    }
    ```
    After:
    ```mlir
    func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
      return %x : tensor<2x3xf32>
    }
    ```
  }];
  let dependentDialects = ["::mlir::ds::DSDialect"];
  let options = [
    Option<"report", "report", "bool", /*default=*/"false",
           "Emit a remark with the nodes and weight bytes removed">,
  ];
}

def RaisePatternsPass : Pass<"ds-raise-patterns", "::mlir::func::FuncOp"> {
  let summary = "Raises decomposed exporter patterns to single ds ops";
  let description = [{
    Exporters decompose activations into chains of primitive ops. This pass
    recognizes them and raises them to the ds op, so that codegen emits one
    expression instead of five kernels:

    - GELU, erf form (PyTorch `nn.GELU()`):
      `x * 0.5 * (1 + erf(x / sqrt(2)))` in any association of the two
      multiplications, with `/ sqrt(2)` or `* (1 / sqrt(2))`;
    - SiLU / swish: `x * sigmoid(x)`.

    Scalars must be splat `ds.constant`s within 1e-4 relative of the exact
    value. The pass does not fire when an intermediate value has other uses.

    Before:
    ```mlir
    %d = ds.div %x, %c_sqrt2 : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    %e = ds.erf %d : tensor<4xf32>
    %a = ds.add %e, %c_one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    %m = ds.mul %x, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %y = ds.mul %m, %c_half : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    ```
    After:
    ```mlir
    %y = ds.gelu %x : tensor<4xf32>
    ```
  }];
  let dependentDialects = ["::mlir::ds::DSDialect"];
}

#endif // DS_PASSES_TD
