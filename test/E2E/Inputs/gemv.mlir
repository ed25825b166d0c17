// Matmuls of at most 8 rows (codegen/KernelsGemv.cpp): fused with a bias and
// relu; f16; K not a multiple of the 16 warps and N not of 32; a [N, K]
// weight whose transpose ds-fold-constants folds; and a transposed activation
// as B, which stays on the tiled matmul (the GEMV reads B as stored).
module attributes {ds.weight_files = ["w.safetensors"]} {
func.func @main(%x: tensor<1x256xf32> {ds.name = "x"}, %h: tensor<3x160xf16> {ds.name = "h"},
                %u: tensor<8x130xf32> {ds.name = "u"}, %a: tensor<40x130xf32> {ds.name = "a"})
    -> (tensor<1x200xf32> {ds.name = "bias_relu"}, tensor<3x40xf16> {ds.name = "f16"},
        tensor<8x33xf32> {ds.name = "odd"}, tensor<8x48xf32> {ds.name = "folded"},
        tensor<8x40xf32> {ds.name = "activation"}) {
  %w1 = ds.weight "w1" : tensor<256x200xf32>
  %b1 = ds.weight "b1" : tensor<200xf32>
  %0 = ds.matmul %x, %w1 : (tensor<1x256xf32>, tensor<256x200xf32>) -> tensor<1x200xf32>
  %1 = ds.add %0, %b1 : (tensor<1x200xf32>, tensor<200xf32>) -> tensor<1x200xf32>
  %2 = ds.relu %1 : tensor<1x200xf32>
  %w2 = ds.weight "w2" : tensor<160x40xf16>
  %3 = ds.matmul %h, %w2 : (tensor<3x160xf16>, tensor<160x40xf16>) -> tensor<3x40xf16>
  %w3 = ds.weight "w3" : tensor<130x33xf32>
  %4 = ds.matmul %u, %w3 : (tensor<8x130xf32>, tensor<130x33xf32>) -> tensor<8x33xf32>
  %w4 = ds.weight "w4" : tensor<48x130xf32>
  %t = ds.transpose %w4, perm = [1, 0] : tensor<48x130xf32> -> tensor<130x48xf32>
  %5 = ds.matmul %u, %t : (tensor<8x130xf32>, tensor<130x48xf32>) -> tensor<8x48xf32>
  %ta = ds.transpose %a, perm = [1, 0] : tensor<40x130xf32> -> tensor<130x40xf32>
  %6 = ds.matmul %u, %ta : (tensor<8x130xf32>, tensor<130x40xf32>) -> tensor<8x40xf32>
  return %2, %3, %4, %5, %6 : tensor<1x200xf32>, tensor<3x40xf16>, tensor<8x33xf32>, tensor<8x48xf32>, tensor<8x40xf32>
}
}
