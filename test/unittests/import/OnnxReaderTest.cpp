//===- OnnxReaderTest.cpp - tests of the ONNX reader ----------------------===//
//
// TensorProto files in every storage form the ONNX test data uses (raw_data,
// the typed *_data fields with narrow types widened, external data), and
// models with the faults the reader must report instead of crashing.
//
//===----------------------------------------------------------------------===//

#include "tools/ds-import/OnnxReader.h"

#include "onnx/onnx_pb.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

using namespace ds::importer;

namespace {

class OnnxReaderTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "ds_onnx_reader_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  std::string write(const std::string &name, const std::string &bytes) {
    std::string path = dir + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  std::string write(const std::string &name,
                    const google::protobuf::MessageLite &message) {
    return write(name, message.SerializeAsString());
  }

  template <typename T> static std::vector<T> values(const Tensor &t) {
    std::vector<T> out(t.bytes.size() / sizeof(T));
    std::memcpy(out.data(), t.bytes.data(), out.size() * sizeof(T));
    return out;
  }

  /// A model `x -> Relu -> y` of `opset`, shapes [2].
  static onnx::ModelProto reluModel(int64_t opset) {
    onnx::ModelProto m;
    m.set_ir_version(8);
    onnx::OperatorSetIdProto *op = m.add_opset_import();
    op->set_domain("");
    op->set_version(opset);
    onnx::GraphProto *g = m.mutable_graph();
    g->set_name("g");
    for (const char *name : {"x", "y"}) {
      onnx::ValueInfoProto *vi =
          std::string(name) == "x" ? g->add_input() : g->add_output();
      vi->set_name(name);
      auto *tt = vi->mutable_type()->mutable_tensor_type();
      tt->set_elem_type(onnx::TensorProto::FLOAT);
      tt->mutable_shape()->add_dim()->set_dim_value(2);
    }
    onnx::NodeProto *n = g->add_node();
    n->set_op_type("Relu");
    n->set_name("relu");
    n->add_input("x");
    n->add_output("y");
    return m;
  }

  std::string dir;
};

TEST_F(OnnxReaderTest, RawData) {
  onnx::TensorProto tp;
  tp.set_data_type(onnx::TensorProto::FLOAT);
  tp.add_dims(2);
  tp.add_dims(2);
  float v[] = {1.5f, -2.f, 3.f, 0.25f};
  tp.set_raw_data(std::string(reinterpret_cast<char *>(v), sizeof(v)));
  auto t = readTensorProtoFile(write("raw.pb", tp));
  ASSERT_TRUE(t.isOk()) << t.status().message();
  EXPECT_EQ(t->dtype, OnnxDType::Float);
  EXPECT_EQ(t->dims, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(values<float>(*t), (std::vector<float>{1.5f, -2.f, 3.f, 0.25f}));
}

TEST_F(OnnxReaderTest, TypedFields) {
  onnx::TensorProto f;
  f.set_data_type(onnx::TensorProto::FLOAT);
  f.add_dims(3);
  for (float x : {1.f, 2.f, 3.f})
    f.add_float_data(x);
  auto tf = readTensorProtoFile(write("f.pb", f));
  ASSERT_TRUE(tf.isOk()) << tf.status().message();
  EXPECT_EQ(values<float>(*tf), (std::vector<float>{1.f, 2.f, 3.f}));

  onnx::TensorProto i;
  i.set_data_type(onnx::TensorProto::INT64);
  for (int64_t x : {int64_t(-1), int64_t(1) << 40})
    i.add_int64_data(x);
  i.add_dims(2);
  auto ti = readTensorProtoFile(write("i.pb", i));
  ASSERT_TRUE(ti.isOk()) << ti.status().message();
  EXPECT_EQ(values<int64_t>(*ti), (std::vector<int64_t>{-1, int64_t(1) << 40}));

  // float16 and bool are widened into int32_data, one value per element.
  onnx::TensorProto h;
  h.set_data_type(onnx::TensorProto::FLOAT16);
  h.add_dims(2);
  h.add_int32_data(0x3c00); // 1.0
  h.add_int32_data(0xc000); // -2.0
  auto th = readTensorProtoFile(write("h.pb", h));
  ASSERT_TRUE(th.isOk()) << th.status().message();
  EXPECT_EQ(values<uint16_t>(*th), (std::vector<uint16_t>{0x3c00, 0xc000}));

  onnx::TensorProto b;
  b.set_data_type(onnx::TensorProto::BOOL);
  b.add_dims(3);
  for (int x : {1, 0, 1})
    b.add_int32_data(x);
  auto tb = readTensorProtoFile(write("b.pb", b));
  ASSERT_TRUE(tb.isOk()) << tb.status().message();
  EXPECT_EQ(tb->bytes, std::string("\1\0\1", 3));

  // A scalar: no dims, one element.
  onnx::TensorProto s;
  s.set_data_type(onnx::TensorProto::INT32);
  s.add_int32_data(-7);
  auto ts = readTensorProtoFile(write("s.pb", s));
  ASSERT_TRUE(ts.isOk()) << ts.status().message();
  EXPECT_TRUE(ts->dims.empty());
  EXPECT_EQ(values<int32_t>(*ts), (std::vector<int32_t>{-7}));
}

TEST_F(OnnxReaderTest, ExternalData) {
  float v[] = {9.f, 1.f, 2.f, 3.f};
  write("weights.bin", std::string(reinterpret_cast<char *>(v), sizeof(v)));
  onnx::TensorProto tp;
  tp.set_name("w");
  tp.set_data_type(onnx::TensorProto::FLOAT);
  tp.add_dims(3);
  tp.set_data_location(onnx::TensorProto::EXTERNAL);
  auto entry = [&](const char *key, const std::string &value) {
    onnx::StringStringEntryProto *e = tp.add_external_data();
    e->set_key(key);
    e->set_value(value);
  };
  entry("location", "weights.bin");
  entry("offset", "4");
  entry("length", "12");
  auto t = readTensorProtoFile(write("ext.pb", tp));
  ASSERT_TRUE(t.isOk()) << t.status().message();
  EXPECT_EQ(values<float>(*t), (std::vector<float>{1.f, 2.f, 3.f}));

  tp.mutable_external_data(0)->set_value("../weights.bin");
  auto escape = readTensorProtoFile(write("escape.pb", tp));
  ASSERT_FALSE(escape.isOk());
  EXPECT_NE(escape.status().message().find("leaves the model's folder"),
            std::string::npos)
      << escape.status().message();

  tp.mutable_external_data(0)->set_value("weights.bin");
  tp.mutable_external_data(2)->set_value("16");
  auto past = readTensorProtoFile(write("past.pb", tp));
  ASSERT_FALSE(past.isOk());
  EXPECT_NE(past.status().message().find("runs past the end"),
            std::string::npos)
      << past.status().message();
}

TEST_F(OnnxReaderTest, BadTensors) {
  onnx::TensorProto tp;
  tp.set_name("t");
  tp.set_data_type(onnx::TensorProto::FLOAT);
  tp.add_dims(3);
  tp.add_float_data(1.f);
  auto count = readTensorProtoFile(write("count.pb", tp));
  ASSERT_FALSE(count.isOk());
  EXPECT_NE(count.status().message().find(
                "tensor 't' holds 1 values, its shape needs 3"),
            std::string::npos)
      << count.status().message();

  tp.clear_float_data();
  tp.set_raw_data("abc");
  auto raw = readTensorProtoFile(write("rawsize.pb", tp));
  ASSERT_FALSE(raw.isOk());
  EXPECT_NE(raw.status().message().find("holds 3 bytes"), std::string::npos)
      << raw.status().message();

  auto corrupt =
      readTensorProtoFile(write("corrupt.pb", std::string("\xff\xff\xff", 3)));
  ASSERT_FALSE(corrupt.isOk());
  EXPECT_NE(corrupt.status().message().find("cannot parse"), std::string::npos);

  auto missing = readTensorProtoFile(dir + "/missing.pb");
  ASSERT_FALSE(missing.isOk());
  EXPECT_NE(missing.status().message().find("cannot open"), std::string::npos);
}

TEST_F(OnnxReaderTest, Model) {
  auto g = readOnnxModel(write("relu.onnx", reluModel(13)));
  ASSERT_TRUE(g.isOk()) << g.status().message();
  EXPECT_EQ(g->opsetVersion, 13);
  ASSERT_EQ(g->nodes.size(), 1u);
  EXPECT_EQ(g->nodes[0].opType, "Relu");
  ASSERT_EQ(g->inputs.size(), 1u);
  EXPECT_EQ(g->inputs[0].name, "x");
  ASSERT_TRUE(g->valueTypes.count("y"));
  EXPECT_TRUE(g->valueTypes["y"].hasShape);
}

TEST_F(OnnxReaderTest, BadModels) {
  auto expectError = [&](const std::string &path, const std::string &text) {
    auto g = readOnnxModel(path);
    ASSERT_FALSE(g.isOk()) << path;
    EXPECT_NE(g.status().message().find(text), std::string::npos)
        << g.status().message();
  };
  expectError(write("v18.onnx", reluModel(18)),
              "unsupported opset version 18 of the default ONNX domain");
  expectError(write("v6.onnx", reluModel(6)),
              "unsupported opset version 6 of the default ONNX domain");

  onnx::ModelProto noDefault = reluModel(13);
  noDefault.mutable_opset_import(0)->set_domain("com.example");
  expectError(write("nodefault.onnx", noDefault),
              "imports no opset of the default ONNX domain");

  onnx::ModelProto undefined = reluModel(13);
  undefined.mutable_graph()->mutable_node(0)->set_input(0, "nowhere");
  expectError(write("undefined.onnx", undefined), "node: name: relu");

  std::string bytes = reluModel(13).SerializeAsString();
  expectError(write("trunc.onnx", bytes.substr(0, bytes.size() / 2)),
              "truncated or corrupt protobuf");
}

} // namespace
