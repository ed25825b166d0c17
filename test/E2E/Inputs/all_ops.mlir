// Every op codegen supports, in shapes that exercise broadcasting, batch
// broadcast in matmul, 1-D matmul operands, softmax on a middle axis,
// transposes and reshape views, constants and output copies.
func.func @main(%x: tensor<2x3x20xf32> {ds.name = "x"}, %v: tensor<20xf32> {ds.name = "v"},
                %i: tensor<3x1xi32> {ds.name = "i"})
    -> (tensor<2x3x20xf32> {ds.name = "elementwise"}, tensor<2x3x17xf32> {ds.name = "matmul"},
        tensor<2x3xf32> {ds.name = "matvec"}, tensor<20x3x2xf32> {ds.name = "transposed"},
        tensor<6x20xf32> {ds.name = "view"}, tensor<3x4xi32> {ds.name = "int"},
        tensor<20xf32> {ds.name = "passthrough"}) {
  %w = ds.weight "w" : tensor<20x17xf32>
  %c = ds.constant dense<[[1.0], [2.0], [3.0]]> : tensor<3x1xf32>
  %ci = ds.constant dense<[[1, -2, 3, 4]]> : tensor<1x4xi32>
  %0 = ds.add %x, %v : (tensor<2x3x20xf32>, tensor<20xf32>) -> tensor<2x3x20xf32>
  %1 = ds.sub %0, %c : (tensor<2x3x20xf32>, tensor<3x1xf32>) -> tensor<2x3x20xf32>
  %2 = ds.mul %1, %x : (tensor<2x3x20xf32>, tensor<2x3x20xf32>) -> tensor<2x3x20xf32>
  %3 = ds.exp %2 : tensor<2x3x20xf32>
  %4 = ds.sqrt %3 : tensor<2x3x20xf32>
  %5 = ds.rsqrt %3 : tensor<2x3x20xf32>
  %6 = ds.div %4, %5 : (tensor<2x3x20xf32>, tensor<2x3x20xf32>) -> tensor<2x3x20xf32>
  %7 = ds.tanh %2 : tensor<2x3x20xf32>
  %8 = ds.erf %7 : tensor<2x3x20xf32>
  %9 = ds.relu %1 : tensor<2x3x20xf32>
  %10 = ds.gelu %1 : tensor<2x3x20xf32>
  %11 = ds.gelu %1 {approximate = "tanh"} : tensor<2x3x20xf32>
  %12 = ds.silu %1 : tensor<2x3x20xf32>
  %13 = ds.sigmoid %1 : tensor<2x3x20xf32>
  %14 = ds.neg %13 : tensor<2x3x20xf32>
  %s0 = ds.add %6, %8 : (tensor<2x3x20xf32>, tensor<2x3x20xf32>) -> tensor<2x3x20xf32>
  %s1 = ds.add %s0, %9 : (tensor<2x3x20xf32>, tensor<2x3x20xf32>) -> tensor<2x3x20xf32>
  %s2 = ds.add %s1, %10 : (tensor<2x3x20xf32>, tensor<2x3x20xf32>) -> tensor<2x3x20xf32>
  %s3 = ds.add %s2, %11 : (tensor<2x3x20xf32>, tensor<2x3x20xf32>) -> tensor<2x3x20xf32>
  %s4 = ds.add %s3, %12 : (tensor<2x3x20xf32>, tensor<2x3x20xf32>) -> tensor<2x3x20xf32>
  %s5 = ds.add %s4, %14 : (tensor<2x3x20xf32>, tensor<2x3x20xf32>) -> tensor<2x3x20xf32>
  %sm = ds.softmax %s5 {axis = 1} : tensor<2x3x20xf32>
  %mm = ds.matmul %sm, %w : (tensor<2x3x20xf32>, tensor<20x17xf32>) -> tensor<2x3x17xf32>
  %mv = ds.matmul %x, %v : (tensor<2x3x20xf32>, tensor<20xf32>) -> tensor<2x3xf32>
  %t = ds.transpose %sm, perm = [2, 1, 0] : tensor<2x3x20xf32> -> tensor<20x3x2xf32>
  %r = ds.reshape %sm : tensor<2x3x20xf32> -> tensor<6x20xf32>
  %ii = ds.mul %i, %ci : (tensor<3x1xi32>, tensor<1x4xi32>) -> tensor<3x4xi32>
  return %sm, %mm, %mv, %t, %r, %ii, %v : tensor<2x3x20xf32>, tensor<2x3x17xf32>, tensor<2x3xf32>, tensor<20x3x2xf32>, tensor<6x20xf32>, tensor<3x4xi32>, tensor<20xf32>
}
