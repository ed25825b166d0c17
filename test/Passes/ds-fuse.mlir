// RUN: ds-opt %s -split-input-file --ds-fuse | FileCheck %s

// Matmul epilogue (bias, activation) with the weight's transpose absorbed
// into the loads: one region, the weight is read in its stored layout.
// CHECK-LABEL: func.func @matmul_epilogue
// CHECK: %[[W:.*]] = ds.weight "w"
// CHECK: %[[F:.*]] = ds.fusion "matmul"(%[[W]], %arg0, %{{.*}}) : (tensor<16x8xf32>, tensor<4x8xf32>, tensor<16xf32>) -> tensor<4x16xf32>
// CHECK: ds.transpose
// CHECK: ds.matmul
// CHECK: ds.add
// CHECK: ds.relu
// CHECK: ds.yield
// CHECK: return %[[F]]
func.func @matmul_epilogue(%x: tensor<4x8xf32>) -> tensor<4x16xf32> {
  %w = ds.weight "w" : tensor<16x8xf32>
  %b = ds.weight "b" : tensor<16xf32>
  %t = ds.transpose %w, perm = [1, 0] : tensor<16x8xf32> -> tensor<8x16xf32>
  %m = ds.matmul %x, %t : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %a = ds.add %m, %b : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %r = ds.relu %a : tensor<4x16xf32>
  return %r : tensor<4x16xf32>
}

// -----

// Conv with scale, shift, clip (hard-swish style) and a residual add.
// CHECK-LABEL: func.func @conv_epilogue
// CHECK: ds.fusion "conv"(%arg0, %{{.*}}, %arg1)
// CHECK-COUNT-1: ds.conv
// CHECK: ds.mul
// CHECK: ds.add
// CHECK: ds.clip
// CHECK: ds.add
// CHECK: ds.yield
// CHECK-NOT: ds.fusion
func.func @conv_epilogue(%x: tensor<1x2x6x6xf32>, %res: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %w = ds.weight "w" : tensor<4x2x3x3xf32>
  %s = ds.constant dense<0.5> : tensor<1xf32>
  %c = ds.constant dense<3.0> : tensor<1xf32>
  %y = ds.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x6x6xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  %m = ds.mul %y, %s : (tensor<1x4x6x6xf32>, tensor<1xf32>) -> tensor<1x4x6x6xf32>
  %a = ds.add %m, %c : (tensor<1x4x6x6xf32>, tensor<1xf32>) -> tensor<1x4x6x6xf32>
  %k = ds.clip %a {min = 0.0 : f64, max = 6.0 : f64} : tensor<1x4x6x6xf32>
  %r = ds.add %k, %res : (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  return %r : tensor<1x4x6x6xf32>
}

// -----

// An elementwise chain whose intermediate is also used outside becomes one
// region with two results (multi-output), not two kernels; the broadcast
// operand is read by index.
// CHECK-LABEL: func.func @multi_output
// CHECK: %[[F:.*]]:2 = ds.fusion "elementwise"(%arg0, %arg1) : (tensor<4x8xf32>, tensor<8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>)
// CHECK: %[[S:.*]] = ds.add
// CHECK: %[[E:.*]] = ds.exp %[[S]]
// CHECK: %[[M:.*]] = ds.mul %[[E]], %[[S]]
// CHECK: ds.yield %[[S]], %[[M]]
// CHECK: %[[T:.*]] = ds.softmax %[[F]]#0
// CHECK: return %[[F]]#1, %[[T]]
func.func @multi_output(%x: tensor<4x8xf32>, %b: tensor<8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %s = ds.add %x, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %e = ds.exp %s : tensor<4x8xf32>
  %m = ds.mul %e, %s : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %t = ds.softmax %s {axis = 1 : i64} : tensor<4x8xf32>
  return %m, %t : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Transposes and views are absorbed into the index math of their consumer.
// CHECK-LABEL: func.func @transpose_absorbed
// CHECK: ds.fusion "elementwise"(%arg0, %arg1)
// CHECK: ds.unsqueeze
// CHECK: ds.transpose
// CHECK: ds.pow
// CHECK: ds.add
// CHECK-NOT: ds.transpose
func.func @transpose_absorbed(%x: tensor<1x5x3xf32>, %y: tensor<1x1x3x5xf32>) -> tensor<1x1x3x5xf32> {
  %two = ds.constant dense<2.0> : tensor<f32>
  %u = ds.unsqueeze %x {axes = array<i64: 1>} : tensor<1x5x3xf32> -> tensor<1x1x5x3xf32>
  %t = ds.transpose %u, perm = [0, 1, 3, 2] : tensor<1x1x5x3xf32> -> tensor<1x1x3x5xf32>
  %p = ds.pow %t, %two : (tensor<1x1x3x5xf32>, tensor<f32>) -> tensor<1x1x3x5xf32>
  %a = ds.add %p, %y : (tensor<1x1x3x5xf32>, tensor<1x1x3x5xf32>) -> tensor<1x1x3x5xf32>
  return %a : tensor<1x1x3x5xf32>
}

// -----

// Layer norm spelled out (ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div/Mul/Add,
// as exported by PyTorch): one reduction region, two reductions over the
// same rows, prologue and epilogue.
// CHECK-LABEL: func.func @layer_norm_decomposed
// CHECK: %[[F:.*]] = ds.fusion "reduction"(%arg0, %{{.*}}, %{{.*}})
// CHECK-COUNT-2: ds.reduce_mean
// CHECK: ds.yield
// CHECK-NEXT: }
// CHECK-NEXT: return %[[F]]
func.func @layer_norm_decomposed(%x: tensor<2x16xf32>) -> tensor<2x16xf32> {
  %two = ds.constant dense<2.0> : tensor<f32>
  %eps = ds.constant dense<1.0e-5> : tensor<f32>
  %g = ds.weight "g" : tensor<16xf32>
  %b = ds.weight "b" : tensor<16xf32>
  %m = ds.reduce_mean %x {axes = array<i64: 1>} : tensor<2x16xf32> -> tensor<2x1xf32>
  %d = ds.sub %x, %m : (tensor<2x16xf32>, tensor<2x1xf32>) -> tensor<2x16xf32>
  %p = ds.pow %d, %two : (tensor<2x16xf32>, tensor<f32>) -> tensor<2x16xf32>
  %v = ds.reduce_mean %p {axes = array<i64: 1>} : tensor<2x16xf32> -> tensor<2x1xf32>
  %ve = ds.add %v, %eps : (tensor<2x1xf32>, tensor<f32>) -> tensor<2x1xf32>
  %s = ds.sqrt %ve : tensor<2x1xf32>
  %n = ds.div %d, %s : (tensor<2x16xf32>, tensor<2x1xf32>) -> tensor<2x16xf32>
  %y = ds.mul %n, %g : (tensor<2x16xf32>, tensor<16xf32>) -> tensor<2x16xf32>
  %z = ds.add %y, %b : (tensor<2x16xf32>, tensor<16xf32>) -> tensor<2x16xf32>
  return %z : tensor<2x16xf32>
}

// -----

// Softmax spelled out: max, exp of the difference, sum, divide.
// CHECK-LABEL: func.func @softmax_decomposed
// CHECK: ds.fusion "reduction"
// CHECK: ds.reduce_max
// CHECK: ds.exp
// CHECK: ds.reduce_sum
// CHECK: ds.div
// CHECK-NOT: ds.fusion
func.func @softmax_decomposed(%x: tensor<3x10xf32>) -> tensor<3x10xf32> {
  %m = ds.reduce_max %x {axes = array<i64: 1>} : tensor<3x10xf32> -> tensor<3x1xf32>
  %d = ds.sub %x, %m : (tensor<3x10xf32>, tensor<3x1xf32>) -> tensor<3x10xf32>
  %e = ds.exp %d : tensor<3x10xf32>
  %s = ds.reduce_sum %e {axes = array<i64: 1>} : tensor<3x10xf32> -> tensor<3x1xf32>
  %y = ds.div %e, %s : (tensor<3x10xf32>, tensor<3x1xf32>) -> tensor<3x10xf32>
  return %y : tensor<3x10xf32>
}

// -----

// RMS norm: x * rsqrt(mean(x * x) + eps) * g.
// CHECK-LABEL: func.func @rms_norm
// CHECK: ds.fusion "reduction"
// CHECK: ds.mul
// CHECK: ds.reduce_mean
// CHECK: ds.rsqrt
// CHECK-NOT: ds.fusion
func.func @rms_norm(%x: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %eps = ds.constant dense<1.0e-6> : tensor<f32>
  %g = ds.weight "g" : tensor<32xf32>
  %sq = ds.mul %x, %x : (tensor<4x32xf32>, tensor<4x32xf32>) -> tensor<4x32xf32>
  %ms = ds.reduce_mean %sq {axes = array<i64: 1>} : tensor<4x32xf32> -> tensor<4x1xf32>
  %a = ds.add %ms, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %r = ds.rsqrt %a : tensor<4x1xf32>
  %n = ds.mul %x, %r : (tensor<4x32xf32>, tensor<4x1xf32>) -> tensor<4x32xf32>
  %y = ds.mul %n, %g : (tensor<4x32xf32>, tensor<32xf32>) -> tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}

// -----

// Squeeze-and-excite: the gate depends on x through a reduction, so the
// final multiply cannot join x's conv region (that would be a cycle); the
// reduce-mean over the spatial dims stays alone (one kernel either way), the
// gate's conv takes the hard_sigmoid as its epilogue.
// CHECK-LABEL: func.func @no_cycle
// CHECK: %[[X:.*]] = ds.fusion "conv"
// CHECK: ds.conv
// CHECK: ds.add
// CHECK: ds.yield
// CHECK: %[[R:.*]] = ds.reduce_mean %[[X]]
// CHECK: %[[G:.*]] = ds.fusion "conv"(%[[R]]
// CHECK: ds.hard_sigmoid
// CHECK: ds.yield
// CHECK: ds.mul %[[X]], %[[G]]
func.func @no_cycle(%in: tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32> {
  %w = ds.weight "w" : tensor<4x4x1x1xf32>
  %w2 = ds.weight "w2" : tensor<4x4x1x1xf32>
  %b = ds.constant dense<0.1> : tensor<1xf32>
  %c = ds.conv %in, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x5x5xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x5x5xf32>
  %x = ds.add %c, %b : (tensor<1x4x5x5xf32>, tensor<1xf32>) -> tensor<1x4x5x5xf32>
  %r = ds.reduce_mean %x {axes = array<i64: 2, 3>} : tensor<1x4x5x5xf32> -> tensor<1x4x1x1xf32>
  %g = ds.conv %r, %w2 {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x1x1xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x1x1xf32>
  %h = ds.hard_sigmoid %g {alpha = 0.2 : f64, beta = 0.5 : f64} : tensor<1x4x1x1xf32>
  %y = ds.mul %x, %h : (tensor<1x4x5x5xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x5x5xf32>
  return %y : tensor<1x4x5x5xf32>
}

// -----

// Does not fire: an expensive producer read at a broadcast index would be
// recomputed for every element of the consumer (here 8 times): exp stays a
// kernel of its own.
// CHECK-LABEL: func.func @expensive_broadcast
// CHECK: %[[E:.*]] = ds.exp %arg1
// CHECK-NEXT: %[[A:.*]] = ds.add %arg0, %[[E]]
// CHECK-NEXT: return %[[A]]
func.func @expensive_broadcast(%x: tensor<4x8xf32>, %y: tensor<8xf32>) -> tensor<4x8xf32> {
  %e = ds.exp %y : tensor<8xf32>
  %a = ds.add %x, %e : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %a : tensor<4x8xf32>
}

// -----

// Does not fire: a matmul is never duplicated. Its result feeds a pooling
// op (not fusable) and a relu: the region yields both the matmul's result
// and the relu.
// CHECK-LABEL: func.func @expensive_producer_two_users
// CHECK-COUNT-1: ds.matmul
// CHECK: ds.yield %{{.*}}, %{{.*}} : tensor<1x4x8xf32>, tensor<1x4x8xf32>
// CHECK: ds.softmax
func.func @expensive_producer_two_users(%x: tensor<1x4x3xf32>, %w: tensor<3x8xf32>) -> (tensor<1x4x8xf32>, tensor<1x4x8xf32>) {
  %m = ds.matmul %x, %w : (tensor<1x4x3xf32>, tensor<3x8xf32>) -> tensor<1x4x8xf32>
  %s = ds.softmax %m {axis = 2 : i64} : tensor<1x4x8xf32>
  %r = ds.relu %m : tensor<1x4x8xf32>
  return %s, %r : tensor<1x4x8xf32>, tensor<1x4x8xf32>
}

// -----

// Does not fire: two matmuls never share a region, and a reduction over a
// middle dim stays the plain reduce kernel.
// CHECK-LABEL: func.func @not_fused
// CHECK-NOT: ds.fusion
func.func @not_fused(%x: tensor<4x4xf32>, %y: tensor<2x3x4xf32>) -> (tensor<4x4xf32>, tensor<2x1x4xf32>) {
  %a = ds.matmul %x, %x : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %b = ds.matmul %a, %x : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %r = ds.reduce_sum %y {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  return %b, %r : tensor<4x4xf32>, tensor<2x1x4xf32>
}

// -----

// Does not fire: dynamic shapes (ds-static-shapes comes first).
// CHECK-LABEL: func.func @dynamic
// CHECK-NOT: ds.fusion
func.func @dynamic(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %a = ds.relu %x : tensor<?x8xf32>
  %b = ds.neg %a : tensor<?x8xf32>
  return %b : tensor<?x8xf32>
}
