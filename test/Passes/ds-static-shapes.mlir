// RUN: ds-opt %s -split-input-file --ds-static-shapes="bind=batch=2,seq=4" | FileCheck %s
// RUN: ds-opt %s -split-input-file --ds-static-shapes="bind=batch=2,seq=4" -verify-diagnostics -o /dev/null

// A Shape -> Concat -> Reshape subgraph folds; the reshape keeps a static
// target only.
// CHECK-LABEL: func @shape_subgraph
// CHECK-SAME: (%[[X:.*]]: tensor<2x4xf32> {ds.dims = ["batch", "seq"]}) -> tensor<2x2x2xf32>
// CHECK-NEXT: %[[R:.*]] = ds.reshape %[[X]] : tensor<2x4xf32> -> tensor<2x2x2xf32>
// CHECK-NEXT: return %[[R]]
func.func @shape_subgraph(%x: tensor<?x?xf32> {ds.dims = ["batch", "seq"]}) -> tensor<?x2x2xf32> {
  %s = ds.shape %x {start = 0 : i64, end = 1 : i64} : tensor<?x?xf32> -> tensor<1xi64>
  %c = ds.constant dense<[2, 2]> : tensor<2xi64>
  %t = ds.concat %s, %c {axis = 0 : i64} : (tensor<1xi64>, tensor<2xi64>) -> tensor<3xi64>
  %r = ds.reshape %x, %t : tensor<?x?xf32>, tensor<3xi64> -> tensor<?x2x2xf32>
  return %r : tensor<?x2x2xf32>
}

// -----

// -1 and 0 in reshape targets; matmul and softmax follow.
// CHECK-LABEL: func @transformer_piece
// CHECK-SAME: tensor<2x4x16xf32>
// CHECK: ds.reshape %{{.*}} : tensor<2x4x16xf32> -> tensor<2x4x4x4xf32>
// CHECK: ds.transpose {{.*}} -> tensor<2x4x4x4xf32>
// CHECK: ds.matmul {{.*}} -> tensor<2x4x4x4xf32>
// CHECK: ds.softmax {{.*}} : tensor<2x4x4x4xf32>
// CHECK-NOT: ?
func.func @transformer_piece(%x: tensor<?x?x16xf32> {ds.dims = ["batch", "seq", ""]}) -> tensor<?x4x?x?xf32> {
  %t = ds.constant dense<[0, 0, 4, -1]> : tensor<4xi64>
  %r = ds.reshape %x, %t : tensor<?x?x16xf32>, tensor<4xi64> -> tensor<?x?x4x?xf32>
  %q = ds.transpose %r, perm = [0, 2, 1, 3] : tensor<?x?x4x?xf32> -> tensor<?x4x?x?xf32>
  %k = ds.transpose %r, perm = [0, 2, 3, 1] : tensor<?x?x4x?xf32> -> tensor<?x4x?x?xf32>
  %s = ds.matmul %q, %k : (tensor<?x4x?x?xf32>, tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32>
  %p = ds.softmax %s : tensor<?x4x?x?xf32>
  return %p : tensor<?x4x?x?xf32>
}

