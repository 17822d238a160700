#include "core/error.h"

namespace kaiban {

std::string_view errorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidInput:
      return "invalid_input";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kRejected:
      return "rejected";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kTimeout:
      return "timeout";
    case ErrorCode::kCorrupt:
      return "corrupt";
    case ErrorCode::kForbidden:
      return "forbidden";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

int httpStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidInput:
      return 400;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kRejected:
      return 422;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kTimeout:
      return 504;
    case ErrorCode::kCorrupt:
      return 500;
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

bool isRetryable(ErrorCode code) {
  return code == ErrorCode::kUnavailable || code == ErrorCode::kTimeout;
}

std::string Error::toString() const {
  std::string text{errorCodeName(code)};
  text += ": ";
  if (!field.empty()) {
    text += field;
    text += ": ";
  }
  text += message;
  return text;
}

std::ostream& operator<<(std::ostream& out, const Error& error) { return out << error.toString(); }

}  // namespace kaiban
