// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %ds_src_root/scripts/gen_safetensors.py %t/w.safetensors w=8x4 --seed 1
// RUN: cp %s %t/in.mlir
// RUN: ds-opt %t/in.mlir -split-input-file --ds-fold-constants -verify-diagnostics
// RUN: not ds-opt %t/in.mlir -split-input-file --ds-fold-constants="weights-out=%t/w.safetensors" -o /dev/null 2>&1 | FileCheck %s --check-prefix=OVERWRITE
// OVERWRITE: in.mlir:[[# @LINE + 37]]:1: error: weights-out '{{.*}}w.safetensors' is already one of the module's weight files; writing it would lose weights

// A weight whose value folding needs, with no weights file.
func.func @no_file() -> tensor<4x8xf32> {
  // expected-error @+1 {{references weight 'w' but no weights file was given}}
  %w = ds.weight "w" : tensor<8x4xf32>
  %t = ds.transpose %w, perm = [1, 0] : tensor<8x4xf32> -> tensor<4x8xf32>
  return %t : tensor<4x8xf32>
}

// -----

// expected-error @+1 {{cannot open weights: cannot open '}}
module attributes {ds.weight_files = ["missing.safetensors"]} {
func.func @missing_file() -> tensor<4x8xf32> {
  %w = ds.weight "w" : tensor<8x4xf32>
  %t = ds.transpose %w, perm = [1, 0] : tensor<8x4xf32> -> tensor<4x8xf32>
  return %t : tensor<4x8xf32>
}
}

// -----

module attributes {ds.weight_files = ["w.safetensors"]} {
func.func @wrong_type() -> tensor<8x8xf32> {
  // expected-error @+1 {{tensor 'w' is tensor<8x4xf32>, expected tensor<4x8xf32>}}
  %w = ds.weight "w" : tensor<4x8xf32>
  %t = ds.transpose %w, perm = [1, 0] : tensor<4x8xf32> -> tensor<8x4xf32>
  %c = ds.concat %t, %t {axis = 1 : i64} : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x8xf32>
  return %c : tensor<8x8xf32>
}
}

// -----

// Folds fine by default (the new weight goes beside w.safetensors); with
// weights-out naming w.safetensors itself it is an error (OVERWRITE).
module attributes {ds.weight_files = ["w.safetensors"]} {
func.func @fine() -> tensor<4x8xf32> {
  %w = ds.weight "w" : tensor<8x4xf32>
  %t = ds.transpose %w, perm = [1, 0] : tensor<8x4xf32> -> tensor<4x8xf32>
  return %t : tensor<4x8xf32>
}
}

// -----

// A fold that makes a new weight, in a module without weight files.
// expected-error @+1 {{new weights need a file: give the pass `weights-out`}}
module {
func.func @nowhere() -> tensor<8x8xf32> {
  %a = ds.constant dense<1.0> : tensor<8x8xf32>
  %b = ds.add %a, %a : (tensor<8x8xf32>, tensor<8x8xf32>) -> tensor<8x8xf32>
  return %b : tensor<8x8xf32>
}
}

// -----

// Declarations are skipped.
func.func private @helper(tensor<4xf32>) -> tensor<4xf32>
