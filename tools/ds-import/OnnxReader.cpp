//===- OnnxReader.cpp - ONNX model files to a plain graph -----------------===//
//
// Built with exceptions: the ONNX library reports checker and shape inference
// failures by throwing. Nothing thrown leaves this file.
//
//===----------------------------------------------------------------------===//

#include "tools/ds-import/OnnxReader.h"

#include "onnx/checker.h"
#include "onnx/defs/schema.h"
#include "onnx/onnx_pb.h"
#include "onnx/shape_inference/implementation.h"

#include <climits>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

// libonnx 1.12 exports this overload (it takes the model's folder, to check
// external data locations) but leaves it out of checker.h.
namespace onnx::checker {
void check_model(const ModelProto &model, CheckerContext &ctx);
} // namespace onnx::checker

namespace ds::importer {

using runtime::Status;
using runtime::StatusOr;
namespace fs = std::filesystem;

const char *onnxDTypeName(OnnxDType t) {
  switch (t) {
  case OnnxDType::Undefined:
    return "undefined";
  case OnnxDType::Float:
    return "float";
  case OnnxDType::UInt8:
    return "uint8";
  case OnnxDType::Int8:
    return "int8";
  case OnnxDType::UInt16:
    return "uint16";
  case OnnxDType::Int16:
    return "int16";
  case OnnxDType::Int32:
    return "int32";
  case OnnxDType::Int64:
    return "int64";
  case OnnxDType::String:
    return "string";
  case OnnxDType::Bool:
    return "bool";
  case OnnxDType::Float16:
    return "float16";
  case OnnxDType::Double:
    return "double";
  case OnnxDType::UInt32:
    return "uint32";
  case OnnxDType::UInt64:
    return "uint64";
  case OnnxDType::Complex64:
    return "complex64";
  case OnnxDType::Complex128:
    return "complex128";
  case OnnxDType::BFloat16:
    return "bfloat16";
  }
  return "unknown";
}

size_t onnxDTypeSize(OnnxDType t) {
  switch (t) {
  case OnnxDType::UInt8:
  case OnnxDType::Int8:
  case OnnxDType::Bool:
    return 1;
  case OnnxDType::UInt16:
  case OnnxDType::Int16:
  case OnnxDType::Float16:
  case OnnxDType::BFloat16:
    return 2;
  case OnnxDType::Float:
  case OnnxDType::Int32:
  case OnnxDType::UInt32:
    return 4;
  case OnnxDType::Int64:
  case OnnxDType::Double:
  case OnnxDType::UInt64:
  case OnnxDType::Complex64:
    return 8;
  case OnnxDType::Complex128:
    return 16;
  case OnnxDType::Undefined:
  case OnnxDType::String:
    return 0;
  }
  return 0;
}

namespace {

bool isKnownDType(int32_t t) {
  return t >= static_cast<int32_t>(OnnxDType::Undefined) &&
         t <= static_cast<int32_t>(OnnxDType::BFloat16);
}

/// ONNX library messages span lines ("...\n\n==> Context: ..."); diagnostics
/// read better on one.
std::string oneLine(const std::string &text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space)
      out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

Status readFile(const std::string &path, std::string &bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::error("cannot open '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad())
    return Status::error("cannot read '" + path + "'");
  bytes = std::move(ss).str();
  return Status::ok();
}

/// Loads the bytes of a tensor stored outside the model (data_location
/// EXTERNAL) into raw_data, so that shape inference and the conversion below
/// see one form. `baseDir` is the model's folder; locations may not leave it.
Status loadExternalData(onnx::TensorProto &tp, const fs::path &baseDir) {
  std::string location;
  uint64_t offset = 0;
  int64_t length = -1;
  for (const onnx::StringStringEntryProto &e : tp.external_data()) {
    try {
      if (e.key() == "location")
        location = e.value();
      else if (e.key() == "offset")
        offset = std::stoull(e.value());
      else if (e.key() == "length")
        length = std::stoll(e.value());
    } catch (const std::exception &) {
      return Status::error("tensor '" + tp.name() + "' has a malformed '" +
                           e.key() + "' entry in its external data: '" +
                           e.value() + "'");
    }
  }
  if (location.empty())
    return Status::error("tensor '" + tp.name() +
                         "' is stored externally but names no location");
  fs::path rel(location);
  if (rel.is_absolute())
    return Status::error("external data location '" + location +
                         "' of tensor '" + tp.name() +
                         "' is absolute; it must be relative to the model");
  for (const fs::path &part : rel)
    if (part == "..")
      return Status::error("external data location '" + location +
                           "' of tensor '" + tp.name() +
                           "' leaves the model's folder");
  fs::path file = baseDir / rel;
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return Status::error("cannot open external data file '" + file.string() +
                         "' of tensor '" + tp.name() + "'");
  in.seekg(0, std::ios::end);
  uint64_t fileSize = static_cast<uint64_t>(in.tellg());
  if (offset > fileSize)
    return Status::error("external data of tensor '" + tp.name() +
                         "' starts at byte " + std::to_string(offset) +
                         " past the end of '" + file.string() + "' (" +
                         std::to_string(fileSize) + " bytes)");
  uint64_t size = length < 0 ? fileSize - offset : uint64_t(length);
  if (size > fileSize - offset)
    return Status::error("external data of tensor '" + tp.name() + "' (" +
                         std::to_string(size) + " bytes at offset " +
                         std::to_string(offset) + ") runs past the end of '" +
                         file.string() + "' (" + std::to_string(fileSize) +
                         " bytes)");
  std::string bytes(size, '\0');
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (!in)
    return Status::error("cannot read external data of tensor '" + tp.name() +
                         "' from '" + file.string() + "'");
  *tp.mutable_raw_data() = std::move(bytes);
  tp.clear_external_data();
  tp.set_data_location(onnx::TensorProto::DEFAULT);
  return Status::ok();
}

/// Appends `count` values of `src` as little-endian elements of `size`
/// bytes (ONNX stores narrow types widened in int32_data / uint64_data).
template <typename T>
void appendNarrowed(std::string &out, const T *src, int count, size_t size) {
  for (int i = 0; i < count; ++i) {
    uint64_t bits = 0;
    std::memcpy(&bits, &src[i], sizeof(T));
    for (size_t b = 0; b < size; ++b)
      out.push_back(static_cast<char>((bits >> (8 * b)) & 0xff));
  }
}

/// Converts a TensorProto (external data already loaded) into a Tensor. The
/// raw bytes are moved out of `tp`, so large initializers are not copied.
Status convertTensor(onnx::TensorProto &tp, Tensor &out) {
  out.name = tp.name();
  if (!isKnownDType(tp.data_type()))
    return Status::error("tensor '" + tp.name() + "' has unknown data type " +
                         std::to_string(tp.data_type()));
  out.dtype = static_cast<OnnxDType>(tp.data_type());
  if (out.dtype == OnnxDType::Undefined)
    return Status::error("tensor '" + tp.name() + "' has no data type");
  if (tp.data_location() == onnx::TensorProto::EXTERNAL)
    return Status::error("internal: external data of tensor '" + tp.name() +
                         "' was not loaded");
  int64_t numElements = 1;
  out.dims.assign(tp.dims().begin(), tp.dims().end());
  for (int64_t d : out.dims) {
    if (d < 0)
      return Status::error("tensor '" + tp.name() + "' has a negative dim " +
                           std::to_string(d));
    if (__builtin_mul_overflow(numElements, d, &numElements))
      return Status::error("tensor '" + tp.name() + "' is too large");
  }
  if (out.dtype == OnnxDType::String)
    return Status::ok(); // never imported; the importer names the dtype
  size_t elemSize = onnxDTypeSize(out.dtype);
  int64_t expectedBytes;
  if (__builtin_mul_overflow(numElements, int64_t(elemSize), &expectedBytes))
    return Status::error("tensor '" + tp.name() + "' is too large");

  if (tp.has_raw_data()) {
    out.bytes.swap(*tp.mutable_raw_data());
  } else {
    // One stored value per element; complex types store two.
    bool isComplex =
        out.dtype == OnnxDType::Complex64 || out.dtype == OnnxDType::Complex128;
    int64_t expectedValues = numElements * (isComplex ? 2 : 1);
    size_t valueSize = isComplex ? elemSize / 2 : elemSize;
    int stored = 0;
    out.bytes.reserve(static_cast<size_t>(expectedBytes));
    switch (out.dtype) {
    case OnnxDType::Float:
    case OnnxDType::Complex64:
      stored = tp.float_data_size();
      appendNarrowed(out.bytes, tp.float_data().data(), stored, valueSize);
      break;
    case OnnxDType::Double:
    case OnnxDType::Complex128:
      stored = tp.double_data_size();
      appendNarrowed(out.bytes, tp.double_data().data(), stored, valueSize);
      break;
    case OnnxDType::Int64:
      stored = tp.int64_data_size();
      appendNarrowed(out.bytes, tp.int64_data().data(), stored, valueSize);
      break;
    case OnnxDType::UInt32:
    case OnnxDType::UInt64:
      stored = tp.uint64_data_size();
      appendNarrowed(out.bytes, tp.uint64_data().data(), stored, valueSize);
      break;
    default: // int32, int16, int8, uint16, uint8, bool, float16, bfloat16
      stored = tp.int32_data_size();
      appendNarrowed(out.bytes, tp.int32_data().data(), stored, valueSize);
      break;
    }
    if (stored != expectedValues)
      return Status::error(
          "tensor '" + tp.name() + "' holds " + std::to_string(stored) +
          " values, its shape needs " + std::to_string(expectedValues));
  }
  if (static_cast<int64_t>(out.bytes.size()) != expectedBytes)
    return Status::error(
        "tensor '" + tp.name() + "' holds " + std::to_string(out.bytes.size()) +
        " bytes, its type and shape need " + std::to_string(expectedBytes));
  return Status::ok();
}

ValueType convertType(const onnx::TypeProto &t) {
  ValueType vt;
  if (!t.has_tensor_type()) {
    vt.isTensor = false;
    return vt;
  }
  const onnx::TypeProto_Tensor &tt = t.tensor_type();
  vt.dtype = isKnownDType(tt.elem_type()) ? OnnxDType(tt.elem_type())
                                          : OnnxDType::Undefined;
  vt.hasShape = tt.has_shape();
  for (const onnx::TensorShapeProto_Dimension &d : tt.shape().dim()) {
    Dim dim;
    if (d.has_dim_value() && d.dim_value() >= 0)
      dim.value = d.dim_value();
    else if (d.has_dim_param())
      dim.param = d.dim_param();
    vt.dims.push_back(std::move(dim));
  }
  return vt;
}

/// Keeps the more precise of two types of one value (a known rank beats an
/// unknown one, a static dim beats a dynamic one).
void mergeType(ValueType &into, const ValueType &from) {
  if (!into.isTensor || !from.isTensor)
    return;
  if (into.dtype == OnnxDType::Undefined)
    into.dtype = from.dtype;
  if (!from.hasShape)
    return;
  if (!into.hasShape || into.dims.size() != from.dims.size()) {
    if (!into.hasShape) {
      into.hasShape = true;
      into.dims = from.dims;
    }
    return;
  }
  for (size_t i = 0; i < into.dims.size(); ++i)
    if (!into.dims[i].isStatic() &&
        (from.dims[i].isStatic() || into.dims[i].param.empty()))
      into.dims[i] = from.dims[i];
}

void recordType(Graph &g, const onnx::ValueInfoProto &vi) {
  if (vi.name().empty() || !vi.has_type())
    return;
  ValueType t = convertType(vi.type());
  auto [it, inserted] = g.valueTypes.emplace(vi.name(), t);
  if (!inserted)
    mergeType(it->second, t);
}

Status convertAttribute(onnx::AttributeProto &a, Node &node) {
  using AP = onnx::AttributeProto;
  AP::AttributeType type = a.type();
  if (type == AP::UNDEFINED) {
    // Old models may leave the type out; infer it from the filled field.
    if (a.has_f())
      type = AP::FLOAT;
    else if (a.has_i())
      type = AP::INT;
    else if (a.has_s())
      type = AP::STRING;
    else if (a.has_t())
      type = AP::TENSOR;
    else if (a.floats_size())
      type = AP::FLOATS;
    else if (a.ints_size())
      type = AP::INTS;
    else if (a.strings_size())
      type = AP::STRINGS;
  }
  switch (type) {
  case AP::FLOAT:
    node.attributes[a.name()] = a.f();
    break;
  case AP::INT:
    node.attributes[a.name()] = static_cast<int64_t>(a.i());
    break;
  case AP::STRING:
    node.attributes[a.name()] = a.s();
    break;
  case AP::FLOATS:
    node.attributes[a.name()] =
        std::vector<float>(a.floats().begin(), a.floats().end());
    break;
  case AP::INTS:
    node.attributes[a.name()] =
        std::vector<int64_t>(a.ints().begin(), a.ints().end());
    break;
  case AP::STRINGS:
    node.attributes[a.name()] =
        std::vector<std::string>(a.strings().begin(), a.strings().end());
    break;
  case AP::TENSOR: {
    Tensor t;
    Status st = convertTensor(*a.mutable_t(), t);
    if (!st)
      return st.withContext("attribute '" + a.name() + "' of node '" +
                            node.name + "'");
    node.attributes[a.name()] = std::move(t);
    break;
  }
  default:
    // Graphs, sparse tensors and type protos: no supported op takes one.
    break;
  }
  return Status::ok();
}

/// The opset version of the default domain, checked to be one we import.
StatusOr<int64_t> defaultOpset(const onnx::ModelProto &model) {
  int64_t version = -1;
  for (const onnx::OperatorSetIdProto &op : model.opset_import())
    if (op.domain().empty() || op.domain() == "ai.onnx")
      version = op.version();
  if (version < 0)
    return Status::error("the model imports no opset of the default ONNX "
                         "domain ('ai.onnx')");
  if (version < kMinOpsetVersion || version > kMaxOpsetVersion)
    return Status::error("unsupported opset version " +
                         std::to_string(version) +
                         " of the default ONNX domain (supported: " +
                         std::to_string(kMinOpsetVersion) + " to " +
                         std::to_string(kMaxOpsetVersion) + ")");
  return version;
}

/// Runs `fn`, turning anything it throws into an error prefixed by `what`.
template <typename Fn> Status guarded(const std::string &what, Fn &&fn) {
  try {
    fn();
  } catch (const std::exception &e) {
    return Status::error(what + ": " + oneLine(e.what()));
  } catch (...) {
    return Status::error(what + ": unknown exception");
  }
  return Status::ok();
}

/// ONNX 1.12 leaves the rank of Reshape, Expand and ConstantOfShape outputs
/// unknown when the values of the shape operand are, even when its length is
/// static, and everything downstream then stays unranked. This records the
/// rank such a length implies (all dims unknown) as value_info, so that the
/// next inference round continues from it. Returns whether it added any.
bool addRanksFromShapeLengths(onnx::GraphProto &graph) {
  std::map<std::string, const onnx::TensorProto *> initializers;
  for (const onnx::TensorProto &t : graph.initializer())
    initializers[t.name()] = &t;
  std::map<std::string, const onnx::TypeProto *> types;
  for (const onnx::ValueInfoProto &vi : graph.input())
    types[vi.name()] = &vi.type();
  for (const onnx::ValueInfoProto &vi : graph.value_info())
    types[vi.name()] = &vi.type();
  for (const onnx::ValueInfoProto &vi : graph.output())
    types[vi.name()] = &vi.type();
  // Whether the rank of `name` is known; its dims (-1 when unknown) go to
  // `dims`.
  auto shapeOf = [&](const std::string &name,
                     std::vector<int64_t> &dims) -> bool {
    dims.clear();
    if (auto it = initializers.find(name); it != initializers.end()) {
      dims.assign(it->second->dims().begin(), it->second->dims().end());
      return true;
    }
    auto it = types.find(name);
    if (it == types.end() || !it->second->has_tensor_type() ||
        !it->second->tensor_type().has_shape())
      return false;
    for (const onnx::TensorShapeProto_Dimension &d :
         it->second->tensor_type().shape().dim())
      dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
    return true;
  };
  auto rankOf = [&](const std::string &name) -> int64_t {
    std::vector<int64_t> dims;
    return shapeOf(name, dims) ? int64_t(dims.size()) : -1;
  };
  auto staticLength = [&](const std::string &name) -> int64_t {
    std::vector<int64_t> dims;
    return shapeOf(name, dims) && dims.size() == 1 ? dims[0] : -1;
  };
  auto elemTypeOf = [&](const std::string &name) -> int32_t {
    if (auto it = initializers.find(name); it != initializers.end())
      return it->second->data_type();
    auto it = types.find(name);
    return it != types.end() && it->second->has_tensor_type()
               ? it->second->tensor_type().elem_type()
               : 0;
  };

  std::vector<std::pair<std::string, onnx::TypeProto>> added;
  for (const onnx::NodeProto &n : graph.node()) {
    if (!(n.domain().empty() || n.domain() == "ai.onnx") ||
        n.output_size() < 1 || rankOf(n.output(0)) >= 0)
      continue;
    bool constantOfShape = n.op_type() == "ConstantOfShape";
    // Ops whose result has their data input's rank whatever their run-time
    // parameters (ONNX infers nothing when starts/ends/repeats/pads are
    // computed, e.g. by torch's chunk()).
    bool keepsRank =
        n.op_type() == "Slice" || n.op_type() == "Tile" || n.op_type() == "Pad";
    if (!constantOfShape && !keepsRank && n.op_type() != "Reshape" &&
        n.op_type() != "Expand")
      continue;
    int shapeIndex = constantOfShape ? 0 : 1;
    if (n.input_size() <= shapeIndex)
      continue;
    int64_t rank =
        keepsRank ? rankOf(n.input(0)) : staticLength(n.input(shapeIndex));
    if (rank < 0)
      continue;
    int32_t elem = elemTypeOf(n.output(0));
    if (constantOfShape) {
      if (!elem) {
        elem = onnx::TensorProto::FLOAT;
        for (const onnx::AttributeProto &a : n.attribute())
          if (a.name() == "value" && a.has_t())
            elem = a.t().data_type();
      }
    } else {
      if (!elem)
        elem = elemTypeOf(n.input(0));
      if (n.op_type() == "Expand") {
        int64_t inputRank = rankOf(n.input(0));
        if (inputRank < 0)
          continue;
        rank = std::max(rank, inputRank);
      }
    }
    if (!elem)
      continue;
    onnx::TypeProto type;
    type.mutable_tensor_type()->set_elem_type(elem);
    onnx::TensorShapeProto *shape = type.mutable_tensor_type()->mutable_shape();
    for (int64_t i = 0; i < rank; ++i)
      shape->add_dim();
    added.emplace_back(n.output(0), std::move(type));
  }
  std::map<std::string, onnx::ValueInfoProto *> valueInfos;
  for (onnx::ValueInfoProto &vi : *graph.mutable_value_info())
    valueInfos[vi.name()] = &vi;
  for (auto &[name, type] : added) {
    onnx::ValueInfoProto *&vi = valueInfos[name];
    if (!vi) {
      vi = graph.add_value_info();
      vi->set_name(name);
    }
    *vi->mutable_type() = std::move(type);
  }
  return !added.empty();
}

Status readModel(const std::string &path, Graph &g, bool forceDynamic) {
  std::string bytes;
  DS_RETURN_IF_ERROR(readFile(path, bytes));
  if (bytes.size() > static_cast<size_t>(INT_MAX))
    return Status::error("'" + path +
                         "' is larger than 2 GiB; protobuf cannot parse it "
                         "(store the weights as external data)");
  onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return Status::error("cannot parse '" + path +
                         "' as an ONNX model (truncated or corrupt protobuf)");
  bytes.clear();
  bytes.shrink_to_fit();
  if (!model.has_graph())
    return Status::error("'" + path + "' holds no graph");

  StatusOr<int64_t> opset = defaultOpset(model);
  if (!opset)
    return opset.status();
  g.opsetVersion = *opset;
  g.irVersion = model.ir_version();
  g.producer = model.producer_name();
  if (!model.producer_version().empty())
    g.producer += " " + model.producer_version();

  fs::path modelDir = fs::path(path).parent_path();
  DS_RETURN_IF_ERROR(guarded("ONNX checker", [&] {
    onnx::checker::CheckerContext ctx;
    ctx.set_model_dir(modelDir.string());
    onnx::checker::check_model(model, ctx);
  }));

  onnx::GraphProto &graph = *model.mutable_graph();
  for (onnx::TensorProto &t : *graph.mutable_initializer())
    if (t.data_location() == onnx::TensorProto::EXTERNAL)
      DS_RETURN_IF_ERROR(loadExternalData(t, modelDir));
  for (onnx::NodeProto &n : *graph.mutable_node())
    for (onnx::AttributeProto &a : *n.mutable_attribute())
      if (a.has_t() && a.t().data_location() == onnx::TensorProto::EXTERNAL)
        DS_RETURN_IF_ERROR(loadExternalData(*a.mutable_t(), modelDir));
  if (graph.sparse_initializer_size())
    return Status::error("unsupported sparse initializer '" +
                         graph.sparse_initializer(0).values().name() + "'");

  if (forceDynamic) {
    std::set<std::string> initializers;
    for (const onnx::TensorProto &t : graph.initializer())
      initializers.insert(t.name());
    for (onnx::ValueInfoProto &vi : *graph.mutable_input()) {
      if (initializers.count(vi.name()) || !vi.type().has_tensor_type() ||
          !vi.type().tensor_type().has_shape())
        continue;
      auto *shape = vi.mutable_type()->mutable_tensor_type()->mutable_shape();
      for (int i = 0; i < shape->dim_size(); ++i) {
        onnx::TensorShapeProto::Dimension *d = shape->mutable_dim(i);
        if (d->has_dim_value())
          d->set_dim_param(vi.name() + "_d" + std::to_string(i));
      }
    }
    // Inferred intermediate shapes would keep the static sizes.
    graph.clear_value_info();
  }

  // Each round may give new ranks to downstream values; a chain of k such
  // ops needs k rounds.
  for (int round = 0; round < 16; ++round) {
    DS_RETURN_IF_ERROR(guarded("ONNX shape inference", [&] {
      onnx::ShapeInferenceOptions options(/*check_type_val=*/true,
                                          /*strict_mode_val=*/1,
                                          /*data_prop_val=*/true);
      onnx::shape_inference::InferShapes(
          model, onnx::OpSchemaRegistry::Instance(), options);
    }));
    if (!addRanksFromShapeLengths(graph))
      break;
  }

  // Types: declared inputs, inferred intermediates, declared outputs.
  for (const onnx::ValueInfoProto &vi : graph.input())
    recordType(g, vi);
  for (const onnx::ValueInfoProto &vi : graph.value_info())
    recordType(g, vi);
  for (const onnx::ValueInfoProto &vi : graph.output())
    recordType(g, vi);

  std::map<std::string, bool> isInitializer;
  for (onnx::TensorProto &tp : *graph.mutable_initializer()) {
    Tensor t;
    DS_RETURN_IF_ERROR(convertTensor(tp, t).withContext("initializer"));
    isInitializer[t.name] = true;
    ValueType vt;
    vt.dtype = t.dtype;
    vt.hasShape = true;
    for (int64_t d : t.dims)
      vt.dims.push_back(Dim{d, ""});
    g.valueTypes.emplace(t.name, std::move(vt));
    g.initializers.push_back(std::move(t));
  }
  for (const onnx::ValueInfoProto &vi : graph.input())
    if (!isInitializer.count(vi.name()))
      g.inputs.push_back({vi.name(), g.valueTypes[vi.name()]});
  for (const onnx::ValueInfoProto &vi : graph.output())
    g.outputs.push_back({vi.name(), g.valueTypes[vi.name()]});

  for (int i = 0; i < graph.node_size(); ++i) {
    onnx::NodeProto &n = *graph.mutable_node(i);
    Node node;
    node.opType = n.op_type();
    node.name =
        n.name().empty() ? n.op_type() + "_" + std::to_string(i) : n.name();
    node.domain = n.domain() == "ai.onnx" ? "" : n.domain();
    node.inputs.assign(n.input().begin(), n.input().end());
    node.outputs.assign(n.output().begin(), n.output().end());
    for (onnx::AttributeProto &a : *n.mutable_attribute())
      DS_RETURN_IF_ERROR(convertAttribute(a, node));
    g.nodes.push_back(std::move(node));
  }
  return Status::ok();
}

} // namespace

StatusOr<Graph> readOnnxModel(const std::string &path, bool forceDynamic) {
  Graph g;
  Status st;
  Status escaped = guarded("internal error while reading '" + path + "'",
                           [&] { st = readModel(path, g, forceDynamic); });
  if (!escaped)
    return escaped;
  if (!st)
    return st;
  return g;
}

StatusOr<Tensor> readTensorProtoFile(const std::string &path) {
  std::string bytes;
  DS_RETURN_IF_ERROR(readFile(path, bytes));
  if (bytes.size() > static_cast<size_t>(INT_MAX))
    return Status::error("'" + path + "' is larger than 2 GiB");
  onnx::TensorProto tp;
  if (!tp.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return Status::error("cannot parse '" + path +
                         "' as an ONNX TensorProto (truncated or corrupt)");
  Tensor t;
  Status st;
  Status escaped = guarded("internal error while reading '" + path + "'", [&] {
    if (tp.data_location() == onnx::TensorProto::EXTERNAL)
      st = loadExternalData(tp, fs::path(path).parent_path());
    if (st)
      st = convertTensor(tp, t);
  });
  if (!escaped)
    return escaped;
  if (!st)
    return st.withContext(path);
  return t;
}

} // namespace ds::importer
