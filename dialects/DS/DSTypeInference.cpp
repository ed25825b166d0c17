//===- DSTypeInference.cpp - shape rules of ds ops ------------------------===//

#include "dialects/DS/DSTypeInference.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

bool ds::areDimsCompatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

bool ds::areShapesCompatible(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  if (a.size() != b.size())
    return false;
  for (auto [x, y] : llvm::zip_equal(a, b))
    if (!areDimsCompatible(x, y))
      return false;
  return true;
}

std::string ds::shapeToString(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(
      shape, os,
      [&](int64_t d) {
        if (ShapedType::isDynamic(d))
          os << "?";
        else
          os << d;
      },
      "x");
  return s;
}

FailureOr<SmallVector<int64_t>> ds::inferBroadcastShape(ArrayRef<int64_t> lhs,
                                                        ArrayRef<int64_t> rhs,
                                                        std::string &error) {
  size_t rank = std::max(lhs.size(), rhs.size());
  SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t a = i < rank - lhs.size() ? 1 : lhs[i - (rank - lhs.size())];
    int64_t b = i < rank - rhs.size() ? 1 : rhs[i - (rank - rhs.size())];
    if (a == 1) {
      result[i] = b;
    } else if (b == 1) {
      result[i] = a;
    } else if (ShapedType::isDynamic(a)) {
      // `?` against n > 1: the result is n (or an error at run time).
      result[i] = b;
    } else if (ShapedType::isDynamic(b) || a == b) {
      result[i] = a;
    } else {
      error = "shapes " + shapeToString(lhs) + " and " + shapeToString(rhs) +
              " are not broadcast-compatible (dim " + std::to_string(i) + ": " +
              std::to_string(a) + " vs " + std::to_string(b) + ")";
      return failure();
    }
  }
  return result;
}

FailureOr<SmallVector<int64_t>> ds::inferMatmulShape(ArrayRef<int64_t> lhs,
                                                     ArrayRef<int64_t> rhs,
                                                     std::string &error) {
  if (lhs.empty() || rhs.empty()) {
    error = "operands must have rank >= 1";
    return failure();
  }
  SmallVector<int64_t> a(lhs), b(rhs);
  bool lhsVector = a.size() == 1, rhsVector = b.size() == 1;
  if (lhsVector)
    a.insert(a.begin(), 1);
  if (rhsVector)
    b.push_back(1);
  int64_t k0 = a[a.size() - 1], k1 = b[b.size() - 2];
  if (!areDimsCompatible(k0, k1)) {
    error = "contraction dims differ: lhs " + shapeToString(lhs) + " has " +
            std::to_string(k0) + ", rhs " + shapeToString(rhs) + " has " +
            std::to_string(k1);
    return failure();
  }
  ArrayRef<int64_t> batchA = ArrayRef<int64_t>(a).drop_back(2);
  ArrayRef<int64_t> batchB = ArrayRef<int64_t>(b).drop_back(2);
  std::string batchError;
  FailureOr<SmallVector<int64_t>> batch =
      inferBroadcastShape(batchA, batchB, batchError);
  if (failed(batch)) {
    error = "batch dims: " + batchError;
    return failure();
  }
  SmallVector<int64_t> result(*batch);
  if (!lhsVector)
    result.push_back(a[a.size() - 2]);
  if (!rhsVector)
    result.push_back(b[b.size() - 1]);
  return result;
}

FailureOr<SmallVector<int64_t>> ds::inferTransposeShape(ArrayRef<int64_t> input,
                                                        ArrayRef<int64_t> perm,
                                                        std::string &error) {
  if (perm.size() != input.size()) {
    error = "perm has " + std::to_string(perm.size()) +
            " entries, the operand has rank " + std::to_string(input.size());
    return failure();
  }
  SmallVector<bool> seen(input.size(), false);
  SmallVector<int64_t> result;
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(input.size()) || seen[p]) {
      error = "perm is not a permutation of [0, " +
              std::to_string(input.size()) + ")";
      return failure();
    }
    seen[p] = true;
    result.push_back(input[p]);
  }
  return result;
}
