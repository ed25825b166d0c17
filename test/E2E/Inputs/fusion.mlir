// Every kind of ds-fuse region in one function (test/E2E/fusion.test): each
// output exercises one fused kernel template under the CUDA emulation.
func.func @main(%x: tensor<4x24xf32>, %w: tensor<16x24xf32>, %b: tensor<16xf32>,
                %img: tensor<1x3x8x8xf32>, %k: tensor<6x3x3x3xf32>, %kb: tensor<6xf32>,
                %res: tensor<1x6x8x8xf32>, %kt: tensor<6x2x2x2xf32>,
                %seq: tensor<2x5x40xf32>, %g: tensor<40xf32>, %h: tensor<40xf32>,
                %half: tensor<3x33xf16>, %mask: tensor<3x33xf32>, %bn: tensor<6xf32>)
    -> (tensor<4x16xf32> {ds.name = "matmul_bias_gelu"},
        tensor<1x6x8x8xf32> {ds.name = "conv_hardswish_residual"},
        tensor<1x2x16x16xf32> {ds.name = "convt_sigmoid"},
        tensor<2x40x5xf32> {ds.name = "transpose_chain"},
        tensor<2x5x40xf32> {ds.name = "shared_intermediate"},
        tensor<2x5x40xf32> {ds.name = "layer_norm"},
        tensor<2x5x40xf32> {ds.name = "softmax"},
        tensor<2x5x40xf32> {ds.name = "rms_norm"},
        tensor<1x6x8x8xf32> {ds.name = "squeeze_excite"},
        tensor<3x33xf16> {ds.name = "half_where"},
        tensor<2x5x1xf32> {ds.name = "row_max"},
        tensor<3x33xf32> {ds.name = "global_max_clamp"},
        tensor<1x6x8x8xf32> {ds.name = "batch_norm_relu"}) {
  // matmul: transposed weight absorbed, bias + gelu epilogue
  %wt = ds.transpose %w, perm = [1, 0] : tensor<16x24xf32> -> tensor<24x16xf32>
  %m = ds.matmul %x, %wt : (tensor<4x24xf32>, tensor<24x16xf32>) -> tensor<4x16xf32>
  %mb = ds.add %m, %b : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %mg = ds.gelu %mb : tensor<4x16xf32>
  // conv with bias, hard_swish and a residual add
  %c = ds.conv %img, %k, %kb {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<6x3x3x3xf32>, tensor<6xf32>) -> tensor<1x6x8x8xf32>
  %ch = ds.hard_swish %c : tensor<1x6x8x8xf32>
  %cr = ds.add %ch, %res : (tensor<1x6x8x8xf32>, tensor<1x6x8x8xf32>) -> tensor<1x6x8x8xf32>
  // conv_transpose with an activation
  %ct = ds.conv_transpose %cr, %kt {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, output_padding = array<i64: 0, 0>} : (tensor<1x6x8x8xf32>, tensor<6x2x2x2xf32>) -> tensor<1x2x16x16xf32>
  %cts = ds.sigmoid %ct : tensor<1x2x16x16xf32>
  // elementwise: broadcast, transpose absorbed, shared intermediate (two results)
  %s = ds.add %seq, %g : (tensor<2x5x40xf32>, tensor<40xf32>) -> tensor<2x5x40xf32>
  %st = ds.transpose %s, perm = [0, 2, 1] : tensor<2x5x40xf32> -> tensor<2x40x5xf32>
  %two = ds.constant dense<2.0> : tensor<f32>
  %sp = ds.pow %st, %two : (tensor<2x40x5xf32>, tensor<f32>) -> tensor<2x40x5xf32>
  %tc = ds.tanh %sp : tensor<2x40x5xf32>
  // decomposed layer norm over the last dim
  %mean = ds.reduce_mean %seq {axes = array<i64: 2>} : tensor<2x5x40xf32> -> tensor<2x5x1xf32>
  %d = ds.sub %seq, %mean : (tensor<2x5x40xf32>, tensor<2x5x1xf32>) -> tensor<2x5x40xf32>
  %dd = ds.pow %d, %two : (tensor<2x5x40xf32>, tensor<f32>) -> tensor<2x5x40xf32>
  %var = ds.reduce_mean %dd {axes = array<i64: 2>} : tensor<2x5x40xf32> -> tensor<2x5x1xf32>
  %eps = ds.constant dense<1.0e-5> : tensor<f32>
  %ve = ds.add %var, %eps : (tensor<2x5x1xf32>, tensor<f32>) -> tensor<2x5x1xf32>
  %sd = ds.sqrt %ve : tensor<2x5x1xf32>
  %n = ds.div %d, %sd : (tensor<2x5x40xf32>, tensor<2x5x1xf32>) -> tensor<2x5x40xf32>
  %ng = ds.mul %n, %g : (tensor<2x5x40xf32>, tensor<40xf32>) -> tensor<2x5x40xf32>
  %ln = ds.add %ng, %h : (tensor<2x5x40xf32>, tensor<40xf32>) -> tensor<2x5x40xf32>
  // decomposed softmax; the row max is also an output
  %mx = ds.reduce_max %s {axes = array<i64: 2>} : tensor<2x5x40xf32> -> tensor<2x5x1xf32>
  %sm = ds.sub %s, %mx : (tensor<2x5x40xf32>, tensor<2x5x1xf32>) -> tensor<2x5x40xf32>
  %ex = ds.exp %sm : tensor<2x5x40xf32>
  %sum = ds.reduce_sum %ex {axes = array<i64: 2>} : tensor<2x5x40xf32> -> tensor<2x5x1xf32>
  %sf = ds.div %ex, %sum : (tensor<2x5x40xf32>, tensor<2x5x1xf32>) -> tensor<2x5x40xf32>
  // RMS norm
  %sq = ds.mul %seq, %seq : (tensor<2x5x40xf32>, tensor<2x5x40xf32>) -> tensor<2x5x40xf32>
  %ms = ds.reduce_mean %sq {axes = array<i64: 2>} : tensor<2x5x40xf32> -> tensor<2x5x1xf32>
  %mse = ds.add %ms, %eps : (tensor<2x5x1xf32>, tensor<f32>) -> tensor<2x5x1xf32>
  %rs = ds.rsqrt %mse : tensor<2x5x1xf32>
  %rn = ds.mul %seq, %rs : (tensor<2x5x40xf32>, tensor<2x5x1xf32>) -> tensor<2x5x40xf32>
  %rms = ds.mul %rn, %g : (tensor<2x5x40xf32>, tensor<40xf32>) -> tensor<2x5x40xf32>
  // squeeze-and-excite on the conv output
  %pool = ds.reduce_mean %cr {axes = array<i64: 2, 3>} : tensor<1x6x8x8xf32> -> tensor<1x6x1x1xf32>
  %gate = ds.hard_sigmoid %pool {alpha = 0.1666667 : f64, beta = 0.5 : f64} : tensor<1x6x1x1xf32>
  %se = ds.mul %cr, %gate : (tensor<1x6x8x8xf32>, tensor<1x6x1x1xf32>) -> tensor<1x6x8x8xf32>
  // f16 elementwise with compare, where, cast and a constant table
  %hf = ds.cast %half : tensor<3x33xf16> -> tensor<3x33xf32>
  %pos = ds.greater %hf, %mask : (tensor<3x33xf32>, tensor<3x33xf32>) -> tensor<3x33xi1>
  %tab = ds.constant dense<[[1.0], [-2.0], [0.5]]> : tensor<3x1xf32>
  %sc = ds.mul %hf, %tab : (tensor<3x33xf32>, tensor<3x1xf32>) -> tensor<3x33xf32>
  %sel = ds.where %pos, %sc, %mask : (tensor<3x33xi1>, tensor<3x33xf32>, tensor<3x33xf32>) -> tensor<3x33xf32>
  %back = ds.cast %sel : tensor<3x33xf32> -> tensor<3x33xf16>
  // a reduction over everything, broadcast back (melspectrogram's clamp)
  %all = ds.reduce_max %mask {axes = array<i64>, keepdims = 0 : i64} : tensor<3x33xf32> -> tensor<f32>
  %lo = ds.sub %all, %two : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %cl = ds.max %mask, %lo : (tensor<3x33xf32>, tensor<f32>) -> tensor<3x33xf32>
  // batch_norm in an elementwise chain
  %bnr = ds.batch_norm %res, %bn, %bn, %bn, %bn {epsilon = 2.0 : f64} : (tensor<1x6x8x8xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<1x6x8x8xf32>
  %bnrelu = ds.relu %bnr : tensor<1x6x8x8xf32>
  return %mg, %cr, %cts, %tc, %s, %ln, %sf, %rms, %se, %back, %mx, %cl, %bnrelu : tensor<4x16xf32>, tensor<1x6x8x8xf32>, tensor<1x2x16x16xf32>, tensor<2x40x5xf32>, tensor<2x5x40xf32>, tensor<2x5x40xf32>, tensor<2x5x40xf32>, tensor<2x5x40xf32>, tensor<1x6x8x8xf32>, tensor<3x33xf16>, tensor<2x5x1xf32>, tensor<3x33xf32>, tensor<1x6x8x8xf32>
}
