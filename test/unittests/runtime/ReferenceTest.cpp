//===- ReferenceTest.cpp - reference executor tests -----------------------===//
//
// Elementwise, normalization and reduction ops against values computed by
// hand (or, for the larger broadcast cases, by an independent naive loop in
// the test), dispatch errors, and whole reference programs including dynamic
// shapes. Contractions and data movement ops have their own files.
//
//===----------------------------------------------------------------------===//

#include "test/unittests/runtime/ReferenceTestUtil.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>

using namespace ds::runtime;
using namespace ds::runtime::testing;

namespace {

//===----------------------------------------------------------------------===//
// Elementwise binary
//===----------------------------------------------------------------------===//

TEST(ReferenceBinary, AddSameShape) {
  HostTensor a = makeF32({2, 2}, {1, 2, 3, 4});
  HostTensor b = makeF32({2, 2}, {10, 20, 30, 40});
  auto r = run(makeOp("add"), {&a, &b}, f32({2, 2}));
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_VALUES_NEAR(*r, (std::vector<double>{11, 22, 33, 44}), 0);
}

TEST(ReferenceBinary, BroadcastRowVector) {
  HostTensor a = makeF32({2, 3}, {1, 2, 3, 4, 5, 6});
  HostTensor b = makeF32({3}, {10, 20, 30});
  auto r = run(makeOp("sub"), {&a, &b}, f32({2, 3}));
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_VALUES_NEAR(*r, (std::vector<double>{-9, -18, -27, -6, -15, -24}), 0);
}

TEST(ReferenceBinary, BroadcastBothOperands) {
  // [2,1] * [1,3] -> [2,3]: an outer product.
  HostTensor a = makeF32({2, 1}, {2, 3});
  HostTensor b = makeF32({1, 3}, {1, 10, 100});
  auto r = run(makeOp("mul"), {&a, &b}, f32({2, 3}));
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_VALUES_NEAR(*r, (std::vector<double>{2, 20, 200, 3, 30, 300}), 0);
}

TEST(ReferenceBinary, BroadcastScalarAndMiddleDim) {
  HostTensor s = makeF32({}, {8});
  HostTensor v = makeF32({2, 1, 2}, {1, 2, 4, 8});
  auto r = run(makeOp("div"), {&s, &v}, f32({2, 1, 2}));
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_VALUES_NEAR(*r, (std::vector<double>{8, 4, 2, 1}), 0);

  // [2,1,2] + [3,1] -> [2,3,2].
  HostTensor c = makeF32({3, 1}, {0, 100, 200});
  auto sum = run(makeOp("add"), {&v, &c}, f32({2, 3, 2}));
  ASSERT_TRUE(sum) << sum.status().message();
  EXPECT_VALUES_NEAR(
      *sum,
      (std::vector<double>{1, 2, 101, 102, 201, 202, 4, 8, 104, 108, 204, 208}),
      0);
}

TEST(ReferenceBinary, MaxMinPow) {
  HostTensor a = makeF32({3}, {1, -2, NAN});
  HostTensor b = makeF32({3}, {0, 5, 1});
  auto mx = run(makeOp("max"), {&a, &b}, f32({3}));
  auto mn = run(makeOp("min"), {&a, &b}, f32({3}));
  ASSERT_TRUE(mx && mn);
  EXPECT_EQ(mx->getAsDouble(0), 1);
  EXPECT_EQ(mx->getAsDouble(1), 5);
  EXPECT_TRUE(std::isnan(mx->getAsDouble(2))); // numpy.maximum propagates NaN
  EXPECT_EQ(mn->getAsDouble(0), 0);
  EXPECT_EQ(mn->getAsDouble(1), -2);
  EXPECT_TRUE(std::isnan(mn->getAsDouble(2)));

  HostTensor base = makeF32({3}, {2, 9, 4});
  HostTensor exp = makeF32({}, {0.5f});
  auto p = run(makeOp("pow"), {&base, &exp}, f32({3}));
  ASSERT_TRUE(p);
  EXPECT_VALUES_NEAR(*p, (std::vector<double>{std::sqrt(2.0), 3, 2}), 1e-6);
}

TEST(ReferenceBinary, Integers) {
  HostTensor a = makeInt<int64_t>(DType::I64, {4}, {-7, 7, 9, 1});
  HostTensor b = makeInt<int64_t>(DType::I64, {4}, {2, -2, 3, 5});
  TensorType t{DType::I64, {4}};
  auto d = run(makeOp("div"), {&a, &b}, t);
  ASSERT_TRUE(d) << d.status().message();
  // Truncating division, as C and ONNX.
  EXPECT_VALUES_NEAR(*d, (std::vector<double>{-3, -3, 3, 0}), 0);
  auto m = run(makeOp("max"), {&a, &b}, t);
  ASSERT_TRUE(m);
  EXPECT_VALUES_NEAR(*m, (std::vector<double>{2, 7, 9, 5}), 0);

  HostTensor x = makeInt<int32_t>(DType::I32, {2}, {2147483647, -5});
  HostTensor one = makeInt<int32_t>(DType::I32, {}, {1});
  auto s = run(makeOp("add"), {&x, &one}, TensorType{DType::I32, {2}});
  ASSERT_TRUE(s);
  // 32-bit wrap-around.
  EXPECT_VALUES_NEAR(*s, (std::vector<double>{-2147483648.0, -4}), 0);
}

TEST(ReferenceBinary, IntegerDivisionByZeroFails) {
  HostTensor a = makeInt<int32_t>(DType::I32, {2}, {1, 2});
  HostTensor b = makeInt<int32_t>(DType::I32, {2}, {1, 0});
  auto r = run(makeOp("div"), {&a, &b}, TensorType{DType::I32, {2}});
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("division by zero"), std::string::npos);
}

TEST(ReferenceBinary, Errors) {
  HostTensor a = makeF32({2, 3}, {1, 2, 3, 4, 5, 6});
  HostTensor b = makeF32({2}, {1, 2});
  auto incompatible = run(makeOp("add"), {&a, &b}, f32({2, 3}));
  ASSERT_FALSE(incompatible);
  EXPECT_NE(incompatible.status().message().find("broadcast"),
            std::string::npos);
  EXPECT_NE(incompatible.status().message().find("node_add"),
            std::string::npos);

  HostTensor c = makeF32({3}, {1, 2, 3});
  auto wrongResult = run(makeOp("add"), {&a, &c}, f32({3, 2}));
  ASSERT_FALSE(wrongResult);
  EXPECT_NE(wrongResult.status().message().find("tensor<3x2xf32>"),
            std::string::npos);

  HostTensor i = makeInt<int32_t>(DType::I32, {3}, {1, 2, 3});
  auto mixed = run(makeOp("add"), {&c, &i}, f32({3}));
  ASSERT_FALSE(mixed);
  EXPECT_NE(mixed.status().message().find("differ"), std::string::npos);

  auto intPow = run(makeOp("pow"), {&i, &i}, TensorType{DType::I32, {3}});
  ASSERT_FALSE(intPow);
  EXPECT_NE(intPow.status().message().find("unsupported element type i32"),
            std::string::npos);
}

//===----------------------------------------------------------------------===//
// Elementwise unary
//===----------------------------------------------------------------------===//

TEST(ReferenceUnary, HandComputedValues) {
  struct Case {
    const char *op;
    float x;
    double expected;
  } cases[] = {
      {"neg", 1.5f, -1.5},
      {"exp", 1.0f, 2.718281828459045},
      {"sqrt", 4.0f, 2.0},
      {"rsqrt", 4.0f, 0.5},
      {"tanh", 0.5f, 0.46211715726000974},
      {"erf", 0.5f, 0.5204998778130465},
      {"relu", -1.0f, 0.0},
      {"relu", 2.5f, 2.5},
      {"sigmoid", 0.0f, 0.5},
      {"sigmoid", 2.0f, 0.8807970779778823},
      {"silu", 2.0f, 1.7615941559557646},
      {"silu", -1.0f, -0.2689414213699951},
  };
  for (const Case &c : cases) {
    HostTensor x = makeF32({1}, {c.x});
    auto r = run(makeOp(c.op), {&x}, f32({1}));
    ASSERT_TRUE(r) << c.op << ": " << r.status().message();
    EXPECT_NEAR(r->getAsDouble(0), c.expected, 1e-6)
        << c.op << "(" << c.x << ")";
  }
}

TEST(ReferenceUnary, GeluBothModes) {
  HostTensor x = makeF32({3}, {1, -1, 0});
  // 0.5 x (1 + erf(x / sqrt 2)).
  auto exact =
      run(makeOp("gelu", {{"approximate", str("none")}}), {&x}, f32({3}));
  ASSERT_TRUE(exact) << exact.status().message();
  EXPECT_VALUES_NEAR(
      *exact,
      (std::vector<double>{0.8413447460685429, -0.15865525393145707, 0}), 1e-6);
  // No attribute means "none".
  auto byDefault = run(makeOp("gelu"), {&x}, f32({3}));
  ASSERT_TRUE(byDefault);
  EXPECT_NEAR(byDefault->getAsDouble(0), 0.8413447460685429, 1e-6);
  // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
  auto approx =
      run(makeOp("gelu", {{"approximate", str("tanh")}}), {&x}, f32({3}));
  ASSERT_TRUE(approx) << approx.status().message();
  EXPECT_VALUES_NEAR(
      *approx,
      (std::vector<double>{0.8411919906082768, -0.15880800939172324, 0}), 1e-6);

  auto bad =
      run(makeOp("gelu", {{"approximate", str("fast")}}), {&x}, f32({3}));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.status().message().find("approximate"), std::string::npos);
}

TEST(ReferenceUnary, IntegerNegAndUnsupported) {
  HostTensor x = makeInt<int64_t>(DType::I64, {2}, {3, -4});
  auto r = run(makeOp("neg"), {&x}, TensorType{DType::I64, {2}});
  ASSERT_TRUE(r);
  EXPECT_VALUES_NEAR(*r, (std::vector<double>{-3, 4}), 0);
  auto e = run(makeOp("exp"), {&x}, TensorType{DType::I64, {2}});
  ASSERT_FALSE(e);
  EXPECT_NE(e.status().message().find("i64"), std::string::npos);
}

//===----------------------------------------------------------------------===//
// f16 / bf16
//===----------------------------------------------------------------------===//

TEST(ReferenceHalf, F16ComputesThroughFloat) {
  HostTensor a = makeF16({3}, {1.5f, -2.0f, 1.0f});
  HostTensor b = makeF16({3}, {2.25f, 0.5f, 0.00048828125f}); // 2^-11
  auto r = run(makeOp("add"), {&a, &b}, TensorType{DType::F16, {3}});
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(r->getAsDouble(0), 3.75);
  EXPECT_EQ(r->getAsDouble(1), -1.5);
  // 1 + 2^-11 is halfway between two halves; ties round to even (1.0).
  EXPECT_EQ(r->getAsDouble(2), 1.0);

  HostTensor x = makeF16({2}, {1.0f, -1.0f});
  auto g = run(makeOp("gelu"), {&x}, TensorType{DType::F16, {2}});
  ASSERT_TRUE(g);
  EXPECT_NEAR(g->getAsDouble(0), 0.8413, 1e-3);

  HostTensor m1 = makeF16({2, 2}, {1, 2, 3, 4});
  HostTensor m2 = makeF16({2}, {0.5f, 0.25f});
  auto mv = run(makeOp("matmul"), {&m1, &m2}, TensorType{DType::F16, {2}});
  ASSERT_TRUE(mv) << mv.status().message();
  EXPECT_VALUES_NEAR(*mv, (std::vector<double>{1.0, 2.5}), 0);
}

TEST(ReferenceHalf, Bf16) {
  HostTensor a(TensorType{DType::BF16, {2}});
  a.data<uint16_t>()[0] = floatToBf16(3.0f);
  a.data<uint16_t>()[1] = floatToBf16(-0.5f);
  auto r = run(makeOp("relu"), {&a}, TensorType{DType::BF16, {2}});
  ASSERT_TRUE(r);
  EXPECT_VALUES_NEAR(*r, (std::vector<double>{3.0, 0.0}), 0);
}

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

TEST(ReferenceMatmul, TwoByThreeTimesThreeByTwo) {
  HostTensor a = makeF32({2, 3}, {1, 2, 3, 4, 5, 6});
  HostTensor b = makeF32({3, 2}, {7, 8, 9, 10, 11, 12});
  auto r = run(makeOp("matmul"), {&a, &b}, f32({2, 2}));
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_VALUES_NEAR(*r, (std::vector<double>{58, 64, 139, 154}), 0);
}

TEST(ReferenceMatmul, BatchedWithBroadcastRhs) {
  // [2,2,3] @ [3,2]: the rhs is shared by both batches.
  HostTensor a = makeF32({2, 2, 3}, {1, 2, 3, 4, 5, 6, 1, 0, 0, 0, 1, 0});
  HostTensor b = makeF32({3, 2}, {7, 8, 9, 10, 11, 12});
  auto r = run(makeOp("matmul"), {&a, &b}, f32({2, 2, 2}));
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_VALUES_NEAR(*r, (std::vector<double>{58, 64, 139, 154, 7, 8, 9, 10}),
                     0);
}

TEST(ReferenceMatmul, BroadcastBatchDims) {
  // [2,1,2,3] @ [4,3,2] -> [2,4,2,2]; checked with an independent loop.
  std::vector<float> av(2 * 2 * 3), bv(4 * 3 * 2);
  for (size_t i = 0; i < av.size(); ++i)
    av[i] = static_cast<float>(i % 7) - 3;
  for (size_t i = 0; i < bv.size(); ++i)
    bv[i] = static_cast<float>(i % 5) * 0.5f;
  HostTensor a = makeF32({2, 1, 2, 3}, av), b = makeF32({4, 3, 2}, bv);
  auto r = run(makeOp("matmul"), {&a, &b}, f32({2, 4, 2, 2}));
  ASSERT_TRUE(r) << r.status().message();
  for (int i0 = 0; i0 < 2; ++i0)
    for (int i1 = 0; i1 < 4; ++i1)
      for (int m = 0; m < 2; ++m)
        for (int n = 0; n < 2; ++n) {
          double want = 0;
          for (int k = 0; k < 3; ++k)
            want += av[i0 * 6 + m * 3 + k] * bv[i1 * 6 + k * 2 + n];
          EXPECT_EQ(r->getAsDouble(((i0 * 4 + i1) * 2 + m) * 2 + n), want);
        }
}

TEST(ReferenceMatmul, OneDimensionalOperands) {
  HostTensor v = makeF32({3}, {1, 2, 3});
  HostTensor w = makeF32({3}, {4, 5, 6});
  HostTensor m = makeF32({3, 2}, {1, 0, 0, 1, 1, 1});
  HostTensor mt = makeF32({2, 3}, {1, 0, 1, 0, 1, 1});
  HostTensor batched = makeF32({2, 2, 3}, {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1});

  auto dot = run(makeOp("matmul"), {&v, &w}, f32({}));
  ASSERT_TRUE(dot) << dot.status().message();
  EXPECT_EQ(dot->getAsDouble(0), 32);

  auto vecMat = run(makeOp("matmul"), {&v, &m}, f32({2}));
  ASSERT_TRUE(vecMat) << vecMat.status().message();
  EXPECT_VALUES_NEAR(*vecMat, (std::vector<double>{4, 5}), 0);

  auto matVec = run(makeOp("matmul"), {&mt, &v}, f32({2}));
  ASSERT_TRUE(matVec) << matVec.status().message();
  EXPECT_VALUES_NEAR(*matVec, (std::vector<double>{4, 5}), 0);

  auto batchVec = run(makeOp("matmul"), {&batched, &v}, f32({2, 2}));
  ASSERT_TRUE(batchVec) << batchVec.status().message();
  EXPECT_VALUES_NEAR(*batchVec, (std::vector<double>{1, 2, 3, 6}), 0);

  auto vecBatch = run(makeOp("matmul"), {&w, &batched}, f32({2, 3}));
  ASSERT_FALSE(vecBatch); // [3] @ [2,2,3]: contraction 3 vs 2
}

TEST(ReferenceMatmul, Errors) {
  HostTensor a = makeF32({2, 3}, {1, 2, 3, 4, 5, 6});
  HostTensor b = makeF32({2, 2}, {1, 2, 3, 4});
  auto k = run(makeOp("matmul"), {&a, &b}, f32({2, 2}));
  ASSERT_FALSE(k);
  EXPECT_NE(k.status().message().find("contraction"), std::string::npos);

  HostTensor s = makeF32({}, {1});
  auto scalar = run(makeOp("matmul"), {&s, &a}, f32({3}));
  ASSERT_FALSE(scalar);

  HostTensor c = makeF32({2, 3, 2}, std::vector<float>(12, 1));
  HostTensor d = makeF32({3, 2, 2}, std::vector<float>(12, 1));
  auto batch = run(makeOp("matmul"), {&c, &d}, f32({3, 3, 2}));
  ASSERT_FALSE(batch);
  EXPECT_NE(batch.status().message().find("batch"), std::string::npos);
}

//===----------------------------------------------------------------------===//
// softmax
//===----------------------------------------------------------------------===//

TEST(ReferenceSoftmax, LastAxis) {
  HostTensor x = makeF32({2, 3}, {1, 2, 3, 0, 0, 0});
  auto r = run(makeOp("softmax", {{"axis", ints({1})}}), {&x}, f32({2, 3}));
  ASSERT_TRUE(r) << r.status().message();
  // e^-2, e^-1, 1 over their sum.
  EXPECT_VALUES_NEAR(
      *r,
      (std::vector<double>{0.09003057317038046, 0.24472847105479764,
                           0.6652409557748219, 1.0 / 3, 1.0 / 3, 1.0 / 3}),
      1e-7);
  auto neg = run(makeOp("softmax", {{"axis", ints({-1})}}), {&x}, f32({2, 3}));
  ASSERT_TRUE(neg);
  EXPECT_EQ(valuesOf(*neg), valuesOf(*r));
}

TEST(ReferenceSoftmax, AxisZero) {
  HostTensor x = makeF32({2, 2}, {0, 1, std::log(3.0f), 1});
  auto r = run(makeOp("softmax", {{"axis", ints({0})}}), {&x}, f32({2, 2}));
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_VALUES_NEAR(*r, (std::vector<double>{0.25, 0.5, 0.75, 0.5}), 1e-7);
}

TEST(ReferenceSoftmax, StableForLargeInputs) {
  HostTensor x = makeF32({2}, {1000, 1001});
  auto r = run(makeOp("softmax", {{"axis", ints({0})}}), {&x}, f32({2}));
  ASSERT_TRUE(r);
  EXPECT_NEAR(r->getAsDouble(0), 0.2689414213699951, 1e-7);
  EXPECT_NEAR(r->getAsDouble(1), 0.7310585786300049, 1e-7);
}

TEST(ReferenceSoftmax, Errors) {
  HostTensor x = makeF32({2}, {1, 2});
  auto missing = run(makeOp("softmax"), {&x}, f32({2}));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.status().message().find("'axis'"), std::string::npos);
  auto range = run(makeOp("softmax", {{"axis", ints({1})}}), {&x}, f32({2}));
  ASSERT_FALSE(range);
  EXPECT_NE(range.status().message().find("out of range"), std::string::npos);
}

//===----------------------------------------------------------------------===//
// Layout: transpose, reshape
//===----------------------------------------------------------------------===//

TEST(ReferenceLayout, Transpose3D) {
  std::vector<float> v(24);
  for (int i = 0; i < 24; ++i)
    v[i] = static_cast<float>(i);
  HostTensor x = makeF32({2, 3, 4}, v);
  auto r = run(makeOp("transpose", {{"perm", ints({2, 0, 1})}}), {&x},
               f32({4, 2, 3}));
  ASSERT_TRUE(r) << r.status().message();
  // out[i][j][k] = x[j][k][i] = 12 j + 4 k + i.
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 2; ++j)
      for (int k = 0; k < 3; ++k)
        EXPECT_EQ(r->getAsDouble((i * 2 + j) * 3 + k), 12 * j + 4 * k + i);
}

TEST(ReferenceLayout, TransposeIntegersAndHalf) {
  HostTensor x = makeInt<int64_t>(DType::I64, {2, 3}, {1, 2, 3, 4, 5, 6});
  auto r = run(makeOp("transpose", {{"perm", ints({1, 0})}}), {&x},
               TensorType{DType::I64, {3, 2}});
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_VALUES_NEAR(*r, (std::vector<double>{1, 4, 2, 5, 3, 6}), 0);

  HostTensor h = makeF16({2, 2}, {1, 2, 3, 4});
  auto t = run(makeOp("transpose", {{"perm", ints({1, 0})}}), {&h},
               TensorType{DType::F16, {2, 2}});
  ASSERT_TRUE(t);
  EXPECT_VALUES_NEAR(*t, (std::vector<double>{1, 3, 2, 4}), 0);
}

TEST(ReferenceLayout, TransposeErrors) {
  HostTensor x = makeF32({2, 3}, {1, 2, 3, 4, 5, 6});
  auto dup =
      run(makeOp("transpose", {{"perm", ints({0, 0})}}), {&x}, f32({2, 2}));
  ASSERT_FALSE(dup);
  EXPECT_NE(dup.status().message().find("permutation"), std::string::npos);
  auto shortPerm =
      run(makeOp("transpose", {{"perm", ints({0})}}), {&x}, f32({2, 3}));
  ASSERT_FALSE(shortPerm);
  auto wrongType =
      run(makeOp("transpose", {{"perm", ints({1, 0})}}), {&x}, f32({2, 3}));
  ASSERT_FALSE(wrongType);
}

TEST(ReferenceLayout, Reshape) {
  HostTensor x = makeInt<int32_t>(DType::I32, {2, 3}, {1, 2, 3, 4, 5, 6});
  auto r = run(makeOp("reshape"), {&x}, TensorType{DType::I32, {3, 1, 2}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->bytes, x.bytes);
  auto bad = run(makeOp("reshape"), {&x}, TensorType{DType::I32, {4}});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.status().message().find("cannot reshape"), std::string::npos);
}

//===----------------------------------------------------------------------===//
// More elementwise unary: log abs reciprocal leaky_relu hard_sigmoid
// hard_swish clip not cast
//===----------------------------------------------------------------------===//

TEST(ReferenceUnary, MoreFloatOps) {
  HostTensor x = makeF32({4}, {-2, -0.5f, 0.5f, 4});
  auto abs = run(makeOp("abs"), {&x}, f32({4}));
  ASSERT_TRUE(abs) << abs.status().message();
  EXPECT_VALUES_NEAR(*abs, (std::vector<double>{2, 0.5, 0.5, 4}), 0);
  auto rec = run(makeOp("reciprocal"), {&x}, f32({4}));
  ASSERT_TRUE(rec);
  EXPECT_VALUES_NEAR(*rec, (std::vector<double>{-0.5, -2, 2, 0.25}), 0);
  HostTensor p = makeF32({2}, {1, 7.38905609893065f});
  auto log = run(makeOp("log"), {&p}, f32({2}));
  ASSERT_TRUE(log);
  EXPECT_VALUES_NEAR(*log, (std::vector<double>{0, 2}), 1e-6);

  // LeakyRelu's ONNX default alpha is 0.01.
  auto leaky = run(makeOp("leaky_relu"), {&x}, f32({4}));
  ASSERT_TRUE(leaky) << leaky.status().message();
  EXPECT_VALUES_NEAR(*leaky, (std::vector<double>{-0.02, -0.005, 0.5, 4}),
                     1e-7);
  auto leaky3 =
      run(makeOp("leaky_relu", {{"alpha", floats({0.3})}}), {&x}, f32({4}));
  ASSERT_TRUE(leaky3);
  EXPECT_VALUES_NEAR(*leaky3, (std::vector<double>{-0.6, -0.15, 0.5, 4}), 1e-7);

  // max(0, min(1, alpha x + beta)); defaults 0.2 and 0.5.
  HostTensor h = makeF32({4}, {-3, 0, 1, 3});
  auto hs = run(makeOp("hard_sigmoid"), {&h}, f32({4}));
  ASSERT_TRUE(hs);
  EXPECT_VALUES_NEAR(*hs, (std::vector<double>{0, 0.5, 0.7, 1}), 1e-7);
  auto hs2 = run(makeOp("hard_sigmoid",
                        {{"alpha", floats({0.5})}, {"beta", floats({0.25})}}),
                 {&h}, f32({4}));
  ASSERT_TRUE(hs2);
  EXPECT_VALUES_NEAR(*hs2, (std::vector<double>{0, 0.25, 0.75, 1}), 1e-7);

  // x * max(0, min(1, x/6 + 1/2)).
  HostTensor s = makeF32({4}, {-4, -1, 1, 4});
  auto sw = run(makeOp("hard_swish"), {&s}, f32({4}));
  ASSERT_TRUE(sw);
  EXPECT_VALUES_NEAR(*sw, (std::vector<double>{0, -1.0 / 3, 2.0 / 3, 4}), 1e-6);
}

TEST(ReferenceUnary, Clip) {
  HostTensor x = makeF32({5}, {-2, -0.5f, 0.5f, 4, NAN});
  auto both = run(makeOp("clip", {{"min", floats({-1})}, {"max", floats({1})}}),
                  {&x}, f32({5}));
  ASSERT_TRUE(both) << both.status().message();
  EXPECT_EQ(both->getAsDouble(0), -1);
  EXPECT_EQ(both->getAsDouble(1), -0.5);
  EXPECT_EQ(both->getAsDouble(2), 0.5);
  EXPECT_EQ(both->getAsDouble(3), 1);
  EXPECT_TRUE(std::isnan(both->getAsDouble(4)));
  // An absent bound is unbounded.
  auto lower = run(makeOp("clip", {{"min", floats({0})}}), {&x}, f32({5}));
  ASSERT_TRUE(lower);
  EXPECT_EQ(lower->getAsDouble(0), 0);
  EXPECT_EQ(lower->getAsDouble(3), 4);
  HostTensor i = makeInt<int32_t>(DType::I32, {3}, {-7, 3, 9});
  auto ic = run(makeOp("clip", {{"min", floats({-2.5})}, {"max", floats({6})}}),
                {&i}, TensorType{DType::I32, {3}});
  ASSERT_TRUE(ic) << ic.status().message();
  EXPECT_VALUES_NEAR(*ic, (std::vector<double>{-2, 3, 6}), 0);
}

TEST(ReferenceUnary, IntegerAbsAndRelu) {
  HostTensor x = makeInt<int32_t>(DType::I32, {3},
                                  {-5, 6, std::numeric_limits<int32_t>::min()});
  auto a = run(makeOp("abs"), {&x}, TensorType{DType::I32, {3}});
  ASSERT_TRUE(a);
  // |INT32_MIN| wraps to itself, as two's complement hardware does.
  EXPECT_VALUES_NEAR(*a, (std::vector<double>{5, 6, -2147483648.0}), 0);
  auto r = run(makeOp("relu"), {&x}, TensorType{DType::I32, {3}});
  ASSERT_TRUE(r);
  EXPECT_VALUES_NEAR(*r, (std::vector<double>{0, 6, 0}), 0);
}

TEST(ReferenceUnary, Not) {
  HostTensor b = makeBool({3}, {0, 1, 0});
  auto r = run(makeOp("not"), {&b}, TensorType{DType::I1, {3}});
  ASSERT_TRUE(r);
  EXPECT_VALUES_NEAR(*r, (std::vector<double>{1, 0, 1}), 0);
  HostTensor f = makeF32({1}, {1});
  auto bad = run(makeOp("not"), {&f}, f32({1}));
  EXPECT_ERROR_CONTAINS(bad, "unsupported element type f32");
}

TEST(ReferenceUnary, Cast) {
  HostTensor x = makeF32({6}, {-2.7f, 2.7f, NAN, 3e9f, -3e9f, 0});
  // Float to integer truncates toward zero and saturates; NaN gives 0.
  auto i32 = run(makeOp("cast"), {&x}, TensorType{DType::I32, {6}});
  ASSERT_TRUE(i32) << i32.status().message();
  EXPECT_VALUES_NEAR(
      *i32, (std::vector<double>{-2, 2, 0, 2147483647.0, -2147483648.0, 0}), 0);
  // Anything to i1 is `!= 0` (NaN is not 0).
  auto b = run(makeOp("cast"), {&x}, TensorType{DType::I1, {6}});
  ASSERT_TRUE(b);
  EXPECT_VALUES_NEAR(*b, (std::vector<double>{1, 1, 1, 1, 1, 0}), 0);
  // i64 to i32 wraps.
  HostTensor big =
      makeInt<int64_t>(DType::I64, {2}, {(int64_t(1) << 32) + 5, -1});
  auto wrapped = run(makeOp("cast"), {&big}, TensorType{DType::I32, {2}});
  ASSERT_TRUE(wrapped);
  EXPECT_VALUES_NEAR(*wrapped, (std::vector<double>{5, -1}), 0);
  // i1 and integers to float.
  HostTensor bools = makeBool({2}, {1, 0});
  auto bf = run(makeOp("cast"), {&bools}, f32({2}));
  ASSERT_TRUE(bf);
  EXPECT_VALUES_NEAR(*bf, (std::vector<double>{1, 0}), 0);
  auto back = run(makeOp("cast"), {&big}, f32({2}));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->getAsDouble(1), -1);
  // f32 to f16 rounds to nearest even: 1 + 2^-11 is a tie, goes to 1.
  HostTensor tie = makeF32({2}, {1.00048828125f, 65520.0f});
  auto h = run(makeOp("cast"), {&tie}, TensorType{DType::F16, {2}});
  ASSERT_TRUE(h);
  EXPECT_EQ(h->getAsDouble(0), 1.0);
  EXPECT_TRUE(std::isinf(h->getAsDouble(1))); // beyond the f16 range
  // The target is the declared element type; the shape is the operand's.
  auto dyn = runDynamic(makeOp("cast"), {&x}, DType::I64, 1);
  ASSERT_TRUE(dyn);
  EXPECT_EQ(dyn->type, (TensorType{DType::I64, {6}}));

  HostTensor u8(TensorType{DType::U8, {1}});
  auto bad = run(makeOp("cast"), {&u8}, f32({1}));
  EXPECT_ERROR_CONTAINS(bad, "unsupported cast from u8 to f32");
}

//===----------------------------------------------------------------------===//
// More elementwise binary: prelu pow comparisons logic, and where
//===----------------------------------------------------------------------===//

TEST(ReferenceBinary, PreluAndPow) {
  HostTensor x = makeF32({2, 2}, {-1, 2, -3, 4});
  HostTensor slope = makeF32({2}, {0.5f, 0.25f});
  auto p = run(makeOp("prelu"), {&x, &slope}, f32({2, 2}));
  ASSERT_TRUE(p) << p.status().message();
  EXPECT_VALUES_NEAR(*p, (std::vector<double>{-0.5, 2, -1.5, 4}), 0);
  // The exponent may be an integer tensor.
  HostTensor e = makeInt<int64_t>(DType::I64, {}, {3});
  auto cube = run(makeOp("pow"), {&x, &e}, f32({2, 2}));
  ASSERT_TRUE(cube) << cube.status().message();
  EXPECT_VALUES_NEAR(*cube, (std::vector<double>{-1, 8, -27, 64}), 0);
}

TEST(ReferenceBinary, Comparisons) {
  HostTensor a = makeF32({4}, {1, 2, 3, NAN});
  HostTensor b = makeF32({}, {2});
  struct Case {
    const char *op;
    std::vector<double> want;
  } cases[] = {{"equal", {0, 1, 0, 0}},
               {"less", {1, 0, 0, 0}},
               {"less_equal", {1, 1, 0, 0}},
               {"greater", {0, 0, 1, 0}},
               {"greater_equal", {0, 1, 1, 0}}};
  HostTensor ia = makeInt<int64_t>(DType::I64, {4}, {1, 2, 3, 0});
  HostTensor ib = makeInt<int64_t>(DType::I64, {}, {2});
  for (const Case &c : cases) {
    auto r = run(makeOp(c.op), {&a, &b}, TensorType{DType::I1, {4}});
    ASSERT_TRUE(r) << c.op << ": " << r.status().message();
    EXPECT_VALUES_NEAR(*r, c.want, 0);
    auto ri = runDynamic(makeOp(c.op), {&ia, &ib}, DType::I1, 1);
    ASSERT_TRUE(ri) << c.op << ": " << ri.status().message();
    std::vector<double> intWant = c.want;
    // 0 < 2, unlike NaN.
    intWant[3] =
        std::string(c.op) == "less" || std::string(c.op) == "less_equal";
    EXPECT_VALUES_NEAR(*ri, intWant, 0);
  }
  HostTensor t = makeBool({3}, {1, 0, 1});
  HostTensor u = makeBool({3}, {1, 1, 0});
  auto eq = run(makeOp("equal"), {&t, &u}, TensorType{DType::I1, {3}});
  ASSERT_TRUE(eq) << eq.status().message();
  EXPECT_VALUES_NEAR(*eq, (std::vector<double>{1, 0, 0}), 0);
  auto lt = run(makeOp("less"), {&t, &u}, TensorType{DType::I1, {3}});
  EXPECT_ERROR_CONTAINS(lt, "unsupported element type i1");
  // The result is i1 whatever the operands are.
  auto wrong = run(makeOp("less"), {&a, &b}, f32({4}));
  EXPECT_ERROR_CONTAINS(wrong, "declared tensor<4xf32> but the op computes "
                               "tensor<4xi1>");
}

TEST(ReferenceBinary, Logic) {
  HostTensor a = makeBool({2, 2}, {0, 0, 1, 1});
  HostTensor b = makeBool({2}, {0, 1});
  auto andR = run(makeOp("and"), {&a, &b}, TensorType{DType::I1, {2, 2}});
  auto orR = run(makeOp("or"), {&a, &b}, TensorType{DType::I1, {2, 2}});
  auto xorR = run(makeOp("xor"), {&a, &b}, TensorType{DType::I1, {2, 2}});
  ASSERT_TRUE(andR && orR && xorR);
  EXPECT_VALUES_NEAR(*andR, (std::vector<double>{0, 0, 0, 1}), 0);
  EXPECT_VALUES_NEAR(*orR, (std::vector<double>{0, 1, 1, 1}), 0);
  EXPECT_VALUES_NEAR(*xorR, (std::vector<double>{0, 1, 1, 0}), 0);
  HostTensor f = makeF32({2}, {0, 1});
  auto bad = run(makeOp("and"), {&a, &f}, TensorType{DType::I1, {2, 2}});
  EXPECT_ERROR_CONTAINS(bad, "operands must be i1");
}

TEST(ReferenceTernary, WhereBroadcastsAllThree) {
  HostTensor c = makeBool({2, 1}, {1, 0});
  HostTensor x = makeInt<int64_t>(DType::I64, {3}, {1, 2, 3});
  HostTensor y = makeInt<int64_t>(DType::I64, {}, {-1});
  auto r = runDynamic(makeOp("where"), {&c, &x, &y}, DType::I64, 2);
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(r->type.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_VALUES_NEAR(*r, (std::vector<double>{1, 2, 3, -1, -1, -1}), 0);

  HostTensor fx = makeF16({2}, {1.5f, 2.5f});
  HostTensor fy = makeF16({2}, {-1, -2});
  HostTensor c2 = makeBool({2}, {0, 1});
  auto h = run(makeOp("where"), {&c2, &fx, &fy}, TensorType{DType::F16, {2}});
  ASSERT_TRUE(h);
  EXPECT_VALUES_NEAR(*h, (std::vector<double>{-1, 2.5}), 0);

  HostTensor notBool = makeF32({2}, {1, 0});
  auto bad =
      run(makeOp("where"), {&notBool, &fx, &fy}, TensorType{DType::F16, {2}});
  EXPECT_ERROR_CONTAINS(bad, "condition must be i1");
  auto mixed =
      run(makeOp("where"), {&c2, &fx, &x}, TensorType{DType::F16, {2}});
  EXPECT_ERROR_CONTAINS(mixed, "element types differ");
}

//===----------------------------------------------------------------------===//
// Normalization: batch_norm, layer_norm
//===----------------------------------------------------------------------===//

TEST(ReferenceNorm, BatchNorm) {
  // [N=1, C=2, 2]: channel 0 has mean 1 var 4, channel 1 mean 0 var 1.
  HostTensor x = makeF32({1, 2, 2}, {1, 5, -1, 2});
  HostTensor scale = makeF32({2}, {2, 1});
  HostTensor bias = makeF32({2}, {0.5f, -1});
  HostTensor mean = makeF32({2}, {1, 0});
  HostTensor var = makeF32({2}, {4, 1});
  auto r = run(makeOp("batch_norm", {{"epsilon", floats({0})}}),
               {&x, &scale, &bias, &mean, &var}, f32({1, 2, 2}));
  ASSERT_TRUE(r) << r.status().message();
  // 2 * (1 - 1) / 2 + 0.5, 2 * (5 - 1) / 2 + 0.5, -1 - 1, 2 - 1.
  EXPECT_VALUES_NEAR(*r, (std::vector<double>{0.5, 4.5, -2, 1}), 1e-6);
  // The default epsilon is 1e-5.
  auto d = run(makeOp("batch_norm"), {&x, &scale, &bias, &mean, &var},
               f32({1, 2, 2}));
  ASSERT_TRUE(d);
  EXPECT_NEAR(d->getAsDouble(1), 2 * 4 / std::sqrt(4 + 1e-5) + 0.5, 1e-6);
  HostTensor shortScale = makeF32({1}, {1});
  auto bad = run(makeOp("batch_norm"), {&x, &shortScale, &bias, &mean, &var},
                 f32({1, 2, 2}));
  EXPECT_ERROR_CONTAINS(bad, "scale tensor<1xf32> must be [2]");
}

TEST(ReferenceNorm, LayerNorm) {
  HostTensor x = makeF32({2, 3}, {1, 2, 3, 0, 0, 6});
  HostTensor scale = makeF32({3}, {1, 2, 3});
  HostTensor bias = makeF32({3}, {0, 1, 0});
  auto r =
      run(makeOp("layer_norm", {{"axis", ints({1})}, {"epsilon", floats({0})}}),
          {&x, &scale, &bias}, f32({2, 3}));
  ASSERT_TRUE(r) << r.status().message();
  // Row 0: mean 2, var 2/3; row 1: mean 2, var 8.
  double a = 1 / std::sqrt(2.0 / 3), b = 1 / std::sqrt(8.0);
  EXPECT_VALUES_NEAR(
      *r, (std::vector<double>{-a, 1, 3 * a, -2 * b, 1 - 4 * b, 3 * 4 * b}),
      1e-6);
  // No bias; normalize over the last two dims of a rank-3 input with a
  // scale that broadcasts along them.
  HostTensor x3 = makeF32({1, 2, 2}, {1, 3, 5, 7});
  HostTensor s1 = makeF32({1}, {2});
  auto r3 = run(
      makeOp("layer_norm", {{"axis", ints({-2})}, {"epsilon", floats({0})}}),
      {&x3, &s1}, f32({1, 2, 2}));
  ASSERT_TRUE(r3) << r3.status().message();
  double inv = 1 / std::sqrt(5.0); // mean 4, var 5
  EXPECT_VALUES_NEAR(
      *r3, (std::vector<double>{-6 * inv, -2 * inv, 2 * inv, 6 * inv}), 1e-6);
  HostTensor wrongScale = makeF32({2}, {1, 1});
  auto bad = run(makeOp("layer_norm", {{"axis", ints({1})}}), {&x, &wrongScale},
                 f32({2, 3}));
  EXPECT_ERROR_CONTAINS(bad, "does not broadcast to the normalized dims [3]");
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

TEST(ReferenceReduce, AxesAndKeepdims) {
  HostTensor x = makeF32({2, 3}, {1, 2, 3, 4, 5, 6});
  auto sum1 = runDynamic(
      makeOp("reduce_sum", {{"axes", ints({1})}, {"keepdims", ints({0})}}),
      {&x}, DType::F32, 1);
  ASSERT_TRUE(sum1) << sum1.status().message();
  EXPECT_EQ(sum1->type.shape, (std::vector<int64_t>{2}));
  EXPECT_VALUES_NEAR(*sum1, (std::vector<double>{6, 15}), 0);
  // keepdims defaults to 1.
  auto mean0 = runDynamic(makeOp("reduce_mean", {{"axes", ints({0})}}), {&x},
                          DType::F32, 2);
  ASSERT_TRUE(mean0);
  EXPECT_EQ(mean0->type.shape, (std::vector<int64_t>{1, 3}));
  EXPECT_VALUES_NEAR(*mean0, (std::vector<double>{2.5, 3.5, 4.5}), 0);
  // Empty axes reduce everything.
  auto all = runDynamic(makeOp("reduce_prod"), {&x}, DType::F32, 2);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->type.shape, (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(all->getAsDouble(0), 720);
  auto mx =
      run(makeOp("reduce_max", {{"axes", ints({-1})}, {"keepdims", ints({0})}}),
          {&x}, f32({2}));
  auto mn = run(
      makeOp("reduce_min", {{"axes", ints({0, 1})}, {"keepdims", ints({0})}}),
      {&x}, f32({}));
  ASSERT_TRUE(mx && mn);
  EXPECT_VALUES_NEAR(*mx, (std::vector<double>{3, 6}), 0);
  EXPECT_EQ(mn->getAsDouble(0), 1);

  HostTensor n = makeF32({3}, {1, NAN, 2});
  auto nanMax =
      run(makeOp("reduce_max", {{"keepdims", ints({0})}}), {&n}, f32({}));
  ASSERT_TRUE(nanMax);
  EXPECT_TRUE(std::isnan(nanMax->getAsDouble(0)));
}

TEST(ReferenceReduce, IntegersAndErrors) {
  HostTensor x = makeInt<int32_t>(DType::I32, {2, 2}, {1, -5, 7, 2});
  auto s = run(makeOp("reduce_sum", {{"axes", ints({0})}}), {&x},
               TensorType{DType::I32, {1, 2}});
  ASSERT_TRUE(s) << s.status().message();
  EXPECT_VALUES_NEAR(*s, (std::vector<double>{8, -3}), 0);
  auto p = run(makeOp("reduce_prod", {{"keepdims", ints({0})}}), {&x},
               TensorType{DType::I32, {}});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->getAsDouble(0), -70);
  auto m = run(makeOp("reduce_min", {{"axes", ints({1})}}), {&x},
               TensorType{DType::I32, {2, 1}});
  ASSERT_TRUE(m);
  EXPECT_VALUES_NEAR(*m, (std::vector<double>{-5, 2}), 0);
  // An empty max is the lowest value of the type.
  HostTensor empty = makeInt<int32_t>(DType::I32, {0, 2}, {});
  auto em = run(makeOp("reduce_max", {{"axes", ints({0})}}), {&empty},
                TensorType{DType::I32, {1, 2}});
  ASSERT_TRUE(em);
  EXPECT_EQ(em->getAsDouble(0), std::numeric_limits<int32_t>::min());

  auto mean = run(makeOp("reduce_mean"), {&x}, TensorType{DType::I32, {1, 1}});
  EXPECT_ERROR_CONTAINS(mean, "unsupported element type i32");
  auto repeated = run(makeOp("reduce_sum", {{"axes", ints({1, -1})}}), {&x},
                      TensorType{DType::I32, {2, 1}});
  EXPECT_ERROR_CONTAINS(repeated, "repeats axis 1");
  auto range = run(makeOp("reduce_sum", {{"axes", ints({2})}}), {&x},
                   TensorType{DType::I32, {2, 1}});
  EXPECT_ERROR_CONTAINS(range, "out of range for rank 2");
}

//===----------------------------------------------------------------------===//
// Attribute and type errors
//===----------------------------------------------------------------------===//

TEST(ReferenceErrors, BadAttributes) {
  HostTensor x = makeF32({2}, {1, 2});
  auto leaky =
      run(makeOp("leaky_relu", {{"alpha", ints({1})}}), {&x}, f32({2}));
  EXPECT_ERROR_CONTAINS(leaky, "attribute 'alpha' must hold one float");
  EXPECT_ERROR_CONTAINS(leaky, "node_leaky_relu");
  auto softmax =
      run(makeOp("softmax", {{"axis", ints({0, 1})}}), {&x}, f32({2}));
  EXPECT_ERROR_CONTAINS(softmax, "attribute 'axis' must hold one integer");
  auto reduce =
      run(makeOp("reduce_sum", {{"axes", floats({0})}}), {&x}, f32({1}));
  EXPECT_ERROR_CONTAINS(reduce, "attribute 'axes' must hold integers");
}

TEST(ReferenceErrors, TypeMismatches) {
  HostTensor f = makeF32({2}, {1, 2});
  HostTensor h = makeF16({2}, {1, 2});
  HostTensor i = makeInt<int32_t>(DType::I32, {2}, {1, 2});
  auto sub = run(makeOp("sub"), {&f, &h}, f32({2}));
  EXPECT_ERROR_CONTAINS(sub, "operand element types differ: f32 vs f16");
  auto exp = run(makeOp("exp"), {&i}, TensorType{DType::I32, {2}});
  EXPECT_ERROR_CONTAINS(exp, "unsupported element type i32");
  auto matmul = run(makeOp("matmul"), {&i, &i}, TensorType{DType::I32, {}});
  EXPECT_ERROR_CONTAINS(matmul, "unsupported element type i32");
  // The declared element type is checked too.
  auto declared = run(makeOp("add"), {&f, &f}, TensorType{DType::F16, {2}});
  EXPECT_ERROR_CONTAINS(declared, "result #0 is declared tensor<2xf16> but "
                                  "the op computes tensor<2xf32>");
  auto rank = run(makeOp("add"), {&f, &f}, TensorType{DType::F32, {-1, -1}});
  EXPECT_ERROR_CONTAINS(rank, "declared tensor<?x?xf32>");
  auto invalid = run(makeOp("add"), {&f, &f}, TensorType{DType::F32, {-2}});
  EXPECT_ERROR_CONTAINS(invalid, "invalid dim -2");
}

//===----------------------------------------------------------------------===//
// Dispatch errors
//===----------------------------------------------------------------------===//

TEST(ReferenceDispatch, UnknownOpNamesOpAndLocation) {
  HostTensor x = makeF32({1}, {1});
  RefOp op = makeOp("frobnicate");
  op.location = "model/layer3/Frob";
  auto r = run(op, {&x}, f32({1}));
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("'frobnicate'"), std::string::npos);
  EXPECT_NE(r.status().message().find("model/layer3/Frob"), std::string::npos);
  EXPECT_NE(r.status().message().find("unknown op"), std::string::npos);
  EXPECT_FALSE(hasReferenceOp("frobnicate"));
  EXPECT_TRUE(hasReferenceOp("matmul"));
}

/// Every op of the contract (docs/design/ops.md) except the sources, which
/// are artifact buffers rather than reference ops.
TEST(ReferenceDispatch, KnowsEveryOpOfTheContract) {
  std::ifstream doc(std::string(DS_SOURCE_DIR) + "/docs/design/ops.md");
  ASSERT_TRUE(doc.good()) << "cannot read docs/design/ops.md";
  std::set<std::string> contract;
  std::string line;
  while (std::getline(doc, line)) {
    // Table rows: | `op` ... | or | `op1`, `op2` (note) ... |; ops are the
    // backticked names of the first cell.
    if (line.rfind("| `", 0) != 0)
      continue;
    std::string cell = line.substr(1, line.find('|', 1) - 1);
    for (size_t p = cell.find('`'); p != std::string::npos;) {
      size_t e = cell.find('`', p + 1);
      contract.insert(cell.substr(p + 1, e - p - 1));
      p = cell.find('`', e + 1);
    }
  }
  ASSERT_GT(contract.size(), 60u);
  std::vector<std::string> names = referenceOpNames();
  std::set<std::string> known(names.begin(), names.end());
  EXPECT_EQ(known.size(), names.size()) << "duplicate table rows";
  for (const std::string &op : contract)
    if (op != "weight" && op != "constant")
      EXPECT_TRUE(known.count(op)) << "no reference op for ds." << op;
  for (const std::string &op : known)
    EXPECT_TRUE(contract.count(op)) << op << " is not in docs/design/ops.md";
}

TEST(ReferenceDispatch, BadArity) {
  HostTensor x = makeF32({1}, {1});
  auto r = run(makeOp("add"), {&x}, f32({1}));
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("expects 2 operand(s)"),
            std::string::npos);
  EXPECT_NE(r.status().message().find("node_add"), std::string::npos);

  HostTensor r1(f32({1})), r2(f32({1}));
  Status s = runReferenceOp(makeOp("relu"), {&x}, {&r1, &r2});
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("1 result(s)"), std::string::npos);
}

TEST(ReferenceDispatch, StorageMismatch) {
  HostTensor x = makeF32({2}, {1, 2});
  x.bytes.resize(4); // claims two floats, holds one
  auto r = run(makeOp("relu"), {&x}, f32({2}));
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("holds 4 bytes"), std::string::npos);
}

//===----------------------------------------------------------------------===//
// Programs
//===----------------------------------------------------------------------===//

BufferDesc buffer(BufferDesc::Kind kind, std::string name, TensorType type,
                  uint64_t offset = 0, uint32_t aliasOf = 0) {
  BufferDesc b;
  b.kind = kind;
  b.name = std::move(name);
  b.type = std::move(type);
  b.offset = offset;
  b.aliasOf = aliasOf;
  return b;
}

RefOp progOp(std::string name, std::vector<uint32_t> operands,
             std::vector<uint32_t> results,
             std::map<std::string, RefAttr> attrs = {}) {
  RefOp op = makeOp(std::move(name), std::move(attrs));
  op.operands = std::move(operands);
  op.results = std::move(results);
  return op;
}

/// h = relu(x + w); v = h viewed as [3,2]; out = v @ m; outputs (out, h).
/// The weight blob holds w at 0 and the constant m at 64.
struct Program {
  std::string weights;
  LoadedArtifact loaded;
};

Program makeProgram(bool withReshapeOp) {
  Program p;
  std::vector<float> w = {1, -1, 0.5f, -0.5f, 2, -2};
  std::vector<float> m = {1, 0, 0, 1};
  p.weights.resize(64 + m.size() * 4);
  std::memcpy(p.weights.data(), w.data(), w.size() * 4);
  std::memcpy(p.weights.data() + 64, m.data(), m.size() * 4);
  Artifact &a = p.loaded.artifact;
  using K = BufferDesc::Kind;
  a.buffers = {
      buffer(K::Input, "x", f32({2, 3})),        // 0
      buffer(K::Weight, "w", f32({2, 3}), 0),    // 1
      buffer(K::Intermediate, "", f32({2, 3})),  // 2: x + w
      buffer(K::Intermediate, "", f32({2, 3})),  // 3: relu
      buffer(K::View, "", f32({3, 2}), 0, 3),    // 4: view of 3
      buffer(K::Constant, "m", f32({2, 2}), 64), // 5
      buffer(K::Output, "out", f32({3, 2})),     // 6
      buffer(K::Output, "h", f32({2, 3})),       // 7
  };
  a.inputs = {0};
  a.outputs = {6, 7};
  a.reference = {progOp("add", {0, 1}, {2}), progOp("relu", {2}, {3})};
  if (withReshapeOp)
    a.reference.push_back(progOp("reshape", {3}, {4}));
  a.reference.push_back(progOp("matmul", {4, 5}, {6}));
  a.reference.push_back(progOp("reshape", {3}, {7}));
  p.loaded.weightData = reinterpret_cast<const uint8_t *>(p.weights.data());
  p.loaded.weightSize = p.weights.size();
  return p;
}

TEST(ReferenceProgram, RunsOpsInOrderWithWeightsAndViews) {
  for (bool withReshapeOp : {true, false}) {
    Program p = makeProgram(withReshapeOp);
    HostTensor x = makeF32({2, 3}, {0, 0, 0, 1, 1, 1});
    auto outs = runReferenceProgram(p.loaded, {x});
    ASSERT_TRUE(outs) << outs.status().message();
    ASSERT_EQ(outs->size(), 2u);
    // h = relu(x + w) = relu([1,-1,.5,.5,3,-1]) = [1,0,.5,.5,3,0].
    EXPECT_VALUES_NEAR((*outs)[1], (std::vector<double>{1, 0, 0.5, 0.5, 3, 0}),
                       0);
    // out = h as [3,2] @ identity.
    EXPECT_EQ((*outs)[0].type, f32({3, 2}));
    EXPECT_VALUES_NEAR((*outs)[0], (std::vector<double>{1, 0, 0.5, 0.5, 3, 0}),
                       0);
  }
}

TEST(ReferenceProgram, InputErrors) {
  Program p = makeProgram(true);
  auto none = runReferenceProgram(p.loaded, {});
  ASSERT_FALSE(none);
  EXPECT_NE(none.status().message().find("expected 1 inputs"),
            std::string::npos);
  HostTensor wrong = makeF32({3, 2}, {0, 0, 0, 0, 0, 0});
  auto mismatch = runReferenceProgram(p.loaded, {wrong});
  ASSERT_FALSE(mismatch);
  EXPECT_NE(mismatch.status().message().find("'x'"), std::string::npos);
  EXPECT_NE(mismatch.status().message().find("tensor<2x3xf32>"),
            std::string::npos);
  EXPECT_NE(mismatch.status().message().find("tensor<3x2xf32>"),
            std::string::npos);
}

TEST(ReferenceProgram, ReadingAnUnwrittenBufferFails) {
  Program p = makeProgram(true);
  p.loaded.artifact.reference.erase(p.loaded.artifact.reference.begin());
  HostTensor x = makeF32({2, 3}, {0, 0, 0, 1, 1, 1});
  auto outs = runReferenceProgram(p.loaded, {x});
  ASSERT_FALSE(outs);
  EXPECT_NE(outs.status().message().find("before any op wrote it"),
            std::string::npos);
}

TEST(ReferenceProgram, OpErrorsCarryTheLocation) {
  Program p = makeProgram(true);
  p.loaded.artifact.reference[1].op = "nope";
  p.loaded.artifact.reference[1].location = "Relu_7";
  HostTensor x = makeF32({2, 3}, {0, 0, 0, 1, 1, 1});
  auto outs = runReferenceProgram(p.loaded, {x});
  ASSERT_FALSE(outs);
  EXPECT_NE(outs.status().message().find("Relu_7"), std::string::npos);
}

//===----------------------------------------------------------------------===//
// Dynamic shapes through a program
//===----------------------------------------------------------------------===//

/// x: [?, 3]; flat = reshape(x, [-1]) declared [flatDim]; out = relu(flat);
/// both = concat(x, x, axis 0); dims = shape(both). Outputs (out, dims).
/// The constant [-1] sits in the weight blob at 0.
Artifact makeDynamicArtifact(int64_t flatDim) {
  using K = BufferDesc::Kind;
  Artifact a;
  a.arenaBytes = 64; // the static buffers (dynamic ones take no space)
  std::vector<int64_t> minusOne = {-1};
  a.weights.assign(reinterpret_cast<const char *>(minusOne.data()), 8);
  a.buffers = {
      buffer(K::Input, "x", f32({-1, 3})),                     // 0
      buffer(K::Constant, "", TensorType{DType::I64, {1}}, 0), // 1
      buffer(K::Intermediate, "", f32({flatDim})),             // 2
      buffer(K::Intermediate, "", f32({-1, 3})),               // 3
      buffer(K::Output, "out", f32({-1})),                     // 4
      buffer(K::Output, "dims", TensorType{DType::I64, {2}}),  // 5
  };
  a.inputs = {0};
  a.outputs = {4, 5};
  a.reference = {progOp("reshape", {0, 1}, {2}),
                 progOp("concat", {0, 0}, {3}, {{"axis", ints({0})}}),
                 progOp("relu", {2}, {4}), progOp("shape", {3}, {5})};
  return a;
}

Program loadInMemory(const Artifact &a) {
  Program p;
  p.weights = a.weights;
  p.loaded.artifact = a;
  p.loaded.artifact.weights.clear();
  p.loaded.weightData = reinterpret_cast<const uint8_t *>(p.weights.data());
  p.loaded.weightSize = p.weights.size();
  return p;
}

TEST(ReferenceProgram, DynamicShapesPropagate) {
  Program p = loadInMemory(makeDynamicArtifact(-1));
  // The same program for two batch sizes.
  HostTensor x2 = makeF32({2, 3}, {-1, 2, -3, 4, -5, 6});
  auto outs = runReferenceProgram(p.loaded, {x2});
  ASSERT_TRUE(outs) << outs.status().message();
  EXPECT_EQ((*outs)[0].type, f32({6}));
  EXPECT_VALUES_NEAR((*outs)[0], (std::vector<double>{0, 2, 0, 4, 0, 6}), 0);
  EXPECT_VALUES_NEAR((*outs)[1], (std::vector<double>{4, 3}), 0);
  HostTensor x1 = makeF32({1, 3}, {7, -8, 9});
  auto one = runReferenceProgram(p.loaded, {x1});
  ASSERT_TRUE(one) << one.status().message();
  EXPECT_EQ((*one)[0].type, f32({3}));
  EXPECT_VALUES_NEAR((*one)[0], (std::vector<double>{7, 0, 9}), 0);
  EXPECT_VALUES_NEAR((*one)[1], (std::vector<double>{2, 3}), 0);
}

TEST(ReferenceProgram, DynamicArtifactRoundTripsAndRuns) {
  Artifact a = makeDynamicArtifact(-1);
  ASSERT_TRUE(verifyArtifact(a)) << verifyArtifact(a).message();
  std::string bytes = serializeArtifact(a);
  auto loaded = parseArtifact(reinterpret_cast<const uint8_t *>(bytes.data()),
                              bytes.size());
  ASSERT_TRUE(loaded) << loaded.status().message();
  HostTensor x = makeF32({3, 3}, {1, -1, 1, -1, 1, -1, 1, -1, 1});
  auto outs = runReferenceProgram(*loaded, {x});
  ASSERT_TRUE(outs) << outs.status().message();
  EXPECT_EQ((*outs)[0].type, f32({9}));
  EXPECT_VALUES_NEAR((*outs)[1], (std::vector<double>{6, 3}), 0);
}

TEST(ReferenceProgram, StaticDimsAreChecked) {
  // The intermediate is declared [6]: a batch of 2 fits, 4 does not.
  Program p = loadInMemory(makeDynamicArtifact(6));
  HostTensor x2 = makeF32({2, 3}, {1, 2, 3, 4, 5, 6});
  ASSERT_TRUE(runReferenceProgram(p.loaded, {x2}));
  HostTensor x4 = makeF32({4, 3}, std::vector<float>(12, 1));
  auto outs = runReferenceProgram(p.loaded, {x4});
  EXPECT_ERROR_CONTAINS(outs, "reference op 'reshape' at node_reshape: result "
                              "#0 is declared tensor<6xf32> but the op "
                              "computes tensor<12xf32>");
  // Inputs: the rank, the element type and the static dims must match.
  HostTensor wide = makeF32({2, 4}, std::vector<float>(8, 1));
  auto dims = runReferenceProgram(p.loaded, {wide});
  EXPECT_ERROR_CONTAINS(dims, "input 'x' expects tensor<?x3xf32>, got "
                              "tensor<2x4xf32>");
  HostTensor flat = makeF32({3}, {1, 2, 3});
  auto rank = runReferenceProgram(p.loaded, {flat});
  EXPECT_ERROR_CONTAINS(rank, "got tensor<3xf32>");
  HostTensor ints = makeInt<int64_t>(DType::I64, {1, 3}, {1, 2, 3});
  auto type = runReferenceProgram(p.loaded, {ints});
  EXPECT_ERROR_CONTAINS(type, "got tensor<1x3xi64>");
}

} // namespace
