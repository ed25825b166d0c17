// RUN: ds-opt %s --ds-fuse --ds-print-cuda -o %t.mlir | FileCheck %s
// RUN: FileCheck %s --check-prefix=IR < %t.mlir
// RUN: ds-opt %s --ds-print-cuda -o /dev/null | FileCheck %s --check-prefix=UNFUSED

// ds-opt prints the fused IR and, with ds-print-cuda, each kernel.
// CHECK: // ds-print-cuda @main: 1 kernels
// CHECK: // launch k0_fusion_matmul: grid (1, 1, 1) block (16, 16, 1)
// CHECK: // ds kernel k0_fusion_matmul: ds.fusion "matmul" of matmul add relu
// CHECK: extern "C" __global__ void __launch_bounds__(256) k0_fusion_matmul(
// IR: ds.fusion "matmul"
// UNFUSED: // ds-print-cuda @main: 3 kernels
// UNFUSED: k0_matmul
// UNFUSED: k1_add
// UNFUSED: k2_relu
func.func @main(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>) -> tensor<4x16xf32> {
  %m = ds.matmul %x, %w : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %a = ds.add %m, %b : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %r = ds.relu %a : tensor<4x16xf32>
  return %r : tensor<4x16xf32>
}
