// Every elementwise op codegen supports, f32 and the integer and i1
// variants ops.md allows: odd sizes, broadcasting on either side, casts
// between all element types. Integer divisors are shifted away from 0.
func.func @main(%x: tensor<3x5x7xf32> {ds.name = "x"}, %y: tensor<5x1xf32> {ds.name = "y"},
                %z: tensor<7xf32> {ds.name = "z"}, %i: tensor<3x1x7xi32> {ds.name = "i"},
                %j: tensor<5x7xi32> {ds.name = "j"}, %l: tensor<4x6xi64> {ds.name = "l"},
                %m: tensor<6xi64> {ds.name = "m"}, %p: tensor<3x5x7xi1> {ds.name = "p"},
                %q: tensor<5x1xi1> {ds.name = "q"})
    -> (tensor<3x5x7xf32> {ds.name = "unary_a"}, tensor<3x5x7xf32> {ds.name = "unary_b"},
        tensor<3x5x7xf32> {ds.name = "log"}, tensor<3x5x7xf32> {ds.name = "reciprocal"},
        tensor<3x5x7xf32> {ds.name = "clip"}, tensor<3x5x7xf32> {ds.name = "binary"},
        tensor<3x5x7xf32> {ds.name = "pow"}, tensor<3x5x7xi1> {ds.name = "compare"},
        tensor<3x5x7xf32> {ds.name = "where"}, tensor<5x7xi32> {ds.name = "where_int"},
        tensor<3x5x7xi32> {ds.name = "int32"}, tensor<4x6xi64> {ds.name = "int64"},
        tensor<3x5x7xi1> {ds.name = "int_compare"}, tensor<3x5x7xi1> {ds.name = "logic"},
        tensor<3x5x7xi32> {ds.name = "to_i32"}, tensor<3x5x7xi64> {ds.name = "to_i64"},
        tensor<3x5x7xi1> {ds.name = "to_i1"}, tensor<3x5x7xf16> {ds.name = "to_f16"},
        tensor<3x5x7xbf16> {ds.name = "to_bf16"}, tensor<3x5x7xf32> {ds.name = "from_ints"},
        tensor<4x6xi32> {ds.name = "i64_to_i32"}, tensor<3x5x7xf32> {ds.name = "through_f16"}) {
  %c100 = ds.constant dense<100.0> : tensor<f32>
  %c1 = ds.constant dense<1> : tensor<i32>
  %c5 = ds.constant dense<5> : tensor<i32>
  %c1l = ds.constant dense<1> : tensor<i64>
  // Unary f32 ops, summed so that one output checks several.
  %u0 = ds.abs %x : tensor<3x5x7xf32>
  %u1 = ds.hard_swish %x : tensor<3x5x7xf32>
  %u2 = ds.leaky_relu %x {alpha = 0.1 : f64} : tensor<3x5x7xf32>
  %u3 = ds.hard_sigmoid %x {alpha = 0.3 : f64, beta = 0.4 : f64} : tensor<3x5x7xf32>
  %u4 = ds.neg %x : tensor<3x5x7xf32>
  %u5 = ds.exp %x : tensor<3x5x7xf32>
  %u6 = ds.sqrt %u0 : tensor<3x5x7xf32>
  %u7 = ds.tanh %x : tensor<3x5x7xf32>
  %u8 = ds.erf %x : tensor<3x5x7xf32>
  %u9 = ds.relu %x : tensor<3x5x7xf32>
  %u10 = ds.sigmoid %x : tensor<3x5x7xf32>
  %u11 = ds.gelu %x {approximate = "tanh"} : tensor<3x5x7xf32>
  %a0 = ds.add %u0, %u1 : (tensor<3x5x7xf32>, tensor<3x5x7xf32>) -> tensor<3x5x7xf32>
  %a1 = ds.add %a0, %u2 : (tensor<3x5x7xf32>, tensor<3x5x7xf32>) -> tensor<3x5x7xf32>
  %a2 = ds.add %a1, %u3 : (tensor<3x5x7xf32>, tensor<3x5x7xf32>) -> tensor<3x5x7xf32>
  %a3 = ds.add %a2, %u4 : (tensor<3x5x7xf32>, tensor<3x5x7xf32>) -> tensor<3x5x7xf32>
  %a4 = ds.sub %u5, %u6 : (tensor<3x5x7xf32>, tensor<3x5x7xf32>) -> tensor<3x5x7xf32>
  %a5 = ds.mul %a4, %u7 : (tensor<3x5x7xf32>, tensor<3x5x7xf32>) -> tensor<3x5x7xf32>
  %a6 = ds.add %a5, %u8 : (tensor<3x5x7xf32>, tensor<3x5x7xf32>) -> tensor<3x5x7xf32>
  %a7 = ds.add %a6, %u9 : (tensor<3x5x7xf32>, tensor<3x5x7xf32>) -> tensor<3x5x7xf32>
  %a8 = ds.add %a7, %u10 : (tensor<3x5x7xf32>, tensor<3x5x7xf32>) -> tensor<3x5x7xf32>
  %a9 = ds.add %a8, %u11 : (tensor<3x5x7xf32>, tensor<3x5x7xf32>) -> tensor<3x5x7xf32>
  // NaN for negative inputs on both sides.
  %log = ds.log %x : tensor<3x5x7xf32>
  %rcp = ds.reciprocal %x : tensor<3x5x7xf32>
  %cl0 = ds.clip %x {min = -0.5 : f64, max = 0.25 : f64} : tensor<3x5x7xf32>
  %cl1 = ds.clip %x {max = 0.3 : f64} : tensor<3x5x7xf32>
  %cl2 = ds.clip %x {min = -0.1 : f64} : tensor<3x5x7xf32>
  %cl3 = ds.add %cl0, %cl1 : (tensor<3x5x7xf32>, tensor<3x5x7xf32>) -> tensor<3x5x7xf32>
  %cl = ds.mul %cl3, %cl2 : (tensor<3x5x7xf32>, tensor<3x5x7xf32>) -> tensor<3x5x7xf32>
  // Binary f32 ops, broadcasting on either side.
  %b0 = ds.max %x, %y : (tensor<3x5x7xf32>, tensor<5x1xf32>) -> tensor<3x5x7xf32>
  %b1 = ds.min %z, %x : (tensor<7xf32>, tensor<3x5x7xf32>) -> tensor<3x5x7xf32>
  %b2 = ds.prelu %x, %z : (tensor<3x5x7xf32>, tensor<7xf32>) -> tensor<3x5x7xf32>
  %b3 = ds.div %y, %x : (tensor<5x1xf32>, tensor<3x5x7xf32>) -> tensor<3x5x7xf32>
  %b4 = ds.add %b0, %b1 : (tensor<3x5x7xf32>, tensor<3x5x7xf32>) -> tensor<3x5x7xf32>
  %b5 = ds.sub %b4, %b2 : (tensor<3x5x7xf32>, tensor<3x5x7xf32>) -> tensor<3x5x7xf32>
  %bin = ds.mul %b5, %b3 : (tensor<3x5x7xf32>, tensor<3x5x7xf32>) -> tensor<3x5x7xf32>
  %pw0 = ds.abs %y : tensor<5x1xf32>
  %pow = ds.pow %pw0, %x : (tensor<5x1xf32>, tensor<3x5x7xf32>) -> tensor<3x5x7xf32>
  // Comparisons and logic.
  %k0 = ds.less %x, %y : (tensor<3x5x7xf32>, tensor<5x1xf32>) -> tensor<3x5x7xi1>
  %k1 = ds.greater_equal %z, %x : (tensor<7xf32>, tensor<3x5x7xf32>) -> tensor<3x5x7xi1>
  %k2 = ds.xor %k0, %k1 : (tensor<3x5x7xi1>, tensor<3x5x7xi1>) -> tensor<3x5x7xi1>
  %k3 = ds.less_equal %x, %z : (tensor<3x5x7xf32>, tensor<7xf32>) -> tensor<3x5x7xi1>
  %k4 = ds.greater %x, %x : (tensor<3x5x7xf32>, tensor<3x5x7xf32>) -> tensor<3x5x7xi1>
  %k5 = ds.or %k3, %k4 : (tensor<3x5x7xi1>, tensor<3x5x7xi1>) -> tensor<3x5x7xi1>
  %k6 = ds.equal %k2, %k5 : (tensor<3x5x7xi1>, tensor<3x5x7xi1>) -> tensor<3x5x7xi1>
  %cmp = ds.and %k6, %q : (tensor<3x5x7xi1>, tensor<5x1xi1>) -> tensor<3x5x7xi1>
  %nq = ds.not %p : tensor<3x5x7xi1>
  %lg = ds.xor %nq, %q : (tensor<3x5x7xi1>, tensor<5x1xi1>) -> tensor<3x5x7xi1>
  %wh = ds.where %p, %x, %y : (tensor<3x5x7xi1>, tensor<3x5x7xf32>, tensor<5x1xf32>) -> tensor<3x5x7xf32>
  %wi = ds.where %q, %j, %c5 : (tensor<5x1xi1>, tensor<5x7xi32>, tensor<i32>) -> tensor<5x7xi32>
  // i32: wrapping arithmetic, truncating division, clip to integer bounds.
  %n0 = ds.sub %i, %j : (tensor<3x1x7xi32>, tensor<5x7xi32>) -> tensor<3x5x7xi32>
  %n1 = ds.add %j, %c1 : (tensor<5x7xi32>, tensor<i32>) -> tensor<5x7xi32>
  %n2 = ds.div %n0, %n1 : (tensor<3x5x7xi32>, tensor<5x7xi32>) -> tensor<3x5x7xi32>
  %n3 = ds.neg %n0 : tensor<3x5x7xi32>
  %n4 = ds.abs %n0 : tensor<3x5x7xi32>
  %n5 = ds.clip %n0 {min = -3.5 : f64, max = 4.2 : f64} : tensor<3x5x7xi32>
  %n6 = ds.max %n3, %n5 : (tensor<3x5x7xi32>, tensor<3x5x7xi32>) -> tensor<3x5x7xi32>
  %n7 = ds.min %n4, %i : (tensor<3x5x7xi32>, tensor<3x1x7xi32>) -> tensor<3x5x7xi32>
  %n8 = ds.mul %n6, %n7 : (tensor<3x5x7xi32>, tensor<3x5x7xi32>) -> tensor<3x5x7xi32>
  %i32 = ds.add %n8, %n2 : (tensor<3x5x7xi32>, tensor<3x5x7xi32>) -> tensor<3x5x7xi32>
  // i64.
  %e0 = ds.sub %m, %l : (tensor<6xi64>, tensor<4x6xi64>) -> tensor<4x6xi64>
  %e1 = ds.add %m, %c1l : (tensor<6xi64>, tensor<i64>) -> tensor<6xi64>
  %e2 = ds.div %e0, %e1 : (tensor<4x6xi64>, tensor<6xi64>) -> tensor<4x6xi64>
  %e3 = ds.mul %e0, %e0 : (tensor<4x6xi64>, tensor<4x6xi64>) -> tensor<4x6xi64>
  %e4 = ds.max %e2, %e3 : (tensor<4x6xi64>, tensor<4x6xi64>) -> tensor<4x6xi64>
  %e5 = ds.clip %e0 {min = -2.0 : f64} : tensor<4x6xi64>
  %e6 = ds.abs %e5 : tensor<4x6xi64>
  %i64 = ds.sub %e4, %e6 : (tensor<4x6xi64>, tensor<4x6xi64>) -> tensor<4x6xi64>
  %ic0 = ds.less %n0, %n5 : (tensor<3x5x7xi32>, tensor<3x5x7xi32>) -> tensor<3x5x7xi1>
  %ic1 = ds.equal %i, %j : (tensor<3x1x7xi32>, tensor<5x7xi32>) -> tensor<3x5x7xi1>
  %icmp = ds.or %ic0, %ic1 : (tensor<3x5x7xi1>, tensor<3x5x7xi1>) -> tensor<3x5x7xi1>
  // Casts between every pair of kinds.
  %big = ds.mul %x, %c100 : (tensor<3x5x7xf32>, tensor<f32>) -> tensor<3x5x7xf32>
  %ti = ds.cast %big : tensor<3x5x7xf32> -> tensor<3x5x7xi32>
  %tl = ds.cast %big : tensor<3x5x7xf32> -> tensor<3x5x7xi64>
  %t1 = ds.cast %x : tensor<3x5x7xf32> -> tensor<3x5x7xi1>
  %th = ds.cast %big : tensor<3x5x7xf32> -> tensor<3x5x7xf16>
  %tb = ds.cast %big : tensor<3x5x7xf32> -> tensor<3x5x7xbf16>
  %fi = ds.cast %n0 : tensor<3x5x7xi32> -> tensor<3x5x7xf32>
  %fp = ds.cast %p : tensor<3x5x7xi1> -> tensor<3x5x7xf32>
  %fl = ds.cast %e0 : tensor<4x6xi64> -> tensor<4x6xf32>
  %pi = ds.cast %p : tensor<3x5x7xi1> -> tensor<3x5x7xi32>
  %fl1 = ds.reduce_sum %fl {axes = array<i64: 0, 1>, keepdims = 0 : i64} : tensor<4x6xf32> -> tensor<f32>
  %f0 = ds.add %fi, %fp : (tensor<3x5x7xf32>, tensor<3x5x7xf32>) -> tensor<3x5x7xf32>
  %f1 = ds.add %f0, %fl1 : (tensor<3x5x7xf32>, tensor<f32>) -> tensor<3x5x7xf32>
  %fpi = ds.cast %pi : tensor<3x5x7xi32> -> tensor<3x5x7xf32>
  %froms = ds.sub %f1, %fpi : (tensor<3x5x7xf32>, tensor<3x5x7xf32>) -> tensor<3x5x7xf32>
  %li = ds.cast %e0 : tensor<4x6xi64> -> tensor<4x6xi32>
  %il = ds.cast %ti : tensor<3x5x7xi32> -> tensor<3x5x7xi64>
  %ilsum = ds.add %il, %tl : (tensor<3x5x7xi64>, tensor<3x5x7xi64>) -> tensor<3x5x7xi64>
  %ilf = ds.cast %ilsum : tensor<3x5x7xi64> -> tensor<3x5x7xf32>
  %bh = ds.cast %tb : tensor<3x5x7xbf16> -> tensor<3x5x7xf16>
  %hf = ds.cast %bh : tensor<3x5x7xf16> -> tensor<3x5x7xf32>
  %thf = ds.add %hf, %ilf : (tensor<3x5x7xf32>, tensor<3x5x7xf32>) -> tensor<3x5x7xf32>
  return %a9, %a3, %log, %rcp, %cl, %bin, %pow, %cmp, %wh, %wi, %i32, %i64, %icmp, %lg, %ti, %tl, %t1, %th, %tb, %froms, %li, %thf
    : tensor<3x5x7xf32>, tensor<3x5x7xf32>, tensor<3x5x7xf32>, tensor<3x5x7xf32>, tensor<3x5x7xf32>, tensor<3x5x7xf32>, tensor<3x5x7xf32>, tensor<3x5x7xi1>, tensor<3x5x7xf32>, tensor<5x7xi32>, tensor<3x5x7xi32>, tensor<4x6xi64>, tensor<3x5x7xi1>, tensor<3x5x7xi1>, tensor<3x5x7xi32>, tensor<3x5x7xi64>, tensor<3x5x7xi1>, tensor<3x5x7xf16>, tensor<3x5x7xbf16>, tensor<3x5x7xf32>, tensor<4x6xi32>, tensor<3x5x7xf32>
}
