// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %ds_src_root/scripts/gen_safetensors.py %t/w.safetensors w=8x4 cw=4x3x3x3 cb=4 mw=6x5 --seed 1
// RUN: cp %s %t/in.mlir
// RUN: ds-opt %t/in.mlir -split-input-file --ds-fold-constants | FileCheck %s
// RUN: ds-opt %t/in.mlir -split-input-file --ds-fold-constants="report" -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK

// Numerics: every chunk computes the same values before and after.
// RUN: %python %ds_src_root/test/lib/compare_before_after.py %s %t --rtol 1e-5 --atol 1e-6 --copy %t/w.safetensors -- --ds-fold-constants

// The folded weights are in their own file; only the weights the IR still
// references are written (the transpose in @chain is not).
// RUN: ds-opt %t/chunk0.mlir --ds-fold-constants="weights-out=%t/chain.safetensors" -o /dev/null
// RUN: %python -c "import json,struct,sys; f=open(sys.argv[1],'rb'); n=struct.unpack('<Q',f.read(8))[0]; h=json.loads(f.read(n)); print(sorted(k for k in h if k!='__metadata__'))" %t/chain.safetensors | FileCheck %s --check-prefix=FILE
// FILE: ['folded.w.1']

// A weight transposed and scaled at run time becomes one new weight.
// REMARK: remark: ds-fold-constants: folded 2 ops (0 batch_norm, 0 shared), 0 new constants, 1 new weights; not materialized 0 ops (0 bytes); weights 1 (128 bytes) -> 1 (128 bytes)
// CHECK-LABEL: module attributes {ds.weight_files = ["w.safetensors", "w.folded.safetensors"]}
// CHECK-LABEL: func.func @chain
// CHECK-NEXT: %[[W:.*]] = ds.weight "folded.w{{(.1)?}}" : tensor<4x8xf32>
// CHECK-NEXT: %[[Y:.*]] = ds.matmul %arg0, %[[W]]
// CHECK-NEXT: return %[[Y]]
module attributes {ds.weight_files = ["w.safetensors"]} {
func.func @chain(%x: tensor<2x4xf32>) -> tensor<2x8xf32> {
  %w = ds.weight "w" : tensor<8x4xf32>
  %two = ds.constant dense<2.0> : tensor<f32>
  %t = ds.transpose %w, perm = [1, 0] : tensor<8x4xf32> -> tensor<4x8xf32>
  %s = ds.mul %t, %two : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %y = ds.matmul %x, %s : (tensor<2x4xf32>, tensor<4x8xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}
}

// -----

// Small results become inline constants; an op with a run-time operand and
// an Expand that would materialize a large weight from a scalar are left.
// REMARK: remark: ds-fold-constants: folded 1 ops (0 batch_norm, 0 shared), 1 new constants, 0 new weights; not materialized 1 ops (16384 bytes)
// CHECK-LABEL: func.func @small_and_big
// CHECK-DAG: ds.constant dense<[2.000000e+00, 4.000000e+00]> : tensor<2xf32>
// CHECK-DAG: ds.expand
// CHECK-DAG: ds.add %arg0
module attributes {ds.weight_files = ["w.safetensors"]} {
func.func @small_and_big(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<64x64xf32>) {
  %a = ds.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %d = ds.add %a, %a : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %y = ds.add %x, %d : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %one = ds.constant dense<1.0> : tensor<1xf32>
  %shape = ds.constant dense<[64, 64]> : tensor<2xi64>
  %e = ds.expand %one, %shape : (tensor<1xf32>, tensor<2xi64>) -> tensor<64x64xf32>
  return %y, %e : tensor<2xf32>, tensor<64x64xf32>
}
}

// -----

// batch_norm after a convolution folds into its weight and bias.
// REMARK: remark: ds-fold-constants: folded {{[0-9]+}} ops (1 batch_norm, 0 shared), {{[0-9]+}} new constants, 1 new weights
// CHECK-LABEL: func.func @conv_bn
// CHECK-DAG: %[[W:.*]] = ds.weight "folded.cw" : tensor<4x3x3x3xf32>
// CHECK-DAG: %[[B:.*]] = ds.constant dense<{{.*}}> : tensor<4xf32>
// CHECK: %[[C:.*]] = ds.conv %arg0, %[[W]], %[[B]]
// CHECK-NOT: ds.batch_norm
// CHECK: return %[[C]]
module attributes {ds.weight_files = ["w.safetensors"]} {
func.func @conv_bn(%x: tensor<1x3x6x6xf32>) -> tensor<1x4x4x4xf32> {
  %w = ds.weight "cw" : tensor<4x3x3x3xf32>
  %b = ds.weight "cb" : tensor<4xf32>
  %c = ds.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x3x6x6xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  %s = ds.constant dense<[1.0, 0.5, 2.0, -1.0]> : tensor<4xf32>
  %be = ds.constant dense<[0.1, 0.2, 0.3, 0.4]> : tensor<4xf32>
  %m = ds.constant dense<[0.5, -0.5, 0.0, 1.0]> : tensor<4xf32>
  %v = ds.constant dense<[1.0, 2.0, 0.25, 4.0]> : tensor<4xf32>
  %y = ds.batch_norm %c, %s, %be, %m, %v {epsilon = 1.0e-05 : f64} : (tensor<1x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %y : tensor<1x4x4x4xf32>
}
}

// -----

// batch_norm after a rank-2 matmul: scaled weight plus a bias add.
// CHECK-LABEL: func.func @matmul_bn
// CHECK-DAG: %[[W:.*]] = ds.weight "folded.mw" : tensor<6x5xf32>
// CHECK: %[[M:.*]] = ds.matmul %arg0, %[[W]]
// CHECK: %[[Y:.*]] = ds.add %[[M]], %{{.*}}
// CHECK-NOT: ds.batch_norm
// CHECK: return %[[Y]]
module attributes {ds.weight_files = ["w.safetensors"]} {
func.func @matmul_bn(%x: tensor<3x6xf32>) -> tensor<3x5xf32> {
  %w = ds.weight "mw" : tensor<6x5xf32>
  %c = ds.matmul %x, %w : (tensor<3x6xf32>, tensor<6x5xf32>) -> tensor<3x5xf32>
  %s = ds.constant dense<[1.0, 0.5, 2.0, -1.0, 3.0]> : tensor<5xf32>
  %be = ds.constant dense<[0.1, 0.2, 0.3, 0.4, 0.5]> : tensor<5xf32>
  %m = ds.constant dense<[0.5, -0.5, 0.0, 1.0, 2.0]> : tensor<5xf32>
  %v = ds.constant dense<[1.0, 2.0, 0.25, 4.0, 0.5]> : tensor<5xf32>
  %y = ds.batch_norm %c, %s, %be, %m, %v {epsilon = 1.0e-05 : f64} : (tensor<3x5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  return %y : tensor<3x5xf32>
}
}

// -----

// Does not fire: the conv result has another user, so batch_norm stays.
// CHECK-LABEL: func.func @conv_bn_two_uses
// CHECK: ds.conv
// CHECK: ds.batch_norm
module attributes {ds.weight_files = ["w.safetensors"]} {
func.func @conv_bn_two_uses(%x: tensor<1x3x6x6xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) {
  %w = ds.weight "cw" : tensor<4x3x3x3xf32>
  %c = ds.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x3x6x6xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x4x4xf32>
  %s = ds.constant dense<[1.0, 0.5, 2.0, -1.0]> : tensor<4xf32>
  %be = ds.constant dense<[0.1, 0.2, 0.3, 0.4]> : tensor<4xf32>
  %m = ds.constant dense<[0.5, -0.5, 0.0, 1.0]> : tensor<4xf32>
  %v = ds.constant dense<[1.0, 2.0, 0.25, 4.0]> : tensor<4xf32>
  %y = ds.batch_norm %c, %s, %be, %m, %v {epsilon = 1.0e-05 : f64} : (tensor<1x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %y, %c : tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>
}
}

// -----

// The same fold in two functions (batch buckets) shares one new weight.
// REMARK: remark: ds-fold-constants: folded 2 ops (0 batch_norm, 1 shared), 0 new constants, 1 new weights
// CHECK-LABEL: func.func @main
// CHECK: ds.weight "folded.w" : tensor<4x8xf32>
// CHECK-LABEL: func.func @b2
// CHECK: ds.weight "folded.w" : tensor<4x8xf32>
module attributes {ds.weight_files = ["w.safetensors"]} {
func.func @main(%x: tensor<1x4xf32>) -> tensor<1x8xf32> {
  %w = ds.weight "w" : tensor<8x4xf32>
  %t = ds.transpose %w, perm = [1, 0] : tensor<8x4xf32> -> tensor<4x8xf32>
  %y = ds.matmul %x, %t : (tensor<1x4xf32>, tensor<4x8xf32>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}
func.func @b2(%x: tensor<2x4xf32>) -> tensor<2x8xf32> {
  %w = ds.weight "w" : tensor<8x4xf32>
  %t = ds.transpose %w, perm = [1, 0] : tensor<8x4xf32> -> tensor<4x8xf32>
  %y = ds.matmul %x, %t : (tensor<2x4xf32>, tensor<4x8xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}
}
