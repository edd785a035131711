#include "sim/core/utc_time.hpp"

#include <chrono>
#include <climits>
#include <cstdio>

namespace sim {
namespace {

constexpr std::int64_t kNanosecondsPerSecond = 1'000'000'000;

bool read_digits(std::string_view text, std::size_t at, std::size_t count, int& value) {
  value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

std::int64_t floor_divide(std::int64_t value, std::int64_t divisor) {
  const std::int64_t quotient = value / divisor;
  return (value % divisor != 0 && value < 0) ? quotient - 1 : quotient;
}

}  // namespace

UtcTime operator+(UtcTime at, Time elapsed) {
  std::int64_t sum = 0;
  if (__builtin_add_overflow(at.unix_nanoseconds(), elapsed.nanoseconds(), &sum)) throw TimeOverflow("UTC time overflows");
  return UtcTime::from_unix_nanoseconds(sum);
}

Result<UtcTime, std::string> parse_rfc3339_utc(std::string_view text) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':' ||
      text[19] != 'Z')
    return Failure{quoted + " is not an RFC 3339 UTC timestamp like \"2026-12-31T23:30:00Z\""};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_digits(text, 0, 4, year) || !read_digits(text, 5, 2, month) || !read_digits(text, 8, 2, day) ||
      !read_digits(text, 11, 2, hour) || !read_digits(text, 14, 2, minute) || !read_digits(text, 17, 2, second))
    return Failure{quoted + " is not an RFC 3339 UTC timestamp like \"2026-12-31T23:30:00Z\""};
  const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return Failure{quoted + " names a day that does not exist"};
  // RFC 3339 allows second 60 only for a leap second, which this clock does not model.
  if (hour > 23 || minute > 59 || second > 59) return Failure{quoted + " has a time of day out of range"};
  const std::int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
  const std::int64_t seconds = days * 86'400 + hour * 3'600 + minute * 60 + second;
  // The int64 nanosecond range ends in 2262; a date beyond it is an input error, not a wrap.
  if (seconds > INT64_MAX / kNanosecondsPerSecond || seconds < INT64_MIN / kNanosecondsPerSecond)
    return Failure{quoted + " is outside the years 1678-2262 this clock can represent"};
  return UtcTime::from_unix_nanoseconds(seconds * kNanosecondsPerSecond);
}

std::string format_rfc3339_utc(UtcTime at) {
  const std::int64_t seconds = floor_divide(at.unix_nanoseconds(), kNanosecondsPerSecond);
  const std::int64_t days = floor_divide(seconds, 86'400);
  const std::int64_t second_of_day = seconds - days * 86'400;
  const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{days}}};
  char text[64];  // room for any int64-derived year, so -Wformat-truncation has nothing to say
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(second_of_day / 3'600), static_cast<int>(second_of_day / 60 % 60),
                static_cast<int>(second_of_day % 60));
  return text;
}

}  // namespace sim
