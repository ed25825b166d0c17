// RUN: ds-compile %s --emit=cuda -split-input-file | FileCheck %s

// Broadcasting binary op: row-major index math with constant strides, the
// broadcast operand indexed by its own coordinates only.
// CHECK-LABEL: // launch k0_add: grid (1, 1, 1) block (256, 1, 1)
// CHECK: extern "C" __global__ void __launch_bounds__(256) k0_add(const float *__restrict__ in0, const float *__restrict__ in1, float *__restrict__ out)
// CHECK: for (unsigned i = blockIdx.x * 256u + threadIdx.x; i < 24u; i += gridDim.x * 256u)
// CHECK: unsigned c1 = rem % 8u;
// CHECK: float x0 = in0[i];
// CHECK: float x1 = in1[c1];
// CHECK: out[i] = x0 + x1;
func.func @main(%a: tensor<3x8xf32>, %b: tensor<8xf32>) -> tensor<3x8xf32> {
  %0 = ds.add %a, %b : (tensor<3x8xf32>, tensor<8xf32>) -> tensor<3x8xf32>
  return %0 : tensor<3x8xf32>
}

// -----

// Column broadcast and an i64 op.
// CHECK-LABEL: // launch k0_mul
// CHECK: k0_mul(const long long *__restrict__ in0, const long long *__restrict__ in1, long long *__restrict__ out)
// CHECK: long long x0 = in0[c0];
// CHECK: long long x1 = in1[c1];
func.func @main(%a: tensor<3x1xi64>, %b: tensor<1x5xi64>) -> tensor<3x5xi64> {
  %0 = ds.mul %a, %b : (tensor<3x1xi64>, tensor<1x5xi64>) -> tensor<3x5xi64>
  return %0 : tensor<3x5xi64>
}

// -----

// Unary ops: one expression each.
// CHECK-LABEL: // launch k0_gelu
// CHECK: out[i] = 0.5f * x0 * (1.0f + erff(x0 * 0.7071067811865476f));
// CHECK-LABEL: // launch k1_gelu
// CHECK: tanhf(0.7978845608028654f * (x0 + 0.044715f * x0 * x0 * x0))
// CHECK-LABEL: // launch k2_silu
// CHECK: out[i] = x0 / (1.0f + expf(-x0));
// CHECK-LABEL: // launch k3_rsqrt
// CHECK: out[i] = rsqrtf(x0);
func.func @main(%x: tensor<1000xf32>) -> tensor<1000xf32> {
  %0 = ds.gelu %x : tensor<1000xf32>
  %1 = ds.gelu %0 {approximate = "tanh"} : tensor<1000xf32>
  %2 = ds.silu %1 : tensor<1000xf32>
  %3 = ds.rsqrt %2 : tensor<1000xf32>
  return %3 : tensor<1000xf32>
}

// -----

// Batched matmul with a broadcast batch dim: 16x16 shared-memory tiles,
// batch in gridDim.z, rhs batch offset 0 for the broadcast dim.
// CHECK-LABEL: // launch k0_matmul: grid (3, 2, 6) block (16, 16, 1)
// CHECK: __shared__ float As[16][17];
// CHECK: __shared__ float Bs[16][17];
// CHECK: unsigned c1 = rem % 3u;
// CHECK: const unsigned aBase = (c0 * 3u + c1) * 640u;
// CHECK: const unsigned bBase = (c1) * 1280u;
// CHECK: __syncthreads();
// CHECK: acc += As[ty][kk] * Bs[kk][tx];
// CHECK: C[cBase + row * 40u + col] = acc;
func.func @main(%a: tensor<2x3x20x32xf32>, %b: tensor<3x32x40xf32>) -> tensor<2x3x20x40xf32> {
  %0 = ds.matmul %a, %b : (tensor<2x3x20x32xf32>, tensor<3x32x40xf32>) -> tensor<2x3x20x40xf32>
  return %0 : tensor<2x3x20x40xf32>
}

// -----

// Softmax along a middle axis: one block per (outer, inner) row, strided by
// the inner size; warp shuffles then a shared-memory combine.
// CHECK-LABEL: // launch k0_softmax: grid (8, 1, 1) block (128, 1, 1)
// CHECK: __shfl_xor_sync(0xffffffffu, v, o)
// CHECK: __shared__ float scratch[4];
// CHECK: const unsigned base = (row / 4u) * 40u + row % 4u;
// CHECK: m = fmaxf(m, x[j * 4u]);
// CHECK: y[j * 4u] = expf(x[j * 4u] - m) * inv;
func.func @main(%x: tensor<2x10x4xf32>) -> tensor<2x10x4xf32> {
  %0 = ds.softmax %x {axis = 1} : tensor<2x10x4xf32>
  return %0 : tensor<2x10x4xf32>
}

// -----

// Transpose: the permuted input strides; reshape is a view (no kernel), so
// a returned reshape gets an output copy kernel.
// CHECK-LABEL: // launch k0_transpose
// CHECK: float x0 = in0[c0 + c1 * 4u + c2 * 12u];
// CHECK-LABEL: // launch k1_copy
// CHECK-NOT: // launch
func.func @main(%x: tensor<2x3x4xf32>) -> (tensor<4x3x2xf32>, tensor<24xf32>) {
  %0 = ds.transpose %x, perm = [2, 1, 0] : tensor<2x3x4xf32> -> tensor<4x3x2xf32>
  %1 = ds.reshape %x : tensor<2x3x4xf32> -> tensor<24xf32>
  return %0, %1 : tensor<4x3x2xf32>, tensor<24xf32>
}
