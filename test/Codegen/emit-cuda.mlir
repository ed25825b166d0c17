// RUN: ds-compile %s --emit=cuda -split-input-file --no-fuse | FileCheck %s

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
// CHECK: out[i] = in0[c0 + c1 * 4u + c2 * 12u];
// CHECK-LABEL: // launch k1_copy
// CHECK-NOT: // launch
func.func @main(%x: tensor<2x3x4xf32>) -> (tensor<4x3x2xf32>, tensor<24xf32>) {
  %0 = ds.transpose %x, perm = [2, 1, 0] : tensor<2x3x4xf32> -> tensor<4x3x2xf32>
  %1 = ds.reshape %x : tensor<2x3x4xf32> -> tensor<24xf32>
  return %0, %1 : tensor<4x3x2xf32>, tensor<24xf32>
}

// -----

// f16/bf16: `unsigned short` in memory, f32 in registers through bit-level
// conversions emitted into the source (NVRTC finds no <cuda_fp16.h> without
// the toolkit's include dir); comparisons store i1 as one byte.
// CHECK-LABEL: // launch k0_erf
// CHECK-NOT: #include
// CHECK: static __device__ __forceinline__ float dsF16ToF32(unsigned short h)
// CHECK: static __device__ __forceinline__ unsigned short dsF32ToF16(float f)
// CHECK: k0_erf(const unsigned short *__restrict__ in0, unsigned short *__restrict__ out)
// CHECK: float x0 = dsF16ToF32(in0[i]);
// CHECK: out[i] = dsF32ToF16(erff(x0));
// CHECK-LABEL: // launch k1_greater_equal
// CHECK: static __device__ __forceinline__ float dsBf16ToF32(unsigned short b)
// CHECK-NOT: dsF32ToBf16
// CHECK: k1_greater_equal(const unsigned short *__restrict__ in0, const unsigned short *__restrict__ in1, unsigned char *__restrict__ out)
// CHECK: float x1 = dsBf16ToF32(in1[c1]);
// CHECK: out[i] = (unsigned char)(x0 >= x1);
func.func @main(%x: tensor<4x6xf16>, %b: tensor<6xbf16>, %c: tensor<4x6xbf16>) -> (tensor<4x6xf16>, tensor<4x6xi1>) {
  %0 = ds.erf %x : tensor<4x6xf16>
  %1 = ds.greater_equal %c, %b : (tensor<4x6xbf16>, tensor<6xbf16>) -> tensor<4x6xi1>
  return %0, %1 : tensor<4x6xf16>, tensor<4x6xi1>
}

// -----

// Integers: division defined for 0 and -1 divisors, clip bounds rounded
// inward; float -> int casts saturate; where moves stored bits.
// CHECK-LABEL: // launch k0_div
// CHECK: out[i] = x1 == 0 ? 0 : x1 == -1 ? (int)((unsigned)0 - (unsigned)x0) : x0 / x1;
// CHECK-LABEL: // launch k1_clip
// CHECK: out[i] = (x0 < -2 ? -2 : (x0 > 7 ? 7 : x0));
// CHECK-LABEL: // launch k2_cast
// CHECK: static __device__ __forceinline__ long long dsF32ToI64(float v)
// CHECK: out[i] = dsF32ToI64(x0);
// CHECK-LABEL: // launch k3_where
// CHECK: k3_where(const unsigned char *__restrict__ in0, const float *__restrict__ in1, const float *__restrict__ in2, float *__restrict__ out)
// CHECK: out[i] = in0[c0] != 0 ? in1[i] : in2[i];
// CHECK-LABEL: // launch k4_max
// CHECK: out[i] = (x1 != x1 || x0 < x1) ? x1 : x0;
func.func @main(%x: tensor<3x4xi32>, %y: tensor<4xi32>, %f: tensor<3x4xf32>, %c: tensor<3x1xi1>) -> (tensor<3x4xi32>, tensor<3x4xi32>, tensor<3x4xi64>, tensor<3x4xf32>, tensor<3x4xf32>) {
  %0 = ds.div %x, %y : (tensor<3x4xi32>, tensor<4xi32>) -> tensor<3x4xi32>
  %1 = ds.clip %0 {min = -2.5 : f64, max = 7.0 : f64} : tensor<3x4xi32>
  %2 = ds.cast %f : tensor<3x4xf32> -> tensor<3x4xi64>
  %3 = ds.where %c, %f, %f : (tensor<3x1xi1>, tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %4 = ds.max %3, %f : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0, %1, %2, %3, %4 : tensor<3x4xi32>, tensor<3x4xi32>, tensor<3x4xi64>, tensor<3x4xf32>, tensor<3x4xf32>
}

// -----

// Direct conv: one output per thread, every window loop a constant, taps
// unrolled, bounds checks only where the padding can be hit (the strided,
// dilated first spatial dim never reads past its end), channel loop
// innermost, group offset.
// CHECK-LABEL: // launch k0_conv: grid (1, 1, 1) block (256, 1, 1)
// CHECK: const float *x = in0 + (c0 * 4u + c1 / 3u * 2u) * 64u;
// CHECK: const float *w = in1 + c1 * 18u;
// CHECK: #pragma unroll
// CHECK-NEXT: for (int k0 = 0; k0 < 3; ++k0) {
// CHECK-NEXT: const int p0 = (int)c2 * 2 - 1 + k0 * 2;
// CHECK-NEXT: if (p0 < 0) continue;
// CHECK: const int p1 = (int)c3 - 1 + k1;
// CHECK-NEXT: if ((unsigned)p1 >= 8u) continue;
// CHECK: for (int ci = 0; ci < 2; ++ci)
// CHECK-NEXT: acc += xp[ci * 64u] * wp[ci * 9u];
// CHECK: out[i] = acc + in2[c1];
// conv_transpose gathers: the taps whose input position is integral.
// CHECK-LABEL: // launch k1_conv_transpose
// CHECK: const int t0 = (int)c2 + 1 - k0 * 1;
// CHECK-NEXT: if (t0 < 0 || t0 % 2 != 0) continue;
// CHECK-NEXT: const int q0 = t0 / 2;
// CHECK-NEXT: if (q0 >= 4) continue;
// CHECK: acc += xp[ci * 16u] * wp[ci * 18u];
func.func @main(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>, %b: tensor<6xf32>, %y: tensor<1x4x4x4xf32>, %v: tensor<4x2x3x3xf32>) -> (tensor<1x6x3x8xf32>, tensor<1x4x7x7xf32>) {
  %0 = ds.conv %x, %w, %b {dilations = array<i64: 2, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 1>} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<1x6x3x8xf32>
  %1 = ds.conv_transpose %y, %v {dilations = array<i64: 1, 1>, group = 2 : i64, output_padding = array<i64: 0, 0>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x4x4xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x7x7xf32>
  return %0, %1 : tensor<1x6x3x8xf32>, tensor<1x4x7x7xf32>
}

// -----

// Pooling: padding never contributes to max (NaN propagates); avg with
// ceil_mode and count_include_pad divides by the taps inside the padded
// input, counted per dim.
// CHECK-LABEL: // launch k0_max_pool
// CHECK: float v = __int_as_float(0xff800000);
// CHECK: v = (xv > v || xv != xv) ? xv : v;
// CHECK-LABEL: // launch k1_avg_pool
// CHECK: inside += p0 >= -1 && p0 < 9;
// CHECK: out[i] = sum / (float)padded;
// CHECK-LABEL: // launch k2_avg_pool
// CHECK: out[i] = sum / (float)n;
func.func @main(%x: tensor<1x2x8x8xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) {
  %0 = ds.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x2x8x8xf32> -> tensor<1x2x4x4xf32>
  %1 = ds.avg_pool %x {ceil_mode = 1 : i64, count_include_pad = 1 : i64, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 3, 3>} : tensor<1x2x8x8xf32> -> tensor<1x2x3x3xf32>
  %2 = ds.avg_pool %x {ceil_mode = 1 : i64, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 3, 3>} : tensor<1x2x8x8xf32> -> tensor<1x2x3x3xf32>
  return %0, %1, %2 : tensor<1x2x4x4xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>
}

// -----

// batch_norm reads the per-channel parameters per element; layer_norm is one
// block per row, two block reductions (mean, then squared deviations), scale
// broadcast through the row's coordinates.
// CHECK-LABEL: // launch k0_batch_norm
// CHECK: const unsigned ch = i / 25u % 3u;
// CHECK: out[i] = in1[ch] * (in0[i] - in3[ch]) / sqrtf(in4[ch] + 0.00100000005f) + in2[ch];
// CHECK-LABEL: // launch k1_layer_norm: grid (2, 1, 1) block (128, 1, 1)
// CHECK: static __device__ __forceinline__ float dsBlockSum(float v, float *scratch)
// CHECK: const float *x = in0 + (unsigned)blockIdx.x * 15u;
// CHECK: const float mean = dsBlockSum(sum, scratch) / 15.0f;
// CHECK: const float inv = 1.0f / sqrtf(dsBlockSum(sq, scratch) / 15.0f + 9.99999975e-06f);
// CHECK: unsigned n1 = nrem % 5u;
// CHECK: y[j] = (x[j] - mean) * inv * in1[n1] + in2[j];
func.func @main(%x: tensor<2x3x5x5xf32>, %p: tensor<3xf32>, %r: tensor<2x3x5xf32>, %g: tensor<5xf32>, %b: tensor<3x5xf32>) -> (tensor<2x3x5x5xf32>, tensor<2x3x5xf32>) {
  %0 = ds.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-03 : f64} : (tensor<2x3x5x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x5x5xf32>
  %1 = ds.layer_norm %r, %g, %b {axis = 1 : i64} : (tensor<2x3x5xf32>, tensor<5xf32>, tensor<3x5xf32>) -> tensor<2x3x5xf32>
  return %0, %1 : tensor<2x3x5x5xf32>, tensor<2x3x5xf32>
}

// -----

// Reductions: one block per output element (block size fits the row);
// non-trailing axes walk the kept and reduced coordinates; keepdims does not
// change the layout; integer max starts at the type's minimum.
// CHECK-LABEL: // launch k0_reduce_sum: grid (4, 1, 1) block (32, 1, 1)
// CHECK: unsigned o1 = orem % 2u;
// CHECK: const float *x = in0 + (o0 * 30u + o1);
// CHECK: unsigned r1 = rrem % 5u;
// CHECK: const float v = x[r0 * 10u + r1 * 2u];
// CHECK: acc = acc + v;
// CHECK-LABEL: // launch k1_reduce_max: grid (2, 1, 1) block (64, 1, 1)
// CHECK: long long acc = (-9223372036854775807LL - 1);
// CHECK: const long long v = x[j];
// CHECK: acc = v > acc ? v : acc;
// CHECK: if (threadIdx.x == 0)
// CHECK-NEXT: out[o] = acc;
// CHECK-LABEL: // launch k2_reduce_mean: grid (1, 1, 1) block (256, 1, 1)
// CHECK: out[o] = acc / 300.0f;
func.func @main(%x: tensor<2x3x5x2xf32>, %l: tensor<2x50xi64>, %m: tensor<300xf32>) -> (tensor<2x1x1x2xf32>, tensor<2xi64>, tensor<f32>) {
  %0 = ds.reduce_sum %x {axes = array<i64: 1, 2>, keepdims = 1 : i64} : tensor<2x3x5x2xf32> -> tensor<2x1x1x2xf32>
  %1 = ds.reduce_max %l {axes = array<i64: 1>, keepdims = 0 : i64} : tensor<2x50xi64> -> tensor<2xi64>
  %2 = ds.reduce_mean %m {axes = array<i64>, keepdims = 0 : i64} : tensor<300xf32> -> tensor<f32>
  return %0, %1, %2 : tensor<2x1x1x2xf32>, tensor<2xi64>, tensor<f32>
}

// -----

// Data movement: concat picks the operand by the axis coordinate; slice
// folds constant starts and (negative) steps into strides; gather wraps
// negative indices and clamps; every operand is a parameter.
// CHECK-LABEL: // launch k0_concat
// CHECK: const unsigned a = i / 4u % 6u;
// CHECK: if (a < 2u)
// CHECK-NEXT: out[i] = in0[outer * 8u + (a - 0u) * 4u + inner];
// CHECK-NEXT: else if (a < 3u)
// CHECK-NEXT: out[i] = in1[outer * 4u + (a - 2u) * 4u + inner];
// CHECK-NEXT: else
// CHECK-NEXT: out[i] = in2[outer * 12u + (a - 3u) * 4u + inner];
// CHECK-LABEL: // launch k1_slice
// CHECK: k1_slice(const float *__restrict__ in0, const long long *__restrict__ in1, const long long *__restrict__ in2, const long long *__restrict__ in3, const long long *__restrict__ in4, float *__restrict__ out)
// CHECK: out[i] = in0[19u + c0 * 24u - c1 * 16u + c2 * 2u];
// CHECK-LABEL: // launch k2_gather
// CHECK: long long idx = (long long)in1[q];
// CHECK-NEXT: idx = idx < 0 ? idx + 6 : idx;
// CHECK: out[i] = in0[(outer * 6u + (unsigned)idx) * 4u + inner];
func.func @main(%a: tensor<2x2x4xf32>, %b: tensor<2x1x4xf32>, %c: tensor<2x3x4xf32>, %x: tensor<3x6x4xi32>) -> (tensor<2x6x4xf32>, tensor<2x2x3xf32>, tensor<3x2x4xi32>) {
  %0 = ds.concat %a, %b, %c {axis = 1 : i64} : (tensor<2x2x4xf32>, tensor<2x1x4xf32>, tensor<2x3x4xf32>) -> tensor<2x6x4xf32>
  %s = ds.constant dense<[-1, 3]> : tensor<2xi64>
  %e = ds.constant dense<[-10, 8]> : tensor<2xi64>
  %ax = ds.constant dense<[1, 2]> : tensor<2xi64>
  %st = ds.constant dense<[-2, 2]> : tensor<2xi64>
  %v = ds.reshape %0 : tensor<2x6x4xf32> -> tensor<2x3x8xf32>
  %1 = ds.slice %v, %s, %e, %ax, %st : (tensor<2x3x8xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<2x2x3xf32>
  %i = ds.constant dense<[-1, 2]> : tensor<2xi64>
  %2 = ds.gather %x, %i {axis = 1 : i64} : (tensor<3x6x4xi32>, tensor<2xi64>) -> tensor<3x2x4xi32>
  return %0, %1, %2 : tensor<2x6x4xf32>, tensor<2x2x3xf32>, tensor<3x2x4xi32>
}

// -----

// pad: reflect mirrors out-of-range positions (periodic), only on the sides
// that are padded; constant mode reads the constant_value operand; nearest
// resize indexes precomputed per-dim tables, linear mixes the 2^n corners of
// the interpolated dims; trilu keeps one triangle of stored bits.
// CHECK-LABEL: // launch k0_pad
// CHECK: int p0 = (int)c0 - 2;
// CHECK-NEXT: if ((unsigned)p0 >= 3u) {
// CHECK-NEXT: p0 = (p0 % 4 + 4) % 4;
// CHECK-NEXT: if (p0 >= 3) p0 = 4 - p0;
// CHECK: int p1 = (int)c1;
// CHECK-NEXT: if (p1 >= 5) {
// CHECK: out[i] = in0[(unsigned)p0 * 5u + (unsigned)p1];
// CHECK-LABEL: // launch k1_pad
// CHECK: k1_pad(const float *__restrict__ in0, const long long *__restrict__ in1, const float *__restrict__ in2, float *__restrict__ out)
// CHECK: out[i] = !(p0 < 0) && !((unsigned)p1 >= 5u) ? in0[(unsigned)p0 * 5u + (unsigned)p1] : in2[0];
// CHECK-LABEL: // launch k2_resize
// CHECK: static __device__ const int dsNearest2[8] = {0, 0, 1, 1, 2, 2, 3, 3};
// CHECK: static __device__ const int dsNearest3[7] = {0, 0, 1, 2, 2, 3, 4};
// CHECK: out[i] = in0[(unsigned)dsNearest2[c2] * 5u + (unsigned)dsNearest3[c3]];
// CHECK-LABEL: // launch k3_resize
// CHECK: static __device__ const float dsW2[8] = {0.0f, 0.25f, 0.75f, 0.25f, 0.75f, 0.25f, 0.75f, 0.0f};
// CHECK: const unsigned lo2 = (unsigned)dsLo2[c2] * 5u, hi2 = (unsigned)dsHi2[c2] * 5u;
// CHECK: acc += (1.0f - w2) * (1.0f - w3) * x[lo2 + lo3];
// CHECK: acc += w2 * w3 * x[hi2 + hi3];
// CHECK-LABEL: // launch k4_trilu
// CHECK: const long long r = (long long)(i / 4u % 3u), col = (long long)(i % 4u);
// CHECK-NEXT: out[i] = col - r <= -1LL ? in0[i] : (unsigned char)0;
func.func @main(%x: tensor<3x5xf32>, %r: tensor<1x1x4x5xf32>, %m: tensor<2x3x4xi1>) -> (tensor<6x9xf32>, tensor<4x10xf32>, tensor<1x1x8x7xf32>, tensor<1x1x8x10xf32>, tensor<2x3x4xi1>) {
  %p = ds.constant dense<[2, 0, 1, 4]> : tensor<4xi64>
  %0 = ds.pad %x, %p {mode = "reflect"} : (tensor<3x5xf32>, tensor<4xi64>) -> tensor<6x9xf32>
  %q = ds.constant dense<[1, 2, 0, 3]> : tensor<4xi64>
  %cv = ds.constant dense<1.5> : tensor<f32>
  %1 = ds.pad %x, %q, %cv : (tensor<3x5xf32>, tensor<4xi64>, tensor<f32>) -> tensor<4x10xf32>
  %s = ds.constant dense<[1.0, 1.0, 2.0, 1.5]> : tensor<4xf32>
  %2 = "ds.resize"(%r, %s) <{coordinate_transformation_mode = "asymmetric", nearest_mode = "floor", operandSegmentSizes = array<i32: 1, 1, 0>}> : (tensor<1x1x4x5xf32>, tensor<4xf32>) -> tensor<1x1x8x7xf32>
  %t = ds.constant dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>
  %3 = "ds.resize"(%r, %t) <{mode = "linear", operandSegmentSizes = array<i32: 1, 1, 0>}> : (tensor<1x1x4x5xf32>, tensor<4xf32>) -> tensor<1x1x8x10xf32>
  %k = ds.constant dense<-1> : tensor<i64>
  %4 = ds.trilu %m, %k {upper = 0 : i64} : (tensor<2x3x4xi1>, tensor<i64>) -> tensor<2x3x4xi1>
  return %0, %1, %2, %3, %4 : tensor<6x9xf32>, tensor<4x10xf32>, tensor<1x1x8x7xf32>, tensor<1x1x8x10xf32>, tensor<2x3x4xi1>
}

// -----

// bf16 matmul runs on tensor cores (emit-cuda-tensor-core.mlir): the bits
// are staged unchanged and the f32 accumulator rounds once on store; f16
// softmax; range rounds once (fused multiply-add); constant_of_shape stores
// the value's exact bits; flatten, squeeze and unsqueeze are views like
// reshape (no kernel; a returned view gets a copy).
// CHECK-LABEL: // launch k0_matmul: grid (1, 1, 1) block (128, 1, 1)
// CHECK: if (kb < 7u && col < 3u) bits = B[bBase + kb * 3u + col];
// CHECK: Bs[r * 72u + c] = __ushort_as_bfloat16(bits);
// CHECK: C[o] = dsF32ToBf16(acc);
// CHECK-LABEL: // launch k1_softmax
// CHECK: m = fmaxf(m, dsF16ToF32(x[j * 1u]));
// CHECK: y[j * 1u] = dsF32ToF16(expf(dsF16ToF32(x[j * 1u]) - m) * inv);
// CHECK-LABEL: // launch k2_range
// CHECK: out[i] = fmaf((float)i, in2[0], in0[0]);
// CHECK-LABEL: // launch k3_constant_of_shape
// CHECK: out[i] = (unsigned short)0x3e00u;
// CHECK-LABEL: // launch k4_exp
// CHECK-LABEL: // launch k5_copy
// CHECK-NOT: // launch
// (Range and constant_of_shape take run-time operands here: with constants,
// ds-fold-constants would fold them before codegen.)
func.func @main(%a: tensor<5x7xbf16>, %b: tensor<7x3xbf16>, %h: tensor<4x9xf16>, %x: tensor<2x3x4xf32>, %s: tensor<f32>, %l: tensor<f32>, %d: tensor<f32>, %sh: tensor<2xi64>) -> (tensor<5x3xbf16>, tensor<4x9xf16>, tensor<100xf32>, tensor<10x10xf16>, tensor<6x4xf32>, tensor<24xf32>) {
  %0 = ds.matmul %a, %b : (tensor<5x7xbf16>, tensor<7x3xbf16>) -> tensor<5x3xbf16>
  %1 = ds.softmax %h : tensor<4x9xf16>
  %2 = ds.range %s, %l, %d : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<100xf32>
  %3 = ds.constant_of_shape %sh {value = dense<1.5> : tensor<1xf16>} : tensor<2xi64> -> tensor<10x10xf16>
  %4 = ds.flatten %x {axis = 2 : i64} : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %5 = ds.unsqueeze %4 {axes = array<i64: 0>} : tensor<6x4xf32> -> tensor<1x6x4xf32>
  %6 = ds.squeeze %5 {axes = array<i64: 0>} : tensor<1x6x4xf32> -> tensor<6x4xf32>
  %7 = ds.reshape %6 : tensor<6x4xf32> -> tensor<24xf32>
  %8 = ds.exp %7 : tensor<24xf32>
  return %0, %1, %2, %3, %6, %8 : tensor<5x3xbf16>, tensor<4x9xf16>, tensor<100xf32>, tensor<10x10xf16>, tensor<6x4xf32>, tensor<24xf32>
}

// -----

// expand indexes the input with its broadcast strides; tile wraps each
// repeated coordinate.
// CHECK-LABEL: // launch k0_expand
// CHECK: out[i] = in0[c1];
// CHECK-LABEL: // launch k1_tile
// CHECK: out[i] = in0[(c0 % 2u) * 3u + c1 % 3u];
func.func @main(%x: tensor<3x1xf32>, %t: tensor<2x3xi32>) -> (tensor<2x3x4xf32>, tensor<4x9xi32>) {
  %s = ds.constant dense<[2, 3, 4]> : tensor<3xi64>
  %0 = ds.expand %x, %s : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<2x3x4xf32>
  %r = ds.constant dense<[2, 3]> : tensor<2xi64>
  %1 = ds.tile %t, %r : (tensor<2x3xi32>, tensor<2xi64>) -> tensor<4x9xi32>
  return %0, %1 : tensor<2x3x4xf32>, tensor<4x9xi32>
}
