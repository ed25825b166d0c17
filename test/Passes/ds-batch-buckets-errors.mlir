// RUN: ds-opt %s -split-input-file --ds-batch-buckets="buckets=batch:1,2 bind=seq=3" -verify-diagnostics
// RUN: not ds-opt %s -split-input-file --ds-batch-buckets="buckets=1,2" 2>&1 | FileCheck %s --check-prefix=SPEC
// RUN: not ds-opt %s -split-input-file --ds-batch-buckets="buckets=batch:1,0" 2>&1 | FileCheck %s --check-prefix=ZERO
// RUN: not ds-opt %s -split-input-file --ds-batch-buckets="buckets=batch:1,seq:2" 2>&1 | FileCheck %s --check-prefix=TWO
// RUN: not ds-opt %s -split-input-file --ds-batch-buckets="buckets=batch:1 bind=seq=3 memory-limit=10" 2>&1 | FileCheck %s --check-prefix=NOFIT

// SPEC: error: ds-batch-buckets: bad bucket '1', expected name:v1,v2,... with values > 0
// ZERO: error: ds-batch-buckets: bad bucket '0', expected name:v1,v2,... with values > 0
// TWO: error: ds-batch-buckets: one bucketed dim is supported, got 'batch' and 'seq'
// NOFIT: error: ds-batch-buckets: no bucket fits the memory limit of 10 bytes

// expected-error @+1 {{ds-batch-buckets: no input dim is named 'batch' (ds.dims)}}
func.func @main(%x: tensor<?x4xf32> {ds.dims = ["n", ""]}) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}

// -----

// expected-error @+1 {{ds-batch-buckets: expected a function named @main or exactly one function, found 2}}
module {
func.func @a(%x: tensor<?x4xf32> {ds.dims = ["batch", ""]}) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}
func.func @b(%x: tensor<?x4xf32> {ds.dims = ["batch", ""]}) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}
}

// -----

// A dim left unbound: ds-static-shapes names it, then the bucket.
// expected-error @+2 {{ds-batch-buckets: bucket batch=1 cannot be made static}}
// expected-error @+1 {{ds-static-shapes: input #0 ('tensor<1x3x?xf32>') still has dynamic dims}}
func.func @main(%x: tensor<?x?x?xf32> {ds.dims = ["batch", "seq", ""]}) -> tensor<?x?x?xf32> {
  // expected-error @+1 {{cannot determine dim 2 of result #0}}
  %y = ds.relu %x : tensor<?x?x?xf32>
  return %y : tensor<?x?x?xf32>
}

// -----

func.func @main(%x: tensor<?x?x4xf32> {ds.dims = ["batch", "seq", ""]}) -> tensor<?x?x4xf32> {
  %y = ds.relu %x : tensor<?x?x4xf32>
  return %y : tensor<?x?x4xf32>
}

// -----

// A result dim of 2 * batch cannot be sliced back to the real batch.
// expected-error @+1 {{ds-batch-buckets: unimplemented: result #0 changes with 'batch' other than along one dim of size batch ('tensor<2x3x4xf32>' for batch=1, 'tensor<4x3x4xf32>' for batch=2); its real size cannot be sliced out of a padded bucket}}
func.func @main(%x: tensor<?x?x4xf32> {ds.dims = ["batch", "seq", ""]}) -> tensor<?x?x4xf32> {
  %y = ds.concat %x, %x {axis = 0 : i64} : (tensor<?x?x4xf32>, tensor<?x?x4xf32>) -> tensor<?x?x4xf32>
  return %y : tensor<?x?x4xf32>
}

// -----

// expected-error @+1 {{ds-batch-buckets: unimplemented: input #0 has the bucket dim 'batch' twice}}
func.func @main(%x: tensor<?x?x?xf32> {ds.dims = ["batch", "batch", "seq"]}) -> tensor<?x?x?xf32> {
  return %x : tensor<?x?x?xf32>
}
