//===- ReferenceTestUtil.h - Helpers for reference executor tests -*- C++
//-*-===//
//
// Tensor builders, a one-op runner and value matchers shared by the
// Reference*Test.cpp files.
//
//===----------------------------------------------------------------------===//

#ifndef DS_TEST_UNITTESTS_RUNTIME_REFERENCETESTUTIL_H
#define DS_TEST_UNITTESTS_RUNTIME_REFERENCETESTUTIL_H

#include "runtime/Reference.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace ds::runtime::testing {

inline HostTensor makeF32(std::vector<int64_t> shape,
                          std::vector<float> values) {
  HostTensor t(TensorType{DType::F32, std::move(shape)});
  EXPECT_EQ(static_cast<size_t>(t.type.numElements()), values.size());
  if (!t.bytes.empty() && !values.empty())
    std::memcpy(t.bytes.data(), values.data(),
                std::min(values.size() * sizeof(float), t.bytes.size()));
  return t;
}

template <typename T>
HostTensor makeInt(DType dtype, std::vector<int64_t> shape,
                   std::vector<T> values) {
  HostTensor t(TensorType{dtype, std::move(shape)});
  EXPECT_EQ(t.bytes.size(), values.size() * sizeof(T));
  if (!t.bytes.empty() && !values.empty())
    std::memcpy(t.bytes.data(), values.data(),
                std::min(values.size() * sizeof(T), t.bytes.size()));
  return t;
}

/// Rank-1 i64 tensor (shape-like operands).
inline HostTensor i64s(std::vector<int64_t> values) {
  int64_t n = static_cast<int64_t>(values.size());
  return makeInt<int64_t>(DType::I64, {n}, std::move(values));
}

/// Rank-0 i64 tensor.
inline HostTensor i64Scalar(int64_t v) {
  return makeInt<int64_t>(DType::I64, {}, {v});
}

inline HostTensor makeBool(std::vector<int64_t> shape,
                           std::vector<uint8_t> values) {
  return makeInt<uint8_t>(DType::I1, std::move(shape), std::move(values));
}

inline HostTensor makeF16(std::vector<int64_t> shape,
                          std::vector<float> values) {
  HostTensor t(TensorType{DType::F16, std::move(shape)});
  for (size_t i = 0; i < values.size(); ++i)
    t.data<uint16_t>()[i] = floatToHalf(values[i]);
  return t;
}

/// 0, 1, 2, ... as f32.
inline HostTensor iotaF32(std::vector<int64_t> shape) {
  TensorType t{DType::F32, shape};
  std::vector<float> v(static_cast<size_t>(t.numElements()));
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = static_cast<float>(i);
  return makeF32(std::move(shape), v);
}

/// Deterministic pseudo-random floats in [-1, 1).
inline std::vector<float> randomFloats(size_t n, uint32_t seed) {
  std::vector<float> v(n);
  uint32_t s = seed * 2654435761u + 1;
  for (float &x : v) {
    s = s * 1664525u + 1013904223u;
    x = static_cast<float>(s >> 8) / static_cast<float>(1u << 23) - 1.0f;
  }
  return v;
}

inline std::vector<double> valuesOf(const HostTensor &t) {
  std::vector<double> v;
  for (int64_t i = 0; i < t.type.numElements(); ++i)
    v.push_back(t.getAsDouble(i));
  return v;
}

inline RefOp makeOp(std::string name,
                    std::map<std::string, RefAttr> attrs = {}) {
  RefOp op;
  op.op = std::move(name);
  op.attrs = std::move(attrs);
  op.location = "node_" + op.op;
  return op;
}

inline RefAttr ints(std::vector<int64_t> v) {
  RefAttr a;
  a.ints = std::move(v);
  return a;
}

inline RefAttr floats(std::vector<double> v) {
  RefAttr a;
  a.floats = std::move(v);
  return a;
}

inline RefAttr str(std::string s) {
  RefAttr a;
  a.str = std::move(s);
  return a;
}

inline TensorType f32(std::vector<int64_t> shape) {
  return TensorType{DType::F32, std::move(shape)};
}

/// Runs `op` into a result declared `resultType` (dims may be -1).
inline StatusOr<HostTensor> run(const RefOp &op,
                                std::vector<const HostTensor *> in,
                                TensorType resultType) {
  HostTensor result;
  result.type = std::move(resultType);
  Status s = runReferenceOp(op, in, {&result});
  if (!s)
    return s;
  return result;
}

/// Runs `op` into a result of element type `dtype` whose `rank` dims are
/// all dynamic, so the op alone decides the shape.
inline StatusOr<HostTensor> runDynamic(const RefOp &op,
                                       std::vector<const HostTensor *> in,
                                       DType dtype, size_t rank) {
  return run(op, std::move(in),
             TensorType{dtype, std::vector<int64_t>(rank, -1)});
}

inline bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

} // namespace ds::runtime::testing

#define EXPECT_VALUES_NEAR(tensor, expected, tol)                              \
  do {                                                                         \
    std::vector<double> got = ::ds::runtime::testing::valuesOf(tensor);        \
    std::vector<double> want = expected;                                       \
    ASSERT_EQ(got.size(), want.size());                                        \
    for (size_t i = 0; i < got.size(); ++i)                                    \
      EXPECT_NEAR(got[i], want[i], tol) << "element " << i;                    \
  } while (false)

#define EXPECT_ERROR_CONTAINS(statusOr, part)                                  \
  do {                                                                         \
    ASSERT_FALSE(statusOr) << "expected an error containing: " << (part);      \
    EXPECT_TRUE(                                                               \
        ::ds::runtime::testing::contains(statusOr.status().message(), (part))) \
        << statusOr.status().message();                                        \
  } while (false)

#endif // DS_TEST_UNITTESTS_RUNTIME_REFERENCETESTUTIL_H
