//===- SafeTensors.cpp - memory-mapped safetensors files ------------------===//
//
// File mapping, atomic file writes, and the safetensors reader and writer.
// The reader accepts every file the official implementation writes and
// rejects, with a message naming the file and the tensor, anything it could
// not read safely.
//
//===----------------------------------------------------------------------===//

#include "runtime/SafeTensors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ds::runtime {

namespace {

using json = nlohmann::json;

std::string errnoText() { return std::strerror(errno); }

/// Closes a file descriptor on scope exit.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0)
      ::close(fd);
  }
};

/// write() until done, retrying on EINTR and short writes.
bool writeAll(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, std::min<size_t>(n, 1u << 30));
    if (w < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

} // namespace

//===----------------------------------------------------------------------===//
// MappedFile
//===----------------------------------------------------------------------===//

StatusOr<std::shared_ptr<MappedFile>>
MappedFile::open(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Status::error("cannot open '" + path + "': " + errnoText());
  FdCloser closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0)
    return Status::error("cannot stat '" + path + "': " + errnoText());
  if (!S_ISREG(st.st_mode))
    return Status::error("cannot map '" + path + "': not a regular file");
  std::shared_ptr<MappedFile> file(new MappedFile());
  file->filePath = path;
  file->len = static_cast<uint64_t>(st.st_size);
  if (file->len == 0) // mmap rejects empty mappings; an empty file is fine.
    return file;
  if (file->len > std::numeric_limits<size_t>::max())
    return Status::error("cannot map '" + path + "': file too large");
  void *p = ::mmap(nullptr, static_cast<size_t>(file->len), PROT_READ,
                   MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) {
    file->len = 0;
    return Status::error("cannot map '" + path + "': " + errnoText());
  }
  file->ptr = static_cast<const uint8_t *>(p);
  return file;
}

MappedFile::~MappedFile() {
  if (ptr)
    ::munmap(const_cast<uint8_t *>(ptr), static_cast<size_t>(len));
}

//===----------------------------------------------------------------------===//
// Atomic writes
//===----------------------------------------------------------------------===//

Status writeFileAtomically(const std::string &path,
                           const std::vector<std::string_view> &pieces) {
  // A name unique within the process (counter) and across processes (pid);
  // O_EXCL guards against leftovers. open() applies the umask, as for any
  // new file, which mkstemp()'s 0600 would not.
  static std::atomic<uint64_t> counter{0};
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    tmp = path + ".tmp." + std::to_string(::getpid()) + "." +
          std::to_string(counter.fetch_add(1));
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST)
      break;
  }
  if (fd < 0)
    return Status::error("cannot create '" + tmp + "': " + errnoText());
  bool ok = true;
  std::string failure;
  for (std::string_view piece : pieces) {
    if (!writeAll(fd, piece.data(), piece.size())) {
      ok = false;
      failure = "cannot write '" + tmp + "': " + errnoText();
      break;
    }
  }
  if (ok && ::fsync(fd) != 0) {
    ok = false;
    failure = "cannot sync '" + tmp + "': " + errnoText();
  }
  if (::close(fd) != 0 && ok) {
    ok = false;
    failure = "cannot close '" + tmp + "': " + errnoText();
  }
  if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
    ok = false;
    failure = "cannot rename '" + tmp + "' to '" + path + "': " + errnoText();
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    return Status::error(failure);
  }
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

namespace {

constexpr const char *kMetadataKey = "__metadata__";

/// Reads a non-negative JSON integer; false for anything else.
bool readUnsigned(const json &j, uint64_t &out) {
  if (!j.is_number_unsigned())
    return false;
  out = j.get<uint64_t>();
  return true;
}

} // namespace

StatusOr<SafeTensorsFile> SafeTensorsFile::open(const std::string &path) {
  std::string prefix = "weights file '" + path + "'";
  auto fail = [&](const std::string &what) {
    return Status::error(prefix + ": " + what);
  };
  StatusOr<std::shared_ptr<MappedFile>> mapped = MappedFile::open(path);
  if (!mapped)
    return mapped.status();
  SafeTensorsFile st;
  st.file = *mapped;
  const uint8_t *data = st.file->data();
  uint64_t size = st.file->size();

  if (size < 8)
    return fail("too small for a safetensors file (" + std::to_string(size) +
                " bytes, the header length alone takes 8)");
  uint64_t headerLen = 0;
  for (int i = 0; i < 8; ++i)
    headerLen |= static_cast<uint64_t>(data[i]) << (8 * i);
  if (headerLen > size - 8)
    return fail("header length " + std::to_string(headerLen) +
                " exceeds the file size (" + std::to_string(size) +
                " bytes); not a safetensors file or truncated");
  const uint8_t *headerBegin = data + 8;
  const uint8_t *dataBegin = headerBegin + headerLen;
  uint64_t dataSize = size - 8 - headerLen;

  json header = json::parse(headerBegin, dataBegin, nullptr,
                            /*allow_exceptions=*/false);
  if (header.is_discarded())
    return fail("header is not valid JSON");
  if (!header.is_object())
    return fail("header is not a JSON object");

  // Tensors first, then check that the largest end offset is in the file, so
  // a truncated file says so instead of blaming one tensor.
  uint64_t dataEnd = 0;
  std::map<std::string, uint64_t> begins;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string &name = it.key();
    const json &v = it.value();
    if (name == kMetadataKey) {
      if (!v.is_object())
        return fail("__metadata__ is not a JSON object");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string())
          return fail("__metadata__ entry '" + m.key() + "' is not a string");
        st.meta[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    std::string where = "tensor '" + name + "'";
    if (!v.is_object())
      return fail(where + ": entry is not a JSON object");
    auto dt = v.find("dtype");
    if (dt == v.end() || !dt->is_string())
      return fail(where + ": missing or non-string 'dtype'");
    const std::string &dtName = dt->get_ref<const std::string &>();
    std::optional<DType> dtype = parseSafetensorsDType(dtName);
    if (!dtype)
      return fail(where + ": unsupported dtype '" + dtName + "'");

    SafeTensorEntry e;
    e.type.dtype = *dtype;
    auto shape = v.find("shape");
    if (shape == v.end() || !shape->is_array())
      return fail(where + ": missing or non-array 'shape'");
    for (const json &d : *shape) {
      uint64_t dim;
      if (!readUnsigned(d, dim) ||
          dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        return fail(where + ": shape entries must be non-negative integers");
      e.type.shape.push_back(static_cast<int64_t>(dim));
    }
    std::optional<uint64_t> byteSize = e.type.checkedByteSize();
    if (!byteSize)
      return fail(where + ": shape " + e.type.str() + " is too large");
    uint64_t bytes = *byteSize;
    auto offsets = v.find("data_offsets");
    uint64_t begin, end;
    if (offsets == v.end() || !offsets->is_array() || offsets->size() != 2 ||
        !readUnsigned((*offsets)[0], begin) ||
        !readUnsigned((*offsets)[1], end))
      return fail(where + ": 'data_offsets' must be two non-negative integers");
    if (begin > end)
      return fail(where + ": data_offsets [" + std::to_string(begin) + ", " +
                  std::to_string(end) + "] start after their end");
    if (end - begin != bytes)
      return fail(where + ": " + e.type.str() + " needs " +
                  std::to_string(bytes) + " bytes, but data_offsets [" +
                  std::to_string(begin) + ", " + std::to_string(end) +
                  "] hold " + std::to_string(end - begin));
    dataEnd = std::max(dataEnd, end);
    // Data pointers are set once every range is known to be in the file.
    e.byteSize = bytes;
    st.entries.emplace(name, e);
    begins[name] = begin;
  }
  if (dataEnd > dataSize)
    return Status::error(prefix + " is truncated: header says " +
                         std::to_string(dataEnd) + " bytes of data, file has " +
                         std::to_string(dataSize));
  for (auto &[name, e] : st.entries)
    e.data = dataBegin + begins[name];
  return st;
}

StatusOr<SafeTensorEntry> SafeTensorsFile::get(const std::string &name) const {
  auto it = entries.find(name);
  if (it == entries.end())
    return Status::error("weights file '" + path() + "': no tensor named '" +
                         name + "'");
  return it->second;
}

StatusOr<SafeTensorEntry>
SafeTensorsFile::getChecked(const std::string &name,
                            const TensorType &expected) const {
  StatusOr<SafeTensorEntry> e = get(name);
  if (!e)
    return e;
  if (e->type != expected)
    return Status::error("weights file '" + path() + "': tensor '" + name +
                         "' is " + e->type.str() + ", expected " +
                         expected.str());
  return e;
}

std::vector<std::string> SafeTensorsFile::names() const {
  std::vector<std::string> out;
  out.reserve(entries.size());
  for (const auto &entry : entries)
    out.push_back(entry.first);
  return out;
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

Status writeSafeTensors(const std::string &path,
                        const std::vector<SafeTensorToWrite> &tensors,
                        const std::map<std::string, std::string> &metadata) {
  std::string prefix = "cannot write weights file '" + path + "'";
  // Data order: decreasing element size, then name. Packed without gaps, as
  // the official reader requires, this keeps each tensor aligned to its
  // element size.
  std::vector<const SafeTensorToWrite *> order;
  for (const SafeTensorToWrite &t : tensors) {
    if (t.name == kMetadataKey)
      return Status::error(prefix + ": '__metadata__' is reserved");
    if (!t.type.checkedByteSize())
      return Status::error(prefix + ": tensor '" + t.name +
                           "' has an invalid type " + t.type.str());
    if (!t.data && t.type.byteSize() != 0)
      return Status::error(prefix + ": tensor '" + t.name + "' has no data");
    order.push_back(&t);
  }
  std::sort(order.begin(), order.end(),
            [](const SafeTensorToWrite *a, const SafeTensorToWrite *b) {
              size_t sa = dtypeSize(a->type.dtype);
              size_t sb = dtypeSize(b->type.dtype);
              return sa != sb ? sa > sb : a->name < b->name;
            });

  // std::map-backed json: keys come out sorted, whatever the insertion order.
  json header = json::object();
  if (!metadata.empty()) {
    json meta = json::object();
    for (const auto &[k, v] : metadata)
      meta[k] = v;
    header[kMetadataKey] = std::move(meta);
  }
  uint64_t offset = 0;
  for (const SafeTensorToWrite *t : order) {
    if (header.contains(t->name))
      return Status::error(prefix + ": duplicate tensor '" + t->name + "'");
    uint64_t n = t->type.byteSize();
    json entry = json::object();
    entry["dtype"] = dtypeSafetensorsName(t->type.dtype);
    entry["shape"] = t->type.shape;
    entry["data_offsets"] = {offset, offset + n};
    header[t->name] = std::move(entry);
    offset += n;
  }
  std::string text =
      header.dump(-1, ' ', false, json::error_handler_t::replace);
  text.resize((text.size() + 7) / 8 * 8, ' ');

  std::string lenBytes(8, '\0');
  for (int i = 0; i < 8; ++i)
    lenBytes[i] =
        static_cast<char>(static_cast<uint64_t>(text.size()) >> (8 * i));
  std::vector<std::string_view> pieces = {lenBytes, text};
  for (const SafeTensorToWrite *t : order)
    pieces.emplace_back(static_cast<const char *>(t->data),
                        static_cast<size_t>(t->type.byteSize()));
  return writeFileAtomically(path, pieces).withContext(prefix);
}

} // namespace ds::runtime
