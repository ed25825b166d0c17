// RUN: ds-opt %s -split-input-file -verify-diagnostics

func.func @weight_c1() {
  // expected-error @+1 {{requires a non-empty weight name}}
  %w = ds.weight "" : tensor<4xf32>
  return
}

// -----

func.func @weight_c2() {
  // expected-error @+1 {{requires a static shape}}
  %w = ds.weight "w" : tensor<?xf32>
  return
}

// -----

func.func @weight_type() {
  // expected-error @+1 {{must be ranked tensor of}}
  %w = ds.weight "w" : tensor<4xi8>
  return
}

// -----

func.func @constant_c1() {
  // expected-error @+1 {{value type 'tensor<2xf32>' differs from the result type 'tensor<3xf32>'}}
  %c = "ds.constant"() <{value = dense<[1.0, 2.0]> : tensor<2xf32>}> : () -> tensor<3xf32>
  return
}

// -----

func.func @unary_type(%x: tensor<4xi32>) {
  // expected-error @+1 {{must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values}}
  %0 = ds.exp %x : tensor<4xi32>
  return
}

// -----

func.func @unary_same_type(%x: tensor<4xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %0 = "ds.relu"(%x) : (tensor<4xf32>) -> tensor<4xf16>
  return
}

// -----

func.func @gelu_c1(%x: tensor<4xf32>) {
  // expected-error @+1 {{approximate must be "none" or "tanh", got "fast"}}
  %0 = ds.gelu %x {approximate = "fast"} : tensor<4xf32>
  return
}

// -----

func.func @binary_c1(%a: tensor<4x8xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{shapes 4x8 and 4 are not broadcast-compatible (dim 1: 8 vs 4)}}
  %0 = ds.add %a, %b : (tensor<4x8xf32>, tensor<4xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @binary_c2(%a: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{result shape 4x9 differs from the broadcast shape 4x8}}
  %0 = ds.mul %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x9xf32>
  return
}

// -----

func.func @binary_c3(%a: tensor<4xf32>, %b: tensor<4xf16>) {
  // expected-error @+1 {{requires the same element type for operands and result, got 'f32', 'f16' -> 'f32'}}
  %0 = ds.sub %a, %b : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return
}

// -----

func.func @matmul_c1(%a: tensor<f32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{requires operands of rank >= 1}}
  %0 = "ds.matmul"(%a, %b) : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @matmul_c2(%a: tensor<2x4xf32>, %b: tensor<5x3xf32>) {
  // expected-error @+1 {{contraction dims differ: lhs 2x4 has 4, rhs 5x3 has 5}}
  %0 = ds.matmul %a, %b : (tensor<2x4xf32>, tensor<5x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @matmul_c3(%a: tensor<2x3x4xf32>, %b: tensor<5x4x6xf32>) {
  // expected-error @+1 {{batch dims: shapes 2 and 5 are not broadcast-compatible}}
  %0 = ds.matmul %a, %b : (tensor<2x3x4xf32>, tensor<5x4x6xf32>) -> tensor<2x3x6xf32>
  return
}

// -----

func.func @matmul_c4(%a: tensor<2x4xf32>, %b: tensor<4x3xf32>) {
  // expected-error @+1 {{result shape 2x4 differs from the inferred shape 2x3}}
  %0 = ds.matmul %a, %b : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @matmul_c5(%a: tensor<2x4xf32>, %b: tensor<4x3xf16>) {
  // expected-error @+1 {{requires the same element type for operands and result}}
  %0 = ds.matmul %a, %b : (tensor<2x4xf32>, tensor<4x3xf16>) -> tensor<2x3xf32>
  return
}

// -----

func.func @softmax_c1(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{axis -3 is out of range for rank 2}}
  %0 = ds.softmax %x {axis = -3} : tensor<4x8xf32>
  return
}

// -----

func.func @reshape_c1(%x: tensor<4xf32>) {
  // expected-error @+1 {{requires the same element type, got 'f32' -> 'i32'}}
  %0 = ds.reshape %x : tensor<4xf32> -> tensor<2x2xi32>
  return
}

// -----

func.func @reshape_c2(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{cannot reshape 6 elements (tensor<2x3xf32>) into 8 (tensor<2x4xf32>)}}
  %0 = ds.reshape %x : tensor<2x3xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @transpose_c1(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{perm is not a permutation of [0, 2)}}
  %0 = ds.transpose %x, perm = [0, 0] : tensor<2x3xf32> -> tensor<2x2xf32>
  return
}

// -----

func.func @transpose_c1_rank(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{perm has 3 entries, the operand has rank 2}}
  %0 = ds.transpose %x, perm = [0, 1, 2] : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @transpose_c2(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{result shape 2x3 differs from the permuted shape 3x2}}
  %0 = ds.transpose %x, perm = [1, 0] : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @transpose_c3(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{requires the same element type, got 'f32' -> 'f16'}}
  %0 = ds.transpose %x, perm = [1, 0] : tensor<2x3xf32> -> tensor<3x2xf16>
  return
}
