// RUN: ds-opt %s -split-input-file --ds-static-shapes="bind=batch=2" -verify-diagnostics
// RUN: not ds-opt %s -split-input-file --ds-static-shapes="bind=x[7]=2" -o /dev/null 2>&1 | FileCheck %s --check-prefix=POS
// POS: binding x[7] names no dynamic input dim

// A dim that no binding reaches: the error names the op and the dim.
// expected-error @+1 {{ds-static-shapes: input #0 ('tensor<2x?xf32>') still has dynamic dims; bind them (bind=name=N or input[dim]=N)}}
func.func @unbound(%x: tensor<?x?xf32> {ds.dims = ["batch", "seq"]}) -> tensor<?x?xf32> {
  // expected-error @+1 {{'ds.exp' op ds-static-shapes: cannot determine dim 1 of result #0 ('tensor<2x?xf32>'); bind the input dims it depends on (bind=name=N)}}
  %0 = ds.exp %x : tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// A binding that names no dim is an error, not silently ignored.
// expected-error @+1 {{ds-static-shapes: no input dim is named 'batch' (named dims: none)}}
func.func @static(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = ds.exp %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @contradiction(%x: tensor<3x?xf32> {ds.dims = ["batch", ""]}) -> tensor<3x?xf32> {
  return %x : tensor<3x?xf32>
}
// expected-error @-3 {{ds-static-shapes: binding dim 0 of input '0' to 2 contradicts its static size 3}}

// -----

func.func @bad_reshape(%x: tensor<?x5xf32> {ds.dims = ["batch", ""]}) -> tensor<?x3xf32> {
  %t = ds.constant dense<[-1, 3]> : tensor<2xi64>
  // expected-error @+1 {{'ds.reshape' op ds-static-shapes: cannot reshape 10 elements into -1x3}}
  %r = ds.reshape %x, %t : tensor<?x5xf32>, tensor<2xi64> -> tensor<?x3xf32>
  return %r : tensor<?x3xf32>
}
