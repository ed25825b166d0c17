// RUN: ds-opt %s -split-input-file --ds-raise-patterns | FileCheck %s

// Numerics: the raised program computes the same values as the original
// (reference executor, erf GELU within 1e-6 relative).
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %ds_src_root/test/lib/compare_before_after.py %s %t -- --ds-raise-patterns

// CHECK-LABEL: func @gelu_form_a
// CHECK-NEXT: %[[G:.*]] = ds.gelu %arg0 : tensor<4x8xf32>
// CHECK-NEXT: return %[[G]]
func.func @gelu_form_a(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %sqrt2 = ds.constant dense<1.41421354> : tensor<f32>
  %one = ds.constant dense<1.0> : tensor<f32>
  %half = ds.constant dense<0.5> : tensor<f32>
  %d = ds.div %x, %sqrt2 : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %e = ds.erf %d : tensor<4x8xf32>
  %a = ds.add %e, %one : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %m = ds.mul %x, %a : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = ds.mul %m, %half : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Form B with the 1/sqrt(2) multiply and commuted operands.
// CHECK-LABEL: func @gelu_form_b
// CHECK-NEXT: %[[G:.*]] = ds.gelu %arg0 : tensor<4x8xf32>
// CHECK-NEXT: return %[[G]]
func.func @gelu_form_b(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %r = ds.constant dense<0.707106769> : tensor<f32>
  %one = ds.constant dense<1.0> : tensor<f32>
  %half = ds.constant dense<0.5> : tensor<f32>
  %h = ds.mul %half, %x : (tensor<f32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %d = ds.mul %x, %r : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %e = ds.erf %d : tensor<4x8xf32>
  %a = ds.add %one, %e : (tensor<f32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = ds.mul %h, %a : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func @silu
// CHECK-NEXT: %[[S:.*]] = ds.silu %arg0 : tensor<16xf32>
// CHECK-NEXT: return %[[S]]
func.func @silu(%x: tensor<16xf32>) -> tensor<16xf32> {
  %s = ds.sigmoid %x : tensor<16xf32>
  %y = ds.mul %s, %x : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  return %y : tensor<16xf32>
}

// -----

// Does not fire: the erf result has another use.
// CHECK-LABEL: func @gelu_shared_intermediate
// CHECK: ds.erf
// CHECK-NOT: ds.gelu
func.func @gelu_shared_intermediate(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %sqrt2 = ds.constant dense<1.41421354> : tensor<f32>
  %one = ds.constant dense<1.0> : tensor<f32>
  %half = ds.constant dense<0.5> : tensor<f32>
  %d = ds.div %x, %sqrt2 : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %e = ds.erf %d : tensor<4xf32>
  %a = ds.add %e, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %m = ds.mul %x, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %y = ds.mul %m, %half : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %y, %e : tensor<4xf32>, tensor<4xf32>
}

// -----

// Does not fire: wrong constant (0.6 instead of 0.5), and x * sigmoid(y).
// CHECK-LABEL: func @near_misses
// CHECK: ds.erf
// CHECK: ds.sigmoid
// CHECK-NOT: ds.gelu
// CHECK-NOT: ds.silu
func.func @near_misses(%x: tensor<4xf32>, %z: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %sqrt2 = ds.constant dense<1.41421354> : tensor<f32>
  %one = ds.constant dense<1.0> : tensor<f32>
  %c = ds.constant dense<0.6> : tensor<f32>
  %d = ds.div %x, %sqrt2 : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %e = ds.erf %d : tensor<4xf32>
  %a = ds.add %e, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %m = ds.mul %x, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %y = ds.mul %m, %c : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %s = ds.sigmoid %z : tensor<4xf32>
  %w = ds.mul %x, %s : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y, %w : tensor<4xf32>, tensor<4xf32>
}
