// RUN: ds-opt %s --ds-static-shapes="bind=batch=2 allow-dynamic=true" | FileCheck %s

// Does not fail with allow-dynamic: the unbound dim stays `?`, the bound one
// becomes static.
// CHECK-LABEL: func @partial
// CHECK-SAME: tensor<2x?xf32>
// CHECK: ds.exp %{{.*}} : tensor<2x?xf32>
func.func @partial(%x: tensor<?x?xf32> {ds.dims = ["batch", "seq"]}) -> tensor<?x?xf32> {
  %0 = ds.exp %x : tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
