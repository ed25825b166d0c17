//===- Buckets.h - bucket choice, padding and slicing -----------*- C++ -*-===//
//
// A bucketed artifact (docs/design/artifact-format.md, `signature.buckets`)
// holds one static program per value of one dynamic dim (the batch). For
// given inputs the runtime runs the smallest bucket whose value is at least
// the inputs' size along that dim, with the inputs zero-padded to the bucket
// and the outputs sliced back. This is exact when every sample along the dim
// is computed independently of the others (true of inference models batched
// along their batch dim; docs/design/memory-planning.md, "Buckets"). Used by
// the Session and by the reference executor.
//
//===----------------------------------------------------------------------===//

#ifndef DS_RUNTIME_BUCKETS_H
#define DS_RUNTIME_BUCKETS_H

#include "runtime/Artifact.h"
#include "runtime/Npy.h"
#include "runtime/Status.h"

#include <cstdint>
#include <vector>

namespace ds::runtime {

/// The bucket inputs run in and their real size along the bucket dim.
struct BucketChoice {
  size_t bucket = 0; ///< index into Artifact::buckets
  int64_t size = 0;  ///< the inputs' size along the bucket dim
};

/// The bucketed dim's name ("" without buckets).
std::string bucketDimName(const Artifact &a);

/// Picks the bucket for `inputs` (signature order) of an artifact with
/// buckets. Errors (naming the input and the types): wrong input count,
/// element type or rank, a non-bucket dim that differs from the signature,
/// inputs that disagree on the bucket dim, or a size above the largest
/// bucket.
StatusOr<BucketChoice> selectBucket(const Artifact &a,
                                    const std::vector<HostTensor> &inputs);

/// `t` grown to `size` entries along `axis`, the new entries zero bytes.
/// `size` must be at least t's size along `axis`.
HostTensor padAlongAxis(const HostTensor &t, size_t axis, int64_t size);

/// The first `size` entries of `t` along `axis`.
HostTensor sliceAlongAxis(const HostTensor &t, size_t axis, int64_t size);

/// The signature type of input `i` (or output `i`): the bucket axis is -1.
TensorType bucketSignatureType(const Artifact &a, size_t i, bool output);

} // namespace ds::runtime

#endif // DS_RUNTIME_BUCKETS_H
