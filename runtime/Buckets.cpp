//===- Buckets.cpp - bucket choice, padding and slicing -------------------===//

#include "runtime/Buckets.h"

#include <algorithm>
#include <cstring>

using namespace ds::runtime;

std::string ds::runtime::bucketDimName(const Artifact &a) {
  if (a.buckets.empty() || a.buckets.front().dims.empty())
    return "";
  return a.buckets.front().dims.begin()->first;
}

static int64_t bucketValue(const BucketVariant &v) {
  return v.dims.empty() ? 0 : v.dims.begin()->second;
}

TensorType ds::runtime::bucketSignatureType(const Artifact &a, size_t i,
                                            bool output) {
  const std::vector<uint32_t> &ids = output ? a.outputs : a.inputs;
  const std::vector<int32_t> &axes =
      output ? a.outputBucketAxes : a.inputBucketAxes;
  TensorType t = a.buffers[ids[i]].type;
  if (i < axes.size() && axes[i] >= 0 &&
      static_cast<size_t>(axes[i]) < t.shape.size())
    t.shape[axes[i]] = -1;
  return t;
}

StatusOr<BucketChoice>
ds::runtime::selectBucket(const Artifact &a,
                          const std::vector<HostTensor> &inputs) {
  if (a.buckets.empty())
    return Status::error("the artifact has no buckets");
  if (inputs.size() != a.inputs.size())
    return Status::error("expected " + std::to_string(a.inputs.size()) +
                         " input(s), got " + std::to_string(inputs.size()));
  std::string dim = bucketDimName(a);
  int64_t size = -1;
  std::string sizeFrom;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const BufferDesc &b = a.buffers[a.inputs[i]];
    TensorType want = bucketSignatureType(a, i, /*output=*/false);
    const TensorType &got = inputs[i].type;
    bool matches =
        got.dtype == want.dtype && got.shape.size() == want.shape.size();
    for (size_t d = 0; matches && d < want.shape.size(); ++d)
      matches = got.shape[d] >= 0 &&
                (want.shape[d] < 0 || want.shape[d] == got.shape[d]);
    if (!matches)
      return Status::error("input '" + b.name + "': expected " + want.str() +
                           " (" + dim + " on the -1 dim), got " + got.str());
    std::optional<uint64_t> bytes = got.checkedByteSize();
    if (!bytes || inputs[i].bytes.size() != *bytes)
      return Status::error("input '" + b.name + "' holds " +
                           std::to_string(inputs[i].bytes.size()) +
                           " bytes, but " + got.str() + " needs " +
                           std::to_string(bytes.value_or(0)));
    int32_t axis = a.inputBucketAxes[i];
    if (axis < 0)
      continue;
    int64_t n = got.shape[axis];
    if (size >= 0 && n != size)
      return Status::error("input '" + b.name + "' has " + dim + "=" +
                           std::to_string(n) + " (dim " + std::to_string(axis) +
                           " of " + got.str() + "), but input '" + sizeFrom +
                           "' has " + dim + "=" + std::to_string(size));
    size = n;
    sizeFrom = b.name;
  }
  for (size_t k = 0; k < a.buckets.size(); ++k)
    if (bucketValue(a.buckets[k]) >= size)
      return BucketChoice{k, size};
  std::string values;
  for (const BucketVariant &v : a.buckets)
    values += (values.empty() ? "" : ", ") + std::to_string(bucketValue(v));
  return Status::error(
      dim + "=" + std::to_string(size) + " exceeds the largest bucket (" + dim +
      "=" + std::to_string(bucketValue(a.buckets.back())) + "; buckets: " +
      values + "); compile with a larger bucket (ds-compile --buckets)");
}

namespace {
/// Copies `n` entries of `axis` from `from` (its size `fromSize` there) into
/// `to` (its size `toSize` there); both share every other dim.
void copyAlongAxis(const HostTensor &from, int64_t fromSize, HostTensor &to,
                   int64_t toSize, size_t axis, int64_t n) {
  const std::vector<int64_t> &shape = from.type.shape;
  uint64_t outer = 1, inner = dtypeSize(from.type.dtype);
  for (size_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (size_t d = axis + 1; d < shape.size(); ++d)
    inner *= shape[d];
  uint64_t chunk = static_cast<uint64_t>(n) * inner;
  if (!chunk)
    return;
  for (uint64_t o = 0; o < outer; ++o)
    std::memcpy(to.bytes.data() + o * toSize * inner,
                from.bytes.data() + o * fromSize * inner, chunk);
}
} // namespace

HostTensor ds::runtime::padAlongAxis(const HostTensor &t, size_t axis,
                                     int64_t size) {
  TensorType type = t.type;
  int64_t n = type.shape[axis];
  type.shape[axis] = size;
  HostTensor out(type); // zero-filled
  copyAlongAxis(t, n, out, size, axis, n);
  return out;
}

HostTensor ds::runtime::sliceAlongAxis(const HostTensor &t, size_t axis,
                                       int64_t size) {
  TensorType type = t.type;
  int64_t n = type.shape[axis];
  type.shape[axis] = size;
  HostTensor out(type);
  copyAlongAxis(t, n, out, size, axis, size);
  return out;
}
