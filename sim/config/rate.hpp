#pragma once
// An arrival rate as experiment files write it: "2/s", "30/min", "0.5/h". Kept exact, as a
// whole number of events per period of simulated time, so a workload's arrivals never depend
// on floating-point rounding (DESIGN.md, determinism).
#include <cstdint>
#include <string>
#include <string_view>

#include "sim/core/result.hpp"
#include "sim/core/time.hpp"

namespace config {

class Rate {
 public:
  Rate() = default;  // no events
  // `events` per `period`, reduced to lowest terms so that "60/min" equals "1/s".
  static Rate per_period(std::int64_t events, sim::Time period);

  std::int64_t events() const { return events_; }
  sim::Time period() const { return period_; }
  // Mean time between arrivals (period / events), rounded to the nearest nanosecond;
  // Time::max() when the rate is zero.
  sim::Time mean_interval() const;
  // For reports only; never feed this back into the trajectory.
  double per_second() const;

  friend bool operator==(const Rate&, const Rate&) = default;

 private:
  std::int64_t events_ = 0;
  sim::Time period_ = sim::Time::from_seconds(1);
};

// "N/s", "N/min" or "N/h" with N a non-negative decimal ("2", "0.25"); the error quotes the text.
sim::Result<Rate, std::string> parse_rate(std::string_view text);
// The shortest form parse_rate reads back as the same rate, preferring whole numbers: "1/s", "30/h".
std::string format_rate(const Rate& rate);

}  // namespace config
