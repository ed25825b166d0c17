// RUN: ds-opt %s --ds-batch-buckets="buckets=batch:4" | FileCheck %s
// RUN: ds-opt %s --ds-batch-buckets="buckets=batch:2,4" | FileCheck %s --check-prefix=TWO

// Axes: the batch is dim 1 of the input; result #0 follows it on dim 1
// (found with one bucket by a probe at batch=5, which is not kept); result
// #1 (a reduction over everything) does not follow it.
// CHECK-LABEL: module attributes {ds.buckets = {bytes = array<i64: {{[0-9]+}}>, dim = "batch", entry = "main", functions = [@main_batch_4], input_axes = array<i64: 1>, result_axes = array<i64: 1, -1>, values = array<i64: 4>}}
// CHECK-NOT: @main_batch_5
func.func @main(%x: tensor<3x?xf32> {ds.dims = ["", "batch"], ds.name = "x"}) -> (tensor<3x?xf32>, tensor<f32>) {
  %y = ds.relu %x : tensor<3x?xf32>
  %s = ds.reduce_sum %x {axes = array<i64: 0, 1>, keepdims = 0 : i64} : tensor<3x?xf32> -> tensor<f32>
  return %y, %s : tensor<3x?xf32>, tensor<f32>
}

// TWO: input_axes = array<i64: 1>, result_axes = array<i64: 1, -1>, values = array<i64: 2, 4>
