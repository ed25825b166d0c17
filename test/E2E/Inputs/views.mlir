// flatten, squeeze and unsqueeze are views like reshape: no kernel, the
// result aliases the operand's buffer; kernels read views of views, and a
// returned view gets an output copy.
func.func @main(%x: tensor<2x3x4xf32> {ds.name = "x"})
    -> (tensor<6x4xf32> {ds.name = "flat"}, tensor<1x6x1x4xf32> {ds.name = "unsqueezed"},
        tensor<24xf32> {ds.name = "computed"}, tensor<2x3x4xf32> {ds.name = "exp"}) {
  %0 = ds.exp %x : tensor<2x3x4xf32>
  %1 = ds.flatten %0 {axis = 2 : i64} : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %2 = ds.unsqueeze %1 {axes = array<i64: 0, 2>} : tensor<6x4xf32> -> tensor<1x6x1x4xf32>
  %3 = ds.squeeze %2 {axes = array<i64: 0, 2>} : tensor<1x6x1x4xf32> -> tensor<6x4xf32>
  %4 = ds.neg %3 : tensor<6x4xf32>
  %5 = ds.flatten %4 {axis = 0 : i64} : tensor<6x4xf32> -> tensor<1x24xf32>
  %6 = ds.squeeze %5 {axes = array<i64: 0>} : tensor<1x24xf32> -> tensor<24xf32>
  return %3, %2, %6, %0 : tensor<6x4xf32>, tensor<1x6x1x4xf32>, tensor<24xf32>, tensor<2x3x4xf32>
}
