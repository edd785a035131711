#include "sim/config/rate.hpp"

#include <array>
#include <limits>
#include <numeric>

#include "sim/core/int128.hpp"

namespace config {
namespace {

struct RateUnit {
  std::string_view name;
  std::int64_t nanoseconds;
};
constexpr std::array<RateUnit, 3> kRateUnits{{{"s", 1'000'000'000}, {"min", 60'000'000'000}, {"h", 3'600'000'000'000}}};
constexpr int kMaximumDecimals = 9;

sim::Failure<std::string> rate_error(std::string_view text, std::string_view why) {
  return sim::Failure{"rate \"" + std::string(text) + "\" " + std::string(why)};
}

// Writes numerator/denominator in decimal if it has at most kMaximumDecimals digits after the
// point; empty when it does not.
std::string exact_decimal(sim::Int128 numerator, sim::Int128 denominator) {
  std::string text = std::to_string(static_cast<std::int64_t>(numerator / denominator));
  sim::Int128 remainder = numerator % denominator;
  if (remainder == 0) return text;
  text += '.';
  for (int digit = 0; digit < kMaximumDecimals && remainder != 0; ++digit) {
    remainder *= 10;
    text += static_cast<char>('0' + static_cast<int>(remainder / denominator));
    remainder %= denominator;
  }
  return remainder == 0 ? text : std::string();
}

}  // namespace

Rate Rate::per_period(std::int64_t events, sim::Time period) {
  DRSIM_CHECK(events >= 0 && period > sim::Time::zero(), "a rate needs events >= 0 per a positive period");
  Rate rate;
  if (events == 0) return rate;
  const std::int64_t divisor = std::gcd(events, period.nanoseconds());
  rate.events_ = events / divisor;
  rate.period_ = sim::Time::from_nanoseconds(period.nanoseconds() / divisor);
  return rate;
}

sim::Time Rate::mean_interval() const {
  if (events_ == 0) return sim::Time::max();
  const std::int64_t period = period_.nanoseconds();
  const std::int64_t quotient = period / events_;
  const std::int64_t remainder = period % events_;
  return sim::Time::from_nanoseconds(remainder * 2 >= events_ ? quotient + 1 : quotient);
}

double Rate::per_second() const { return static_cast<double>(events_) / period_.seconds(); }

sim::Result<Rate, std::string> parse_rate(std::string_view text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return rate_error(text, "needs a unit: write \"N/s\", \"N/min\" or \"N/h\"");
  const std::string_view number = text.substr(0, slash);
  const std::string_view unit_name = text.substr(slash + 1);
  const RateUnit* unit = nullptr;
  for (const RateUnit& candidate : kRateUnits)
    if (candidate.name == unit_name) unit = &candidate;
  if (unit == nullptr) return rate_error(text, "has unknown unit \"" + std::string(unit_name) + "\" (use s, min or h)");

  // N = whole.fraction becomes (whole * 10^d + fraction) events per unit * 10^d.
  sim::Int128 events = 0;
  sim::Int128 scale = 1;
  int digits = 0;
  int decimals = -1;  // -1 until the point is seen
  for (const char c : number) {
    if (c == '.' && decimals < 0) {
      decimals = 0;
      continue;
    }
    if (c < '0' || c > '9') return rate_error(text, "must start with a non-negative number, e.g. \"2/s\" or \"0.5/min\"");
    events = events * 10 + (c - '0');
    ++digits;
    if (decimals >= 0) {
      scale *= 10;
      if (++decimals > kMaximumDecimals) return rate_error(text, "has more than 9 decimals");
    }
    if (events > std::numeric_limits<std::int64_t>::max()) return rate_error(text, "is too large");
  }
  if (digits == 0) return rate_error(text, "must start with a non-negative number, e.g. \"2/s\" or \"0.5/min\"");
  const sim::Int128 period = scale * unit->nanoseconds;
  if (period > std::numeric_limits<std::int64_t>::max()) return rate_error(text, "is too precise for this unit");
  return Rate::per_period(static_cast<std::int64_t>(events), sim::Time::from_nanoseconds(static_cast<std::int64_t>(period)));
}

std::string format_rate(const Rate& rate) {
  // N = events * unit / period: the first unit where N is whole, else the first exact decimal.
  for (const bool whole_only : {true, false}) {
    for (const RateUnit& unit : kRateUnits) {
      const sim::Int128 numerator = static_cast<sim::Int128>(rate.events()) * unit.nanoseconds;
      const sim::Int128 denominator = rate.period().nanoseconds();
      if (whole_only && numerator % denominator != 0) continue;
      const std::string number = exact_decimal(numerator, denominator);
      if (!number.empty()) return number + "/" + std::string(unit.name);
    }
  }
  // Only a rate built in code with a period no unit divides into a short decimal gets here;
  // parse_rate never makes one. Rounded, so it reads back close but not equal.
  return std::to_string(rate.per_second()) + "/s";
}

}  // namespace config
