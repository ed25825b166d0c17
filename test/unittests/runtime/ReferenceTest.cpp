//===- ReferenceTest.cpp - reference executor tests -----------------------===//
//
// Each op against values computed by hand (or, for the larger broadcast
// cases, by an independent naive loop in the test), plus error paths and
// whole reference programs.
//
//===----------------------------------------------------------------------===//

#include "runtime/Reference.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>

using namespace ds::runtime;

namespace {

HostTensor makeF32(std::vector<int64_t> shape, std::vector<float> values) {
  HostTensor t(TensorType{DType::F32, std::move(shape)});
  EXPECT_EQ(static_cast<size_t>(t.type.numElements()), values.size());
  std::memcpy(t.bytes.data(), values.data(), values.size() * sizeof(float));
  return t;
}

template <typename T>
HostTensor makeInt(DType dtype, std::vector<int64_t> shape,
                   std::vector<T> values) {
  HostTensor t(TensorType{dtype, std::move(shape)});
  std::memcpy(t.bytes.data(), values.data(), values.size() * sizeof(T));
  return t;
}

HostTensor makeF16(std::vector<int64_t> shape, std::vector<float> values) {
  HostTensor t(TensorType{DType::F16, std::move(shape)});
  for (size_t i = 0; i < values.size(); ++i)
    t.data<uint16_t>()[i] = floatToHalf(values[i]);
  return t;
}

std::vector<double> valuesOf(const HostTensor &t) {
  std::vector<double> v;
  for (int64_t i = 0; i < t.type.numElements(); ++i)
    v.push_back(t.getAsDouble(i));
  return v;
}

RefOp makeOp(std::string name, std::map<std::string, RefAttr> attrs = {}) {
  RefOp op;
  op.op = std::move(name);
  op.attrs = std::move(attrs);
  op.location = "node_" + op.op;
  return op;
}

RefAttr ints(std::vector<int64_t> v) {
  RefAttr a;
  a.ints = std::move(v);
  return a;
}

RefAttr str(std::string s) {
  RefAttr a;
  a.str = std::move(s);
  return a;
}

/// Runs `op` into a fresh result of `resultType`.
StatusOr<HostTensor> run(const RefOp &op, std::vector<const HostTensor *> in,
                         TensorType resultType) {
  HostTensor result(std::move(resultType));
  Status s = runReferenceOp(op, in, {&result});
  if (!s)
    return s;
  return result;
}

TensorType f32(std::vector<int64_t> shape) {
  return TensorType{DType::F32, std::move(shape)};
}

#define EXPECT_VALUES_NEAR(tensor, expected, tol)                              \
  do {                                                                         \
    std::vector<double> got = valuesOf(tensor);                                \
    std::vector<double> want = expected;                                       \
    ASSERT_EQ(got.size(), want.size());                                        \
    for (size_t i = 0; i < got.size(); ++i)                                    \
      EXPECT_NEAR(got[i], want[i], tol) << "element " << i;                    \
  } while (false)

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
  EXPECT_EQ(referenceOpNames().size(), 21u);
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

} // namespace
