// RUN: ds-compile %s --emit=cuda -split-input-file | FileCheck %s

// A matmul with its weight transpose absorbed and a bias + relu epilogue:
// one kernel; B is loaded through the transposed index, the epilogue is
// applied to the accumulator at the store.
// CHECK-LABEL: // launch k0_fusion_matmul: grid (1, 1, 1) block (16, 16, 1)
// CHECK: // ds kernel k0_fusion_matmul: ds.fusion "matmul" of transpose matmul add relu
// CHECK: k0_fusion_matmul(const float *__restrict__ in0, const float *__restrict__ in1, const float *__restrict__ in2, float *__restrict__ out0)
// CHECK: const unsigned l = bBase + kb * 16u + col;
// CHECK: in0[
// CHECK: const unsigned o = cBase + row * 16u + col;
// CHECK: = in2[
// CHECK: (acc) + (v{{[0-9]+}})
// CHECK: out0[o] =
// CHECK-NOT: __global__
func.func @main(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>, %b: tensor<16xf32>) -> tensor<4x16xf32> {
  %t = ds.transpose %w, perm = [1, 0] : tensor<16x8xf32> -> tensor<8x16xf32>
  %m = ds.matmul %x, %t : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %a = ds.add %m, %b : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %r = ds.relu %a : tensor<4x16xf32>
  return %r : tensor<4x16xf32>
}

// -----

// Softmax spelled out: one block per row, two reductions (max, then sum)
// with warp shuffles and a shared-memory combine, a last pass writing the
// row.
// CHECK-LABEL: // launch k0_fusion_reduction: grid (3, 1, 1) block (32, 1, 1)
// CHECK: __shfl_xor_sync
// CHECK: k0_fusion_reduction(const float *__restrict__ in0, float *__restrict__ out0)
// CHECK: __shared__ float scratch[1];
// CHECK: const float r0 = dsBlockMax(acc0, scratch);
// CHECK: expf(
// CHECK: const float r1 = dsBlockSum(acc1, scratch);
// CHECK: out0[e] =
// CHECK-NOT: __global__
func.func @main(%x: tensor<3x10xf32>) -> tensor<3x10xf32> {
  %m = ds.reduce_max %x {axes = array<i64: 1>} : tensor<3x10xf32> -> tensor<3x1xf32>
  %d = ds.sub %x, %m : (tensor<3x10xf32>, tensor<3x1xf32>) -> tensor<3x10xf32>
  %e = ds.exp %d : tensor<3x10xf32>
  %s = ds.reduce_sum %e {axes = array<i64: 1>} : tensor<3x10xf32> -> tensor<3x1xf32>
  %y = ds.div %e, %s : (tensor<3x10xf32>, tensor<3x1xf32>) -> tensor<3x10xf32>
  return %y : tensor<3x10xf32>
}

// -----

// Elementwise with two results and a non-splat constant compiled in as a
// table; the transpose is index math. 12 elements: four per thread and
// iteration, the input read and both results written as 16-byte vectors.
// CHECK-LABEL: // launch k0_fusion_elementwise
// CHECK: static __device__ const float dsConst0[3] = {1.0f, -2.0f, 0.5f};
// CHECK: struct alignas(16) dsF4 {
// CHECK: k0_fusion_elementwise(const float *__restrict__ in0, float *__restrict__ out0, float *__restrict__ out1)
// CHECK: q < 3u;
// CHECK: const dsF4 ld0 = reinterpret_cast<const dsF4 *>(in0)[q];
// CHECK: dsConst0[
// CHECK: (ld0.x) *
// CHECK: reinterpret_cast<dsF4 *>(out0)[q] = dsF4{
// CHECK: reinterpret_cast<dsF4 *>(out1)[q] = dsF4{
// CHECK-NOT: __global__
func.func @main(%x: tensor<3x4xf32>) -> (tensor<3x4xf32>, tensor<4x3xf32>) {
  %c = ds.constant dense<[[1.0], [-2.0], [0.5]]> : tensor<3x1xf32>
  %m = ds.mul %x, %c : (tensor<3x4xf32>, tensor<3x1xf32>) -> tensor<3x4xf32>
  %t = ds.transpose %m, perm = [1, 0] : tensor<3x4xf32> -> tensor<4x3xf32>
  %n = ds.neg %t : tensor<4x3xf32>
  return %m, %n : tensor<3x4xf32>, tensor<4x3xf32>
}

// -----

// An element count that is not a multiple of 4: one element per thread.
// CHECK-LABEL: // launch k0_fusion_elementwise
// CHECK-NOT: dsF4
// CHECK: i < 15u;
// CHECK: out0[i] =
func.func @main(%x: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %a = ds.exp %x : tensor<3x5xf32>
  %b = ds.neg %a : tensor<3x5xf32>
  return %b : tensor<3x5xf32>
}
