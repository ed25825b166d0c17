//===- Int4.cpp - INT4 weight quantization math ---------------------------===//

#include "runtime/Int4.h"

#include "runtime/DType.h"
#include "runtime/ReferenceSupport.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <thread>

namespace ds::runtime::int4 {

const char *methodName(Method m) {
  switch (m) {
  case Method::Rtn:
    return "rtn";
  case Method::Search:
    return "search";
  case Method::Awq:
    return "awq";
  }
  return "?";
}

bool parseMethod(const std::string &name, Method &out) {
  for (Method m : {Method::Rtn, Method::Search, Method::Awq})
    if (name == methodName(m)) {
      out = m;
      return true;
    }
  return false;
}

//===----------------------------------------------------------------------===//
// Storage
//===----------------------------------------------------------------------===//

uint8_t QuantizedMatrix::code(int64_t r, int64_t c) const {
  uint8_t byte = packed[r * bytesPerRow() + c / 2];
  return c % 2 ? byte >> 4 : byte & 0xf;
}

uint8_t QuantizedMatrix::zero(int64_t r, int64_t c) const {
  return symmetric ? 8 : zeros[r * groupsPerRow() + c / groupSize];
}

float QuantizedMatrix::value(int64_t r, int64_t c) const {
  float scale = halfToFloat(scales[r * groupsPerRow() + c / groupSize]);
  return static_cast<float>(static_cast<int>(code(r, c)) -
                            static_cast<int>(zero(r, c))) *
         scale;
}

uint64_t QuantizedMatrix::storedBytes() const {
  return packed.size() + scales.size() * 2 + zeros.size();
}

uint64_t storedBytes(int64_t rows, int64_t cols, int64_t groupSize,
                     bool symmetric) {
  uint64_t groups = static_cast<uint64_t>(rows) *
                    static_cast<uint64_t>((cols + groupSize - 1) / groupSize);
  return static_cast<uint64_t>(rows) * static_cast<uint64_t>((cols + 1) / 2) +
         groups * 2 + (symmetric ? 0 : groups);
}

double bitsPerWeight(int64_t rows, int64_t cols, int64_t groupSize,
                     bool symmetric) {
  return 8.0 *
         static_cast<double>(storedBytes(rows, cols, groupSize, symmetric)) /
         (static_cast<double>(rows) * static_cast<double>(cols));
}

std::vector<uint8_t> pack(const std::vector<uint8_t> &codes, int64_t rows,
                          int64_t cols) {
  int64_t bytesPerRow = (cols + 1) / 2;
  std::vector<uint8_t> out(rows * bytesPerRow, 0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      out[r * bytesPerRow + c / 2] |=
          static_cast<uint8_t>((codes[r * cols + c] & 0xf) << (4 * (c % 2)));
  return out;
}

std::vector<uint8_t> unpack(const std::vector<uint8_t> &packed, int64_t rows,
                            int64_t cols) {
  int64_t bytesPerRow = (cols + 1) / 2;
  std::vector<uint8_t> out(rows * cols);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      out[r * cols + c] =
          (packed[r * bytesPerRow + c / 2] >> (4 * (c % 2))) & 0xf;
  return out;
}

std::vector<float> dequantize(const QuantizedMatrix &m) {
  std::vector<float> out(m.rows * m.cols);
  for (int64_t r = 0; r < m.rows; ++r)
    for (int64_t c = 0; c < m.cols; ++c)
      out[r * m.cols + c] = m.value(r, c);
  return out;
}

double relativeRmsError(const float *a, const float *b, int64_t n) {
  double num = 0, den = 0;
  for (int64_t i = 0; i < n; ++i) {
    double d = static_cast<double>(a[i]) - b[i];
    num += d * d;
    den += static_cast<double>(a[i]) * a[i];
  }
  if (den == 0)
    return num == 0 ? 0 : std::numeric_limits<double>::infinity();
  return std::sqrt(num / den);
}

//===----------------------------------------------------------------------===//
// Quantizing one group
//===----------------------------------------------------------------------===//

namespace {

/// The smallest f16 value >= s (s >= 0), so the stored scale never shrinks
/// the range it must cover; false beyond the f16 range.
bool roundScaleUp(float s, uint16_t &out) {
  if (s == 0.0f) { // also -0: the scale of an all-zero group
    out = 0;
    return true;
  }
  if (!(s <= 65504.0f))
    return false;
  uint16_t h = floatToHalf(s);
  if (halfToFloat(h) < s)
    ++h;
  if (h >= 0x7c00)
    return false;
  out = h;
  return true;
}

/// One group's choice: scale, zero point, codes and weighted squared error.
struct GroupChoice {
  uint16_t scale = 0;
  uint8_t zero = 8;
  double error = 0;
};

/// Quantizes w[0..n) over the range shrunk by `ratio`, writing the codes
/// to `codes`; returns false when the scale leaves the f16 range.
bool quantizeGroup(const float *w, int64_t n, const float *importance,
                   bool symmetric, float ratio, uint8_t *codes,
                   GroupChoice &choice) {
  float lo = 0, hi = 0;
  for (int64_t i = 0; i < n; ++i) {
    lo = std::min(lo, w[i]);
    hi = std::max(hi, w[i]);
  }
  uint16_t scaleBits;
  int zero;
  if (symmetric) {
    // [-7.5 s, 7.5 s] covers the range: the code range [-8, 7] rounds every
    // value within half a step (7.5 rounds to 8, which clamps to 7).
    float amax = std::max(-lo, hi) * ratio;
    if (!roundScaleUp(amax / 7.5f, scaleBits))
      return false;
    zero = 8;
  } else {
    // The range always includes 0 so the zero point is a code in [0, 15].
    lo *= ratio;
    hi *= ratio;
    if (!roundScaleUp((hi - lo) / 15.0f, scaleBits))
      return false;
    float s = halfToFloat(scaleBits);
    zero = s > 0 ? static_cast<int>(std::nearbyint(-lo / s)) : 0;
    zero = std::clamp(zero, 0, 15);
  }
  float s = halfToFloat(scaleBits);
  float inv = s > 0 ? 1.0f / s : 0.0f;
  double error = 0;
  for (int64_t i = 0; i < n; ++i) {
    int q = s > 0 ? static_cast<int>(std::nearbyint(w[i] * inv)) + zero : zero;
    q = std::clamp(q, 0, 15);
    codes[i] = static_cast<uint8_t>(q);
    float back = static_cast<float>(q - zero) * s;
    double d = static_cast<double>(w[i]) - back;
    error += (importance ? importance[i] : 1.0) * d * d;
  }
  choice.scale = scaleBits;
  choice.zero = static_cast<uint8_t>(zero);
  choice.error = error;
  return true;
}

/// Clipping ratios the search tries: 1 (round to nearest) down to 0.5.
constexpr int kSearchSteps = 40;
constexpr float kMinRatio = 0.5f;

Status checkArgs(int64_t rows, int64_t cols, const Options &options) {
  if (rows <= 0 || cols <= 0)
    return Status::error("int4: expected a non-empty matrix, got " +
                         std::to_string(rows) + "x" + std::to_string(cols));
  if (options.groupSize < 2)
    return Status::error("int4: group size must be at least 2, got " +
                         std::to_string(options.groupSize));
  return Status::ok();
}

} // namespace

StatusOr<QuantizedMatrix> quantize(const float *w, int64_t rows, int64_t cols,
                                   const Options &options,
                                   const std::vector<float> &importance) {
  DS_RETURN_IF_ERROR(checkArgs(rows, cols, options));
  if (!importance.empty() && static_cast<int64_t>(importance.size()) != cols)
    return Status::error("int4: expected " + std::to_string(cols) +
                         " importance values, got " +
                         std::to_string(importance.size()));
  for (int64_t i = 0; i < rows * cols; ++i)
    if (!std::isfinite(w[i]))
      return Status::error("int4: weight element " + std::to_string(i) +
                           " is not finite");
  QuantizedMatrix m;
  m.rows = rows;
  m.cols = cols;
  m.groupSize = options.groupSize;
  m.symmetric = options.symmetric;
  int64_t groups = m.groupsPerRow();
  m.scales.resize(rows * groups);
  if (!options.symmetric)
    m.zeros.resize(rows * groups);
  std::vector<uint8_t> codes(rows * cols);
  bool search = options.method != Method::Rtn;
  // Rows are independent: split them over threads (the result does not
  // depend on the split). The first failing row, in row order, reports.
  auto quantizeRows = [&](int64_t rowBegin, int64_t rowEnd, int64_t &failedRow,
                          int64_t &failedGroup) {
    std::vector<uint8_t> trial(options.groupSize);
    for (int64_t r = rowBegin; r < rowEnd; ++r) {
      for (int64_t g = 0; g < groups; ++g) {
        int64_t begin = g * options.groupSize;
        int64_t n = std::min(options.groupSize, cols - begin);
        const float *gw = w + r * cols + begin;
        const float *gi = importance.empty() ? nullptr : &importance[begin];
        uint8_t *out = &codes[r * cols + begin];
        GroupChoice best;
        if (!quantizeGroup(gw, n, gi, options.symmetric, 1.0f, out, best)) {
          failedRow = r;
          failedGroup = g;
          return;
        }
        for (int step = 1; search && step <= kSearchSteps; ++step) {
          float ratio = 1.0f - (1.0f - kMinRatio) * step / kSearchSteps;
          GroupChoice c;
          if (quantizeGroup(gw, n, gi, options.symmetric, ratio, trial.data(),
                            c) &&
              c.error < best.error) {
            best = c;
            std::copy(trial.begin(), trial.begin() + n, out);
          }
        }
        m.scales[r * groups + g] = best.scale;
        if (!options.symmetric)
          m.zeros[r * groups + g] = best.zero;
      }
    }
  };
  int64_t work = rows * cols * (search ? kSearchSteps + 1 : 1);
  unsigned threads = static_cast<unsigned>(
      std::clamp<int64_t>(work / (int64_t(1) << 22), 1,
                          std::max(1u, std::thread::hardware_concurrency())));
  threads = static_cast<unsigned>(std::min<int64_t>(threads, rows));
  std::vector<int64_t> failedRow(threads, -1), failedGroup(threads, -1);
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t)
    pool.emplace_back(quantizeRows, rows * t / threads,
                      rows * (t + 1) / threads, std::ref(failedRow[t]),
                      std::ref(failedGroup[t]));
  quantizeRows(0, rows / threads, failedRow[0], failedGroup[0]);
  for (std::thread &t : pool)
    t.join();
  for (unsigned t = 0; t < threads; ++t)
    if (failedRow[t] >= 0)
      return Status::error(
          "int4: the scale of row " + std::to_string(failedRow[t]) + " group " +
          std::to_string(failedGroup[t]) + " exceeds the f16 range");
  m.packed = pack(codes, rows, cols);
  return m;
}

//===----------------------------------------------------------------------===//
// Activation-aware scaling
//===----------------------------------------------------------------------===//

namespace {

/// Mean squared error of x . (w - wq)^T over samples x rows outputs, where
/// wq[r, c] = dequant(m)[r, c] * inputScale[c].
double outputMse(const float *w, const QuantizedMatrix &m,
                 const std::vector<float> &inputScale, const float *x,
                 int64_t samples) {
  int64_t rows = m.rows, cols = m.cols;
  std::vector<float> diff = dequantize(m);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      diff[r * cols + c] = w[r * cols + c] - diff[r * cols + c] * inputScale[c];
  std::vector<float> y(samples * rows);
  ref::gemm(false, true, samples, rows, cols, x, cols, diff.data(), cols,
            y.data(), rows, false);
  double sum = 0;
  for (float v : y)
    sum += static_cast<double>(v) * v;
  return sum / static_cast<double>(y.size());
}

} // namespace

StatusOr<AwqResult> quantizeAwq(const float *w, int64_t rows, int64_t cols,
                                const float *x, int64_t samples,
                                const Options &options) {
  DS_RETURN_IF_ERROR(checkArgs(rows, cols, options));
  if (samples <= 0)
    return Status::error("int4: awq needs calibration activations");
  std::vector<double> meanAbs(cols, 0.0);
  for (int64_t i = 0; i < samples; ++i)
    for (int64_t c = 0; c < cols; ++c)
      meanAbs[c] += std::fabs(x[i * cols + c]);
  for (double &v : meanAbs) {
    v /= static_cast<double>(samples);
    if (!std::isfinite(v))
      return Status::error("int4: calibration activations are not finite");
  }

  Options rtn = options;
  rtn.method = Method::Rtn;
  std::vector<float> scaled(rows * cols), ones(cols, 1.0f);
  AwqResult best;
  bool haveBest = false;
  for (int step = 0; step <= 20; ++step) {
    double alpha = step / 20.0;
    // s_k = mean|x_k|^alpha, normalized to geometric mean of max and min 1.
    std::vector<double> s(cols);
    double smax = 0, smin = std::numeric_limits<double>::infinity();
    for (int64_t c = 0; c < cols; ++c) {
      s[c] = std::pow(std::max(meanAbs[c], 1e-6), alpha);
      smax = std::max(smax, s[c]);
      smin = std::min(smin, s[c]);
    }
    double norm = std::sqrt(smax * smin);
    std::vector<float> inputScale(cols);
    for (int64_t c = 0; c < cols; ++c) {
      double sc = std::clamp(s[c] / norm, 1e-4, 1e4);
      inputScale[c] = static_cast<float>(1.0 / sc);
      for (int64_t r = 0; r < rows; ++r)
        scaled[r * cols + c] = static_cast<float>(w[r * cols + c] * sc);
    }
    StatusOr<QuantizedMatrix> q = quantize(scaled.data(), rows, cols, rtn);
    if (!q)
      continue; // this alpha pushes a scale out of range; alpha = 0 will not
    double mse = outputMse(w, *q, alpha == 0 ? ones : inputScale, x, samples);
    if (step == 0)
      best.rtnOutputMse = mse;
    if (!haveBest || mse < best.outputMse) {
      haveBest = true;
      best.matrix = std::move(*q);
      best.inputScale = alpha == 0 ? ones : inputScale;
      best.alpha = alpha;
      best.outputMse = mse;
    }
  }
  if (!haveBest)
    return Status::error("int4: no scale of the awq search fits in f16");

  // Clipping search on the chosen scaling, each column weighted by the mean
  // square of the (scaled) activation it meets; kept only when it lowers the
  // calibration error.
  std::vector<float> importance(cols, 0.0f);
  for (int64_t c = 0; c < cols; ++c) {
    double sum = 0;
    for (int64_t i = 0; i < samples; ++i) {
      double v = x[i * cols + c] * best.inputScale[c];
      sum += v * v;
    }
    importance[c] = static_cast<float>(sum / static_cast<double>(samples));
    for (int64_t r = 0; r < rows; ++r)
      scaled[r * cols + c] = w[r * cols + c] / best.inputScale[c];
  }
  Options search = options;
  search.method = Method::Search;
  StatusOr<QuantizedMatrix> q =
      quantize(scaled.data(), rows, cols, search, importance);
  if (q) {
    double mse = outputMse(w, *q, best.inputScale, x, samples);
    if (mse < best.outputMse) {
      best.matrix = std::move(*q);
      best.outputMse = mse;
    }
  }
  return best;
}

} // namespace ds::runtime::int4
