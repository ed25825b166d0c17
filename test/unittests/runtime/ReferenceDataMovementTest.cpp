//===- ReferenceDataMovementTest.cpp - data movement and shape op tests ---===//
//
// reshape-family, concat, slice, gather, expand, tile, pad, resize, shape,
// constant_of_shape, range and trilu, with the ONNX edge cases (reshape's
// 0/-1/allowzero, slice clamping and negative steps, reflect/edge pads,
// every resize coordinate mode) checked against hand-computed values or an
// independent loop. Results are declared dynamic (-1 dims) unless a test is
// about the declared type, so the shapes checked are the ones the ops
// compute.
//
//===----------------------------------------------------------------------===//

#include "test/unittests/runtime/ReferenceTestUtil.h"

#include <cmath>
#include <limits>

using namespace ds::runtime;
using namespace ds::runtime::testing;

namespace {

using Shape = std::vector<int64_t>;

std::vector<double> iota(int64_t n, double start = 0) {
  std::vector<double> v;
  for (int64_t i = 0; i < n; ++i)
    v.push_back(start + static_cast<double>(i));
  return v;
}

HostTensor iotaI64(Shape shape) {
  TensorType t{DType::I64, shape};
  std::vector<int64_t> v(static_cast<size_t>(t.numElements()));
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = static_cast<int64_t>(i);
  return makeInt<int64_t>(DType::I64, std::move(shape), v);
}

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

//===----------------------------------------------------------------------===//
// reshape, flatten, squeeze, unsqueeze, transpose, concat
//===----------------------------------------------------------------------===//

TEST(ReferenceReshape, ZeroCopiesAndMinusOneInfers) {
  HostTensor x = iotaF32({2, 3, 4});
  HostTensor s1 = i64s({0, -1});
  auto r = runDynamic(makeOp("reshape"), {&x, &s1}, DType::F32, 2);
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(r->type.shape, (Shape{2, 12}));
  EXPECT_EQ(r->bytes, x.bytes);
  HostTensor s2 = i64s({-1, 0, 2});
  auto r2 = runDynamic(makeOp("reshape"), {&x, &s2}, DType::F32, 3);
  ASSERT_TRUE(r2) << r2.status().message();
  EXPECT_EQ(r2->type.shape, (Shape{4, 3, 2}));
  // i32 shape operands are accepted too.
  HostTensor s3 = makeInt<int32_t>(DType::I32, {1}, {-1});
  auto flat = runDynamic(makeOp("reshape"), {&x, &s3}, DType::F32, 1);
  ASSERT_TRUE(flat);
  EXPECT_EQ(flat->type.shape, (Shape{24}));
}

TEST(ReferenceReshape, AllowZero) {
  HostTensor x = makeF32({3, 0}, {});
  HostTensor s = i64s({0, 5});
  // Without allowzero the 0 copies dim 0 (3): 15 elements from 0 fails.
  auto copy = runDynamic(makeOp("reshape"), {&x, &s}, DType::F32, 2);
  EXPECT_ERROR_CONTAINS(copy, "cannot reshape tensor<3x0xf32> to [0,5]");
  auto zero = runDynamic(makeOp("reshape", {{"allowzero", ints({1})}}),
                         {&x, &s}, DType::F32, 2);
  ASSERT_TRUE(zero) << zero.status().message();
  EXPECT_EQ(zero->type.shape, (Shape{0, 5}));
  HostTensor both = i64s({0, -1});
  auto bad = runDynamic(makeOp("reshape", {{"allowzero", ints({1})}}),
                        {&x, &both}, DType::F32, 2);
  EXPECT_ERROR_CONTAINS(bad, "both 0 and -1");
}

TEST(ReferenceReshape, Errors) {
  HostTensor x = iotaF32({2, 3});
  HostTensor twoInferred = i64s({-1, -1});
  auto two = runDynamic(makeOp("reshape"), {&x, &twoInferred}, DType::F32, 2);
  EXPECT_ERROR_CONTAINS(two, "more than one -1");
  HostTensor indivisible = i64s({4, -1});
  auto div = runDynamic(makeOp("reshape"), {&x, &indivisible}, DType::F32, 2);
  EXPECT_ERROR_CONTAINS(div, "cannot reshape tensor<2x3xf32> to [4,-1]");
  HostTensor neg = i64s({-2, -3});
  auto n = runDynamic(makeOp("reshape"), {&x, &neg}, DType::F32, 2);
  EXPECT_ERROR_CONTAINS(n, "negative dim");
  HostTensor s = i64s({3, 2});
  auto declared = run(makeOp("reshape"), {&x, &s}, f32({2, 3}));
  EXPECT_ERROR_CONTAINS(declared, "declared tensor<2x3xf32> but the op "
                                  "computes tensor<3x2xf32>");
  HostTensor fshape = makeF32({2}, {3, 2});
  auto ftype = runDynamic(makeOp("reshape"), {&x, &fshape}, DType::F32, 2);
  EXPECT_ERROR_CONTAINS(ftype, "shape operand must be i64 or i32");
  // Without a shape operand the declared type is the target; one -1 in it
  // is inferred.
  auto declaredTarget = run(makeOp("reshape"), {&x}, f32({-1, 2}));
  ASSERT_TRUE(declaredTarget) << declaredTarget.status().message();
  EXPECT_EQ(declaredTarget->type.shape, (Shape{3, 2}));
}

TEST(ReferenceReshape, FlattenSqueezeUnsqueeze) {
  HostTensor x = iotaF32({2, 3, 4});
  auto f2 =
      runDynamic(makeOp("flatten", {{"axis", ints({2})}}), {&x}, DType::F32, 2);
  auto f0 =
      runDynamic(makeOp("flatten", {{"axis", ints({0})}}), {&x}, DType::F32, 2);
  auto fNeg = runDynamic(makeOp("flatten", {{"axis", ints({-1})}}), {&x},
                         DType::F32, 2);
  auto fDefault = runDynamic(makeOp("flatten"), {&x}, DType::F32, 2);
  ASSERT_TRUE(f2 && f0 && fNeg && fDefault);
  EXPECT_EQ(f2->type.shape, (Shape{6, 4}));
  EXPECT_EQ(f0->type.shape, (Shape{1, 24}));
  EXPECT_EQ(fNeg->type.shape, (Shape{6, 4}));
  EXPECT_EQ(fDefault->type.shape, (Shape{2, 12}));
  EXPECT_EQ(f2->bytes, x.bytes);

  HostTensor y = iotaF32({1, 3, 1});
  auto all = runDynamic(makeOp("squeeze"), {&y}, DType::F32, 1);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->type.shape, (Shape{3}));
  auto last = runDynamic(makeOp("squeeze", {{"axes", ints({-1})}}), {&y},
                         DType::F32, 2);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->type.shape, (Shape{1, 3}));
  auto notOne =
      runDynamic(makeOp("squeeze", {{"axes", ints({1})}}), {&y}, DType::F32, 2);
  EXPECT_ERROR_CONTAINS(notOne, "cannot squeeze dim 1");

  HostTensor v = iotaF32({3});
  auto u = runDynamic(makeOp("unsqueeze", {{"axes", ints({0, -1})}}), {&v},
                      DType::F32, 3);
  ASSERT_TRUE(u) << u.status().message();
  EXPECT_EQ(u->type.shape, (Shape{1, 3, 1}));
  auto dup = runDynamic(makeOp("unsqueeze", {{"axes", ints({0, -3})}}), {&v},
                        DType::F32, 3);
  EXPECT_ERROR_CONTAINS(dup, "repeats axis 0");
}

TEST(ReferenceLayout, TransposeDefaultReverses) {
  HostTensor x = iotaI64({2, 3});
  auto r = runDynamic(makeOp("transpose"), {&x}, DType::I64, 2);
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(r->type.shape, (Shape{3, 2}));
  EXPECT_VALUES_NEAR(*r, (std::vector<double>{0, 3, 1, 4, 2, 5}), 0);
}

TEST(ReferenceLayout, Concat) {
  HostTensor a = makeF32({2, 1}, {1, 2});
  HostTensor b = makeF32({2, 2}, {3, 4, 5, 6});
  HostTensor e = makeF32({2, 0}, {});
  auto r = runDynamic(makeOp("concat", {{"axis", ints({-1})}}), {&a, &e, &b},
                      DType::F32, 2);
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(r->type.shape, (Shape{2, 3}));
  EXPECT_VALUES_NEAR(*r, (std::vector<double>{1, 3, 4, 2, 5, 6}), 0);
  auto rows = runDynamic(makeOp("concat", {{"axis", ints({0})}}), {&b, &b},
                         DType::F32, 2);
  ASSERT_TRUE(rows);
  EXPECT_VALUES_NEAR(*rows, (std::vector<double>{3, 4, 5, 6, 3, 4, 5, 6}), 0);
  auto bad = runDynamic(makeOp("concat", {{"axis", ints({0})}}), {&a, &b},
                        DType::F32, 2);
  EXPECT_ERROR_CONTAINS(bad, "does not match operand #0");
  HostTensor i = makeInt<int64_t>(DType::I64, {2, 1}, {1, 2});
  auto types = runDynamic(makeOp("concat", {{"axis", ints({1})}}), {&a, &i},
                          DType::F32, 2);
  EXPECT_ERROR_CONTAINS(types, "does not match operand #0");
}

//===----------------------------------------------------------------------===//
// slice
//===----------------------------------------------------------------------===//

StatusOr<HostTensor> slice1D(const HostTensor &x, int64_t start, int64_t end,
                             int64_t step) {
  HostTensor s = i64s({start}), e = i64s({end}), a = i64s({0}),
             st = i64s({step});
  return runDynamic(makeOp("slice"), {&x, &s, &e, &a, &st}, x.type.dtype, 1);
}

TEST(ReferenceSlice, ClampingAndNegativeSteps) {
  HostTensor x = iotaI64({10});
  struct Case {
    int64_t start, end, step;
    std::vector<double> want;
  } cases[] = {
      {-3, kMax, 1, {7, 8, 9}},
      {2, 5, 1, {2, 3, 4}},
      {1, -1, 3, {1, 4, 7}},
      {-1, kMin, -1, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}},
      {8, 1, -2, {8, 6, 4, 2}},
      {kMax, -4, -1, {9, 8, 7}},
      {20, 30, 1, {}},
      {-20, 2, 1, {0, 1}},
      {5, 5, 1, {}},
      {2, 5, -1, {}},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(::testing::Message()
                 << "slice " << c.start << ":" << c.end << ":" << c.step);
    auto r = slice1D(x, c.start, c.end, c.step);
    ASSERT_TRUE(r) << r.status().message();
    EXPECT_VALUES_NEAR(*r, c.want, 0);
  }
}

TEST(ReferenceSlice, EmptyDim) {
  HostTensor x = makeF32({0}, {});
  for (int64_t step : {1, -1}) {
    auto r = slice1D(x, 0, 5, step);
    ASSERT_TRUE(r) << r.status().message();
    EXPECT_EQ(r->type.shape, (Shape{0}));
  }
}

TEST(ReferenceSlice, AxesAndDefaults) {
  HostTensor x = iotaF32({3, 4});
  // Negative axes, an end past the dim, steps per axis.
  HostTensor starts = i64s({1, 0}), ends = i64s({1000, 2}),
             axes = i64s({-1, 0}), steps = i64s({2, 1});
  auto r = runDynamic(makeOp("slice"), {&x, &starts, &ends, &axes, &steps},
                      DType::F32, 2);
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(r->type.shape, (Shape{2, 2}));
  EXPECT_VALUES_NEAR(*r, (std::vector<double>{1, 3, 5, 7}), 0);
  // Without axes and steps: the leading axes, step 1.
  HostTensor s2 = i64s({1}), e2 = i64s({3});
  auto lead = runDynamic(makeOp("slice"), {&x, &s2, &e2}, DType::F32, 2);
  ASSERT_TRUE(lead) << lead.status().message();
  EXPECT_EQ(lead->type.shape, (Shape{2, 4}));
  EXPECT_VALUES_NEAR(*lead, iota(8, 4), 0);
}

TEST(ReferenceSlice, Errors) {
  HostTensor x = iotaF32({4});
  auto zero = slice1D(x, 0, 4, 0);
  EXPECT_ERROR_CONTAINS(zero, "steps [0] contain 0");
  HostTensor s = i64s({0, 1}), e = i64s({2, 3}), a = i64s({0, -1});
  auto repeated = runDynamic(makeOp("slice"), {&x, &s, &e, &a}, DType::F32, 1);
  EXPECT_ERROR_CONTAINS(repeated, "repeat axis 0");
  HostTensor shortEnds = i64s({2});
  auto lengths =
      runDynamic(makeOp("slice"), {&x, &s, &shortEnds}, DType::F32, 1);
  EXPECT_ERROR_CONTAINS(lengths, "must have the same length");
}

//===----------------------------------------------------------------------===//
// gather, expand, tile
//===----------------------------------------------------------------------===//

TEST(ReferenceGather, NegativeIndicesAndIndexTypes) {
  HostTensor x = makeF32({3, 2}, {1, 2, 3, 4, 5, 6});
  HostTensor idx = makeInt<int64_t>(DType::I64, {2, 2}, {0, -1, 1, 0});
  auto r = runDynamic(makeOp("gather"), {&x, &idx}, DType::F32, 3);
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(r->type.shape, (Shape{2, 2, 2}));
  EXPECT_VALUES_NEAR(*r, (std::vector<double>{1, 2, 5, 6, 3, 4, 1, 2}), 0);
  HostTensor idx32 = makeInt<int32_t>(DType::I32, {1}, {-1});
  auto cols = runDynamic(makeOp("gather", {{"axis", ints({1})}}), {&x, &idx32},
                         DType::F32, 2);
  ASSERT_TRUE(cols) << cols.status().message();
  EXPECT_EQ(cols->type.shape, (Shape{3, 1}));
  EXPECT_VALUES_NEAR(*cols, (std::vector<double>{2, 4, 6}), 0);
  // A scalar index drops the axis.
  HostTensor scalar = i64Scalar(2);
  auto row = runDynamic(makeOp("gather"), {&x, &scalar}, DType::F32, 1);
  ASSERT_TRUE(row);
  EXPECT_VALUES_NEAR(*row, (std::vector<double>{5, 6}), 0);
  HostTensor out = i64s({3});
  auto range = runDynamic(makeOp("gather"), {&x, &out}, DType::F32, 2);
  EXPECT_ERROR_CONTAINS(range, "index 3 is out of range for dim 0");
  HostTensor fidx = makeF32({1}, {0});
  auto type = runDynamic(makeOp("gather"), {&x, &fidx}, DType::F32, 2);
  EXPECT_ERROR_CONTAINS(type, "indices must be i64 or i32");
}

TEST(ReferenceExpandTile, Shapes) {
  HostTensor x = makeF32({3, 1}, {1, 2, 3});
  HostTensor shape = i64s({2, 1, 4});
  auto r = runDynamic(makeOp("expand"), {&x, &shape}, DType::F32, 3);
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(r->type.shape, (Shape{2, 3, 4}));
  for (int64_t i = 0; i < 24; ++i)
    EXPECT_EQ(r->getAsDouble(i), 1 + (i / 4) % 3);
  // Bidirectional: [1,3] with [3,1] gives [3,3]; a shape shorter than the
  // input keeps the input's lead dims.
  HostTensor row = makeF32({1, 3}, {1, 2, 3});
  HostTensor col = i64s({3, 1});
  auto both = runDynamic(makeOp("expand"), {&row, &col}, DType::F32, 2);
  ASSERT_TRUE(both);
  EXPECT_EQ(both->type.shape, (Shape{3, 3}));
  HostTensor one = i64s({1});
  auto keep = runDynamic(makeOp("expand"), {&x, &one}, DType::F32, 2);
  ASSERT_TRUE(keep);
  EXPECT_EQ(keep->type.shape, (Shape{3, 1}));
  // A rank-2 input under a rank-3 target: rows keep their own strides.
  HostTensor m = iotaF32({2, 3});
  HostTensor deeper = i64s({2, 1, 1});
  auto lifted = runDynamic(makeOp("expand"), {&m, &deeper}, DType::F32, 3);
  ASSERT_TRUE(lifted) << lifted.status().message();
  EXPECT_EQ(lifted->type.shape, (Shape{2, 2, 3}));
  EXPECT_VALUES_NEAR(
      *lifted, (std::vector<double>{0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5}), 0);
  HostTensor bad = i64s({2, 2});
  auto incompatible = runDynamic(makeOp("expand"), {&x, &bad}, DType::F32, 2);
  EXPECT_ERROR_CONTAINS(incompatible, "cannot expand tensor<3x1xf32>");

  HostTensor t = makeBool({2, 2}, {1, 0, 0, 1});
  HostTensor reps = i64s({2, 3});
  auto tiled = runDynamic(makeOp("tile"), {&t, &reps}, DType::I1, 2);
  ASSERT_TRUE(tiled) << tiled.status().message();
  EXPECT_EQ(tiled->type.shape, (Shape{4, 6}));
  for (int64_t i = 0; i < 4; ++i)
    for (int64_t j = 0; j < 6; ++j)
      EXPECT_EQ(tiled->getAsDouble(i * 6 + j), (i % 2) == (j % 2) ? 1 : 0);
  HostTensor shortReps = i64s({2});
  auto wrong = runDynamic(makeOp("tile"), {&t, &shortReps}, DType::I1, 2);
  EXPECT_ERROR_CONTAINS(wrong, "one entry per dim");
}

//===----------------------------------------------------------------------===//
// pad
//===----------------------------------------------------------------------===//

TEST(ReferencePad, Modes1D) {
  HostTensor x = makeF32({3}, {1, 2, 3});
  HostTensor nine = makeF32({}, {9});
  HostTensor p12 = i64s({1, 2});
  auto c = runDynamic(makeOp("pad"), {&x, &p12, &nine}, DType::F32, 1);
  ASSERT_TRUE(c) << c.status().message();
  EXPECT_VALUES_NEAR(*c, (std::vector<double>{9, 1, 2, 3, 9, 9}), 0);
  auto zero = runDynamic(makeOp("pad"), {&x, &p12}, DType::F32, 1);
  ASSERT_TRUE(zero);
  EXPECT_VALUES_NEAR(*zero, (std::vector<double>{0, 1, 2, 3, 0, 0}), 0);
  HostTensor p22 = i64s({2, 2});
  auto reflect = runDynamic(makeOp("pad", {{"mode", str("reflect")}}),
                            {&x, &p22}, DType::F32, 1);
  ASSERT_TRUE(reflect) << reflect.status().message();
  EXPECT_VALUES_NEAR(*reflect, (std::vector<double>{3, 2, 1, 2, 3, 2, 1}), 0);
  HostTensor p21 = i64s({2, 1});
  auto edge = runDynamic(makeOp("pad", {{"mode", str("edge")}}), {&x, &p21},
                         DType::F32, 1);
  ASSERT_TRUE(edge);
  EXPECT_VALUES_NEAR(*edge, (std::vector<double>{1, 1, 1, 2, 3, 3}), 0);
  // Negative pads crop.
  HostTensor crop = i64s({-1, 1});
  auto cropped = runDynamic(makeOp("pad"), {&x, &crop}, DType::F32, 1);
  ASSERT_TRUE(cropped);
  EXPECT_VALUES_NEAR(*cropped, (std::vector<double>{2, 3, 0}), 0);
  // Reflecting further than the dim keeps bouncing (numpy).
  HostTensor far = i64s({5, 0});
  auto bounce = runDynamic(makeOp("pad", {{"mode", str("reflect")}}),
                           {&x, &far}, DType::F32, 1);
  ASSERT_TRUE(bounce);
  EXPECT_VALUES_NEAR(*bounce, (std::vector<double>{2, 1, 2, 3, 2, 1, 2, 3}), 0);
}

TEST(ReferencePad, TwoDimensionalOnnxExamples) {
  // ONNX Pad docs, reflect and edge over [[1.0, 1.2], [2.3, 3.4], [4.5, 5.7]]
  // with pads [0, 2, 0, 0].
  HostTensor x = makeF32({3, 2}, {1.0f, 1.2f, 2.3f, 3.4f, 4.5f, 5.7f});
  HostTensor pads = i64s({0, 2, 0, 0});
  auto reflect = runDynamic(makeOp("pad", {{"mode", str("reflect")}}),
                            {&x, &pads}, DType::F32, 2);
  ASSERT_TRUE(reflect) << reflect.status().message();
  EXPECT_EQ(reflect->type.shape, (Shape{3, 4}));
  EXPECT_VALUES_NEAR(*reflect,
                     (std::vector<double>{1.0, 1.2, 1.0, 1.2, 2.3, 3.4, 2.3,
                                          3.4, 4.5, 5.7, 4.5, 5.7}),
                     1e-6);
  auto edge = runDynamic(makeOp("pad", {{"mode", str("edge")}}), {&x, &pads},
                         DType::F32, 2);
  ASSERT_TRUE(edge);
  EXPECT_VALUES_NEAR(*edge,
                     (std::vector<double>{1.0, 1.0, 1.0, 1.2, 2.3, 2.3, 2.3,
                                          3.4, 4.5, 4.5, 4.5, 5.7}),
                     1e-6);
  // Integers, both dims.
  HostTensor i = makeInt<int32_t>(DType::I32, {2, 2}, {1, 2, 3, 4});
  HostTensor p = i64s({1, 0, 0, 1});
  HostTensor v = makeInt<int32_t>(DType::I32, {}, {-1});
  auto ic = runDynamic(makeOp("pad"), {&i, &p, &v}, DType::I32, 2);
  ASSERT_TRUE(ic) << ic.status().message();
  EXPECT_VALUES_NEAR(*ic, (std::vector<double>{-1, -1, -1, 1, 2, -1, 3, 4, -1}),
                     0);
}

TEST(ReferencePad, Errors) {
  HostTensor x = makeF32({3}, {1, 2, 3});
  HostTensor p = i64s({1, 1});
  auto mode = runDynamic(makeOp("pad", {{"mode", str("wrap")}}), {&x, &p},
                         DType::F32, 1);
  EXPECT_ERROR_CONTAINS(mode, "attribute 'mode' must be one of \"constant\", "
                              "\"reflect\", \"edge\"; got \"wrap\"");
  HostTensor shortPads = i64s({1});
  auto count = runDynamic(makeOp("pad"), {&x, &shortPads}, DType::F32, 1);
  EXPECT_ERROR_CONTAINS(count, "must have 2 entries");
  HostTensor crop = i64s({-2, -2});
  auto tooMuch = runDynamic(makeOp("pad"), {&x, &crop}, DType::F32, 1);
  EXPECT_ERROR_CONTAINS(tooMuch, "crop more than dim 0");
  HostTensor iv = makeInt<int64_t>(DType::I64, {}, {1});
  auto value = runDynamic(makeOp("pad"), {&x, &p, &iv}, DType::F32, 1);
  EXPECT_ERROR_CONTAINS(value, "constant_value tensor<i64>");
}

//===----------------------------------------------------------------------===//
// resize
//===----------------------------------------------------------------------===//

StatusOr<HostTensor> resize(const HostTensor &x, std::vector<float> scales,
                            std::map<std::string, RefAttr> attrs) {
  int64_t n = static_cast<int64_t>(scales.size());
  HostTensor s = makeF32({n}, std::move(scales));
  return runDynamic(makeOp("resize", std::move(attrs)), {&x, &s}, x.type.dtype,
                    x.type.shape.size());
}

StatusOr<HostTensor> resizeTo(const HostTensor &x, Shape sizes,
                              std::map<std::string, RefAttr> attrs) {
  HostTensor s = i64s(std::move(sizes));
  return runDynamic(makeOp("resize", std::move(attrs)), {&x, &s}, x.type.dtype,
                    x.type.shape.size());
}

TEST(ReferenceResize, NearestModes) {
  HostTensor x2 = makeF32({2}, {10, 20});
  HostTensor x3 = makeF32({3}, {10, 20, 30});
  HostTensor x4 = makeF32({4}, {10, 20, 30, 40});
  struct Case {
    const HostTensor *x;
    float scale;
    const char *ctm, *nearest;
    std::vector<double> want;
  } cases[] = {
      // half_pixel 2x: source coordinates -0.25, 0.25, 0.75, 1.25.
      {&x2, 2, "half_pixel", "round_prefer_floor", {10, 10, 20, 20}},
      {&x2, 2, "half_pixel", "floor", {10, 10, 10, 20}},
      {&x2, 2, "half_pixel", "ceil", {10, 20, 20, 20}},
      // asymmetric 2x: 0, 0.5, 1, 1.5 (ties decide).
      {&x2, 2, "asymmetric", "round_prefer_floor", {10, 10, 20, 20}},
      {&x2, 2, "asymmetric", "round_prefer_ceil", {10, 20, 20, 20}},
      // tf_half_pixel_for_nn 2x: 0.25, 0.75, 1.25, 1.75.
      {&x2, 2, "tf_half_pixel_for_nn", "round_prefer_floor", {10, 20, 20, 20}},
      {&x2, 2, "tf_half_pixel_for_nn", "floor", {10, 10, 20, 20}},
      // half_pixel 0.5x: 0.5 and 2.5.
      {&x4, 0.5f, "half_pixel", "round_prefer_floor", {10, 30}},
      {&x4, 0.5f, "half_pixel", "round_prefer_ceil", {20, 40}},
      // pytorch_half_pixel equals half_pixel for outputs longer than 1.
      {&x4, 0.5f, "pytorch_half_pixel", "round_prefer_ceil", {20, 40}},
      // align_corners 3 -> 4 (scale 4/3 floors to 4): 0, 2/3, 4/3, 2.
      {&x3, 4.0f / 3, "align_corners", "round_prefer_floor", {10, 20, 20, 30}},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(::testing::Message() << c.ctm << " / " << c.nearest);
    auto r = resize(*c.x, {c.scale},
                    {{"mode", str("nearest")},
                     {"coordinate_transformation_mode", str(c.ctm)},
                     {"nearest_mode", str(c.nearest)}});
    ASSERT_TRUE(r) << r.status().message();
    EXPECT_VALUES_NEAR(*r, c.want, 0);
  }
  // Defaults: nearest, half_pixel, round_prefer_floor.
  auto d = resize(x2, {2}, {});
  ASSERT_TRUE(d);
  EXPECT_VALUES_NEAR(*d, (std::vector<double>{10, 10, 20, 20}), 0);
  // A length-1 output: pytorch_half_pixel reads element 0, half_pixel the
  // middle one.
  auto pt = resizeTo(
      x3, {1}, {{"coordinate_transformation_mode", str("pytorch_half_pixel")}});
  auto hp = resizeTo(x3, {1}, {});
  ASSERT_TRUE(pt && hp);
  EXPECT_EQ(pt->getAsDouble(0), 10);
  EXPECT_EQ(hp->getAsDouble(0), 20);
  // align_corners 3 -> 5 by sizes: 0, 0.5, 1, 1.5, 2.
  auto ac = resizeTo(x3, {5},
                     {{"coordinate_transformation_mode", str("align_corners")},
                      {"nearest_mode", str("round_prefer_ceil")}});
  ASSERT_TRUE(ac);
  EXPECT_VALUES_NEAR(*ac, (std::vector<double>{10, 20, 20, 30, 30}), 0);
  // Nearest moves bytes, so integers work.
  HostTensor ints64 = makeInt<int64_t>(DType::I64, {1, 2}, {7, 8});
  auto ri = resizeTo(ints64, {2, 4}, {});
  ASSERT_TRUE(ri) << ri.status().message();
  EXPECT_VALUES_NEAR(*ri, (std::vector<double>{7, 7, 8, 8, 7, 7, 8, 8}), 0);
}

TEST(ReferenceResize, Linear1D) {
  HostTensor x = makeF32({2}, {10, 20});
  auto hp = resize(x, {2}, {{"mode", str("linear")}});
  ASSERT_TRUE(hp) << hp.status().message();
  // -0.25 and 1.25 clamp to the ends.
  EXPECT_VALUES_NEAR(*hp, (std::vector<double>{10, 12.5, 17.5, 20}), 1e-6);
  auto asym = resize(x, {2},
                     {{"mode", str("linear")},
                      {"coordinate_transformation_mode", str("asymmetric")}});
  ASSERT_TRUE(asym);
  EXPECT_VALUES_NEAR(*asym, (std::vector<double>{10, 15, 20, 20}), 1e-6);
  auto ac =
      resizeTo(x, {3},
               {{"mode", str("linear")},
                {"coordinate_transformation_mode", str("align_corners")}});
  ASSERT_TRUE(ac);
  EXPECT_VALUES_NEAR(*ac, (std::vector<double>{10, 15, 20}), 1e-6);
}

TEST(ReferenceResize, BilinearOnnxExamples) {
  HostTensor x = makeF32({1, 1, 2, 2}, {1, 2, 3, 4});
  // ONNX resize_upsample_scales_linear.
  auto hp = resize(x, {1, 1, 2, 2}, {{"mode", str("linear")}});
  ASSERT_TRUE(hp) << hp.status().message();
  EXPECT_VALUES_NEAR(
      *hp,
      (std::vector<double>{1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75,
                           3.25, 3.5, 3, 3.25, 3.75, 4}),
      1e-6);
  // ONNX resize_upsample_scales_linear_align_corners.
  auto ac = resize(x, {1, 1, 2, 2},
                   {{"mode", str("linear")},
                    {"coordinate_transformation_mode", str("align_corners")}});
  ASSERT_TRUE(ac);
  EXPECT_VALUES_NEAR(*ac,
                     (std::vector<double>{1, 4.0 / 3, 5.0 / 3, 2, 5.0 / 3, 2,
                                          7.0 / 3, 8.0 / 3, 7.0 / 3, 8.0 / 3, 3,
                                          10.0 / 3, 3, 10.0 / 3, 11.0 / 3, 4}),
                     1e-6);
}

/// ONNX's N-linear definition: a weighted sum over the 2^rank corners.
std::vector<double> naiveLinear(const std::vector<float> &x, const Shape &in,
                                const Shape &out) {
  size_t rank = in.size();
  int64_t total = 1;
  for (int64_t d : out)
    total *= d;
  std::vector<double> result(static_cast<size_t>(total));
  for (int64_t o = 0; o < total; ++o) {
    Shape oi(rank);
    for (size_t d = rank, rem = o; d-- > 0;) {
      oi[d] = static_cast<int64_t>(rem) % out[d];
      rem /= out[d];
    }
    std::vector<int64_t> lo(rank), hi(rank);
    std::vector<double> w(rank);
    for (size_t d = 0; d < rank; ++d) {
      double scale = static_cast<double>(out[d]) / in[d];
      double c = (oi[d] + 0.5) / scale - 0.5;
      c = std::min(std::max(c, 0.0), static_cast<double>(in[d] - 1));
      lo[d] = static_cast<int64_t>(std::floor(c));
      hi[d] = std::min(lo[d] + 1, in[d] - 1);
      w[d] = c - lo[d];
    }
    double sum = 0;
    for (int corner = 0; corner < (1 << rank); ++corner) {
      double weight = 1;
      int64_t idx = 0;
      for (size_t d = 0; d < rank; ++d) {
        bool high = corner & (1 << d);
        weight *= high ? w[d] : 1 - w[d];
        idx = idx * in[d] + (high ? hi[d] : lo[d]);
      }
      sum += weight * x[idx];
    }
    result[o] = sum;
  }
  return result;
}

TEST(ReferenceResize, TrilinearMatchesCornerSum) {
  Shape in = {2, 3, 4}, out = {3, 5, 2};
  std::vector<float> xv = randomFloats(24, 61);
  HostTensor x = makeF32(in, xv);
  auto r = resizeTo(x, out, {{"mode", str("linear")}});
  ASSERT_TRUE(r) << r.status().message();
  ASSERT_EQ(r->type.shape, out);
  EXPECT_VALUES_NEAR(*r, naiveLinear(xv, in, out), 1e-6);
}

TEST(ReferenceResize, Errors) {
  HostTensor x = makeF32({2}, {1, 2});
  auto cubic = resize(x, {2}, {{"mode", str("cubic")}});
  EXPECT_ERROR_CONTAINS(cubic, "attribute 'mode' must be one of");
  auto ctm = resize(
      x, {2}, {{"coordinate_transformation_mode", str("tf_crop_and_resize")}});
  EXPECT_ERROR_CONTAINS(ctm, "coordinate_transformation_mode");
  auto rank = resize(x, {2, 2}, {});
  EXPECT_ERROR_CONTAINS(rank, "one entry per dim");
  HostTensor ints = makeInt<int64_t>(DType::I64, {2}, {1, 2});
  auto linearInt = resize(ints, {2}, {{"mode", str("linear")}});
  EXPECT_ERROR_CONTAINS(linearInt, "unsupported element type i64 for linear");
  HostTensor scales = makeF32({1}, {2}), sizes = i64s({4});
  auto both =
      runDynamic(makeOp("resize"), {&x, &scales, &sizes}, DType::F32, 1);
  EXPECT_ERROR_CONTAINS(both, "exactly one of scales and sizes");
  // An empty scales tensor next to sizes is how ONNX leaves scales out.
  HostTensor noScales = makeF32({0}, {});
  auto ok =
      runDynamic(makeOp("resize"), {&x, &noScales, &sizes}, DType::F32, 1);
  ASSERT_TRUE(ok) << ok.status().message();
  EXPECT_EQ(ok->type.shape, (Shape{4}));
}

//===----------------------------------------------------------------------===//
// shape, constant_of_shape, range, trilu
//===----------------------------------------------------------------------===//

TEST(ReferenceShapeOps, Shape) {
  HostTensor x = iotaF32({2, 3, 4, 5});
  auto all = runDynamic(makeOp("shape"), {&x}, DType::I64, 1);
  ASSERT_TRUE(all);
  EXPECT_VALUES_NEAR(*all, (std::vector<double>{2, 3, 4, 5}), 0);
  auto mid = run(makeOp("shape", {{"start", ints({1})}, {"end", ints({-1})}}),
                 {&x}, TensorType{DType::I64, {2}});
  ASSERT_TRUE(mid) << mid.status().message();
  EXPECT_VALUES_NEAR(*mid, (std::vector<double>{3, 4}), 0);
  auto clamped =
      runDynamic(makeOp("shape", {{"start", ints({-10})}, {"end", ints({10})}}),
                 {&x}, DType::I64, 1);
  ASSERT_TRUE(clamped);
  EXPECT_EQ(clamped->type.shape, (Shape{4}));
}

TEST(ReferenceShapeOps, ConstantOfShape) {
  HostTensor shape = i64s({2, 3});
  auto f = runDynamic(makeOp("constant_of_shape", {{"value", floats({1.5})}}),
                      {&shape}, DType::F32, 2);
  ASSERT_TRUE(f) << f.status().message();
  EXPECT_EQ(f->type.shape, (Shape{2, 3}));
  EXPECT_VALUES_NEAR(*f, std::vector<double>(6, 1.5), 0);
  auto i = runDynamic(makeOp("constant_of_shape", {{"value", ints({-7})}}),
                      {&shape}, DType::I64, 2);
  ASSERT_TRUE(i);
  EXPECT_VALUES_NEAR(*i, std::vector<double>(6, -7), 0);
  auto b = runDynamic(makeOp("constant_of_shape", {{"value", ints({1})}}),
                      {&shape}, DType::I1, 2);
  ASSERT_TRUE(b);
  EXPECT_VALUES_NEAR(*b, std::vector<double>(6, 1), 0);
  // No value: zeros. An empty shape: a scalar.
  HostTensor none = makeInt<int64_t>(DType::I64, {0}, {});
  auto scalar =
      run(makeOp("constant_of_shape"), {&none}, TensorType{DType::F16, {}});
  ASSERT_TRUE(scalar) << scalar.status().message();
  EXPECT_EQ(scalar->getAsDouble(0), 0);
  HostTensor neg = i64s({2, -1});
  auto bad = runDynamic(makeOp("constant_of_shape"), {&neg}, DType::F32, 2);
  EXPECT_ERROR_CONTAINS(bad, "negative dim");
}

TEST(ReferenceShapeOps, Range) {
  HostTensor s = i64Scalar(10), l = i64Scalar(4), d = i64Scalar(-3);
  auto down = runDynamic(makeOp("range"), {&s, &l, &d}, DType::I64, 1);
  ASSERT_TRUE(down) << down.status().message();
  EXPECT_VALUES_NEAR(*down, (std::vector<double>{10, 7}), 0);
  HostTensor fs = makeF32({}, {0}), fl = makeF32({}, {1}),
             fd = makeF32({}, {0.25f});
  auto up = runDynamic(makeOp("range"), {&fs, &fl, &fd}, DType::F32, 1);
  ASSERT_TRUE(up);
  EXPECT_VALUES_NEAR(*up, (std::vector<double>{0, 0.25, 0.5, 0.75}), 0);
  // The wrong direction gives no elements.
  auto empty = runDynamic(makeOp("range"), {&l, &s, &d}, DType::I64, 1);
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->type.shape, (Shape{0}));
  HostTensor fneg = makeF32({}, {-1.5f});
  auto fdown = runDynamic(makeOp("range"), {&fl, &fs, &fneg}, DType::F32, 1);
  ASSERT_TRUE(fdown);
  EXPECT_VALUES_NEAR(*fdown, (std::vector<double>{1}), 0);
  HostTensor zero = i64Scalar(0);
  auto z = runDynamic(makeOp("range"), {&s, &l, &zero}, DType::I64, 1);
  EXPECT_ERROR_CONTAINS(z, "delta is 0");
  auto mixed = runDynamic(makeOp("range"), {&s, &fl, &d}, DType::I64, 1);
  EXPECT_ERROR_CONTAINS(mixed, "scalars of one element type");
}

TEST(ReferenceShapeOps, Trilu) {
  HostTensor x = makeF32({3, 4}, std::vector<float>(12, 1));
  auto upper = runDynamic(makeOp("trilu"), {&x}, DType::F32, 2);
  ASSERT_TRUE(upper) << upper.status().message();
  EXPECT_VALUES_NEAR(
      *upper, (std::vector<double>{1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 1, 1}), 0);
  HostTensor k1 = i64Scalar(1);
  auto upper1 = runDynamic(makeOp("trilu"), {&x, &k1}, DType::F32, 2);
  ASSERT_TRUE(upper1);
  EXPECT_VALUES_NEAR(
      *upper1, (std::vector<double>{0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1}), 0);
  HostTensor km1 = i64Scalar(-1);
  auto lower = runDynamic(makeOp("trilu", {{"upper", ints({0})}}), {&x, &km1},
                          DType::F32, 2);
  ASSERT_TRUE(lower);
  EXPECT_VALUES_NEAR(
      *lower, (std::vector<double>{0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0}), 0);
  // Batched, integers, k past the matrix keeps nothing.
  HostTensor b = iotaI64({2, 2, 2});
  HostTensor k5 = i64Scalar(5);
  auto none = runDynamic(makeOp("trilu"), {&b, &k5}, DType::I64, 3);
  ASSERT_TRUE(none);
  EXPECT_VALUES_NEAR(*none, std::vector<double>(8, 0), 0);
  auto batched =
      runDynamic(makeOp("trilu", {{"upper", ints({0})}}), {&b}, DType::I64, 3);
  ASSERT_TRUE(batched);
  EXPECT_VALUES_NEAR(*batched, (std::vector<double>{0, 0, 2, 3, 4, 0, 6, 7}),
                     0);
  HostTensor v = iotaF32({3});
  auto rank = runDynamic(makeOp("trilu"), {&v}, DType::F32, 1);
  EXPECT_ERROR_CONTAINS(rank, "expects rank >= 2");
}

} // namespace
