// Data movement: concat of several operands, slices with negative steps,
// negative axes and clamped ends, gather with i32/i64 and negative indices,
// expand, tile, pad (constant with a value, reflect, edge, cropping), resize
// (nearest in every rounding mode, linear and trilinear in every coordinate
// mode, from scales and from sizes; in the generic form, which every
// revision of the custom assembly parses), trilu, and range/constant_of_shape
// results too large to be folded.
func.func @main(%a: tensor<2x3x4xf32> {ds.name = "a"}, %b: tensor<2x1x4xf32> {ds.name = "b"},
                %c: tensor<2x5x4xf32> {ds.name = "c"}, %ia: tensor<2x3xi64> {ds.name = "ia"},
                %ib: tensor<1x3xi64> {ds.name = "ib"}, %x: tensor<5x7x9xf32> {ds.name = "x"},
                %d: tensor<10x4xf32> {ds.name = "d"}, %idx: tensor<2x3xi64> {ds.name = "idx"},
                %e: tensor<3x1xf32> {ds.name = "e"}, %t: tensor<2x3xi32> {ds.name = "t"},
                %p: tensor<3x5xf32> {ds.name = "p"}, %img: tensor<2x3x5x6xf32> {ds.name = "img"},
                %r: tensor<1x2x4x5xf32> {ds.name = "r"}, %r3: tensor<1x1x3x4x5xf32> {ds.name = "r3"},
                %m: tensor<2x4x5xf32> {ds.name = "m"}, %mb: tensor<4x4xi1> {ds.name = "mb"})
    -> (tensor<2x9x4xf32> {ds.name = "concat"}, tensor<3x3xi64> {ds.name = "concat_i64"},
        tensor<3x7x2xf32> {ds.name = "slice_negative"}, tensor<5x7x4xf32> {ds.name = "slice_clamped"},
        tensor<5x3x9xf32> {ds.name = "slice_split"},
        tensor<2x3x4xf32> {ds.name = "gather"}, tensor<5x4x9xf32> {ds.name = "gather_negative"},
        tensor<5x7xf32> {ds.name = "gather_scalar"},
        tensor<2x3x4xf32> {ds.name = "expand"}, tensor<4x9xi32> {ds.name = "tile"},
        tensor<4x10xf32> {ds.name = "pad_constant"}, tensor<2x3x8x13xf32> {ds.name = "pad_reflect"},
        tensor<6x9xf32> {ds.name = "pad_edge"}, tensor<2x5xf32> {ds.name = "pad_crop"},
        tensor<1x2x8x7xf32> {ds.name = "nearest_asymmetric_floor"},
        tensor<1x2x3x8xf32> {ds.name = "nearest_half_pixel_ceil"},
        tensor<1x2x2x10xf32> {ds.name = "nearest_tf_ceil"},
        tensor<1x2x7x3xf32> {ds.name = "nearest_align_corners"},
        tensor<1x2x8x10xf32> {ds.name = "linear_half_pixel"},
        tensor<1x2x7x9xf32> {ds.name = "linear_align_corners"},
        tensor<1x2x1x3xf32> {ds.name = "linear_pytorch"},
        tensor<1x2x2x8xf32> {ds.name = "linear_asymmetric"},
        tensor<1x1x5x6x4xf32> {ds.name = "trilinear"},
        tensor<2x4x5xf32> {ds.name = "triu"}, tensor<2x4x5xf32> {ds.name = "tril"},
        tensor<4x4xi1> {ds.name = "tril_i1"},
        tensor<110xf32> {ds.name = "range_f32"}, tensor<103xi64> {ds.name = "range_i64"},
        tensor<4x20xf32> {ds.name = "fill_f32"}, tensor<4x20xi64> {ds.name = "fill_i64"},
        tensor<4x20xf16> {ds.name = "fill_f16"}, tensor<4x20xi1> {ds.name = "fill_i1"}) {
  %cat = ds.concat %a, %b, %c {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x1x4xf32>, tensor<2x5x4xf32>) -> tensor<2x9x4xf32>
  %cati = ds.concat %ia, %ib {axis = 0 : i64} : (tensor<2x3xi64>, tensor<1x3xi64>) -> tensor<3x3xi64>
  %s0b = ds.constant dense<[-1, 6]> : tensor<2xi64>
  %s0e = ds.constant dense<[-100, 0]> : tensor<2xi64>
  %s0a = ds.constant dense<[0, 2]> : tensor<2xi64>
  %s0s = ds.constant dense<[-2, -3]> : tensor<2xi64>
  %sl0 = ds.slice %x, %s0b, %s0e, %s0a, %s0s : (tensor<5x7x9xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<3x7x2xf32>
  %s1b = ds.constant dense<1> : tensor<1xi64>
  %s1e = ds.constant dense<1000> : tensor<1xi64>
  %s1a = ds.constant dense<-1> : tensor<1xi64>
  %s1s = ds.constant dense<2> : tensor<1xi64>
  %sl1 = ds.slice %x, %s1b, %s1e, %s1a, %s1s : (tensor<5x7x9xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<5x7x4xf32>
  %s2b = ds.constant dense<2> : tensor<1xi64>
  %s2e = ds.constant dense<5> : tensor<1xi64>
  %s2a = ds.constant dense<1> : tensor<1xi64>
  %s2s = ds.constant dense<1> : tensor<1xi64>
  %sl2 = ds.slice %x, %s2b, %s2e, %s2a, %s2s : (tensor<5x7x9xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<5x3x9xf32>
  %g0 = ds.gather %d, %idx {axis = 0 : i64} : (tensor<10x4xf32>, tensor<2x3xi64>) -> tensor<2x3x4xf32>
  %gi = ds.constant dense<[-1, 0, 2, -7]> : tensor<4xi32>
  %g1 = ds.gather %x, %gi {axis = 1 : i64} : (tensor<5x7x9xf32>, tensor<4xi32>) -> tensor<5x4x9xf32>
  %gs = ds.constant dense<-2> : tensor<i64>
  %g2 = ds.gather %x, %gs {axis = 2 : i64} : (tensor<5x7x9xf32>, tensor<i64>) -> tensor<5x7xf32>
  %es = ds.constant dense<[2, 3, 4]> : tensor<3xi64>
  %ex = ds.expand %e, %es : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<2x3x4xf32>
  %tr = ds.constant dense<[2, 3]> : tensor<2xi64>
  %ti = ds.tile %t, %tr : (tensor<2x3xi32>, tensor<2xi64>) -> tensor<4x9xi32>
  %pp0 = ds.constant dense<[1, 2, 0, 3]> : tensor<4xi64>
  %pv = ds.constant dense<1.5> : tensor<f32>
  %pd0 = ds.pad %p, %pp0, %pv {mode = "constant"} : (tensor<3x5xf32>, tensor<4xi64>, tensor<f32>) -> tensor<4x10xf32>
  %pp1 = ds.constant dense<[0, 0, 2, 3, 0, 0, 1, 4]> : tensor<8xi64>
  %pd1 = ds.pad %img, %pp1 {mode = "reflect"} : (tensor<2x3x5x6xf32>, tensor<8xi64>) -> tensor<2x3x8x13xf32>
  %pp2 = ds.constant dense<[2, 0, 1, 4]> : tensor<4xi64>
  %pd2 = ds.pad %p, %pp2 {mode = "edge"} : (tensor<3x5xf32>, tensor<4xi64>) -> tensor<6x9xf32>
  %pp3 = ds.constant dense<[-1, 2, 0, -2]> : tensor<4xi64>
  %pd3 = ds.pad %p, %pp3 : (tensor<3x5xf32>, tensor<4xi64>) -> tensor<2x5xf32>
  %rs0 = ds.constant dense<[1.0, 1.0, 2.0, 1.5]> : tensor<4xf32>
  %rz0 = "ds.resize"(%r, %rs0) <{coordinate_transformation_mode = "asymmetric", mode = "nearest", nearest_mode = "floor", operandSegmentSizes = array<i32: 1, 1, 0>}> : (tensor<1x2x4x5xf32>, tensor<4xf32>) -> tensor<1x2x8x7xf32>
  %rn1 = ds.constant dense<[1, 2, 3, 8]> : tensor<4xi64>
  %rz1 = "ds.resize"(%r, %rn1) <{coordinate_transformation_mode = "half_pixel", mode = "nearest", nearest_mode = "round_prefer_ceil", operandSegmentSizes = array<i32: 1, 0, 1>}> : (tensor<1x2x4x5xf32>, tensor<4xi64>) -> tensor<1x2x3x8xf32>
  %rs2 = ds.constant dense<[1.0, 1.0, 0.5, 2.0]> : tensor<4xf32>
  %rz2 = "ds.resize"(%r, %rs2) <{coordinate_transformation_mode = "tf_half_pixel_for_nn", mode = "nearest", nearest_mode = "ceil", operandSegmentSizes = array<i32: 1, 1, 0>}> : (tensor<1x2x4x5xf32>, tensor<4xf32>) -> tensor<1x2x2x10xf32>
  %rn3 = ds.constant dense<[1, 2, 7, 3]> : tensor<4xi64>
  %rz3 = "ds.resize"(%r, %rn3) <{coordinate_transformation_mode = "align_corners", mode = "nearest", operandSegmentSizes = array<i32: 1, 0, 1>}> : (tensor<1x2x4x5xf32>, tensor<4xi64>) -> tensor<1x2x7x3xf32>
  %rs4 = ds.constant dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>
  %rz4 = "ds.resize"(%r, %rs4) <{mode = "linear", operandSegmentSizes = array<i32: 1, 1, 0>}> : (tensor<1x2x4x5xf32>, tensor<4xf32>) -> tensor<1x2x8x10xf32>
  %rn5 = ds.constant dense<[1, 2, 7, 9]> : tensor<4xi64>
  %rz5 = "ds.resize"(%r, %rn5) <{coordinate_transformation_mode = "align_corners", mode = "linear", operandSegmentSizes = array<i32: 1, 0, 1>}> : (tensor<1x2x4x5xf32>, tensor<4xi64>) -> tensor<1x2x7x9xf32>
  %rn6 = ds.constant dense<[1, 2, 1, 3]> : tensor<4xi64>
  %rz6 = "ds.resize"(%r, %rn6) <{coordinate_transformation_mode = "pytorch_half_pixel", mode = "linear", operandSegmentSizes = array<i32: 1, 0, 1>}> : (tensor<1x2x4x5xf32>, tensor<4xi64>) -> tensor<1x2x1x3xf32>
  %rs7 = ds.constant dense<[1.0, 1.0, 0.6, 1.7]> : tensor<4xf32>
  %rz7 = "ds.resize"(%r, %rs7) <{coordinate_transformation_mode = "asymmetric", mode = "linear", operandSegmentSizes = array<i32: 1, 1, 0>}> : (tensor<1x2x4x5xf32>, tensor<4xf32>) -> tensor<1x2x2x8xf32>
  %rn8 = ds.constant dense<[1, 1, 5, 6, 4]> : tensor<5xi64>
  %rz8 = "ds.resize"(%r3, %rn8) <{mode = "linear", operandSegmentSizes = array<i32: 1, 0, 1>}> : (tensor<1x1x3x4x5xf32>, tensor<5xi64>) -> tensor<1x1x5x6x4xf32>
  %k1 = ds.constant dense<1> : tensor<i64>
  %km = ds.constant dense<-1> : tensor<i64>
  %tu = ds.trilu %m, %k1 {upper = 1 : i64} : (tensor<2x4x5xf32>, tensor<i64>) -> tensor<2x4x5xf32>
  %tl = ds.trilu %m, %km {upper = 0 : i64} : (tensor<2x4x5xf32>, tensor<i64>) -> tensor<2x4x5xf32>
  %tb = ds.trilu %mb {upper = 0 : i64} : (tensor<4x4xi1>) -> tensor<4x4xi1>
  %f0 = ds.constant dense<2.5> : tensor<f32>
  %f1 = ds.constant dense<30.0> : tensor<f32>
  %f2 = ds.constant dense<0.25> : tensor<f32>
  %rgf = ds.range %f0, %f1, %f2 : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<110xf32>
  %l0 = ds.constant dense<-5> : tensor<i64>
  %l1 = ds.constant dense<200> : tensor<i64>
  %l2 = ds.constant dense<2> : tensor<i64>
  %rgi = ds.range %l0, %l1, %l2 : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<103xi64>
  %cs = ds.constant dense<[4, 20]> : tensor<2xi64>
  %cf = ds.constant_of_shape %cs {value = dense<0.75> : tensor<1xf32>} : tensor<2xi64> -> tensor<4x20xf32>
  %ci = ds.constant_of_shape %cs {value = dense<-3> : tensor<1xi64>} : tensor<2xi64> -> tensor<4x20xi64>
  %ch = ds.constant_of_shape %cs {value = dense<1.5> : tensor<1xf16>} : tensor<2xi64> -> tensor<4x20xf16>
  %cb = ds.constant_of_shape %cs {value = dense<true> : tensor<1xi1>} : tensor<2xi64> -> tensor<4x20xi1>
  return %cat, %cati, %sl0, %sl1, %sl2, %g0, %g1, %g2, %ex, %ti, %pd0, %pd1, %pd2, %pd3, %rz0, %rz1, %rz2, %rz3, %rz4, %rz5, %rz6, %rz7, %rz8, %tu, %tl, %tb, %rgf, %rgi, %cf, %ci, %ch, %cb
    : tensor<2x9x4xf32>, tensor<3x3xi64>, tensor<3x7x2xf32>, tensor<5x7x4xf32>, tensor<5x3x9xf32>, tensor<2x3x4xf32>, tensor<5x4x9xf32>, tensor<5x7xf32>, tensor<2x3x4xf32>, tensor<4x9xi32>, tensor<4x10xf32>, tensor<2x3x8x13xf32>, tensor<6x9xf32>, tensor<2x5xf32>, tensor<1x2x8x7xf32>, tensor<1x2x3x8xf32>, tensor<1x2x2x10xf32>, tensor<1x2x7x3xf32>, tensor<1x2x8x10xf32>, tensor<1x2x7x9xf32>, tensor<1x2x1x3xf32>, tensor<1x2x2x8xf32>, tensor<1x1x5x6x4xf32>, tensor<2x4x5xf32>, tensor<2x4x5xf32>, tensor<4x4xi1>, tensor<110xf32>, tensor<103xi64>, tensor<4x20xf32>, tensor<4x20xi64>, tensor<4x20xf16>, tensor<4x20xi1>
}
