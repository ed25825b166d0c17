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

func.func @dequantize_int4_c1(%p: tensor<64x64xui8>, %s: tensor<64x2xf16>) {
  // expected-error @+1 {{requires packed of shape 64x128 for a 256x64 result, got 64x64}}
  %0 = ds.dequantize_int4 %p, %s {group_size = 128 : i64} : (tensor<64x64xui8>, tensor<64x2xf16>) -> tensor<256x64xf32>
  return
}

// -----

func.func @dequantize_int4_c1(%p: tensor<64x128xui8>, %s: tensor<64x2xf16>) {
  // expected-error @+1 {{requires a static 2-D result, got 'tensor<256x64x1xf32>'}}
  %0 = ds.dequantize_int4 %p, %s {group_size = 128 : i64} : (tensor<64x128xui8>, tensor<64x2xf16>) -> tensor<256x64x1xf32>
  return
}

// -----

func.func @dequantize_int4_c2(%p: tensor<64x128xui8>, %s: tensor<64x4xf16>) {
  // expected-error @+1 {{requires scales of shape 64x2, got 64x4}}
  %0 = ds.dequantize_int4 %p, %s {group_size = 128 : i64} : (tensor<64x128xui8>, tensor<64x4xf16>) -> tensor<256x64xf32>
  return
}

// -----

func.func @dequantize_int4_c2(%p: tensor<64x128xui8>, %s: tensor<64x2xf16>, %z: tensor<2x64xui8>) {
  // expected-error @+1 {{requires zeros of shape 64x2, got 2x64}}
  %0 = ds.dequantize_int4 %p, %s, %z {group_size = 128 : i64} : (tensor<64x128xui8>, tensor<64x2xf16>, tensor<2x64xui8>) -> tensor<256x64xf32>
  return
}

// -----

func.func @dequantize_int4_c3(%p: tensor<64x128xui8>, %s: tensor<64x256xf16>) {
  // expected-error @+1 {{requires group_size >= 2, got 1}}
  %0 = ds.dequantize_int4 %p, %s {group_size = 1 : i64} : (tensor<64x128xui8>, tensor<64x256xf16>) -> tensor<256x64xf32>
  return
}

// -----

func.func @dequantize_int4_types(%p: tensor<64x128xi8>, %s: tensor<64x2xf16>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 8-bit unsigned integer values}}
  %0 = ds.dequantize_int4 %p, %s {group_size = 128 : i64} : (tensor<64x128xi8>, tensor<64x2xf16>) -> tensor<256x64xf32>
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

// -----

func.func @unary_numeric_type(%x: tensor<4xi1>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type or 64-bit signless integer or 32-bit signless integer values, but got 'tensor<4xi1>'}}
  %0 = ds.neg %x : tensor<4xi1>
  return
}

// -----

func.func @leaky_relu_type(%x: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<4xi32>'}}
  %0 = ds.leaky_relu %x : tensor<4xi32>
  return
}

// -----

func.func @not_type(%x: tensor<4xf32>) {
  // expected-error-re @+1 {{operand #0 must be {{(ranked )?}}tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = ds.not %x : tensor<4xf32>
  return
}

// -----

func.func @clip_c1(%x: tensor<4xf32>) {
  // expected-error @+1 {{min 6.000000e+00 is greater than max 0.000000e+00}}
  %0 = ds.clip %x {min = 6.0 : f64, max = 0.0 : f64} : tensor<4xf32>
  return
}

// -----

func.func @clip_type(%x: tensor<4xi1>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type or 64-bit signless integer or 32-bit signless integer values, but got 'tensor<4xi1>'}}
  %0 = ds.clip %x {min = 0.0 : f64} : tensor<4xi1>
  return
}

// -----

func.func @cast_c1(%x: tensor<2x?xf32>) {
  // expected-error @+1 {{operand shape 2x? differs from the result shape 3x4}}
  %0 = ds.cast %x : tensor<2x?xf32> -> tensor<3x4xi64>
  return
}

// -----

func.func @cast_c1_rank(%x: tensor<4xf32>) {
  // expected-error @+1 {{operand shape 4 differs from the result shape 4x1}}
  %0 = ds.cast %x : tensor<4xf32> -> tensor<4x1xf32>
  return
}

// -----

func.func @cast_type(%x: tensor<4xf32>) {
  // expected-error @+1 {{result #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type or 64-bit signless integer or 32-bit signless integer or 1-bit signless integer values, but got 'tensor<4xi8>'}}
  %0 = ds.cast %x : tensor<4xf32> -> tensor<4xi8>
  return
}

// -----

func.func @pow_type(%a: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<4xi32>'}}
  %0 = ds.pow %a, %a : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return
}

// -----

func.func @binary_c1_max(%a: tensor<2x3xi64>, %b: tensor<2xi64>) {
  // expected-error @+1 {{shapes 2x3 and 2 are not broadcast-compatible (dim 1: 3 vs 2)}}
  %0 = ds.max %a, %b : (tensor<2x3xi64>, tensor<2xi64>) -> tensor<2x3xi64>
  return
}

// -----

func.func @binary_c3_prelu(%x: tensor<4xf32>, %s: tensor<1xf16>) {
  // expected-error @+1 {{requires the same element type for operands and result, got 'f32', 'f16' -> 'f32'}}
  %0 = ds.prelu %x, %s : (tensor<4xf32>, tensor<1xf16>) -> tensor<4xf32>
  return
}

// -----

func.func @compare_type(%a: tensor<4xf32>, %b: tensor<4xf32>) {
  // expected-error-re @+1 {{result #0 must be {{(ranked )?}}tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = ds.less %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @compare_c3(%a: tensor<4xf32>, %b: tensor<4xi64>) {
  // expected-error @+1 {{requires the same element type for operands and result, got 'f32', 'i64' -> 'i1'}}
  %0 = ds.equal %a, %b : (tensor<4xf32>, tensor<4xi64>) -> tensor<4xi1>
  return
}

// -----

func.func @compare_c2(%a: tensor<4x1xi64>, %b: tensor<3xi64>) {
  // expected-error @+1 {{result shape 4 differs from the broadcast shape 4x3}}
  %0 = ds.greater_equal %a, %b : (tensor<4x1xi64>, tensor<3xi64>) -> tensor<4xi1>
  return
}

// -----

func.func @logical_type(%a: tensor<4xf32>) {
  // expected-error-re @+1 {{operand #0 must be {{(ranked )?}}tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = ds.and %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return
}

// -----

func.func @logical_c1(%a: tensor<4xi1>, %b: tensor<5xi1>) {
  // expected-error @+1 {{shapes 4 and 5 are not broadcast-compatible (dim 0: 4 vs 5)}}
  %0 = ds.xor %a, %b : (tensor<4xi1>, tensor<5xi1>) -> tensor<4xi1>
  return
}

// -----

func.func @where_c1(%c: tensor<4xi1>, %x: tensor<4x8xf32>, %y: tensor<4x1xf32>) {
  // expected-error @+1 {{shapes 4 and 4x8 are not broadcast-compatible (dim 1: 4 vs 8)}}
  %0 = ds.where %c, %x, %y : (tensor<4xi1>, tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @where_c1_values(%c: tensor<i1>, %x: tensor<4x8xf32>, %y: tensor<4x2xf32>) {
  // expected-error @+1 {{shapes 4x8 and 4x2 are not broadcast-compatible (dim 1: 8 vs 2)}}
  %0 = ds.where %c, %x, %y : (tensor<i1>, tensor<4x8xf32>, tensor<4x2xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @where_c2(%c: tensor<3x1x1xi1>, %x: tensor<4x1xf32>, %y: tensor<8xf32>) {
  // expected-error @+1 {{result shape 4x8 differs from the broadcast shape 3x4x8}}
  %0 = ds.where %c, %x, %y : (tensor<3x1x1xi1>, tensor<4x1xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @where_c3(%c: tensor<4xi1>, %x: tensor<4xf32>, %y: tensor<4xf16>) {
  // expected-error @+1 {{requires the same element type for x, y and the result, got 'f32', 'f16' -> 'f32'}}
  %0 = ds.where %c, %x, %y : (tensor<4xi1>, tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return
}

// -----

func.func @where_condition_type(%c: tensor<4xf32>, %x: tensor<4xf32>) {
  // expected-error-re @+1 {{operand #0 must be {{(ranked )?}}tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = ds.where %c, %x, %x : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @conv_c1(%x: tensor<4x8xf32>, %w: tensor<4x8xf32>) {
  // expected-error @+1 {{expects input and weight of the same rank >= 3, got 2 and 2}}
  %0 = ds.conv %x, %w {dilations = array<i64>, pads = array<i64>, strides = array<i64>} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x4xf32>
  return
}

// -----

func.func @conv_c1_weight_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3xf32>) {
  // expected-error @+1 {{expects input and weight of the same rank >= 3, got 4 and 3}}
  %0 = ds.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<16x3x3xf32>) -> tensor<1x16x6x6xf32>
  return
}

// -----

func.func @conv_c1_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>, %b: tensor<1x16xf32>) {
  // expected-error @+1 {{expects a 1-D bias}}
  %0 = ds.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<1x16xf32>) -> tensor<1x16x6x6xf32>
  return
}

// -----

func.func @conv_c2(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{expects 2 strides and dilations and 4 pads, got 1, 2 and 4}}
  %0 = ds.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1>} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xf32>
  return
}

// -----

func.func @conv_c2_empty(%x: tensor<1x3x8xf32>, %w: tensor<16x3x3xf32>) {
  // expected-error @+1 {{expects 1 strides and dilations and 2 pads, got 0, 0 and 0}}
  %0 = ds.conv %x, %w {dilations = array<i64>, pads = array<i64>, strides = array<i64>} : (tensor<1x3x8xf32>, tensor<16x3x3xf32>) -> tensor<1x16x6xf32>
  return
}

// -----

func.func @conv_c2_stride(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{strides and dilations must be >= 1}}
  %0 = ds.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 0>} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xf32>
  return
}

// -----

func.func @conv_c2_dilation(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{strides and dilations must be >= 1}}
  %0 = ds.conv %x, %w {dilations = array<i64: -1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xf32>
  return
}

// -----

func.func @conv_c2_pads(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{pads must be >= 0}}
  %0 = ds.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, -1, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x5x6xf32>
  return
}

// -----

func.func @conv_c3(%x: tensor<1x4x8x8xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{input has 4 channels, weight expects 3 x group 1}}
  %0 = ds.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xf32>
  return
}

// -----

func.func @conv_c3_group(%x: tensor<1x4x8x8xf32>, %w: tensor<16x4x3x3xf32>) {
  // expected-error @+1 {{group must be >= 1, got 0}}
  %0 = ds.conv %x, %w {dilations = array<i64: 1, 1>, group = 0 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<16x4x3x3xf32>) -> tensor<1x16x6x6xf32>
  return
}

// -----

func.func @conv_c3_divide(%x: tensor<1x4x8x8xf32>, %w: tensor<6x1x3x3xf32>) {
  // expected-error @+1 {{group 4 does not divide 6 output channels}}
  %0 = ds.conv %x, %w {dilations = array<i64: 1, 1>, group = 4 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<6x1x3x3xf32>) -> tensor<1x6x6x6xf32>
  return
}

// -----

func.func @conv_c3_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{bias has 8 entries, expected 16}}
  %0 = ds.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<8xf32>) -> tensor<1x16x6x6xf32>
  return
}

// -----

func.func @conv_c4(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{result shape 1x16x8x8 differs from the inferred shape 1x16x6x6}}
  %0 = ds.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x8x8xf32>
  return
}

// -----

func.func @conv_c4_strided(%x: tensor<?x3x9x9xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{result shape ?x8x3x3 differs from the inferred shape ?x8x4x4}}
  %0 = ds.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<?x3x9x9xf32>, tensor<8x3x3x3xf32>) -> tensor<?x8x3x3xf32>
  return
}

// -----

func.func @conv_c5(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf16>) {
  // expected-error @+1 {{requires the same element type, got 'f32' and 'f16'}}
  %0 = ds.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf16>) -> tensor<1x16x6x6xf32>
  return
}

// -----

func.func @conv_c5_result(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{requires the same element type, got 'f32' and 'bf16'}}
  %0 = ds.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xbf16>
  return
}

// -----

func.func @conv_type(%x: tensor<1x3x8x8xi32>, %w: tensor<16x3x3x3xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<1x3x8x8xi32>'}}
  %0 = ds.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xi32>, tensor<16x3x3x3xi32>) -> tensor<1x16x6x6xi32>
  return
}

// -----

func.func @conv_transpose_c1(%x: tensor<1x4x5x5xf32>, %w: tensor<4x2x3xf32>) {
  // expected-error @+1 {{expects input and weight of the same rank >= 3, got 4 and 3}}
  %0 = ds.conv_transpose %x, %w {dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x5x5xf32>, tensor<4x2x3xf32>) -> tensor<1x2x7x7xf32>
  return
}

// -----

func.func @conv_transpose_c2(%x: tensor<1x4x5x5xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{expects 2 strides and dilations and 4 pads, got 2, 2 and 2}}
  %0 = ds.conv_transpose %x, %w {dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x7x7xf32>
  return
}

// -----

func.func @conv_transpose_c2_output_padding(%x: tensor<1x4x5x5xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{expects 2 output_padding entries}}
  %0 = ds.conv_transpose %x, %w {dilations = array<i64: 1, 1>, output_padding = array<i64: 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x7x7xf32>
  return
}

// -----

func.func @conv_transpose_c2_stride(%x: tensor<1x4x5x5xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{strides and dilations must be >= 1}}
  %0 = ds.conv_transpose %x, %w {dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 0, 1>} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x7x7xf32>
  return
}

// -----

func.func @conv_transpose_c3(%x: tensor<1x4x5x5xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{input has 4 channels, weight dim 0 is 3}}
  %0 = ds.conv_transpose %x, %w {dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x7x7xf32>
  return
}

// -----

func.func @conv_transpose_c3_group(%x: tensor<1x4x5x5xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{group must be >= 1, got -2}}
  %0 = ds.conv_transpose %x, %w {dilations = array<i64: 1, 1>, group = -2 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x7x7xf32>
  return
}

// -----

func.func @conv_transpose_c4(%x: tensor<1x4x5x5xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{result shape 1x4x11x11 differs from the inferred shape 1x2x11x11}}
  %0 = ds.conv_transpose %x, %w {dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x11x11xf32>
  return
}

// -----

func.func @conv_transpose_c4_group(%x: tensor<1x4x5xf32>, %w: tensor<4x3x3xf32>) {
  // expected-error @+1 {{result shape 1x3x10 differs from the inferred shape 1x6x10}}
  %0 = ds.conv_transpose %x, %w {dilations = array<i64: 1>, group = 2 : i64, output_padding = array<i64: 1>, pads = array<i64: 1, 1>, strides = array<i64: 2>} : (tensor<1x4x5xf32>, tensor<4x3x3xf32>) -> tensor<1x3x10xf32>
  return
}

// -----

func.func @pool_c1(%x: tensor<3x8xf32>) {
  // expected-error @+1 {{expects an input of rank >= 3, got 2}}
  %0 = ds.max_pool %x {dilations = array<i64>, kernel_shape = array<i64>, pads = array<i64>, strides = array<i64>} : tensor<3x8xf32> -> tensor<3x8xf32>
  return
}

// -----

func.func @pool_c2(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{expects 2 kernel_shape entries}}
  %0 = ds.avg_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @pool_c2_window(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{expects 2 strides and dilations and 4 pads, got 2, 1 and 4}}
  %0 = ds.max_pool %x {dilations = array<i64: 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @pool_c2_stride(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{strides and dilations must be >= 1}}
  %0 = ds.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 0, 2>} : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @pool_c2_pads(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{pads must be >= 0}}
  %0 = ds.avg_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, -1, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @pool_c2_pad_extent(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{pads must be smaller than the kernel extent}}
  %0 = ds.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 2>, strides = array<i64: 2, 2>} : tensor<1x3x8x8xf32> -> tensor<1x3x4x5xf32>
  return
}

// -----

func.func @pool_c2_kernel(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{kernel_shape entries must be >= 1}}
  %0 = ds.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @pool_c3(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{result shape 1x3x4x4 differs from the inferred shape 1x3x7x7}}
  %0 = ds.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @pool_c3_ceil_mode(%x: tensor<1x3x5x5xf32>) {
  // expected-error @+1 {{result shape 1x3x2x2 differs from the inferred shape 1x3x3x3}}
  %0 = ds.avg_pool %x {ceil_mode = 1 : i64, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x3x5x5xf32> -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @batch_norm_c1(%x: tensor<4xf32>, %c: tensor<4xf32>) {
  // expected-error @+1 {{expects an input of rank >= 2}}
  %0 = ds.batch_norm %x, %c, %c, %c, %c : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @batch_norm_c1_params(%x: tensor<1x4x8x8xf32>, %c: tensor<4xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{expects scale, bias, mean and var of shape [4], got 'tensor<3xf32>'}}
  %0 = ds.batch_norm %x, %c, %c, %c, %v : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<3xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @batch_norm_c1_rank(%x: tensor<1x4x8x8xf32>, %c: tensor<4xf32>, %s: tensor<4x1xf32>) {
  // expected-error @+1 {{expects scale, bias, mean and var of shape [4], got 'tensor<4x1xf32>'}}
  %0 = ds.batch_norm %x, %s, %c, %c, %c : (tensor<1x4x8x8xf32>, tensor<4x1xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @batch_norm_c2(%x: tensor<3x4xf32>, %c: tensor<4xf32>) {
  // expected-error @+1 {{result type 'tensor<2x4xf32>' differs from 'tensor<3x4xf32>'}}
  %0 = ds.batch_norm %x, %c, %c, %c, %c : (tensor<3x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @layer_norm_c1(%x: tensor<2x5x16xf32>, %g: tensor<16xf32>) {
  // expected-error @+1 {{axis 3 is out of range [0, 3)}}
  %0 = ds.layer_norm %x, %g {axis = 3 : i64} : (tensor<2x5x16xf32>, tensor<16xf32>) -> tensor<2x5x16xf32>
  return
}

// -----

func.func @layer_norm_c1_negative(%x: tensor<2x5x16xf32>, %g: tensor<16xf32>) {
  // expected-error @+1 {{axis -1 is out of range [0, 3)}}
  %0 = ds.layer_norm %x, %g {axis = -1 : i64} : (tensor<2x5x16xf32>, tensor<16xf32>) -> tensor<2x5x16xf32>
  return
}

// -----

func.func @layer_norm_c2(%x: tensor<2x5x16xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{scale/bias 'tensor<8xf32>' does not broadcast to the normalized dims 16}}
  %0 = ds.layer_norm %x, %g {axis = 2 : i64} : (tensor<2x5x16xf32>, tensor<8xf32>) -> tensor<2x5x16xf32>
  return
}

// -----

func.func @layer_norm_c2_bias(%x: tensor<2x5x16xf32>, %g: tensor<16xf32>, %b: tensor<2x5x16xf32>) {
  // expected-error @+1 {{scale/bias 'tensor<2x5x16xf32>' does not broadcast to the normalized dims 5x16}}
  %0 = ds.layer_norm %x, %g, %b {axis = 1 : i64} : (tensor<2x5x16xf32>, tensor<16xf32>, tensor<2x5x16xf32>) -> tensor<2x5x16xf32>
  return
}

// -----

func.func @layer_norm_c3(%x: tensor<2x5x16xf32>, %g: tensor<16xf32>) {
  // expected-error @+1 {{result type 'tensor<2x5x16xf16>' differs from 'tensor<2x5x16xf32>'}}
  %0 = ds.layer_norm %x, %g {axis = 2 : i64} : (tensor<2x5x16xf32>, tensor<16xf32>) -> tensor<2x5x16xf16>
  return
}

// -----

func.func @reduce_c1(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{axes entry 2 is out of range [0, 2)}}
  %0 = ds.reduce_sum %x {axes = array<i64: 2>} : tensor<2x8xf32> -> tensor<2x8xf32>
  return
}

// -----

func.func @reduce_c1_negative(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{axes entry -1 is out of range [0, 2)}}
  %0 = ds.reduce_max %x {axes = array<i64: -1>} : tensor<2x8xf32> -> tensor<2x1xf32>
  return
}

// -----

func.func @reduce_c1_repeated(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{axes entry 1 is repeated}}
  %0 = ds.reduce_mean %x {axes = array<i64: 1, 1>} : tensor<2x8xf32> -> tensor<2x1xf32>
  return
}

// -----

func.func @reduce_c1_rank0(%x: tensor<f32>) {
  // expected-error @+1 {{axes entry 0 is out of range [0, 0)}}
  %0 = ds.reduce_prod %x {axes = array<i64: 0>} : tensor<f32> -> tensor<f32>
  return
}

// -----

func.func @reduce_c2(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{result shape 2 differs from the inferred shape 2x1}}
  %0 = ds.reduce_sum %x {axes = array<i64: 1>} : tensor<2x8xf32> -> tensor<2xf32>
  return
}

// -----

func.func @reduce_c2_all(%x: tensor<2x8xi64>) {
  // expected-error @+1 {{result shape 1x1 differs from the inferred shape}}
  %0 = ds.reduce_min %x {axes = array<i64>, keepdims = 0 : i64} : tensor<2x8xi64> -> tensor<1x1xi64>
  return
}

// -----

func.func @reduce_c3(%x: tensor<2x8xi32>) {
  // expected-error @+1 {{requires the same element type, got 'i32' and 'i64'}}
  %0 = ds.reduce_sum %x {axes = array<i64: 1>} : tensor<2x8xi32> -> tensor<2x1xi64>
  return
}

// -----

func.func @reduce_mean_type(%x: tensor<2x8xi64>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values, but got 'tensor<2x8xi64>'}}
  %0 = ds.reduce_mean %x {axes = array<i64: 1>} : tensor<2x8xi64> -> tensor<2x1xi64>
  return
}

// -----

func.func @reshape_c3(%x: tensor<2x3x4xf32>, %s: tensor<3xi64>) {
  // expected-error @+1 {{shape must have 2 entries, got 'tensor<3xi64>'}}
  %0 = ds.reshape %x, %s : tensor<2x3x4xf32>, tensor<3xi64> -> tensor<?x4xf32>
  return
}

// -----

func.func @reshape_c3_rank(%x: tensor<2x3x4xf32>, %s: tensor<1x2xi64>) {
  // expected-error @+1 {{shape must be 1-D, got 'tensor<1x2xi64>'}}
  %0 = ds.reshape %x, %s : tensor<2x3x4xf32>, tensor<1x2xi64> -> tensor<?x4xf32>
  return
}

// -----

func.func @reshape_shape_type(%x: tensor<2x3x4xf32>, %s: tensor<2xi32>) {
  // expected-error-re @+1 {{operand #1 must be {{(ranked )?}}tensor of 64-bit signless integer values, but got 'tensor<2xi32>'}}
  %0 = ds.reshape %x, %s : tensor<2x3x4xf32>, tensor<2xi32> -> tensor<?x4xf32>
  return
}

// -----

func.func @flatten_c1(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{axis 4 is out of range [0, 3]}}
  %0 = ds.flatten %x {axis = 4 : i64} : tensor<2x3x4xf32> -> tensor<24x1xf32>
  return
}

// -----

func.func @flatten_c1_negative(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{axis -1 is out of range [0, 3]}}
  %0 = ds.flatten %x {axis = -1 : i64} : tensor<2x3x4xf32> -> tensor<6x4xf32>
  return
}

// -----

func.func @flatten_c2(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{result shape 6x4 differs from the inferred shape 2x12}}
  %0 = ds.flatten %x {axis = 1 : i64} : tensor<2x3x4xf32> -> tensor<6x4xf32>
  return
}

// -----

func.func @flatten_c2_rank(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{result shape 24 differs from the inferred shape 1x24}}
  %0 = ds.flatten %x {axis = 0 : i64} : tensor<2x3x4xf32> -> tensor<24xf32>
  return
}

// -----

func.func @flatten_element_type(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{requires the same element type, got 'f32' and 'i32'}}
  %0 = ds.flatten %x {axis = 1 : i64} : tensor<2x3x4xf32> -> tensor<2x12xi32>
  return
}

// -----

func.func @squeeze_c1(%x: tensor<1x3x1xf32>) {
  // expected-error @+1 {{axes entry 3 is out of range [0, 3)}}
  %0 = ds.squeeze %x {axes = array<i64: 3>} : tensor<1x3x1xf32> -> tensor<1x3x1xf32>
  return
}

// -----

func.func @squeeze_c1_repeated(%x: tensor<1x3x1xf32>) {
  // expected-error @+1 {{axes entry 0 is repeated}}
  %0 = ds.squeeze %x {axes = array<i64: 0, 0>} : tensor<1x3x1xf32> -> tensor<3x1xf32>
  return
}

// -----

func.func @squeeze_c1_size(%x: tensor<1x3x1xf32>) {
  // expected-error @+1 {{cannot squeeze dim 1 of size 3}}
  %0 = ds.squeeze %x {axes = array<i64: 1>} : tensor<1x3x1xf32> -> tensor<1x1xf32>
  return
}

// -----

func.func @squeeze_c1_element_type(%x: tensor<1x3xf32>) {
  // expected-error @+1 {{requires the same element type, got 'f32' and 'f16'}}
  %0 = ds.squeeze %x {axes = array<i64: 0>} : tensor<1x3xf32> -> tensor<3xf16>
  return
}

// -----

func.func @squeeze_c2(%x: tensor<1x3x1xf32>) {
  // expected-error @+1 {{result shape 3 differs from the inferred shape 3x1}}
  %0 = ds.squeeze %x {axes = array<i64: 0>} : tensor<1x3x1xf32> -> tensor<3xf32>
  return
}

// -----

func.func @unsqueeze_c1(%x: tensor<3xf32>) {
  // expected-error @+1 {{axes entry 2 is out of range [0, 2)}}
  %0 = ds.unsqueeze %x {axes = array<i64: 2>} : tensor<3xf32> -> tensor<3x1xf32>
  return
}

// -----

func.func @unsqueeze_c1_repeated(%x: tensor<3xf32>) {
  // expected-error @+1 {{axes entry 1 is repeated}}
  %0 = ds.unsqueeze %x {axes = array<i64: 1, 1>} : tensor<3xf32> -> tensor<3x1x1xf32>
  return
}

// -----

func.func @unsqueeze_c2(%x: tensor<3xf32>) {
  // expected-error @+1 {{result shape 1x3 differs from the inferred shape 3x1}}
  %0 = ds.unsqueeze %x {axes = array<i64: 1>} : tensor<3xf32> -> tensor<1x3xf32>
  return
}

// -----

func.func @concat_c1() {
  // expected-error @+1 {{requires at least one operand}}
  %0 = "ds.concat"() <{axis = 0 : i64}> : () -> tensor<4xf32>
  return
}

// -----

func.func @concat_c1_rank(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{operand 'tensor<3xf32>' does not match the result rank and element type}}
  %0 = ds.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_c1_element_type(%a: tensor<2x3xf32>, %b: tensor<2x3xf16>) {
  // expected-error @+1 {{operand 'tensor<2x3xf16>' does not match the result rank and element type}}
  %0 = ds.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x3xf16>) -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_c2(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{axis 2 is out of range [0, 2)}}
  %0 = ds.concat %a, %a {axis = 2 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_c2_dims(%a: tensor<2x3xf32>, %b: tensor<3x3xf32>) {
  // expected-error @+1 {{operand 'tensor<3x3xf32>' differs from the result in dim 0}}
  %0 = ds.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_c3(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) {
  // expected-error @+1 {{result shape 2x9 differs from the inferred shape 2x8}}
  %0 = ds.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x9xf32>
  return
}

// -----

func.func @slice_starts_type(%x: tensor<4xf32>, %s: tensor<1xf32>, %t: tensor<1xi64>) {
  // expected-error-re @+1 {{operand #1 must be {{(ranked )?}}tensor of 64-bit signless integer values, but got 'tensor<1xf32>'}}
  %0 = ds.slice %x, %s, %t, %t, %t : (tensor<4xf32>, tensor<1xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2xf32>
  return
}

// -----

func.func @gather_c1(%x: tensor<4x10xf32>, %i: tensor<3xi64>) {
  // expected-error @+1 {{axis 2 is out of range [0, 2)}}
  %0 = ds.gather %x, %i {axis = 2 : i64} : (tensor<4x10xf32>, tensor<3xi64>) -> tensor<4x10x3xf32>
  return
}

// -----

func.func @gather_c1_negative(%x: tensor<4x10xf32>, %i: tensor<3xi64>) {
  // expected-error @+1 {{axis -1 is out of range [0, 2)}}
  %0 = ds.gather %x, %i {axis = -1 : i64} : (tensor<4x10xf32>, tensor<3xi64>) -> tensor<4x3xf32>
  return
}

// -----

func.func @gather_c2(%x: tensor<4x10xf32>, %i: tensor<2x3xi32>) {
  // expected-error @+1 {{result shape 4x3 differs from the inferred shape 4x2x3}}
  %0 = ds.gather %x, %i {axis = 1 : i64} : (tensor<4x10xf32>, tensor<2x3xi32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @gather_c2_element_type(%x: tensor<4x10xf32>, %i: tensor<3xi64>) {
  // expected-error @+1 {{requires the same element type, got 'f32' and 'i64'}}
  %0 = ds.gather %x, %i {axis = 0 : i64} : (tensor<4x10xf32>, tensor<3xi64>) -> tensor<3x10xi64>
  return
}

// -----

func.func @gather_indices_type(%x: tensor<4x10xf32>, %i: tensor<3xf32>) {
  // expected-error-re @+1 {{operand #1 must be {{(ranked )?}}tensor of 64-bit signless integer or 32-bit signless integer values, but got 'tensor<3xf32>'}}
  %0 = ds.gather %x, %i {axis = 0 : i64} : (tensor<4x10xf32>, tensor<3xf32>) -> tensor<3x10xf32>
  return
}

// -----

func.func @expand_c1(%x: tensor<3x1xf32>, %s: tensor<1x2xi64>) {
  // expected-error @+1 {{shape must be 1-D, got 'tensor<1x2xi64>'}}
  %0 = ds.expand %x, %s : (tensor<3x1xf32>, tensor<1x2xi64>) -> tensor<3x4xf32>
  return
}

// -----

func.func @expand_c1_element_type(%x: tensor<3x1xf32>, %s: tensor<2xi64>) {
  // expected-error @+1 {{requires the same element type, got 'f32' and 'i64'}}
  %0 = ds.expand %x, %s : (tensor<3x1xf32>, tensor<2xi64>) -> tensor<3x4xi64>
  return
}

// -----

func.func @expand_c2(%x: tensor<3x2xf32>, %s: tensor<2xi64>) {
  // expected-error @+1 {{shapes 3x2 and 3x4 are not broadcast-compatible (dim 1: 2 vs 4)}}
  %0 = ds.expand %x, %s : (tensor<3x2xf32>, tensor<2xi64>) -> tensor<3x4xf32>
  return
}

// -----

func.func @expand_c2_result(%x: tensor<3x1xf32>, %s: tensor<2xi64>) {
  // expected-error @+1 {{result shape 1x4 differs from the broadcast shape 3x4}}
  %0 = ds.expand %x, %s : (tensor<3x1xf32>, tensor<2xi64>) -> tensor<1x4xf32>
  return
}

// -----

func.func @tile_c1(%x: tensor<2x3xf32>, %r: tensor<3xi64>) {
  // expected-error @+1 {{repeats must have 2 entries, got 'tensor<3xi64>'}}
  %0 = ds.tile %x, %r : (tensor<2x3xf32>, tensor<3xi64>) -> tensor<4x3xf32>
  return
}

// -----

func.func @tile_c1_rank(%x: tensor<2x3xf32>, %r: tensor<i64>) {
  // expected-error @+1 {{repeats must be 1-D, got 'tensor<i64>'}}
  %0 = ds.tile %x, %r : (tensor<2x3xf32>, tensor<i64>) -> tensor<4x3xf32>
  return
}

// -----

func.func @tile_c2(%x: tensor<2x3xf32>, %r: tensor<2xi64>) {
  // expected-error @+1 {{requires operand and result of the same rank}}
  %0 = ds.tile %x, %r : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<12xf32>
  return
}

// -----

func.func @pad_c1(%x: tensor<4xf32>, %p: tensor<2xi64>) {
  // expected-error @+1 {{mode must be "constant", "reflect" or "edge", got "wrap"}}
  %0 = ds.pad %x, %p {mode = "wrap"} : (tensor<4xf32>, tensor<2xi64>) -> tensor<6xf32>
  return
}

// -----

func.func @pad_c2(%x: tensor<2x4xf32>, %p: tensor<2xi64>) {
  // expected-error @+1 {{pads must have 4 entries, got 'tensor<2xi64>'}}
  %0 = ds.pad %x, %p : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<2x6xf32>
  return
}

// -----

func.func @pad_c2_rank(%x: tensor<2x4xf32>, %p: tensor<2x2xi64>) {
  // expected-error @+1 {{pads must be 1-D, got 'tensor<2x2xi64>'}}
  %0 = ds.pad %x, %p : (tensor<2x4xf32>, tensor<2x2xi64>) -> tensor<2x6xf32>
  return
}

// -----

func.func @pad_c2_value_size(%x: tensor<4xf32>, %p: tensor<2xi64>, %c: tensor<2xf32>) {
  // expected-error @+1 {{constant_value must be one element of type 'f32', got 'tensor<2xf32>'}}
  %0 = ds.pad %x, %p, %c : (tensor<4xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<6xf32>
  return
}

// -----

func.func @pad_c2_value_type(%x: tensor<4xf32>, %p: tensor<2xi64>, %c: tensor<i64>) {
  // expected-error @+1 {{constant_value must be one element of type 'f32', got 'tensor<i64>'}}
  %0 = ds.pad %x, %p, %c : (tensor<4xf32>, tensor<2xi64>, tensor<i64>) -> tensor<6xf32>
  return
}

// -----

func.func @pad_c3(%x: tensor<4xf32>, %p: tensor<2xi64>) {
  // expected-error @+1 {{requires operand and result of the same rank}}
  %0 = ds.pad %x, %p : (tensor<4xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return
}

// -----

func.func @pad_pads_type(%x: tensor<4xf32>, %p: tensor<2xi32>) {
  // expected-error-re @+1 {{operand #1 must be {{(ranked )?}}tensor of 64-bit signless integer values, but got 'tensor<2xi32>'}}
  %0 = ds.pad %x, %p : (tensor<4xf32>, tensor<2xi32>) -> tensor<6xf32>
  return
}

// -----

func.func @resize_c1(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+1 {{requires exactly one of scales and sizes}}
  %0 = ds.resize %x : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
  return
}

// -----

func.func @resize_c1_both(%x: tensor<1x3x4x4xf32>, %sc: tensor<4xf32>, %sz: tensor<4xi64>) {
  // expected-error @+1 {{requires exactly one of scales and sizes}}
  %0 = "ds.resize"(%x, %sc, %sz) <{operandSegmentSizes = array<i32: 1, 1, 1>}> : (tensor<1x3x4x4xf32>, tensor<4xf32>, tensor<4xi64>) -> tensor<1x3x8x8xf32>
  return
}

// -----

func.func @resize_c1_scales(%x: tensor<1x3x4x4xf32>, %sc: tensor<2xf32>) {
  // expected-error @+1 {{scales must have 4 entries, got 'tensor<2xf32>'}}
  %0 = ds.resize %x scales(%sc : tensor<2xf32>) : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
  return
}

// -----

func.func @resize_c1_sizes(%x: tensor<1x3x4x4xf32>, %sz: tensor<1x4xi64>) {
  // expected-error @+1 {{sizes must be 1-D, got 'tensor<1x4xi64>'}}
  %0 = "ds.resize"(%x, %sz) <{operandSegmentSizes = array<i32: 1, 0, 1>}> : (tensor<1x3x4x4xf32>, tensor<1x4xi64>) -> tensor<1x3x8x8xf32>
  return
}

// -----

func.func @resize_c2(%x: tensor<1x3x4x4xf32>, %sc: tensor<4xf32>) {
  // expected-error @+1 {{mode must be "nearest" or "linear", got "cubic"}}
  %0 = ds.resize %x scales(%sc : tensor<4xf32>) {mode = "cubic"} : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
  return
}

// -----

func.func @resize_c2_coordinate_transformation_mode(%x: tensor<1x3x4x4xf32>, %sc: tensor<4xf32>) {
  // expected-error @+1 {{unsupported coordinate_transformation_mode "tf_crop_and_resize"}}
  %0 = ds.resize %x scales(%sc : tensor<4xf32>) {coordinate_transformation_mode = "tf_crop_and_resize"} : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
  return
}

// -----

func.func @resize_c2_nearest_mode(%x: tensor<1x3x4x4xf32>, %sc: tensor<4xf32>) {
  // expected-error @+1 {{unsupported nearest_mode "round"}}
  %0 = ds.resize %x scales(%sc : tensor<4xf32>) {nearest_mode = "round"} : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
  return
}

// -----

func.func @resize_c3(%x: tensor<1x3x4x4xf32>, %sc: tensor<4xf32>) {
  // expected-error @+1 {{requires operand and result of the same rank}}
  %0 = ds.resize %x scales(%sc : tensor<4xf32>) : tensor<1x3x4x4xf32> -> tensor<3x8x8xf32>
  return
}

// -----

func.func @resize_scales_type(%x: tensor<1x3x4x4xf32>, %sc: tensor<4xf16>) {
  // expected-error-re @+1 {{operand #1 must be {{(ranked )?}}tensor of 32-bit float values, but got 'tensor<4xf16>'}}
  %0 = ds.resize %x scales(%sc : tensor<4xf16>) : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
  return
}

// -----

func.func @shape_c1(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{requires 0 <= start <= end <= rank, got start 0, end 3, rank 2}}
  %0 = ds.shape %x {end = 3 : i64, start = 0 : i64} : tensor<2x3xf32> -> tensor<3xi64>
  return
}

// -----

func.func @shape_c1_order(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{requires 0 <= start <= end <= rank, got start 2, end 1, rank 2}}
  %0 = ds.shape %x {end = 1 : i64, start = 2 : i64} : tensor<2x3xf32> -> tensor<0xi64>
  return
}

// -----

func.func @shape_c1_negative(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{requires 0 <= start <= end <= rank, got start -1, end 2, rank 2}}
  %0 = ds.shape %x {end = 2 : i64, start = -1 : i64} : tensor<2x3xf32> -> tensor<3xi64>
  return
}

// -----

func.func @shape_c2(%x: tensor<?x3xf32>) {
  // expected-error @+1 {{result shape 1 differs from the inferred shape 2}}
  %0 = ds.shape %x {end = 2 : i64, start = 0 : i64} : tensor<?x3xf32> -> tensor<1xi64>
  return
}

// -----

func.func @shape_result_type(%x: tensor<2x3xf32>) {
  // expected-error-re @+1 {{result #0 must be {{(ranked )?}}tensor of 64-bit signless integer values, but got 'tensor<2xi32>'}}
  %0 = ds.shape %x {end = 2 : i64, start = 0 : i64} : tensor<2x3xf32> -> tensor<2xi32>
  return
}

// -----

func.func @constant_of_shape_c1(%s: tensor<3xi64>) {
  // expected-error @+1 {{shape must have 2 entries, got 'tensor<3xi64>'}}
  %0 = ds.constant_of_shape %s {value = dense<0.0> : tensor<1xf32>} : tensor<3xi64> -> tensor<?x4xf32>
  return
}

// -----

func.func @constant_of_shape_c1_rank(%s: tensor<i64>) {
  // expected-error @+1 {{shape must be 1-D, got 'tensor<i64>'}}
  %0 = ds.constant_of_shape %s {value = dense<0.0> : tensor<1xf32>} : tensor<i64> -> tensor<?xf32>
  return
}

// -----

func.func @constant_of_shape_c2(%s: tensor<2xi64>) {
  // expected-error @+1 {{value must be one element of type 'f32', got 'tensor<2xf32>'}}
  %0 = ds.constant_of_shape %s {value = dense<[0.0, 1.0]> : tensor<2xf32>} : tensor<2xi64> -> tensor<?x4xf32>
  return
}

// -----

func.func @constant_of_shape_c2_type(%s: tensor<2xi64>) {
  // expected-error @+1 {{value must be one element of type 'f32', got 'tensor<1xi64>'}}
  %0 = ds.constant_of_shape %s {value = dense<0> : tensor<1xi64>} : tensor<2xi64> -> tensor<?x4xf32>
  return
}

// -----

func.func @range_c1(%a: tensor<1xi64>, %b: tensor<i64>) {
  // expected-error @+1 {{start, limit and delta must be 0-D of type 'i64', got 'tensor<1xi64>'}}
  %0 = ds.range %a, %b, %b : (tensor<1xi64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  return
}

// -----

func.func @range_c1_type(%a: tensor<i64>, %b: tensor<i32>) {
  // expected-error @+1 {{start, limit and delta must be 0-D of type 'i64', got 'tensor<i32>'}}
  %0 = ds.range %a, %a, %b : (tensor<i64>, tensor<i64>, tensor<i32>) -> tensor<?xi64>
  return
}

// -----

func.func @range_c2(%a: tensor<f32>) {
  // expected-error @+1 {{result must be 1-D}}
  %0 = ds.range %a, %a, %a : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?x1xf32>
  return
}

// -----

func.func @trilu_c1(%x: tensor<4xf32>) {
  // expected-error @+1 {{expects an input of rank >= 2}}
  %0 = ds.trilu %x : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @trilu_c1_k(%x: tensor<4x4xf32>, %k: tensor<1xi64>) {
  // expected-error @+1 {{k must be 0-D}}
  %0 = ds.trilu %x, %k : (tensor<4x4xf32>, tensor<1xi64>) -> tensor<4x4xf32>
  return
}

// -----

func.func @trilu_c2(%x: tensor<3x4xf32>) {
  // expected-error @+1 {{result type 'tensor<4x4xf32>' differs from 'tensor<3x4xf32>'}}
  %0 = ds.trilu %x : (tensor<3x4xf32>) -> tensor<4x4xf32>
  return
}

// -----

// -----

func.func @slice_c1(%x: tensor<4x8xf32>, %s: tensor<1x1xi64>, %t: tensor<1xi64>) {
  // expected-error @+1 {{starts must be 1-D, got 'tensor<1x1xi64>'}}
  %0 = ds.slice %x, %s, %t, %t, %t : (tensor<4x8xf32>, tensor<1x1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<4x2xf32>
  return
}

// -----

func.func @slice_c1_length(%x: tensor<4x8xf32>, %s: tensor<1xi64>, %t: tensor<2xi64>) {
  // expected-error @+1 {{axes must have 1 entries, got 'tensor<2xi64>'}}
  %0 = ds.slice %x, %s, %s, %t, %s : (tensor<4x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<2xi64>, tensor<1xi64>) -> tensor<4x2xf32>
  return
}

// -----

func.func @slice_c1_steps(%x: tensor<4x8xf32>, %s: tensor<1xi64>, %t: tensor<i64>) {
  // expected-error @+1 {{steps must be 1-D, got 'tensor<i64>'}}
  %0 = ds.slice %x, %s, %s, %s, %t : (tensor<4x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<i64>) -> tensor<4x2xf32>
  return
}

// -----

func.func @slice_c2(%x: tensor<4x8xf32>, %s: tensor<1xi64>) {
  // expected-error @+1 {{requires operand and result of the same rank}}
  %0 = ds.slice %x, %s, %s, %s, %s : (tensor<4x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<8xf32>
  return
}

// -----

func.func @slice_c2_element_type(%x: tensor<4x8xf32>, %s: tensor<1xi64>) {
  // expected-error @+1 {{requires the same element type}}
  %0 = ds.slice %x, %s, %s, %s, %s : (tensor<4x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<4x2xf16>
  return
}

// -----

func.func @tile_c2_element_type(%x: tensor<2x3xf32>, %r: tensor<2xi64>) {
  // expected-error @+1 {{requires the same element type}}
  %0 = ds.tile %x, %r : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<4x3xi32>
  return
}

// -----

func.func @pad_c3_element_type(%x: tensor<4xf32>, %p: tensor<2xi64>) {
  // expected-error @+1 {{requires the same element type}}
  %0 = ds.pad %x, %p : (tensor<4xf32>, tensor<2xi64>) -> tensor<6xf16>
  return
}

// -----

func.func @resize_c3_element_type(%x: tensor<1x3x4x4xf32>, %sc: tensor<4xf32>) {
  // expected-error @+1 {{requires the same element type}}
  %0 = ds.resize %x scales(%sc : tensor<4xf32>) : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf16>
  return
}

// -----

func.func @slice_c1_same_length(%x: tensor<4x8xf32>, %s: tensor<?xi64>, %t: tensor<2xi64>) {
  // expected-error @+1 {{starts, ends, axes and steps must have the same length}}
  %0 = ds.slice %x, %s, %t, %s, %s : (tensor<4x8xf32>, tensor<?xi64>, tensor<2xi64>, tensor<?xi64>, tensor<?xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @conv_window(%x: tensor<1x3x2x2xf32>, %w: tensor<4x3x5x5xf32>) {
  // expected-error @+1 {{the window does not fit: spatial dim 0 of the output would be -2}}
  %0 = ds.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x2x2xf32>, tensor<4x3x5x5xf32>) -> tensor<1x4x?x?xf32>
  return
}

// -----

func.func @conv_transpose_c3_group(%x: tensor<1x3x4x4xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{group 2 does not divide 3 input channels}}
  %0 = ds.conv_transpose %x, %w {dilations = array<i64: 1, 1>, group = 2 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @pool_c1_element_type(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{requires the same element type, got 'f32' and 'f16'}}
  %0 = ds.max_pool %x {kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf16>
  return
}

// -----

func.func @expand_c1_length(%x: tensor<3x1xf32>, %s: tensor<5xi64>) {
  // expected-error @+1 {{shape has 5 entries, more than the result rank 2}}
  %0 = ds.expand %x, %s : (tensor<3x1xf32>, tensor<5xi64>) -> tensor<3x4xf32>
  return
}

// -----

func.func @conv_c6(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{auto_pad must be SAME_UPPER or SAME_LOWER, got 'VALID'}}
  %0 = ds.conv %x, %w {auto_pad = "VALID", dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xf32>
  return
}

// -----

func.func @conv_transpose_c6(%x: tensor<1x4x?x?xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{expects 2 output_shape entries}}
  %0 = ds.conv_transpose %x, %w {dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, output_shape = array<i64: 10>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x?x?xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x?x?xf32>
  return
}

// -----

func.func @pool_c4(%x: tensor<1x3x?x?xf32>) {
  // expected-error @+1 {{auto_pad must be SAME_UPPER or SAME_LOWER, got 'NOTSET'}}
  %0 = ds.max_pool %x {auto_pad = "NOTSET", kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x3x?x?xf32> -> tensor<1x3x?x?xf32>
  return
}

// -----

// With static dims the SAME pads decide the result shape: 8 / 2 = 4.
func.func @conv_c4_auto_pad(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{result shape 1x16x3x3 differs from the inferred shape 1x16x4x4}}
  %0 = ds.conv %x, %w {auto_pad = "SAME_UPPER", dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x3x3xf32>
  return
}

// -----

func.func @fusion_c1(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{requires the body's argument types to equal the input types}}
  %r = ds.fusion "elementwise" (%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<2x2xf32>):
    %s = ds.reshape %x : tensor<2x2xf32> -> tensor<4xf32>
    %t = ds.relu %s : tensor<4xf32>
    ds.yield %t : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

func.func @fusion_c2(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{requires the ds.yield operand types to equal the result types}}
  %r = ds.fusion "elementwise" (%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    %s = ds.reshape %x : tensor<4xf32> -> tensor<2x2xf32>
    %t = ds.relu %s : tensor<2x2xf32>
    ds.yield %t : tensor<2x2xf32>
  }
  return %r : tensor<4xf32>
}

// -----

func.func @fusion_c3(%a: tensor<4xf32>) -> tensor<4xf32> {
  %r = ds.fusion "elementwise" (%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    // expected-error @+1 {{is not allowed in a ds.fusion body}}
    %w = ds.weight "w" : tensor<4xf32>
    %t = ds.add %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    ds.yield %t : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

func.func @fusion_c4(%a: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{kind "elementwise" does not match its body}}
  %r = ds.fusion "elementwise" (%a) : (tensor<4x4xf32>) -> tensor<4x4xf32> {
  ^bb0(%x: tensor<4x4xf32>):
    %m = ds.matmul %x, %x : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    ds.yield %m : tensor<4x4xf32>
  }
  return %r : tensor<4x4xf32>
}

// -----

func.func @fusion_c4_kind(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{kind "loop" does not match its body}}
  %r = ds.fusion "loop" (%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    %t = ds.relu %x : tensor<4xf32>
    ds.yield %t : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

func.func @fusion_c5(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{yields a value not computed by its body}}
  %r = ds.fusion "elementwise" (%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    ds.yield %x : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

func.func @fusion_c5_twice(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // expected-error @+1 {{yields the same value twice}}
  %r:2 = ds.fusion "elementwise" (%a) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  ^bb0(%x: tensor<4xf32>):
    %t = ds.relu %x : tensor<4xf32>
    ds.yield %t, %t : tensor<4xf32>, tensor<4xf32>
  }
  return %r#0, %r#1 : tensor<4xf32>, tensor<4xf32>
}

// -----

func.func @fusion_isolated(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-note @+1 {{required by region isolation constraints}}
  %r = ds.fusion "elementwise" () : () -> tensor<4xf32> {
    // expected-error @+1 {{using value defined outside the region}}
    %t = ds.relu %a : tensor<4xf32>
    ds.yield %t : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}
