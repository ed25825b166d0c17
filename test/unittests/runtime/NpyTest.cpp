//===- NpyTest.cpp - tests of .npy I/O and the element types --------------===//
//
// .npy files written byte by byte as numpy.save lays them out (versions 1, 2
// and 3, old Python 2 headers), round trips of every dtype, rejected files,
// HostTensor::getAsDouble, and the DType helpers: names, TensorType::str and
// the f16/bf16 conversions, checked exhaustively against independent
// references (the compiler's _Float16 where available, exact midpoints).
//
//===----------------------------------------------------------------------===//

#include "runtime/Npy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>

using namespace ds::runtime;

namespace {

uint32_t bitsOf(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

float floatOf(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}

//===----------------------------------------------------------------------===//
// DType names and TensorType
//===----------------------------------------------------------------------===//

TEST(DTypeTest, NamesAndSizes) {
  struct Row {
    DType t;
    size_t size;
    const char *name, *st;
  };
  const Row rows[] = {
      {DType::F32, 4, "f32", "F32"},    {DType::F16, 2, "f16", "F16"},
      {DType::BF16, 2, "bf16", "BF16"}, {DType::I64, 8, "i64", "I64"},
      {DType::I32, 4, "i32", "I32"},    {DType::I1, 1, "i1", "BOOL"},
      {DType::I8, 1, "i8", "I8"},       {DType::U8, 1, "u8", "U8"},
      {DType::F64, 8, "f64", "F64"},
  };
  for (const Row &r : rows) {
    EXPECT_EQ(dtypeSize(r.t), r.size) << r.name;
    EXPECT_STREQ(dtypeName(r.t), r.name);
    EXPECT_STREQ(dtypeSafetensorsName(r.t), r.st);
    EXPECT_EQ(parseDTypeName(r.name), r.t);
    EXPECT_EQ(parseSafetensorsDType(r.st), r.t);
  }
  EXPECT_EQ(parseDTypeName("F32"), std::nullopt);
  EXPECT_EQ(parseDTypeName(""), std::nullopt);
  EXPECT_EQ(parseSafetensorsDType("f32"), std::nullopt);
  EXPECT_EQ(parseSafetensorsDType("I16"), std::nullopt);
  EXPECT_EQ(dtypeSize(static_cast<DType>(200)), 0u);
}

TEST(DTypeTest, TensorTypeStr) {
  EXPECT_EQ((TensorType{DType::F32, {2, 3}}).str(), "tensor<2x3xf32>");
  EXPECT_EQ((TensorType{DType::BF16, {0, 5}}).str(), "tensor<0x5xbf16>");
  EXPECT_EQ((TensorType{DType::I1, {}}).str(), "tensor<i1>");
  EXPECT_EQ((TensorType{DType::F16, {-1, 4}}).str(), "tensor<?x4xf16>");
  EXPECT_EQ((TensorType{DType::I64, {7}}).byteSize(), 56u);
  EXPECT_EQ((TensorType{DType::I64, {}}).numElements(), 1);
}

TEST(DTypeTest, CheckedByteSize) {
  const int64_t big = int64_t(1) << 62;
  EXPECT_EQ((TensorType{DType::F32, {2, 3}}).checkedByteSize(), 24u);
  EXPECT_EQ((TensorType{DType::F64, {}}).checkedByteSize(), 8u);
  EXPECT_EQ((TensorType{DType::F32, {0, big}}).checkedByteSize(), 0u);
  EXPECT_EQ((TensorType{DType::U8, {big}}).checkedByteSize(), uint64_t(big));
  EXPECT_EQ((TensorType{DType::U8, {big, 2}}).checkedByteSize(), std::nullopt);
  EXPECT_EQ((TensorType{DType::F32, {big}}).checkedByteSize(), std::nullopt);
  EXPECT_EQ((TensorType{DType::F32, {-1}}).checkedByteSize(), std::nullopt);
  // A partial product past int64 is rejected even if a later 0 would bring
  // the total back: numElements() would overflow on the way.
  EXPECT_EQ(
      (TensorType{DType::U8, {int64_t(1) << 32, (int64_t(1) << 31) + 1, 0}})
          .checkedByteSize(),
      std::nullopt);
  EXPECT_EQ((TensorType{static_cast<DType>(99), {1}}).checkedByteSize(),
            std::nullopt);
}

//===----------------------------------------------------------------------===//
// f16
//===----------------------------------------------------------------------===//

bool isHalfNaN(uint16_t h) { return (h & 0x7c00) == 0x7c00 && (h & 0x3ff); }

TEST(DTypeTest, HalfKnownValues) {
  EXPECT_EQ(floatToHalf(0.0f), 0x0000);
  EXPECT_EQ(floatToHalf(-0.0f), 0x8000);
  EXPECT_EQ(floatToHalf(1.0f), 0x3c00);
  EXPECT_EQ(floatToHalf(-2.0f), 0xc000);
  EXPECT_EQ(floatToHalf(65504.0f), 0x7bff); // largest finite
  EXPECT_EQ(floatToHalf(65519.99f), 0x7bff);
  EXPECT_EQ(floatToHalf(65520.0f), 0x7c00); // tie rounds to even: infinity
  EXPECT_EQ(floatToHalf(1e6f), 0x7c00);
  EXPECT_EQ(floatToHalf(-1e6f), 0xfc00);
  EXPECT_EQ(floatToHalf(std::numeric_limits<float>::infinity()), 0x7c00);
  EXPECT_EQ(floatToHalf(-std::numeric_limits<float>::infinity()), 0xfc00);
  EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -14)), 0x0400); // smallest normal
  EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -24)), 0x0001); // smallest subnormal
  EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -25)), 0x0000); // tie to even: 0
  EXPECT_EQ(floatToHalf(std::nextafter(std::ldexp(1.0f, -25), 1.0f)), 0x0001);
  EXPECT_EQ(floatToHalf(std::ldexp(3.0f, -25)), 0x0002); // 1.5 ulp: even 2
  EXPECT_EQ(floatToHalf(-std::ldexp(1.0f, -26)), 0x8000);
  // Largest subnormal plus half an ulp carries into the smallest normal.
  EXPECT_EQ(floatToHalf(std::ldexp(1023.5f, -24)), 0x0400);
  EXPECT_EQ(floatToHalf(1.0f + std::ldexp(1.0f, -11)), 0x3c00); // tie: even
  EXPECT_EQ(floatToHalf(1.0f + std::ldexp(3.0f, -11)), 0x3c02); // tie: even
  EXPECT_EQ(floatToHalf(0.1f), 0x2e66);

  EXPECT_EQ(halfToFloat(0x3c00), 1.0f);
  EXPECT_EQ(halfToFloat(0x7bff), 65504.0f);
  EXPECT_EQ(halfToFloat(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(halfToFloat(0x03ff), std::ldexp(1023.0f, -24));
  EXPECT_EQ(bitsOf(halfToFloat(0x8000)), 0x80000000u);
  EXPECT_EQ(halfToFloat(0xfc00), -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(halfToFloat(0x7e00)));
  EXPECT_TRUE(std::isnan(halfToFloat(0x7c01)));
  EXPECT_TRUE(std::signbit(halfToFloat(0xfe00)));
}

TEST(DTypeTest, HalfNaNStaysNaN) {
  // Quiet, signalling and payload-only-in-low-bits NaNs all stay NaN (never
  // infinity) and keep their sign.
  for (uint32_t bits : {0x7fc00000u, 0x7f800001u, 0x7fbfffffu, 0xffc00000u,
                        0xff800001u, 0x7fffe000u}) {
    uint16_t h = floatToHalf(floatOf(bits));
    EXPECT_TRUE(isHalfNaN(h)) << std::hex << bits << " -> " << h;
    EXPECT_EQ(h >> 15, bits >> 31);
  }
}

TEST(DTypeTest, HalfRoundTripIsExact) {
  for (uint32_t h = 0; h <= 0xffff; ++h) {
    float f = halfToFloat(static_cast<uint16_t>(h));
    uint16_t back = floatToHalf(f);
    if (isHalfNaN(static_cast<uint16_t>(h))) {
      EXPECT_TRUE(std::isnan(f));
      EXPECT_TRUE(isHalfNaN(back));
      EXPECT_EQ(back >> 15, h >> 15);
    } else {
      EXPECT_EQ(back, h) << std::hex << h;
    }
  }
}

TEST(DTypeTest, HalfMidpointsRoundToEven) {
  // Between consecutive finite halves a < b, the exact midpoint (always an
  // f32) goes to the even one, and one f32 ulp either side goes to the
  // nearer one. This checks rounding without trusting any other converter.
  for (uint32_t a = 0; a < 0x7bff; ++a) {
    uint16_t b = static_cast<uint16_t>(a + 1);
    float fa = halfToFloat(static_cast<uint16_t>(a)), fb = halfToFloat(b);
    float mid = fa + (fb - fa) / 2; // exact: fits in f32
    ASSERT_EQ(mid - fa, fb - mid);
    uint16_t even = (a & 1) ? b : static_cast<uint16_t>(a);
    EXPECT_EQ(floatToHalf(mid), even) << std::hex << a;
    EXPECT_EQ(floatToHalf(-mid), even | 0x8000) << std::hex << a;
    EXPECT_EQ(floatToHalf(std::nextafter(mid, 0.0f)), a) << std::hex << a;
    EXPECT_EQ(floatToHalf(std::nextafter(mid, 1e9f)), b) << std::hex << a;
  }
}

#if defined(__FLT16_MAX__)
TEST(DTypeTest, HalfMatchesCompilerFloat16) {
  // The compiler's _Float16 conversions are IEEE round-to-nearest-even; an
  // independent reference for a broad sample of all f32 bit patterns.
  for (uint32_t h = 0; h <= 0xffff; ++h) {
    if (isHalfNaN(static_cast<uint16_t>(h)))
      continue;
    _Float16 x;
    uint16_t hb = static_cast<uint16_t>(h);
    std::memcpy(&x, &hb, 2);
    EXPECT_EQ(bitsOf(halfToFloat(hb)), bitsOf(static_cast<float>(x)))
        << std::hex << h;
  }
  std::mt19937 rng(7);
  for (uint64_t i = 0; i < (1u << 22); ++i) {
    // Strided sweep plus random bits.
    uint32_t bits = (i & 1) ? static_cast<uint32_t>(i * 1021u) : rng();
    float f = floatOf(bits);
    if (std::isnan(f))
      continue;
    _Float16 ref = static_cast<_Float16>(f);
    uint16_t refBits;
    std::memcpy(&refBits, &ref, 2);
    ASSERT_EQ(floatToHalf(f), refBits) << std::hex << bits;
  }
}
#endif

//===----------------------------------------------------------------------===//
// bf16
//===----------------------------------------------------------------------===//

TEST(DTypeTest, Bf16) {
  EXPECT_EQ(floatToBf16(1.0f), 0x3f80);
  EXPECT_EQ(floatToBf16(-2.0f), 0xc000);
  EXPECT_EQ(floatToBf16(floatOf(0x3f808000)), 0x3f80); // tie: even
  EXPECT_EQ(floatToBf16(floatOf(0x3f818000)), 0x3f82); // tie: even
  EXPECT_EQ(floatToBf16(floatOf(0x3f808001)), 0x3f81);
  EXPECT_EQ(floatToBf16(std::numeric_limits<float>::max()), 0x7f80); // inf
  EXPECT_EQ(floatToBf16(floatOf(0x7f7f7fff)), 0x7f7f);
  EXPECT_EQ(floatToBf16(-std::numeric_limits<float>::infinity()), 0xff80);
  EXPECT_EQ(floatToBf16(floatOf(0x00000001)), 0x0000); // subnormal underflow
  EXPECT_EQ(floatToBf16(floatOf(0x00018000)), 0x0002); // subnormal tie
  for (uint32_t bits : {0x7fc00000u, 0x7f800001u, 0xff800001u}) {
    uint16_t h = floatToBf16(floatOf(bits));
    EXPECT_TRUE(std::isnan(bf16ToFloat(h))) << std::hex << bits;
    EXPECT_EQ(h >> 15, bits >> 31);
  }
  for (uint32_t h = 0; h <= 0xffff; ++h) {
    float f = bf16ToFloat(static_cast<uint16_t>(h));
    EXPECT_EQ(bitsOf(f), h << 16);
    if (!std::isnan(f)) {
      EXPECT_EQ(floatToBf16(f), h) << std::hex << h;
      // Midpoint to the next pattern rounds to even (ignoring the inf/NaN
      // boundary, where the next pattern is not a finite neighbour).
      if ((h & 0x7fff) < 0x7f80) {
        uint16_t even =
            (h & 1) ? static_cast<uint16_t>(h + 1) : static_cast<uint16_t>(h);
        EXPECT_EQ(floatToBf16(floatOf((h << 16) | 0x8000)), even);
      }
    }
  }
}

//===----------------------------------------------------------------------===//
// .npy files
//===----------------------------------------------------------------------===//

class NpyTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "ds_npy_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  std::string writeBytes(const std::string &name, const std::string &bytes) {
    std::string path = dir + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  static std::string readBytes(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  /// A .npy file with a version `major` header holding `dict` (padded to a
  /// 64-byte data start as numpy does) and `data`.
  std::string npyFile(int major, const std::string &dict,
                      const std::string &data) {
    size_t lenBytes = major == 1 ? 2 : 4;
    size_t used = 8 + lenBytes + dict.size() + 1;
    std::string header = dict + std::string(63 - (used + 63) % 64, ' ') + "\n";
    std::string out = std::string("\x93NUMPY", 6);
    out += static_cast<char>(major);
    out += '\0';
    for (size_t i = 0; i < lenBytes; ++i)
      out += static_cast<char>(header.size() >> (8 * i));
    return out + header + data;
  }
  std::string readError(const std::string &path) {
    StatusOr<HostTensor> t = readNpy(path);
    return t ? "<ok>" : t.status().message();
  }

  std::string dir;
};

TEST_F(NpyTest, WriterMatchesNumpyByteForByte) {
  // np.save("a.npy", np.arange(3)) on a little-endian machine.
  std::string expected("\x93NUMPY\x01\x00v\x00", 10);
  expected += "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }";
  expected += std::string(60, ' ') + "\n";
  for (int64_t v : {0, 1, 2})
    expected.append(reinterpret_cast<const char *>(&v), 8);

  HostTensor t(TensorType{DType::I64, {3}});
  for (int64_t i = 0; i < 3; ++i)
    t.data<int64_t>()[i] = i;
  std::string path = dir + "/a.npy";
  ASSERT_TRUE(writeNpy(path, t).isOk());
  EXPECT_EQ(readBytes(path), expected);

  // np.save of a float32 (2, 3) array and of a float16 scalar.
  HostTensor m(TensorType{DType::F32, {2, 3}});
  ASSERT_TRUE(writeNpy(path, m).isOk());
  std::string bytes = readBytes(path);
  EXPECT_EQ(bytes.substr(0, 128),
            std::string("\x93NUMPY\x01\x00v\x00", 10) +
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" +
                std::string(58, ' ') + "\n");
  EXPECT_EQ(bytes.size(), 128u + 24u);
  HostTensor s(TensorType{DType::F16, {}});
  ASSERT_TRUE(writeNpy(path, s).isOk());
  EXPECT_EQ(readBytes(path).substr(10, 55),
            "{'descr': '<f2', 'fortran_order': False, 'shape': (), }");
}

TEST_F(NpyTest, ReadsHandWrittenFiles) {
  float values[6] = {1, -2, 3.5f, 0, -0.0f, 1e-30f};
  std::string data(reinterpret_cast<const char *>(values), 24);
  const char *dict =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  for (int major : {1, 2, 3}) {
    std::string path = writeBytes("v" + std::to_string(major) + ".npy",
                                  npyFile(major, dict, data));
    StatusOr<HostTensor> t = readNpy(path);
    ASSERT_TRUE(t) << t.status().message();
    EXPECT_EQ(t->type, (TensorType{DType::F32, {2, 3}}));
    EXPECT_EQ(std::memcmp(t->bytes.data(), values, 24), 0);
  }
  // Old writers: keys in another order, double quotes, Python 2 longs and
  // no trailing comma.
  std::string path = writeBytes(
      "old.npy",
      npyFile(1,
              "{\"shape\": (2L, 3L), 'fortran_order': False, 'descr': '<f4'}",
              data));
  StatusOr<HostTensor> t = readNpy(path);
  ASSERT_TRUE(t) << t.status().message();
  EXPECT_EQ(t->type.shape, (std::vector<int64_t>{2, 3}));
  std::string raw("\x93NUMPY\x01\x00\x46\x00", 10);
  raw += "{'descr': '|u1', 'fortran_order': False, 'shape': (5,), }";
  raw += std::string(70 - 57 - 1, ' ') + "\n";
  ASSERT_EQ(raw.size(), 80u);
  path = writeBytes("u8.npy", raw + "\x01\x02\x03\x04\xff");
  t = readNpy(path);
  ASSERT_TRUE(t) << t.status().message();
  EXPECT_EQ(t->type, (TensorType{DType::U8, {5}}));
  EXPECT_EQ(t->getAsDouble(4), 255.0);
}

TEST_F(NpyTest, RoundTripEveryDType) {
  std::mt19937 rng(3);
  for (DType dt : {DType::F32, DType::F16, DType::I64, DType::I32, DType::I1,
                   DType::I8, DType::U8, DType::F64}) {
    SCOPED_TRACE(dtypeName(dt));
    HostTensor t(TensorType{dt, {3, 4}});
    for (auto &b : t.bytes)
      b = static_cast<uint8_t>(rng());
    if (dt == DType::I1)
      for (auto &b : t.bytes)
        b &= 1;
    std::string path = dir + "/t.npy";
    ASSERT_TRUE(writeNpy(path, t).isOk());
    StatusOr<HostTensor> back = readNpy(path);
    ASSERT_TRUE(back) << back.status().message();
    EXPECT_EQ(back->type, t.type);
    EXPECT_EQ(back->bytes, t.bytes);
  }
  // Scalars and empty tensors.
  for (std::vector<int64_t> shape :
       {std::vector<int64_t>{}, std::vector<int64_t>{0},
        std::vector<int64_t>{2, 0, 3}}) {
    HostTensor t(TensorType{DType::F32, shape});
    std::string path = dir + "/s.npy";
    ASSERT_TRUE(writeNpy(path, t).isOk());
    StatusOr<HostTensor> back = readNpy(path);
    ASSERT_TRUE(back) << back.status().message();
    EXPECT_EQ(back->type, t.type);
    EXPECT_EQ(back->bytes, t.bytes);
  }
}

TEST_F(NpyTest, Bf16IsWrittenAsF32) {
  HostTensor t(TensorType{DType::BF16, {3}});
  t.data<uint16_t>()[0] = floatToBf16(1.5f);
  t.data<uint16_t>()[1] = floatToBf16(-3.0f);
  t.data<uint16_t>()[2] = 0x7f80; // inf
  std::string path = dir + "/bf16.npy";
  ASSERT_TRUE(writeNpy(path, t).isOk());
  StatusOr<HostTensor> back = readNpy(path);
  ASSERT_TRUE(back) << back.status().message();
  EXPECT_EQ(back->type, (TensorType{DType::F32, {3}}));
  EXPECT_EQ(back->data<float>()[0], 1.5f);
  EXPECT_EQ(back->data<float>()[1], -3.0f);
  EXPECT_TRUE(std::isinf(back->data<float>()[2]));
}

TEST_F(NpyTest, RejectsUnsupportedFiles) {
  std::string data(24, '\0');
  auto errorFor = [&](const std::string &dict, const std::string &d) {
    std::string path = writeBytes("x.npy", npyFile(1, dict, d));
    std::string msg = readError(path);
    std::string prefix = "npy file '" + path + "'";
    return msg.rfind(prefix, 0) == 0 ? msg.substr(prefix.size()) : msg;
  };
  EXPECT_EQ(
      errorFor("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
               data),
      ": fortran_order=True arrays are not supported; save a C-contiguous "
      "array (np.ascontiguousarray)");
  EXPECT_EQ(
      errorFor("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }",
               data),
      ": big-endian data ('>f4') is not supported; convert with "
      "arr.astype(arr.dtype.newbyteorder('<'))");
  EXPECT_EQ(
      errorFor("{'descr': '<c8', 'fortran_order': False, 'shape': (3,), }",
               data),
      ": unsupported dtype '<c8' (supported: <f4 <f2 <f8 <i8 <i4 |b1 |i1 "
      "|u1)");
  EXPECT_EQ(errorFor("{'descr': [('a', '<f4'), ('b', '<i4')], "
                     "'fortran_order': False, 'shape': (3,), }",
                     data),
            ": structured dtypes are not supported");
  EXPECT_EQ(errorFor("{'descr': '<f4', 'shape': (6,), }", data),
            ": malformed header: needs 'descr', 'fortran_order' and 'shape'");
  EXPECT_EQ(errorFor("{'descr': '<f4', 'fortran_order': False, "
                     "'shape': (-6,), }",
                     data),
            ": malformed header: expected a non-negative integer at offset "
            "51");
  EXPECT_EQ(errorFor("{'descr': '<f4' 'fortran_order': False}", data),
            ": malformed header: expected ',' or '}' at offset 16");
  EXPECT_EQ(
      errorFor("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }",
               data),
      " is truncated: header says 32 bytes of data (tensor<2x4xf32>), file "
      "has 24");
  EXPECT_EQ(
      errorFor("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }",
               data),
      ": has 24 bytes of data, but the header (tensor<5xf32>) says 20");
  EXPECT_EQ(errorFor("{'descr': '<f4', 'fortran_order': False, "
                     "'shape': (99999999999999, 99999999999999), }",
                     data),
            ": shape tensor<99999999999999x99999999999999xf32> is too large");

  std::string path = writeBytes("magic.npy", "PK\x03\x04 not numpy");
  EXPECT_EQ(readError(path),
            "npy file '" + path + "': not a .npy file (bad magic)");
  path = writeBytes("v4.npy", std::string("\x93NUMPY\x04\x00\x00\x00", 10));
  EXPECT_EQ(readError(path),
            "npy file '" + path + "': unsupported .npy format version 4.0");
  path = writeBytes("short.npy", std::string("\x93NUMPY\x01\x00\xff\x00{", 11));
  EXPECT_EQ(readError(path), "npy file '" + path +
                                 "': truncated header: header length 255 "
                                 "exceeds the file");
  path = dir + "/missing.npy";
  EXPECT_EQ(readError(path),
            "cannot open '" + path + "': No such file or directory");

  // No prefix of a valid file reads, and none crashes.
  std::string good = npyFile(
      1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data);
  for (size_t n = 0; n < good.size(); ++n)
    EXPECT_NE(readError(writeBytes("p.npy", good.substr(0, n))), "<ok>") << n;
}

TEST_F(NpyTest, WriterErrors) {
  HostTensor t(TensorType{DType::F32, {2}});
  t.bytes.resize(4);
  std::string path = dir + "/bad.npy";
  EXPECT_EQ(writeNpy(path, t).message(),
            "cannot write npy file '" + path +
                "': tensor<2xf32> needs 8 bytes, the tensor holds 4");
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(HostTensorTest, GetAsDouble) {
  HostTensor f32(TensorType{DType::F32, {2}});
  f32.data<float>()[1] = -2.5f;
  EXPECT_EQ(f32.getAsDouble(1), -2.5);
  HostTensor f16(TensorType{DType::F16, {1}});
  f16.data<uint16_t>()[0] = floatToHalf(0.333f);
  EXPECT_EQ(f16.getAsDouble(0),
            static_cast<double>(halfToFloat(floatToHalf(0.333f))));
  HostTensor bf16(TensorType{DType::BF16, {1}});
  bf16.data<uint16_t>()[0] = 0xc040; // -3.0
  EXPECT_EQ(bf16.getAsDouble(0), -3.0);
  HostTensor i64(TensorType{DType::I64, {1}});
  i64.data<int64_t>()[0] = -(int64_t(1) << 40);
  EXPECT_EQ(i64.getAsDouble(0), -1099511627776.0);
  HostTensor i32(TensorType{DType::I32, {1}});
  i32.data<int32_t>()[0] = -7;
  EXPECT_EQ(i32.getAsDouble(0), -7.0);
  HostTensor b(TensorType{DType::I1, {2}});
  b.bytes = {0, 1};
  EXPECT_EQ(b.getAsDouble(0), 0.0);
  EXPECT_EQ(b.getAsDouble(1), 1.0);
  HostTensor i8(TensorType{DType::I8, {1}});
  i8.bytes = {0x80};
  EXPECT_EQ(i8.getAsDouble(0), -128.0);
  HostTensor u8(TensorType{DType::U8, {1}});
  u8.bytes = {0x80};
  EXPECT_EQ(u8.getAsDouble(0), 128.0);
  HostTensor f64(TensorType{DType::F64, {1}});
  f64.data<double>()[0] = 1e300;
  EXPECT_EQ(f64.getAsDouble(0), 1e300);
  // Out of range: NaN rather than a read past the end.
  EXPECT_TRUE(std::isnan(f32.getAsDouble(2)));
  EXPECT_TRUE(std::isnan(f32.getAsDouble(-1)));
}

} // namespace
