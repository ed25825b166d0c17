//===- Artifact.cpp - ds compiled artifact (.dsa) -------------------------===//
//
// Serialization and validation of the .dsa artifact. The layout is documented
// in docs/design/artifact-format.md; keep the two in sync. Parsing treats the
// bytes as hostile: every field is range-checked before use and every error
// comes back as a Status, never as an exception or a crash.
//
//===----------------------------------------------------------------------===//

#include "runtime/Artifact.h"
#include "runtime/SafeTensors.h"

#include <nlohmann/json.hpp>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <tuple>

namespace ds::runtime {

namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

//===----------------------------------------------------------------------===//
// Header layout
//===----------------------------------------------------------------------===//

constexpr char kMagic[8] = {'D', 'S', 'A', 'R', 'T', 'I', 'F', '\0'};
constexpr uint64_t kHeaderSize = 128;
constexpr uint64_t kBlobAlign = 64;
constexpr uint64_t kWeightsAlign = 4096;

/// Byte offsets of the header fields. Bytes [kReservedBegin, kHeaderCrcField)
/// are reserved and must be zero.
enum HeaderField : size_t {
  kMagicField = 0,
  kVersionField = 8,
  kFlagsField = 12,
  kFileSizeField = 16,
  kManifestOffsetField = 24,
  kManifestSizeField = 32,
  kBlobOffsetField = 40,
  kBlobSizeField = 48,
  kWeightsOffsetField = 56,
  kWeightsSizeField = 64,
  kMetaCrcField = 72,
  kWeightsCrcField = 76,
  kReservedBegin = 80,
  kHeaderCrcField = 124,
};

uint64_t alignUp(uint64_t x, uint64_t align) {
  return (x + align - 1) / align * align;
}

void storeLE(uint8_t *p, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i)
    p[i] = static_cast<uint8_t>(v >> (8 * i));
}

uint64_t loadLE(const uint8_t *p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

/// zlib crc32 over any length (zlib takes 32-bit lengths).
uint32_t crc32Of(const uint8_t *p, uint64_t n) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (n > 0) {
    uInt chunk = static_cast<uInt>(std::min<uint64_t>(n, 1u << 30));
    crc = crc32(crc, p, chunk);
    p += chunk;
    n -= chunk;
  }
  return static_cast<uint32_t>(crc);
}

//===----------------------------------------------------------------------===//
// Enum spellings
//===----------------------------------------------------------------------===//

constexpr const char *kKindNames[] = {"input",  "output",   "intermediate",
                                      "weight", "constant", "view"};
constexpr size_t kNumKinds = sizeof(kKindNames) / sizeof(kKindNames[0]);

bool isValidKind(BufferDesc::Kind k) {
  return static_cast<size_t>(k) < kNumKinds;
}

const char *kindName(BufferDesc::Kind k) {
  return isValidKind(k) ? kKindNames[static_cast<size_t>(k)] : "<invalid>";
}

bool livesInArena(BufferDesc::Kind k) {
  return k == BufferDesc::Kind::Input || k == BufferDesc::Kind::Output ||
         k == BufferDesc::Kind::Intermediate;
}

//===----------------------------------------------------------------------===//
// Manifest writing
//===----------------------------------------------------------------------===//

/// JSON has no NaN or infinity; those travel as strings.
ordered_json encodeDouble(double d) {
  if (std::isnan(d))
    return "nan";
  if (std::isinf(d))
    return d > 0 ? "inf" : "-inf";
  return d;
}

/// Appends byte blobs, each at a kBlobAlign-aligned offset.
class BlobWriter {
public:
  ordered_json add(const std::string &bytes) {
    data.resize(alignUp(data.size(), kBlobAlign), '\0');
    ordered_json ref = ordered_json::object();
    ref["offset"] = static_cast<uint64_t>(data.size());
    ref["size"] = static_cast<uint64_t>(bytes.size());
    data += bytes;
    return ref;
  }
  const std::string &bytes() const { return data; }

private:
  std::string data;
};

ordered_json writeManifest(const Artifact &a, BlobWriter &blobs) {
  ordered_json m = ordered_json::object();
  m["producer"] = a.producer;
  m["arena_bytes"] = a.arenaBytes;
  ordered_json plan = ordered_json::object();
  plan["heuristic"] = a.plan.heuristic;
  plan["lower_bound_bytes"] = a.plan.lowerBoundBytes;
  plan["no_reuse_bytes"] = a.plan.noReuseBytes;
  plan["in_place"] = a.plan.inPlace;
  plan["device_budget_bytes"] = a.plan.deviceBudgetBytes;
  plan["resident_weight_bytes"] = a.plan.residentWeightBytes;
  plan["staging_slots"] = a.plan.stagingSlots;
  plan["staging_slot_bytes"] = a.plan.stagingSlotBytes;
  plan["streamed_bytes"] = a.plan.streamedBytesPerInference;
  plan["predicted_host_link_ns"] = a.plan.predictedHostLinkNs;
  plan["predicted_hbm_ns"] = a.plan.predictedHbmNs;
  m["memory_plan"] = std::move(plan);

  ordered_json buffers = ordered_json::array();
  for (const BufferDesc &b : a.buffers) {
    ordered_json jb = ordered_json::object();
    jb["kind"] = kindName(b.kind);
    jb["name"] = b.name;
    jb["dtype"] = dtypeName(b.type.dtype);
    jb["shape"] = b.type.shape;
    if (b.kind == BufferDesc::Kind::View)
      jb["alias_of"] = b.aliasOf;
    else
      jb["offset"] = b.offset;
    if (b.kind == BufferDesc::Kind::Weight)
      jb["placement"] = b.streamed ? "host" : "device";
    buffers.push_back(std::move(jb));
  }
  m["buffers"] = std::move(buffers);

  ordered_json signature = ordered_json::object();
  signature["inputs"] = a.inputs;
  signature["outputs"] = a.outputs;
  ordered_json buckets = ordered_json::array();
  for (const BucketVariant &v : a.buckets) {
    ordered_json jv = ordered_json::object();
    jv["name"] = v.name;
    ordered_json dims = ordered_json::object();
    for (const auto &[name, size] : v.dims) // std::map: sorted, stable.
      dims[name] = size;
    jv["dims"] = std::move(dims);
    jv["inputs"] = v.inputs;
    jv["outputs"] = v.outputs;
    jv["launches"] = {v.firstLaunch, v.numLaunches};
    jv["reference"] = {v.firstReference, v.numReferences};
    jv["arena_bytes"] = v.arenaBytes;
    buckets.push_back(std::move(jv));
  }
  signature["buckets"] = std::move(buckets);
  if (!a.buckets.empty()) {
    signature["input_axes"] = a.inputBucketAxes;
    signature["output_axes"] = a.outputBucketAxes;
  }
  m["signature"] = std::move(signature);

  ordered_json kernels = ordered_json::array();
  for (const KernelDesc &k : a.kernels) {
    ordered_json jk = ordered_json::object();
    jk["name"] = k.name;
    jk["source"] = blobs.add(k.source);
    ordered_json bins = ordered_json::array();
    for (const KernelBinary &bin : k.binaries) {
      ordered_json jbin = ordered_json::object();
      jbin["target"] = bin.target;
      ordered_json ref = blobs.add(bin.data);
      jbin["offset"] = ref["offset"];
      jbin["size"] = ref["size"];
      jbin["registers"] = bin.registers;
      jbin["spill_store_bytes"] = bin.spillStoreBytes;
      jbin["spill_load_bytes"] = bin.spillLoadBytes;
      jbin["shared_bytes"] = bin.sharedBytes;
      bins.push_back(std::move(jbin));
    }
    jk["binaries"] = std::move(bins);
    kernels.push_back(std::move(jk));
  }
  m["kernels"] = std::move(kernels);

  ordered_json launches = ordered_json::array();
  for (const LaunchDesc &l : a.launches) {
    ordered_json jl = ordered_json::object();
    jl["kernel"] = l.kernel;
    jl["grid"] = {l.grid[0], l.grid[1], l.grid[2]};
    jl["block"] = {l.block[0], l.block[1], l.block[2]};
    jl["dynamic_shared_bytes"] = l.dynamicSharedBytes;
    jl["args"] = l.args;
    ordered_json stage = ordered_json::array();
    for (const StageCopy &c : l.stage)
      stage.push_back(
          {{"buffer", c.buffer}, {"slot", c.slot}, {"offset", c.offset}});
    jl["stage"] = std::move(stage);
    launches.push_back(std::move(jl));
  }
  m["launches"] = std::move(launches);

  ordered_json reference = ordered_json::array();
  for (const RefOp &op : a.reference) {
    ordered_json jo = ordered_json::object();
    jo["op"] = op.op;
    jo["operands"] = op.operands;
    jo["results"] = op.results;
    ordered_json attrs = ordered_json::object();
    for (const auto &[name, attr] : op.attrs) { // std::map: sorted, stable.
      ordered_json ja = ordered_json::object();
      if (!attr.ints.empty())
        ja["ints"] = attr.ints;
      if (!attr.floats.empty()) {
        ordered_json floats = ordered_json::array();
        for (double d : attr.floats)
          floats.push_back(encodeDouble(d));
        ja["floats"] = std::move(floats);
      }
      if (!attr.str.empty())
        ja["str"] = attr.str;
      attrs[name] = std::move(ja);
    }
    jo["attrs"] = std::move(attrs);
    jo["location"] = op.location;
    reference.push_back(std::move(jo));
  }
  m["reference"] = std::move(reference);

  if (!a.hostModule.empty())
    m["host_module"] = blobs.add(a.hostModule);
  return m;
}

//===----------------------------------------------------------------------===//
// Manifest reading
//===----------------------------------------------------------------------===//

/// Reads typed fields out of the parsed manifest. Every accessor checks the
/// JSON type and range first, so no nlohmann call below can throw; failures
/// name the JSON path ("buffers[3].shape[1]").
class ManifestReader {
public:
  ManifestReader(const uint8_t *blobData, uint64_t blobSize)
      : blobData(blobData), blobSize(blobSize) {}

  Status read(const json &m, Artifact &a);

private:
  static Status fail(const std::string &where, const std::string &what) {
    return Status::error("malformed artifact manifest: " +
                         (where.empty() ? what : where + ": " + what));
  }
  static std::string at(const std::string &where, const char *key) {
    return where.empty() ? std::string(key) : where + "." + key;
  }
  static std::string at(const std::string &where, size_t index) {
    return where + "[" + std::to_string(index) + "]";
  }

  /// Finds `key` in object `obj`; fails when it is missing.
  static Status field(const json &obj, const char *key,
                      const std::string &where, const json *&out) {
    auto it = obj.find(key);
    if (it == obj.end())
      return fail(where, std::string("missing field '") + key + "'");
    out = &*it;
    return Status::ok();
  }

  static Status object(const json &j, const std::string &where) {
    return j.is_object() ? Status::ok() : fail(where, "expected an object");
  }

  static Status unsignedValue(const json &j, const std::string &where,
                              uint64_t max, uint64_t &out) {
    if (!j.is_number_integer() ||
        (!j.is_number_unsigned() && j.get<int64_t>() < 0))
      return fail(where, "expected a non-negative integer");
    out = j.get<uint64_t>();
    if (out > max)
      return fail(where, "value " + std::to_string(out) + " exceeds " +
                             std::to_string(max));
    return Status::ok();
  }

  static Status signedValue(const json &j, const std::string &where,
                            int64_t min, int64_t max, int64_t &out) {
    if (!j.is_number_integer())
      return fail(where, "expected an integer");
    if (j.is_number_unsigned() &&
        j.get<uint64_t>() >
            static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return fail(where, "integer out of range");
    out = j.get<int64_t>();
    if (out < min || out > max)
      return fail(where, "value " + std::to_string(out) + " out of range [" +
                             std::to_string(min) + ", " + std::to_string(max) +
                             "]");
    return Status::ok();
  }

  static Status u64Field(const json &obj, const char *key,
                         const std::string &where, uint64_t &out) {
    const json *j;
    DS_RETURN_IF_ERROR(field(obj, key, where, j));
    return unsignedValue(*j, at(where, key),
                         std::numeric_limits<uint64_t>::max(), out);
  }

  static Status u32Field(const json &obj, const char *key,
                         const std::string &where, uint32_t &out) {
    const json *j;
    DS_RETURN_IF_ERROR(field(obj, key, where, j));
    uint64_t v;
    DS_RETURN_IF_ERROR(unsignedValue(*j, at(where, key),
                                     std::numeric_limits<uint32_t>::max(), v));
    out = static_cast<uint32_t>(v);
    return Status::ok();
  }

  static Status i32Field(const json &obj, const char *key,
                         const std::string &where, int32_t &out) {
    const json *j;
    DS_RETURN_IF_ERROR(field(obj, key, where, j));
    int64_t v;
    DS_RETURN_IF_ERROR(signedValue(*j, at(where, key),
                                   std::numeric_limits<int32_t>::min(),
                                   std::numeric_limits<int32_t>::max(), v));
    out = static_cast<int32_t>(v);
    return Status::ok();
  }

  static Status stringField(const json &obj, const char *key,
                            const std::string &where, std::string &out) {
    const json *j;
    DS_RETURN_IF_ERROR(field(obj, key, where, j));
    if (!j->is_string())
      return fail(at(where, key), "expected a string");
    out = j->get_ref<const std::string &>();
    return Status::ok();
  }

  static Status arrayField(const json &obj, const char *key,
                           const std::string &where, const json *&out) {
    DS_RETURN_IF_ERROR(field(obj, key, where, out));
    if (!out->is_array())
      return fail(at(where, key), "expected an array");
    return Status::ok();
  }

  static Status u32ArrayField(const json &obj, const char *key,
                              const std::string &where,
                              std::vector<uint32_t> &out) {
    const json *arr;
    DS_RETURN_IF_ERROR(arrayField(obj, key, where, arr));
    out.clear();
    for (size_t i = 0; i < arr->size(); ++i) {
      uint64_t v;
      DS_RETURN_IF_ERROR(unsignedValue((*arr)[i], at(at(where, key), i),
                                       std::numeric_limits<uint32_t>::max(),
                                       v));
      out.push_back(static_cast<uint32_t>(v));
    }
    return Status::ok();
  }

  static Status i64ArrayField(const json &obj, const char *key,
                              const std::string &where, int64_t min,
                              std::vector<int64_t> &out) {
    const json *arr;
    DS_RETURN_IF_ERROR(arrayField(obj, key, where, arr));
    out.clear();
    for (size_t i = 0; i < arr->size(); ++i) {
      int64_t v;
      DS_RETURN_IF_ERROR(signedValue((*arr)[i], at(at(where, key), i), min,
                                     std::numeric_limits<int64_t>::max(), v));
      out.push_back(v);
    }
    return Status::ok();
  }

  static Status u32TripleField(const json &obj, const char *key,
                               const std::string &where, uint32_t (&out)[3]) {
    std::vector<uint32_t> v;
    DS_RETURN_IF_ERROR(u32ArrayField(obj, key, where, v));
    if (v.size() != 3)
      return fail(at(where, key), "expected 3 integers");
    for (int i = 0; i < 3; ++i)
      out[i] = v[i];
    return Status::ok();
  }

  static Status doubleValue(const json &j, const std::string &where,
                            double &out) {
    if (j.is_number()) {
      out = j.get<double>();
      return Status::ok();
    }
    if (j.is_string()) {
      const std::string &s = j.get_ref<const std::string &>();
      if (s == "nan") {
        out = std::numeric_limits<double>::quiet_NaN();
        return Status::ok();
      }
      if (s == "inf" || s == "-inf") {
        out = s == "inf" ? std::numeric_limits<double>::infinity()
                         : -std::numeric_limits<double>::infinity();
        return Status::ok();
      }
    }
    return fail(where, "expected a number, \"nan\", \"inf\" or \"-inf\"");
  }

  /// Reads an {offset, size} reference into the blob area and copies the
  /// bytes out.
  Status blobRef(const json &obj, const std::string &where,
                 std::string &out) const {
    uint64_t offset, size;
    DS_RETURN_IF_ERROR(u64Field(obj, "offset", where, offset));
    DS_RETURN_IF_ERROR(u64Field(obj, "size", where, size));
    if (offset > blobSize || size > blobSize - offset)
      return fail(where, "blob [" + std::to_string(offset) + ", +" +
                             std::to_string(size) +
                             ") lies outside the blob area (" +
                             std::to_string(blobSize) + " bytes)");
    out.assign(reinterpret_cast<const char *>(blobData) + offset, size);
    return Status::ok();
  }

  Status readBuffer(const json &jb, const std::string &where, BufferDesc &b);
  Status readKernel(const json &jk, const std::string &where, KernelDesc &k);
  Status readLaunch(const json &jl, const std::string &where, LaunchDesc &l);
  Status readRefOp(const json &jo, const std::string &where, RefOp &op);
  Status readPlan(const json &jp, const std::string &where, MemoryPlanDesc &p);
  Status readSignature(const json &js, const std::string &where, Artifact &a);

  const uint8_t *blobData;
  uint64_t blobSize;
};

Status ManifestReader::readBuffer(const json &jb, const std::string &where,
                                  BufferDesc &b) {
  DS_RETURN_IF_ERROR(object(jb, where));
  std::string kind;
  DS_RETURN_IF_ERROR(stringField(jb, "kind", where, kind));
  size_t k = 0;
  while (k < kNumKinds && kind != kKindNames[k])
    ++k;
  if (k == kNumKinds)
    return fail(at(where, "kind"), "unknown buffer kind '" + kind + "'");
  b.kind = static_cast<BufferDesc::Kind>(k);
  DS_RETURN_IF_ERROR(stringField(jb, "name", where, b.name));
  std::string dtype;
  DS_RETURN_IF_ERROR(stringField(jb, "dtype", where, dtype));
  std::optional<DType> dt = parseDTypeName(dtype);
  if (!dt)
    return fail(at(where, "dtype"), "unknown element type '" + dtype + "'");
  b.type.dtype = *dt;
  // -1 is a dynamic dim; verifyArtifact() says which buffers may have one.
  DS_RETURN_IF_ERROR(i64ArrayField(jb, "shape", where, -1, b.type.shape));
  if (b.kind == BufferDesc::Kind::View)
    return u32Field(jb, "alias_of", where, b.aliasOf);
  if (b.kind == BufferDesc::Kind::Weight) {
    std::string placement;
    DS_RETURN_IF_ERROR(stringField(jb, "placement", where, placement));
    if (placement != "device" && placement != "host")
      return fail(at(where, "placement"),
                  "expected \"device\" or \"host\", got '" + placement + "'");
    b.streamed = placement == "host";
  }
  return u64Field(jb, "offset", where, b.offset);
}

Status ManifestReader::readKernel(const json &jk, const std::string &where,
                                  KernelDesc &k) {
  DS_RETURN_IF_ERROR(object(jk, where));
  DS_RETURN_IF_ERROR(stringField(jk, "name", where, k.name));
  const json *src;
  DS_RETURN_IF_ERROR(field(jk, "source", where, src));
  DS_RETURN_IF_ERROR(object(*src, at(where, "source")));
  DS_RETURN_IF_ERROR(blobRef(*src, at(where, "source"), k.source));
  const json *bins;
  DS_RETURN_IF_ERROR(arrayField(jk, "binaries", where, bins));
  for (size_t i = 0; i < bins->size(); ++i) {
    const json &jbin = (*bins)[i];
    std::string w = at(at(where, "binaries"), i);
    DS_RETURN_IF_ERROR(object(jbin, w));
    KernelBinary bin;
    DS_RETURN_IF_ERROR(stringField(jbin, "target", w, bin.target));
    DS_RETURN_IF_ERROR(blobRef(jbin, w, bin.data));
    DS_RETURN_IF_ERROR(i32Field(jbin, "registers", w, bin.registers));
    DS_RETURN_IF_ERROR(
        i32Field(jbin, "spill_store_bytes", w, bin.spillStoreBytes));
    DS_RETURN_IF_ERROR(
        i32Field(jbin, "spill_load_bytes", w, bin.spillLoadBytes));
    DS_RETURN_IF_ERROR(i32Field(jbin, "shared_bytes", w, bin.sharedBytes));
    k.binaries.push_back(std::move(bin));
  }
  return Status::ok();
}

Status ManifestReader::readLaunch(const json &jl, const std::string &where,
                                  LaunchDesc &l) {
  DS_RETURN_IF_ERROR(object(jl, where));
  DS_RETURN_IF_ERROR(u32Field(jl, "kernel", where, l.kernel));
  DS_RETURN_IF_ERROR(u32TripleField(jl, "grid", where, l.grid));
  DS_RETURN_IF_ERROR(u32TripleField(jl, "block", where, l.block));
  DS_RETURN_IF_ERROR(
      u32Field(jl, "dynamic_shared_bytes", where, l.dynamicSharedBytes));
  DS_RETURN_IF_ERROR(u32ArrayField(jl, "args", where, l.args));
  const json *stage;
  DS_RETURN_IF_ERROR(arrayField(jl, "stage", where, stage));
  for (size_t i = 0; i < stage->size(); ++i) {
    std::string w = at(at(where, "stage"), i);
    DS_RETURN_IF_ERROR(object((*stage)[i], w));
    StageCopy c;
    DS_RETURN_IF_ERROR(u32Field((*stage)[i], "buffer", w, c.buffer));
    DS_RETURN_IF_ERROR(u32Field((*stage)[i], "slot", w, c.slot));
    DS_RETURN_IF_ERROR(u64Field((*stage)[i], "offset", w, c.offset));
    l.stage.push_back(c);
  }
  return Status::ok();
}

Status ManifestReader::readPlan(const json &jp, const std::string &where,
                                MemoryPlanDesc &p) {
  DS_RETURN_IF_ERROR(object(jp, where));
  DS_RETURN_IF_ERROR(stringField(jp, "heuristic", where, p.heuristic));
  DS_RETURN_IF_ERROR(
      u64Field(jp, "lower_bound_bytes", where, p.lowerBoundBytes));
  DS_RETURN_IF_ERROR(u64Field(jp, "no_reuse_bytes", where, p.noReuseBytes));
  DS_RETURN_IF_ERROR(u32Field(jp, "in_place", where, p.inPlace));
  DS_RETURN_IF_ERROR(
      u64Field(jp, "device_budget_bytes", where, p.deviceBudgetBytes));
  DS_RETURN_IF_ERROR(
      u64Field(jp, "resident_weight_bytes", where, p.residentWeightBytes));
  DS_RETURN_IF_ERROR(u32Field(jp, "staging_slots", where, p.stagingSlots));
  DS_RETURN_IF_ERROR(
      u64Field(jp, "staging_slot_bytes", where, p.stagingSlotBytes));
  DS_RETURN_IF_ERROR(
      u64Field(jp, "streamed_bytes", where, p.streamedBytesPerInference));
  DS_RETURN_IF_ERROR(
      u64Field(jp, "predicted_host_link_ns", where, p.predictedHostLinkNs));
  return u64Field(jp, "predicted_hbm_ns", where, p.predictedHbmNs);
}

Status ManifestReader::readSignature(const json &js, const std::string &where,
                                     Artifact &a) {
  DS_RETURN_IF_ERROR(object(js, where));
  DS_RETURN_IF_ERROR(u32ArrayField(js, "inputs", where, a.inputs));
  DS_RETURN_IF_ERROR(u32ArrayField(js, "outputs", where, a.outputs));
  const json *buckets;
  DS_RETURN_IF_ERROR(arrayField(js, "buckets", where, buckets));
  for (size_t i = 0; i < buckets->size(); ++i) {
    const json &jv = (*buckets)[i];
    std::string w = at(at(where, "buckets"), i);
    DS_RETURN_IF_ERROR(object(jv, w));
    BucketVariant v;
    DS_RETURN_IF_ERROR(stringField(jv, "name", w, v.name));
    const json *dims;
    DS_RETURN_IF_ERROR(field(jv, "dims", w, dims));
    DS_RETURN_IF_ERROR(object(*dims, at(w, "dims")));
    for (auto it = dims->begin(); it != dims->end(); ++it) {
      int64_t size;
      DS_RETURN_IF_ERROR(signedValue(it.value(), at(w, "dims") + "." + it.key(),
                                     0, std::numeric_limits<int64_t>::max(),
                                     size));
      v.dims.emplace(it.key(), size);
    }
    DS_RETURN_IF_ERROR(u32ArrayField(jv, "inputs", w, v.inputs));
    DS_RETURN_IF_ERROR(u32ArrayField(jv, "outputs", w, v.outputs));
    std::vector<uint32_t> range;
    DS_RETURN_IF_ERROR(u32ArrayField(jv, "launches", w, range));
    if (range.size() != 2)
      return fail(at(w, "launches"), "expected [first, count]");
    v.firstLaunch = range[0];
    v.numLaunches = range[1];
    range.clear();
    DS_RETURN_IF_ERROR(u32ArrayField(jv, "reference", w, range));
    if (range.size() != 2)
      return fail(at(w, "reference"), "expected [first, count]");
    v.firstReference = range[0];
    v.numReferences = range[1];
    DS_RETURN_IF_ERROR(u64Field(jv, "arena_bytes", w, v.arenaBytes));
    a.buckets.push_back(std::move(v));
  }
  if (a.buckets.empty())
    return Status::ok();
  for (auto [key, axes] : {std::pair{"input_axes", &a.inputBucketAxes},
                           std::pair{"output_axes", &a.outputBucketAxes}}) {
    std::vector<int64_t> values;
    DS_RETURN_IF_ERROR(i64ArrayField(js, key, where, -1, values));
    for (int64_t v : values) {
      if (v > std::numeric_limits<int32_t>::max())
        return fail(at(where, key),
                    "axis " + std::to_string(v) + " out of range");
      axes->push_back(static_cast<int32_t>(v));
    }
  }
  return Status::ok();
}

Status ManifestReader::readRefOp(const json &jo, const std::string &where,
                                 RefOp &op) {
  DS_RETURN_IF_ERROR(object(jo, where));
  DS_RETURN_IF_ERROR(stringField(jo, "op", where, op.op));
  DS_RETURN_IF_ERROR(u32ArrayField(jo, "operands", where, op.operands));
  DS_RETURN_IF_ERROR(u32ArrayField(jo, "results", where, op.results));
  DS_RETURN_IF_ERROR(stringField(jo, "location", where, op.location));
  const json *attrs;
  DS_RETURN_IF_ERROR(field(jo, "attrs", where, attrs));
  DS_RETURN_IF_ERROR(object(*attrs, at(where, "attrs")));
  for (auto it = attrs->begin(); it != attrs->end(); ++it) {
    std::string w = at(where, "attrs") + "." + it.key();
    const json &ja = it.value();
    DS_RETURN_IF_ERROR(object(ja, w));
    RefAttr attr;
    if (ja.contains("ints"))
      DS_RETURN_IF_ERROR(i64ArrayField(
          ja, "ints", w, std::numeric_limits<int64_t>::min(), attr.ints));
    if (ja.contains("floats")) {
      const json *floats;
      DS_RETURN_IF_ERROR(arrayField(ja, "floats", w, floats));
      for (size_t i = 0; i < floats->size(); ++i) {
        double d;
        DS_RETURN_IF_ERROR(
            doubleValue((*floats)[i], at(at(w, "floats"), i), d));
        attr.floats.push_back(d);
      }
    }
    if (ja.contains("str"))
      DS_RETURN_IF_ERROR(stringField(ja, "str", w, attr.str));
    op.attrs.emplace(it.key(), std::move(attr));
  }
  return Status::ok();
}

Status ManifestReader::read(const json &m, Artifact &a) {
  DS_RETURN_IF_ERROR(object(m, "manifest"));
  DS_RETURN_IF_ERROR(stringField(m, "producer", "", a.producer));
  DS_RETURN_IF_ERROR(u64Field(m, "arena_bytes", "", a.arenaBytes));
  const json *plan;
  DS_RETURN_IF_ERROR(field(m, "memory_plan", "", plan));
  DS_RETURN_IF_ERROR(readPlan(*plan, "memory_plan", a.plan));

  const json *arr;
  DS_RETURN_IF_ERROR(arrayField(m, "buffers", "", arr));
  a.buffers.resize(arr->size());
  for (size_t i = 0; i < arr->size(); ++i)
    DS_RETURN_IF_ERROR(readBuffer((*arr)[i], at("buffers", i), a.buffers[i]));

  const json *signature;
  DS_RETURN_IF_ERROR(field(m, "signature", "", signature));
  DS_RETURN_IF_ERROR(readSignature(*signature, "signature", a));

  DS_RETURN_IF_ERROR(arrayField(m, "kernels", "", arr));
  a.kernels.resize(arr->size());
  for (size_t i = 0; i < arr->size(); ++i)
    DS_RETURN_IF_ERROR(readKernel((*arr)[i], at("kernels", i), a.kernels[i]));

  DS_RETURN_IF_ERROR(arrayField(m, "launches", "", arr));
  a.launches.resize(arr->size());
  for (size_t i = 0; i < arr->size(); ++i)
    DS_RETURN_IF_ERROR(readLaunch((*arr)[i], at("launches", i), a.launches[i]));

  DS_RETURN_IF_ERROR(arrayField(m, "reference", "", arr));
  a.reference.resize(arr->size());
  for (size_t i = 0; i < arr->size(); ++i)
    DS_RETURN_IF_ERROR(
        readRefOp((*arr)[i], at("reference", i), a.reference[i]));

  auto hm = m.find("host_module");
  if (hm != m.end()) {
    DS_RETURN_IF_ERROR(object(*hm, "host_module"));
    DS_RETURN_IF_ERROR(blobRef(*hm, "host_module", a.hostModule));
  }
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Semantic checks
//===----------------------------------------------------------------------===//

std::string range(uint64_t offset, uint64_t size) {
  return "[" + std::to_string(offset) + ", +" + std::to_string(size) + ")";
}

Status invalid(const std::string &what) {
  return Status::error("invalid artifact: " + what);
}

std::string bufferLabel(const Artifact &a, uint32_t id) {
  std::string s = "buffer " + std::to_string(id);
  if (id < a.buffers.size() && !a.buffers[id].name.empty())
    s += " ('" + a.buffers[id].name + "')";
  return s;
}

/// Checks that `id` names a buffer; `what` says where the id came from.
Status checkBufferId(const Artifact &a, uint32_t id, const std::string &what) {
  if (id < a.buffers.size())
    return Status::ok();
  return invalid(what + " refers to buffer " + std::to_string(id) +
                 ", but there are " + std::to_string(a.buffers.size()) +
                 " buffers");
}

bool isDynamic(const TensorType &t) {
  for (int64_t d : t.shape)
    if (d == -1)
      return true;
  return false;
}

/// Byte size with every -1 dim counted as 1: bounds what numElements() and
/// byteSize() can reach for a dynamic type, so they cannot overflow.
std::optional<uint64_t> staticByteSize(const TensorType &t) {
  TensorType bound = t;
  for (int64_t &d : bound.shape)
    if (d == -1)
      d = 1;
  return bound.checkedByteSize();
}

} // namespace

bool isLaunchBuffer(const Artifact &a, size_t id) {
  for (const LaunchDesc &l : a.launches)
    for (uint32_t arg : l.args)
      for (size_t cur = arg, steps = 0;
           cur < a.buffers.size() && steps <= a.buffers.size(); ++steps) {
        if (cur == id)
          return true;
        if (a.buffers[cur].kind != BufferDesc::Kind::View)
          break;
        cur = a.buffers[cur].aliasOf;
      }
  return false;
}

namespace {

Status verifyBuffers(const Artifact &a, uint64_t weightsSize) {
  std::vector<uint64_t> sizes(a.buffers.size());
  for (size_t i = 0; i < a.buffers.size(); ++i) {
    const BufferDesc &b = a.buffers[i];
    std::string label = bufferLabel(a, i);
    if (!isValidKind(b.kind))
      return invalid(label + " has invalid kind " +
                     std::to_string(static_cast<int>(b.kind)));
    if (dtypeSize(b.type.dtype) == 0)
      return invalid(label + " has invalid element type " +
                     std::to_string(static_cast<int>(b.type.dtype)));
    if (isDynamic(b.type)) {
      // Dynamic buffers have no storage: only the reference program, which
      // sizes them at run time, may use them (launches are checked later).
      if (b.kind != BufferDesc::Kind::Input &&
          b.kind != BufferDesc::Kind::Output &&
          b.kind != BufferDesc::Kind::Intermediate)
        return invalid(label + " (" + kindName(b.kind) + ", " + b.type.str() +
                       ") has a dynamic shape; only input, output and "
                       "intermediate buffers may");
      if (!staticByteSize(b.type))
        return invalid(label + " has invalid shape " + b.type.str());
      continue;
    }
    std::optional<uint64_t> size = b.type.checkedByteSize();
    if (!size)
      return invalid(label + " has invalid shape " + b.type.str());
    sizes[i] = *size;
    if (b.kind == BufferDesc::Kind::View)
      continue;
    // An intermediate no launch touches lives only in the reference program
    // (a value inside a fused kernel): it takes no arena bytes.
    if (b.kind == BufferDesc::Kind::Intermediate && !isLaunchBuffer(a, i))
      continue;
    bool arena = livesInArena(b.kind);
    uint64_t limit = arena ? a.arenaBytes : weightsSize;
    if (b.offset > limit || *size > limit - b.offset)
      return invalid(label + " (" + kindName(b.kind) + ", " + b.type.str() +
                     ") occupies bytes " + range(b.offset, *size) +
                     ", outside the " + (arena ? "arena" : "weights") + " (" +
                     std::to_string(limit) + " bytes)");
  }
  // Views: follow each chain; more steps than buffers means a cycle.
  for (size_t i = 0; i < a.buffers.size(); ++i) {
    if (a.buffers[i].kind != BufferDesc::Kind::View)
      continue;
    size_t cur = i;
    size_t steps = 0;
    while (a.buffers[cur].kind == BufferDesc::Kind::View) {
      uint32_t next = a.buffers[cur].aliasOf;
      DS_RETURN_IF_ERROR(checkBufferId(a, next, "view " + bufferLabel(a, cur)));
      if (++steps > a.buffers.size())
        return invalid("view " + bufferLabel(a, i) +
                       " is part of an alias cycle");
      cur = next;
    }
    if (isDynamic(a.buffers[cur].type))
      return invalid("view " + bufferLabel(a, i) + " aliases " +
                     bufferLabel(a, cur) + " (" + a.buffers[cur].type.str() +
                     "), which has a dynamic shape");
    if (sizes[cur] != sizes[i])
      return invalid(
          "view " + bufferLabel(a, i) + " (" + a.buffers[i].type.str() + ", " +
          std::to_string(sizes[i]) + " bytes) aliases " + bufferLabel(a, cur) +
          " (" + a.buffers[cur].type.str() + ", " + std::to_string(sizes[cur]) +
          " bytes) of a different byte size");
  }
  return Status::ok();
}

/// The buffer a view chain ends at (chains are checked by verifyBuffers).
uint32_t rootOf(const Artifact &a, uint32_t id) {
  while (a.buffers[id].kind == BufferDesc::Kind::View)
    id = a.buffers[id].aliasOf;
  return id;
}

/// The bucket dim of every bucket: one dim, increasing values, every
/// input and output of that bucket with the value on its bucket axis and the
/// signature's shape elsewhere.
Status verifyBucketShapes(const Artifact &a) {
  if (a.buckets.empty()) {
    if (!a.inputBucketAxes.empty() || !a.outputBucketAxes.empty())
      return invalid("bucket axes without buckets");
    return Status::ok();
  }
  if (a.inputBucketAxes.size() != a.inputs.size() ||
      a.outputBucketAxes.size() != a.outputs.size())
    return invalid(
        "bucket axes for " + std::to_string(a.inputBucketAxes.size()) +
        " inputs and " + std::to_string(a.outputBucketAxes.size()) +
        " outputs; the signature has " + std::to_string(a.inputs.size()) +
        " and " + std::to_string(a.outputs.size()));
  if (std::none_of(a.inputBucketAxes.begin(), a.inputBucketAxes.end(),
                   [](int32_t axis) { return axis >= 0; }))
    return invalid("no input has the bucket dim");
  const std::string &dim = a.buckets.front().dims.empty()
                               ? std::string()
                               : a.buckets.front().dims.begin()->first;
  int64_t previous = 0;
  for (size_t i = 0; i < a.buckets.size(); ++i) {
    const BucketVariant &v = a.buckets[i];
    std::string label = "bucket " + std::to_string(i) + " ('" + v.name + "')";
    if (v.dims.size() != 1 || v.dims.begin()->first != dim)
      return invalid(label + " must bind exactly the dim '" + dim + "'");
    int64_t value = v.dims.begin()->second;
    if (value <= previous)
      return invalid(label + ": bucket values must increase, got " +
                     std::to_string(value) + " after " +
                     std::to_string(previous));
    previous = value;
    for (auto [ids, sig, axes, what] :
         {std::tuple{&v.inputs, &a.inputs, &a.inputBucketAxes, "input"},
          std::tuple{&v.outputs, &a.outputs, &a.outputBucketAxes, "output"}}) {
      for (size_t j = 0; j < ids->size(); ++j) {
        const TensorType &t = a.buffers[(*ids)[j]].type;
        const TensorType &s = a.buffers[(*sig)[j]].type;
        int32_t axis = (*axes)[j];
        bool ok = t.dtype == s.dtype && t.shape.size() == s.shape.size() &&
                  axis < static_cast<int64_t>(t.shape.size());
        for (size_t d = 0; ok && d < t.shape.size(); ++d)
          ok = static_cast<int32_t>(d) == axis ? t.shape[d] == value
                                               : t.shape[d] == s.shape[d];
        if (!ok)
          return invalid(label + " " + what + " " + std::to_string(j) +
                         " has type " + t.str() + ", expected " + s.str() +
                         " with " + std::to_string(value) + " on axis " +
                         std::to_string(axis));
      }
    }
  }
  return Status::ok();
}

/// Streamed weights, staging copies and bucket variants.
Status verifyPlanAndBuckets(const Artifact &a, uint64_t weightsSize) {
  const MemoryPlanDesc &p = a.plan;
  if (p.residentWeightBytes > weightsSize)
    return invalid("memory plan: resident weights (" +
                   std::to_string(p.residentWeightBytes) +
                   " bytes) exceed the weights section (" +
                   std::to_string(weightsSize) + " bytes)");
  if (p.stagingSlots > 2)
    return invalid("memory plan: " + std::to_string(p.stagingSlots) +
                   " staging slots; at most 2");
  bool anyStreamed = false;
  for (size_t i = 0; i < a.buffers.size(); ++i) {
    const BufferDesc &b = a.buffers[i];
    if (b.streamed && b.kind != BufferDesc::Kind::Weight)
      return invalid(bufferLabel(a, i) + " (" + kindName(b.kind) +
                     ") is streamed; only weights may be");
    anyStreamed |= b.streamed;
  }
  // With streaming, resident weights form the prefix the runtime uploads.
  for (size_t i = 0; anyStreamed && i < a.buffers.size(); ++i) {
    const BufferDesc &b = a.buffers[i];
    if (b.kind != BufferDesc::Kind::Weight &&
        b.kind != BufferDesc::Kind::Constant)
      continue;
    uint64_t end = b.offset + b.type.byteSize();
    if (b.streamed ? b.offset < p.residentWeightBytes
                   : end > p.residentWeightBytes)
      return invalid(bufferLabel(a, i) + " (" +
                     (b.streamed ? "streamed" : "resident") + ") occupies " +
                     range(b.offset, b.type.byteSize()) +
                     (b.streamed ? ", inside" : ", outside") +
                     " the resident weights [0, " +
                     std::to_string(p.residentWeightBytes) + ")");
  }
  for (size_t i = 0; i < a.launches.size(); ++i) {
    const LaunchDesc &l = a.launches[i];
    std::string label = "launch " + std::to_string(i);
    std::vector<std::pair<uint64_t, uint64_t>> used;
    std::vector<uint32_t> staged;
    for (size_t j = 0; j < l.stage.size(); ++j) {
      const StageCopy &c = l.stage[j];
      std::string where = label + " stage " + std::to_string(j);
      DS_RETURN_IF_ERROR(checkBufferId(a, c.buffer, where));
      const BufferDesc &b = a.buffers[c.buffer];
      if (!b.streamed)
        return invalid(where + " copies " + bufferLabel(a, c.buffer) +
                       ", which is not a streamed weight");
      if (c.slot >= p.stagingSlots)
        return invalid(where + " uses staging slot " + std::to_string(c.slot) +
                       " of " + std::to_string(p.stagingSlots));
      uint64_t size = b.type.byteSize();
      if (c.offset > p.stagingSlotBytes || size > p.stagingSlotBytes - c.offset)
        return invalid(where + " occupies " + range(c.offset, size) +
                       ", outside the " + std::to_string(p.stagingSlotBytes) +
                       "-byte staging slot");
      used.push_back({c.offset, c.offset + size});
      staged.push_back(c.buffer);
    }
    std::sort(used.begin(), used.end());
    for (size_t j = 1; j < used.size(); ++j)
      if (used[j].first < used[j - 1].second)
        return invalid(label + " stages two weights at overlapping bytes");
    for (uint32_t arg : l.args) {
      uint32_t root = rootOf(a, arg);
      if (a.buffers[root].streamed &&
          std::find(staged.begin(), staged.end(), root) == staged.end())
        return invalid(label + " reads streamed " + bufferLabel(a, root) +
                       " without staging it");
    }
  }
  for (size_t i = 0; i < a.buckets.size(); ++i) {
    const BucketVariant &v = a.buckets[i];
    std::string label = "bucket " + std::to_string(i) + " ('" + v.name + "')";
    if (v.inputs.size() != a.inputs.size() ||
        v.outputs.size() != a.outputs.size())
      return invalid(label + " has " + std::to_string(v.inputs.size()) +
                     " inputs and " + std::to_string(v.outputs.size()) +
                     " outputs; the signature has " +
                     std::to_string(a.inputs.size()) + " and " +
                     std::to_string(a.outputs.size()));
    for (uint32_t id : v.inputs)
      DS_RETURN_IF_ERROR(checkBufferId(a, id, label + " input"));
    for (uint32_t id : v.outputs)
      DS_RETURN_IF_ERROR(checkBufferId(a, id, label + " output"));
    if (v.firstLaunch > a.launches.size() ||
        v.numLaunches > a.launches.size() - v.firstLaunch)
      return invalid(label + " runs launches [" +
                     std::to_string(v.firstLaunch) + ", +" +
                     std::to_string(v.numLaunches) + "), but there are " +
                     std::to_string(a.launches.size()));
    if (v.firstReference > a.reference.size() ||
        v.numReferences > a.reference.size() - v.firstReference)
      return invalid(label + " runs reference ops [" +
                     std::to_string(v.firstReference) + ", +" +
                     std::to_string(v.numReferences) + "), but there are " +
                     std::to_string(a.reference.size()));
    if (v.arenaBytes > a.arenaBytes)
      return invalid(label + " needs a " + std::to_string(v.arenaBytes) +
                     "-byte arena, over the artifact's " +
                     std::to_string(a.arenaBytes));
  }
  return verifyBucketShapes(a);
}

Status verifyImpl(const Artifact &a, uint64_t weightsSize) {
  DS_RETURN_IF_ERROR(verifyBuffers(a, weightsSize));
  for (size_t i = 0; i < a.inputs.size(); ++i)
    DS_RETURN_IF_ERROR(
        checkBufferId(a, a.inputs[i], "input " + std::to_string(i)));
  for (size_t i = 0; i < a.outputs.size(); ++i)
    DS_RETURN_IF_ERROR(
        checkBufferId(a, a.outputs[i], "output " + std::to_string(i)));
  for (size_t i = 0; i < a.kernels.size(); ++i)
    if (a.kernels[i].name.empty())
      return invalid("kernel " + std::to_string(i) + " has no name");
  for (size_t i = 0; i < a.launches.size(); ++i) {
    const LaunchDesc &l = a.launches[i];
    std::string label = "launch " + std::to_string(i);
    if (l.kernel >= a.kernels.size())
      return invalid(label + " refers to kernel " + std::to_string(l.kernel) +
                     ", but there are " + std::to_string(a.kernels.size()) +
                     " kernels");
    label += " ('" + a.kernels[l.kernel].name + "')";
    for (int d = 0; d < 3; ++d)
      if (l.grid[d] == 0 || l.block[d] == 0)
        return invalid(label + " has an empty grid or block dimension");
    for (size_t j = 0; j < l.args.size(); ++j) {
      DS_RETURN_IF_ERROR(checkBufferId(
          a, l.args[j], label + " argument " + std::to_string(j)));
      if (isDynamic(a.buffers[l.args[j]].type))
        return invalid(label + " argument " + std::to_string(j) + " is " +
                       bufferLabel(a, l.args[j]) + " (" +
                       a.buffers[l.args[j]].type.str() +
                       "), which has a dynamic shape");
    }
  }
  for (size_t i = 0; i < a.reference.size(); ++i) {
    const RefOp &op = a.reference[i];
    std::string label = "reference op " + std::to_string(i);
    if (op.op.empty())
      return invalid(label + " has no op name");
    label += " ('" + op.op + "'" +
             (op.location.empty() ? "" : " at " + op.location) + ")";
    for (size_t j = 0; j < op.operands.size(); ++j)
      DS_RETURN_IF_ERROR(checkBufferId(
          a, op.operands[j], label + " operand " + std::to_string(j)));
    for (size_t j = 0; j < op.results.size(); ++j)
      DS_RETURN_IF_ERROR(checkBufferId(a, op.results[j],
                                       label + " result " + std::to_string(j)));
  }
  return verifyPlanAndBuckets(a, weightsSize);
}

} // namespace

//===----------------------------------------------------------------------===//
// Public API
//===----------------------------------------------------------------------===//

std::string serializeArtifact(const Artifact &artifact) {
  BlobWriter blobs;
  ordered_json manifest = writeManifest(artifact, blobs);
  // Invalid UTF-8 in a name would make dump() throw; replace it instead.
  std::string text =
      manifest.dump(-1, ' ', false, ordered_json::error_handler_t::replace);

  uint64_t manifestOffset = kHeaderSize;
  uint64_t manifestSize = text.size();
  uint64_t blobOffset = alignUp(manifestOffset + manifestSize, kBlobAlign);
  uint64_t blobSize = blobs.bytes().size();
  uint64_t weightsOffset = alignUp(blobOffset + blobSize, kWeightsAlign);
  uint64_t weightsSize = artifact.weights.size();
  uint64_t fileSize = weightsOffset + weightsSize;

  std::string out(fileSize, '\0');
  auto *bytes = reinterpret_cast<uint8_t *>(out.data());
  std::memcpy(bytes + manifestOffset, text.data(), manifestSize);
  std::memcpy(bytes + blobOffset, blobs.bytes().data(), blobSize);
  std::memcpy(bytes + weightsOffset, artifact.weights.data(), weightsSize);

  std::memcpy(bytes + kMagicField, kMagic, sizeof(kMagic));
  storeLE(bytes + kVersionField, artifact.version, 4);
  storeLE(bytes + kFlagsField, 0, 4);
  storeLE(bytes + kFileSizeField, fileSize, 8);
  storeLE(bytes + kManifestOffsetField, manifestOffset, 8);
  storeLE(bytes + kManifestSizeField, manifestSize, 8);
  storeLE(bytes + kBlobOffsetField, blobOffset, 8);
  storeLE(bytes + kBlobSizeField, blobSize, 8);
  storeLE(bytes + kWeightsOffsetField, weightsOffset, 8);
  storeLE(bytes + kWeightsSizeField, weightsSize, 8);
  storeLE(
      bytes + kMetaCrcField,
      crc32Of(bytes + manifestOffset, blobOffset + blobSize - manifestOffset),
      4);
  storeLE(bytes + kWeightsCrcField, crc32Of(bytes + weightsOffset, weightsSize),
          4);
  storeLE(bytes + kHeaderCrcField, crc32Of(bytes, kHeaderCrcField), 4);
  return out;
}

Status writeArtifactFile(const Artifact &artifact, const std::string &path) {
  std::string bytes = serializeArtifact(artifact);
  return writeFileAtomically(path, {bytes})
      .withContext("cannot write artifact '" + path + "'");
}

Status verifyArtifact(const Artifact &artifact) {
  return verifyImpl(artifact, artifact.weights.size());
}

StatusOr<LoadedArtifact> parseArtifact(const uint8_t *data, uint64_t size) {
  return parseArtifact(data, size, ArtifactParseOptions());
}

StatusOr<LoadedArtifact> parseArtifact(const uint8_t *data, uint64_t size,
                                       const ArtifactParseOptions &options) {
  // Magic and version come first: they are the only fields every format
  // version keeps in place.
  if (size == 0 || data == nullptr)
    return Status::error("not a ds artifact: the file is empty");
  if (std::memcmp(data, kMagic, std::min<uint64_t>(size, sizeof(kMagic))))
    return Status::error("not a ds artifact (bad magic)");
  if (size < kFlagsField)
    return Status::error("truncated artifact: expected at least " +
                         std::to_string(kHeaderSize) + " bytes, got " +
                         std::to_string(size));
  uint32_t version = loadLE(data + kVersionField, 4);
  if (version != kArtifactVersion)
    return Status::error("artifact format version " + std::to_string(version) +
                         ", this runtime reads " +
                         std::to_string(kArtifactVersion));
  if (size < kHeaderSize)
    return Status::error("truncated artifact: expected at least " +
                         std::to_string(kHeaderSize) + " bytes, got " +
                         std::to_string(size));
  if (crc32Of(data, kHeaderCrcField) != loadLE(data + kHeaderCrcField, 4))
    return Status::error("corrupt artifact: checksum mismatch in header");

  uint32_t flags = loadLE(data + kFlagsField, 4);
  if (flags != 0)
    return Status::error("artifact uses unknown flags " +
                         std::to_string(flags) + "; this runtime knows none");
  for (size_t i = kReservedBegin; i < kHeaderCrcField; ++i)
    if (data[i] != 0)
      return Status::error(
          "malformed artifact header: reserved bytes are not zero");

  uint64_t fileSize = loadLE(data + kFileSizeField, 8);
  if (size < fileSize)
    return Status::error("truncated artifact: expected " +
                         std::to_string(fileSize) + " bytes, got " +
                         std::to_string(size));
  if (size > fileSize)
    return Status::error("artifact size mismatch: header says " +
                         std::to_string(fileSize) + " bytes, got " +
                         std::to_string(size) + " (trailing bytes)");

  uint64_t manifestOffset = loadLE(data + kManifestOffsetField, 8);
  uint64_t manifestSize = loadLE(data + kManifestSizeField, 8);
  uint64_t blobOffset = loadLE(data + kBlobOffsetField, 8);
  uint64_t blobSize = loadLE(data + kBlobSizeField, 8);
  uint64_t weightsOffset = loadLE(data + kWeightsOffsetField, 8);
  uint64_t weightsSize = loadLE(data + kWeightsSizeField, 8);
  // Every value is checked against `size` before it is added, so no sum below
  // can wrap.
  bool layoutOk =
      manifestOffset == kHeaderSize && manifestSize <= size &&
      blobOffset <= size && blobSize <= size && weightsOffset <= size &&
      weightsSize <= size && manifestOffset + manifestSize <= blobOffset &&
      blobOffset % kBlobAlign == 0 && blobOffset + blobSize <= weightsOffset &&
      weightsOffset % kWeightsAlign == 0 && weightsOffset + weightsSize == size;
  if (!layoutOk)
    return Status::error(
        "malformed artifact header: inconsistent section layout (manifest " +
        range(manifestOffset, manifestSize) + ", blobs " +
        range(blobOffset, blobSize) + ", weights " +
        range(weightsOffset, weightsSize) + ", file " + std::to_string(size) +
        " bytes)");

  if (crc32Of(data + manifestOffset, blobOffset + blobSize - manifestOffset) !=
      loadLE(data + kMetaCrcField, 4))
    return Status::error("corrupt artifact: checksum mismatch in manifest and "
                         "kernel blobs");
  for (uint64_t i = blobOffset + blobSize; i < weightsOffset; ++i)
    if (data[i] != 0)
      return Status::error("corrupt artifact: non-zero padding at byte " +
                           std::to_string(i) + " before the weights");
  if (options.verifyWeightsChecksum &&
      crc32Of(data + weightsOffset, weightsSize) !=
          loadLE(data + kWeightsCrcField, 4))
    return Status::error("corrupt artifact: checksum mismatch in weights");

  json manifest = json::parse(data + manifestOffset,
                              data + manifestOffset + manifestSize, nullptr,
                              /*allow_exceptions=*/false);
  if (manifest.is_discarded())
    return Status::error("malformed artifact manifest: not valid JSON");

  LoadedArtifact loaded;
  loaded.artifact.version = version;
  ManifestReader reader(data + blobOffset, blobSize);
  DS_RETURN_IF_ERROR(reader.read(manifest, loaded.artifact));
  DS_RETURN_IF_ERROR(verifyImpl(loaded.artifact, weightsSize));
  loaded.weightData = data + weightsOffset;
  loaded.weightSize = weightsSize;
  return loaded;
}

} // namespace ds::runtime
