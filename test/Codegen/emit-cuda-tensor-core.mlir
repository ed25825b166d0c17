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
// CHECK: if (row < 33u && ka < 65u) bits = A[aBase + row * 65u + ka];
// CHECK: As[r * 40u + c] = __ushort_as_half(bits);
// CHECK: if (kb < 65u && col < 17u) bits = B[bBase + kb * 17u + col];
// CHECK: Bs[r * 72u + c] = __ushort_as_half(bits);
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

// bf16, whole tiles only: no bounds checks, 16-byte loads (rows of 32 and
// 128 elements) when the pointers are aligned; batches in gridDim.z with the
// broadcast operand's batch stride 0.
// CHECK-LABEL: // launch k0_matmul: grid (2, 1, 3) block (128, 1, 1)
// CHECK: const unsigned aBase = (c0) * 2048u;
// CHECK: const unsigned bBase = (0) * 4096u;
// CHECK: const bool AsVector = (reinterpret_cast<unsigned long long>(A) & 15u) == 0;
// CHECK: if (AsVector) {
// CHECK: v = *reinterpret_cast<const uint4 *>(A + aBase + row * 32u + ka);
// CHECK: *reinterpret_cast<uint4 *>(As + r * 40u + c) = v;
// CHECK: } else {
// CHECK: bits = A[aBase + row * 32u + ka];
// CHECK: v = *reinterpret_cast<const uint4 *>(B + bBase + kb * 128u + col);
// CHECK: bits = B[bBase + kb * 128u + col];
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
// CHECK: bits = dsF32ToF16(v{{[0-9]+}});
// CHECK-NOT: uint4
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

// -----

// f16 conv as an implicit GEMM: M = 24 output channels, K = 8 channels x 9
// taps, N = 144 output positions, one image per gridDim.z slice; the B tile
// gathers the image patch (zero in the padding), the bias is added to the
// accumulator before the store.
// CHECK-LABEL: // launch k0_conv: grid (3, 1, 2) block (128, 1, 1)
// CHECK: k0_conv(const unsigned short *__restrict__ in0, const unsigned short *__restrict__ in1, const unsigned short *__restrict__ in2, unsigned short *__restrict__ out)
// CHECK: const unsigned short *xin = in0 + (unsigned)blockIdx.z * 1152u;
// CHECK: if (row < 24u && ka < 72u) bits = in1[row * 72u + ka];
// CHECK: const unsigned ci = kb / 9u, tap = kb % 9u;
// CHECK: const int p0 = (int)(col / 12u % 12u) - 1 + (int)(tap / 3u % 3u);
// CHECK: const int p1 = (int)(col % 12u) - 1 + (int)(tap % 3u);
// CHECK: if ((unsigned)p0 < 12u && (unsigned)p1 < 12u) bits = xin[ci * 144u + (unsigned)p0 * 12u + (unsigned)p1];
// CHECK: wmma::mma_sync
// CHECK: out[o] = dsF32ToF16(acc + dsF16ToF32(in2[row]));
// OPT-LABEL: // launch k0_conv: grid (3, 1, 2) block (128, 1, 1)
func.func @main(%x: tensor<2x8x12x12xf16>, %w: tensor<24x8x3x3xf16>, %b: tensor<24xf16>) -> tensor<2x24x12x12xf16> {
  %0 = ds.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<2x8x12x12xf16>, tensor<24x8x3x3xf16>, tensor<24xf16>) -> tensor<2x24x12x12xf16>
  return %0 : tensor<2x24x12x12xf16>
}

// -----

// Convs that stay direct: f32; grouped; channels x taps below one K step of
// 32 (2 x 9); fewer than 16 output channels.
// CHECK-LABEL: // launch k0_conv: grid (7, 1, 1) block (256, 1, 1)
// CHECK-NOT: mma
// CHECK-LABEL: // launch k1_conv: grid (4, 1, 1) block (256, 1, 1)
// CHECK-NOT: mma
// CHECK-LABEL: // launch k2_conv: grid (4, 1, 1) block (256, 1, 1)
// CHECK-NOT: mma
// CHECK-LABEL: // launch k3_conv: grid (2, 1, 1) block (256, 1, 1)
// CHECK-NOT: mma
// OPT-LABEL: // launch k0_conv
// OPT-NOT: wmma
func.func @main(%x: tensor<1x8x10x10xf32>, %w: tensor<16x8x3x3xf32>, %h: tensor<1x8x10x10xf16>, %wg: tensor<16x4x3x3xf16>, %ws: tensor<16x2x3x3xf16>, %hs: tensor<1x2x10x10xf16>, %wn: tensor<8x8x3x3xf16>) -> (tensor<1x16x10x10xf32>, tensor<1x16x8x8xf16>, tensor<1x16x8x8xf16>, tensor<1x8x8x8xf16>) {
  %0 = ds.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x8x10x10xf32>, tensor<16x8x3x3xf32>) -> tensor<1x16x10x10xf32>
  %1 = ds.conv %h, %wg {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x10x10xf16>, tensor<16x4x3x3xf16>) -> tensor<1x16x8x8xf16>
  %2 = ds.conv %hs, %ws {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x10x10xf16>, tensor<16x2x3x3xf16>) -> tensor<1x16x8x8xf16>
  %3 = ds.conv %h, %wn {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x10x10xf16>, tensor<8x8x3x3xf16>) -> tensor<1x8x8x8xf16>
  return %0, %1, %2, %3 : tensor<1x16x10x10xf32>, tensor<1x16x8x8xf16>, tensor<1x16x8x8xf16>, tensor<1x8x8x8xf16>
}

// -----

// Every contraction's fused epilogue sees the value rounded to the element
// type, as the unfused op stores it: the GEMV (2 rows) and the direct conv
// (grouped) here, the tensor-core kernels above.
// CHECK-LABEL: // launch k0_fusion_gemv
// CHECK: (dsBf16ToF32(dsF32ToBf16(acc))) + (v{{[0-9]+}})
// CHECK-LABEL: // launch k1_fusion_conv
// CHECK: const float y = acc;
// CHECK: dsF16ToF32(dsF32ToF16(y))
func.func @main(%x: tensor<2x160xbf16>, %w: tensor<160x40xbf16>, %b: tensor<40xbf16>, %h: tensor<1x8x10x10xf16>, %wg: tensor<16x4x3x3xf16>) -> (tensor<2x40xbf16>, tensor<1x16x8x8xf16>) {
  %0 = ds.matmul %x, %w : (tensor<2x160xbf16>, tensor<160x40xbf16>) -> tensor<2x40xbf16>
  %1 = ds.add %0, %b : (tensor<2x40xbf16>, tensor<40xbf16>) -> tensor<2x40xbf16>
  %2 = ds.conv %h, %wg {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x10x10xf16>, tensor<16x4x3x3xf16>) -> tensor<1x16x8x8xf16>
  %3 = ds.relu %2 : tensor<1x16x8x8xf16>
  return %1, %3 : tensor<2x40xbf16>, tensor<1x16x8x8xf16>
}
