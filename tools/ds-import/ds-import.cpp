//===- ds-import.cpp - ONNX model importer driver -------------------------===//
//
// ds-import model.onnx -o model.mlir [--weights-out FILE]
//                                    [--inline-constant-limit N]
//
// Imports an ONNX model into the ds dialect. The weights go to a safetensors
// file (by default the output path with the extension .safetensors, or the
// model's path so when the IR goes to stdout); the IR keeps only their names.
//
//===----------------------------------------------------------------------===//

#include "passes/WeightStore.h"
#include "tools/ds-import/OnnxImporter.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {
cl::OptionCategory category("ds-import options");

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx>"),
                               cl::Required, cl::cat(category));
cl::opt<std::string> outputFile("o", cl::desc("Output IR file ('-': stdout)"),
                                cl::value_desc("file"), cl::init("-"),
                                cl::cat(category));
cl::opt<std::string> weightsOut(
    "weights-out",
    cl::desc("safetensors file for the weights (default: the output, or with "
             "-o -, the model, with the extension .safetensors)"),
    cl::value_desc("file"), cl::cat(category));
cl::opt<bool> forceDynamic(
    "force-dynamic",
    cl::desc("Make every input dim symbolic (<input>_d<i>), to test the "
             "dynamic-to-static path; bind back with ds-static-shapes"),
    cl::init(false), cl::cat(category));
cl::opt<int64_t> inlineConstantLimit(
    "inline-constant-limit",
    cl::desc("Constants with at most this many elements stay in the IR"),
    cl::init(64), cl::cat(category));

/// Prints `file:line: error: message` (the line is the ONNX node's index + 1;
/// model-level errors have none), then the notes.
LogicalResult printDiagnostic(Diagnostic &diag) {
  llvm::raw_ostream &os = llvm::errs();
  auto print = [&](Diagnostic &d, StringRef severity) {
    if (auto file = d.getLocation()->findInstanceOf<FileLineColLoc>()) {
      os << file.getFilename().getValue();
      if (file.getLine())
        os << ":" << file.getLine();
      os << ": ";
    }
    os << severity << ": " << d.str() << "\n";
  };
  StringRef severity = "error";
  if (diag.getSeverity() == DiagnosticSeverity::Warning)
    severity = "warning";
  else if (diag.getSeverity() == DiagnosticSeverity::Remark)
    severity = "remark";
  else if (diag.getSeverity() == DiagnosticSeverity::Note)
    severity = "note";
  print(diag, severity);
  for (Diagnostic &note : diag.getNotes())
    print(note, "note");
  return success();
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "ds ONNX importer\n");

  MLIRContext context;
  // Messages point at the ONNX node; dumping the op is noise.
  context.printOpOnDiagnostic(false);
  ScopedDiagnosticHandler handler(&context, printDiagnostic);

  mlir::ds::OnnxImportOptions options;
  options.inlineConstantLimit = inlineConstantLimit;
  options.forceDynamic = forceDynamic;
  options.weightsPath = weightsOut;
  if (options.weightsPath.empty() && outputFile != "-") {
    llvm::SmallString<256> path(outputFile.getValue());
    llvm::sys::path::replace_extension(path, "safetensors");
    options.weightsPath = path.str().str();
  }

  FailureOr<OwningOpRef<ModuleOp>> module =
      mlir::ds::importOnnxModel(inputFile, context, options);
  if (failed(module))
    return 1;

  // Name the weights file relative to the IR when it lies beside it, so the
  // pair can be moved together.
  SmallVector<std::string> files = mlir::ds::getWeightFiles(**module);
  if (files.size() == 1 && outputFile != "-" &&
      llvm::sys::path::parent_path(files[0]) ==
          llvm::sys::path::parent_path(outputFile.getValue()))
    mlir::ds::setWeightFiles(**module,
                             {llvm::sys::path::filename(files[0]).str()});

  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(outputFile, &error);
  if (!output) {
    llvm::errs() << "ds-import: error: " << error << "\n";
    return 1;
  }
  (*module)->print(output->os(), OpPrintingFlags());
  output->os() << "\n";
  output->keep();
  return 0;
}
