// RUN: rm -rf %t && mkdir -p %t && cd %t
// RUN: %python %ds_src_root/scripts/gen_safetensors.py w.safetensors fc.weight=256x64 gemm.weight=32x256 odd.weight=100x48 small.weight=16x8 batched.weight=2x64x64 --seed 0
// RUN: ds-opt %s --ds-quantize-int4="min-elements=1024 method=rtn" | FileCheck %s
// RUN: %python %ds_src_root/test/Passes/Inputs/check_int4.py w.safetensors w.int4.safetensors 128 0.12 | FileCheck %s --check-prefix=FILE
// RUN: ds-opt %s --ds-quantize-int4="min-elements=1024 method=rtn symmetric=false group-size=32 weights-out=asym.safetensors" | FileCheck %s --check-prefix=ASYM
// RUN: %python %ds_src_root/test/Passes/Inputs/check_int4.py w.safetensors asym.safetensors 32 0.09 | FileCheck %s --check-prefix=FILE
// RUN: ds-opt %s --ds-quantize-int4="min-elements=1024 exclude=^gemm|node_odd" -o - | FileCheck %s --check-prefix=EXCL
// RUN: ds-opt %s --ds-quantize-int4="include=node_fc" | FileCheck %s --check-prefix=INCL
// RUN: ds-opt %s --ds-quantize-int4="min-elements=1024 report=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=REPORT
// RUN: ds-opt %s --ds-quantize-int4="min-elements=100000 report=true weights-out=none.safetensors" 2>&1 | FileCheck %s --check-prefix=NONE
// RUN: not test -e none.safetensors

// Remarks: skipped matmuls (selection comes first), then each weight, then
// the totals.
// REPORT: remark: ds-quantize-int4: not quantized: 128 elements < min-elements=1024
// REPORT: remark: ds-quantize-int4: not quantized: rhs is not a weight
// REPORT: remark: ds-quantize-int4: not quantized: weight is not 2-D
// REPORT: remark: ds-quantize-int4: not quantized: rhs is a transpose other than [1, 0]
// REPORT: remark: {{.*}}ds-quantize-int4: 'fc.weight' [256x64] search group 128 symmetric: relative RMS error 0.{{[0-9]+}}, 65536 -> 8448 bytes
// REPORT: remark: ds-quantize-int4: 'gemm.weight' [256x32] search group 128 symmetric: relative RMS error 0.{{[0-9]+}}, 32768 -> 4224 bytes
// REPORT: remark: {{.*}}ds-quantize-int4: 'odd.weight' [100x48] search group 128 symmetric: relative RMS error 0.{{[0-9]+}}, 19200 -> 2496 bytes
// REPORT: remark: ds-quantize-int4: quantized 4 of 8 matmul weights, 117504 -> 15168 bytes

// The derived file is appended to the module's weight files.
// CHECK: module attributes {ds.weight_files = ["w.safetensors", "w.int4.safetensors"]}
// ASYM: module attributes {ds.weight_files = ["w.safetensors", "asym.safetensors"]}
module attributes {ds.weight_files = ["w.safetensors"]} {

// MatMul with a [K, N] weight.
// CHECK-LABEL: func @matmul
// CHECK-NOT: "fc.weight"
// CHECK: %[[P:.*]] = ds.weight "int4.fc.weight" : tensor<64x128xui8>
// CHECK: %[[S:.*]] = ds.weight "int4.fc.weight.scales" : tensor<64x2xf16>
// CHECK: %[[W:.*]] = ds.dequantize_int4 %[[P]], %[[S]] {group_size = 128 : i64} : (tensor<64x128xui8>, tensor<64x2xf16>) -> tensor<256x64xf32>
// CHECK: ds.matmul %{{.*}}, %[[W]] : (tensor<2x256xf32>, tensor<256x64xf32>)
// ASYM-LABEL: func @matmul
// ASYM: %[[P:.*]] = ds.weight "int4.fc.weight" : tensor<64x128xui8>
// ASYM: %[[S:.*]] = ds.weight "int4.fc.weight.scales" : tensor<64x8xf16>
// ASYM: %[[Z:.*]] = ds.weight "int4.fc.weight.zeros" : tensor<64x8xui8>
// ASYM: ds.dequantize_int4 %[[P]], %[[S]], %[[Z]] {group_size = 32 : i64}
// INCL-LABEL: func @matmul
// INCL: ds.dequantize_int4
func.func @matmul(%x: tensor<2x256xf32>) -> tensor<2x64xf32> {
  %w = ds.weight "fc.weight" : tensor<256x64xf32> loc("node_fc")
  %y = ds.matmul %x, %w : (tensor<2x256xf32>, tensor<256x64xf32>) -> tensor<2x64xf32> loc("node_fc")
  return %y : tensor<2x64xf32>
}

// Gemm with transB: the [N, K] weight is stored as it is; the transpose goes.
// CHECK-LABEL: func @gemm_trans_b
// CHECK-NOT: ds.transpose
// CHECK: %[[P:.*]] = ds.weight "int4.gemm.weight" : tensor<32x128xui8>
// CHECK: ds.dequantize_int4 %[[P]], %{{.*}} {group_size = 128 : i64} : (tensor<32x128xui8>, tensor<32x2xf16>) -> tensor<256x32xf32>
// EXCL-LABEL: func @gemm_trans_b
// EXCL: ds.transpose
// EXCL-NOT: ds.dequantize_int4
// INCL-LABEL: func @gemm_trans_b
// INCL-NOT: ds.dequantize_int4
func.func @gemm_trans_b(%x: tensor<4x256xf32>) -> tensor<4x32xf32> {
  %g = ds.weight "gemm.weight" : tensor<32x256xf32>
  %t = ds.transpose %g, perm = [1, 0] : tensor<32x256xf32> -> tensor<256x32xf32>
  %y = ds.matmul %x, %t : (tensor<4x256xf32>, tensor<256x32xf32>) -> tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}

// K = 100: one partial group, 50 bytes per row; the weight is shared by two
// matmuls and quantized once. Batched (3-D) lhs.
// CHECK-LABEL: func @odd_k_shared
// CHECK: %[[W:.*]] = ds.dequantize_int4 %{{.*}}, %{{.*}} {group_size = 128 : i64} : (tensor<48x50xui8>, tensor<48x1xf16>) -> tensor<100x48xf32>
// CHECK: ds.matmul %{{.*}}, %[[W]]
// CHECK: ds.matmul %{{.*}}, %[[W]]
// CHECK-NOT: ds.dequantize_int4
// EXCL-LABEL: func @odd_k_shared
// EXCL-NOT: ds.dequantize_int4
func.func @odd_k_shared(%x: tensor<3x5x100xf32>) -> (tensor<3x5x48xf32>, tensor<3x5x48xf32>) {
  %w = ds.weight "odd.weight" : tensor<100x48xf32>
  %y = ds.matmul %x, %w : (tensor<3x5x100xf32>, tensor<100x48xf32>) -> tensor<3x5x48xf32> loc("node_odd")
  %e = ds.exp %x : tensor<3x5x100xf32>
  %z = ds.matmul %e, %w : (tensor<3x5x100xf32>, tensor<100x48xf32>) -> tensor<3x5x48xf32> loc("node_odd")
  return %y, %z : tensor<3x5x48xf32>, tensor<3x5x48xf32>
}

// Does not fire: a weight below min-elements, an activation rhs, a 3-D
// weight, a transpose that is not [1, 0] of a 2-D weight.
// CHECK-LABEL: func @not_quantized
// CHECK-NOT: ds.dequantize_int4
// CHECK: return
// NONE: remark: ds-quantize-int4: quantized 0 of 8 matmul weights
// NONE: module attributes {ds.weight_files = ["w.safetensors"]}
// NONE-NOT: ds.dequantize_int4
func.func @not_quantized(%x: tensor<2x16xf32>, %a: tensor<2x64x64xf32>, %b: tensor<2x64x64xf32>) -> (tensor<2x8xf32>, tensor<2x64x64xf32>, tensor<2x64x64xf32>, tensor<2x64x64xf32>) {
  %s = ds.weight "small.weight" : tensor<16x8xf32>
  %0 = ds.matmul %x, %s : (tensor<2x16xf32>, tensor<16x8xf32>) -> tensor<2x8xf32>
  %1 = ds.matmul %a, %b : (tensor<2x64x64xf32>, tensor<2x64x64xf32>) -> tensor<2x64x64xf32>
  %w = ds.weight "batched.weight" : tensor<2x64x64xf32>
  %2 = ds.matmul %a, %w : (tensor<2x64x64xf32>, tensor<2x64x64xf32>) -> tensor<2x64x64xf32>
  %t = ds.transpose %w, perm = [0, 2, 1] : tensor<2x64x64xf32> -> tensor<2x64x64xf32>
  %3 = ds.matmul %a, %t : (tensor<2x64x64xf32>, tensor<2x64x64xf32>) -> tensor<2x64x64xf32>
  return %0, %1, %2, %3 : tensor<2x8xf32>, tensor<2x64x64xf32>, tensor<2x64x64xf32>, tensor<2x64x64xf32>
}

}

// FILE: fc.weight: 256x64 rel_rms=0.{{[0-9]+}} half_step=yes
// FILE: gemm.weight: 256x32 rel_rms=0.{{[0-9]+}} half_step=yes
// FILE: odd.weight: 100x48 rel_rms=0.{{[0-9]+}} half_step=yes
