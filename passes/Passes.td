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

#endif // DS_PASSES_TD
