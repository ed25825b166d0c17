//===- ReferenceQuantized.cpp - dequantize_int4 ---------------------------===//
//
// The reference of the INT4 weight path: dequantize_int4 expands the stored
// form (runtime/Int4.h, docs/design/int4.md) with the quantizer's own
// dequantization, so the executor and the quantizer cannot disagree on the
// layout.
//
//===----------------------------------------------------------------------===//

#include "runtime/Int4.h"
#include "runtime/ReferenceSupport.h"

namespace ds::runtime::ref {

namespace {

Status dequantizeInt4Op(const RefOp &op, const Operands &in,
                        const Results &out) {
  const HostTensor &packed = *in[0], &scales = *in[1];
  const HostTensor *zeros = in.size() > 2 ? in[2] : nullptr;
  if (packed.type.dtype != DType::U8)
    return unsupportedType(op, packed.type.dtype, "packed (u8 expected)");
  if (scales.type.dtype != DType::F16)
    return unsupportedType(op, scales.type.dtype, "scales (f16 expected)");
  if (zeros && zeros->type.dtype != DType::U8)
    return unsupportedType(op, zeros->type.dtype, "zeros (u8 expected)");
  int64_t group;
  DS_RETURN_IF_ERROR(intAttr(op, "group_size", std::nullopt, group));
  if (group < 2)
    return opError(op, "group_size must be >= 2, got " + std::to_string(group));
  const TensorType &declared = out[0]->type;
  if (declared.shape.size() != 2 || declared.shape[0] < 0 ||
      declared.shape[1] < 0)
    return opError(op, "needs a static 2-D result type, got " + declared.str());
  if (!isFloatType(declared.dtype))
    return unsupportedType(op, declared.dtype);
  int64_t k = declared.shape[0], n = declared.shape[1];

  int4::QuantizedMatrix m;
  m.rows = n;
  m.cols = k;
  m.groupSize = group;
  m.symmetric = zeros == nullptr;
  Shape packedShape = {n, m.bytesPerRow()}, groupShape = {n, m.groupsPerRow()};
  if (packed.type.shape != packedShape)
    return opError(op, "packed must be " + shapeStr(packedShape) + " for a " +
                           shapeStr({k, n}) + " result, got " +
                           shapeStr(packed.type.shape));
  for (const HostTensor *t : {&scales, zeros})
    if (t && t->type.shape != groupShape)
      return opError(op, std::string(t == &scales ? "scales" : "zeros") +
                             " must be " + shapeStr(groupShape) + ", got " +
                             shapeStr(t->type.shape));
  m.packed = packed.bytes;
  m.scales.assign(scales.data<uint16_t>(),
                  scales.data<uint16_t>() + scales.type.numElements());
  if (zeros) {
    m.zeros = zeros->bytes;
    for (uint8_t z : m.zeros)
      if (z > 15)
        return opError(op, "zero point " + std::to_string(z) +
                               " is outside [0, 15]");
  }

  DS_RETURN_IF_ERROR(setResult(op, *out[0], declared));
  std::vector<float> rows = int4::dequantize(m); // [n, k]
  std::vector<float> values(k * n);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < k; ++c)
      values[c * n + r] = rows[r * k + c];
  storeElements(*out[0], values.data());
  return Status::ok();
}

} // namespace

std::vector<OpEntry> quantizedOps() {
  return {
      {"dequantize_int4", 2, 3, 1, dequantizeInt4Op},
  };
}

} // namespace ds::runtime::ref
