// The W4A16 kernels (codegen/KernelsQuantized.cpp) after ds-quantize-int4:
// GEMM (40 rows, partial 64x64 tiles) with a bias epilogue; f16 GEMV (3
// rows of a 3-D lhs) with a residual epilogue; K = 100 (not a multiple of
// 8): the unfused dequantize_int4 kernel plus the plain matmul.
module attributes {ds.weight_files = ["w.safetensors"]} {
func.func @main(%x: tensor<40x256xf32> {ds.name = "x"}, %h: tensor<1x3x256xf16> {ds.name = "h"},
                %r: tensor<1x3x72xf16> {ds.name = "r"}, %v: tensor<5x100xf32> {ds.name = "v"})
    -> (tensor<40x200xf32> {ds.name = "gemm_bias"}, tensor<1x3x72xf16> {ds.name = "gemv_f16_residual"},
        tensor<5x48xf32> {ds.name = "odd_k"}) {
  %w1 = ds.weight "g.weight" : tensor<256x200xf32>
  %b1 = ds.weight "g.bias" : tensor<200xf32>
  %0 = ds.matmul %x, %w1 : (tensor<40x256xf32>, tensor<256x200xf32>) -> tensor<40x200xf32>
  %1 = ds.add %0, %b1 : (tensor<40x200xf32>, tensor<200xf32>) -> tensor<40x200xf32>
  %w2 = ds.weight "h.weight" : tensor<256x72xf16>
  %2 = ds.matmul %h, %w2 : (tensor<1x3x256xf16>, tensor<256x72xf16>) -> tensor<1x3x72xf16>
  %3 = ds.add %r, %2 : (tensor<1x3x72xf16>, tensor<1x3x72xf16>) -> tensor<1x3x72xf16>
  %w3 = ds.weight "o.weight" : tensor<100x48xf32>
  %4 = ds.matmul %v, %w3 : (tensor<5x100xf32>, tensor<100x48xf32>) -> tensor<5x48xf32>
  return %1, %3, %4 : tensor<40x200xf32>, tensor<1x3x72xf16>, tensor<5x48xf32>
}
}
