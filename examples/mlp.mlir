// A 2-layer MLP classifier: softmax(gelu(x W1 + b1) W2 + b2).
// Weights: examples/mlp.safetensors (scripts/gen_safetensors.py, seed 0).
func.func @main(%x: tensor<4x64xf32> {ds.name = "x"}) -> (tensor<4x10xf32> {ds.name = "probs"}) {
  %w1 = ds.weight "fc1.weight" : tensor<64x128xf32> loc("fc1/MatMul")
  %b1 = ds.weight "fc1.bias" : tensor<128xf32> loc("fc1/Add")
  %w2 = ds.weight "fc2.weight" : tensor<128x10xf32> loc("fc2/MatMul")
  %b2 = ds.weight "fc2.bias" : tensor<10xf32> loc("fc2/Add")
  %0 = ds.matmul %x, %w1 : (tensor<4x64xf32>, tensor<64x128xf32>) -> tensor<4x128xf32> loc("fc1/MatMul")
  %1 = ds.add %0, %b1 : (tensor<4x128xf32>, tensor<128xf32>) -> tensor<4x128xf32> loc("fc1/Add")
  %2 = ds.gelu %1 : tensor<4x128xf32> loc("act/Gelu")
  %3 = ds.matmul %2, %w2 : (tensor<4x128xf32>, tensor<128x10xf32>) -> tensor<4x10xf32> loc("fc2/MatMul")
  %4 = ds.add %3, %b2 : (tensor<4x10xf32>, tensor<10xf32>) -> tensor<4x10xf32> loc("fc2/Add")
  %5 = ds.softmax %4 {axis = -1} : tensor<4x10xf32> loc("head/Softmax")
  return %5 : tensor<4x10xf32>
}
