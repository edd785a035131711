#pragma once
// How long a workload's calls last once answered, as experiment files write it: "180s" (every
// call the same), "exp(180s)" (exponential with that mean), "lognormal(180s,60s)" (lognormal
// with that mean and standard deviation of the holding time itself, not of its logarithm,
// matching sim::LognormalDistribution).
#include <string>
#include <string_view>

#include "sim/core/result.hpp"
#include "sim/core/time.hpp"

namespace config {

enum class HoldingDistribution { Fixed, Exponential, Lognormal };

struct HoldingTime {
  HoldingDistribution distribution = HoldingDistribution::Fixed;
  sim::Time mean = sim::Time::from_seconds(180);
  sim::Time standard_deviation = sim::Time::zero();  // lognormal only

  friend bool operator==(const HoldingTime&, const HoldingTime&) = default;
};

// The error quotes the text and says which part is wrong.
sim::Result<HoldingTime, std::string> parse_holding_time(std::string_view text);
// The form parse_holding_time reads back: "180s", "exp(3min)", "lognormal(3min,1min)".
std::string format_holding_time(const HoldingTime& holding);

}  // namespace config
