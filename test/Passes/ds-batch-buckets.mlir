// RUN: ds-opt %s -split-input-file --ds-batch-buckets="buckets=batch:4,1,2 bind=seq=3" | FileCheck %s
// RUN: ds-opt %s -split-input-file --ds-batch-buckets="buckets=batch:1,2,4 bind=seq=3 memory-limit=400" -verify-diagnostics | FileCheck %s --check-prefix=LIMIT
// RUN: ds-opt %s -split-input-file --ds-batch-buckets | FileCheck %s --check-prefix=NONE
// RUN: ds-opt %s --ds-inference-pipeline="buckets=batch:2,1 bind=seq=3" | FileCheck %s --check-prefix=PIPE

// PIPE: ds.buckets = {{{.*}}functions = [@main_batch_1, @main_batch_2], input_axes = array<i64: 0>, result_axes = array<i64: 0>, values = array<i64: 1, 2>}
// PIPE: func.func @main_batch_1(%{{.*}}: tensor<1x3x4xf32>
// PIPE: func.func @main_batch_2(%{{.*}}: tensor<2x3x4xf32>

// One static function per bucket (sorted), the dynamic one removed, and the
// signature table with each bucket's estimated bytes.
// CHECK-LABEL: module attributes {ds.buckets = {bytes = array<i64: 188, 296, 512>, dim = "batch", entry = "main", functions = [@main_batch_1, @main_batch_2, @main_batch_4], input_axes = array<i64: 0>, result_axes = array<i64: 0>, values = array<i64: 1, 2, 4>}}
// CHECK: func.func @main_batch_1(%{{.*}}: tensor<1x3x4xf32> {{.*}}) -> tensor<1x3x5xf32>
// CHECK: ds.matmul {{.*}} -> tensor<1x3x5xf32>
// CHECK: func.func @main_batch_2(%{{.*}}: tensor<2x3x4xf32> {{.*}}) -> tensor<2x3x5xf32>
// CHECK: func.func @main_batch_4(%{{.*}}: tensor<4x3x4xf32> {{.*}}) -> tensor<4x3x5xf32>
// CHECK-NOT: func.func @main(
// CHECK-NOT: ?

// LIMIT: ds.buckets = {bytes = array<i64: 188, 296>, dim = "batch", entry = "main", functions = [@main_batch_1, @main_batch_2], input_axes = array<i64: 0>, result_axes = array<i64: 0>, values = array<i64: 1, 2>}
// LIMIT-NOT: @main_batch_4(

// Without buckets the pass does nothing.
// NONE: func.func @main(%{{.*}}: tensor<?x?x4xf32>
// expected-warning @+1 {{ds-batch-buckets: bucket batch=4 needs an estimated 512 bytes, over the memory limit of 400; dropped}}
func.func @main(%x: tensor<?x?x4xf32> {ds.dims = ["batch", "seq", ""], ds.name = "x"}) -> tensor<?x?x5xf32> {
  %w = ds.constant dense<1.0> : tensor<4x5xf32>
  %y = ds.matmul %x, %w : (tensor<?x?x4xf32>, tensor<4x5xf32>) -> tensor<?x?x5xf32>
  return %y : tensor<?x?x5xf32>
}

