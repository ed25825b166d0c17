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

// CHECK-LABEL: func @dequantize_int4
func.func @dequantize_int4(%x: tensor<2x256xf32>) -> (tensor<2x64xf32>, tensor<255x3xf16>) {
  %p = ds.weight "w.packed" : tensor<64x128xui8>
  %s = ds.weight "w.scales" : tensor<64x2xf16>
  // CHECK: ds.dequantize_int4 %{{.*}}, %{{.*}} {group_size = 128 : i64} : (tensor<64x128xui8>, tensor<64x2xf16>) -> tensor<256x64xf32>
  %w = ds.dequantize_int4 %p, %s {group_size = 128 : i64} : (tensor<64x128xui8>, tensor<64x2xf16>) -> tensor<256x64xf32>
  %y = ds.matmul %x, %w : (tensor<2x256xf32>, tensor<256x64xf32>) -> tensor<2x64xf32>
  // An odd K with a partial last group and zero points.
  %p2 = ds.weight "v.packed" : tensor<3x128xui8>
  %s2 = ds.weight "v.scales" : tensor<3x8xf16>
  %z2 = ds.weight "v.zeros" : tensor<3x8xui8>
  // CHECK: ds.dequantize_int4 %{{.*}}, %{{.*}}, %{{.*}} {group_size = 32 : i64} : (tensor<3x128xui8>, tensor<3x8xf16>, tensor<3x8xui8>) -> tensor<255x3xf16>
  %v = ds.dequantize_int4 %p2, %s2, %z2 {group_size = 32 : i64} : (tensor<3x128xui8>, tensor<3x8xf16>, tensor<3x8xui8>) -> tensor<255x3xf16>
  return %y, %v : tensor<2x64xf32>, tensor<255x3xf16>
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

// CHECK-LABEL: func @unary_float
func.func @unary_float(%x: tensor<2x?xf32>, %h: tensor<4xf16>, %b: tensor<4xbf16>) -> tensor<2x?xf32> {
  // CHECK: ds.log %{{.*}} : tensor<2x?xf32>
  %0 = ds.log %x : tensor<2x?xf32>
  // CHECK-NEXT: ds.reciprocal %{{.*}} : tensor<2x?xf32>
  %1 = ds.reciprocal %0 : tensor<2x?xf32>
  // CHECK-NEXT: ds.hard_swish %{{.*}} : tensor<2x?xf32>
  %2 = ds.hard_swish %1 : tensor<2x?xf32>
  // CHECK-NEXT: ds.abs %{{.*}} : tensor<2x?xf32>
  %3 = ds.abs %2 : tensor<2x?xf32>
  // CHECK-NEXT: ds.leaky_relu %{{.*}} : tensor<2x?xf32>
  %4 = ds.leaky_relu %3 : tensor<2x?xf32>
  // CHECK-NEXT: ds.leaky_relu %{{.*}} {alpha = 1.000000e-01 : f64} : tensor<2x?xf32>
  %5 = ds.leaky_relu %4 {alpha = 1.000000e-01 : f64} : tensor<2x?xf32>
  // CHECK-NEXT: ds.hard_sigmoid %{{.*}} : tensor<2x?xf32>
  %6 = ds.hard_sigmoid %5 : tensor<2x?xf32>
  // CHECK-NEXT: ds.hard_sigmoid %{{.*}} {alpha = 2.500000e-01 : f64, beta = 7.500000e-01 : f64} : tensor<2x?xf32>
  %7 = ds.hard_sigmoid %6 {alpha = 0.25 : f64, beta = 0.75 : f64} : tensor<2x?xf32>
  // CHECK-NEXT: ds.log %{{.*}} : tensor<4xf16>
  %8 = ds.log %h : tensor<4xf16>
  // CHECK-NEXT: ds.hard_swish %{{.*}} : tensor<4xbf16>
  %9 = ds.hard_swish %b : tensor<4xbf16>
  return %7 : tensor<2x?xf32>
}

// CHECK-LABEL: func @unary_integer
func.func @unary_integer(%i: tensor<3xi32>, %j: tensor<?x2xi64>) -> (tensor<3xi32>, tensor<?x2xi64>) {
  // CHECK: ds.neg %{{.*}} : tensor<3xi32>
  %0 = ds.neg %i : tensor<3xi32>
  // CHECK-NEXT: ds.neg %{{.*}} : tensor<?x2xi64>
  %1 = ds.neg %j : tensor<?x2xi64>
  // CHECK-NEXT: ds.abs %{{.*}} : tensor<3xi32>
  %2 = ds.abs %0 : tensor<3xi32>
  // CHECK-NEXT: ds.abs %{{.*}} : tensor<?x2xi64>
  %3 = ds.abs %1 : tensor<?x2xi64>
  return %2, %3 : tensor<3xi32>, tensor<?x2xi64>
}

// CHECK-LABEL: func @clip
func.func @clip(%x: tensor<4xf32>, %i: tensor<4xi64>) -> tensor<4xf32> {
  // CHECK: ds.clip %{{.*}} : tensor<4xf32>
  %0 = ds.clip %x : tensor<4xf32>
  // CHECK-NEXT: ds.clip %{{.*}} {min = 0.000000e+00 : f64} : tensor<4xf32>
  %1 = ds.clip %0 {min = 0.0 : f64} : tensor<4xf32>
  // CHECK-NEXT: ds.clip %{{.*}} {max = 6.000000e+00 : f64} : tensor<4xf32>
  %2 = ds.clip %1 {max = 6.0 : f64} : tensor<4xf32>
  // CHECK-NEXT: ds.clip %{{.*}} {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64} : tensor<4xf32>
  %3 = ds.clip %2 {min = 0.0 : f64, max = 6.0 : f64} : tensor<4xf32>
  // min == max is allowed.
  // CHECK-NEXT: ds.clip %{{.*}} {max = 1.000000e+00 : f64, min = 1.000000e+00 : f64} : tensor<4xf32>
  %4 = ds.clip %3 {min = 1.0 : f64, max = 1.0 : f64} : tensor<4xf32>
  // CHECK-NEXT: ds.clip %{{.*}} {max = 2.000000e+00 : f64, min = -2.000000e+00 : f64} : tensor<4xi64>
  %5 = ds.clip %i {min = -2.0 : f64, max = 2.0 : f64} : tensor<4xi64>
  return %4 : tensor<4xf32>
}

// CHECK-LABEL: func @cast
func.func @cast(%x: tensor<2x?xf32>, %i: tensor<4xi64>, %b: tensor<4xi1>, %h: tensor<4xbf16>) -> tensor<2x?xi64> {
  // CHECK: ds.cast %{{.*}} : tensor<2x?xf32> -> tensor<2x?xi64>
  %0 = ds.cast %x : tensor<2x?xf32> -> tensor<2x?xi64>
  // CHECK-NEXT: ds.cast %{{.*}} : tensor<4xi64> -> tensor<4xf32>
  %1 = ds.cast %i : tensor<4xi64> -> tensor<4xf32>
  // CHECK-NEXT: ds.cast %{{.*}} : tensor<4xf32> -> tensor<4xf16>
  %2 = ds.cast %1 : tensor<4xf32> -> tensor<4xf16>
  // CHECK-NEXT: ds.cast %{{.*}} : tensor<4xbf16> -> tensor<4xf32>
  %3 = ds.cast %h : tensor<4xbf16> -> tensor<4xf32>
  // CHECK-NEXT: ds.cast %{{.*}} : tensor<4xi1> -> tensor<4xf32>
  %4 = ds.cast %b : tensor<4xi1> -> tensor<4xf32>
  // CHECK-NEXT: ds.cast %{{.*}} : tensor<4xf32> -> tensor<4xi1>
  %5 = ds.cast %1 : tensor<4xf32> -> tensor<4xi1>
  // CHECK-NEXT: ds.cast %{{.*}} : tensor<4xi64> -> tensor<4xi32>
  %6 = ds.cast %i : tensor<4xi64> -> tensor<4xi32>
  // A cast may refine a dynamic dim.
  // CHECK-NEXT: ds.cast %{{.*}} : tensor<2x?xf32> -> tensor<2x5xf32>
  %7 = ds.cast %x : tensor<2x?xf32> -> tensor<2x5xf32>
  // CHECK-NEXT: ds.cast %{{.*}} : tensor<2x?xf32> -> tensor<?x?xi32>
  %8 = ds.cast %x : tensor<2x?xf32> -> tensor<?x?xi32>
  return %0 : tensor<2x?xi64>
}
// CHECK-LABEL: func @binary_numeric
func.func @binary_numeric(%a: tensor<4x8xf32>, %b: tensor<8xf32>, %i: tensor<3xi32>, %j: tensor<?x3xi64>, %s: tensor<f32>, %x: tensor<2x4x8x8xf32>, %slope: tensor<1x4x1x1xf32>, %h: tensor<4xf16>) -> tensor<4x8xf32> {
  // CHECK: ds.max %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %0 = ds.max %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  // CHECK-NEXT: ds.min %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %1 = ds.min %0, %a : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK-NEXT: ds.max %{{.*}}, %{{.*}} : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  %2 = ds.max %i, %i : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  // CHECK-NEXT: ds.min %{{.*}}, %{{.*}} : (tensor<?x3xi64>, tensor<?x3xi64>) -> tensor<?x3xi64>
  %3 = ds.min %j, %j : (tensor<?x3xi64>, tensor<?x3xi64>) -> tensor<?x3xi64>
  // CHECK-NEXT: ds.pow %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %4 = ds.pow %1, %s : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  // CHECK-NEXT: ds.pow %{{.*}}, %{{.*}} : (tensor<4xf16>, tensor<4xf16>) -> tensor<4xf16>
  %5 = ds.pow %h, %h : (tensor<4xf16>, tensor<4xf16>) -> tensor<4xf16>
  // CHECK-NEXT: ds.prelu %{{.*}}, %{{.*}} : (tensor<2x4x8x8xf32>, tensor<1x4x1x1xf32>) -> tensor<2x4x8x8xf32>
  %6 = ds.prelu %x, %slope : (tensor<2x4x8x8xf32>, tensor<1x4x1x1xf32>) -> tensor<2x4x8x8xf32>
  return %4 : tensor<4x8xf32>
}

// CHECK-LABEL: func @comparisons
func.func @comparisons(%a: tensor<4x8xf32>, %b: tensor<8xf32>, %i: tensor<?x3xi64>, %j: tensor<3xi64>, %k: tensor<2xi32>, %p: tensor<4xi1>) -> tensor<4x8xi1> {
  // CHECK: ds.equal %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xi1>
  %0 = ds.equal %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xi1>
  // CHECK-NEXT: ds.less %{{.*}}, %{{.*}} : (tensor<?x3xi64>, tensor<3xi64>) -> tensor<?x3xi1>
  %1 = ds.less %i, %j : (tensor<?x3xi64>, tensor<3xi64>) -> tensor<?x3xi1>
  // CHECK-NEXT: ds.less_equal %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xi1>
  %2 = ds.less_equal %a, %a : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xi1>
  // CHECK-NEXT: ds.greater %{{.*}}, %{{.*}} : (tensor<?x3xi64>, tensor<?x3xi64>) -> tensor<?x3xi1>
  %3 = ds.greater %i, %i : (tensor<?x3xi64>, tensor<?x3xi64>) -> tensor<?x3xi1>
  // CHECK-NEXT: ds.greater_equal %{{.*}}, %{{.*}} : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi1>
  %4 = ds.greater_equal %k, %k : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi1>
  // CHECK-NEXT: ds.equal %{{.*}}, %{{.*}} : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %5 = ds.equal %p, %p : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  // CHECK-NEXT: ds.equal %{{.*}}, %{{.*}} : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi1>
  %6 = ds.equal %j, %j : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi1>
  return %0 : tensor<4x8xi1>
}

// CHECK-LABEL: func @logical
func.func @logical(%a: tensor<4x8xi1>, %b: tensor<8xi1>, %c: tensor<?x1xi1>) -> tensor<4x8xi1> {
  // CHECK: ds.and %{{.*}}, %{{.*}} : (tensor<4x8xi1>, tensor<8xi1>) -> tensor<4x8xi1>
  %0 = ds.and %a, %b : (tensor<4x8xi1>, tensor<8xi1>) -> tensor<4x8xi1>
  // CHECK-NEXT: ds.or %{{.*}}, %{{.*}} : (tensor<4x8xi1>, tensor<4x8xi1>) -> tensor<4x8xi1>
  %1 = ds.or %0, %a : (tensor<4x8xi1>, tensor<4x8xi1>) -> tensor<4x8xi1>
  // CHECK-NEXT: ds.xor %{{.*}}, %{{.*}} : (tensor<?x1xi1>, tensor<8xi1>) -> tensor<?x8xi1>
  %2 = ds.xor %c, %b : (tensor<?x1xi1>, tensor<8xi1>) -> tensor<?x8xi1>
  // CHECK-NEXT: ds.not %{{.*}} : tensor<4x8xi1>
  %3 = ds.not %1 : tensor<4x8xi1>
  // CHECK-NEXT: ds.not %{{.*}} : tensor<?x1xi1>
  %4 = ds.not %c : tensor<?x1xi1>
  return %3 : tensor<4x8xi1>
}

// CHECK-LABEL: func @where
func.func @where(%c: tensor<4x1xi1>, %x: tensor<4x8xf32>, %y: tensor<f32>, %d: tensor<?x1x8xi1>, %u: tensor<3x1xi64>, %v: tensor<1xi64>) -> tensor<4x8xf32> {
  // CHECK: ds.where %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4x1xi1>, tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %0 = ds.where %c, %x, %y : (tensor<4x1xi1>, tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  // CHECK-NEXT: ds.where %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x1x8xi1>, tensor<3x1xi64>, tensor<1xi64>) -> tensor<?x3x8xi64>
  %1 = ds.where %d, %u, %v : (tensor<?x1x8xi1>, tensor<3x1xi64>, tensor<1xi64>) -> tensor<?x3x8xi64>
  return %0 : tensor<4x8xf32>
}

// CHECK-LABEL: func @conv(
func.func @conv(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>, %b: tensor<16xf32>, %xd: tensor<?x3x9x9xf32>, %w8: tensor<8x3x3x3xf32>, %x1: tensor<2x4x10xf32>, %w1: tensor<6x4x3xf32>, %xg: tensor<1x8x7x7xf32>, %wg: tensor<8x1x3x3xf32>, %xs: tensor<1x3x?x?xf32>, %x3: tensor<1x2x4x4x4xf32>, %w3: tensor<4x2x3x3x3xf32>, %xa: tensor<1x4x5x5xf16>, %wa: tensor<6x2x3x3xf16>, %ba: tensor<6xf16>) -> tensor<1x16x8x8xf32> {
  // CHECK: ds.conv %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<1x16x8x8xf32>
  %0 = ds.conv %x, %w, %b {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<1x16x8x8xf32>
  // CHECK-NEXT: ds.conv %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<?x3x9x9xf32>, tensor<8x3x3x3xf32>) -> tensor<?x8x4x4xf32>
  %1 = ds.conv %xd, %w8 {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<?x3x9x9xf32>, tensor<8x3x3x3xf32>) -> tensor<?x8x4x4xf32>
  // CHECK-NEXT: ds.conv %{{.*}}, %{{.*}} {dilations = array<i64: 2>, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<2x4x10xf32>, tensor<6x4x3xf32>) -> tensor<2x6x6xf32>
  %2 = ds.conv %x1, %w1 {dilations = array<i64: 2>, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<2x4x10xf32>, tensor<6x4x3xf32>) -> tensor<2x6x6xf32>
  // Depthwise: group = C = M.
  // CHECK-NEXT: ds.conv %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x8x7x7xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x4x4xf32>
  %3 = ds.conv %xg, %wg {dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x8x7x7xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x4x4xf32>
  // CHECK-NEXT: ds.conv %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 2, 2>, pads = array<i64: 2, 2, 2, 2>, strides = array<i64: 1, 1>} : (tensor<1x3x?x?xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<1x16x?x?xf32>
  %4 = ds.conv %xs, %w, %b {dilations = array<i64: 2, 2>, pads = array<i64: 2, 2, 2, 2>, strides = array<i64: 1, 1>} : (tensor<1x3x?x?xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<1x16x?x?xf32>
  // CHECK-NEXT: ds.conv %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1, 1>, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 1, 1, 1>} : (tensor<1x2x4x4x4xf32>, tensor<4x2x3x3x3xf32>) -> tensor<1x4x2x2x2xf32>
  %5 = ds.conv %x3, %w3 {dilations = array<i64: 1, 1, 1>, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 1, 1, 1>} : (tensor<1x2x4x4x4xf32>, tensor<4x2x3x3x3xf32>) -> tensor<1x4x2x2x2xf32>
  // Asymmetric pads (begins 0, 1; ends 1, 2) and two groups of 2 channels.
  // CHECK-NEXT: ds.conv %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 1, 1, 2>, strides = array<i64: 1, 1>} : (tensor<1x4x5x5xf16>, tensor<6x2x3x3xf16>, tensor<6xf16>) -> tensor<1x6x4x6xf16>
  %6 = ds.conv %xa, %wa, %ba {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 1, 1, 2>, strides = array<i64: 1, 1>} : (tensor<1x4x5x5xf16>, tensor<6x2x3x3xf16>, tensor<6xf16>) -> tensor<1x6x4x6xf16>
  return %0 : tensor<1x16x8x8xf32>
}

// CHECK-LABEL: func @conv_transpose
func.func @conv_transpose(%x: tensor<1x4x5x5xf32>, %w: tensor<4x2x3x3xf32>, %x1: tensor<1x4x5xf32>, %w1: tensor<4x3x3xf32>, %b1: tensor<6xf32>, %xd: tensor<?x4x?x5xf32>) -> tensor<1x2x11x11xf32> {
  // CHECK: ds.conv_transpose %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x11x11xf32>
  %0 = ds.conv_transpose %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x11x11xf32>
  // M = group * weight dim 1 = 6.
  // CHECK-NEXT: ds.conv_transpose %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1>, group = 2 : i64, output_padding = array<i64: 1>, pads = array<i64: 1, 1>, strides = array<i64: 2>} : (tensor<1x4x5xf32>, tensor<4x3x3xf32>, tensor<6xf32>) -> tensor<1x6x10xf32>
  %1 = ds.conv_transpose %x1, %w1, %b1 {dilations = array<i64: 1>, group = 2 : i64, output_padding = array<i64: 1>, pads = array<i64: 1, 1>, strides = array<i64: 2>} : (tensor<1x4x5xf32>, tensor<4x3x3xf32>, tensor<6xf32>) -> tensor<1x6x10xf32>
  // CHECK-NEXT: ds.conv_transpose %{{.*}}, %{{.*}} {dilations = array<i64: 2, 2>, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<?x4x?x5xf32>, tensor<4x2x3x3xf32>) -> tensor<?x2x?x9xf32>
  %2 = ds.conv_transpose %xd, %w {dilations = array<i64: 2, 2>, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<?x4x?x5xf32>, tensor<4x2x3x3xf32>) -> tensor<?x2x?x9xf32>
  return %0 : tensor<1x2x11x11xf32>
}

// CHECK-LABEL: func @pool
func.func @pool(%x: tensor<1x3x8x8xf32>, %x1: tensor<2x4x10xf32>, %x5: tensor<1x3x5x5xf32>, %x4: tensor<1x1x4xf32>, %xd: tensor<?x3x?x8xf16>) -> tensor<1x3x4x4xf32> {
  // CHECK: ds.max_pool %{{.*}} {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  %0 = ds.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  // CHECK-NEXT: ds.max_pool %{{.*}} {dilations = array<i64: 2, 2>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x3x8x8xf32> -> tensor<1x3x6x6xf32>
  %1 = ds.max_pool %x {dilations = array<i64: 2, 2>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x3x8x8xf32> -> tensor<1x3x6x6xf32>
  // CHECK-NEXT: ds.max_pool %{{.*}} {dilations = array<i64: 1>, kernel_shape = array<i64: 3>, pads = array<i64: 0, 0>, strides = array<i64: 1>} : tensor<2x4x10xf32> -> tensor<2x4x8xf32>
  %2 = ds.max_pool %x1 {dilations = array<i64: 1>, kernel_shape = array<i64: 3>, pads = array<i64: 0, 0>, strides = array<i64: 1>} : tensor<2x4x10xf32> -> tensor<2x4x8xf32>
  // ceil_mode rounds 1.5 windows up to 2 (3 outputs instead of 2).
  // CHECK-NEXT: ds.avg_pool %{{.*}} {ceil_mode = 1 : i64, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x3x5x5xf32> -> tensor<1x3x3x3xf32>
  %3 = ds.avg_pool %x5 {ceil_mode = 1 : i64, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x3x5x5xf32> -> tensor<1x3x3x3xf32>
  // CHECK-NEXT: ds.avg_pool %{{.*}} {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x3x5x5xf32> -> tensor<1x3x2x2xf32>
  %4 = ds.avg_pool %x5 {ceil_mode = 0 : i64, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x3x5x5xf32> -> tensor<1x3x2x2xf32>
  // CHECK-NEXT: ds.avg_pool %{{.*}} {count_include_pad = 1 : i64, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x3x8x8xf32> -> tensor<1x3x8x8xf32>
  %5 = ds.avg_pool %x {count_include_pad = 1 : i64, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x3x8x8xf32> -> tensor<1x3x8x8xf32>
  // ceil_mode: the window that would start in the end padding is dropped.
  // CHECK-NEXT: ds.max_pool %{{.*}} {ceil_mode = 1 : i64, dilations = array<i64: 1>, kernel_shape = array<i64: 2>, pads = array<i64: 0, 1>, strides = array<i64: 2>} : tensor<1x1x4xf32> -> tensor<1x1x2xf32>
  %6 = ds.max_pool %x4 {ceil_mode = 1 : i64, dilations = array<i64: 1>, kernel_shape = array<i64: 2>, pads = array<i64: 0, 1>, strides = array<i64: 2>} : tensor<1x1x4xf32> -> tensor<1x1x2xf32>
  // CHECK-NEXT: ds.avg_pool %{{.*}} {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<?x3x?x8xf16> -> tensor<?x3x?x4xf16>
  %7 = ds.avg_pool %xd {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<?x3x?x8xf16> -> tensor<?x3x?x4xf16>
  return %0 : tensor<1x3x4x4xf32>
}

// CHECK-LABEL: func @normalization
func.func @normalization(%x: tensor<1x4x8x8xf32>, %c: tensor<4xf32>, %x2: tensor<?x4xf32>, %cd: tensor<?xf32>, %y: tensor<2x5x16xf32>, %g: tensor<16xf32>, %g2: tensor<5x16xf32>, %yh: tensor<?x?x8xf16>, %gh: tensor<8xf16>) -> tensor<1x4x8x8xf32> {
  // CHECK: ds.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f64} : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %0 = ds.batch_norm %x, %c, %c, %c, %c {epsilon = 1.0e-03 : f64} : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  // Dynamic channel count on either side.
  // CHECK-NEXT: ds.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x4xf32>, tensor<?xf32>, tensor<4xf32>, tensor<4xf32>, tensor<?xf32>) -> tensor<?x4xf32>
  %1 = ds.batch_norm %x2, %cd, %c, %c, %cd : (tensor<?x4xf32>, tensor<?xf32>, tensor<4xf32>, tensor<4xf32>, tensor<?xf32>) -> tensor<?x4xf32>
  // CHECK-NEXT: ds.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {axis = 2 : i64} : (tensor<2x5x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<2x5x16xf32>
  %2 = ds.layer_norm %y, %g, %g {axis = 2 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x5x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<2x5x16xf32>
  // CHECK-NEXT: ds.layer_norm %{{.*}}, %{{.*}} {axis = 1 : i64, epsilon = 1.000000e-03 : f64} : (tensor<2x5x16xf32>, tensor<5x16xf32>) -> tensor<2x5x16xf32>
  %3 = ds.layer_norm %y, %g2 {axis = 1 : i64, epsilon = 1.0e-03 : f64} : (tensor<2x5x16xf32>, tensor<5x16xf32>) -> tensor<2x5x16xf32>
  // scale and bias broadcast to the normalized dims [5, 16] separately.
  // CHECK-NEXT: ds.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x5x16xf32>, tensor<16xf32>, tensor<5x16xf32>) -> tensor<2x5x16xf32>
  %4 = ds.layer_norm %y, %g, %g2 {axis = 1 : i64} : (tensor<2x5x16xf32>, tensor<16xf32>, tensor<5x16xf32>) -> tensor<2x5x16xf32>
  // CHECK-NEXT: ds.layer_norm %{{.*}}, %{{.*}} {axis = 2 : i64} : (tensor<?x?x8xf16>, tensor<8xf16>) -> tensor<?x?x8xf16>
  %5 = ds.layer_norm %yh, %gh {axis = 2 : i64} : (tensor<?x?x8xf16>, tensor<8xf16>) -> tensor<?x?x8xf16>
  return %0 : tensor<1x4x8x8xf32>
}

// CHECK-LABEL: func @reductions
func.func @reductions(%x: tensor<2x8xf32>, %y: tensor<?x4x8xf32>, %i: tensor<3x5xi64>, %j: tensor<3x5xi32>, %h: tensor<4x?xf16>) -> tensor<2x1xf32> {
  // CHECK: ds.reduce_sum %{{.*}} {axes = array<i64: 1>} : tensor<2x8xf32> -> tensor<2x1xf32>
  %0 = ds.reduce_sum %x {axes = array<i64: 1>} : tensor<2x8xf32> -> tensor<2x1xf32>
  // CHECK-NEXT: ds.reduce_sum %{{.*}} {axes = array<i64: 1>, keepdims = 0 : i64} : tensor<2x8xf32> -> tensor<2xf32>
  %1 = ds.reduce_sum %x {axes = array<i64: 1>, keepdims = 0 : i64} : tensor<2x8xf32> -> tensor<2xf32>
  // Empty axes reduce every dim.
  // CHECK-NEXT: ds.reduce_sum %{{.*}} {axes = array<i64>, keepdims = 0 : i64} : tensor<2x8xf32> -> tensor<f32>
  %2 = ds.reduce_sum %x {axes = array<i64>, keepdims = 0 : i64} : tensor<2x8xf32> -> tensor<f32>
  // CHECK-NEXT: ds.reduce_mean %{{.*}} {axes = array<i64>} : tensor<2x8xf32> -> tensor<1x1xf32>
  %3 = ds.reduce_mean %x {axes = array<i64>, keepdims = 1 : i64} : tensor<2x8xf32> -> tensor<1x1xf32>
  // CHECK-NEXT: ds.reduce_mean %{{.*}} {axes = array<i64: 0, 2>, keepdims = 0 : i64} : tensor<?x4x8xf32> -> tensor<4xf32>
  %4 = ds.reduce_mean %y {axes = array<i64: 0, 2>, keepdims = 0 : i64} : tensor<?x4x8xf32> -> tensor<4xf32>
  // CHECK-NEXT: ds.reduce_max %{{.*}} {axes = array<i64: 0>} : tensor<3x5xi64> -> tensor<1x5xi64>
  %5 = ds.reduce_max %i {axes = array<i64: 0>} : tensor<3x5xi64> -> tensor<1x5xi64>
  // CHECK-NEXT: ds.reduce_min %{{.*}} {axes = array<i64: 1>, keepdims = 0 : i64} : tensor<3x5xi32> -> tensor<3xi32>
  %6 = ds.reduce_min %j {axes = array<i64: 1>, keepdims = 0 : i64} : tensor<3x5xi32> -> tensor<3xi32>
  // CHECK-NEXT: ds.reduce_prod %{{.*}} {axes = array<i64: 1>} : tensor<4x?xf16> -> tensor<4x1xf16>
  %7 = ds.reduce_prod %h {axes = array<i64: 1>} : tensor<4x?xf16> -> tensor<4x1xf16>
  // CHECK-NEXT: ds.reduce_max %{{.*}} {axes = array<i64: 1, 2>} : tensor<?x4x8xf32> -> tensor<?x1x1xf32>
  %8 = ds.reduce_max %y {axes = array<i64: 1, 2>} : tensor<?x4x8xf32> -> tensor<?x1x1xf32>
  // CHECK-NEXT: ds.reduce_sum %{{.*}} {axes = array<i64: 0, 1>, keepdims = 0 : i64} : tensor<3x5xi64> -> tensor<i64>
  %9 = ds.reduce_sum %i {axes = array<i64: 0, 1>, keepdims = 0 : i64} : tensor<3x5xi64> -> tensor<i64>
  return %0 : tensor<2x1xf32>
}

// CHECK-LABEL: func @shape_manipulation
func.func @shape_manipulation(%x: tensor<2x3x4xf32>, %s2: tensor<2xi64>, %s3: tensor<3xi64>, %sd: tensor<?xi64>, %xd: tensor<?x3x4xf32>, %u: tensor<1x3x1xf32>, %ud: tensor<?x3xi64>, %v: tensor<3xf32>) -> tensor<?x4xf32> {
  // CHECK: ds.reshape %{{.*}}, %{{.*}} : tensor<2x3x4xf32>, tensor<2xi64> -> tensor<?x4xf32>
  %0 = ds.reshape %x, %s2 : tensor<2x3x4xf32>, tensor<2xi64> -> tensor<?x4xf32>
  // CHECK-NEXT: ds.reshape %{{.*}}, %{{.*}} {allowzero = 1 : i64} : tensor<2x3x4xf32>, tensor<3xi64> -> tensor<?x?x?xf32>
  %1 = ds.reshape %x, %s3 {allowzero = 1 : i64} : tensor<2x3x4xf32>, tensor<3xi64> -> tensor<?x?x?xf32>
  // CHECK-NEXT: ds.reshape %{{.*}}, %{{.*}} : tensor<?x3x4xf32>, tensor<?xi64> -> tensor<?x12xf32>
  %2 = ds.reshape %xd, %sd : tensor<?x3x4xf32>, tensor<?xi64> -> tensor<?x12xf32>
  // CHECK-NEXT: ds.reshape %{{.*}} : tensor<?x3x4xf32> -> tensor<?x12xf32>
  %3 = ds.reshape %xd : tensor<?x3x4xf32> -> tensor<?x12xf32>
  // CHECK-NEXT: ds.reshape %{{.*}} : tensor<?x3xi64> -> tensor<?xi64>
  %4 = ds.reshape %ud : tensor<?x3xi64> -> tensor<?xi64>
  // CHECK-NEXT: ds.flatten %{{.*}} {axis = 1 : i64} : tensor<2x3x4xf32> -> tensor<2x12xf32>
  %5 = ds.flatten %x {axis = 1 : i64} : tensor<2x3x4xf32> -> tensor<2x12xf32>
  // CHECK-NEXT: ds.flatten %{{.*}} {axis = 0 : i64} : tensor<2x3x4xf32> -> tensor<1x24xf32>
  %6 = ds.flatten %x {axis = 0 : i64} : tensor<2x3x4xf32> -> tensor<1x24xf32>
  // CHECK-NEXT: ds.flatten %{{.*}} {axis = 3 : i64} : tensor<2x3x4xf32> -> tensor<24x1xf32>
  %7 = ds.flatten %x {axis = 3 : i64} : tensor<2x3x4xf32> -> tensor<24x1xf32>
  // CHECK-NEXT: ds.flatten %{{.*}} {axis = 2 : i64} : tensor<?x3x4xf32> -> tensor<?x4xf32>
  %8 = ds.flatten %xd {axis = 2 : i64} : tensor<?x3x4xf32> -> tensor<?x4xf32>
  // CHECK-NEXT: ds.squeeze %{{.*}} {axes = array<i64: 0, 2>} : tensor<1x3x1xf32> -> tensor<3xf32>
  %9 = ds.squeeze %u {axes = array<i64: 0, 2>} : tensor<1x3x1xf32> -> tensor<3xf32>
  // CHECK-NEXT: ds.squeeze %{{.*}} {axes = array<i64: 2>} : tensor<1x3x1xf32> -> tensor<1x3xf32>
  %10 = ds.squeeze %u {axes = array<i64: 2>} : tensor<1x3x1xf32> -> tensor<1x3xf32>
  // A dynamic dim may be squeezed (it must be 1 at run time).
  // CHECK-NEXT: ds.squeeze %{{.*}} {axes = array<i64: 0>} : tensor<?x3xi64> -> tensor<3xi64>
  %11 = ds.squeeze %ud {axes = array<i64: 0>} : tensor<?x3xi64> -> tensor<3xi64>
  // CHECK-NEXT: ds.unsqueeze %{{.*}} {axes = array<i64: 0>} : tensor<3xf32> -> tensor<1x3xf32>
  %12 = ds.unsqueeze %v {axes = array<i64: 0>} : tensor<3xf32> -> tensor<1x3xf32>
  // CHECK-NEXT: ds.unsqueeze %{{.*}} {axes = array<i64: 0, 2>} : tensor<3xf32> -> tensor<1x3x1xf32>
  %13 = ds.unsqueeze %v {axes = array<i64: 0, 2>} : tensor<3xf32> -> tensor<1x3x1xf32>
  // CHECK-NEXT: ds.unsqueeze %{{.*}} {axes = array<i64: 1>} : tensor<?x3xi64> -> tensor<?x1x3xi64>
  %14 = ds.unsqueeze %ud {axes = array<i64: 1>} : tensor<?x3xi64> -> tensor<?x1x3xi64>
  return %0 : tensor<?x4xf32>
}

// CHECK-LABEL: func @concat_gather
func.func @concat_gather(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>, %d: tensor<?x4xf32>, %e: tensor<3x4xf32>, %s: tensor<1xi64>, %t: tensor<2xi64>, %emb: tensor<100x16xf32>, %ids: tensor<2x5xi64>, %m: tensor<4x10xf32>, %ids32: tensor<3xi32>, %k: tensor<i64>, %md: tensor<?x?xi64>) -> tensor<2x8xf32> {
  // CHECK: ds.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  %0 = ds.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  // CHECK-NEXT: ds.concat %{{.*}}, %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %1 = ds.concat %d, %e, %d {axis = 0 : i64} : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK-NEXT: ds.concat %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<1xi64>, tensor<2xi64>) -> tensor<3xi64>
  %2 = ds.concat %s, %t {axis = 0 : i64} : (tensor<1xi64>, tensor<2xi64>) -> tensor<3xi64>
  // CHECK-NEXT: ds.concat %{{.*}} {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = ds.concat %a {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT: ds.gather %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<100x16xf32>, tensor<2x5xi64>) -> tensor<2x5x16xf32>
  %4 = ds.gather %emb, %ids {axis = 0 : i64} : (tensor<100x16xf32>, tensor<2x5xi64>) -> tensor<2x5x16xf32>
  // CHECK-NEXT: ds.gather %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<4x10xf32>, tensor<3xi32>) -> tensor<4x3xf32>
  %5 = ds.gather %m, %ids32 {axis = 1 : i64} : (tensor<4x10xf32>, tensor<3xi32>) -> tensor<4x3xf32>
  // A scalar index drops the gathered dim.
  // CHECK-NEXT: ds.gather %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<4x10xf32>, tensor<i64>) -> tensor<10xf32>
  %6 = ds.gather %m, %k {axis = 0 : i64} : (tensor<4x10xf32>, tensor<i64>) -> tensor<10xf32>
  // CHECK-NEXT: ds.gather %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<?x?xi64>, tensor<2x5xi64>) -> tensor<?x2x5xi64>
  %7 = ds.gather %md, %ids {axis = 1 : i64} : (tensor<?x?xi64>, tensor<2x5xi64>) -> tensor<?x2x5xi64>
  return %0 : tensor<2x8xf32>
}

// CHECK-LABEL: func @broadcast_and_pad
func.func @broadcast_and_pad(%x: tensor<3x1xf32>, %s2: tensor<2xi64>, %s3: tensor<3xi64>, %sd: tensor<?xi64>, %y: tensor<2x3xf32>, %xi: tensor<4xi64>, %p8: tensor<8xi64>, %p2: tensor<2xi64>, %p4: tensor<4xi64>, %img: tensor<1x3x8x8xf32>, %cv: tensor<f32>, %cv1: tensor<1xf32>, %ci: tensor<i64>, %yd: tensor<?x3xf32>) -> tensor<3x4xf32> {
  // CHECK: ds.expand %{{.*}}, %{{.*}} : (tensor<3x1xf32>, tensor<2xi64>) -> tensor<3x4xf32>
  %0 = ds.expand %x, %s2 : (tensor<3x1xf32>, tensor<2xi64>) -> tensor<3x4xf32>
  // CHECK-NEXT: ds.expand %{{.*}}, %{{.*}} : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<2x3x4xf32>
  %1 = ds.expand %x, %s3 : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<2x3x4xf32>
  // CHECK-NEXT: ds.expand %{{.*}}, %{{.*}} : (tensor<3x1xf32>, tensor<?xi64>) -> tensor<?x3x?xf32>
  %2 = ds.expand %x, %sd : (tensor<3x1xf32>, tensor<?xi64>) -> tensor<?x3x?xf32>
  // CHECK-NEXT: ds.tile %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<4x3xf32>
  %3 = ds.tile %y, %s2 : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<4x3xf32>
  // CHECK-NEXT: ds.tile %{{.*}}, %{{.*}} : (tensor<4xi64>, tensor<?xi64>) -> tensor<?xi64>
  %4 = ds.tile %xi, %sd : (tensor<4xi64>, tensor<?xi64>) -> tensor<?xi64>
  // CHECK-NEXT: ds.pad %{{.*}}, %{{.*}} : (tensor<1x3x8x8xf32>, tensor<8xi64>) -> tensor<1x3x10x10xf32>
  %5 = ds.pad %img, %p8 : (tensor<1x3x8x8xf32>, tensor<8xi64>) -> tensor<1x3x10x10xf32>
  // CHECK-NEXT: ds.pad %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x3x8x8xf32>, tensor<8xi64>, tensor<f32>) -> tensor<1x3x10x10xf32>
  %6 = ds.pad %img, %p8, %cv {mode = "constant"} : (tensor<1x3x8x8xf32>, tensor<8xi64>, tensor<f32>) -> tensor<1x3x10x10xf32>
  // A one-element constant_value need not be 0-D.
  // CHECK-NEXT: ds.pad %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x3x8x8xf32>, tensor<8xi64>, tensor<1xf32>) -> tensor<1x3x?x?xf32>
  %7 = ds.pad %img, %p8, %cv1 : (tensor<1x3x8x8xf32>, tensor<8xi64>, tensor<1xf32>) -> tensor<1x3x?x?xf32>
  // CHECK-NEXT: ds.pad %{{.*}}, %{{.*}} {mode = "reflect"} : (tensor<1x3x8x8xf32>, tensor<8xi64>) -> tensor<1x3x10x10xf32>
  %8 = ds.pad %img, %p8 {mode = "reflect"} : (tensor<1x3x8x8xf32>, tensor<8xi64>) -> tensor<1x3x10x10xf32>
  // CHECK-NEXT: ds.pad %{{.*}}, %{{.*}} {mode = "edge"} : (tensor<?x3xf32>, tensor<4xi64>) -> tensor<?x5xf32>
  %9 = ds.pad %yd, %p4 {mode = "edge"} : (tensor<?x3xf32>, tensor<4xi64>) -> tensor<?x5xf32>
  // CHECK-NEXT: ds.pad %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4xi64>, tensor<2xi64>, tensor<i64>) -> tensor<6xi64>
  %10 = ds.pad %xi, %p2, %ci : (tensor<4xi64>, tensor<2xi64>, tensor<i64>) -> tensor<6xi64>
  // CHECK-NEXT: ds.pad %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<?xi64>) -> tensor<?x?xf32>
  %11 = ds.pad %y, %sd : (tensor<2x3xf32>, tensor<?xi64>) -> tensor<?x?xf32>
  return %0 : tensor<3x4xf32>
}

// CHECK-LABEL: func @resize
func.func @resize(%x: tensor<1x3x4x4xf32>, %sc: tensor<4xf32>, %xd: tensor<?x3x?x?xf16>) -> tensor<1x3x8x8xf32> {
  // CHECK: ds.resize %{{.*}} scales(%{{.*}} : tensor<4xf32>) : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
  %0 = ds.resize %x scales(%sc : tensor<4xf32>) : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
  // CHECK-NEXT: ds.resize %{{.*}} scales(%{{.*}} : tensor<4xf32>) {coordinate_transformation_mode = "align_corners", mode = "linear"} : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
  %1 = ds.resize %x scales(%sc : tensor<4xf32>) {coordinate_transformation_mode = "align_corners", mode = "linear"} : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
  // CHECK-NEXT: ds.resize %{{.*}} scales(%{{.*}} : tensor<4xf32>) {coordinate_transformation_mode = "asymmetric", nearest_mode = "floor"} : tensor<?x3x?x?xf16> -> tensor<?x3x?x?xf16>
  %2 = ds.resize %xd scales(%sc : tensor<4xf32>) {coordinate_transformation_mode = "asymmetric", mode = "nearest", nearest_mode = "floor"} : tensor<?x3x?x?xf16> -> tensor<?x3x?x?xf16>
  // CHECK-NEXT: ds.resize %{{.*}} scales(%{{.*}} : tensor<4xf32>) {coordinate_transformation_mode = "pytorch_half_pixel", nearest_mode = "round_prefer_ceil"} : tensor<1x3x4x4xf32> -> tensor<1x3x?x?xf32>
  %3 = ds.resize %x scales(%sc : tensor<4xf32>) {coordinate_transformation_mode = "pytorch_half_pixel", nearest_mode = "round_prefer_ceil"} : tensor<1x3x4x4xf32> -> tensor<1x3x?x?xf32>
  // CHECK-NEXT: ds.resize %{{.*}} scales(%{{.*}} : tensor<4xf32>) {coordinate_transformation_mode = "tf_half_pixel_for_nn", nearest_mode = "ceil"} : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
  %4 = ds.resize %x scales(%sc : tensor<4xf32>) {coordinate_transformation_mode = "tf_half_pixel_for_nn", nearest_mode = "ceil"} : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// CHECK-LABEL: func @shape_sources
func.func @shape_sources(%x: tensor<?x16xf32>, %y: tensor<2x3x4xi1>, %s: tensor<2xi64>, %e: tensor<0xi64>, %a: tensor<i64>, %b: tensor<i64>, %c: tensor<i64>, %f: tensor<f32>, %i: tensor<i32>) -> tensor<2xi64> {
  // CHECK: ds.shape %{{.*}} {end = 2 : i64, start = 0 : i64} : tensor<?x16xf32> -> tensor<2xi64>
  %0 = ds.shape %x {end = 2 : i64, start = 0 : i64} : tensor<?x16xf32> -> tensor<2xi64>
  // CHECK-NEXT: ds.shape %{{.*}} {end = 3 : i64, start = 1 : i64} : tensor<2x3x4xi1> -> tensor<2xi64>
  %1 = ds.shape %y {end = 3 : i64, start = 1 : i64} : tensor<2x3x4xi1> -> tensor<2xi64>
  // CHECK-NEXT: ds.shape %{{.*}} {end = 1 : i64, start = 1 : i64} : tensor<2x3x4xi1> -> tensor<0xi64>
  %2 = ds.shape %y {end = 1 : i64, start = 1 : i64} : tensor<2x3x4xi1> -> tensor<0xi64>
  // CHECK-NEXT: ds.constant_of_shape %{{.*}} {value = dense<0.000000e+00> : tensor<1xf32>} : tensor<2xi64> -> tensor<?x4xf32>
  %3 = ds.constant_of_shape %s {value = dense<0.000000e+00> : tensor<1xf32>} : tensor<2xi64> -> tensor<?x4xf32>
  // CHECK-NEXT: ds.constant_of_shape %{{.*}} {value = dense<1> : tensor<1xi64>} : tensor<2xi64> -> tensor<?x?xi64>
  %4 = ds.constant_of_shape %s {value = dense<1> : tensor<1xi64>} : tensor<2xi64> -> tensor<?x?xi64>
  // CHECK-NEXT: ds.constant_of_shape %{{.*}} {value = dense<true> : tensor<1xi1>} : tensor<0xi64> -> tensor<i1>
  %5 = ds.constant_of_shape %e {value = dense<true> : tensor<1xi1>} : tensor<0xi64> -> tensor<i1>
  // CHECK-NEXT: ds.range %{{.*}}, %{{.*}}, %{{.*}} : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %6 = ds.range %a, %b, %c : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  // CHECK-NEXT: ds.range %{{.*}}, %{{.*}}, %{{.*}} : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  %7 = ds.range %f, %f, %f : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  // CHECK-NEXT: ds.range %{{.*}}, %{{.*}}, %{{.*}} : (tensor<i32>, tensor<i32>, tensor<i32>) -> tensor<5xi32>
  %8 = ds.range %i, %i, %i : (tensor<i32>, tensor<i32>, tensor<i32>) -> tensor<5xi32>
  return %0 : tensor<2xi64>
}

// CHECK-LABEL: func @trilu
func.func @trilu(%x: tensor<4x4xf32>, %k: tensor<i64>, %b: tensor<?x3x5xi64>) -> tensor<4x4xf32> {
  // CHECK: ds.trilu %{{.*}} : (tensor<4x4xf32>) -> tensor<4x4xf32>
  %0 = ds.trilu %x : (tensor<4x4xf32>) -> tensor<4x4xf32>
  // CHECK-NEXT: ds.trilu %{{.*}}, %{{.*}} {upper = 0 : i64} : (tensor<4x4xf32>, tensor<i64>) -> tensor<4x4xf32>
  %1 = ds.trilu %0, %k {upper = 0 : i64} : (tensor<4x4xf32>, tensor<i64>) -> tensor<4x4xf32>
  // CHECK-NEXT: ds.trilu %{{.*}}, %{{.*}} : (tensor<?x3x5xi64>, tensor<i64>) -> tensor<?x3x5xi64>
  %2 = ds.trilu %b, %k : (tensor<?x3x5xi64>, tensor<i64>) -> tensor<?x3x5xi64>
  // CHECK-NEXT: ds.trilu %{{.*}} : (tensor<?x3x5xi64>) -> tensor<?x3x5xi64>
  %3 = ds.trilu %b {upper = 1 : i64} : (tensor<?x3x5xi64>) -> tensor<?x3x5xi64>
  return %1 : tensor<4x4xf32>
}


// CHECK-LABEL: func @slice
func.func @slice(%x: tensor<4x8xf32>, %s: tensor<1xi64>, %y: tensor<?x?xi1>, %s2: tensor<2xi64>, %v: tensor<5xi64>, %sd: tensor<?xi64>) -> tensor<4x2xf32> {
  // CHECK: ds.slice %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<4x2xf32>
  %0 = ds.slice %x, %s, %s, %s, %s : (tensor<4x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<4x2xf32>
  // CHECK-NEXT: ds.slice %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x?xi1>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?xi1>
  %1 = ds.slice %y, %s2, %s2, %s2, %s2 : (tensor<?x?xi1>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?xi1>
  // CHECK-NEXT: ds.slice %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<5xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<3xi64>
  %2 = ds.slice %v, %s, %s, %s, %s : (tensor<5xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<3xi64>
  // CHECK-NEXT: ds.slice %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<?xi64>, tensor<?xi64>, tensor<?xi64>, tensor<?xi64>) -> tensor<?x?xf32>
  %3 = ds.slice %x, %sd, %sd, %sd, %sd : (tensor<4x8xf32>, tensor<?xi64>, tensor<?xi64>, tensor<?xi64>, tensor<?xi64>) -> tensor<?x?xf32>
  return %0 : tensor<4x2xf32>
}

// Written in generic form so that it parses whatever custom syntax the fix
// picks; the CHECKs match the custom form loosely.
// CHECK-LABEL: func @resize_sizes
func.func @resize_sizes(%x: tensor<1x3x4x4xf32>, %sz: tensor<4xi64>, %xd: tensor<?x3x?x?xbf16>) -> tensor<1x3x8x8xf32> {
  // CHECK: ds.resize %{{.*}} sizes(%{{.*}} : tensor<4xi64>) : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
  %0 = "ds.resize"(%x, %sz) <{operandSegmentSizes = array<i32: 1, 0, 1>}> : (tensor<1x3x4x4xf32>, tensor<4xi64>) -> tensor<1x3x8x8xf32>
  // CHECK-NEXT: ds.resize %{{.*}} sizes(%{{.*}} : tensor<4xi64>) {coordinate_transformation_mode = "align_corners", mode = "linear"} : tensor<?x3x?x?xbf16> -> tensor<?x3x?x?xbf16>
  %1 = "ds.resize"(%xd, %sz) <{coordinate_transformation_mode = "align_corners", mode = "linear", operandSegmentSizes = array<i32: 1, 0, 1>}> : (tensor<?x3x?x?xbf16>, tensor<4xi64>) -> tensor<?x3x?x?xbf16>
  return %0 : tensor<1x3x8x8xf32>
}

// CHECK-LABEL: func @fusion
func.func @fusion(%a: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // CHECK: %[[F:.*]]:2 = ds.fusion "elementwise"(%{{.*}}, %{{.*}}) : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // CHECK-NEXT: ^bb0(%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>):
  // CHECK-NEXT: %[[S:.*]] = ds.add %[[X]], %[[Y]]
  // CHECK-NEXT: %[[T:.*]] = ds.relu %[[S]]
  // CHECK-NEXT: ds.yield %[[S]], %[[T]] : tensor<4xf32>, tensor<4xf32>
  %r:2 = ds.fusion "elementwise" (%a, %b) : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  ^bb0(%x: tensor<4xf32>, %y: tensor<4xf32>):
    %s = ds.add %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %t = ds.relu %s : tensor<4xf32>
    ds.yield %s, %t : tensor<4xf32>, tensor<4xf32>
  }
  return %r#0, %r#1 : tensor<4xf32>, tensor<4xf32>
}
