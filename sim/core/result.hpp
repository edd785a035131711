#pragma once
// Result<T, E>: a value or an error, for the modelled world going wrong (malformed bytes, bad
// durations). std::expected is C++23 and libstdc++ 12 hides it in C++20 mode, so we carry our own.
#include <utility>
#include <variant>

#include "sim/core/check.hpp"

namespace sim {

template <class E>
struct Failure {
  E error;
};
template <class E>
Failure(E) -> Failure<E>;

template <class T, class E>
class [[nodiscard]] Result {
 public:
  Result(T value) : storage_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  template <class F>
  Result(Failure<F> failure) : storage_(std::in_place_index<1>, std::move(failure.error)) {}  // NOLINT

  bool ok() const { return storage_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    DRSIM_CHECK(ok(), "Result::value() on an error");
    return std::get<0>(storage_);
  }
  const T& value() const& {
    DRSIM_CHECK(ok(), "Result::value() on an error");
    return std::get<0>(storage_);
  }
  T&& value() && {
    DRSIM_CHECK(ok(), "Result::value() on an error");
    return std::get<0>(std::move(storage_));
  }
  const E& error() const {
    DRSIM_CHECK(!ok(), "Result::error() on a value");
    return std::get<1>(storage_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, E> storage_;
};

}  // namespace sim
