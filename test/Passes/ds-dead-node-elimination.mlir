// RUN: ds-opt %s -split-input-file --ds-dead-node-elimination | FileCheck %s
// RUN: ds-opt %s -split-input-file --ds-dead-node-elimination=report -verify-diagnostics -o /dev/null

// Nodes and weights that do not reach the output are removed.
// CHECK-LABEL: func @dead_nodes
// CHECK-NOT: "unused"
// CHECK-NOT: ds.exp
// CHECK: %[[W:.*]] = ds.weight "used"
// CHECK: %[[A:.*]] = ds.add %{{.*}}, %[[W]]
// CHECK: return %[[A]]
// expected-remark @+1 {{ds-dead-node-elimination: removed 2 of 4 nodes and 4096 weight bytes}}
func.func @dead_nodes(%x: tensor<4xf32>) -> tensor<4xf32> {
  %unused = ds.weight "unused" : tensor<1024xf32>
  %w = ds.weight "used" : tensor<4xf32>
  %dead = ds.exp %x : tensor<4xf32>
  %0 = ds.add %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A transpose pair that cancels, an identity transpose and a reshape chain
// back to the original shape are all removed.
// CHECK-LABEL: func @noops
// CHECK-NEXT: return %arg0
// expected-remark @+1 {{removed 5 of 5 nodes and 0 weight bytes}}
func.func @noops(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = ds.transpose %x, perm = [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = ds.transpose %0, perm = [1, 0] : tensor<3x2xf32> -> tensor<2x3xf32>
  %2 = ds.transpose %1, perm = [0, 1] : tensor<2x3xf32> -> tensor<2x3xf32>
  %3 = ds.reshape %2 : tensor<2x3xf32> -> tensor<6xf32>
  %4 = ds.reshape %3 : tensor<6xf32> -> tensor<2x3xf32>
  return %4 : tensor<2x3xf32>
}

// -----

// Two transposes that do not cancel become one.
// CHECK-LABEL: func @transpose_compose
// CHECK-NEXT: %[[T:.*]] = ds.transpose %arg0, perm = [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
// CHECK-NEXT: return %[[T]]
// expected-remark @+1 {{removed 1 of 2 nodes and 0 weight bytes}}
func.func @transpose_compose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = ds.transpose %x, perm = [1, 0, 2] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  %1 = ds.transpose %0, perm = [2, 1, 0] : tensor<3x2x4xf32> -> tensor<4x2x3xf32>
  return %1 : tensor<4x2x3xf32>
}

// -----

// Does not fire: every node is live and no op is a no-op.
// CHECK-LABEL: func @all_live
// CHECK: ds.weight "w"
// CHECK: ds.transpose
// CHECK: ds.reshape
// CHECK: ds.matmul
// CHECK: ds.softmax
// expected-remark @+1 {{removed 0 of 5 nodes and 0 weight bytes}}
func.func @all_live(%x: tensor<2x3xf32>) -> tensor<6x6xf32> {
  %w = ds.weight "w" : tensor<1x6xf32>
  %0 = ds.transpose %x, perm = [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = ds.reshape %0 : tensor<3x2xf32> -> tensor<6x1xf32>
  %2 = ds.matmul %1, %w : (tensor<6x1xf32>, tensor<1x6xf32>) -> tensor<6x6xf32>
  %3 = ds.softmax %2 : tensor<6x6xf32>
  return %3 : tensor<6x6xf32>
}

// -----

// Does not fire: a reshape that changes the shape is not a no-op, even when
// its operand is a reshape (the chain folds into one).
// CHECK-LABEL: func @reshape_chain
// CHECK-NEXT: %[[R:.*]] = ds.reshape %arg0 : tensor<2x3xf32> -> tensor<3x2xf32>
// CHECK-NEXT: return %[[R]]
// expected-remark @+1 {{removed 1 of 2 nodes and 0 weight bytes}}
func.func @reshape_chain(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %0 = ds.reshape %x : tensor<2x3xf32> -> tensor<6xf32>
  %1 = ds.reshape %0 : tensor<6xf32> -> tensor<3x2xf32>
  return %1 : tensor<3x2xf32>
}
