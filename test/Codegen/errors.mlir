// RUN: ds-compile %s --emit=cuda -split-input-file -verify-diagnostics

func.func @main(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{requires static shapes for CUDA emission, got 'tensor<?x4xf32>' (bind dynamic dims with ds-static-shapes)}}
  %0 = ds.exp %x : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @main(%x: tensor<4xf16>) -> tensor<4xf16> {
  // expected-error @+1 {{unimplemented: CUDA emission for element type 'f16' (only f32 today)}}
  %0 = ds.exp %x : tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

func.func @main(%x: tensor<4x4xbf16>) -> tensor<4x4xbf16> {
  // expected-error @+1 {{unimplemented: CUDA emission for element type 'bf16' (only f32 today)}}
  %0 = ds.matmul %x, %x : (tensor<4x4xbf16>, tensor<4x4xbf16>) -> tensor<4x4xbf16>
  return %0 : tensor<4x4xbf16>
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
