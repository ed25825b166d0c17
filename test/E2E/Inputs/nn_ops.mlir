// conv (1-D, 2-D, 3-D; strided, dilated, grouped, depthwise, pointwise,
// asymmetric pads, optional bias), conv_transpose, max/avg pooling (ceil_mode,
// count_include_pad, dilations), batch_norm, layer_norm (broadcast scale and
// bias, long rows) and every reduction (trailing, middle, non-contiguous and
// all axes; keepdims; integer variants).
func.func @main(%x: tensor<2x3x9x11xf32> {ds.name = "x"}, %x1: tensor<2x4x13xf32> {ds.name = "x1"},
                %x3: tensor<1x2x5x6x7xf32> {ds.name = "x3"}, %xg: tensor<1x6x10x10xf32> {ds.name = "xg"},
                %xt: tensor<1x4x5x5xf32> {ds.name = "xt"}, %xt1: tensor<2x4x7xf32> {ds.name = "xt1"},
                %s: tensor<3xf32> {ds.name = "s"}, %v: tensor<3xf32> {ds.name = "v"},
                %r: tensor<3x5x7xf32> {ds.name = "r"}, %g: tensor<5x7xf32> {ds.name = "g"},
                %gb: tensor<5x1xf32> {ds.name = "gb"}, %row: tensor<4x300xf32> {ds.name = "row"},
                %j: tensor<5x7xi32> {ds.name = "j"}, %l: tensor<4x6xi64> {ds.name = "l"})
    -> (tensor<2x4x5x10xf32> {ds.name = "conv2d"}, tensor<1x6x10x10xf32> {ds.name = "conv_grouped"},
        tensor<2x4x4xf32> {ds.name = "conv1d_depthwise"}, tensor<1x3x5x3x2xf32> {ds.name = "conv3d"},
        tensor<2x5x9x11xf32> {ds.name = "conv_pointwise"},
        tensor<1x2x10x10xf32> {ds.name = "convt2d"}, tensor<2x6x20xf32> {ds.name = "convt1d_grouped"},
        tensor<1x1x6x6x6xf32> {ds.name = "convt3d"},
        tensor<2x3x5x6xf32> {ds.name = "maxpool_ceil"}, tensor<2x4x6xf32> {ds.name = "maxpool_dilated"},
        tensor<2x3x5x4xf32> {ds.name = "avgpool_exclude_pad"}, tensor<2x3x5x4xf32> {ds.name = "avgpool_include_pad"},
        tensor<1x2x2x3x3xf32> {ds.name = "avgpool3d"}, tensor<2x4x10xf32> {ds.name = "avgpool_dilated"},
        tensor<2x3x9x11xf32> {ds.name = "batch_norm"},
        tensor<3x5x7xf32> {ds.name = "layer_norm"}, tensor<3x5x7xf32> {ds.name = "layer_norm_2d"},
        tensor<3x5x7xf32> {ds.name = "layer_norm_bcast"}, tensor<4x300xf32> {ds.name = "layer_norm_long"},
        tensor<3x1x7xf32> {ds.name = "reduce_sum_mid"}, tensor<3x5xf32> {ds.name = "reduce_mean_last"},
        tensor<5xf32> {ds.name = "reduce_max_outer"}, tensor<f32> {ds.name = "reduce_min_all"},
        tensor<3x1x1xf32> {ds.name = "reduce_prod"}, tensor<4xf32> {ds.name = "reduce_sum_long"},
        tensor<7xi32> {ds.name = "reduce_sum_i32"}, tensor<4x1xi64> {ds.name = "reduce_max_i64"},
        tensor<5xi32> {ds.name = "reduce_prod_i32"}, tensor<6xi64> {ds.name = "reduce_min_i64"}) {
  %w1 = ds.weight "w1" : tensor<4x3x3x3xf32>
  %b1 = ds.weight "b1" : tensor<4xf32>
  %w2 = ds.weight "w2" : tensor<6x2x3x3xf32>
  %w3 = ds.weight "w3" : tensor<4x1x5xf32>
  %b3 = ds.weight "b3" : tensor<4xf32>
  %w4 = ds.weight "w4" : tensor<3x2x2x3x3xf32>
  %w5 = ds.weight "w5" : tensor<5x3x1x1xf32>
  %wt1 = ds.weight "wt1" : tensor<4x2x3x3xf32>
  %bt1 = ds.weight "bt1" : tensor<2xf32>
  %wt2 = ds.weight "wt2" : tensor<4x3x3xf32>
  %wt3 = ds.weight "wt3" : tensor<2x1x2x2x2xf32>
  %xt3 = ds.weight "xt3" : tensor<1x2x3x3x3xf32>
  %c0 = ds.conv %x, %w1, %b1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 0, 2, 1>, strides = array<i64: 2, 1>} : (tensor<2x3x9x11xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<2x4x5x10xf32>
  %c1 = ds.conv %xg, %w2 {dilations = array<i64: 2, 2>, group = 3 : i64, pads = array<i64: 2, 2, 2, 2>, strides = array<i64: 1, 1>} : (tensor<1x6x10x10xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x10x10xf32>
  %c2 = ds.conv %x1, %w3, %b3 {dilations = array<i64: 1>, group = 4 : i64, pads = array<i64: 2, 1>, strides = array<i64: 3>} : (tensor<2x4x13xf32>, tensor<4x1x5xf32>, tensor<4xf32>) -> tensor<2x4x4xf32>
  %c3 = ds.conv %x3, %w4 {dilations = array<i64: 1, 1, 2>, group = 1 : i64, pads = array<i64: 0, 1, 1, 1, 1, 0>, strides = array<i64: 1, 2, 2>} : (tensor<1x2x5x6x7xf32>, tensor<3x2x2x3x3xf32>) -> tensor<1x3x5x3x2xf32>
  %c4 = ds.conv %x, %w5 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<2x3x9x11xf32>, tensor<5x3x1x1xf32>) -> tensor<2x5x9x11xf32>
  %t0 = ds.conv_transpose %xt, %wt1, %bt1 {dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>, tensor<2xf32>) -> tensor<1x2x10x10xf32>
  %t1 = ds.conv_transpose %xt1, %wt2 {dilations = array<i64: 2>, group = 2 : i64, output_padding = array<i64: 0>, pads = array<i64: 1, 2>, strides = array<i64: 3>} : (tensor<2x4x7xf32>, tensor<4x3x3xf32>) -> tensor<2x6x20xf32>
  %t2 = ds.conv_transpose %xt3, %wt3 {dilations = array<i64: 1, 1, 1>, group = 1 : i64, output_padding = array<i64: 0, 0, 0>, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 2, 2, 2>} : (tensor<1x2x3x3x3xf32>, tensor<2x1x2x2x2xf32>) -> tensor<1x1x6x6x6xf32>
  %p0 = ds.max_pool %x {ceil_mode = 1 : i64, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 0, 0>, strides = array<i64: 2, 2>} : tensor<2x3x9x11xf32> -> tensor<2x3x5x6xf32>
  %p1 = ds.max_pool %x1 {dilations = array<i64: 2>, kernel_shape = array<i64: 3>, pads = array<i64: 1, 1>, strides = array<i64: 2>} : tensor<2x4x13xf32> -> tensor<2x4x6xf32>
  %p2 = ds.avg_pool %x {ceil_mode = 1 : i64, count_include_pad = 0 : i64, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 3>, pads = array<i64: 1, 0, 1, 1>, strides = array<i64: 2, 3>} : tensor<2x3x9x11xf32> -> tensor<2x3x5x4xf32>
  %p3 = ds.avg_pool %x {ceil_mode = 1 : i64, count_include_pad = 1 : i64, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 3>, pads = array<i64: 1, 0, 1, 1>, strides = array<i64: 2, 3>} : tensor<2x3x9x11xf32> -> tensor<2x3x5x4xf32>
  %p4 = ds.avg_pool %x3 {dilations = array<i64: 1, 1, 1>, kernel_shape = array<i64: 2, 2, 2>, pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 2, 2, 2>} : tensor<1x2x5x6x7xf32> -> tensor<1x2x2x3x3xf32>
  %p5 = ds.avg_pool %x1 {count_include_pad = 1 : i64, dilations = array<i64: 3>, kernel_shape = array<i64: 2>, pads = array<i64: 0, 0>, strides = array<i64: 1>} : tensor<2x4x13xf32> -> tensor<2x4x10xf32>
  %va = ds.abs %v : tensor<3xf32>
  %bn = ds.batch_norm %x, %s, %v, %v, %va {epsilon = 1.0e-03 : f64} : (tensor<2x3x9x11xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x9x11xf32>
  %ln7 = ds.weight "ln7" : tensor<7xf32>
  %lb7 = ds.weight "lb7" : tensor<7xf32>
  %ln17 = ds.weight "ln17" : tensor<1x7xf32>
  %ln300 = ds.weight "ln300" : tensor<300xf32>
  %lb300 = ds.weight "lb300" : tensor<300xf32>
  %n0 = ds.layer_norm %r, %ln7, %lb7 {axis = 2 : i64, epsilon = 1.0e-05 : f64} : (tensor<3x5x7xf32>, tensor<7xf32>, tensor<7xf32>) -> tensor<3x5x7xf32>
  %n1 = ds.layer_norm %r, %g {axis = 1 : i64, epsilon = 1.0e-03 : f64} : (tensor<3x5x7xf32>, tensor<5x7xf32>) -> tensor<3x5x7xf32>
  %n2 = ds.layer_norm %r, %ln17, %gb {axis = 1 : i64} : (tensor<3x5x7xf32>, tensor<1x7xf32>, tensor<5x1xf32>) -> tensor<3x5x7xf32>
  %n3 = ds.layer_norm %row, %ln300, %lb300 {axis = 1 : i64} : (tensor<4x300xf32>, tensor<300xf32>, tensor<300xf32>) -> tensor<4x300xf32>
  %q0 = ds.reduce_sum %r {axes = array<i64: 1>, keepdims = 1 : i64} : tensor<3x5x7xf32> -> tensor<3x1x7xf32>
  %q1 = ds.reduce_mean %r {axes = array<i64: 2>, keepdims = 0 : i64} : tensor<3x5x7xf32> -> tensor<3x5xf32>
  %q2 = ds.reduce_max %r {axes = array<i64: 0, 2>, keepdims = 0 : i64} : tensor<3x5x7xf32> -> tensor<5xf32>
  %q3 = ds.reduce_min %r {axes = array<i64>, keepdims = 0 : i64} : tensor<3x5x7xf32> -> tensor<f32>
  %q4 = ds.reduce_prod %r {axes = array<i64: 1, 2>, keepdims = 1 : i64} : tensor<3x5x7xf32> -> tensor<3x1x1xf32>
  %q5 = ds.reduce_sum %row {axes = array<i64: 1>, keepdims = 0 : i64} : tensor<4x300xf32> -> tensor<4xf32>
  %q6 = ds.reduce_sum %j {axes = array<i64: 0>, keepdims = 0 : i64} : tensor<5x7xi32> -> tensor<7xi32>
  %q7 = ds.reduce_max %l {axes = array<i64: 1>, keepdims = 1 : i64} : tensor<4x6xi64> -> tensor<4x1xi64>
  %q8 = ds.reduce_prod %j {axes = array<i64: 1>, keepdims = 0 : i64} : tensor<5x7xi32> -> tensor<5xi32>
  %q9 = ds.reduce_min %l {axes = array<i64: 0>, keepdims = 0 : i64} : tensor<4x6xi64> -> tensor<6xi64>
  return %c0, %c1, %c2, %c3, %c4, %t0, %t1, %t2, %p0, %p1, %p2, %p3, %p4, %p5, %bn, %n0, %n1, %n2, %n3, %q0, %q1, %q2, %q3, %q4, %q5, %q6, %q7, %q8, %q9
    : tensor<2x4x5x10xf32>, tensor<1x6x10x10xf32>, tensor<2x4x4xf32>, tensor<1x3x5x3x2xf32>, tensor<2x5x9x11xf32>, tensor<1x2x10x10xf32>, tensor<2x6x20xf32>, tensor<1x1x6x6x6xf32>, tensor<2x3x5x6xf32>, tensor<2x4x6xf32>, tensor<2x3x5x4xf32>, tensor<2x3x5x4xf32>, tensor<1x2x2x3x3xf32>, tensor<2x4x10xf32>, tensor<2x3x9x11xf32>, tensor<3x5x7xf32>, tensor<3x5x7xf32>, tensor<3x5x7xf32>, tensor<4x300xf32>, tensor<3x1x7xf32>, tensor<3x5xf32>, tensor<5xf32>, tensor<f32>, tensor<3x1x1xf32>, tensor<4xf32>, tensor<7xi32>, tensor<4x1xi64>, tensor<5xi32>, tensor<6xi64>
}
