// RUN: ds-compile %s --emit=cuda -split-input-file -verify-diagnostics

// Dynamic dims never reach the emitter: ds-static-shapes rejects them on the
// op (the emitter's own "requires static shapes" check is a backstop).
// expected-error @+1 {{ds-static-shapes: input #0 ('tensor<?x4xf32>') still has dynamic dims; bind them (bind=name=N or input[dim]=N)}}
func.func @main(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{'ds.exp' op ds-static-shapes: cannot determine dim 0 of result #0 ('tensor<?x4xf32>'); bind the input dims it depends on (bind=name=N)}}
  %0 = ds.exp %x : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @main(%x: tensor<4x4xi32>) -> tensor<4x4xi32> {
  // expected-error @+1 {{unimplemented: CUDA emission for element type 'i32' (f32, f16 and bf16 only)}}
  %0 = ds.matmul %x, %x : (tensor<4x4xi32>, tensor<4x4xi32>) -> tensor<4x4xi32>
  return %0 : tensor<4x4xi32>
}

// -----

func.func @main(%x: tensor<4x8xf32>, %s: tensor<1xi64>) -> tensor<4x2xf32> {
  %e = ds.constant dense<8> : tensor<1xi64>
  %a = ds.constant dense<1> : tensor<1xi64>
  %st = ds.constant dense<3> : tensor<1xi64>
  // expected-error @+1 {{unimplemented: non-constant slice parameters (run ds-static-shapes)}}
  %0 = ds.slice %x, %s, %e, %a, %st : (tensor<4x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @main(%x: tensor<4x8xf32>, %p: tensor<4xi64>) -> tensor<6x8xf32> {
  // expected-error @+1 {{unimplemented: non-constant pads (run ds-static-shapes)}}
  %0 = ds.pad %x, %p {mode = "edge"} : (tensor<4x8xf32>, tensor<4xi64>) -> tensor<6x8xf32>
  return %0 : tensor<6x8xf32>
}

// -----

func.func @main(%x: tensor<1x1x4x4xf32>, %s: tensor<4xf32>) -> tensor<1x1x8x8xf32> {
  // expected-error @+1 {{unimplemented: non-constant resize scales (run ds-static-shapes)}}
  %0 = "ds.resize"(%x, %s) <{operandSegmentSizes = array<i32: 1, 1, 0>}> : (tensor<1x1x4x4xf32>, tensor<4xf32>) -> tensor<1x1x8x8xf32>
  return %0 : tensor<1x1x8x8xf32>
}

// -----

func.func @main(%x: tensor<4x4xf32>, %k: tensor<i64>) -> tensor<4x4xf32> {
  // expected-error @+1 {{unimplemented: non-constant trilu k (run ds-static-shapes)}}
  %0 = ds.trilu %x, %k : (tensor<4x4xf32>, tensor<i64>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func private @helper(tensor<4xf32>) -> tensor<4xf32>
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'func.call' op unsupported op for CUDA emission}}
  %0 = func.call @helper(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// expected-error @+1 {{expected a function named @main or exactly one function, found 2}}
module {
  func.func @a() { return }
  func.func @b() { return }
}

// -----

// A fused reduction over dims that are not the trailing ones is refused by
// the emitter with an error on the region.
func.func @main(%x: tensor<4x3xf32>) -> tensor<1x3xf32> {
  // expected-error @+1 {{unimplemented: a fused reduction over dims that are not the trailing ones}}
  %r = ds.fusion "reduction" (%x) : (tensor<4x3xf32>) -> tensor<1x3xf32> {
  ^bb0(%a: tensor<4x3xf32>):
    %s = ds.reduce_sum %a {axes = array<i64: 0>} : tensor<4x3xf32> -> tensor<1x3xf32>
    %n = ds.neg %s : tensor<1x3xf32>
    ds.yield %n : tensor<1x3xf32>
  }
  return %r : tensor<1x3xf32>
}
