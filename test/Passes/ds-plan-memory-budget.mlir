// RUN: ds-opt %s --ds-plan-memory="device-memory-budget=60000 report" -verify-diagnostics | FileCheck %s

// Four 16 KiB weights and a 2 KiB arena (67584 bytes) do not fit in 60000.
// Streaming one or two weights saves nothing (two staging slots of 16 KiB
// take their place); streaming the three weights that one kernel each reads
// fits: 16384 resident + 2 x 16384 staging + 2048 arena = 51200. w0, read by
// three kernels, stays resident. Streamed per inference: 3 x 16384 bytes;
// over a 25 GB/s link that is 1966 ns.
// CHECK-LABEL: func @tiered
// CHECK-SAME: device_budget_bytes = 60000 : i64
// CHECK-SAME: device_bytes = 51200 : i64
// CHECK-SAME: predicted_host_link_ns = 1966 : i64
// CHECK-SAME: resident_weight_bytes = 16384 : i64
// CHECK-SAME: staging_slot_bytes = 16384 : i64
// CHECK-SAME: staging_slots = 2 : i64
// CHECK-SAME: streamed_bytes = 49152 : i64
// CHECK: ds.weight "w0" {ds.placement = "device"}
// CHECK: ds.weight "w1" {ds.placement = "host"}
// CHECK: ds.weight "w2" {ds.placement = "host"}
// CHECK: ds.weight "w3" {ds.placement = "host"}
// expected-remark @+1 {{weights 16384 bytes resident, 49152 streamed per inference (2 staging x 16384); predicted 0.0020 ms (host link 0.0020, HBM 0.0000)}}
func.func @tiered(%x: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %w0 = ds.weight "w0" : tensor<64x64xf32>
  %w1 = ds.weight "w1" : tensor<64x64xf32>
  %w2 = ds.weight "w2" : tensor<64x64xf32>
  %w3 = ds.weight "w3" : tensor<64x64xf32>
  %0 = ds.matmul %x, %w0 : (tensor<4x64xf32>, tensor<64x64xf32>) -> tensor<4x64xf32>
  %1 = ds.matmul %0, %w1 : (tensor<4x64xf32>, tensor<64x64xf32>) -> tensor<4x64xf32>
  %2 = ds.matmul %1, %w0 : (tensor<4x64xf32>, tensor<64x64xf32>) -> tensor<4x64xf32>
  %3 = ds.matmul %2, %w2 : (tensor<4x64xf32>, tensor<64x64xf32>) -> tensor<4x64xf32>
  %4 = ds.matmul %3, %w0 : (tensor<4x64xf32>, tensor<64x64xf32>) -> tensor<4x64xf32>
  %5 = ds.matmul %4, %w3 : (tensor<4x64xf32>, tensor<64x64xf32>) -> tensor<4x64xf32>
  return %5 : tensor<4x64xf32>
}

// The same function under a budget it fits: nothing moves (does not fire).
// RUN: ds-opt %s --ds-plan-memory="device-memory-budget=67584" | FileCheck %s --check-prefix=FITS
// FITS: device_bytes = 67584 : i64
// FITS-NOT: "host"
