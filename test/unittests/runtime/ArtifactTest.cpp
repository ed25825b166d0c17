//===- ArtifactTest.cpp - tests of the .dsa artifact format ---------------===//
//
// Round trips, determinism, the on-disk layout (checked against an
// independent reading of docs/design/artifact-format.md) and every class of
// rejected input: bad magic, other versions, truncation, corruption,
// malformed manifests and out-of-range indices.
//
//===----------------------------------------------------------------------===//

#include "runtime/Artifact.h"
#include "runtime/SafeTensors.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <random>

using namespace ds::runtime;

namespace {

using json = nlohmann::json;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// Header field offsets, spelled out from the format document rather than
/// shared with the implementation.
constexpr size_t kVersionAt = 8, kFlagsAt = 12, kFileSizeAt = 16,
                 kManifestOffsetAt = 24, kManifestSizeAt = 32,
                 kBlobOffsetAt = 40, kBlobSizeAt = 48, kWeightsOffsetAt = 56,
                 kWeightsSizeAt = 64, kMetaCrcAt = 72, kWeightsCrcAt = 76,
                 kHeaderCrcAt = 124, kHeaderSize = 128;

uint64_t getLE(const std::string &b, size_t at, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i)
    v |= static_cast<uint64_t>(static_cast<uint8_t>(b[at + i])) << (8 * i);
  return v;
}

void putLE(std::string &b, size_t at, uint64_t v, int n) {
  for (int i = 0; i < n; ++i)
    b[at + i] = static_cast<char>(v >> (8 * i));
}

uint32_t crcOf(const std::string &b, size_t at, size_t n) {
  return crc32(crc32(0, Z_NULL, 0),
               reinterpret_cast<const Bytef *>(b.data()) + at, n);
}

uint64_t alignUp(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }

/// Recomputes the three checksums after a test edited the bytes on purpose.
void fixChecksums(std::string &b) {
  uint64_t mOff = getLE(b, kManifestOffsetAt, 8);
  uint64_t bOff = getLE(b, kBlobOffsetAt, 8), bSize = getLE(b, kBlobSizeAt, 8);
  uint64_t wOff = getLE(b, kWeightsOffsetAt, 8);
  uint64_t wSize = getLE(b, kWeightsSizeAt, 8);
  putLE(b, kMetaCrcAt, crcOf(b, mOff, bOff + bSize - mOff), 4);
  putLE(b, kWeightsCrcAt, crcOf(b, wOff, wSize), 4);
  putLE(b, kHeaderCrcAt, crcOf(b, 0, kHeaderCrcAt), 4);
}

/// Rebuilds a serialized artifact around a different manifest text, laying
/// the file out as the format document says (independently of the writer).
std::string withManifest(const std::string &b, const std::string &manifest) {
  std::string blobs =
      b.substr(getLE(b, kBlobOffsetAt, 8), getLE(b, kBlobSizeAt, 8));
  std::string weights =
      b.substr(getLE(b, kWeightsOffsetAt, 8), getLE(b, kWeightsSizeAt, 8));
  uint64_t blobOffset = alignUp(kHeaderSize + manifest.size(), 64);
  uint64_t weightsOffset = alignUp(blobOffset + blobs.size(), 4096);
  std::string out(weightsOffset + weights.size(), '\0');
  out.replace(0, 16, b.substr(0, 16)); // magic, version, flags
  out.replace(kHeaderSize, manifest.size(), manifest);
  out.replace(blobOffset, blobs.size(), blobs);
  out.replace(weightsOffset, weights.size(), weights);
  putLE(out, kFileSizeAt, out.size(), 8);
  putLE(out, kManifestOffsetAt, kHeaderSize, 8);
  putLE(out, kManifestSizeAt, manifest.size(), 8);
  putLE(out, kBlobOffsetAt, blobOffset, 8);
  putLE(out, kBlobSizeAt, blobs.size(), 8);
  putLE(out, kWeightsOffsetAt, weightsOffset, 8);
  putLE(out, kWeightsSizeAt, weights.size(), 8);
  fixChecksums(out);
  return out;
}

std::string manifestOf(const std::string &b) {
  return b.substr(getLE(b, kManifestOffsetAt, 8), getLE(b, kManifestSizeAt, 8));
}

StatusOr<LoadedArtifact> parse(const std::string &bytes) {
  return parseArtifact(reinterpret_cast<const uint8_t *>(bytes.data()),
                       bytes.size());
}

/// The error message of parsing `bytes`, or "<ok>".
std::string parseError(const std::string &bytes) {
  StatusOr<LoadedArtifact> r = parse(bytes);
  return r ? "<ok>" : r.status().message();
}

/// Serializes `a` and returns the parse error.
std::string errorOf(const Artifact &a) {
  return parseError(serializeArtifact(a));
}

BufferDesc buffer(BufferDesc::Kind kind, std::string name, DType dtype,
                  std::vector<int64_t> shape, uint64_t offset,
                  uint32_t aliasOf = 0) {
  BufferDesc b;
  b.kind = kind;
  b.name = std::move(name);
  b.type.dtype = dtype;
  b.type.shape = std::move(shape);
  b.offset = offset;
  b.aliasOf = aliasOf;
  return b;
}

/// A small but complete program: every buffer kind, a view chain, two
/// kernels with binaries, launches, reference ops with every attribute form
/// (including non-finite floats), a host module and weights.
Artifact makeSample() {
  using K = BufferDesc::Kind;
  Artifact a;
  a.producer = "ds-compile test";
  a.arenaBytes = 256;
  a.buffers = {
      buffer(K::Input, "x", DType::F32, {2, 3}, 0),          // 0: 24 bytes
      buffer(K::Weight, "fc.weight", DType::F32, {3, 4}, 0), // 1: 48 bytes
      buffer(K::Intermediate, "", DType::F32, {2, 4}, 64),   // 2: 32 bytes
      buffer(K::View, "", DType::F32, {8}, 0, 2),            // 3 -> 2
      buffer(K::View, "", DType::F32, {2, 2, 2}, 0, 3),      // 4 -> 3 -> 2
      buffer(K::Output, "y", DType::F32, {2, 4}, 128),       // 5
      buffer(K::Constant, "", DType::F16, {4}, 64),          // 6: 8 bytes
      buffer(K::Intermediate, "", DType::I64, {}, 192),      // 7: scalar
      buffer(K::Intermediate, "", DType::BF16, {0, 5}, 200), // 8: empty
  };
  a.inputs = {0};
  a.outputs = {5};

  KernelDesc k0;
  k0.name = "matmul_0";
  k0.source = "extern \"C\" __global__ void matmul_0(float *a) {}\n";
  KernelBinary cubin;
  cubin.target = "sm_90";
  cubin.data = std::string("\x7f"
                           "ELF\0\0\x01\xff",
                           8);
  cubin.registers = 32;
  cubin.spillStoreBytes = 0;
  cubin.spillLoadBytes = 4;
  cubin.sharedBytes = 1024;
  KernelBinary ptx;
  ptx.target = "compute_80";
  ptx.data = ".version 8.0\n.target sm_80\n";
  k0.binaries = {cubin, ptx};
  KernelDesc k1;
  k1.name = "add_relu_1";
  k1.source = std::string(100, 'k');
  a.kernels = {k0, k1};

  LaunchDesc l0;
  l0.kernel = 0;
  l0.grid[0] = 4;
  l0.block[0] = 128;
  l0.block[1] = 2;
  l0.dynamicSharedBytes = 4096;
  l0.args = {0, 1, 2};
  LaunchDesc l1;
  l1.kernel = 1;
  l1.args = {4, 5};
  a.launches = {l0, l1};

  RefOp matmul;
  matmul.op = "matmul";
  matmul.operands = {0, 1};
  matmul.results = {2};
  matmul.location = "/fc/MatMul";
  RefOp clip;
  clip.op = "clip";
  clip.operands = {3};
  clip.results = {5};
  clip.attrs["bounds"].floats = {-std::numeric_limits<double>::infinity(),
                                 std::numeric_limits<double>::infinity(),
                                 std::numeric_limits<double>::quiet_NaN(),
                                 -0.0,
                                 0.1,
                                 1e-300,
                                 6.0};
  clip.attrs["perm"].ints = {std::numeric_limits<int64_t>::min(), -1, 0,
                             std::numeric_limits<int64_t>::max()};
  clip.attrs["mode"].str = "tanh \"quoted\" \xc3\xa9";
  clip.attrs["empty"] = RefAttr();
  a.reference = {matmul, clip};

  a.hostModule = std::string("\x7f"
                             "ELF host module\0tail",
                             20);
  a.weights.resize(200);
  for (size_t i = 0; i < a.weights.size(); ++i)
    a.weights[i] = static_cast<char>(i * 37 + 1);
  return a;
}

/// Doubles equal bit for bit (NaN == NaN, -0.0 != 0.0).
bool sameDouble(double x, double y) {
  return std::memcmp(&x, &y, sizeof(x)) == 0;
}

void expectSameArtifact(const Artifact &a, const LoadedArtifact &loaded) {
  const Artifact &b = loaded.artifact;
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.producer, b.producer);
  EXPECT_EQ(a.arenaBytes, b.arenaBytes);
  ASSERT_EQ(a.buffers.size(), b.buffers.size());
  for (size_t i = 0; i < a.buffers.size(); ++i) {
    SCOPED_TRACE("buffer " + std::to_string(i));
    const BufferDesc &x = a.buffers[i], &y = b.buffers[i];
    EXPECT_EQ(x.kind, y.kind);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.type, y.type);
    if (x.kind == BufferDesc::Kind::View)
      EXPECT_EQ(x.aliasOf, y.aliasOf);
    else
      EXPECT_EQ(x.offset, y.offset);
    EXPECT_EQ(x.streamed, y.streamed);
  }
  EXPECT_EQ(a.inputs, b.inputs);
  EXPECT_EQ(a.outputs, b.outputs);
  ASSERT_EQ(a.buckets.size(), b.buckets.size());
  EXPECT_EQ(a.inputBucketAxes, b.inputBucketAxes);
  EXPECT_EQ(a.outputBucketAxes, b.outputBucketAxes);
  for (size_t i = 0; i < a.buckets.size(); ++i) {
    EXPECT_EQ(a.buckets[i].name, b.buckets[i].name);
    EXPECT_EQ(a.buckets[i].dims, b.buckets[i].dims);
    EXPECT_EQ(a.buckets[i].inputs, b.buckets[i].inputs);
    EXPECT_EQ(a.buckets[i].outputs, b.buckets[i].outputs);
    EXPECT_EQ(a.buckets[i].firstLaunch, b.buckets[i].firstLaunch);
    EXPECT_EQ(a.buckets[i].numLaunches, b.buckets[i].numLaunches);
    EXPECT_EQ(a.buckets[i].firstReference, b.buckets[i].firstReference);
    EXPECT_EQ(a.buckets[i].numReferences, b.buckets[i].numReferences);
    EXPECT_EQ(a.buckets[i].arenaBytes, b.buckets[i].arenaBytes);
  }
  const MemoryPlanDesc &pa = a.plan, &pb = b.plan;
  EXPECT_EQ(pa.heuristic, pb.heuristic);
  EXPECT_EQ(pa.lowerBoundBytes, pb.lowerBoundBytes);
  EXPECT_EQ(pa.noReuseBytes, pb.noReuseBytes);
  EXPECT_EQ(pa.inPlace, pb.inPlace);
  EXPECT_EQ(pa.deviceBudgetBytes, pb.deviceBudgetBytes);
  EXPECT_EQ(pa.residentWeightBytes, pb.residentWeightBytes);
  EXPECT_EQ(pa.stagingSlots, pb.stagingSlots);
  EXPECT_EQ(pa.stagingSlotBytes, pb.stagingSlotBytes);
  EXPECT_EQ(pa.streamedBytesPerInference, pb.streamedBytesPerInference);
  EXPECT_EQ(pa.predictedHostLinkNs, pb.predictedHostLinkNs);
  EXPECT_EQ(pa.predictedHbmNs, pb.predictedHbmNs);
  ASSERT_EQ(a.kernels.size(), b.kernels.size());
  for (size_t i = 0; i < a.kernels.size(); ++i) {
    const KernelDesc &x = a.kernels[i], &y = b.kernels[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.source, y.source);
    ASSERT_EQ(x.binaries.size(), y.binaries.size());
    for (size_t j = 0; j < x.binaries.size(); ++j) {
      EXPECT_EQ(x.binaries[j].target, y.binaries[j].target);
      EXPECT_EQ(x.binaries[j].data, y.binaries[j].data);
      EXPECT_EQ(x.binaries[j].registers, y.binaries[j].registers);
      EXPECT_EQ(x.binaries[j].spillStoreBytes, y.binaries[j].spillStoreBytes);
      EXPECT_EQ(x.binaries[j].spillLoadBytes, y.binaries[j].spillLoadBytes);
      EXPECT_EQ(x.binaries[j].sharedBytes, y.binaries[j].sharedBytes);
    }
  }
  ASSERT_EQ(a.launches.size(), b.launches.size());
  for (size_t i = 0; i < a.launches.size(); ++i) {
    const LaunchDesc &x = a.launches[i], &y = b.launches[i];
    EXPECT_EQ(x.kernel, y.kernel);
    for (int d = 0; d < 3; ++d) {
      EXPECT_EQ(x.grid[d], y.grid[d]);
      EXPECT_EQ(x.block[d], y.block[d]);
    }
    EXPECT_EQ(x.dynamicSharedBytes, y.dynamicSharedBytes);
    EXPECT_EQ(x.args, y.args);
    ASSERT_EQ(x.stage.size(), y.stage.size());
    for (size_t j = 0; j < x.stage.size(); ++j) {
      EXPECT_EQ(x.stage[j].buffer, y.stage[j].buffer);
      EXPECT_EQ(x.stage[j].slot, y.stage[j].slot);
      EXPECT_EQ(x.stage[j].offset, y.stage[j].offset);
    }
  }
  ASSERT_EQ(a.reference.size(), b.reference.size());
  for (size_t i = 0; i < a.reference.size(); ++i) {
    const RefOp &x = a.reference[i], &y = b.reference[i];
    EXPECT_EQ(x.op, y.op);
    EXPECT_EQ(x.operands, y.operands);
    EXPECT_EQ(x.results, y.results);
    EXPECT_EQ(x.location, y.location);
    ASSERT_EQ(x.attrs.size(), y.attrs.size());
    for (const auto &[name, attr] : x.attrs) {
      ASSERT_TRUE(y.attrs.count(name)) << name;
      const RefAttr &other = y.attrs.at(name);
      EXPECT_EQ(attr.ints, other.ints);
      EXPECT_EQ(attr.str, other.str);
      ASSERT_EQ(attr.floats.size(), other.floats.size());
      for (size_t j = 0; j < attr.floats.size(); ++j)
        EXPECT_TRUE(sameDouble(attr.floats[j], other.floats[j]))
            << name << "[" << j << "]: " << attr.floats[j] << " vs "
            << other.floats[j];
    }
  }
  EXPECT_EQ(a.hostModule, b.hostModule);
  EXPECT_TRUE(b.weights.empty());
  ASSERT_EQ(loaded.weightSize, a.weights.size());
  EXPECT_EQ(0,
            std::memcmp(loaded.weightData, a.weights.data(), a.weights.size()));
}

/// A fresh directory under the gtest temp dir, removed afterwards.
class TempDirTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "ds_artifact_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  std::string dir;
};

//===----------------------------------------------------------------------===//
// Round trips and determinism
//===----------------------------------------------------------------------===//

TEST(ArtifactTest, RoundTrip) {
  Artifact a = makeSample();
  ASSERT_TRUE(verifyArtifact(a).isOk()) << verifyArtifact(a).message();
  std::string bytes = serializeArtifact(a);
  StatusOr<LoadedArtifact> loaded = parse(bytes);
  ASSERT_TRUE(loaded) << loaded.status().message();
  expectSameArtifact(a, *loaded);
  // Weights are referenced in place, not copied.
  EXPECT_EQ(loaded->weightData,
            reinterpret_cast<const uint8_t *>(
                bytes.data() + getLE(bytes, kWeightsOffsetAt, 8)));
}

TEST(ArtifactTest, RoundTripEmpty) {
  Artifact a;
  std::string bytes = serializeArtifact(a);
  StatusOr<LoadedArtifact> loaded = parse(bytes);
  ASSERT_TRUE(loaded) << loaded.status().message();
  expectSameArtifact(a, *loaded);
}

TEST(ArtifactTest, Deterministic) {
  Artifact a = makeSample();
  std::string first = serializeArtifact(a);
  EXPECT_EQ(first, serializeArtifact(a));
  EXPECT_EQ(first, serializeArtifact(makeSample()));
  // Parse and re-serialize: the same bytes again.
  StatusOr<LoadedArtifact> loaded = parse(first);
  ASSERT_TRUE(loaded);
  Artifact again = loaded->artifact;
  again.weights.assign(reinterpret_cast<const char *>(loaded->weightData),
                       loaded->weightSize);
  EXPECT_EQ(first, serializeArtifact(again));
}

TEST(ArtifactTest, DifferentInputsGiveDifferentBytes) {
  Artifact a = makeSample();
  Artifact b = makeSample();
  b.launches[0].grid[2] = 2;
  EXPECT_NE(serializeArtifact(a), serializeArtifact(b));
}

TEST(ArtifactTest, InvalidUtf8NameDoesNotThrow) {
  Artifact a = makeSample();
  a.buffers[0].name = "bad\xff\xfe";
  std::string bytes = serializeArtifact(a);
  EXPECT_TRUE(parse(bytes)) << parseError(bytes);
}

//===----------------------------------------------------------------------===//
// Layout
//===----------------------------------------------------------------------===//

TEST(ArtifactTest, Layout) {
  Artifact a = makeSample();
  std::string b = serializeArtifact(a);
  EXPECT_EQ(b.substr(0, 8), std::string("DSARTIF\0", 8));
  EXPECT_EQ(getLE(b, kVersionAt, 4), kArtifactVersion);
  EXPECT_EQ(getLE(b, kFlagsAt, 4), 0u);
  EXPECT_EQ(getLE(b, kFileSizeAt, 8), b.size());
  EXPECT_EQ(getLE(b, kManifestOffsetAt, 8), kHeaderSize);
  for (size_t i = 80; i < kHeaderCrcAt; ++i)
    EXPECT_EQ(b[i], 0) << "reserved byte " << i;

  uint64_t blobOffset = getLE(b, kBlobOffsetAt, 8);
  uint64_t weightsOffset = getLE(b, kWeightsOffsetAt, 8);
  EXPECT_EQ(blobOffset % 64, 0u);
  EXPECT_EQ(weightsOffset % 4096, 0u);
  EXPECT_EQ(getLE(b, kWeightsSizeAt, 8), a.weights.size());
  EXPECT_EQ(b.substr(weightsOffset), a.weights);
  EXPECT_EQ(weightsOffset + a.weights.size(), b.size());

  EXPECT_EQ(getLE(b, kHeaderCrcAt, 4), crcOf(b, 0, kHeaderCrcAt));
  EXPECT_EQ(getLE(b, kWeightsCrcAt, 4),
            crcOf(b, weightsOffset, a.weights.size()));

  // The manifest is plain JSON; every blob sits 64-byte aligned in the blob
  // area and holds exactly the bytes it names.
  json m = json::parse(manifestOf(b));
  EXPECT_EQ(m["producer"], a.producer);
  EXPECT_EQ(m["buffers"][4]["kind"], "view");
  EXPECT_EQ(m["buffers"][4]["alias_of"], 3);
  auto blobAt = [&](const json &ref) {
    EXPECT_EQ(ref["offset"].get<uint64_t>() % 64, 0u);
    return b.substr(blobOffset + ref["offset"].get<uint64_t>(),
                    ref["size"].get<uint64_t>());
  };
  EXPECT_EQ(blobAt(m["kernels"][0]["source"]), a.kernels[0].source);
  EXPECT_EQ(blobAt(m["kernels"][0]["binaries"][0]),
            a.kernels[0].binaries[0].data);
  EXPECT_EQ(m["kernels"][0]["binaries"][0]["registers"], 32);
  EXPECT_EQ(blobAt(m["kernels"][1]["source"]), a.kernels[1].source);
  EXPECT_EQ(blobAt(m["host_module"]), a.hostModule);
  // Non-finite floats travel as strings.
  EXPECT_EQ(m["reference"][1]["attrs"]["bounds"]["floats"][0], "-inf");
  EXPECT_EQ(m["reference"][1]["attrs"]["bounds"]["floats"][2], "nan");
}

TEST(ArtifactTest, BumpedWriterVersionIsRejected) {
  Artifact a = makeSample();
  a.version = 3;
  EXPECT_EQ(errorOf(a), "artifact format version 3, this runtime reads 1");
}

//===----------------------------------------------------------------------===//
// Header errors
//===----------------------------------------------------------------------===//

TEST(ArtifactTest, NotAnArtifact) {
  EXPECT_EQ(parseError(""), "not a ds artifact: the file is empty");
  EXPECT_EQ(parseError("PK\x03\x04 zip file"), "not a ds artifact (bad magic)");
  std::string b = serializeArtifact(makeSample());
  b[3] = 'x';
  EXPECT_EQ(parseError(b), "not a ds artifact (bad magic)");
  // A null pointer with a size is as empty as it gets.
  EXPECT_FALSE(parseArtifact(nullptr, 0));
}

TEST(ArtifactTest, WrongVersion) {
  std::string b = serializeArtifact(makeSample());
  // Version 0 (before memory plans and bucket signatures) is not read.
  putLE(b, kVersionAt, 0, 4);
  EXPECT_EQ(parseError(b), "artifact format version 0, this runtime reads 1");
  putLE(b, kVersionAt, 2, 4);
  EXPECT_EQ(parseError(b), "artifact format version 2, this runtime reads 1");
  putLE(b, kVersionAt, 0xffffffffu, 4);
  EXPECT_EQ(parseError(b),
            "artifact format version 4294967295, this runtime reads 1");
}

TEST(ArtifactTest, Truncated) {
  std::string b = serializeArtifact(makeSample());
  EXPECT_EQ(parseError(b.substr(0, b.size() - 1)),
            "truncated artifact: expected " + std::to_string(b.size()) +
                " bytes, got " + std::to_string(b.size() - 1));
  EXPECT_EQ(parseError(b.substr(0, 100)),
            "truncated artifact: expected at least 128 bytes, got 100");
  EXPECT_EQ(parseError(b.substr(0, 5)),
            "truncated artifact: expected at least 128 bytes, got 5");
  // Every shorter prefix fails cleanly.
  for (size_t n = 0; n < b.size(); n += (n < 512 ? 1 : 97))
    EXPECT_NE(parseError(b.substr(0, n)), "<ok>") << n;
}

TEST(ArtifactTest, TrailingBytes) {
  std::string b = serializeArtifact(makeSample());
  EXPECT_EQ(parseError(b + "x"), "artifact size mismatch: header says " +
                                     std::to_string(b.size()) + " bytes, got " +
                                     std::to_string(b.size() + 1) +
                                     " (trailing bytes)");
}

TEST(ArtifactTest, ChecksumMismatches) {
  std::string good = serializeArtifact(makeSample());
  uint64_t manifestAt = getLE(good, kManifestOffsetAt, 8);
  uint64_t blobAt = getLE(good, kBlobOffsetAt, 8);
  uint64_t weightsAt = getLE(good, kWeightsOffsetAt, 8);

  std::string b = good;
  b[manifestAt + 5] ^= 0x01;
  EXPECT_EQ(parseError(b),
            "corrupt artifact: checksum mismatch in manifest and kernel blobs");
  b = good;
  b[blobAt + 3] ^= 0x40;
  EXPECT_EQ(parseError(b),
            "corrupt artifact: checksum mismatch in manifest and kernel blobs");
  b = good;
  b[weightsAt + 7] ^= 0x80;
  EXPECT_EQ(parseError(b), "corrupt artifact: checksum mismatch in weights");
  b = good;
  b[kFileSizeAt + 7] ^= 0x01;
  EXPECT_EQ(parseError(b), "corrupt artifact: checksum mismatch in header");
  b = good;
  b[blobAt + getLE(good, kBlobSizeAt, 8) + 1] = 1; // padding before weights
  EXPECT_NE(parseError(b).find("corrupt artifact: non-zero padding"),
            std::string::npos)
      << parseError(b);
}

TEST(ArtifactTest, WeightsChecksumCanBeSkipped) {
  std::string b = serializeArtifact(makeSample());
  b[getLE(b, kWeightsOffsetAt, 8)] ^= 0x01;
  ArtifactParseOptions options;
  options.verifyWeightsChecksum = false;
  StatusOr<LoadedArtifact> r = parseArtifact(
      reinterpret_cast<const uint8_t *>(b.data()), b.size(), options);
  EXPECT_TRUE(r) << r.status().message();
}

TEST(ArtifactTest, EveryFlippedByteIsDetected) {
  // Every byte of the file is covered by a checksum or an explicit check.
  std::string good = serializeArtifact(makeSample());
  for (size_t i = 0; i < good.size(); ++i) {
    std::string b = good;
    b[i] ^= 0x5a;
    EXPECT_NE(parseError(b), "<ok>") << "byte " << i;
  }
}

TEST(ArtifactTest, UnknownFlagsAndReservedBytes) {
  std::string b = serializeArtifact(makeSample());
  putLE(b, kFlagsAt, 4, 4);
  fixChecksums(b);
  EXPECT_EQ(parseError(b), "artifact uses unknown flags 4; this runtime "
                           "knows none");
  b = serializeArtifact(makeSample());
  b[100] = 1;
  fixChecksums(b);
  EXPECT_EQ(parseError(b),
            "malformed artifact header: reserved bytes are not zero");
}

TEST(ArtifactTest, InconsistentLayout) {
  std::string good = serializeArtifact(makeSample());
  auto expectLayoutError = [&](size_t field, uint64_t value) {
    std::string b = good;
    putLE(b, field, value, 8);
    fixChecksums(b);
    EXPECT_NE(parseError(b).find("malformed artifact header: inconsistent "
                                 "section layout"),
              std::string::npos)
        << "field " << field << ": " << parseError(b);
  };
  expectLayoutError(kManifestOffsetAt, 64);
  expectLayoutError(kManifestSizeAt, ~uint64_t(0));
  expectLayoutError(kBlobOffsetAt, getLE(good, kBlobOffsetAt, 8) + 1);
  expectLayoutError(kBlobSizeAt, ~uint64_t(0) - 10);
  expectLayoutError(kWeightsOffsetAt, getLE(good, kWeightsOffsetAt, 8) - 64);
  expectLayoutError(kWeightsSizeAt, 1);
}

//===----------------------------------------------------------------------===//
// Manifest errors
//===----------------------------------------------------------------------===//

TEST(ArtifactTest, WithManifestHelperMatchesWriter) {
  // The test's own layout code agrees with the writer byte for byte, so the
  // malformed-manifest tests below exercise the parser and nothing else.
  std::string b = serializeArtifact(makeSample());
  EXPECT_EQ(withManifest(b, manifestOf(b)), b);
}

TEST(ArtifactTest, MalformedManifest) {
  std::string good = serializeArtifact(makeSample());
  json m = json::parse(manifestOf(good));
  auto errorWith = [&](const std::string &text) {
    return parseError(withManifest(good, text));
  };
  auto errorWithJson = [&](const std::function<void(json &)> &edit) {
    json copy = m;
    edit(copy);
    return errorWith(copy.dump());
  };
  EXPECT_EQ(errorWith("{\"producer\": "),
            "malformed artifact manifest: not valid JSON");
  EXPECT_EQ(errorWith(""), "malformed artifact manifest: not valid JSON");
  EXPECT_EQ(errorWith("[1, 2]"),
            "malformed artifact manifest: manifest: expected an object");
  EXPECT_EQ(errorWithJson([](json &j) { j.erase("buffers"); }),
            "malformed artifact manifest: missing field 'buffers'");
  EXPECT_EQ(errorWithJson([](json &j) { j["arena_bytes"] = "256"; }),
            "malformed artifact manifest: arena_bytes: expected a "
            "non-negative integer");
  EXPECT_EQ(errorWithJson([](json &j) { j["arena_bytes"] = 2.5; }),
            "malformed artifact manifest: arena_bytes: expected a "
            "non-negative integer");
  EXPECT_EQ(errorWithJson([](json &j) { j["buffers"][2]["offset"] = -64; }),
            "malformed artifact manifest: buffers[2].offset: expected a "
            "non-negative integer");
  EXPECT_EQ(errorWithJson([](json &j) { j["buffers"][1]["dtype"] = "f128"; }),
            "malformed artifact manifest: buffers[1].dtype: unknown element "
            "type 'f128'");
  EXPECT_EQ(errorWithJson([](json &j) { j["buffers"][1]["kind"] = "alias"; }),
            "malformed artifact manifest: buffers[1].kind: unknown buffer "
            "kind 'alias'");
  EXPECT_EQ(errorWithJson([](json &j) { j["buffers"][0]["shape"][1] = -3; }),
            "malformed artifact manifest: buffers[0].shape[1]: value -3 out "
            "of range [-1, 9223372036854775807]");
  EXPECT_EQ(errorWithJson([](json &j) { j["buffers"][3].erase("alias_of"); }),
            "malformed artifact manifest: buffers[3]: missing field "
            "'alias_of'");
  EXPECT_EQ(errorWithJson([](json &j) {
              j["launches"][0]["grid"] = {1, 2};
            }),
            "malformed artifact manifest: launches[0].grid: expected 3 "
            "integers");
  EXPECT_EQ(errorWithJson(
                [](json &j) { j["launches"][0]["args"][0] = 4294967296ull; }),
            "malformed artifact manifest: launches[0].args[0]: value "
            "4294967296 exceeds 4294967295");
  EXPECT_EQ(errorWithJson([](json &j) {
              j["kernels"][0]["binaries"][0]["registers"] = 1ull << 40;
            }),
            "malformed artifact manifest: kernels[0].binaries[0].registers: "
            "value 1099511627776 out of range [-2147483648, 2147483647]");
  EXPECT_EQ(errorWithJson(
                [](json &j) { j["kernels"][1]["source"]["size"] = 1u << 20; }),
            "malformed artifact manifest: kernels[1].source: blob [" +
                m["kernels"][1]["source"]["offset"].dump() +
                ", +1048576) lies outside the blob area (" +
                std::to_string(getLE(good, kBlobSizeAt, 8)) + " bytes)");
  EXPECT_EQ(
      errorWithJson([](json &j) { j["host_module"]["offset"] = ~uint64_t(0); }),
      "malformed artifact manifest: host_module: blob "
      "[18446744073709551615, +20) lies outside the blob area (" +
          std::to_string(getLE(good, kBlobSizeAt, 8)) + " bytes)");
  EXPECT_EQ(errorWithJson([](json &j) {
              j["reference"][1]["attrs"]["bounds"]["floats"][0] = "-infinity";
            }),
            "malformed artifact manifest: reference[1].attrs.bounds.floats[0]: "
            "expected a number, \"nan\", \"inf\" or \"-inf\"");
  EXPECT_EQ(errorWithJson([](json &j) { j["reference"][0]["attrs"] = 3; }),
            "malformed artifact manifest: reference[0].attrs: expected an "
            "object");
  EXPECT_EQ(errorWithJson([](json &j) { j["kernels"][0]["name"] = nullptr; }),
            "malformed artifact manifest: kernels[0].name: expected a string");
}

TEST(ArtifactTest, MutatedManifestsNeverCrash) {
  // Random edits of the manifest text, with valid checksums, so the JSON and
  // semantic checks see them. Whatever parses must also pass verifyArtifact.
  std::string good = serializeArtifact(makeSample());
  std::string text = manifestOf(good);
  std::mt19937 rng(1234);
  const char alphabet[] = "{}[]\",:0123456789-e.\\ nulltrueabc\xff";
  int accepted = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    std::string t = text;
    int edits = 1 + rng() % 3;
    for (int e = 0; e < edits; ++e) {
      size_t pos = rng() % t.size();
      switch (rng() % 3) {
      case 0:
        t[pos] = alphabet[rng() % (sizeof(alphabet) - 1)];
        break;
      case 1:
        t.erase(pos, 1 + rng() % 4);
        break;
      default:
        t.insert(pos, 1, alphabet[rng() % (sizeof(alphabet) - 1)]);
        break;
      }
      if (t.empty())
        t = "{";
    }
    std::string bytes = withManifest(good, t); // outlives weightData
    StatusOr<LoadedArtifact> r = parse(bytes);
    if (r) {
      ++accepted;
      Artifact copy = r->artifact;
      copy.weights.assign(reinterpret_cast<const char *>(r->weightData),
                          r->weightSize);
      EXPECT_TRUE(verifyArtifact(copy).isOk());
    } else {
      EXPECT_FALSE(r.status().message().empty());
    }
  }
  // Most edits break something; a few (inside strings) are harmless.
  EXPECT_LT(accepted, 3000);
}

//===----------------------------------------------------------------------===//
// Semantic errors
//===----------------------------------------------------------------------===//

/// Checks that verifyArtifact() and the parser reject `a` with `message`.
void expectInvalid(const Artifact &a, const std::string &message) {
  Status v = verifyArtifact(a);
  EXPECT_EQ(v.isOk() ? "<ok>" : v.message(), message);
  EXPECT_EQ(errorOf(a), message);
}

TEST(ArtifactTest, OutOfRangeIndices) {
  {
    Artifact a = makeSample();
    a.launches[1].args[1] = 9;
    expectInvalid(a, "invalid artifact: launch 1 ('add_relu_1') argument 1 "
                     "refers to buffer 9, but there are 9 buffers");
  }
  {
    Artifact a = makeSample();
    a.launches[0].kernel = 2;
    expectInvalid(a, "invalid artifact: launch 0 refers to kernel 2, but "
                     "there are 2 kernels");
  }
  {
    Artifact a = makeSample();
    a.inputs.push_back(100);
    expectInvalid(a, "invalid artifact: input 1 refers to buffer 100, but "
                     "there are 9 buffers");
  }
  {
    Artifact a = makeSample();
    a.outputs[0] = 9;
    expectInvalid(a, "invalid artifact: output 0 refers to buffer 9, but "
                     "there are 9 buffers");
  }
  {
    Artifact a = makeSample();
    a.reference[0].operands[1] = 42;
    expectInvalid(a, "invalid artifact: reference op 0 ('matmul' at "
                     "/fc/MatMul) operand 1 refers to buffer 42, but there "
                     "are 9 buffers");
  }
  {
    Artifact a = makeSample();
    a.reference[1].results[0] = 9;
    expectInvalid(a, "invalid artifact: reference op 1 ('clip') result 0 "
                     "refers to buffer 9, but there are 9 buffers");
  }
  {
    Artifact a = makeSample();
    a.reference[1].op.clear();
    expectInvalid(a, "invalid artifact: reference op 1 has no op name");
  }
  {
    Artifact a = makeSample();
    a.launches[0].block[2] = 0;
    expectInvalid(a, "invalid artifact: launch 0 ('matmul_0') has an empty "
                     "grid or block dimension");
  }
  {
    Artifact a = makeSample();
    a.kernels[1].name.clear();
    expectInvalid(a, "invalid artifact: kernel 1 has no name");
  }
}

TEST(ArtifactTest, ViewChains) {
  {
    Artifact a = makeSample();
    a.buffers[3].aliasOf = 9;
    expectInvalid(a, "invalid artifact: view buffer 3 refers to buffer 9, "
                     "but there are 9 buffers");
  }
  {
    Artifact a = makeSample();
    a.buffers[3].aliasOf = 4; // 3 -> 4 -> 3
    expectInvalid(a, "invalid artifact: view buffer 3 is part of an alias "
                     "cycle");
  }
  {
    Artifact a = makeSample();
    a.buffers[3].aliasOf = 3; // self
    expectInvalid(a, "invalid artifact: view buffer 3 is part of an alias "
                     "cycle");
  }
  {
    Artifact a = makeSample();
    a.buffers[4].type.shape = {2, 2, 3};
    expectInvalid(a, "invalid artifact: view buffer 4 (tensor<2x2x3xf32>, 48 "
                     "bytes) aliases buffer 2 (tensor<2x4xf32>, 32 bytes) of "
                     "a different byte size");
  }
  {
    // Same byte size through a different dtype is fine (a bitcast view).
    Artifact a = makeSample();
    a.buffers[3].type = TensorType{DType::F16, {16}};
    EXPECT_TRUE(verifyArtifact(a).isOk());
    EXPECT_EQ(errorOf(a), "<ok>");
  }
}

TEST(ArtifactTest, BuffersOutsideTheirStorage) {
  {
    Artifact a = makeSample();
    a.buffers[5].offset = 240; // 32 bytes from 240 > 256
    expectInvalid(a, "invalid artifact: buffer 5 ('y') (output, "
                     "tensor<2x4xf32>) occupies bytes [240, +32), outside "
                     "the arena (256 bytes)");
  }
  {
    Artifact a = makeSample();
    a.buffers[1].offset = 160; // 48 bytes from 160 > 200
    expectInvalid(a, "invalid artifact: buffer 1 ('fc.weight') (weight, "
                     "tensor<3x4xf32>) occupies bytes [160, +48), outside "
                     "the weights (200 bytes)");
  }
  {
    Artifact a = makeSample();
    a.buffers[6].offset = ~uint64_t(0) - 2; // would wrap around
    expectInvalid(a, "invalid artifact: buffer 6 (constant, tensor<4xf16>) "
                     "occupies bytes [18446744073709551613, +8), outside "
                     "the weights (200 bytes)");
  }
  {
    Artifact a = makeSample();
    a.buffers[2].type.shape = {int64_t(1) << 40, int64_t(1) << 40};
    expectInvalid(a, "invalid artifact: buffer 2 has invalid shape "
                     "tensor<1099511627776x1099511627776xf32>");
  }
  {
    Artifact a = makeSample();
    a.buffers[2].type.dtype = static_cast<DType>(77);
    Status v = verifyArtifact(a);
    EXPECT_EQ(v.message(), "invalid artifact: buffer 2 has invalid element "
                           "type 77");
  }
}

/// makeSample() with its weight streamed from host memory (staged for the
/// launch that reads it), a memory plan and a bucket variant.
Artifact makeTiered() {
  Artifact a = makeSample();
  a.buffers[6].offset = 0;  // constant: resident, [0, 8)
  a.buffers[1].offset = 64; // weight: streamed, [64, 112)
  a.buffers[1].streamed = true;
  a.plan.heuristic = "best-fit-decreasing-size";
  a.plan.lowerBoundBytes = 192;
  a.plan.noReuseBytes = 512;
  a.plan.inPlace = 1;
  a.plan.deviceBudgetBytes = 1024;
  a.plan.residentWeightBytes = 64;
  a.plan.stagingSlots = 1;
  a.plan.stagingSlotBytes = 256;
  a.plan.streamedBytesPerInference = 48;
  a.plan.predictedHostLinkNs = 2;
  a.plan.predictedHbmNs = 1;
  a.launches[0].stage = {{1, 0, 0}};
  BucketVariant v;
  v.name = "batch=2";
  v.dims = {{"batch", 2}};
  v.inputs = {0};
  v.outputs = {5};
  v.firstLaunch = 0;
  v.numLaunches = 2;
  v.firstReference = 0;
  v.numReferences = a.reference.size();
  v.arenaBytes = 192;
  a.buckets = {v};
  a.inputBucketAxes = {0};
  a.outputBucketAxes = {0};
  return a;
}

TEST(ArtifactTest, TieredRoundTrip) {
  Artifact a = makeTiered();
  ASSERT_TRUE(verifyArtifact(a).isOk()) << verifyArtifact(a).message();
  std::string bytes = serializeArtifact(a);
  StatusOr<LoadedArtifact> loaded = parse(bytes);
  ASSERT_TRUE(loaded) << loaded.status().message();
  expectSameArtifact(a, *loaded);
  json m = json::parse(manifestOf(bytes));
  EXPECT_EQ(m["buffers"][1]["placement"], "host");
  EXPECT_EQ(m["signature"]["buckets"][0]["dims"]["batch"], 2);
  EXPECT_EQ(m["memory_plan"]["resident_weight_bytes"], 64);
}

TEST(ArtifactTest, StagingErrors) {
  {
    Artifact a = makeTiered();
    a.launches[0].stage.clear();
    expectInvalid(a, "invalid artifact: launch 0 reads streamed buffer 1 "
                     "('fc.weight') without staging it");
  }
  {
    Artifact a = makeTiered();
    a.launches[0].stage[0].slot = 1;
    expectInvalid(a, "invalid artifact: launch 0 stage 0 uses staging slot 1 "
                     "of 1");
  }
  {
    Artifact a = makeTiered();
    a.launches[0].stage[0].offset = 224;
    expectInvalid(a, "invalid artifact: launch 0 stage 0 occupies [224, +48), "
                     "outside the 256-byte staging slot");
  }
  {
    Artifact a = makeTiered();
    a.launches[0].stage.push_back({1, 0, 32});
    expectInvalid(a, "invalid artifact: launch 0 stages two weights at "
                     "overlapping bytes");
  }
  {
    Artifact a = makeTiered();
    a.launches[1].stage = {{6, 0, 0}};
    expectInvalid(a, "invalid artifact: launch 1 stage 0 copies buffer 6, "
                     "which is not a streamed weight");
  }
  {
    Artifact a = makeTiered();
    a.buffers[2].streamed = true; // the format has no way to say this
    EXPECT_EQ(verifyArtifact(a).message(),
              "invalid artifact: buffer 2 (intermediate) is streamed; only "
              "weights may be");
  }
  {
    Artifact a = makeTiered();
    a.plan.residentWeightBytes = 96;
    expectInvalid(a, "invalid artifact: buffer 1 ('fc.weight') (streamed) "
                     "occupies [64, +48), inside the resident weights [0, "
                     "96)");
  }
  {
    Artifact a = makeTiered();
    a.plan.residentWeightBytes = 4;
    expectInvalid(a, "invalid artifact: buffer 6 (resident) occupies [0, +8), "
                     "outside the resident weights [0, 4)");
  }
  {
    Artifact a = makeTiered();
    a.plan.stagingSlots = 3;
    expectInvalid(a, "invalid artifact: memory plan: 3 staging slots; at "
                     "most 2");
  }
}

TEST(ArtifactTest, BucketErrors) {
  {
    Artifact a = makeTiered();
    a.buckets[0].numLaunches = 3;
    expectInvalid(a, "invalid artifact: bucket 0 ('batch=2') runs launches "
                     "[0, +3), but there are 2");
  }
  {
    Artifact a = makeTiered();
    a.buckets[0].inputs = {0, 0};
    expectInvalid(a, "invalid artifact: bucket 0 ('batch=2') has 2 inputs "
                     "and 1 outputs; the signature has 1 and 1");
  }
  {
    Artifact a = makeTiered();
    a.buckets[0].outputs = {77};
    expectInvalid(a, "invalid artifact: bucket 0 ('batch=2') output refers "
                     "to buffer 77, but there are 9 buffers");
  }
  {
    Artifact a = makeTiered();
    a.buckets[0].numReferences = 99;
    expectInvalid(a, "invalid artifact: bucket 0 ('batch=2') runs reference "
                     "ops [0, +99), but there are " +
                         std::to_string(a.reference.size()));
  }
  {
    Artifact a = makeTiered();
    a.buckets[0].arenaBytes = 512;
    expectInvalid(a, "invalid artifact: bucket 0 ('batch=2') needs a "
                     "512-byte arena, over the artifact's 256");
  }
  {
    Artifact a = makeTiered();
    a.outputBucketAxes.clear();
    expectInvalid(a, "invalid artifact: bucket axes for 1 inputs and 0 "
                     "outputs; the signature has 1 and 1");
  }
  {
    Artifact a = makeTiered();
    a.inputBucketAxes = {-1};
    expectInvalid(a, "invalid artifact: no input has the bucket dim");
  }
  {
    Artifact a = makeTiered();
    a.buckets[0].dims = {{"batch", 3}};
    expectInvalid(a, "invalid artifact: bucket 0 ('batch=2') input 0 has "
                     "type tensor<2x3xf32>, expected tensor<2x3xf32> with 3 "
                     "on axis 0");
  }
  {
    Artifact a = makeTiered();
    a.buckets.push_back(a.buckets[0]);
    expectInvalid(a, "invalid artifact: bucket 1 ('batch=2'): bucket values "
                     "must increase, got 2 after 2");
  }
  {
    Artifact a = makeTiered();
    a.buckets[0].dims = {{"batch", 2}, {"seq", 3}};
    expectInvalid(a, "invalid artifact: bucket 0 ('batch=2') must bind "
                     "exactly the dim 'batch'");
  }
  {
    Artifact a = makeTiered();
    a.buckets.clear(); // the format cannot say this: axes need buckets
    EXPECT_EQ(verifyArtifact(a).message(),
              "invalid artifact: bucket axes without buckets");
  }
}

TEST(ArtifactTest, MalformedPlanAndSignature) {
  std::string good = serializeArtifact(makeTiered());
  json m = json::parse(manifestOf(good));
  auto errorWithJson = [&](const std::function<void(json &)> &edit) {
    json copy = m;
    edit(copy);
    return parseError(withManifest(good, copy.dump()));
  };
  EXPECT_EQ(errorWithJson([](json &j) { j.erase("memory_plan"); }),
            "malformed artifact manifest: missing field 'memory_plan'");
  EXPECT_EQ(errorWithJson([](json &j) { j.erase("signature"); }),
            "malformed artifact manifest: missing field 'signature'");
  EXPECT_EQ(
      errorWithJson([](json &j) { j["buffers"][1]["placement"] = "disk"; }),
      "malformed artifact manifest: buffers[1].placement: expected "
      "\"device\" or \"host\", got 'disk'");
  EXPECT_EQ(errorWithJson([](json &j) {
              j["signature"]["buckets"][0]["reference"] = {1};
            }),
            "malformed artifact manifest: signature.buckets[0].reference: "
            "expected [first, count]");
  EXPECT_EQ(
      errorWithJson([](json &j) { j["signature"].erase("output_axes"); }),
      "malformed artifact manifest: signature: missing field 'output_axes'");
  EXPECT_EQ(
      errorWithJson([](json &j) { j["signature"]["input_axes"][0] = -2; }),
      "malformed artifact manifest: signature.input_axes[0]: value -2 "
      "out of range [-1, 9223372036854775807]");
  EXPECT_EQ(errorWithJson([](json &j) {
              j["signature"]["buckets"][0]["launches"] = {1};
            }),
            "malformed artifact manifest: signature.buckets[0].launches: "
            "expected [first, count]");
  EXPECT_EQ(errorWithJson([](json &j) {
              j["signature"]["buckets"][0]["dims"]["batch"] = -1;
            }),
            "malformed artifact manifest: signature.buckets[0].dims.batch: "
            "value -1 out of range [0, 9223372036854775807]");
  EXPECT_EQ(errorWithJson(
                [](json &j) { j["launches"][0]["stage"][0].erase("slot"); }),
            "malformed artifact manifest: launches[0].stage[0]: missing field "
            "'slot'");
  EXPECT_EQ(
      errorWithJson([](json &j) { j["memory_plan"]["staging_slots"] = "two"; }),
      "malformed artifact manifest: memory_plan.staging_slots: expected "
      "a non-negative integer");
}

TEST(ArtifactTest, DynamicDims) {
  {
    // Buffer 7 is used by no launch: a dynamic intermediate round-trips.
    Artifact a = makeSample();
    a.buffers[7].type.shape = {-1, 3};
    EXPECT_TRUE(verifyArtifact(a).isOk()) << verifyArtifact(a).message();
    std::string bytes = serializeArtifact(a);
    StatusOr<LoadedArtifact> parsed = parseArtifact(
        reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
    ASSERT_TRUE(parsed) << parsed.status().message();
    EXPECT_EQ(parsed->artifact.buffers[7].type.shape,
              (std::vector<int64_t>{-1, 3}));
  }
  {
    Artifact a = makeSample();
    a.buffers[2].type.shape = {2, -1}; // launch 0 argument 2
    expectInvalid(a, "invalid artifact: view buffer 3 aliases buffer 2 "
                     "(tensor<2x?xf32>), which has a dynamic shape");
  }
  {
    Artifact a = makeSample();
    a.buffers[0].type.shape = {-1, 3}; // input x, launch 0 argument 0
    expectInvalid(a, "invalid artifact: launch 0 ('matmul_0') argument 0 is "
                     "buffer 0 ('x') (tensor<?x3xf32>), which has a dynamic "
                     "shape");
  }
  {
    Artifact a = makeSample();
    a.buffers[1].type.shape = {-1, 4};
    expectInvalid(a, "invalid artifact: buffer 1 ('fc.weight') (weight, "
                     "tensor<?x4xf32>) has a dynamic shape; only input, "
                     "output and intermediate buffers may");
  }
  {
    Artifact a = makeSample();
    a.buffers[7].type.shape = {-1, int64_t(1) << 62};
    expectInvalid(a, "invalid artifact: buffer 7 has invalid shape "
                     "tensor<?x4611686018427387904xi64>");
  }
  {
    Artifact a = makeSample();
    a.buffers[7].type.shape = {-2};
    Status v = verifyArtifact(a);
    EXPECT_EQ(v.message(), "invalid artifact: buffer 7 has invalid shape "
                           "tensor<?xi64>");
  }
}

//===----------------------------------------------------------------------===//
// Files
//===----------------------------------------------------------------------===//

using ArtifactFileTest = TempDirTest;

TEST_F(ArtifactFileTest, WriteMapAndParse) {
  Artifact a = makeSample();
  std::string path = dir + "/model.dsa";
  ASSERT_TRUE(writeArtifactFile(a, path).isOk());
  // Overwriting is atomic and leaves no temporary behind.
  a.producer = "second";
  Status s = writeArtifactFile(a, path);
  ASSERT_TRUE(s.isOk()) << s.message();
  size_t files = 0;
  for (const auto &entry : std::filesystem::directory_iterator(dir)) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1u);

  StatusOr<std::shared_ptr<MappedFile>> file = MappedFile::open(path);
  ASSERT_TRUE(file) << file.status().message();
  StatusOr<LoadedArtifact> loaded =
      parseArtifact((*file)->data(), (*file)->size());
  ASSERT_TRUE(loaded) << loaded.status().message();
  expectSameArtifact(a, *loaded);
  // The weights can be mapped and uploaded in place.
  EXPECT_EQ(reinterpret_cast<uintptr_t>(loaded->weightData) % 4096, 0u);
}

TEST_F(ArtifactFileTest, WriteIntoMissingDirectoryFails) {
  Status s = writeArtifactFile(makeSample(), dir + "/no/such/dir/model.dsa");
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("cannot write artifact"), std::string::npos)
      << s.message();
}

} // namespace
