#pragma once

#include <cassert>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "core/error.h"

namespace kaiban {

// A value or an Error: the return type of every operation that can fail in an expected way.
// Construct from a T (success) or an Error (failure). Accessing value() of a failed Result,
// or error() of a successful one, is a bug and asserts. To be replaced by std::expected in C++23.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(const T& value) : state_(value) {}        // NOLINT: implicit by design, like std::expected
  Result(T&& value) : state_(std::move(value)) {}  // NOLINT
  Result(Error error) : state_(std::move(error)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  const T& value() const& {
    assert(ok());
    return std::get<T>(state_);
  }
  T& value() & {
    assert(ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(state_));
  }
  const Error& error() const {
    assert(!ok());
    return std::get<Error>(state_);
  }

  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // The value, or `fallback` when this Result holds an error.
  T valueOr(T fallback) const& { return ok() ? value() : std::move(fallback); }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    assert(!ok());
    return *error_;
  }

 private:
  std::optional<Error> error_;
};

// A successful Result<void>, for readability at return sites: `return ok();`.
inline Result<void> ok() { return {}; }

}  // namespace kaiban
