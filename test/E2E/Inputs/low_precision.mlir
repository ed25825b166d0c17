// f16 and bf16 through every kernel family: elementwise (computed in f32,
// rounded once to nearest even), softmax, matmul (f32 accumulation), conv,
// pooling, batch_norm, layer_norm, reductions, linear resize, casts and the
// data movement kernels (stored bits moved unchanged).
func.func @main(%h: tensor<3x5x7xf16> {ds.name = "h"}, %hb: tensor<7xf16> {ds.name = "hb"},
                %bf: tensor<3x5x7xbf16> {ds.name = "bf"}, %bb: tensor<5x1xbf16> {ds.name = "bb"},
                %ma: tensor<2x9x13xf16> {ds.name = "ma"}, %mb: tensor<13x6xf16> {ds.name = "mb"},
                %na: tensor<9x13xbf16> {ds.name = "na"}, %nb: tensor<13xbf16> {ds.name = "nb"},
                %img: tensor<1x4x7x7xf16> {ds.name = "img"}, %cw: tensor<6x2x3x3xf16> {ds.name = "cw"},
                %cb: tensor<6xf16> {ds.name = "cb"}, %imgb: tensor<1x4x7x7xbf16> {ds.name = "imgb"},
                %bs: tensor<4xbf16> {ds.name = "bs"})
    -> (tensor<3x5x7xf16> {ds.name = "f16_elementwise"}, tensor<3x5x7xbf16> {ds.name = "bf16_elementwise"},
        tensor<3x5x7xf16> {ds.name = "f16_where"}, tensor<3x5x7xf16> {ds.name = "f16_softmax"},
        tensor<3x5x7xbf16> {ds.name = "bf16_softmax"}, tensor<2x9x6xf16> {ds.name = "f16_matmul"},
        tensor<9xbf16> {ds.name = "bf16_matvec"}, tensor<3x5x7xf16> {ds.name = "f16_layer_norm"},
        tensor<3x7xf16> {ds.name = "f16_reduce_sum"}, tensor<5xbf16> {ds.name = "bf16_reduce_max"},
        tensor<f16> {ds.name = "f16_reduce_mean"}, tensor<1x6x5x5xf16> {ds.name = "f16_conv"},
        tensor<1x4x3x3xbf16> {ds.name = "bf16_max_pool"}, tensor<1x4x4x4xf16> {ds.name = "f16_avg_pool"},
        tensor<1x4x7x7xbf16> {ds.name = "bf16_batch_norm"}, tensor<1x4x10x5xf16> {ds.name = "f16_resize"},
        tensor<3x5x7xi32> {ds.name = "f16_to_i32"}, tensor<3x5x7xf32> {ds.name = "bf16_to_f32"},
        tensor<7x5x6xf16> {ds.name = "f16_moved"}, tensor<3x5x7xbf16> {ds.name = "bf16_gathered"}) {
  %c100 = ds.constant dense<100.0> : tensor<f16>
  %e0 = ds.add %h, %hb : (tensor<3x5x7xf16>, tensor<7xf16>) -> tensor<3x5x7xf16>
  %e1 = ds.exp %e0 : tensor<3x5x7xf16>
  %e2 = ds.gelu %h : tensor<3x5x7xf16>
  %e3 = ds.mul %e1, %e2 : (tensor<3x5x7xf16>, tensor<3x5x7xf16>) -> tensor<3x5x7xf16>
  %e4 = ds.sigmoid %h : tensor<3x5x7xf16>
  %e5 = ds.max %e3, %e4 : (tensor<3x5x7xf16>, tensor<3x5x7xf16>) -> tensor<3x5x7xf16>
  %e6 = ds.hard_swish %e5 : tensor<3x5x7xf16>
  %hel = ds.clip %e6 {min = -0.2 : f64, max = 1.5 : f64} : tensor<3x5x7xf16>
  %k0 = ds.less %h, %hb : (tensor<3x5x7xf16>, tensor<7xf16>) -> tensor<3x5x7xi1>
  %hw = ds.where %k0, %e1, %h : (tensor<3x5x7xi1>, tensor<3x5x7xf16>, tensor<3x5x7xf16>) -> tensor<3x5x7xf16>
  %b0 = ds.sub %bf, %bb : (tensor<3x5x7xbf16>, tensor<5x1xbf16>) -> tensor<3x5x7xbf16>
  %b1 = ds.tanh %b0 : tensor<3x5x7xbf16>
  %b2 = ds.silu %bf : tensor<3x5x7xbf16>
  %b3 = ds.div %b1, %bb : (tensor<3x5x7xbf16>, tensor<5x1xbf16>) -> tensor<3x5x7xbf16>
  %b4 = ds.min %b3, %b2 : (tensor<3x5x7xbf16>, tensor<3x5x7xbf16>) -> tensor<3x5x7xbf16>
  %b5 = ds.leaky_relu %b4 {alpha = 0.2 : f64} : tensor<3x5x7xbf16>
  %b6 = ds.relu %b0 : tensor<3x5x7xbf16>
  %bel = ds.add %b5, %b6 : (tensor<3x5x7xbf16>, tensor<3x5x7xbf16>) -> tensor<3x5x7xbf16>
  %sh = ds.softmax %h {axis = -1 : i64} : tensor<3x5x7xf16>
  %sb = ds.softmax %bf {axis = 1 : i64} : tensor<3x5x7xbf16>
  %mm = ds.matmul %ma, %mb : (tensor<2x9x13xf16>, tensor<13x6xf16>) -> tensor<2x9x6xf16>
  %mv = ds.matmul %na, %nb : (tensor<9x13xbf16>, tensor<13xbf16>) -> tensor<9xbf16>
  %ln = ds.layer_norm %h, %hb, %hb {axis = 2 : i64} : (tensor<3x5x7xf16>, tensor<7xf16>, tensor<7xf16>) -> tensor<3x5x7xf16>
  %rs = ds.reduce_sum %h {axes = array<i64: 1>, keepdims = 0 : i64} : tensor<3x5x7xf16> -> tensor<3x7xf16>
  %rm = ds.reduce_max %bf {axes = array<i64: 0, 2>, keepdims = 0 : i64} : tensor<3x5x7xbf16> -> tensor<5xbf16>
  %ra = ds.reduce_mean %h {axes = array<i64>, keepdims = 0 : i64} : tensor<3x5x7xf16> -> tensor<f16>
  %cv = ds.conv %img, %cw, %cb {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 1, 0, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x7x7xf16>, tensor<6x2x3x3xf16>, tensor<6xf16>) -> tensor<1x6x5x7xf16>
  %cvs = ds.max_pool %cv {kernel_shape = array<i64: 1, 3>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : tensor<1x6x5x7xf16> -> tensor<1x6x5x5xf16>
  %mp = ds.max_pool %imgb {ceil_mode = 1 : i64, kernel_shape = array<i64: 3, 3>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 3, 3>} : tensor<1x4x7x7xbf16> -> tensor<1x4x3x3xbf16>
  %ap = ds.avg_pool %img {count_include_pad = 1 : i64, kernel_shape = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x4x7x7xf16> -> tensor<1x4x4x4xf16>
  %bva = ds.abs %bs : tensor<4xbf16>
  %bn = ds.batch_norm %imgb, %bs, %bs, %bs, %bva : (tensor<1x4x7x7xbf16>, tensor<4xbf16>, tensor<4xbf16>, tensor<4xbf16>, tensor<4xbf16>) -> tensor<1x4x7x7xbf16>
  %rz = ds.constant dense<[1.0, 1.0, 1.5, 0.75]> : tensor<4xf32>
  %rl = "ds.resize"(%img, %rz) <{mode = "linear", operandSegmentSizes = array<i32: 1, 1, 0>}> : (tensor<1x4x7x7xf16>, tensor<4xf32>) -> tensor<1x4x10x5xf16>
  %hs = ds.mul %h, %c100 : (tensor<3x5x7xf16>, tensor<f16>) -> tensor<3x5x7xf16>
  %hi = ds.cast %hs : tensor<3x5x7xf16> -> tensor<3x5x7xi32>
  %bf32 = ds.cast %bf : tensor<3x5x7xbf16> -> tensor<3x5x7xf32>
  %tp = ds.transpose %h, perm = [2, 1, 0] : tensor<3x5x7xf16> -> tensor<7x5x3xf16>
  %tc = ds.concat %tp, %tp {axis = 2 : i64} : (tensor<7x5x3xf16>, tensor<7x5x3xf16>) -> tensor<7x5x6xf16>
  %ix = ds.constant dense<[2, -1, 0]> : tensor<3xi64>
  %gb = ds.gather %bf, %ix {axis = 0 : i64} : (tensor<3x5x7xbf16>, tensor<3xi64>) -> tensor<3x5x7xbf16>
  return %hel, %bel, %hw, %sh, %sb, %mm, %mv, %ln, %rs, %rm, %ra, %cvs, %mp, %ap, %bn, %rl, %hi, %bf32, %tc, %gb
    : tensor<3x5x7xf16>, tensor<3x5x7xbf16>, tensor<3x5x7xf16>, tensor<3x5x7xf16>, tensor<3x5x7xbf16>, tensor<2x9x6xf16>, tensor<9xbf16>, tensor<3x5x7xf16>, tensor<3x7xf16>, tensor<5xbf16>, tensor<f16>, tensor<1x6x5x5xf16>, tensor<1x4x3x3xbf16>, tensor<1x4x4x4xf16>, tensor<1x4x7x7xbf16>, tensor<1x4x10x5xf16>, tensor<3x5x7xi32>, tensor<3x5x7xf32>, tensor<7x5x6xf16>, tensor<3x5x7xbf16>
}
