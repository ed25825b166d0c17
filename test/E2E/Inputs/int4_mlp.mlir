// A 3-layer MLP for the INT4 tests: fc1 is a MatMul weight [K, N], fc2 a
// Gemm transB weight [N, K], head is small (stays f32 by default). Returns
// the first matmul's raw output too, so a test can recompute it from the
// stored INT4 weights.
module attributes {ds.weight_files = ["w.safetensors"]} {
func.func @main(%x: tensor<8x256xf32> {ds.name = "x"}) -> (tensor<8x10xf32> {ds.name = "logits"}, tensor<8x256xf32> {ds.name = "h1"}) {
  %w1 = ds.weight "fc1.weight" : tensor<256x256xf32> loc("fc1/MatMul")
  %b1 = ds.weight "fc1.bias" : tensor<256xf32> loc("fc1/Add")
  %w2 = ds.weight "fc2.weight" : tensor<128x256xf32> loc("fc2/Gemm")
  %b2 = ds.weight "fc2.bias" : tensor<128xf32> loc("fc2/Gemm")
  %w3 = ds.weight "head.weight" : tensor<128x10xf32> loc("head/MatMul")
  %0 = ds.matmul %x, %w1 : (tensor<8x256xf32>, tensor<256x256xf32>) -> tensor<8x256xf32> loc("fc1/MatMul")
  %1 = ds.add %0, %b1 : (tensor<8x256xf32>, tensor<256xf32>) -> tensor<8x256xf32> loc("fc1/Add")
  %2 = ds.gelu %1 : tensor<8x256xf32> loc("act1/Gelu")
  %t = ds.transpose %w2, perm = [1, 0] : tensor<128x256xf32> -> tensor<256x128xf32> loc("fc2/Gemm")
  %3 = ds.matmul %2, %t : (tensor<8x256xf32>, tensor<256x128xf32>) -> tensor<8x128xf32> loc("fc2/Gemm")
  %4 = ds.add %3, %b2 : (tensor<8x128xf32>, tensor<128xf32>) -> tensor<8x128xf32> loc("fc2/Gemm")
  %5 = ds.relu %4 : tensor<8x128xf32> loc("act2/Relu")
  %6 = ds.matmul %5, %w3 : (tensor<8x128xf32>, tensor<128x10xf32>) -> tensor<8x10xf32> loc("head/MatMul")
  return %6, %0 : tensor<8x10xf32>, tensor<8x256xf32>
}
}
