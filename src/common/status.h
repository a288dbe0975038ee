// Status and Result<T>: cheap error values used across shoal.
//
// A Status is OK or carries a Code and a message a user can act on. Codes follow the
// gRPC/errdefs classes the Docker Engine API maps to HTTP status codes (see http_status()).
// Exceptions never cross a module boundary; functions that can fail return Status or
// Result<T>.
//
// Thread safety: values; safe to copy between threads.
#pragma once

#include <fmt/format.h>

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace shoal {

enum class Code {
  kOk = 0,
  kInvalidArgument,     // 400: bad parameter or spec
  kFailedPrecondition,  // 400: object in a state that forbids the call
  kUnauthenticated,     // 401
  kPermissionDenied,    // 403
  kNotFound,            // 404
  kAlreadyExists,       // 409: name conflict
  kConflict,            // 409: generic conflict (e.g. another daemon holds the lock)
  kOutOfSequence,       // 500 in Docker's API: stale Version.Index on update
  kUnimplemented,       // 501
  kUnavailable,         // 503: not a swarm manager, locked, shutting down
  kInternal,            // 500
  kDataLoss,            // 500: content whose digest does not match (a corrupt blob or layer)
};

const char* code_name(Code code);

// The HTTP status the Docker Engine API answers for an error of this class.
int http_status(Code code);

class Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }

  bool is_ok() const { return code_ == Code::kOk; }
  explicit operator bool() const { return is_ok(); }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "<code name>: <message>" for logs; users see message() alone.
  std::string to_string() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

template <typename... Args>
Status error(Code code, fmt::format_string<Args...> format, Args&&... args) {
  return Status(code, fmt::format(format, std::forward<Args>(args)...));
}

// Either a value or a non-OK Status.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).is_ok() && "Result built from an OK status");
  }

  bool is_ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return is_ok(); }

  // REQUIRES: is_ok().
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // OK when a value is held.
  Status status() const { return is_ok() ? Status() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace shoal

// Returns early from the enclosing function when `expr` (a Status) is not OK.
#define SHOAL_RETURN_IF_ERROR(expr)                   \
  do {                                                \
    ::shoal::Status shoal_status_ = (expr);           \
    if (!shoal_status_.is_ok()) return shoal_status_; \
  } while (0)

#define SHOAL_CONCAT_INNER_(a, b) a##b
#define SHOAL_CONCAT_(a, b) SHOAL_CONCAT_INNER_(a, b)
// Evaluates `rexpr` (a Result<T>); on error returns its Status, else moves the value into `lhs`.
#define SHOAL_ASSIGN_OR_RETURN(lhs, rexpr) \
  SHOAL_ASSIGN_OR_RETURN_IMPL_(SHOAL_CONCAT_(shoal_result_, __LINE__), lhs, rexpr)
#define SHOAL_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                 \
  if (!tmp.is_ok()) return tmp.status();              \
  lhs = std::move(tmp).value()
