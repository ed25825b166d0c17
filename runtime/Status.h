//===- Status.h - ds runtime status and StatusOr ----------------*- C++ -*-===//
//
// Results of runtime API calls. No exception ever crosses the runtime API:
// every fallible call returns a Status or a StatusOr<T>.
//
//===----------------------------------------------------------------------===//

#ifndef DS_RUNTIME_STATUS_H
#define DS_RUNTIME_STATUS_H

#include <optional>
#include <string>
#include <utility>

namespace ds::runtime {

/// Outcome of a runtime call: ok, or an error with a human-readable message
/// that names what failed and why.
class [[nodiscard]] Status {
public:
  Status() = default;
  static Status ok() { return Status(); }
  static Status error(std::string message) {
    Status s;
    s.failed = true;
    s.msg = std::move(message);
    return s;
  }
  bool isOk() const { return !failed; }
  explicit operator bool() const { return !failed; }
  const std::string &message() const { return msg; }
  /// Returns a copy with `context: ` prepended to the message.
  Status withContext(const std::string &context) const {
    return failed ? error(context + ": " + msg) : *this;
  }

private:
  bool failed = false;
  std::string msg;
};

/// A value or the Status explaining why there is none.
template <typename T> class [[nodiscard]] StatusOr {
public:
  StatusOr(T value) : val(std::move(value)) {}
  StatusOr(Status status) : st(std::move(status)) {
    if (st.isOk())
      st = Status::error("internal: StatusOr built from an ok Status");
  }
  bool isOk() const { return val.has_value(); }
  explicit operator bool() const { return isOk(); }
  const Status &status() const { return st; }
  T &value() { return *val; }
  const T &value() const { return *val; }
  T &operator*() { return *val; }
  const T &operator*() const { return *val; }
  T *operator->() { return &*val; }
  const T *operator->() const { return &*val; }

private:
  std::optional<T> val;
  Status st;
};

} // namespace ds::runtime

/// Propagates a failed Status out of the enclosing function.
#define DS_RETURN_IF_ERROR(expr)                                               \
  do {                                                                         \
    ::ds::runtime::Status dsStatusTmp = (expr);                                \
    if (!dsStatusTmp.isOk())                                                   \
      return dsStatusTmp;                                                      \
  } while (false)

#endif // DS_RUNTIME_STATUS_H
