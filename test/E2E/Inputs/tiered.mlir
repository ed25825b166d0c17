// Six matmuls over four 16 KiB weights; w0 is read by three of them. Used by
// tiered.test with a device budget that forces the other three onto the host.
func.func @main(%x: tensor<4x64xf32> {ds.name = "x"}) -> (tensor<4x64xf32> {ds.name = "y"}) {
  %w0 = ds.weight "w0" : tensor<64x64xf32>
  %w1 = ds.weight "w1" : tensor<64x64xf32>
  %w2 = ds.weight "w2" : tensor<64x64xf32>
  %w3 = ds.weight "w3" : tensor<64x64xf32>
  %0 = ds.matmul %x, %w0 : (tensor<4x64xf32>, tensor<64x64xf32>) -> tensor<4x64xf32>
  %1 = ds.matmul %0, %w1 : (tensor<4x64xf32>, tensor<64x64xf32>) -> tensor<4x64xf32>
  %r = ds.reshape %w2 : tensor<64x64xf32> -> tensor<64x64xf32>
  %2 = ds.matmul %1, %w0 : (tensor<4x64xf32>, tensor<64x64xf32>) -> tensor<4x64xf32>
  %3 = ds.matmul %2, %r : (tensor<4x64xf32>, tensor<64x64xf32>) -> tensor<4x64xf32>
  %4 = ds.matmul %3, %w0 : (tensor<4x64xf32>, tensor<64x64xf32>) -> tensor<4x64xf32>
  %5 = ds.matmul %4, %w3 : (tensor<4x64xf32>, tensor<64x64xf32>) -> tensor<4x64xf32>
  %6 = ds.tanh %5 : tensor<4x64xf32>
  return %6 : tensor<4x64xf32>
}
