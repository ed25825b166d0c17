// RUN: ds-opt %s --ds-dead-node-elimination="outputs=logits" | FileCheck %s
// RUN: ds-opt %s --ds-dead-node-elimination="outputs=1" | FileCheck %s --check-prefix=BYNUM
// RUN: ds-opt %s --ds-dead-node-elimination="outputs=nope" -verify-diagnostics -o /dev/null

// Keeping only `logits` removes the branch and the weight that fed `aux`.
// CHECK-LABEL: func @two_heads
// CHECK-SAME: -> (tensor<4xf32> {ds.name = "logits"})
// CHECK-NOT: "aux.weight"
// CHECK-NOT: ds.exp
// CHECK: return %{{.*}} : tensor<4xf32>

// Keeping result #1 (aux) only.
// BYNUM-LABEL: func @two_heads
// BYNUM-SAME: -> (tensor<4xf32> {ds.name = "aux"})
// BYNUM: ds.weight "aux.weight"
// BYNUM-NOT: "head.weight"

// expected-error @+1 {{ds-dead-node-elimination: no output named 'nope' (outputs: logits, aux)}}
func.func @two_heads(%x: tensor<4xf32>) -> (tensor<4xf32> {ds.name = "logits"}, tensor<4xf32> {ds.name = "aux"}) {
  %w = ds.weight "head.weight" : tensor<4xf32>
  %a = ds.weight "aux.weight" : tensor<4xf32>
  %0 = ds.mul %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = ds.add %x, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %2 = ds.exp %1 : tensor<4xf32>
  return %0, %2 : tensor<4xf32>, tensor<4xf32>
}
