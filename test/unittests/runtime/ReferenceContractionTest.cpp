//===- ReferenceContractionTest.cpp - matmul, conv, pooling tests ---------===//
//
// The im2col/GEMM convolutions and the blocked GEMM against hand-computed
// values and against naive loops written independently here (direct
// definitions of the ONNX ops, accumulated in double). Tolerances: the
// reference accumulates GEMMs in float, so results agree with the double
// loops to ~1e-5 relative for the sizes used.
//
//===----------------------------------------------------------------------===//

#include "runtime/ReferenceSupport.h"
#include "test/unittests/runtime/ReferenceTestUtil.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>

using namespace ds::runtime;
using namespace ds::runtime::testing;

namespace {

using Shape = std::vector<int64_t>;

int64_t numel(const Shape &s) {
  int64_t n = 1;
  for (int64_t d : s)
    n *= d;
  return n;
}

/// Row-major multi-index of `linear`.
Shape decode(int64_t linear, const Shape &shape) {
  Shape idx(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    idx[d] = linear % shape[d];
    linear /= shape[d];
  }
  return idx;
}

int64_t encode(const Shape &idx, const Shape &shape) {
  int64_t linear = 0;
  for (size_t d = 0; d < shape.size(); ++d)
    linear = linear * shape[d] + idx[d];
  return linear;
}

void expectClose(const HostTensor &got, const std::vector<double> &want,
                 double rtol, double atol) {
  ASSERT_EQ(static_cast<size_t>(got.type.numElements()), want.size());
  for (size_t i = 0; i < want.size(); ++i)
    ASSERT_NEAR(got.getAsDouble(static_cast<int64_t>(i)), want[i],
                atol + rtol * std::fabs(want[i]))
        << "element " << i;
}

struct ConvParams {
  Shape x, w;
  int64_t group = 1;
  Shape strides, dilations, pads, outputPadding;
  bool bias = false;
};

std::map<std::string, RefAttr> convAttrs(const ConvParams &p) {
  std::map<std::string, RefAttr> a = {{"group", ints({p.group})},
                                      {"strides", ints(p.strides)},
                                      {"dilations", ints(p.dilations)},
                                      {"pads", ints(p.pads)}};
  if (!p.outputPadding.empty())
    a["output_padding"] = ints(p.outputPadding);
  return a;
}

/// ONNX Conv by its definition: one output at a time, every tap checked.
std::vector<double> naiveConv(const ConvParams &p, const std::vector<float> &x,
                              const std::vector<float> &w,
                              const std::vector<float> &bias, Shape &outShape) {
  size_t r = p.x.size() - 2;
  int64_t cg = p.x[1] / p.group, mg = p.w[0] / p.group;
  outShape = {p.x[0], p.w[0]};
  for (size_t d = 0; d < r; ++d)
    outShape.push_back((p.x[d + 2] + p.pads[d] + p.pads[r + d] -
                        p.dilations[d] * (p.w[d + 2] - 1) - 1) /
                           p.strides[d] +
                       1);
  Shape kernel(p.w.begin() + 2, p.w.end());
  std::vector<double> out(static_cast<size_t>(numel(outShape)));
  for (int64_t o = 0; o < numel(outShape); ++o) {
    Shape oi = decode(o, outShape);
    int64_t n = oi[0], m = oi[1], g = m / mg;
    double sum = p.bias ? bias[m] : 0.0;
    for (int64_t c = 0; c < cg; ++c)
      for (int64_t k = 0; k < numel(kernel); ++k) {
        Shape ki = decode(k, kernel);
        Shape xi = {n, g * cg + c};
        bool inside = true;
        for (size_t d = 0; d < r; ++d) {
          int64_t pos =
              oi[d + 2] * p.strides[d] - p.pads[d] + ki[d] * p.dilations[d];
          inside = inside && pos >= 0 && pos < p.x[d + 2];
          xi.push_back(pos);
        }
        if (!inside)
          continue;
        Shape wi = {m, c};
        wi.insert(wi.end(), ki.begin(), ki.end());
        sum += static_cast<double>(x[encode(xi, p.x)]) * w[encode(wi, p.w)];
      }
    out[o] = sum;
  }
  return out;
}

/// ONNX ConvTranspose by its definition: every input tap scattered.
std::vector<double> naiveConvTranspose(const ConvParams &p,
                                       const std::vector<float> &x,
                                       const std::vector<float> &w,
                                       const std::vector<float> &bias,
                                       Shape &outShape) {
  size_t r = p.x.size() - 2;
  int64_t cg = p.x[1] / p.group, mg = p.w[1];
  outShape = {p.x[0], mg * p.group};
  for (size_t d = 0; d < r; ++d)
    outShape.push_back(p.strides[d] * (p.x[d + 2] - 1) + p.outputPadding[d] +
                       (p.w[d + 2] - 1) * p.dilations[d] + 1 - p.pads[d] -
                       p.pads[r + d]);
  Shape kernel(p.w.begin() + 2, p.w.end());
  std::vector<double> out(static_cast<size_t>(numel(outShape)), 0.0);
  for (int64_t i = 0; i < numel(p.x); ++i) {
    Shape xi = decode(i, p.x);
    int64_t n = xi[0], c = xi[1], g = c / cg;
    for (int64_t m = 0; m < mg; ++m)
      for (int64_t k = 0; k < numel(kernel); ++k) {
        Shape ki = decode(k, kernel);
        Shape oi = {n, g * mg + m};
        bool inside = true;
        for (size_t d = 0; d < r; ++d) {
          int64_t pos =
              xi[d + 2] * p.strides[d] - p.pads[d] + ki[d] * p.dilations[d];
          inside = inside && pos >= 0 && pos < outShape[d + 2];
          oi.push_back(pos);
        }
        if (!inside)
          continue;
        Shape wi = {c, m};
        wi.insert(wi.end(), ki.begin(), ki.end());
        out[encode(oi, outShape)] +=
            static_cast<double>(x[i]) * w[encode(wi, p.w)];
      }
  }
  if (p.bias)
    for (int64_t o = 0; o < numel(outShape); ++o)
      out[o] += bias[decode(o, outShape)[1]];
  return out;
}

void checkConvAgainstNaive(const ConvParams &p, bool transpose, uint32_t seed) {
  SCOPED_TRACE(::testing::Message()
               << (transpose ? "conv_transpose" : "conv") << " seed " << seed);
  std::vector<float> xv = randomFloats(numel(p.x), seed);
  std::vector<float> wv = randomFloats(numel(p.w), seed + 1);
  int64_t channels = transpose ? p.w[1] * p.group : p.w[0];
  std::vector<float> bv = randomFloats(channels, seed + 2);
  HostTensor x = makeF32(p.x, xv), w = makeF32(p.w, wv),
             b = makeF32({channels}, bv);
  std::vector<const HostTensor *> in = {&x, &w};
  if (p.bias)
    in.push_back(&b);
  Shape outShape;
  std::vector<double> want = transpose
                                 ? naiveConvTranspose(p, xv, wv, bv, outShape)
                                 : naiveConv(p, xv, wv, bv, outShape);
  auto r =
      runDynamic(makeOp(transpose ? "conv_transpose" : "conv", convAttrs(p)),
                 in, DType::F32, p.x.size());
  ASSERT_TRUE(r) << r.status().message();
  ASSERT_EQ(r->type.shape, outShape);
  expectClose(*r, want, 1e-5, 1e-5);
}

//===----------------------------------------------------------------------===//
// conv
//===----------------------------------------------------------------------===//

TEST(ReferenceConv, HandComputed2D) {
  HostTensor x = iotaF32({1, 1, 3, 3});
  HostTensor w = makeF32({1, 1, 2, 2}, {1, 1, 1, 1});
  auto r = run(makeOp("conv"), {&x, &w}, f32({1, 1, 2, 2}));
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_VALUES_NEAR(*r, (std::vector<double>{8, 12, 20, 24}), 0);
  // Pads of 1 all round with a 3x3 kernel of ones: sums of neighbourhoods.
  HostTensor k3 = makeF32({1, 1, 3, 3}, std::vector<float>(9, 1));
  HostTensor bias = makeF32({1}, {100});
  auto same = run(makeOp("conv", {{"pads", ints({1, 1, 1, 1})}}),
                  {&x, &k3, &bias}, f32({1, 1, 3, 3}));
  ASSERT_TRUE(same) << same.status().message();
  EXPECT_VALUES_NEAR(
      *same, (std::vector<double>{108, 115, 112, 121, 136, 127, 120, 133, 124}),
      0);
}

TEST(ReferenceConv, MatchesNaiveLoops) {
  // 1-D, grouped, strided, dilated, asymmetric pads, bias.
  checkConvAgainstNaive({{2, 4, 9}, {6, 2, 3}, 2, {2}, {2}, {1, 2}, {}, true},
                        false, 1);
  // 2-D with every knob set differently per dim.
  checkConvAgainstNaive(
      {{1, 6, 7, 8}, {4, 3, 3, 2}, 2, {2, 1}, {1, 2}, {1, 0, 2, 1}, {}, true},
      false, 2);
  // Depthwise.
  checkConvAgainstNaive(
      {{1, 4, 5, 5}, {4, 1, 3, 3}, 4, {1, 1}, {1, 1}, {1, 1, 1, 1}, {}, false},
      false, 3);
  // 3-D.
  checkConvAgainstNaive({{1, 2, 4, 5, 3},
                         {3, 2, 2, 3, 1},
                         1,
                         {1, 2, 1},
                         {1, 1, 1},
                         {0, 1, 0, 1, 0, 0},
                         {},
                         false},
                        false, 4);
  // Pointwise (no im2col) with batch and bias.
  checkConvAgainstNaive(
      {{2, 3, 4, 4}, {5, 3, 1, 1}, 1, {1, 1}, {1, 1}, {0, 0, 0, 0}, {}, true},
      false, 5);
  // Deep enough that the GEMM blocks over K (3 * 11 * 11 = 363 > 256).
  checkConvAgainstNaive({{1, 3, 16, 16},
                         {8, 3, 11, 11},
                         1,
                         {2, 2},
                         {1, 1},
                         {5, 5, 5, 5},
                         {},
                         true},
                        false, 6);
}

/// Lowers the conv scratch budget for one scope, so small problems run in
/// several chunks of rows.
class ScratchLimit {
public:
  explicit ScratchLimit(int64_t elements) : saved(ref::convScratchElements) {
    ref::convScratchElements = elements;
  }
  ~ScratchLimit() { ref::convScratchElements = saved; }

private:
  int64_t saved;
};

TEST(ReferenceConv, ChunkedMatchesNaiveLoops) {
  ScratchLimit limit(40); // one or two output rows per chunk
  checkConvAgainstNaive(
      {{1, 6, 7, 8}, {4, 3, 3, 2}, 2, {2, 1}, {1, 2}, {1, 0, 2, 1}, {}, true},
      false, 7);
  checkConvAgainstNaive(
      {{2, 3, 5, 4}, {5, 3, 1, 1}, 1, {1, 1}, {1, 1}, {0, 0, 0, 0}, {}, true},
      false, 8);
  checkConvAgainstNaive({{1, 2, 4, 5, 3},
                         {3, 2, 2, 3, 1},
                         1,
                         {1, 2, 1},
                         {1, 1, 1},
                         {0, 1, 0, 1, 0, 0},
                         {},
                         false},
                        false, 9);
  checkConvAgainstNaive({{2, 4, 3, 4},
                         {4, 3, 3, 2},
                         2,
                         {2, 3},
                         {2, 1},
                         {1, 0, 0, 2},
                         {1, 0},
                         true},
                        true, 24);
}

TEST(ReferenceConv, HalfPrecision) {
  ConvParams p{{1, 2, 4, 4}, {2, 2, 3, 3}, 1,  {1, 1},
               {1, 1},       {1, 1, 1, 1}, {}, false};
  // f16 inputs: the naive loop sees the same rounded values.
  std::vector<float> xv = randomFloats(32, 11), wv = randomFloats(36, 12);
  HostTensor x = makeF16(p.x, xv), w = makeF16(p.w, wv);
  for (size_t i = 0; i < xv.size(); ++i)
    xv[i] = static_cast<float>(x.getAsDouble(static_cast<int64_t>(i)));
  for (size_t i = 0; i < wv.size(); ++i)
    wv[i] = static_cast<float>(w.getAsDouble(static_cast<int64_t>(i)));
  Shape outShape;
  std::vector<double> want = naiveConv(p, xv, wv, {}, outShape);
  auto r = run(makeOp("conv", convAttrs(p)), {&x, &w},
               TensorType{DType::F16, outShape});
  ASSERT_TRUE(r) << r.status().message();
  expectClose(*r, want, 1e-3, 1e-3); // one f16 rounding of the result
}

TEST(ReferenceConv, Errors) {
  HostTensor x = iotaF32({1, 4, 3, 3});
  HostTensor w = makeF32({2, 3, 1, 1}, std::vector<float>(6, 1));
  auto group = runDynamic(makeOp("conv"), {&x, &w}, DType::F32, 4);
  EXPECT_ERROR_CONTAINS(group, "do not fit group 1");
  HostTensor w2 = makeF32({2, 2, 1, 1}, std::vector<float>(4, 1));
  HostTensor bias = makeF32({3}, {1, 2, 3});
  auto b = runDynamic(makeOp("conv", {{"group", ints({2})}}), {&x, &w2, &bias},
                      DType::F32, 4);
  EXPECT_ERROR_CONTAINS(b, "bias tensor<3xf32> must have shape [2]");
  HostTensor big = makeF32({1, 4, 5, 5}, std::vector<float>(100, 1));
  auto fit = runDynamic(makeOp("conv"), {&x, &big}, DType::F32, 4);
  EXPECT_ERROR_CONTAINS(fit, "does not fit the padded input");
  auto pads = runDynamic(makeOp("conv", {{"pads", ints({1, 1})}}), {&x, &big},
                         DType::F32, 4);
  EXPECT_ERROR_CONTAINS(pads, "expects 2 strides and dilations and 4 pads");
  HostTensor h = makeF16({1, 4, 3, 3}, std::vector<float>(36, 1));
  auto mixed = runDynamic(makeOp("conv"), {&h, &w}, DType::F16, 4);
  EXPECT_ERROR_CONTAINS(mixed, "differs in element type");
  // The declared type is checked where it is static.
  auto declared = run(makeOp("conv", {{"group", ints({2})}}), {&x, &w2},
                      f32({1, 2, 3, -1}));
  ASSERT_TRUE(declared) << declared.status().message();
  auto wrong = run(makeOp("conv", {{"group", ints({2})}}), {&x, &w2},
                   f32({1, 2, 2, -1}));
  EXPECT_ERROR_CONTAINS(wrong, "reference op 'conv' at node_conv: result #0 "
                               "is declared tensor<1x2x2x?xf32> but the op "
                               "computes tensor<1x2x3x3xf32>");
}

//===----------------------------------------------------------------------===//
// conv_transpose
//===----------------------------------------------------------------------===//

TEST(ReferenceConvTranspose, HandComputed1D) {
  HostTensor x = makeF32({1, 1, 2}, {1, 2});
  HostTensor w = makeF32({1, 1, 3}, {1, 1, 1});
  auto r = runDynamic(makeOp("conv_transpose", {{"strides", ints({2})}}),
                      {&x, &w}, DType::F32, 3);
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(r->type.shape, (Shape{1, 1, 5}));
  EXPECT_VALUES_NEAR(*r, (std::vector<double>{1, 1, 3, 2, 2}), 0);
  // output_padding adds a row at the end that no tap reaches.
  auto padded =
      runDynamic(makeOp("conv_transpose", {{"strides", ints({2})},
                                           {"output_padding", ints({1})}}),
                 {&x, &w}, DType::F32, 3);
  ASSERT_TRUE(padded) << padded.status().message();
  EXPECT_VALUES_NEAR(*padded, (std::vector<double>{1, 1, 3, 2, 2, 0}), 0);
  // pads crop the full output.
  auto cropped = runDynamic(makeOp("conv_transpose", {{"strides", ints({2})},
                                                      {"pads", ints({1, 1})}}),
                            {&x, &w}, DType::F32, 3);
  ASSERT_TRUE(cropped);
  EXPECT_VALUES_NEAR(*cropped, (std::vector<double>{1, 3, 2}), 0);
}

TEST(ReferenceConvTranspose, MatchesNaiveLoops) {
  checkConvAgainstNaive({{2, 4, 3, 4},
                         {4, 3, 3, 2},
                         2,
                         {2, 3},
                         {2, 1},
                         {1, 0, 0, 2},
                         {1, 0},
                         true},
                        true, 21);
  checkConvAgainstNaive({{1, 3, 5}, {3, 2, 4}, 1, {3}, {1}, {0, 0}, {2}, false},
                        true, 22);
  checkConvAgainstNaive({{1, 2, 2, 3, 2},
                         {2, 2, 2, 2, 2},
                         1,
                         {2, 1, 2},
                         {1, 2, 1},
                         {0, 1, 0, 0, 0, 1},
                         {1, 0, 0},
                         true},
                        true, 23);
}

TEST(ReferenceConvTranspose, Errors) {
  HostTensor x = iotaF32({1, 4, 3});
  HostTensor w = makeF32({3, 1, 2}, std::vector<float>(6, 1));
  auto shape = runDynamic(makeOp("conv_transpose"), {&x, &w}, DType::F32, 3);
  EXPECT_ERROR_CONTAINS(shape, "weight must be [C, M/group, k...]");
  HostTensor w4 = makeF32({4, 1, 2}, std::vector<float>(8, 1));
  auto op =
      runDynamic(makeOp("conv_transpose", {{"output_padding", ints({1, 1})}}),
                 {&x, &w4}, DType::F32, 3);
  EXPECT_ERROR_CONTAINS(op, "expects 1 output_padding values");
}

//===----------------------------------------------------------------------===//
// max_pool, avg_pool
//===----------------------------------------------------------------------===//

TEST(ReferencePool, CeilModeOnnxExample) {
  // ONNX's maxpool_2d_ceil: 4x4 of 1..16, kernel 3, stride 2.
  std::vector<float> v(16);
  for (int i = 0; i < 16; ++i)
    v[i] = static_cast<float>(i + 1);
  HostTensor x = makeF32({1, 1, 4, 4}, v);
  std::map<std::string, RefAttr> attrs = {{"kernel_shape", ints({3, 3})},
                                          {"strides", ints({2, 2})}};
  auto floorMode = runDynamic(makeOp("max_pool", attrs), {&x}, DType::F32, 4);
  ASSERT_TRUE(floorMode) << floorMode.status().message();
  EXPECT_EQ(floorMode->type.shape, (Shape{1, 1, 1, 1}));
  EXPECT_EQ(floorMode->getAsDouble(0), 11);
  attrs["ceil_mode"] = ints({1});
  auto ceilMode = runDynamic(makeOp("max_pool", attrs), {&x}, DType::F32, 4);
  ASSERT_TRUE(ceilMode) << ceilMode.status().message();
  EXPECT_EQ(ceilMode->type.shape, (Shape{1, 1, 2, 2}));
  EXPECT_VALUES_NEAR(*ceilMode, (std::vector<double>{11, 12, 15, 16}), 0);
}

TEST(ReferencePool, CeilModeDropsWindowsStartingInThePadding) {
  // 5 wide, kernel 2, stride 2, pads 1/1: ceil((5 + 2 - 2) / 2) + 1 = 4, but
  // the 4th window would start at 5, inside the end padding: 3 outputs.
  HostTensor x = makeF32({1, 1, 5}, {1, 2, 3, 4, 5});
  std::map<std::string, RefAttr> attrs = {{"kernel_shape", ints({2})},
                                          {"strides", ints({2})},
                                          {"pads", ints({1, 1})},
                                          {"ceil_mode", ints({1})}};
  auto mx = runDynamic(makeOp("max_pool", attrs), {&x}, DType::F32, 3);
  ASSERT_TRUE(mx) << mx.status().message();
  EXPECT_VALUES_NEAR(*mx, (std::vector<double>{1, 3, 5}), 0);
  // Windows [-1, 0], [1, 2], [3, 4]: with the pad counted, the first
  // averages over 2.
  auto exclude = runDynamic(makeOp("avg_pool", attrs), {&x}, DType::F32, 3);
  ASSERT_TRUE(exclude);
  EXPECT_VALUES_NEAR(*exclude, (std::vector<double>{1, 2.5, 4.5}), 0);
  attrs["count_include_pad"] = ints({1});
  auto include = runDynamic(makeOp("avg_pool", attrs), {&x}, DType::F32, 3);
  ASSERT_TRUE(include);
  EXPECT_VALUES_NEAR(*include, (std::vector<double>{0.5, 2.5, 4.5}), 0);
}

TEST(ReferencePool, CeilModePartialWindowAndIncludePad) {
  // 6 wide, kernel 3, stride 2: floor gives 2 windows, ceil 3; the third
  // ([4, 5, 6]) hangs over the end, where there is no padding to count.
  HostTensor x = makeF32({1, 1, 6}, {1, 2, 3, 4, 5, 6});
  std::map<std::string, RefAttr> attrs = {{"kernel_shape", ints({3})},
                                          {"strides", ints({2})},
                                          {"ceil_mode", ints({1})},
                                          {"count_include_pad", ints({1})}};
  auto avg = runDynamic(makeOp("avg_pool", attrs), {&x}, DType::F32, 3);
  ASSERT_TRUE(avg) << avg.status().message();
  EXPECT_VALUES_NEAR(*avg, (std::vector<double>{2, 4, 5.5}), 1e-12);
  // With end padding 1 the pad counts: (5 + 6 + 0) / 3.
  attrs["pads"] = ints({0, 1});
  auto padded = runDynamic(makeOp("avg_pool", attrs), {&x}, DType::F32, 3);
  ASSERT_TRUE(padded);
  EXPECT_VALUES_NEAR(*padded, (std::vector<double>{2, 4, 11.0 / 3}), 1e-6);
}

TEST(ReferencePool, Dilations) {
  HostTensor x = makeF32({1, 1, 8}, {5, 1, 4, 2, 8, 0, 3, 7});
  auto mx = runDynamic(makeOp("max_pool", {{"kernel_shape", ints({2})},
                                           {"dilations", ints({2})}}),
                       {&x}, DType::F32, 3);
  ASSERT_TRUE(mx) << mx.status().message();
  EXPECT_VALUES_NEAR(*mx, (std::vector<double>{5, 2, 8, 2, 8, 7}), 0);
  auto avg = runDynamic(makeOp("avg_pool", {{"kernel_shape", ints({2})},
                                            {"dilations", ints({3})},
                                            {"strides", ints({2})}}),
                        {&x}, DType::F32, 3);
  ASSERT_TRUE(avg) << avg.status().message();
  // Windows {0,3}, {2,5}, {4,7}.
  EXPECT_VALUES_NEAR(*avg, (std::vector<double>{3.5, 2, 7.5}), 0);
}

TEST(ReferencePool, TwoDimensionalAgainstNaive) {
  Shape xs = {2, 3, 7, 6};
  std::vector<float> xv = randomFloats(numel(xs), 31);
  HostTensor x = makeF32(xs, xv);
  Shape k = {3, 2}, s = {2, 2}, pads = {1, 0, 1, 1};
  for (int kind = 0; kind < 3; ++kind) {
    std::map<std::string, RefAttr> attrs = {
        {"kernel_shape", ints(k)}, {"strides", ints(s)}, {"pads", ints(pads)}};
    const char *name = kind == 0 ? "max_pool" : "avg_pool";
    if (kind == 2)
      attrs["count_include_pad"] = ints({1});
    auto r = runDynamic(makeOp(name, attrs), {&x}, DType::F32, 4);
    ASSERT_TRUE(r) << r.status().message();
    // Output 7+2-3 -> 4 rows, 6+1-2 -> 3 cols.
    ASSERT_EQ(r->type.shape, (Shape{2, 3, 4, 3}));
    for (int64_t o = 0; o < numel(r->type.shape); ++o) {
      Shape oi = decode(o, r->type.shape);
      double best = -INFINITY, sum = 0;
      int count = 0, padded = 0;
      for (int64_t a = 0; a < k[0]; ++a)
        for (int64_t b = 0; b < k[1]; ++b) {
          int64_t h = oi[2] * s[0] - pads[0] + a,
                  w = oi[3] * s[1] - pads[1] + b;
          if (h >= -pads[0] && h < xs[2] + pads[2] && w >= -pads[1] &&
              w < xs[3] + pads[3])
            ++padded;
          if (h < 0 || h >= xs[2] || w < 0 || w >= xs[3])
            continue;
          double v = xv[encode({oi[0], oi[1], h, w}, xs)];
          best = std::max(best, v);
          sum += v;
          ++count;
        }
      double want = kind == 0 ? best : sum / (kind == 1 ? count : padded);
      ASSERT_NEAR(r->getAsDouble(o), want, 1e-6) << name << " element " << o;
    }
  }
}

TEST(ReferencePool, Errors) {
  HostTensor x = iotaF32({1, 1, 4});
  auto missing = runDynamic(makeOp("max_pool"), {&x}, DType::F32, 3);
  EXPECT_ERROR_CONTAINS(missing, "expects attribute 'kernel_shape'");
  auto rank = runDynamic(makeOp("avg_pool", {{"kernel_shape", ints({2, 2})}}),
                         {&x}, DType::F32, 3);
  EXPECT_ERROR_CONTAINS(rank, "must have one entry per spatial dim");
  HostTensor i = makeInt<int64_t>(DType::I64, {1, 1, 2}, {1, 2});
  auto type = runDynamic(makeOp("max_pool", {{"kernel_shape", ints({2})}}),
                         {&i}, DType::I64, 3);
  EXPECT_ERROR_CONTAINS(type, "unsupported element type i64");
}

//===----------------------------------------------------------------------===//
// matmul and the GEMM
//===----------------------------------------------------------------------===//

/// numpy matmul of row-major operands with batch broadcasting, in double.
std::vector<double> naiveMatmul(const std::vector<float> &a, const Shape &as,
                                const std::vector<float> &b, const Shape &bs,
                                const Shape &outShape) {
  int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
  std::vector<double> out(static_cast<size_t>(numel(outShape)));
  Shape batch(outShape.begin(), outShape.end() - 2);
  for (int64_t o = 0; o < numel(outShape); ++o) {
    Shape oi = decode(o, outShape);
    auto batchOffset = [&](const Shape &s) {
      Shape bshape(s.begin(), s.end() - 2), bi;
      size_t lead = batch.size() - bshape.size();
      for (size_t d = 0; d < bshape.size(); ++d)
        bi.push_back(bshape[d] == 1 ? 0 : oi[lead + d]);
      return encode(bi, bshape);
    };
    int64_t i = oi[oi.size() - 2], j = oi.back();
    const float *pa = a.data() + batchOffset(as) * m * k;
    const float *pb = b.data() + batchOffset(bs) * k * n;
    double sum = 0;
    for (int64_t p = 0; p < k; ++p)
      sum += static_cast<double>(pa[i * k + p]) * pb[p * n + j];
    out[o] = sum;
  }
  return out;
}

TEST(ReferenceMatmul, MatchesNaiveLoops) {
  struct Case {
    Shape a, b, out;
  } cases[] = {
      {{2, 3, 5, 7}, {7, 4}, {2, 3, 5, 4}},      // shared rhs: one GEMM
      {{3, 1, 4, 5}, {2, 5, 3}, {3, 2, 4, 3}},   // both broadcast
      {{1, 70, 300}, {2, 300, 40}, {2, 70, 40}}, // lhs broadcast, deep K
  };
  uint32_t seed = 40;
  for (const Case &c : cases) {
    std::vector<float> av = randomFloats(numel(c.a), seed++);
    std::vector<float> bv = randomFloats(numel(c.b), seed++);
    HostTensor a = makeF32(c.a, av), b = makeF32(c.b, bv);
    auto r = runDynamic(makeOp("matmul"), {&a, &b}, DType::F32, c.out.size());
    ASSERT_TRUE(r) << r.status().message();
    ASSERT_EQ(r->type.shape, c.out);
    expectClose(*r, naiveMatmul(av, c.a, bv, c.b, c.out), 1e-5, 1e-5);
  }
}

/// C (m x n) = op(A) op(B) [+ C] by definition, in double.
template <typename T>
void checkGemm(bool transA, bool transB, bool accumulate, bool portable) {
  SCOPED_TRACE(::testing::Message()
               << "transA " << transA << " transB " << transB << " accumulate "
               << accumulate << " portable " << portable);
  int64_t m = 37, n = 53, k = 300, ldc = n + 3;
  std::vector<float> af = randomFloats(m * k, 51), bf = randomFloats(k * n, 52),
                     cf = randomFloats(m * ldc, 53);
  std::vector<T> a(af.begin(), af.end()), b(bf.begin(), bf.end()),
      c(cf.begin(), cf.end());
  std::vector<T> before = c;
  int64_t lda = transA ? m : k, ldb = transB ? k : n;
  if (portable)
    ref::portableGemm(transA, transB, m, n, k, a.data(), lda, b.data(), ldb,
                      c.data(), ldc, accumulate);
  else
    ref::gemm(transA, transB, m, n, k, a.data(), lda, b.data(), ldb, c.data(),
              ldc, accumulate);
  double tol = std::is_same_v<T, float> ? 1e-4 : 1e-12;
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double want = accumulate ? static_cast<double>(before[i * ldc + j]) : 0;
      for (int64_t p = 0; p < k; ++p)
        want += static_cast<double>(transA ? a[p * lda + i] : a[i * lda + p]) *
                (transB ? b[j * ldb + p] : b[p * ldb + j]);
      ASSERT_NEAR(c[i * ldc + j], want, tol) << i << "," << j;
    }
    // Columns past n are left alone.
    for (int64_t j = n; j < ldc; ++j)
      ASSERT_EQ(c[i * ldc + j], before[i * ldc + j]);
  }
}

TEST(ReferenceGemm, BlockedKernelMatchesDefinition) {
  for (bool portable : {true, false})
    for (int t = 0; t < 8; ++t) {
      checkGemm<float>(t & 1, t & 2, t & 4, portable);
      checkGemm<double>(t & 1, t & 2, t & 4, portable);
    }
}

TEST(ReferenceGemm, EmptyDims) {
  std::vector<float> c = {5, 5};
  ref::portableGemm(false, false, 1, 2, 0, nullptr, 1, nullptr, 2, c.data(), 2,
                    false);
  EXPECT_EQ(c, (std::vector<float>{0, 0}));
  c = {5, 5};
  ref::gemm(false, false, 1, 2, 0, nullptr, 1, nullptr, 2, c.data(), 2, true);
  EXPECT_EQ(c, (std::vector<float>{5, 5}));
}

//===----------------------------------------------------------------------===//
// Speed (run with --gtest_also_run_disabled_tests)
//===----------------------------------------------------------------------===//

double bestMs(const std::function<void()> &fn, int reps) {
  double best = 1e30;
  for (int i = 0; i < reps; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    fn();
    auto t1 = std::chrono::steady_clock::now();
    best = std::min(best,
                    std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  return best;
}

TEST(ReferenceSpeed, DISABLED_ConvAndMatmul) {
  HostTensor x = makeF32({1, 3, 224, 224}, randomFloats(3 * 224 * 224, 1));
  HostTensor w = makeF32({64, 3, 3, 3}, randomFloats(64 * 27, 2));
  HostTensor bias = makeF32({64}, randomFloats(64, 3));
  RefOp conv = makeOp("conv", {{"pads", ints({1, 1, 1, 1})}});
  double convMs = bestMs(
      [&] {
        auto r = runDynamic(conv, {&x, &w, &bias}, DType::F32, 4);
        ASSERT_TRUE(r);
      },
      5);
  HostTensor a = makeF32({512, 512}, randomFloats(512 * 512, 4));
  HostTensor b = makeF32({512, 512}, randomFloats(512 * 512, 5));
  double matmulMs = bestMs(
      [&] {
        auto r = runDynamic(makeOp("matmul"), {&a, &b}, DType::F32, 2);
        ASSERT_TRUE(r);
      },
      5);
  std::vector<float> c(512 * 512);
  double portableMs = bestMs(
      [&] {
        ref::portableGemm(false, false, 512, 512, 512, a.data<float>(), 512,
                          b.data<float>(), 512, c.data(), 512, false);
      },
      5);
  HostTensor feature =
      makeF32({1, 64, 112, 112}, randomFloats(64 * 112 * 112, 6));
  RefOp pool = makeOp("max_pool", {{"kernel_shape", ints({3, 3})},
                                   {"strides", ints({2, 2})},
                                   {"pads", ints({1, 1, 1, 1})}});
  double poolMs = bestMs(
      [&] {
        auto r = runDynamic(pool, {&feature}, DType::F32, 4);
        ASSERT_TRUE(r);
      },
      3);
  std::printf("gemm backend: %s\n", ref::gemmBackendName());
  std::printf("max_pool 1x64x112x112 k3 s2 p1: %.2f ms\n", poolMs);
  std::printf("conv 1x3x224x224 * 64x3x3x3 (pad 1): %.2f ms\n", convMs);
  std::printf("matmul 512x512x512: %.2f ms (%.1f GFLOP/s)\n", matmulMs,
              2.0 * 512 * 512 * 512 / matmulMs / 1e6);
  std::printf("portable gemm 512x512x512: %.2f ms (%.1f GFLOP/s)\n", portableMs,
              2.0 * 512 * 512 * 512 / portableMs / 1e6);
}

} // namespace
