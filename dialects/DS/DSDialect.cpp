//===- DSDialect.cpp - ds dialect -----------------------------------------===//

#include "dialects/DS/DSDialect.h"
#include "dialects/DS/DSOps.h"

using namespace mlir;
using namespace mlir::ds;

#include "dialects/DS/DSDialect.cpp.inc"

void DSDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/DS/DSOps.cpp.inc"
      >();
}

Operation *DSDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                          Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}
