//===- Int4Test.cpp - INT4 quantization math ------------------------------===//

#include "runtime/Int4.h"
#include "runtime/DType.h"
#include "runtime/Reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

using namespace ds::runtime;
using namespace ds::runtime::int4;

namespace {

std::vector<float> normalMatrix(int64_t n, unsigned seed, float sigma = 1) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, sigma);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(rng);
  return v;
}

Options opts(int64_t group, bool symmetric, Method method = Method::Rtn) {
  Options o;
  o.groupSize = group;
  o.symmetric = symmetric;
  o.method = method;
  return o;
}

double relError(const std::vector<float> &w, const QuantizedMatrix &m) {
  std::vector<float> back = dequantize(m);
  return relativeRmsError(w.data(), back.data(), w.size());
}

TEST(Int4, PackUnpackRoundTripsOddColumns) {
  int64_t rows = 3, cols = 7;
  std::vector<uint8_t> codes(rows * cols);
  for (size_t i = 0; i < codes.size(); ++i)
    codes[i] = static_cast<uint8_t>((i * 5 + 3) % 16);
  std::vector<uint8_t> packed = pack(codes, rows, cols);
  ASSERT_EQ(packed.size(), static_cast<size_t>(rows * 4));
  // Column 2j in the low nibble, 2j+1 in the high nibble, padding zero.
  EXPECT_EQ(packed[0], codes[0] | (codes[1] << 4));
  EXPECT_EQ(packed[3] >> 4, 0);
  EXPECT_EQ(unpack(packed, rows, cols), codes);
}

TEST(Int4, RoundToNearestErrorIsAtMostHalfAStep) {
  for (bool symmetric : {true, false}) {
    for (int64_t group : {32, 64, 128}) {
      // 100 columns: the last group of each row is a partial one.
      int64_t rows = 17, cols = 100;
      std::vector<float> w = normalMatrix(rows * cols, 7);
      // A group that is all positive and one that is all zero.
      for (int64_t c = 0; c < std::min<int64_t>(group, cols); ++c) {
        w[c] = std::fabs(w[c]) + 0.5f;
        w[cols + c] = 0.0f;
      }
      StatusOr<QuantizedMatrix> q =
          quantize(w.data(), rows, cols, opts(group, symmetric));
      ASSERT_TRUE(q) << q.status().message();
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c) {
          float step =
              halfToFloat(q->scales[r * q->groupsPerRow() + c / group]);
          float err = std::fabs(w[r * cols + c] - q->value(r, c));
          EXPECT_LE(err, 0.5f * step * (1 + 1e-5f))
              << "sym " << symmetric << " group " << group << " at " << r << ","
              << c;
        }
      EXPECT_EQ(q->value(1, 0), 0.0f);
    }
  }
}

TEST(Int4, StoredSizeEqualsFormula) {
  int64_t rows = 64, cols = 1024;
  EXPECT_DOUBLE_EQ(bitsPerWeight(rows, cols, 128, true), 4.125);
  EXPECT_DOUBLE_EQ(bitsPerWeight(rows, cols, 128, false), 4.1875);
  EXPECT_DOUBLE_EQ(bitsPerWeight(rows, cols, 32, true), 4.5);
  std::vector<float> w = normalMatrix(rows * cols, 1);
  for (bool symmetric : {true, false})
    for (int64_t group : {32, 64, 128}) {
      StatusOr<QuantizedMatrix> q =
          quantize(w.data(), rows, cols, opts(group, symmetric));
      ASSERT_TRUE(q);
      EXPECT_EQ(q->storedBytes(), storedBytes(rows, cols, group, symmetric));
      uint64_t groups = rows * cols / group;
      EXPECT_EQ(q->storedBytes(),
                rows * cols / 2 + 2 * groups + (symmetric ? 0 : groups));
    }
}

TEST(Int4, GaussianRelativeRmsErrorAtGroup128) {
  int64_t rows = 256, cols = 4096;
  std::vector<float> w = normalMatrix(rows * cols, 42);
  for (bool symmetric : {true, false}) {
    StatusOr<QuantizedMatrix> rtn =
        quantize(w.data(), rows, cols, opts(128, symmetric));
    StatusOr<QuantizedMatrix> search =
        quantize(w.data(), rows, cols, opts(128, symmetric, Method::Search));
    ASSERT_TRUE(rtn && search);
    double rtnErr = relError(w, *rtn), searchErr = relError(w, *search);
    EXPECT_LE(rtnErr, symmetric ? 0.12 : 0.105) << "symmetric " << symmetric;
    EXPECT_LT(searchErr, rtnErr) << "symmetric " << symmetric;
  }
}

TEST(Int4, SmallerGroupsAreMoreAccurate) {
  int64_t rows = 64, cols = 1024;
  std::vector<float> w = normalMatrix(rows * cols, 3);
  double prev = 1e9;
  for (int64_t group : {1024, 128, 64, 32}) {
    StatusOr<QuantizedMatrix> q =
        quantize(w.data(), rows, cols, opts(group, true));
    ASSERT_TRUE(q);
    double err = relError(w, *q);
    EXPECT_LT(err, prev) << "group " << group;
    prev = err;
  }
}

TEST(Int4, SearchNeverLosesToRoundToNearestPerGroupWithImportance) {
  int64_t rows = 8, cols = 256;
  std::vector<float> w = normalMatrix(rows * cols, 11);
  std::vector<float> importance(cols);
  for (int64_t c = 0; c < cols; ++c)
    importance[c] = 1.0f + static_cast<float>(c % 7);
  StatusOr<QuantizedMatrix> rtn =
      quantize(w.data(), rows, cols, opts(64, false));
  StatusOr<QuantizedMatrix> search = quantize(
      w.data(), rows, cols, opts(64, false, Method::Search), importance);
  ASSERT_TRUE(rtn && search);
  std::vector<float> a = dequantize(*rtn), b = dequantize(*search);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t g = 0; g < cols / 64; ++g) {
      double ea = 0, eb = 0;
      for (int64_t c = g * 64; c < (g + 1) * 64; ++c) {
        double da = w[r * cols + c] - a[r * cols + c];
        double db = w[r * cols + c] - b[r * cols + c];
        ea += importance[c] * da * da;
        eb += importance[c] * db * db;
      }
      EXPECT_LE(eb, ea * (1 + 1e-9)) << r << "," << g;
    }
}

TEST(Int4, AwqLowersOutputErrorWithOutlierChannels) {
  // Activations where a few input channels are 30x larger than the rest,
  // the situation AWQ addresses: the weights meeting them matter most.
  int64_t rows = 64, cols = 256, samples = 64;
  std::vector<float> w = normalMatrix(rows * cols, 5);
  std::vector<float> x = normalMatrix(samples * cols, 6);
  for (int64_t i = 0; i < samples; ++i)
    for (int64_t c = 0; c < cols; c += 37)
      x[i * cols + c] *= 30.0f;
  StatusOr<AwqResult> awq =
      quantizeAwq(w.data(), rows, cols, x.data(), samples, opts(128, true));
  ASSERT_TRUE(awq) << awq.status().message();
  EXPECT_GT(awq->alpha, 0.0);
  EXPECT_LT(awq->outputMse, 0.8 * awq->rtnOutputMse);
  ASSERT_EQ(awq->inputScale.size(), static_cast<size_t>(cols));
  // The outlier channels get multipliers below those of the others.
  EXPECT_LT(awq->inputScale[0], awq->inputScale[1]);

  // The reported error is the real one: recompute it from the stored form.
  std::vector<float> back = dequantize(awq->matrix);
  double sum = 0;
  for (int64_t i = 0; i < samples; ++i)
    for (int64_t r = 0; r < rows; ++r) {
      double exact = 0, approx = 0;
      for (int64_t c = 0; c < cols; ++c) {
        exact += double(x[i * cols + c]) * w[r * cols + c];
        approx +=
            double(x[i * cols + c]) * awq->inputScale[c] * back[r * cols + c];
      }
      sum += (exact - approx) * (exact - approx);
    }
  EXPECT_NEAR(sum / (samples * rows), awq->outputMse,
              1e-3 * awq->outputMse + 1e-9);
}

TEST(Int4, RejectsBadInput) {
  std::vector<float> w(64, 1.0f);
  EXPECT_FALSE(quantize(w.data(), 0, 64, opts(32, true)));
  EXPECT_FALSE(quantize(w.data(), 1, 64, opts(1, true)));
  w[5] = std::nanf("");
  StatusOr<QuantizedMatrix> nan = quantize(w.data(), 1, 64, opts(32, true));
  ASSERT_FALSE(nan);
  EXPECT_NE(nan.status().message().find("element 5"), std::string::npos);
  w[5] = 1e9f;
  StatusOr<QuantizedMatrix> big = quantize(w.data(), 1, 64, opts(32, true));
  ASSERT_FALSE(big);
  EXPECT_NE(big.status().message().find("f16 range"), std::string::npos);
  EXPECT_FALSE(quantizeAwq(w.data(), 1, 64, nullptr, 0, opts(32, true)));
}

TEST(Int4, MethodNames) {
  Method m;
  EXPECT_TRUE(parseMethod("awq", m));
  EXPECT_EQ(m, Method::Awq);
  EXPECT_STREQ(methodName(Method::Search), "search");
  EXPECT_FALSE(parseMethod("gptq", m));
}

HostTensor tensorOf(DType dt, std::vector<int64_t> shape, const void *data) {
  HostTensor t(TensorType{dt, std::move(shape)});
  std::memcpy(t.bytes.data(), data, t.bytes.size());
  return t;
}

TEST(Int4, ReferenceDequantizeMatchesTheQuantizer) {
  // K = 75 (odd, partial last group), N = 5; the result is [K, N].
  int64_t n = 5, k = 75;
  std::vector<float> w = normalMatrix(n * k, 9);
  for (bool symmetric : {true, false}) {
    StatusOr<QuantizedMatrix> q = quantize(w.data(), n, k, opts(32, symmetric));
    ASSERT_TRUE(q);
    HostTensor packed = tensorOf(DType::U8, {n, 38}, q->packed.data());
    HostTensor scales = tensorOf(DType::F16, {n, 3}, q->scales.data());
    HostTensor zeros =
        symmetric ? HostTensor() : tensorOf(DType::U8, {n, 3}, q->zeros.data());
    for (DType rt : {DType::F32, DType::F16}) {
      RefOp op;
      op.op = "dequantize_int4";
      op.location = "dq";
      op.attrs["group_size"].ints = {32};
      HostTensor result(TensorType{rt, {k, n}});
      std::vector<const HostTensor *> in = {&packed, &scales};
      if (!symmetric)
        in.push_back(&zeros);
      Status st = runReferenceOp(op, in, {&result});
      ASSERT_TRUE(st) << st.message();
      for (int64_t c = 0; c < k; ++c)
        for (int64_t r = 0; r < n; ++r) {
          float want = q->value(r, c);
          float got = rt == DType::F32
                          ? result.data<float>()[c * n + r]
                          : halfToFloat(result.data<uint16_t>()[c * n + r]);
          EXPECT_EQ(got,
                    rt == DType::F32 ? want : halfToFloat(floatToHalf(want)));
        }
    }
  }
}

TEST(Int4, ReferenceDequantizeRejectsBadOperands) {
  std::vector<uint8_t> bytes(64, 0x88);
  HostTensor packed = tensorOf(DType::U8, {4, 8}, bytes.data());
  HostTensor scales = tensorOf(DType::F16, {4, 1}, bytes.data());
  HostTensor badZeros = tensorOf(DType::U8, {4, 1}, bytes.data()); // 0x88
  RefOp op;
  op.op = "dequantize_int4";
  op.location = "node_dq";
  op.attrs["group_size"].ints = {16};
  HostTensor result(TensorType{DType::F32, {16, 4}});
  EXPECT_TRUE(runReferenceOp(op, {&packed, &scales}, {&result}));
  Status st = runReferenceOp(op, {&packed, &scales, &badZeros}, {&result});
  ASSERT_FALSE(st);
  EXPECT_NE(st.message().find("zero point 136"), std::string::npos);
  HostTensor wide(TensorType{DType::F32, {20, 4}});
  st = runReferenceOp(op, {&packed, &scales}, {&wide});
  ASSERT_FALSE(st);
  EXPECT_NE(
      st.message().find("packed must be [4,10] for a [20,4] result, got [4,8]"),
      std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("node_dq"), std::string::npos);
}

} // namespace
