//===- WeightStore.h - The weight files of a module -------------*- C++ -*-===//
//
// A module's weights live outside the IR in safetensors files named by the
// module attribute `ds.weight_files` (an array of paths, searched in order;
// the first file holding a name wins). The importer writes the first file;
// passes that create weights (constant folding, quantization) write theirs
// with DerivedWeights and append them. Relative paths are resolved against
// the directory of the module's source file, then the working directory.
//
//===----------------------------------------------------------------------===//

#ifndef DS_PASSES_WEIGHTSTORE_H
#define DS_PASSES_WEIGHTSTORE_H

#include "dialects/DS/DSOps.h"
#include "runtime/Npy.h"
#include "runtime/SafeTensors.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringSet.h"

#include <string>
#include <vector>

namespace mlir::ds {

/// Name of the module attribute listing the weight files.
inline constexpr llvm::StringLiteral kWeightFilesAttr = "ds.weight_files";

/// The paths in `ds.weight_files`, as written.
SmallVector<std::string> getWeightFiles(ModuleOp module);
/// Replaces `ds.weight_files`.
void setWeightFiles(ModuleOp module, ArrayRef<std::string> paths);

/// The opened weight files of a module.
class ModuleWeights {
public:
  /// Opens every file of `ds.weight_files`, after `extraFirst` when not
  /// empty (a file given on a tool's command line). A missing or malformed
  /// file is an error on the module naming it.
  static FailureOr<ModuleWeights> open(ModuleOp module,
                                       llvm::StringRef extraFirst = "");

  /// The stored tensor of `op`, checked against its dtype and shape; an
  /// error on `op` names the weight, the files and both types.
  FailureOr<::ds::runtime::SafeTensorEntry> lookup(WeightOp op) const;
  /// lookup() copied into a host tensor.
  FailureOr<::ds::runtime::HostTensor> read(WeightOp op) const;
  /// True when no file is open.
  bool empty() const { return files.empty(); }

private:
  std::vector<::ds::runtime::SafeTensorsFile> files;
};

/// New weights created by a pass, written as one safetensors file that is
/// appended to the module's `ds.weight_files` by finish().
class DerivedWeights {
public:
  /// `outPath` is the file to write; empty means `<stem>.<suffix>.safetensors`
  /// beside the module's first weight file.
  DerivedWeights(ModuleOp module, llvm::StringRef outPath,
                 llvm::StringRef suffix);

  /// Creates a `ds.weight` holding `bytes` (little-endian, `type`'s layout)
  /// under a new name made from `nameHint`.
  WeightOp add(OpBuilder &builder, Location loc, llvm::StringRef nameHint,
               RankedTensorType type, std::vector<uint8_t> bytes);

  /// Number of tensors and bytes added so far; after finish(), written.
  size_t size() const { return tensors.size(); }
  uint64_t byteSize() const { return bytes; }

  /// Writes the added weights the module still references (nothing when
  /// none) and records the file in `ds.weight_files`. Errors are emitted on
  /// the module.
  LogicalResult finish();

private:
  ModuleOp module;
  std::string outPath;
  std::string suffix;
  std::vector<std::pair<std::string, ::ds::runtime::HostTensor>> tensors;
  llvm::StringSet<> usedNames;
  uint64_t bytes = 0;
};

} // namespace mlir::ds

#endif // DS_PASSES_WEIGHTSTORE_H
