#pragma once

#include <ostream>
#include <string>
#include <string_view>

namespace kaiban {

// The closed set of expected failures. Each maps once to an HTTP status (httpStatus) and a
// retry decision (isRetryable); callers switch on the code, never on the message text.
enum class ErrorCode {
  kInvalidInput,  // the caller sent something wrong; retrying the same input fails again
  kNotFound,
  kConflict,     // stale version, duplicate key with a different body
  kRejected,     // a partner or a person said no for a business reason
  kUnavailable,  // a dependency is down or refused the connection; safe to retry later
  kTimeout,      // no answer in time; the effect may or may not have happened
  kCorrupt,      // stored or received data fails an integrity check
  kForbidden,
  kInternal,  // a bug or an unexpected third-party failure
};

// An expected failure, written for the person who will read it. `field` names the input
// (a JSON/field path such as "enterprise.name") when the failure is about one input.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string field;

  static Error invalidInput(std::string message, std::string field = {}) {
    return {ErrorCode::kInvalidInput, std::move(message), std::move(field)};
  }
  static Error notFound(std::string message) {
    return {ErrorCode::kNotFound, std::move(message), {}};
  }
  static Error conflict(std::string message) {
    return {ErrorCode::kConflict, std::move(message), {}};
  }
  static Error rejected(std::string message) {
    return {ErrorCode::kRejected, std::move(message), {}};
  }
  static Error unavailable(std::string message) {
    return {ErrorCode::kUnavailable, std::move(message), {}};
  }
  static Error timeout(std::string message) {
    return {ErrorCode::kTimeout, std::move(message), {}};
  }
  static Error corrupt(std::string message) {
    return {ErrorCode::kCorrupt, std::move(message), {}};
  }
  static Error forbidden(std::string message) {
    return {ErrorCode::kForbidden, std::move(message), {}};
  }
  static Error internal(std::string message) {
    return {ErrorCode::kInternal, std::move(message), {}};
  }

  // "invalid_input: enterprise.name: must not be empty"
  std::string toString() const;
};

std::string_view errorCodeName(ErrorCode code);

// The HTTP status a server answers with for this code (400, 404, 409, 422, 503, 504, ...).
int httpStatus(ErrorCode code);

// True when the same request may succeed if sent again later (unavailable, timeout).
bool isRetryable(ErrorCode code);

std::ostream& operator<<(std::ostream& out, const Error& error);

}  // namespace kaiban
