// RUN: ds-opt %s -split-input-file --ds-plan-memory | FileCheck %s
// RUN: ds-opt %s -split-input-file --ds-plan-memory=report -verify-diagnostics -o /dev/null

// Offsets are written beside each value, as IREE's layout_slices.mlir does.
// The schedule is: step 0 the input copy, one step per kernel, one step per
// output copy, then the read-out.

// A chain of non-elementwise ops needs exactly two buffers, which alternate;
// the dead input's slot is reused.
// CHECK-LABEL: func @transpose_chain
// CHECK-SAME: %arg0: tensor<16x16xf32> {ds.arena_offset = 0 : i64}
// CHECK-SAME: arena_bytes = 2048 : i64
// CHECK-SAME: in_place = 0 : i64
// CHECK-SAME: lower_bound_bytes = 2048 : i64
// CHECK-SAME: no_reuse_bytes = 5120 : i64
// CHECK: ds.transpose %arg0{{.*}}{ds.arena_offsets = array<i64: 1024>}
// CHECK: ds.transpose {{.*}}{ds.arena_offsets = array<i64: 0>}
// CHECK: ds.transpose {{.*}}{ds.arena_offsets = array<i64: 1024>}
// CHECK: ds.transpose {{.*}}{ds.arena_offsets = array<i64: 0>}
// expected-remark @+1 {{ds-plan-memory: arena 2048 bytes (best-fit-decreasing-size), lower bound 2048, ratio 1.000, no reuse 5120, 0 in place}}
func.func @transpose_chain(%x: tensor<16x16xf32>) -> tensor<16x16xf32> {
  %0 = ds.transpose %x, perm = [1, 0] : tensor<16x16xf32> -> tensor<16x16xf32>  // [1024, 2048)
  %1 = ds.transpose %0, perm = [1, 0] : tensor<16x16xf32> -> tensor<16x16xf32>  // [0, 1024)
  %2 = ds.transpose %1, perm = [1, 0] : tensor<16x16xf32> -> tensor<16x16xf32>  // [1024, 2048)
  %3 = ds.transpose %2, perm = [1, 0] : tensor<16x16xf32> -> tensor<16x16xf32>  // [0, 1024)
  return %3 : tensor<16x16xf32>
}

// -----

// Elementwise results take over their dying operand in place: the whole
// chain lives in one slot (the input is not given up).
// CHECK-LABEL: func @elementwise_chain
// CHECK-SAME: arena_bytes = 2048 : i64
// CHECK-SAME: in_place = 2 : i64
// CHECK: ds.exp %arg0 {ds.arena_offsets = array<i64: 1024>}
// CHECK: ds.tanh %{{.*}} {ds.arena_offsets = array<i64: 1024>}
// CHECK: ds.neg %{{.*}} {ds.arena_offsets = array<i64: 1024>}
// expected-remark @+1 {{arena 2048 bytes (best-fit-decreasing-size), lower bound 2048, ratio 1.000, no reuse 4096, 2 in place}}
func.func @elementwise_chain(%x: tensor<256xf32>) -> tensor<256xf32> {
  %0 = ds.exp %x : tensor<256xf32>   // [1024, 2048)
  %1 = ds.tanh %0 : tensor<256xf32>  // [1024, 2048), in place
  %2 = ds.neg %1 : tensor<256xf32>   // [1024, 2048), in place
  return %2 : tensor<256xf32>
}

// -----

// In place does not fire when the operand is read later (tanh), when the
// operand is broadcast or an input (the second add), when the result is
// wider than the operand's bytes per element (cast), or when the operand is
// an output. The first add fires: both of its operands die there.
// CHECK-LABEL: func @in_place_does_not_fire
// CHECK-SAME: %arg0: tensor<256xf32> {ds.arena_offset = 0 : i64}
// CHECK-SAME: %arg1: tensor<1xf32> {ds.arena_offset = 4096 : i64}
// CHECK-SAME: in_place = 1 : i64
// CHECK-SAME: lower_bound_bytes = 4096 : i64
// CHECK: ds.exp %arg0 {ds.arena_offsets = array<i64: 1024>}
// CHECK: ds.tanh %[[E:.*]] {ds.arena_offsets = array<i64: 2048>}
// CHECK: ds.add %[[T:.*]], %[[E]] {ds.arena_offsets = array<i64: 2048>}
// CHECK: ds.add %arg1, %{{.*}} {ds.arena_offsets = array<i64: 3072>}
// CHECK: ds.cast %{{.*}} {ds.arena_offsets = array<i64: 0>}
// expected-remark @+1 {{arena 4352 bytes (best-fit-decreasing-size), lower bound 4096, ratio 1.062, no reuse 7424, 1 in place}}
func.func @in_place_does_not_fire(%x: tensor<256xf32>, %b: tensor<1xf32>) -> (tensor<256xf32>, tensor<256xi64>) {
  %0 = ds.exp %x : tensor<256xf32>                                             // [1024, 2048)
  %1 = ds.tanh %0 : tensor<256xf32>                                            // [2048, 3072): %0 lives on
  %2 = ds.add %1, %0 : (tensor<256xf32>, tensor<256xf32>) -> tensor<256xf32>   // [2048, 3072), in place
  %3 = ds.add %b, %2 : (tensor<1xf32>, tensor<256xf32>) -> tensor<256xf32>     // [3072, 4096): %b broadcast, %2 an output
  %4 = ds.cast %3 : tensor<256xf32> -> tensor<256xi64>                         // [0, 2048): wider elements
  return %2, %4 : tensor<256xf32>, tensor<256xi64>
}

// -----

// Views alias their source: no offsets of their own, and a read through the
// view keeps the source alive. Weights are not arena buffers; without a
// budget they stay on the device.
// CHECK-LABEL: func @views_and_weights
// CHECK-SAME: arena_bytes = 2048 : i64
// CHECK-SAME: resident_weight_bytes = 20480 : i64
// CHECK-SAME: streamed_bytes = 0 : i64
// CHECK: ds.weight "w0" {ds.placement = "device"}
// CHECK: ds.weight "w1" {ds.placement = "device"}
// CHECK: ds.matmul %arg0, %{{.*}} {ds.arena_offsets = array<i64: 1024>}
// CHECK: ds.reshape %{{.*}} : tensor<4x64xf32> -> tensor<256xf32>
// CHECK: ds.relu %{{.*}} {ds.arena_offsets = array<i64: 1024>}
// CHECK: ds.reshape %{{.*}} : tensor<256xf32> -> tensor<4x64xf32>
// CHECK: ds.matmul %{{.*}} {ds.arena_offsets = array<i64: 0>}
// expected-remark @+1 {{weights 20480 bytes resident, 0 streamed per inference}}
func.func @views_and_weights(%x: tensor<4x64xf32>) -> tensor<4x16xf32> {
  %w0 = ds.weight "w0" : tensor<64x64xf32>
  %w1 = ds.weight "w1" : tensor<64x16xf32>
  %0 = ds.matmul %x, %w0 : (tensor<4x64xf32>, tensor<64x64xf32>) -> tensor<4x64xf32>  // [1024, 2048)
  %r = ds.reshape %0 : tensor<4x64xf32> -> tensor<256xf32>
  %1 = ds.relu %r : tensor<256xf32>                                                    // [1024, 2048), in place through the view
  %v = ds.reshape %1 : tensor<256xf32> -> tensor<4x64xf32>
  %2 = ds.matmul %v, %w1 : (tensor<4x64xf32>, tensor<64x16xf32>) -> tensor<4x16xf32>   // [0, 256)
  return %2 : tensor<4x16xf32>
}

// -----

// Returned inputs, weights, views and repeats get an output buffer written
// by a copy after the kernels; its offset is on the function result. The
// copy of the weight reuses the input's slot once the input's copy is done.
// CHECK-LABEL: func @output_copies
// CHECK-SAME: %arg0: tensor<4xf32> {ds.arena_offset = 0 : i64}
// CHECK-SAME: -> (tensor<4xf32> {ds.arena_offset = 512 : i64}, tensor<4xf32> {ds.arena_offset = 0 : i64}, tensor<2x2xf32> {ds.arena_offset = 768 : i64}, tensor<4xf32>, tensor<4xf32> {ds.arena_offset = 1024 : i64})
// CHECK: ds.add %arg0, %{{.*}} {ds.arena_offsets = array<i64: 256>}
// expected-remark @+1 {{arena 1280 bytes}}
func.func @output_copies(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<2x2xf32>, tensor<4xf32>, tensor<4xf32>) {
  %w = ds.weight "w" : tensor<4xf32>
  %0 = ds.add %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %r = ds.reshape %0 : tensor<4xf32> -> tensor<2x2xf32>
  return %x, %w, %r, %0, %0 : tensor<4xf32>, tensor<4xf32>, tensor<2x2xf32>, tensor<4xf32>, tensor<4xf32>
}


// -----

// A declaration has no schedule: the pass does not fire.
// CHECK-LABEL: func private @declaration
// CHECK-NOT: ds.memory_plan
func.func private @declaration(tensor<4xf32>) -> tensor<4xf32>
