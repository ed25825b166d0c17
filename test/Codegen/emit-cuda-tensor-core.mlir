// RUN: ds-compile %s --emit=cuda -split-input-file | FileCheck %s
// RUN: ds-opt %s -split-input-file --ds-fuse --ds-print-cuda | FileCheck %s --check-prefix=OPT

// f16 matmul: the WMMA template (64x64 block tile, 4 warps, m16n16k16
// fragments with f32 accumulators, K step 32), operand bits staged in shared
// memory with zero padding past every edge, the result stored per element.
// CHECK-LABEL: // launch k0_matmul: grid (1, 1, 1) block (128, 1, 1)
// CHECK: #include <mma.h>
// CHECK: __launch_bounds__(128) k0_matmul(const unsigned short *__restrict__ A, const unsigned short *__restrict__ B, unsigned short *__restrict__ C)
// CHECK: __shared__ __align__(32) unsigned char smem[18432];
// CHECK: wmma::fragment<wmma::accumulator, 16, 16, 16, float> cf[2][2];
// CHECK: for (unsigned k0 = 0; k0 < 65u; k0 += 32u) {
// CHECK: As[r * 40u + c] = __ushort_as_half(row < 33u && ka < 65u ? A[aBase + row * 65u + ka] : (unsigned short)0);
// CHECK: Bs[r * 72u + c] = __ushort_as_half(kb < 65u && col < 17u ? B[bBase + kb * 17u + col] : (unsigned short)0);
// CHECK: wmma::fragment<wmma::matrix_a, 16, 16, 16, __half, wmma::row_major> af[2];
// CHECK: wmma::mma_sync(cf[i][j], af[i], bf[j], cf[i][j]);
// CHECK: wmma::store_matrix_sync(Cw + i * 576 + j * 16, cf[i][j], 36, wmma::mem_row_major);
// CHECK: if (row < 33u && col < 17u) {
// CHECK: C[o] = dsF32ToF16(acc);
// OPT-LABEL: // launch k0_matmul: grid (1, 1, 1) block (128, 1, 1)
// OPT: wmma::mma_sync
func.func @main(%a: tensor<33x65xf16>, %b: tensor<65x17xf16>) -> tensor<33x17xf16> {
  %0 = ds.matmul %a, %b : (tensor<33x65xf16>, tensor<65x17xf16>) -> tensor<33x17xf16>
  return %0 : tensor<33x17xf16>
}

// -----

// f32 keeps the SIMT template (16x16 threads, one output each).
// CHECK-LABEL: // launch k0_matmul: grid (2, 3, 1) block (16, 16, 1)
// CHECK-NOT: mma
// CHECK: acc += As[ty][kk] * Bs[kk][tx];
// CHECK-NOT: mma
// OPT-LABEL: // launch k0_matmul: grid (2, 3, 1) block (16, 16, 1)
// OPT-NOT: wmma
func.func @main(%a: tensor<33x65xf32>, %b: tensor<65x17xf32>) -> tensor<33x17xf32> {
  %0 = ds.matmul %a, %b : (tensor<33x65xf32>, tensor<65x17xf32>) -> tensor<33x17xf32>
  return %0 : tensor<33x17xf32>
}

// -----

// bf16, whole tiles only: no bounds checks; batches in gridDim.z with the
// broadcast operand's batch stride 0.
// CHECK-LABEL: // launch k0_matmul: grid (2, 1, 3) block (128, 1, 1)
// CHECK: const unsigned aBase = (c0) * 2048u;
// CHECK: const unsigned bBase = (0) * 4096u;
// CHECK: As[r * 40u + c] = __ushort_as_bfloat16(A[aBase + row * 32u + ka]);
// CHECK: Bs[r * 72u + c] = __ushort_as_bfloat16(B[bBase + kb * 128u + col]);
// CHECK: wmma::fragment<wmma::matrix_b, 16, 16, 16, __nv_bfloat16, wmma::row_major> bf[2];
// CHECK-NOT: if (row
// CHECK: C[o] = dsF32ToBf16(acc);
// OPT-LABEL: // launch k0_matmul: grid (2, 1, 3) block (128, 1, 1)
func.func @main(%a: tensor<3x64x32xbf16>, %b: tensor<32x128xbf16>) -> tensor<3x64x128xbf16> {
  %0 = ds.matmul %a, %b : (tensor<3x64x32xbf16>, tensor<32x128xbf16>) -> tensor<3x64x128xbf16>
  return %0 : tensor<3x64x128xbf16>
}

// -----

// Fused: the transposed weight is read through the transpose's index map,
// each operand value rounded back to its bits unchanged; the epilogue
// (bias, relu) runs per element on the accumulator rounded to f16 first, as
// the unfused matmul stores it.
// CHECK-LABEL: // launch k0_fusion_matmul: grid (1, 1, 1) block (128, 1, 1)
// CHECK: ds.fusion "matmul" of transpose matmul add relu
// CHECK: #include <mma.h>
// CHECK: const unsigned x{{[0-9]+}} = q{{[0-9]+}}_0 + q{{[0-9]+}}_1 * 40u;
// CHECK: Bs[r * 72u + c] = __ushort_as_half(dsF32ToF16(x));
// CHECK: wmma::mma_sync
// CHECK: const float acc = Cw[r * 36u + c];
// CHECK: (dsF16ToF32(dsF32ToF16(acc))) + (v{{[0-9]+}})
// OPT-LABEL: // launch k0_fusion_matmul: grid (1, 1, 1) block (128, 1, 1)
// OPT: wmma::mma_sync
func.func @main(%x: tensor<33x40xf16>, %w: tensor<24x40xf16>, %bias: tensor<24xf16>) -> tensor<33x24xf16> {
  %t = ds.transpose %w, perm = [1, 0] : tensor<24x40xf16> -> tensor<40x24xf16>
  %m = ds.matmul %x, %t : (tensor<33x40xf16>, tensor<40x24xf16>) -> tensor<33x24xf16>
  %s = ds.add %m, %bias : (tensor<33x24xf16>, tensor<24xf16>) -> tensor<33x24xf16>
  %r = ds.relu %s : tensor<33x24xf16>
  return %r : tensor<33x24xf16>
}

// -----

// `ds.tensor_cores = false` on the function: the SIMT fallback for f16.
// CHECK-LABEL: // launch k0_matmul: grid (2, 3, 1) block (16, 16, 1)
// CHECK-NOT: mma
// CHECK: As[ty][tx] = (row < 33u && ka < 65u) ? dsF16ToF32(A[aBase + row * 65u + ka]) : 0.0f;
// CHECK-NOT: mma
// OPT-LABEL: // launch k0_matmul: grid (2, 3, 1) block (16, 16, 1)
// OPT-NOT: wmma
func.func @main(%a: tensor<33x65xf16>, %b: tensor<65x17xf16>) -> tensor<33x17xf16> attributes {ds.tensor_cores = false} {
  %0 = ds.matmul %a, %b : (tensor<33x65xf16>, tensor<65x17xf16>) -> tensor<33x17xf16>
  return %0 : tensor<33x17xf16>
}
