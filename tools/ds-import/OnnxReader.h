//===- OnnxReader.h - ONNX model files to a plain graph ---------*- C++ -*-===//
//
// Reads an ONNX model with the ONNX library (protobuf parse, checker, shape
// inference, external data) into plain C++ structs. No protobuf or MLIR type
// appears here: libonnx throws, so the reader is built with exceptions and
// RTTI, and the importer (built like LLVM, without them) sees only this
// header. Every exception is caught and returned as a Status naming the node.
//
//===----------------------------------------------------------------------===//

#ifndef DS_TOOLS_DSIMPORT_ONNXREADER_H
#define DS_TOOLS_DSIMPORT_ONNXREADER_H

#include "runtime/Status.h"

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace ds::importer {

/// ONNX element types, numbered as `TensorProto.DataType`.
enum class OnnxDType : int32_t {
  Undefined = 0,
  Float = 1,
  UInt8 = 2,
  Int8 = 3,
  UInt16 = 4,
  Int16 = 5,
  Int32 = 6,
  Int64 = 7,
  String = 8,
  Bool = 9,
  Float16 = 10,
  Double = 11,
  UInt32 = 12,
  UInt64 = 13,
  Complex64 = 14,
  Complex128 = 15,
  BFloat16 = 16,
};

/// ONNX's lower-case name of an element type ("float", "int8", "bfloat16").
const char *onnxDTypeName(OnnxDType t);
/// Bytes per element; 0 for strings and unknown types.
size_t onnxDTypeSize(OnnxDType t);

/// The lowest and highest opset version of the default domain we import.
constexpr int64_t kMinOpsetVersion = 7;
constexpr int64_t kMaxOpsetVersion = 17;

/// A dense tensor: row-major, little-endian bytes (bool one byte per
/// element; strings are not stored).
struct Tensor {
  std::string name;
  OnnxDType dtype = OnnxDType::Undefined;
  std::vector<int64_t> dims;
  std::string bytes;

  int64_t numElements() const {
    int64_t n = 1;
    for (int64_t d : dims)
      n *= d;
    return n;
  }
};

/// One dimension: static (`value >= 0`) or dynamic, then named by `param`
/// when the model gives a `dim_param` ("batch"), or unnamed.
struct Dim {
  int64_t value = -1;
  std::string param;

  bool isStatic() const { return value >= 0; }
};

/// The type of a value. `isTensor` is false for sequences, maps and
/// optionals; `hasShape` is false when the rank is unknown.
struct ValueType {
  bool isTensor = true;
  OnnxDType dtype = OnnxDType::Undefined;
  bool hasShape = false;
  std::vector<Dim> dims;
};

/// A graph input or output.
struct ValueInfo {
  std::string name;
  ValueType type;
};

/// A node attribute. Graph-valued and sparse attributes are not kept (no
/// supported op has one).
using AttributeValue =
    std::variant<int64_t, float, std::string, std::vector<int64_t>,
                 std::vector<float>, std::vector<std::string>, Tensor>;

struct Node {
  /// The node's name, or "<op_type>_<index>" when the model gives none.
  std::string name;
  std::string opType;
  std::string domain;               ///< "" for the default domain
  std::vector<std::string> inputs;  ///< "" marks an absent optional input
  std::vector<std::string> outputs; ///< "" marks an absent optional output
  std::map<std::string, AttributeValue> attributes;

  /// The attribute `name` if present with type T, else nullptr.
  template <typename T> const T *getAttr(const std::string &attrName) const {
    auto it = attributes.find(attrName);
    return it == attributes.end() ? nullptr : std::get_if<T>(&it->second);
  }
};

/// A checked, shape-inferred ONNX graph.
struct Graph {
  /// Opset version of the default domain.
  int64_t opsetVersion = 0;
  int64_t irVersion = 0;
  std::string producer;
  /// Graph inputs that are not initializers, in order.
  std::vector<ValueInfo> inputs;
  std::vector<ValueInfo> outputs;
  /// Type of every value known to the model or to shape inference.
  std::map<std::string, ValueType> valueTypes;
  /// Nodes in (topological) model order.
  std::vector<Node> nodes;
  /// Initializers with their bytes (external data loaded).
  std::vector<Tensor> initializers;
};

/// Reads, checks and shape-infers the model at `path` (external data is
/// resolved relative to the model's folder). Errors name the file and, where
/// the ONNX library reports one, the node.
/// With `forceDynamic`, every dim of every graph input (initializers
/// excepted) is made symbolic before shape inference, named
/// `<input>_d<index>` unless it already has a dim_param (as ONNX-MLIR's
/// IMPORTER_FORCE_DYNAMIC); ds-static-shapes binds them back.
runtime::StatusOr<Graph> readOnnxModel(const std::string &path,
                                       bool forceDynamic = false);

/// Reads a serialized TensorProto (the `.pb` files of the ONNX test data).
runtime::StatusOr<Tensor> readTensorProtoFile(const std::string &path);

} // namespace ds::importer

#endif // DS_TOOLS_DSIMPORT_ONNXREADER_H
