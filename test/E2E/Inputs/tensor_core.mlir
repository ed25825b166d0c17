// f16 and bf16 matmuls on the tensor-core (WMMA) template
// (test/E2E/tensor-core.test): shapes that fill no tile (1x7x5), edges in
// every dim (33x65x17), whole tiles only (64x96x128, no bounds checks),
// batches (2x40x24x72, and one operand broadcast over the batch), a
// transposed weight absorbed into the operand loads, and bias + relu fused
// into the epilogue; convolutions as implicit GEMMs (3x3 with padding and
// bias over a batch of 2, strided and dilated with a fused relu, 1x1). The
// last output is a GEMV (2 rows: not a tensor-core shape) whose fused bf16
// epilogue, like the tensor-core ones, sees the matmul rounded to bf16.
func.func @main(%a0: tensor<1x7xf16>, %b0: tensor<7x5xf16>,
                %a1: tensor<33x65xf16>, %b1: tensor<65x17xf16>,
                %a2: tensor<64x96xbf16>, %b2: tensor<96x128xbf16>,
                %a3: tensor<2x40x24xf16>, %b3: tensor<2x24x72xf16>,
                %a4: tensor<3x20x40xbf16>, %b4: tensor<40x33xbf16>,
                %x5: tensor<33x40xf16>, %w5: tensor<24x40xf16>, %bias5: tensor<24xf16>,
                %x6: tensor<17x48xbf16>, %w6: tensor<19x48xbf16>, %bias6: tensor<19xbf16>,
                %ci: tensor<2x8x12x12xf16>, %cw: tensor<24x8x3x3xf16>, %cb: tensor<24xf16>,
                %di: tensor<1x16x11x9xbf16>, %dw: tensor<32x16x3x2xbf16>,
                %ei: tensor<1x40x30xf16>, %ew: tensor<16x40x1xf16>,
                %gx: tensor<2x160xbf16>, %gw: tensor<160x40xbf16>, %gb: tensor<40xbf16>)
    -> (tensor<1x5xf16> {ds.name = "f16_1x7x5"},
        tensor<33x17xf16> {ds.name = "f16_33x65x17"},
        tensor<64x128xbf16> {ds.name = "bf16_64x96x128"},
        tensor<2x40x72xf16> {ds.name = "f16_batched"},
        tensor<3x20x33xbf16> {ds.name = "bf16_broadcast_batch"},
        tensor<33x24xf16> {ds.name = "f16_transposed_bias_relu"},
        tensor<17x19xbf16> {ds.name = "bf16_transposed_bias_relu"},
        tensor<2x24x12x12xf16> {ds.name = "f16_conv3x3_bias"},
        tensor<1x32x6x8xbf16> {ds.name = "bf16_conv_strided_dilated_relu"},
        tensor<1x16x30xf16> {ds.name = "f16_conv1x1"},
        tensor<2x40xbf16> {ds.name = "bf16_gemv_bias_relu"}) {
  %m0 = ds.matmul %a0, %b0 : (tensor<1x7xf16>, tensor<7x5xf16>) -> tensor<1x5xf16>
  %m1 = ds.matmul %a1, %b1 : (tensor<33x65xf16>, tensor<65x17xf16>) -> tensor<33x17xf16>
  %m2 = ds.matmul %a2, %b2 : (tensor<64x96xbf16>, tensor<96x128xbf16>) -> tensor<64x128xbf16>
  %m3 = ds.matmul %a3, %b3 : (tensor<2x40x24xf16>, tensor<2x24x72xf16>) -> tensor<2x40x72xf16>
  %m4 = ds.matmul %a4, %b4 : (tensor<3x20x40xbf16>, tensor<40x33xbf16>) -> tensor<3x20x33xbf16>
  %t5 = ds.transpose %w5, perm = [1, 0] : tensor<24x40xf16> -> tensor<40x24xf16>
  %m5 = ds.matmul %x5, %t5 : (tensor<33x40xf16>, tensor<40x24xf16>) -> tensor<33x24xf16>
  %s5 = ds.add %m5, %bias5 : (tensor<33x24xf16>, tensor<24xf16>) -> tensor<33x24xf16>
  %r5 = ds.relu %s5 : tensor<33x24xf16>
  %t6 = ds.transpose %w6, perm = [1, 0] : tensor<19x48xbf16> -> tensor<48x19xbf16>
  %m6 = ds.matmul %x6, %t6 : (tensor<17x48xbf16>, tensor<48x19xbf16>) -> tensor<17x19xbf16>
  %s6 = ds.add %m6, %bias6 : (tensor<17x19xbf16>, tensor<19xbf16>) -> tensor<17x19xbf16>
  %r6 = ds.relu %s6 : tensor<17x19xbf16>
  %c7 = ds.conv %ci, %cw, %cb {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<2x8x12x12xf16>, tensor<24x8x3x3xf16>, tensor<24xf16>) -> tensor<2x24x12x12xf16>
  %c8 = ds.conv %di, %dw {dilations = array<i64: 1, 2>, pads = array<i64: 1, 0, 1, 1>, strides = array<i64: 2, 1>} : (tensor<1x16x11x9xbf16>, tensor<32x16x3x2xbf16>) -> tensor<1x32x6x8xbf16>
  %r8 = ds.relu %c8 : tensor<1x32x6x8xbf16>
  %c9 = ds.conv %ei, %ew {dilations = array<i64: 1>, pads = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<1x40x30xf16>, tensor<16x40x1xf16>) -> tensor<1x16x30xf16>
  %g0 = ds.matmul %gx, %gw : (tensor<2x160xbf16>, tensor<160x40xbf16>) -> tensor<2x40xbf16>
  %g1 = ds.add %g0, %gb : (tensor<2x40xbf16>, tensor<40xbf16>) -> tensor<2x40xbf16>
  %g2 = ds.relu %g1 : tensor<2x40xbf16>
  return %m0, %m1, %m2, %m3, %m4, %r5, %r6, %c7, %r8, %c9, %g2 : tensor<1x5xf16>, tensor<33x17xf16>, tensor<64x128xbf16>, tensor<2x40x72xf16>, tensor<3x20x33xbf16>, tensor<33x24xf16>, tensor<17x19xbf16>, tensor<2x24x12x12xf16>, tensor<1x32x6x8xbf16>, tensor<1x16x30xf16>, tensor<2x40xbf16>
}
