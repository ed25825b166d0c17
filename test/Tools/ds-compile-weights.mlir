// Weight lookup errors name the weight, the file and both types.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %ds_src_root/scripts/gen_safetensors.py %t/w.safetensors w=4x8 --seed 0
// RUN: ds-compile %s -split-input-file -verify-diagnostics --weights %t/w.safetensors -o %t/out.dsa --quiet --no-nvrtc --no-host-module
// RUN: not ds-compile %s -split-input-file -o %t/out.dsa --quiet --no-nvrtc --no-host-module 2>&1 | FileCheck %s --check-prefix=NOFILE
// RUN: head -c 100 %t/w.safetensors > %t/truncated.safetensors
// RUN: not ds-compile %s -split-input-file --weights %t/truncated.safetensors -o %t/out.dsa --quiet --no-nvrtc --no-host-module 2>&1 | FileCheck %s --check-prefix=TRUNC
// RUN: not ds-compile %s -split-input-file --weights %t/missing.safetensors -o %t/out.dsa --quiet --no-nvrtc --no-host-module 2>&1 | FileCheck %s --check-prefix=MISSING

// NOFILE: error: 'ds.weight' op references weight 'w' but no weights file was given (ds.weight_files or --weights)
// TRUNC: error: cannot open weights: weights file '{{.*}}truncated.safetensors' is truncated
// MISSING: error: cannot open weights: cannot open '{{.*}}missing.safetensors'

func.func @main() -> tensor<4x8xf32> {
  // expected-error @+1 {{no tensor named 'v'}}
  %w = ds.weight "v" : tensor<4x8xf32>
  return %w : tensor<4x8xf32>
}

// -----

func.func @main() -> tensor<8x4xf32> {
  // expected-error @+1 {{tensor 'w' is tensor<4x8xf32>, expected tensor<8x4xf32>}}
  %w = ds.weight "w" : tensor<8x4xf32>
  return %w : tensor<8x4xf32>
}

// -----

func.func @main() -> tensor<4x8xf16> {
  // expected-error @+1 {{tensor 'w' is tensor<4x8xf32>, expected tensor<4x8xf16>}}
  %w = ds.weight "w" : tensor<4x8xf16>
  return %w : tensor<4x8xf16>
}

// -----

// A correct weight compiles.
func.func @main() -> tensor<4x8xf32> {
  %w = ds.weight "w" : tensor<4x8xf32>
  return %w : tensor<4x8xf32>
}
