//===- SafeTensorsTest.cpp - tests of the safetensors reader/writer -------===//
//
// Files written byte by byte in the official layout (so the reader is tested
// against the format, not against our writer), writer output checked against
// the official reader's acceptance rules, round trips, determinism, and the
// error messages for every kind of broken file.
//
//===----------------------------------------------------------------------===//

#include "runtime/SafeTensors.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>

using namespace ds::runtime;

namespace {

using json = nlohmann::json;

class SafeTensorsTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "ds_safetensors_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  std::string writeBytes(const std::string &name, const std::string &bytes) {
    std::string path = dir + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  /// A file in the official layout: u64 LE header length, header, data.
  static std::string rawFile(const std::string &header,
                             const std::string &data) {
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; ++i)
      bytes[i] =
          static_cast<char>(static_cast<uint64_t>(header.size()) >> (8 * i));
    return bytes + header + data;
  }
  std::string writeRaw(const std::string &name, const std::string &header,
                       const std::string &data) {
    return writeBytes(name, rawFile(header, data));
  }
  static std::string readBytes(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  /// The message of opening `path`, or "<ok>".
  static std::string openError(const std::string &path) {
    StatusOr<SafeTensorsFile> f = SafeTensorsFile::open(path);
    return f ? "<ok>" : f.status().message();
  }

  std::string dir;
};

std::string floatBytes(std::initializer_list<float> values) {
  std::string s;
  for (float v : values)
    s.append(reinterpret_cast<const char *>(&v), sizeof(v));
  return s;
}

/// The official reader's acceptance rule (huggingface/safetensors
/// `Metadata::validate` and `read_metadata`): sorted by offsets, the tensors
/// tile [0, N) without gaps or overlaps, N is the data size exactly, and the
/// header is valid JSON. Returns "" when the file passes.
std::string officialReaderRejects(const std::string &file) {
  if (file.size() < 8)
    return "HeaderTooSmall";
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i)
    n |= static_cast<uint64_t>(static_cast<uint8_t>(file[i])) << (8 * i);
  if (n > file.size() - 8)
    return "InvalidHeaderLength";
  json header = json::parse(file.substr(8, n), nullptr, false);
  if (header.is_discarded() || !header.is_object())
    return "InvalidHeaderDeserialization";
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__")
      continue;
    ranges.emplace_back(it.value()["data_offsets"][0].get<uint64_t>(),
                        it.value()["data_offsets"][1].get<uint64_t>());
  }
  std::sort(ranges.begin(), ranges.end());
  uint64_t start = 0;
  for (auto [b, e] : ranges) {
    if (b != start || e < b)
      return "InvalidOffset";
    start = e;
  }
  if (start + 8 + n != file.size())
    return "MetadataIncompleteBuffer";
  return "";
}

//===----------------------------------------------------------------------===//
// Reading files laid out by hand
//===----------------------------------------------------------------------===//

TEST_F(SafeTensorsTest, ReadsTheSpecExample) {
  // The example from the safetensors documentation, byte for byte: a header
  // length of 60 ('<'), then the header, then 16 bytes of I32 data.
  std::string file("<\0\0\0\0\0\0\0", 8);
  file +=
      "{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";
  std::string data(16, '\0');
  int32_t values[4] = {1, -2, 3, 2147483647};
  std::memcpy(data.data(), values, 16);
  std::string path = writeBytes("spec.safetensors", file + data);

  StatusOr<SafeTensorsFile> f = SafeTensorsFile::open(path);
  ASSERT_TRUE(f) << f.status().message();
  EXPECT_EQ(f->names(), std::vector<std::string>{"test"});
  EXPECT_TRUE(f->metadata().empty());
  StatusOr<SafeTensorEntry> e =
      f->getChecked("test", TensorType{DType::I32, {2, 2}});
  ASSERT_TRUE(e) << e.status().message();
  EXPECT_EQ(e->byteSize, 16u);
  EXPECT_EQ(std::memcmp(e->data, values, 16), 0);
}

TEST_F(SafeTensorsTest, ReadsAnOfficialStyleFile) {
  // As safetensors.torch.save_file writes it: metadata, tensors sorted by
  // alignment then name and packed, header padded with spaces to 8 bytes.
  std::string header =
      "{\"__metadata__\":{\"format\":\"pt\"},"
      "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
      "\"b\":{\"dtype\":\"BF16\",\"shape\":[1,2],\"data_offsets\":[8,12]},"
      "\"c\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[12,15]},"
      "\"empty\":{\"dtype\":\"F64\",\"shape\":[0,7],\"data_offsets\":[15,15]}}";
  header.append((8 - header.size() % 8) % 8, ' ');
  std::string data = floatBytes({1.5f, -2.0f});
  data += std::string("\x80\x3f\x00\xc0", 4); // bf16 1.0, -2.0
  data += std::string("\x01\x00\x01", 3);
  ASSERT_EQ(officialReaderRejects(rawFile(header, data)), "");
  std::string path = writeRaw("official.safetensors", header, data);

  StatusOr<SafeTensorsFile> f = SafeTensorsFile::open(path);
  ASSERT_TRUE(f) << f.status().message();
  EXPECT_EQ(f->names(), (std::vector<std::string>{"a", "b", "c", "empty"}));
  EXPECT_EQ(f->metadata(),
            (std::map<std::string, std::string>{{"format", "pt"}}));
  StatusOr<SafeTensorEntry> a = f->get("a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->type, (TensorType{DType::F32, {2}}));
  float fa[2];
  std::memcpy(fa, a->data, 8);
  EXPECT_EQ(fa[0], 1.5f);
  EXPECT_EQ(fa[1], -2.0f);
  StatusOr<SafeTensorEntry> b = f->get("b");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->type, (TensorType{DType::BF16, {1, 2}}));
  uint16_t bf[2];
  std::memcpy(bf, b->data, 4);
  EXPECT_EQ(bf16ToFloat(bf[0]), 1.0f);
  EXPECT_EQ(bf16ToFloat(bf[1]), -2.0f);
  StatusOr<SafeTensorEntry> c = f->get("c");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->type, (TensorType{DType::I1, {3}}));
  EXPECT_EQ(c->data[0], 1);
  EXPECT_EQ(c->data[1], 0);
  StatusOr<SafeTensorEntry> empty = f->get("empty");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->byteSize, 0u);
  EXPECT_EQ(empty->type.str(), "tensor<0x7xf64>");
}

TEST_F(SafeTensorsTest, AcceptsLooseButSafeLayouts) {
  // Gaps, shared ranges and trailing bytes are not produced by the official
  // writer, but reading them is safe: every range is inside the file.
  std::string header =
      "{\"x\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[4,6]},"
      "\"y\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[4,6]}}";
  std::string path = writeRaw("loose.safetensors", header, "abcdefgh");
  StatusOr<SafeTensorsFile> f = SafeTensorsFile::open(path);
  ASSERT_TRUE(f) << f.status().message();
  EXPECT_EQ(std::string(reinterpret_cast<const char *>(f->get("x")->data), 2),
            "ef");
  EXPECT_EQ(f->get("x")->data, f->get("y")->data);
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

TEST_F(SafeTensorsTest, WriterLayoutIsExact) {
  float a[4] = {1, 2, 3, 4};
  uint16_t b[3] = {floatToHalf(1.0f), floatToHalf(-0.5f), 0x7c00};
  int64_t c = -7;
  uint8_t d[5] = {1, 2, 3, 4, 5};
  std::string path = dir + "/w.safetensors";
  Status s = writeSafeTensors(path,
                              {{"b", {DType::F16, {3}}, b},
                               {"a", {DType::F32, {2, 2}}, a},
                               {"d", {DType::U8, {5}}, d},
                               {"c", {DType::I64, {}}, &c}},
                              {{"format", "pt"}});
  ASSERT_TRUE(s.isOk()) << s.message();
  std::string file = readBytes(path);
  // Data packed by decreasing element size, then name: c, a, b, d.
  std::string expectedHeader =
      "{\"__metadata__\":{\"format\":\"pt\"},"
      "\"a\":{\"data_offsets\":[8,24],\"dtype\":\"F32\",\"shape\":[2,2]},"
      "\"b\":{\"data_offsets\":[24,30],\"dtype\":\"F16\",\"shape\":[3]},"
      "\"c\":{\"data_offsets\":[0,8],\"dtype\":\"I64\",\"shape\":[]},"
      "\"d\":{\"data_offsets\":[30,35],\"dtype\":\"U8\",\"shape\":[5]}}";
  expectedHeader.append((8 - expectedHeader.size() % 8) % 8, ' ');
  std::string expected(8, '\0');
  expected[0] = static_cast<char>(expectedHeader.size());
  expected[1] = static_cast<char>(expectedHeader.size() >> 8);
  expected += expectedHeader;
  expected.append(reinterpret_cast<const char *>(&c), 8);
  expected.append(reinterpret_cast<const char *>(a), 16);
  expected.append(reinterpret_cast<const char *>(b), 6);
  expected.append(reinterpret_cast<const char *>(d), 5);
  EXPECT_EQ(file, expected);
  EXPECT_EQ(officialReaderRejects(file), "");
  EXPECT_EQ((file.size() - 35) % 8, 0u) << "data must start 8-byte aligned";
}

TEST_F(SafeTensorsTest, RoundTripAndAlignment) {
  std::vector<double> f64 = {1e300, -0.0};
  std::vector<float> f32 = {0.1f, 0.2f, 0.3f};
  std::vector<uint16_t> f16 = {1, 2, 3, 4, 5};
  std::vector<int32_t> i32 = {-1, 7};
  std::vector<uint8_t> flags = {1, 0, 1};
  std::vector<int8_t> i8 = {-128, 127};
  std::vector<SafeTensorToWrite> tensors = {
      {"z.f64", {DType::F64, {2}}, f64.data()},
      {"y.f32", {DType::F32, {3, 1}}, f32.data()},
      {"x.f16", {DType::F16, {5}}, f16.data()},
      {"w.i32", {DType::I32, {2}}, i32.data()},
      {"v.bool", {DType::I1, {3}}, flags.data()},
      {"u.i8", {DType::I8, {1, 2}}, i8.data()},
      {"t.empty", {DType::BF16, {0}}, nullptr},
  };
  std::string path = dir + "/rt.safetensors";
  ASSERT_TRUE(writeSafeTensors(path, tensors).isOk());
  EXPECT_EQ(officialReaderRejects(readBytes(path)), "");

  StatusOr<SafeTensorsFile> f = SafeTensorsFile::open(path);
  ASSERT_TRUE(f) << f.status().message();
  EXPECT_EQ(f->path(), path);
  EXPECT_EQ(f->names().size(), tensors.size());
  for (const SafeTensorToWrite &t : tensors) {
    StatusOr<SafeTensorEntry> e = f->getChecked(t.name, t.type);
    ASSERT_TRUE(e) << e.status().message();
    ASSERT_EQ(e->byteSize, t.type.byteSize());
    if (e->byteSize) {
      EXPECT_EQ(std::memcmp(e->data, t.data, e->byteSize), 0) << t.name;
    }
    // Packing by element size keeps every tensor naturally aligned.
    EXPECT_EQ(reinterpret_cast<uintptr_t>(e->data) % dtypeSize(t.type.dtype),
              0u)
        << t.name;
  }
}

TEST_F(SafeTensorsTest, WriterIsDeterministic) {
  float a[2] = {1, 2};
  int64_t b[1] = {3};
  std::string p1 = dir + "/1.safetensors", p2 = dir + "/2.safetensors";
  ASSERT_TRUE(writeSafeTensors(
                  p1,
                  {{"a", {DType::F32, {2}}, a}, {"b", {DType::I64, {1}}, b}},
                  {{"k2", "v"}, {"k1", "w"}})
                  .isOk());
  ASSERT_TRUE(writeSafeTensors(
                  p2,
                  {{"b", {DType::I64, {1}}, b}, {"a", {DType::F32, {2}}, a}},
                  {{"k1", "w"}, {"k2", "v"}})
                  .isOk());
  EXPECT_EQ(readBytes(p1), readBytes(p2));
}

TEST_F(SafeTensorsTest, EmptyFileList) {
  std::string path = dir + "/none.safetensors";
  ASSERT_TRUE(writeSafeTensors(path, {}).isOk());
  EXPECT_EQ(readBytes(path), std::string("\x08\0\0\0\0\0\0\0{}      ", 16));
  StatusOr<SafeTensorsFile> f = SafeTensorsFile::open(path);
  ASSERT_TRUE(f) << f.status().message();
  EXPECT_TRUE(f->names().empty());
}

TEST_F(SafeTensorsTest, WriterErrors) {
  float a[1] = {1};
  std::string path = dir + "/bad.safetensors";
  Status s = writeSafeTensors(
      path, {{"a", {DType::F32, {1}}, a}, {"a", {DType::I8, {4}}, a}});
  EXPECT_EQ(s.message(),
            "cannot write weights file '" + path + "': duplicate tensor 'a'");
  s = writeSafeTensors(path, {{"__metadata__", {DType::F32, {1}}, a}});
  EXPECT_EQ(s.message(), "cannot write weights file '" + path +
                             "': '__metadata__' is reserved");
  s = writeSafeTensors(path, {{"n", {DType::F32, {1}}, nullptr}});
  EXPECT_EQ(s.message(),
            "cannot write weights file '" + path + "': tensor 'n' has no data");
  s = writeSafeTensors(dir + "/missing/x.safetensors",
                       {{"a", {DType::F32, {1}}, a}});
  EXPECT_FALSE(s.isOk());
  EXPECT_FALSE(std::filesystem::exists(path));
}

//===----------------------------------------------------------------------===//
// Lookup errors
//===----------------------------------------------------------------------===//

TEST_F(SafeTensorsTest, LookupErrorsNameTensorAndFile) {
  std::string path = dir + "/w.safetensors";
  std::vector<uint16_t> data(32);
  ASSERT_TRUE(writeSafeTensors(
                  path, {{"fc1.weight", {DType::F16, {4, 8}}, data.data()}})
                  .isOk());
  StatusOr<SafeTensorsFile> f = SafeTensorsFile::open(path);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->get("fc2.weight").status().message(),
            "weights file '" + path + "': no tensor named 'fc2.weight'");
  EXPECT_EQ(
      f->getChecked("fc1.weight", {DType::F32, {4, 8}}).status().message(),
      "weights file '" + path +
          "': tensor 'fc1.weight' is tensor<4x8xf16>, expected "
          "tensor<4x8xf32>");
  EXPECT_EQ(
      f->getChecked("fc1.weight", {DType::F16, {8, 4}}).status().message(),
      "weights file '" + path +
          "': tensor 'fc1.weight' is tensor<4x8xf16>, expected "
          "tensor<8x4xf16>");
  EXPECT_TRUE(f->getChecked("fc1.weight", {DType::F16, {4, 8}}));
}

//===----------------------------------------------------------------------===//
// Broken files
//===----------------------------------------------------------------------===//

TEST_F(SafeTensorsTest, MappedFileBasics) {
  std::string empty = writeBytes("empty", "");
  StatusOr<std::shared_ptr<MappedFile>> m = MappedFile::open(empty);
  ASSERT_TRUE(m) << m.status().message();
  EXPECT_EQ((*m)->size(), 0u);
  EXPECT_EQ((*m)->path(), empty);

  std::string missing = dir + "/missing";
  EXPECT_EQ(MappedFile::open(missing).status().message(),
            "cannot open '" + missing + "': No such file or directory");
  EXPECT_EQ(MappedFile::open(dir).status().message(),
            "cannot map '" + dir + "': not a regular file");
}

TEST_F(SafeTensorsTest, HeaderErrors) {
  std::string p = writeBytes("tiny.safetensors", "abc");
  EXPECT_EQ(openError(p),
            "weights file '" + p +
                "': too small for a safetensors file (3 bytes, the header "
                "length alone takes 8)");
  p = writeBytes("empty.safetensors", "");
  EXPECT_NE(openError(p).find("too small"), std::string::npos);

  // A header length beyond the file, including one that would wrap.
  p = writeBytes("long.safetensors", std::string("\x00\x10\0\0\0\0\0\0{}", 10));
  EXPECT_EQ(openError(p), "weights file '" + p +
                              "': header length 4096 exceeds the file size "
                              "(10 bytes); not a safetensors file or "
                              "truncated");
  p = writeBytes("huge.safetensors",
                 std::string("\xff\xff\xff\xff\xff\xff\xff\xff{}", 10));
  EXPECT_NE(openError(p).find("header length 18446744073709551615 exceeds"),
            std::string::npos);

  p = writeRaw("json.safetensors", "{\"a\": [", "");
  EXPECT_EQ(openError(p), "weights file '" + p + "': header is not valid JSON");
  p = writeRaw("array.safetensors", "[1,2]", "");
  EXPECT_EQ(openError(p),
            "weights file '" + p + "': header is not a JSON object");
  p = writeRaw("meta.safetensors", "{\"__metadata__\":{\"n\":3}}", "");
  EXPECT_EQ(openError(p),
            "weights file '" + p + "': __metadata__ entry 'n' is not a string");
}

TEST_F(SafeTensorsTest, TensorEntryErrors) {
  auto errorFor = [&](const std::string &entry, const std::string &data) {
    std::string p = writeRaw("e.safetensors", "{\"t\":" + entry + "}", data);
    std::string msg = openError(p);
    std::string prefix = "weights file '" + p + "': ";
    return msg.rfind(prefix, 0) == 0 ? msg.substr(prefix.size()) : msg;
  };
  EXPECT_EQ(errorFor("[]", ""), "tensor 't': entry is not a JSON object");
  EXPECT_EQ(errorFor("{\"shape\":[1],\"data_offsets\":[0,4]}", "abcd"),
            "tensor 't': missing or non-string 'dtype'");
  EXPECT_EQ(errorFor("{\"dtype\":\"I16\",\"shape\":[2],\"data_offsets\":[0,4]}",
                     "abcd"),
            "tensor 't': unsupported dtype 'I16'");
  EXPECT_EQ(
      errorFor("{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}",
               "abcd"),
      "tensor 't': unsupported dtype 'F8_E4M3'");
  EXPECT_EQ(errorFor("{\"dtype\":\"F32\",\"data_offsets\":[0,4]}", "abcd"),
            "tensor 't': missing or non-array 'shape'");
  EXPECT_EQ(
      errorFor("{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}",
               "abcd"),
      "tensor 't': shape entries must be non-negative integers");
  EXPECT_EQ(
      errorFor("{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}",
               "abcd"),
      "tensor 't': shape entries must be non-negative integers");
  EXPECT_EQ(errorFor("{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],"
                     "\"data_offsets\":[0,8]}",
                     "abcdefgh"),
            "tensor 't': shape tensor<4294967296x4294967296xf64> is too "
            "large");
  EXPECT_EQ(errorFor("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}",
                     "abcd"),
            "tensor 't': 'data_offsets' must be two non-negative integers");
  EXPECT_EQ(
      errorFor("{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,-4]}",
               "abcd"),
      "tensor 't': 'data_offsets' must be two non-negative integers");
  EXPECT_EQ(errorFor("{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}",
                     "abcd"),
            "tensor 't': data_offsets [4, 0] start after their end");
  EXPECT_EQ(
      errorFor("{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,16]}",
               std::string(16, 'x')),
      "tensor 't': tensor<2x3xf32> needs 24 bytes, but data_offsets [0, 16] "
      "hold 16");
}

TEST_F(SafeTensorsTest, TruncatedData) {
  std::vector<float> data(256);
  std::string path = dir + "/w.safetensors";
  ASSERT_TRUE(
      writeSafeTensors(path, {{"fc1.weight", {DType::F32, {256}}, data.data()}})
          .isOk());
  std::string bytes = readBytes(path);
  std::string cut =
      writeBytes("cut.safetensors", bytes.substr(0, bytes.size() - 512));
  EXPECT_EQ(openError(cut), "weights file '" + cut +
                                "' is truncated: header says 1024 bytes of "
                                "data, file has 512");
  // No prefix of a valid file opens, and none crashes.
  for (size_t n = 0; n < bytes.size(); n += 37) {
    std::string p = writeBytes("prefix.safetensors", bytes.substr(0, n));
    EXPECT_NE(openError(p), "<ok>") << n;
  }
}

} // namespace
