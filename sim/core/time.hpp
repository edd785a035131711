#pragma once
// Simulated time: a strong type over int64 nanoseconds. Integer time keeps every trajectory
// bit-identical across compilers and CPUs (DESIGN.md, determinism); arithmetic that would
// overflow is an error, never a silent wrap.
#include <compare>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

#include "sim/core/result.hpp"

namespace sim {

// Thrown by Time arithmetic that leaves int64 nanoseconds (about ±292 years): a program or
// input bug that must stop the run rather than reorder events.
class TimeOverflow : public std::overflow_error {
 public:
  using std::overflow_error::overflow_error;
};

class Time {
 public:
  constexpr Time() = default;

  static constexpr Time from_nanoseconds(std::int64_t nanoseconds) { return Time(nanoseconds); }
  static Time from_microseconds(std::int64_t microseconds) { return scaled(microseconds, 1'000); }
  static Time from_milliseconds(std::int64_t milliseconds) { return scaled(milliseconds, 1'000'000); }
  static Time from_seconds(std::int64_t seconds) { return scaled(seconds, 1'000'000'000); }
  // Rounds to the nearest nanosecond; the one door from floating point (distributions) into
  // time, so the rounding rule lives in one place.
  static Time from_seconds_rounded(double seconds) {
    const double nanoseconds = seconds * 1e9;
    // 2^63 is exactly representable; anything at or beyond it does not fit. Doubles from 2^52 on
    // are integers already, so rounding cannot carry an in-range value out of range.
    if (!(nanoseconds < 9223372036854775808.0 && nanoseconds >= -9223372036854775808.0)) [[unlikely]]
      throw TimeOverflow("seconds value overflows int64 nanoseconds");
    return Time(nearest_integer(nanoseconds));
  }
  static constexpr Time zero() { return Time(0); }
  // "Never": a deadline later than any reachable instant.
  static constexpr Time max() { return Time(std::numeric_limits<std::int64_t>::max()); }

  constexpr std::int64_t nanoseconds() const { return nanoseconds_; }
  // For reports only; never feed this back into the trajectory.
  constexpr double seconds() const { return static_cast<double>(nanoseconds_) * 1e-9; }

  constexpr auto operator<=>(const Time&) const = default;

  Time operator+(Time other) const {
    std::int64_t sum;
    if (__builtin_add_overflow(nanoseconds_, other.nanoseconds_, &sum)) throw TimeOverflow("time addition overflows int64 nanoseconds");
    return Time(sum);
  }
  Time operator-(Time other) const {
    std::int64_t difference;
    if (__builtin_sub_overflow(nanoseconds_, other.nanoseconds_, &difference)) throw TimeOverflow("time subtraction overflows int64 nanoseconds");
    return Time(difference);
  }
  Time operator*(std::int64_t factor) const { return scaled(nanoseconds_, factor); }
  Time& operator+=(Time other) { return *this = *this + other; }
  Time& operator-=(Time other) { return *this = *this - other; }

 private:
  constexpr explicit Time(std::int64_t nanoseconds) : nanoseconds_(nanoseconds) {}
  // x in int64 range rounded to the nearest integer, ties to even (the default rounding mode,
  // which the simulator never changes): one conversion instruction (cvtsd2si) on x86-64, where
  // adding and removing 2^52 took two dependent additions and a branch on the sign.
  static std::int64_t nearest_integer(double x) { return __builtin_llrint(x); }
  static Time scaled(std::int64_t value, std::int64_t factor) {
    std::int64_t product;
    if (__builtin_mul_overflow(value, factor, &product)) throw TimeOverflow("time value overflows int64 nanoseconds");
    return Time(product);
  }

  std::int64_t nanoseconds_ = 0;
};

// Why a duration string was refused; `text` is the offending input, quoted in `message`.
struct DurationError {
  std::string text;
  std::string message;
};

// Parses "250ms", "60s", "1.5s", "2h", "40m" (minutes), "1h30m", "90us", "5ns", "1d".
// Units: ns, us, ms, s, m or min, h, d. Decimals are exact (no floating point); a value finer
// than 1 ns, a negative value, a missing or unknown unit, or an overflow is an error.
Result<Time, DurationError> parse_duration(std::string_view text);

// Exact rendering in the largest unit that divides the value, which parse_duration reads back:
// "250ms", "1500ms" (not "1.5s"), "2h", "0s".
std::string format_duration(Time time);

namespace time_literals {
// Literals for code and tests: 250_ms, 32_s. A literal past int64 nanoseconds throws.
constexpr std::int64_t literal_value(unsigned long long value) {
  if (value > static_cast<unsigned long long>(std::numeric_limits<std::int64_t>::max())) throw TimeOverflow("time literal overflows int64");
  return static_cast<std::int64_t>(value);
}
constexpr Time operator""_ns(unsigned long long value) { return Time::from_nanoseconds(literal_value(value)); }
inline Time operator""_us(unsigned long long value) { return Time::from_microseconds(literal_value(value)); }
inline Time operator""_ms(unsigned long long value) { return Time::from_milliseconds(literal_value(value)); }
inline Time operator""_s(unsigned long long value) { return Time::from_seconds(literal_value(value)); }
inline Time operator""_min(unsigned long long value) { return Time::from_seconds(literal_value(value)) * 60; }
inline Time operator""_h(unsigned long long value) { return Time::from_seconds(literal_value(value)) * 3600; }
}  // namespace time_literals

}  // namespace sim
