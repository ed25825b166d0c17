//===- SafeTensors.h - memory-mapped safetensors files ----------*- C++ -*-===//
//
// The weights file format: safetensors (8-byte little-endian header length,
// JSON header {"name": {"dtype", "shape", "data_offsets"}, "__metadata__"},
// then raw little-endian data). Files are memory-mapped and never copied whole.
//
//===----------------------------------------------------------------------===//

#ifndef DS_RUNTIME_SAFETENSORS_H
#define DS_RUNTIME_SAFETENSORS_H

#include "runtime/DType.h"
#include "runtime/Status.h"

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ds::runtime {

/// A read-only memory mapping of a whole file.
class MappedFile {
public:
  static StatusOr<std::shared_ptr<MappedFile>> open(const std::string &path);
  ~MappedFile();
  MappedFile(const MappedFile &) = delete;
  MappedFile &operator=(const MappedFile &) = delete;
  const uint8_t *data() const { return ptr; }
  uint64_t size() const { return len; }
  const std::string &path() const { return filePath; }

private:
  MappedFile() = default;
  const uint8_t *ptr = nullptr;
  uint64_t len = 0;
  std::string filePath;
};

/// Writes the concatenation of `pieces` to `path` atomically: the bytes go to
/// a new temporary file next to `path`, which then replaces `path` with
/// rename(). Readers see the old file or the whole new one, never a part.
Status writeFileAtomically(const std::string &path,
                           const std::vector<std::string_view> &pieces);

/// One tensor of a safetensors file.
struct SafeTensorEntry {
  TensorType type;
  const uint8_t *data = nullptr; ///< into the mapping
  uint64_t byteSize = 0;
};

/// A parsed, mapped safetensors file.
class SafeTensorsFile {
public:
  /// Maps and validates the header: JSON syntax, known dtypes, offsets inside
  /// the file and consistent with dtype*shape. Errors name the file and tensor.
  static StatusOr<SafeTensorsFile> open(const std::string &path);

  /// Looks a tensor up; a missing name is an error naming it and the file.
  StatusOr<SafeTensorEntry> get(const std::string &name) const;
  /// Like get(), and checks dtype and shape; a mismatch names both types.
  StatusOr<SafeTensorEntry> getChecked(const std::string &name,
                                       const TensorType &expected) const;
  /// Tensor names in sorted order.
  std::vector<std::string> names() const;
  const std::map<std::string, std::string> &metadata() const { return meta; }
  const std::string &path() const { return file->path(); }

private:
  std::shared_ptr<MappedFile> file;
  std::map<std::string, SafeTensorEntry> entries;
  std::map<std::string, std::string> meta;
};

/// A tensor to write.
struct SafeTensorToWrite {
  std::string name;
  TensorType type;
  const void *data = nullptr; ///< type.byteSize() bytes
};

/// Writes a safetensors file the official readers accept: header keys sorted
/// by name, header padded with spaces so the data starts 8-byte aligned, data
/// packed without gaps (as the official loader requires) in order of
/// decreasing element size, then name, so every tensor is aligned to its
/// element size. Deterministic. Fails on duplicate or reserved names.
Status
writeSafeTensors(const std::string &path,
                 const std::vector<SafeTensorToWrite> &tensors,
                 const std::map<std::string, std::string> &metadata = {});

} // namespace ds::runtime

#endif // DS_RUNTIME_SAFETENSORS_H
