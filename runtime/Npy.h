//===- Npy.h - numpy .npy tensors -------------------------------*- C++ -*-===//

#ifndef DS_RUNTIME_NPY_H
#define DS_RUNTIME_NPY_H

#include "runtime/DType.h"
#include "runtime/Status.h"

#include <string>
#include <vector>

namespace ds::runtime {

/// A host tensor owning its bytes (row-major, little-endian).
struct HostTensor {
  TensorType type;
  std::vector<uint8_t> bytes;

  HostTensor() = default;
  explicit HostTensor(TensorType t) : type(std::move(t)) {
    bytes.resize(type.byteSize());
  }
  template <typename T> T *data() {
    return reinterpret_cast<T *>(bytes.data());
  }
  template <typename T> const T *data() const {
    return reinterpret_cast<const T *>(bytes.data());
  }
  /// Element i converted to double (any dtype); NaN when i is out of range.
  double getAsDouble(int64_t i) const;
};

/// Reads a .npy file (format 1.0/2.0/3.0, C order, little-endian; dtypes
/// <f4 <f2 <f8 <i8 <i4 |b1 |i1 |u1). Errors name the file and the problem.
StatusOr<HostTensor> readNpy(const std::string &path);
/// Writes a .npy file (format 1.0). bf16 is written as <f4 (numpy has none).
Status writeNpy(const std::string &path, const HostTensor &tensor);

} // namespace ds::runtime

#endif // DS_RUNTIME_NPY_H
