#pragma once
// Calendar time in the modelled world. The kernel's Time counts from t=0 of a run; certificates
// and logs speak UTC dates, so an experiment's `start` anchors t=0 to a UtcTime and models add
// the simulated time to it. Leap seconds are ignored, as RFC 3339 timestamps and X.509
// validity dates in practice do.
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "sim/core/result.hpp"
#include "sim/core/time.hpp"

namespace sim {

class UtcTime {
 public:
  constexpr UtcTime() = default;
  static constexpr UtcTime from_unix_nanoseconds(std::int64_t nanoseconds) { return UtcTime(nanoseconds); }
  constexpr std::int64_t unix_nanoseconds() const { return unix_nanoseconds_; }

  friend constexpr auto operator<=>(UtcTime, UtcTime) = default;
  // Checked like Time arithmetic: overflow is an error (TimeOverflow), never a wrap.
  friend UtcTime operator+(UtcTime at, Time elapsed);

 private:
  explicit constexpr UtcTime(std::int64_t nanoseconds) : unix_nanoseconds_(nanoseconds) {}
  std::int64_t unix_nanoseconds_ = 0;
};

// RFC 3339 §5.6 restricted to what experiment and topology files use: "YYYY-MM-DDTHH:MM:SSZ",
// UTC only, no fractional seconds. The error says what is wrong with the text.
Result<UtcTime, std::string> parse_rfc3339_utc(std::string_view text);
std::string format_rfc3339_utc(UtcTime at);  // whole seconds, truncated toward the past

}  // namespace sim
