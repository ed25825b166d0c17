//===- Reference.cpp - CPU reference executor for ds ops ------------------===//
//
// The dispatch table, the checks every op shares, and program execution. The
// kernels live by category next to this file (ReferenceElementwise.cpp,
// ReferenceContraction.cpp, ReferenceNormalization.cpp,
// ReferenceDataMovement.cpp) with their helpers in ReferenceSupport.h; adding
// an op means adding a kernel in its category and one row to that
// category's table.
//
//===----------------------------------------------------------------------===//

#include "runtime/Reference.h"
#include "runtime/Buckets.h"
#include "runtime/ReferenceSupport.h"

#include <cstring>
#include <new>
#include <stdexcept>

using namespace ds::runtime;
using namespace ds::runtime::ref;

namespace {

//===----------------------------------------------------------------------===//
// Dispatch table
//===----------------------------------------------------------------------===//

const std::vector<OpEntry> &opTable() {
  static const std::vector<OpEntry> table = [] {
    std::vector<OpEntry> all;
    for (auto category : {elementwiseOps, contractionOps, normalizationOps,
                          dataMovementOps, quantizedOps}) {
      std::vector<OpEntry> rows = category();
      all.insert(all.end(), rows.begin(), rows.end());
    }
    return all;
  }();
  return table;
}

const OpEntry *findOp(const std::string &name) {
  for (const OpEntry &e : opTable())
    if (name == e.name)
      return &e;
  return nullptr;
}

std::string arityText(const OpEntry &e) {
  if (e.maxOperands == ~0u)
    return "at least " + std::to_string(e.minOperands);
  if (e.minOperands == e.maxOperands)
    return std::to_string(e.minOperands);
  return std::to_string(e.minOperands) + " to " + std::to_string(e.maxOperands);
}

/// Checks that an operand's byte vector matches its (static) type.
Status checkOperandStorage(const RefOp &op, const HostTensor &t, size_t index) {
  std::string label = "operand #" + std::to_string(index);
  std::optional<uint64_t> size = t.type.checkedByteSize();
  if (!size)
    return opError(op, label + " has an invalid type " + t.type.str());
  if (t.bytes.size() != *size)
    return opError(op, label + " holds " + std::to_string(t.bytes.size()) +
                           " bytes but " + t.type.str() + " needs " +
                           std::to_string(*size));
  return Status::ok();
}

/// A declared result type may leave dims dynamic (-1); nothing else.
Status checkDeclaredResult(const RefOp &op, const HostTensor &t, size_t index) {
  for (int64_t d : t.type.shape)
    if (d < -1)
      return opError(op, "result #" + std::to_string(index) +
                             " is declared with an invalid dim " +
                             std::to_string(d) + " in " + t.type.str());
  if (dtypeSize(t.type.dtype) == 0)
    return opError(op, "result #" + std::to_string(index) +
                           " is declared with an invalid element type");
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Program execution
//===----------------------------------------------------------------------===//

/// Host storage for every buffer of a program while the reference runs.
/// Buffers get their bytes (and, where their declared type is dynamic, their
/// shape) from the op that writes them, a bound input, or the weight blob.
class ReferenceState {
public:
  explicit ReferenceState(const LoadedArtifact &artifact)
      : la(artifact), tensors(artifact.artifact.buffers.size()),
        ready(artifact.artifact.buffers.size(), false) {}

  /// Binds `inputs` to buffers `inputIds` (signature order).
  Status init(const std::vector<HostTensor> &inputs,
              const std::vector<uint32_t> &inputIds) {
    const Artifact &a = la.artifact;
    if (inputs.size() != inputIds.size())
      return Status::error("reference program: expected " +
                           std::to_string(inputIds.size()) + " inputs, got " +
                           std::to_string(inputs.size()));
    for (size_t id = 0; id < a.buffers.size(); ++id) {
      const BufferDesc &b = a.buffers[id];
      // Only the declared type for now; bytes come when the buffer is
      // written.
      tensors[id].type = b.type;
      if (b.kind != BufferDesc::Kind::Weight &&
          b.kind != BufferDesc::Kind::Constant)
        continue;
      std::optional<uint64_t> size = b.type.checkedByteSize();
      if (!size || b.offset > la.weightSize || *size > la.weightSize - b.offset)
        return Status::error("reference program: weight '" + b.name + "' (" +
                             b.type.str() + ") lies outside the weight blob");
      tensors[id].bytes.assign(la.weightData + b.offset,
                               la.weightData + b.offset + *size);
      ready[id] = true;
    }
    for (size_t i = 0; i < inputs.size(); ++i) {
      uint32_t id = inputIds[i];
      const BufferDesc &b = a.buffers[id];
      DS_RETURN_IF_ERROR(bindInput(b, inputs[i]));
      tensors[id] = inputs[i];
      ready[id] = true;
    }
    return Status::ok();
  }

  /// Makes buffer `id` readable: views are copied from their base on first
  /// read; anything else must have been written already.
  Status ensureReady(uint32_t id, const std::string &reader) {
    const std::vector<BufferDesc> &buffers = la.artifact.buffers;
    // Walk the view chain down to a buffer that holds data.
    std::vector<uint32_t> chain;
    uint32_t cur = id;
    while (!ready[cur]) {
      const BufferDesc &b = buffers[cur];
      if (b.kind != BufferDesc::Kind::View)
        return Status::error(reader + " reads buffer " + std::to_string(cur) +
                             describe(b) + " before any op wrote it");
      if (b.aliasOf >= buffers.size())
        return Status::error("reference program: view " + std::to_string(cur) +
                             " aliases unknown buffer " +
                             std::to_string(b.aliasOf));
      if (chain.size() > buffers.size())
        return Status::error("reference program: view chain of buffer " +
                             std::to_string(id) + " is cyclic");
      chain.push_back(cur);
      cur = b.aliasOf;
    }
    // Materialize from the base up; a view keeps its own (static) type.
    for (size_t i = chain.size(); i-- > 0;) {
      uint32_t view = chain[i];
      const HostTensor &base = tensors[buffers[view].aliasOf];
      std::optional<uint64_t> size = tensors[view].type.checkedByteSize();
      if (!size || base.bytes.size() != *size)
        return Status::error("reference program: view " + std::to_string(view) +
                             " (" + tensors[view].type.str() +
                             ") and its base " + base.type.str() +
                             " differ in size");
      tensors[view].bytes = base.bytes;
      ready[view] = true;
    }
    return Status::ok();
  }

  Status runOp(size_t index, const RefOp &op) {
    std::string reader = "reference op #" + std::to_string(index) + " '" +
                         op.op + "'" +
                         (op.location.empty() ? "" : " at " + op.location);
    Operands operands;
    Results results;
    for (uint32_t id : op.operands) {
      if (id >= tensors.size())
        return Status::error(reader + ": operand buffer " + std::to_string(id) +
                             " does not exist");
      DS_RETURN_IF_ERROR(ensureReady(id, reader));
      operands.push_back(&tensors[id]);
    }
    // Results are written into scratch tensors carrying only the declared
    // type, so an op whose result is also an operand (in place) still reads
    // its original input, and the op sizes the result itself.
    std::vector<HostTensor> scratch(op.results.size());
    for (size_t i = 0; i < op.results.size(); ++i) {
      uint32_t id = op.results[i];
      if (id >= tensors.size())
        return Status::error(reader + ": result buffer " + std::to_string(id) +
                             " does not exist");
      scratch[i].type = la.artifact.buffers[id].type;
    }
    for (HostTensor &t : scratch)
      results.push_back(&t);
    DS_RETURN_IF_ERROR(runReferenceOp(op, operands, results));
    for (size_t i = 0; i < op.results.size(); ++i) {
      tensors[op.results[i]] = std::move(scratch[i]);
      ready[op.results[i]] = true;
    }
    return Status::ok();
  }

  StatusOr<std::vector<HostTensor>>
  takeOutputs(const std::vector<uint32_t> &outputIds) {
    std::vector<HostTensor> outs;
    for (uint32_t id : outputIds) {
      DS_RETURN_IF_ERROR(ensureReady(id, "reference program output"));
      outs.push_back(tensors[id]);
    }
    return outs;
  }

private:
  static std::string describe(const BufferDesc &b) {
    return b.name.empty() ? "" : " ('" + b.name + "')";
  }

  /// An input binds when its element type and rank match and every static
  /// dim of the declared type agrees; -1 dims take the bound tensor's.
  static Status bindInput(const BufferDesc &b, const HostTensor &t) {
    const TensorType &want = b.type;
    bool matches =
        t.type.dtype == want.dtype && t.type.shape.size() == want.shape.size();
    for (size_t d = 0; matches && d < want.shape.size(); ++d)
      matches = t.type.shape[d] >= 0 &&
                (want.shape[d] < 0 || want.shape[d] == t.type.shape[d]);
    if (!matches)
      return Status::error("reference program: input '" + b.name +
                           "' expects " + want.str() + ", got " + t.type.str());
    std::optional<uint64_t> size = t.type.checkedByteSize();
    if (!size || t.bytes.size() != *size)
      return Status::error("reference program: input '" + b.name + "' holds " +
                           std::to_string(t.bytes.size()) + " bytes, " +
                           t.type.str() + " needs " +
                           std::to_string(size.value_or(0)));
    return Status::ok();
  }

  const LoadedArtifact &la;
  std::vector<HostTensor> tensors;
  std::vector<bool> ready;
};

} // namespace

Status ds::runtime::runReferenceOp(const RefOp &op, const Operands &operands,
                                   const Results &results) {
  const OpEntry *entry = findOp(op.op);
  if (!entry)
    return opError(op, "unknown op");
  if (operands.size() < entry->minOperands ||
      operands.size() > entry->maxOperands ||
      results.size() != entry->numResults)
    return opError(op, "expects " + arityText(*entry) + " operand(s) and " +
                           std::to_string(entry->numResults) +
                           " result(s), got " +
                           std::to_string(operands.size()) + " and " +
                           std::to_string(results.size()));
  for (size_t i = 0; i < operands.size(); ++i) {
    if (!operands[i])
      return opError(op, "operand #" + std::to_string(i) + " is null");
    DS_RETURN_IF_ERROR(checkOperandStorage(op, *operands[i], i));
  }
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i])
      return opError(op, "result #" + std::to_string(i) + " is null");
    DS_RETURN_IF_ERROR(checkDeclaredResult(op, *results[i], i));
    for (const HostTensor *o : operands)
      if (o == results[i])
        return opError(op,
                       "result #" + std::to_string(i) + " is also an operand");
  }
  // Shapes computed from operand values can ask for more memory than there
  // is; no exception may leave the runtime API.
  try {
    return entry->fn(op, operands, results);
  } catch (const std::bad_alloc &) {
    return opError(op, "out of memory");
  } catch (const std::length_error &) {
    return opError(op, "out of memory");
  }
}

StatusOr<std::vector<HostTensor>>
ds::runtime::runReferenceProgram(const LoadedArtifact &artifact,
                                 const std::vector<HostTensor> &inputs) {
  const Artifact &a = artifact.artifact;
  ReferenceState state(artifact);
  try {
    const std::vector<RefOp> &ops = a.reference;
    if (a.buckets.empty()) {
      DS_RETURN_IF_ERROR(state.init(inputs, a.inputs));
      for (size_t i = 0; i < ops.size(); ++i)
        DS_RETURN_IF_ERROR(state.runOp(i, ops[i]));
      return state.takeOutputs(a.outputs);
    }
    // The bucket's ops on the padded inputs, outputs sliced back: what the
    // compiled program computes (runtime/Buckets.h).
    StatusOr<BucketChoice> choice = selectBucket(a, inputs);
    if (!choice)
      return choice.status().withContext("reference program");
    const BucketVariant &v = a.buckets[choice->bucket];
    std::vector<HostTensor> padded;
    for (size_t i = 0; i < inputs.size(); ++i) {
      int32_t axis = a.inputBucketAxes[i];
      padded.push_back(
          axis < 0 ? inputs[i]
                   : padAlongAxis(inputs[i], axis,
                                  a.buffers[v.inputs[i]].type.shape[axis]));
    }
    DS_RETURN_IF_ERROR(state.init(padded, v.inputs));
    for (size_t i = v.firstReference; i < v.firstReference + v.numReferences;
         ++i)
      DS_RETURN_IF_ERROR(state.runOp(i, ops[i]));
    StatusOr<std::vector<HostTensor>> outs = state.takeOutputs(v.outputs);
    if (!outs)
      return outs.status();
    for (size_t i = 0; i < outs->size(); ++i)
      if (a.outputBucketAxes[i] >= 0)
        (*outs)[i] =
            sliceAlongAxis((*outs)[i], a.outputBucketAxes[i], choice->size);
    return outs;
  } catch (const std::bad_alloc &) {
    return Status::error("reference program: out of memory");
  }
}

bool ds::runtime::hasReferenceOp(const std::string &opName) {
  return findOp(opName) != nullptr;
}

std::vector<std::string> ds::runtime::referenceOpNames() {
  std::vector<std::string> names;
  for (const OpEntry &e : opTable())
    names.push_back(e.name);
  return names;
}
