// RUN: ds-opt %s -split-input-file --ds-static-shapes="bind=h=8,w=7" | FileCheck %s
// RUN: ds-opt %s -split-input-file --ds-static-shapes="allow-dynamic=true" | FileCheck %s --check-prefix=DYN

// Numerics: conformance/onnx-node-forced-dynamic imports the ONNX auto_pad
// and output_shape cases with dynamic dims, resolves them here and compares
// with ONNX's expected outputs.

// SAME_UPPER, stride 2, kernel 3: out = ceil(8/2) = 4 (total pad 1: 0
// before, 1 after) and ceil(7/2) = 4 (total 2: 1 and 1).
// CHECK-LABEL: func.func @conv_same
// CHECK: ds.conv
// CHECK-SAME: pads = array<i64: 0, 1, 1, 1>
// CHECK-NOT: auto_pad
// CHECK-SAME: -> tensor<1x4x4x4xf32>
// Does not fire while the dims are dynamic.
// DYN-LABEL: func.func @conv_same
// DYN: ds.conv {{.*}}auto_pad = "SAME_UPPER"
func.func @conv_same(%x: tensor<1x2x?x?xf32> {ds.dims = ["", "", "h", "w"]}) -> tensor<1x4x?x?xf32> {
  %w = ds.constant dense<0.5> : tensor<4x2x3x3xf32>
  %y = ds.conv %x, %w {auto_pad = "SAME_UPPER", dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x2x?x?xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x?x?xf32>
  return %y : tensor<1x4x?x?xf32>
}

// -----

// SAME_LOWER pooling puts the odd pad first.
// CHECK-LABEL: func.func @pool_same_lower
// CHECK: ds.max_pool
// CHECK-SAME: pads = array<i64: 1, 1, 0, 1>
// CHECK-SAME: -> tensor<1x2x4x4xf32>
func.func @pool_same_lower(%x: tensor<1x2x?x?xf32> {ds.dims = ["", "", "h", "w"]}) -> tensor<1x2x?x?xf32> {
  %y = ds.max_pool %x {auto_pad = "SAME_LOWER", kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x2x?x?xf32> -> tensor<1x2x?x?xf32>
  return %y : tensor<1x2x?x?xf32>
}

// -----

// conv_transpose with output_shape: pads that give 16 x 13.
// CHECK-LABEL: func.func @conv_transpose_output_shape
// CHECK: ds.conv_transpose
// CHECK-NOT: output_shape
// CHECK-SAME: -> tensor<1x3x16x13xf32>
func.func @conv_transpose_output_shape(%x: tensor<1x2x?x?xf32> {ds.dims = ["", "", "h", "w"]}) -> tensor<1x3x?x?xf32> {
  %w = ds.constant dense<0.25> : tensor<2x3x3x3xf32>
  %y = ds.conv_transpose %x, %w {dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>, output_shape = array<i64: 16, 13>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x2x?x?xf32>, tensor<2x3x3x3xf32>) -> tensor<1x3x?x?xf32>
  return %y : tensor<1x3x?x?xf32>
}
