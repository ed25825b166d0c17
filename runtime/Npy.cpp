//===- Npy.cpp - numpy .npy tensors ---------------------------------------===//
//
// Reader and writer for numpy's .npy format (NEP 1): magic "\x93NUMPY", a
// version, a little-endian header length, a Python dict literal
// {'descr': ..., 'fortran_order': ..., 'shape': (...)}, then the raw data.
// The writer lays headers out exactly as numpy.save does.
//
//===----------------------------------------------------------------------===//

#include "runtime/Npy.h"
#include "runtime/SafeTensors.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace ds::runtime {

namespace {

constexpr char kNpyMagic[] = "\x93NUMPY";
constexpr size_t kNpyMagicLen = 6;
/// numpy aligns the start of the data to this many bytes.
constexpr size_t kNpyAlign = 64;

/// numpy descr strings of the dtypes we read and write.
struct NpyType {
  DType dtype;
  const char *descr;
};
constexpr NpyType kNpyTypes[] = {
    {DType::F32, "<f4"}, {DType::F16, "<f2"}, {DType::F64, "<f8"},
    {DType::I64, "<i8"}, {DType::I32, "<i4"}, {DType::I1, "|b1"},
    {DType::I8, "|i1"},  {DType::U8, "|u1"},
};

/// One value of the header dict: a string, a bool, a tuple of integers, or
/// something else we only skip (a structured dtype's list).
struct PyValue {
  enum class Kind { Str, Bool, Tuple, Other } kind = Kind::Str;
  std::string str;
  bool boolean = false;
  std::vector<int64_t> ints;
};

/// Recursive-descent parser for the small subset of Python literals numpy
/// writes into .npy headers.
class PyDictParser {
public:
  explicit PyDictParser(std::string_view text) : text(text) {}

  /// Parses `{key: value, ...}`; `error` says what went wrong on failure.
  bool parse(std::vector<std::pair<std::string, PyValue>> &out) {
    skipSpace();
    if (!consume('{'))
      return failAt("expected '{'");
    while (true) {
      skipSpace();
      if (consume('}'))
        break;
      std::string key;
      if (!parseString(key))
        return failAt("expected a quoted key");
      skipSpace();
      if (!consume(':'))
        return failAt("expected ':'");
      skipSpace();
      PyValue value;
      if (!parseValue(value))
        return false;
      out.emplace_back(std::move(key), std::move(value));
      skipSpace();
      if (consume(','))
        continue;
      skipSpace();
      if (!consume('}'))
        return failAt("expected ',' or '}'");
      break;
    }
    skipSpace();
    if (pos != text.size())
      return failAt("unexpected text after the dict");
    return true;
  }

  std::string error;

private:
  bool failAt(const std::string &what) {
    error = what + " at offset " + std::to_string(pos);
    return false;
  }
  void skipSpace() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' ||
                                 text[pos] == '\n' || text[pos] == '\r'))
      ++pos;
  }
  bool consume(char c) {
    if (pos < text.size() && text[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }
  bool consumeWord(std::string_view w) {
    if (text.substr(pos, w.size()) != w)
      return false;
    pos += w.size();
    return true;
  }
  bool parseString(std::string &out) {
    if (pos >= text.size() || (text[pos] != '\'' && text[pos] != '"'))
      return false;
    char quote = text[pos++];
    size_t end = text.find(quote, pos);
    if (end == std::string_view::npos)
      return false;
    out = std::string(text.substr(pos, end - pos));
    pos = end + 1;
    return true;
  }
  bool parseInt(int64_t &out) {
    size_t start = pos;
    uint64_t v = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      uint64_t digit = static_cast<uint64_t>(text[pos] - '0');
      if (v >
          (static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - digit) /
              10)
        return failAt("integer too large");
      v = v * 10 + digit;
      ++pos;
    }
    if (pos == start)
      return failAt("expected a non-negative integer");
    consume('L'); // Python 2 long suffix in old files.
    out = static_cast<int64_t>(v);
    return true;
  }
  /// Skips a bracketed value (quotes respected); the value becomes Other.
  bool skipBalanced(PyValue &v) {
    v.kind = PyValue::Kind::Other;
    int depth = 0;
    while (pos < text.size()) {
      char c = text[pos];
      if (c == '\'' || c == '"') {
        std::string ignored;
        if (!parseString(ignored))
          return failAt("unterminated string");
        continue;
      }
      ++pos;
      if (c == '[' || c == '(')
        ++depth;
      else if ((c == ']' || c == ')') && --depth == 0)
        return true;
    }
    return failAt("unbalanced brackets");
  }
  bool parseValue(PyValue &v) {
    if (pos < text.size() && (text[pos] == '\'' || text[pos] == '"')) {
      v.kind = PyValue::Kind::Str;
      if (!parseString(v.str))
        return failAt("unterminated string");
      return true;
    }
    for (bool b : {true, false}) {
      if (consumeWord(b ? "True" : "False")) {
        v.kind = PyValue::Kind::Bool;
        v.boolean = b;
        return true;
      }
    }
    if (pos < text.size() && text[pos] == '[') // Structured dtype list.
      return skipBalanced(v);
    if (consume('(')) {
      char close = ')';
      v.kind = PyValue::Kind::Tuple;
      while (true) {
        skipSpace();
        if (consume(close))
          return true;
        int64_t x;
        if (!parseInt(x))
          return false;
        v.ints.push_back(x);
        skipSpace();
        if (consume(','))
          continue;
        skipSpace();
        if (!consume(close))
          return failAt(std::string("expected ',' or '") + close + "'");
        return true;
      }
    }
    return failAt("unsupported value");
  }

  std::string_view text;
  size_t pos = 0;
};

uint64_t loadLE(const uint8_t *p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

/// Maps a descr to a dtype, or explains why it cannot be read.
StatusOr<DType> parseDescr(const std::string &descr) {
  if (descr.size() >= 3 && descr[0] == '>' && descr.substr(2) != "1")
    return Status::error("big-endian data ('" + descr +
                         "') is not supported; convert with "
                         "arr.astype(arr.dtype.newbyteorder('<'))");
  for (const NpyType &t : kNpyTypes) {
    // One-byte types have no byte order: accept any order character.
    std::string_view want = t.descr;
    if (descr.size() == 3 && descr.substr(1) == want.substr(1) &&
        (descr[0] == want[0] || descr[0] == '=' ||
         (want[0] == '|' && (descr[0] == '<' || descr[0] == '>'))))
      return t.dtype;
  }
  return Status::error("unsupported dtype '" + descr +
                       "' (supported: <f4 <f2 <f8 <i8 <i4 |b1 |i1 |u1)");
}

const char *descrOf(DType t) {
  if (t == DType::BF16)
    return "<f4";
  for (const NpyType &n : kNpyTypes)
    if (n.dtype == t)
      return n.descr;
  return nullptr;
}

} // namespace

//===----------------------------------------------------------------------===//
// HostTensor
//===----------------------------------------------------------------------===//

double HostTensor::getAsDouble(int64_t i) const {
  size_t size = dtypeSize(type.dtype);
  if (i < 0 || size == 0 || static_cast<uint64_t>(i) >= bytes.size() / size)
    return std::numeric_limits<double>::quiet_NaN();
  const uint8_t *p = bytes.data() + static_cast<size_t>(i) * size;
  auto load = [p](auto v) {
    std::memcpy(&v, p, sizeof(v));
    return v;
  };
  switch (type.dtype) {
  case DType::F32:
    return load(float());
  case DType::F16:
    return halfToFloat(load(uint16_t()));
  case DType::BF16:
    return bf16ToFloat(load(uint16_t()));
  case DType::I64:
    return static_cast<double>(load(int64_t()));
  case DType::I32:
    return load(int32_t());
  case DType::I1:
    return load(uint8_t()) != 0 ? 1.0 : 0.0;
  case DType::I8:
    return load(int8_t());
  case DType::U8:
    return load(uint8_t());
  case DType::F64:
    return load(double());
  }
  return std::numeric_limits<double>::quiet_NaN();
}

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

StatusOr<HostTensor> readNpy(const std::string &path) {
  std::string prefix = "npy file '" + path + "'";
  auto fail = [&](const std::string &what) {
    return Status::error(prefix + ": " + what);
  };
  StatusOr<std::shared_ptr<MappedFile>> mapped = MappedFile::open(path);
  if (!mapped)
    return mapped.status();
  const uint8_t *data = (*mapped)->data();
  uint64_t size = (*mapped)->size();

  if (size < kNpyMagicLen || std::memcmp(data, kNpyMagic, kNpyMagicLen))
    return fail("not a .npy file (bad magic)");
  if (size < 10)
    return fail("truncated header");
  uint8_t major = data[6], minor = data[7];
  uint64_t headerStart, headerLen;
  if (major == 1) {
    headerLen = loadLE(data + 8, 2);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12)
      return fail("truncated header");
    headerLen = loadLE(data + 8, 4);
    headerStart = 12;
  } else {
    return fail("unsupported .npy format version " + std::to_string(major) +
                "." + std::to_string(minor));
  }
  if (headerLen > size - headerStart)
    return fail("truncated header: header length " + std::to_string(headerLen) +
                " exceeds the file");

  std::string_view headerText(
      reinterpret_cast<const char *>(data) + headerStart, headerLen);
  std::vector<std::pair<std::string, PyValue>> dict;
  PyDictParser parser(headerText);
  if (!parser.parse(dict))
    return fail("malformed header: " + parser.error);
  const PyValue *descr = nullptr, *fortran = nullptr, *shape = nullptr;
  for (const auto &[key, value] : dict) {
    if (key == "descr")
      descr = &value;
    else if (key == "fortran_order")
      fortran = &value;
    else if (key == "shape")
      shape = &value;
  }
  if (!descr || !fortran || !shape)
    return fail("malformed header: needs 'descr', 'fortran_order' and "
                "'shape'");
  if (descr->kind != PyValue::Kind::Str)
    return fail("structured dtypes are not supported");
  if (fortran->kind != PyValue::Kind::Bool)
    return fail("malformed header: 'fortran_order' is not True or False");
  if (fortran->boolean)
    return fail("fortran_order=True arrays are not supported; save a "
                "C-contiguous array (np.ascontiguousarray)");
  if (shape->kind != PyValue::Kind::Tuple)
    return fail("malformed header: 'shape' is not a tuple");
  StatusOr<DType> dtype = parseDescr(descr->str);
  if (!dtype)
    return dtype.status().withContext(prefix);

  TensorType type;
  type.dtype = *dtype;
  type.shape = shape->ints;
  std::optional<uint64_t> byteSize = type.checkedByteSize();
  if (!byteSize)
    return fail("shape " + type.str() + " is too large");
  uint64_t expected = *byteSize;
  uint64_t dataOffset = headerStart + headerLen;
  uint64_t available = size - dataOffset;
  if (available < expected)
    return Status::error(prefix + " is truncated: header says " +
                         std::to_string(expected) + " bytes of data (" +
                         type.str() + "), file has " +
                         std::to_string(available));
  if (available > expected)
    return fail("has " + std::to_string(available) +
                " bytes of data, but the header (" + type.str() + ") says " +
                std::to_string(expected));
  HostTensor tensor(type); // Bounded by the file size checked above.
  if (expected)
    std::memcpy(tensor.bytes.data(), data + dataOffset, expected);
  return tensor;
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

Status writeNpy(const std::string &path, const HostTensor &tensor) {
  std::string prefix = "cannot write npy file '" + path + "'";
  const char *descr = descrOf(tensor.type.dtype);
  std::optional<uint64_t> byteSize = tensor.type.checkedByteSize();
  if (!descr || !byteSize)
    return Status::error(prefix + ": invalid type " + tensor.type.str());
  if (tensor.bytes.size() != *byteSize)
    return Status::error(prefix + ": " + tensor.type.str() + " needs " +
                         std::to_string(*byteSize) +
                         " bytes, the tensor holds " +
                         std::to_string(tensor.bytes.size()));

  // The dict exactly as numpy.save writes it (keys sorted, repr() values).
  std::string dict = "{'descr': '";
  dict += descr;
  dict += "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < tensor.type.shape.size(); ++i) {
    if (i)
      dict += ", ";
    dict += std::to_string(tensor.type.shape[i]);
  }
  if (tensor.type.shape.size() == 1)
    dict += ',';
  dict += "), }";

  // numpy pads with spaces and a final newline so the data starts aligned;
  // format 2.0 only when the header outgrows 1.0's 16-bit length.
  uint8_t major = 1;
  size_t lenBytes = 2;
  size_t hlen = dict.size() + 1;
  size_t padLen = kNpyAlign - (kNpyMagicLen + 2 + lenBytes + hlen) % kNpyAlign;
  if (hlen + padLen > 0xffff) {
    major = 2;
    lenBytes = 4;
    padLen = kNpyAlign - (kNpyMagicLen + 2 + lenBytes + hlen) % kNpyAlign;
  }
  std::string header(kNpyMagic, kNpyMagicLen);
  header += static_cast<char>(major);
  header += '\0';
  uint64_t total = hlen + padLen;
  for (size_t i = 0; i < lenBytes; ++i)
    header += static_cast<char>(total >> (8 * i));
  header += dict;
  header.append(padLen, ' ');
  header += '\n';

  std::string_view payload(reinterpret_cast<const char *>(tensor.bytes.data()),
                           tensor.bytes.size());
  std::vector<float> widened;
  if (tensor.type.dtype == DType::BF16) { // numpy has no bf16: write f32.
    widened.resize(static_cast<size_t>(tensor.type.numElements()));
    for (size_t i = 0; i < widened.size(); ++i)
      widened[i] = static_cast<float>(tensor.getAsDouble(i));
    payload = std::string_view(reinterpret_cast<const char *>(widened.data()),
                               widened.size() * sizeof(float));
  }
  return writeFileAtomically(path, {header, payload}).withContext(prefix);
}

} // namespace ds::runtime
