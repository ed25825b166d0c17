// RUN: ds-opt %s -split-input-file --ds-fuse=report -verify-diagnostics
// RUN: ds-opt %s --ds-fuse="report-file=%t.json" -o /dev/null
// RUN: FileCheck %s --check-prefix=JSON < %t.json

// Modelled traffic: unfused, matmul reads x (64 B) and w (128 B) and writes
// 32 B; add reads 32 + 16 and writes 32; relu reads and writes 32: 3
// kernels, 368 B. Fused: one kernel reading x, w, b and writing 32 B: 240 B,
// the floor (weights 144 + input 64 + output 32).
// expected-remark @+1 {{ds-fuse: 1 fusions; kernels 3 -> 1; modelled device-memory bytes per inference 368 -> 240 (floor 240: weights 144, inputs 64, outputs 32)}}
func.func @traffic(%x: tensor<2x8xf32>) -> tensor<2x4xf32> {
  %w = ds.weight "w" : tensor<8x4xf32>
  %b = ds.weight "b" : tensor<4xf32>
  %m = ds.matmul %x, %w : (tensor<2x8xf32>, tensor<8x4xf32>) -> tensor<2x4xf32>
  %a = ds.add %m, %b : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %y = ds.relu %a : tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
// JSON: "bytes_after":240,"bytes_before":368
// JSON-SAME: "kernels_after":1,"kernels_before":3

// -----

// expected-remark @+1 {{ds-fuse: skipped, the function has dynamic shapes}}
func.func @dynamic(%x: tensor<?xf32>) -> tensor<?xf32> {
  %a = ds.relu %x : tensor<?xf32>
  %b = ds.neg %a : tensor<?xf32>
  return %b : tensor<?xf32>
}
