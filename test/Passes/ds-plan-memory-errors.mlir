// RUN: ds-opt %s -split-input-file --ds-plan-memory="device-memory-budget=3000" -verify-diagnostics
// RUN: not ds-opt %s --ds-plan-memory="alignment=100" 2>&1 | FileCheck %s --check-prefix=ALIGN
// ALIGN: error: ds-plan-memory: alignment must be a power of two, got 100

// The arena alone exceeds the budget: the error says by how much.
// expected-error @+1 {{ds-plan-memory: device memory budget of 3000 bytes cannot be met: the activation arena alone needs 8192 bytes, over the device memory budget of 3000 bytes by 5192 bytes}}
func.func @arena_too_big(%x: tensor<1024xf32>) -> tensor<1024xf32> {
  %0 = ds.transpose %x, perm = [0] : tensor<1024xf32> -> tensor<1024xf32>
  return %0 : tensor<1024xf32>
}

// -----

// Even with every weight streamed, the two staging slots for the largest
// kernel's weights and the arena exceed the budget.
// expected-error @+1 {{ds-plan-memory: device memory budget of 3000 bytes cannot be met: the smallest placement found needs}}
func.func @weights_too_big(%x: tensor<1x4xf32>) -> tensor<1x128xf32> {
  %w0 = ds.weight "w0" : tensor<4x128xf32>
  %w1 = ds.weight "w1" : tensor<128x128xf32>
  %0 = ds.matmul %x, %w0 : (tensor<1x4xf32>, tensor<4x128xf32>) -> tensor<1x128xf32>
  %1 = ds.matmul %0, %w1 : (tensor<1x128xf32>, tensor<128x128xf32>) -> tensor<1x128xf32>
  return %1 : tensor<1x128xf32>
}

// -----

// expected-error @+1 {{'func.func' op requires static shapes for memory planning, got 'tensor<?xf32>' (bind dynamic dims with ds-static-shapes)}}
func.func @dynamic_input(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

// -----

func.func @dynamic_result(%x: tensor<4xf32>, %n: tensor<1xi64>) -> tensor<?xf32> {
  // expected-error @+1 {{'ds.expand' op requires static shapes for memory planning, got 'tensor<?xf32>'}}
  %0 = ds.expand %x, %n : (tensor<4xf32>, tensor<1xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}
