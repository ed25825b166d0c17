// W4A16 GEMVs in f32 (codegen/KernelsQuantized.cpp): 1 row (8 channels per
// warp), 3 rows (4 channels per warp; x in 16-byte loads) and 6 rows (x in
// scalar loads), N = 200 (a partial last warp), bias fused.
module attributes {ds.weight_files = ["w.safetensors"]} {
func.func @main(%x1: tensor<1x1024xf32> {ds.name = "x1"}, %x3: tensor<3x1024xf32> {ds.name = "x3"},
                %x6: tensor<6x1024xf32> {ds.name = "x6"})
    -> (tensor<1x200xf32> {ds.name = "one"}, tensor<3x200xf32> {ds.name = "three"},
        tensor<6x200xf32> {ds.name = "six"}) {
  %w = ds.weight "w" : tensor<1024x200xf32>
  %b = ds.weight "b" : tensor<200xf32>
  %0 = ds.matmul %x1, %w : (tensor<1x1024xf32>, tensor<1024x200xf32>) -> tensor<1x200xf32>
  %1 = ds.add %0, %b : (tensor<1x200xf32>, tensor<200xf32>) -> tensor<1x200xf32>
  %2 = ds.matmul %x3, %w : (tensor<3x1024xf32>, tensor<1024x200xf32>) -> tensor<3x200xf32>
  %3 = ds.add %2, %b : (tensor<3x200xf32>, tensor<200xf32>) -> tensor<3x200xf32>
  %4 = ds.matmul %x6, %w : (tensor<6x1024xf32>, tensor<1024x200xf32>) -> tensor<6x200xf32>
  %5 = ds.add %4, %b : (tensor<6x200xf32>, tensor<200xf32>) -> tensor<6x200xf32>
  return %1, %3, %5 : tensor<1x200xf32>, tensor<3x200xf32>, tensor<6x200xf32>
}
}
