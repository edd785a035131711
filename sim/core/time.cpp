#include "sim/core/time.hpp"

#include <array>

#include "sim/core/int128.hpp"

namespace sim {
namespace {

struct Unit {
  std::string_view name;
  std::int64_t nanoseconds;
};
// Longest names first so "min" and "ms" win over "m".
constexpr std::array<Unit, 8> kUnits{{{"min", 60'000'000'000},
                                      {"ns", 1},
                                      {"us", 1'000},
                                      {"ms", 1'000'000},
                                      {"s", 1'000'000'000},
                                      {"m", 60'000'000'000},
                                      {"h", 3'600'000'000'000},
                                      {"d", 86'400'000'000'000}}};

Failure<DurationError> duration_error(std::string_view text, std::string why) {
  return Failure{DurationError{std::string(text), "duration \"" + std::string(text) + "\": " + std::move(why)}};
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return c >= 'a' && c <= 'z'; }

}  // namespace

Result<Time, DurationError> parse_duration(std::string_view text) {
  if (text.empty()) return duration_error(text, "empty; write a number and a unit, e.g. \"250ms\"");
  if (text.front() == '-') return duration_error(text, "negative durations are not allowed");
  Int128 total = 0;
  constexpr Int128 kLimit = std::numeric_limits<std::int64_t>::max();
  std::size_t position = 0;
  while (position < text.size()) {
    // One component: digits, optional ".digits", unit letters.
    Int128 whole = 0;
    Int128 fraction = 0;
    Int128 fraction_scale = 1;
    std::size_t digits = 0;
    while (position < text.size() && is_digit(text[position])) {
      whole = whole * 10 + (text[position++] - '0');
      if (whole > kLimit) return duration_error(text, "too large for 64-bit nanoseconds");
      ++digits;
    }
    if (position < text.size() && text[position] == '.') {
      ++position;
      while (position < text.size() && is_digit(text[position])) {
        if (fraction_scale > 1'000'000'000'000'000'000) return duration_error(text, "too many decimals");
        fraction = fraction * 10 + (text[position++] - '0');
        fraction_scale *= 10;
        ++digits;
      }
    }
    if (digits == 0) return duration_error(text, "expected a number at column " + std::to_string(position + 1));
    const std::size_t unit_start = position;
    while (position < text.size() && is_letter(text[position])) ++position;
    const std::string_view unit_name = text.substr(unit_start, position - unit_start);
    if (unit_name.empty()) return duration_error(text, "missing unit (use ns, us, ms, s, m, min, h or d)");
    const Unit* unit = nullptr;
    for (const Unit& candidate : kUnits)
      if (candidate.name == unit_name) unit = &candidate;
    if (unit == nullptr) return duration_error(text, "unknown unit \"" + std::string(unit_name) + "\" (use ns, us, ms, s, m, min, h or d)");
    const Int128 fraction_nanoseconds = fraction * unit->nanoseconds;
    if (fraction_nanoseconds % fraction_scale != 0) return duration_error(text, "finer than the 1 ns resolution");
    total += whole * unit->nanoseconds + fraction_nanoseconds / fraction_scale;
    if (total > kLimit) return duration_error(text, "too large for 64-bit nanoseconds");
  }
  return Time::from_nanoseconds(static_cast<std::int64_t>(total));
}

std::string format_duration(Time time) {
  std::int64_t value = time.nanoseconds();
  if (value == 0) return "0s";
  std::string sign;
  if (value < 0) {
    if (value == std::numeric_limits<std::int64_t>::min()) return "-9223372036854775808ns";
    sign = "-";
    value = -value;
  }
  constexpr std::array<Unit, 6> kLargestFirst{{{"h", 3'600'000'000'000},
                                               {"min", 60'000'000'000},
                                               {"s", 1'000'000'000},
                                               {"ms", 1'000'000},
                                               {"us", 1'000},
                                               {"ns", 1}}};
  for (const Unit& unit : kLargestFirst)
    if (value % unit.nanoseconds == 0) return sign + std::to_string(value / unit.nanoseconds) + std::string(unit.name);
  return sign + std::to_string(value) + "ns";  // unreachable: 1 ns divides everything
}

}  // namespace sim
