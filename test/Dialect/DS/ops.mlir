// RUN: ds-opt %s | ds-opt | FileCheck %s
// RUN: ds-opt %s --mlir-print-op-generic | ds-opt | FileCheck %s

// CHECK-LABEL: func @weights_and_constants
func.func @weights_and_constants() -> (tensor<16x8xf32>, tensor<2xf32>, tensor<3xi64>, tensor<2xi1>) {
  // CHECK: ds.weight "fc1.weight" : tensor<16x8xf32>
  %w = ds.weight "fc1.weight" : tensor<16x8xf32>
  // CHECK: ds.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
  %c = ds.constant dense<[1.0, 2.0]> : tensor<2xf32>
  // CHECK: ds.constant dense<[1, -1, 4]> : tensor<3xi64>
  %i = ds.constant dense<[1, -1, 4]> : tensor<3xi64>
  // CHECK: ds.constant dense<[true, false]> : tensor<2xi1>
  %b = ds.constant dense<[true, false]> : tensor<2xi1>
  return %w, %c, %i, %b : tensor<16x8xf32>, tensor<2xf32>, tensor<3xi64>, tensor<2xi1>
}

// CHECK-LABEL: func @unary
func.func @unary(%x: tensor<2x?xf32>, %h: tensor<4xf16>, %b: tensor<4xbf16>) -> tensor<2x?xf32> {
  // CHECK: ds.neg %{{.*}} : tensor<2x?xf32>
  %0 = ds.neg %x : tensor<2x?xf32>
  // CHECK: ds.exp
  %1 = ds.exp %0 : tensor<2x?xf32>
  // CHECK: ds.sqrt
  %2 = ds.sqrt %1 : tensor<2x?xf32>
  // CHECK: ds.rsqrt
  %3 = ds.rsqrt %2 : tensor<2x?xf32>
  // CHECK: ds.tanh
  %4 = ds.tanh %3 : tensor<2x?xf32>
  // CHECK: ds.erf
  %5 = ds.erf %4 : tensor<2x?xf32>
  // CHECK: ds.relu
  %6 = ds.relu %5 : tensor<2x?xf32>
  // CHECK: ds.gelu %{{.*}} : tensor<2x?xf32>
  %7 = ds.gelu %6 : tensor<2x?xf32>
  // CHECK: ds.gelu %{{.*}} {approximate = "tanh"} : tensor<2x?xf32>
  %8 = ds.gelu %7 {approximate = "tanh"} : tensor<2x?xf32>
  // CHECK: ds.silu
  %9 = ds.silu %8 : tensor<2x?xf32>
  // CHECK: ds.sigmoid
  %10 = ds.sigmoid %9 : tensor<2x?xf32>
  // CHECK: ds.tanh %{{.*}} : tensor<4xf16>
  %11 = ds.tanh %h : tensor<4xf16>
  // CHECK: ds.exp %{{.*}} : tensor<4xbf16>
  %12 = ds.exp %b : tensor<4xbf16>
  return %10 : tensor<2x?xf32>
}

// CHECK-LABEL: func @binary
func.func @binary(%a: tensor<4x8xf32>, %b: tensor<8xf32>, %c: tensor<?x1xf32>, %i: tensor<3xi32>, %j: tensor<3xi64>) -> tensor<4x8xf32> {
  // CHECK: ds.add %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %0 = ds.add %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  // CHECK: ds.sub
  %1 = ds.sub %0, %a : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: ds.mul %{{.*}}, %{{.*}} : (tensor<?x1xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  %2 = ds.mul %c, %b : (tensor<?x1xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  // CHECK: ds.div
  %3 = ds.div %1, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  // CHECK: ds.add %{{.*}} : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  %4 = ds.add %i, %i : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  // CHECK: ds.mul %{{.*}} : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %5 = ds.mul %j, %j : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  return %3 : tensor<4x8xf32>
}

// CHECK-LABEL: func @matmul
func.func @matmul(%a: tensor<2x4x8xf32>, %b: tensor<8x16xf32>, %v: tensor<8xf32>, %d: tensor<?x3x4x8xf32>, %e: tensor<3x8x5xf32>) -> tensor<2x4x16xf32> {
  // CHECK: ds.matmul %{{.*}}, %{{.*}} : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>
  %0 = ds.matmul %a, %b : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<2x4x16xf32>
  // CHECK: ds.matmul {{.*}} -> tensor<16xf32>
  %1 = ds.matmul %v, %b : (tensor<8xf32>, tensor<8x16xf32>) -> tensor<16xf32>
  // CHECK: ds.matmul {{.*}} -> tensor<2x4xf32>
  %2 = ds.matmul %a, %v : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4xf32>
  // CHECK: ds.matmul {{.*}} -> tensor<?x3x4x5xf32>
  %3 = ds.matmul %d, %e : (tensor<?x3x4x8xf32>, tensor<3x8x5xf32>) -> tensor<?x3x4x5xf32>
  // CHECK: ds.matmul {{.*}} -> tensor<f32>
  %4 = ds.matmul %v, %v : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return %0 : tensor<2x4x16xf32>
}

// CHECK-LABEL: func @data_movement
func.func @data_movement(%x: tensor<2x3x4xf32>, %s: tensor<4x10xf32>) -> tensor<4x3x2xf32> {
  // CHECK: ds.softmax %{{.*}} : tensor<4x10xf32>
  %0 = ds.softmax %s : tensor<4x10xf32>
  // CHECK: ds.softmax %{{.*}} {axis = 0 : i64} : tensor<4x10xf32>
  %1 = ds.softmax %s {axis = 0} : tensor<4x10xf32>
  // CHECK: ds.reshape %{{.*}} : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %2 = ds.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  // CHECK: ds.reshape %{{.*}} : tensor<2x3x4xf32> -> tensor<?x4xf32>
  %3 = ds.reshape %x : tensor<2x3x4xf32> -> tensor<?x4xf32>
  // CHECK: ds.transpose %{{.*}}, perm = [2, 1, 0] : tensor<2x3x4xf32> -> tensor<4x3x2xf32>
  %4 = ds.transpose %x, perm = [2, 1, 0] : tensor<2x3x4xf32> -> tensor<4x3x2xf32>
  return %4 : tensor<4x3x2xf32>
}
