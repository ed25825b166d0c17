//===- WeightStore.cpp - The weight files of a module ---------------------===//

#include "passes/WeightStore.h"

#include "passes/ReferenceBridge.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace mlir::ds;
namespace rt = ::ds::runtime;

SmallVector<std::string> mlir::ds::getWeightFiles(ModuleOp module) {
  SmallVector<std::string> paths;
  if (auto array = module->getAttrOfType<ArrayAttr>(kWeightFilesAttr))
    for (Attribute a : array)
      if (auto s = dyn_cast<StringAttr>(a))
        paths.push_back(s.str());
  return paths;
}

void mlir::ds::setWeightFiles(ModuleOp module, ArrayRef<std::string> paths) {
  Builder b(module.getContext());
  SmallVector<Attribute> attrs;
  for (const std::string &p : paths)
    attrs.push_back(b.getStringAttr(p));
  module->setAttr(kWeightFilesAttr, b.getArrayAttr(attrs));
}

/// `path` as written when it exists (absolute, or relative to the working
/// directory), else relative to the directory of the module's source file.
static std::string resolvePath(ModuleOp module, llvm::StringRef path) {
  if (llvm::sys::path::is_absolute(path) || llvm::sys::fs::exists(path))
    return path.str();
  if (auto file = module->getLoc()->findInstanceOf<FileLineColLoc>()) {
    llvm::SmallString<256> p(
        llvm::sys::path::parent_path(file.getFilename().strref()));
    llvm::sys::path::append(p, path);
    if (llvm::sys::fs::exists(p))
      return std::string(p);
  }
  return path.str();
}

FailureOr<ModuleWeights> ModuleWeights::open(ModuleOp module,
                                             llvm::StringRef extraFirst) {
  ModuleWeights weights;
  SmallVector<std::string> paths;
  if (!extraFirst.empty())
    paths.push_back(extraFirst.str());
  for (const std::string &p : getWeightFiles(module))
    paths.push_back(resolvePath(module, p));
  llvm::StringSet<> seen;
  for (const std::string &p : paths) {
    if (!seen.insert(p).second)
      continue;
    rt::StatusOr<rt::SafeTensorsFile> file = rt::SafeTensorsFile::open(p);
    if (!file)
      return module.emitError()
             << "cannot open weights: " << file.status().message();
    weights.files.push_back(std::move(*file));
  }
  return weights;
}

FailureOr<rt::SafeTensorEntry> ModuleWeights::lookup(WeightOp op) const {
  std::string name = op.getName().str();
  auto type = cast<RankedTensorType>(op.getType());
  std::optional<rt::DType> dtype = toDType(type.getElementType());
  if (!dtype)
    return op.emitOpError() << "weight '" << name
                            << "' has an element type weights files cannot "
                               "hold";
  rt::TensorType expected;
  expected.dtype = *dtype;
  expected.shape.assign(type.getShape().begin(), type.getShape().end());
  for (const rt::SafeTensorsFile &f : files) {
    if (!f.get(name))
      continue;
    rt::StatusOr<rt::SafeTensorEntry> entry = f.getChecked(name, expected);
    if (!entry)
      return op.emitOpError() << entry.status().message();
    return *entry;
  }
  if (files.empty())
    return op.emitOpError("references weight '")
           << name
           << "' but no weights file was given (ds.weight_files or --weights)";
  rt::StatusOr<rt::SafeTensorEntry> missing = files.front().get(name);
  InFlightDiagnostic diag = op.emitOpError() << missing.status().message();
  if (files.size() > 1)
    diag << " (nor in the " << files.size() - 1 << " other weight files)";
  return diag;
}

FailureOr<rt::HostTensor> ModuleWeights::read(WeightOp op) const {
  FailureOr<rt::SafeTensorEntry> entry = lookup(op);
  if (failed(entry))
    return failure();
  rt::HostTensor t(entry->type);
  std::copy(entry->data, entry->data + entry->byteSize, t.bytes.begin());
  return t;
}

DerivedWeights::DerivedWeights(ModuleOp module, llvm::StringRef outPath,
                               llvm::StringRef suffix)
    : module(module), outPath(outPath.str()), suffix(suffix.str()) {
  module.walk([&](WeightOp w) { usedNames.insert(w.getName()); });
  for (const std::string &p : getWeightFiles(module))
    if (rt::StatusOr<rt::SafeTensorsFile> f =
            rt::SafeTensorsFile::open(resolvePath(module, p)))
      for (const std::string &n : f->names())
        usedNames.insert(n);
}

WeightOp DerivedWeights::add(OpBuilder &builder, Location loc,
                             llvm::StringRef nameHint, RankedTensorType type,
                             std::vector<uint8_t> data) {
  std::string base = (suffix + "." + nameHint).str();
  std::string name = base;
  for (unsigned i = 1; usedNames.contains(name); ++i)
    name = base + "." + std::to_string(i);
  usedNames.insert(name);
  rt::HostTensor t;
  t.type.dtype = *toDType(type.getElementType());
  t.type.shape.assign(type.getShape().begin(), type.getShape().end());
  t.bytes = std::move(data);
  bytes += t.bytes.size();
  tensors.emplace_back(name, std::move(t));
  return WeightOp::create(builder, loc, type, name);
}

LogicalResult DerivedWeights::finish() {
  // Weights that later rewrites consumed (a folded chain's intermediates)
  // are not written.
  llvm::StringSet<> referenced;
  module.walk([&](WeightOp w) { referenced.insert(w.getName()); });
  llvm::erase_if(tensors,
                 [&](const auto &t) { return !referenced.contains(t.first); });
  bytes = 0;
  for (const auto &t : tensors)
    bytes += t.second.bytes.size();
  if (tensors.empty())
    return success();
  SmallVector<std::string> files = getWeightFiles(module);
  // `path` is where the file goes; `recorded` is how ds.weight_files names
  // it (beside the first file, named the same way as it).
  std::string path = outPath, recorded = outPath;
  if (path.empty()) {
    if (files.empty())
      return module.emitError()
             << "new weights need a file: give the pass `weights-out` (the "
                "module has no ds.weight_files to write beside)";
    auto besideFirst = [&](llvm::StringRef first) {
      llvm::SmallString<256> p(first);
      llvm::sys::path::replace_extension(p, "");
      p += "." + suffix + ".safetensors";
      return std::string(p);
    };
    path = besideFirst(resolvePath(module, files.front()));
    recorded = besideFirst(files.front());
  }
  for (const std::string &f : files)
    if (resolvePath(module, f) == path || f == recorded)
      return module.emitError() << "weights-out '" << path
                                << "' is already one of the module's weight "
                                   "files; writing it would lose weights";
  std::vector<rt::SafeTensorToWrite> out;
  for (const auto &[name, t] : tensors)
    out.push_back({name, t.type, t.bytes.data()});
  rt::Status st = rt::writeSafeTensors(path, out, {{"ds.derived", suffix}});
  if (!st)
    return module.emitError() << "cannot write weights: " << st.message();
  files.push_back(recorded);
  setWeightFiles(module, files);
  return success();
}
