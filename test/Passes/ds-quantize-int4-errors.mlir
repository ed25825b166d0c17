// Every diagnostic of ds-quantize-int4 names the problem and stops the pass.
// RUN: rm -rf %t && mkdir -p %t && cd %t
// RUN: %python %ds_src_root/scripts/gen_safetensors.py w.safetensors fc.weight=256x64 other=4x4 --seed 0 --npy %t x=2x256 bad=3x256
// RUN: not ds-opt %s --ds-quantize-int4="group-size=12" 2>&1 | FileCheck %s --check-prefix=GROUP
// RUN: not ds-opt %s --ds-quantize-int4="method=gptq" 2>&1 | FileCheck %s --check-prefix=METHOD
// RUN: not ds-opt %s --ds-quantize-int4="method=awq" 2>&1 | FileCheck %s --check-prefix=NOCAL
// RUN: not ds-opt %s --ds-quantize-int4="exclude=(head" 2>&1 | FileCheck %s --check-prefix=REGEX
// RUN: not ds-opt %s --ds-quantize-int4="method=awq calibration=y=x.npy" 2>&1 | FileCheck %s --check-prefix=NAME
// RUN: not ds-opt %s --ds-quantize-int4="method=awq calibration=x=bad.npy" 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not ds-opt %s --ds-quantize-int4="method=awq calibration=x=missing.npy" 2>&1 | FileCheck %s --check-prefix=FILE
// RUN: not ds-opt %s --ds-quantize-int4="method=awq calibration=x" 2>&1 | FileCheck %s --check-prefix=SYNTAX
// RUN: mkdir -p sub && cd sub && not ds-opt %s --ds-quantize-int4 2>&1 | FileCheck %s --check-prefix=NOWEIGHTS
// RUN: cd %t && sed -e 's/"fc.weight" : tensor<256x64xf32>/"other" : tensor<256x64xf32>/' %s > other.mlir
// RUN: not ds-opt other.mlir --ds-quantize-int4 2>&1 | FileCheck %s --check-prefix=TYPE

// GROUP: error: ds-quantize-int4: group-size must be a positive multiple of 8, got 12
// METHOD: error: ds-quantize-int4: unknown method 'gptq' (expected rtn, search or awq)
// NOCAL: error: ds-quantize-int4: method awq needs calibration inputs (calibration=name=file.npy)
// REGEX: error: ds-quantize-int4: invalid regex '(head': parentheses not balanced
// NAME: error: ds-quantize-int4: no input named 'y' for calibration
// SHAPE: error: ds-quantize-int4: calibration input 'x' is tensor<3x256xf32>, expected 'tensor<2x256xf32>'
// FILE: error: ds-quantize-int4: cannot open {{.*}}missing.npy
// SYNTAX: error: ds-quantize-int4: calibration entry 'x' is not name=file.npy
// NOWEIGHTS: error: {{.*}}w.safetensors
// TYPE: error: 'ds.weight' op {{.*}}'other' is tensor<4x4xf32>, expected tensor<256x64xf32>

module attributes {ds.weight_files = ["w.safetensors"]} {
func.func @main(%x: tensor<2x256xf32> {ds.name = "x"}) -> tensor<2x64xf32> {
  %w = ds.weight "fc.weight" : tensor<256x64xf32>
  %y = ds.matmul %x, %w : (tensor<2x256xf32>, tensor<256x64xf32>) -> tensor<2x64xf32>
  return %y : tensor<2x64xf32>
}
}
