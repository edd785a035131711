#include "sim/config/holding_time.hpp"

namespace config {
namespace {

sim::Failure<std::string> holding_error(std::string_view text, std::string_view why) {
  return sim::Failure{"holding time \"" + std::string(text) + "\" " + std::string(why)};
}

constexpr std::string_view kForms = "(write \"180s\", \"exp(180s)\" or \"lognormal(180s,60s)\")";

// One positive duration argument; `what` names it in the error.
sim::Result<sim::Time, std::string> positive_duration(std::string_view text, std::string_view argument, std::string_view what) {
  while (!argument.empty() && argument.front() == ' ') argument.remove_prefix(1);
  while (!argument.empty() && argument.back() == ' ') argument.remove_suffix(1);
  const auto parsed = sim::parse_duration(argument);
  if (!parsed.ok()) return holding_error(text, "has a bad " + std::string(what) + ": " + parsed.error().message);
  if (parsed.value() == sim::Time::zero()) return holding_error(text, "needs a " + std::string(what) + " longer than 0s");
  return parsed.value();
}

// "name(inside)" → inside, when text has that shape.
bool unwrap(std::string_view text, std::string_view name, std::string_view& inside) {
  if (text.size() < name.size() + 2 || text.substr(0, name.size()) != name || text[name.size()] != '(' || text.back() != ')') return false;
  inside = text.substr(name.size() + 1, text.size() - name.size() - 2);
  return true;
}

}  // namespace

sim::Result<HoldingTime, std::string> parse_holding_time(std::string_view text) {
  HoldingTime holding;
  std::string_view inside;
  if (unwrap(text, "exp", inside)) {
    holding.distribution = HoldingDistribution::Exponential;
    const auto mean = positive_duration(text, inside, "mean");
    if (!mean.ok()) return sim::Failure{mean.error()};
    holding.mean = mean.value();
    return holding;
  }
  if (unwrap(text, "lognormal", inside)) {
    const std::size_t comma = inside.find(',');
    if (comma == std::string_view::npos) return holding_error(text, "needs a mean and a standard deviation: \"lognormal(180s,60s)\"");
    holding.distribution = HoldingDistribution::Lognormal;
    const auto mean = positive_duration(text, inside.substr(0, comma), "mean");
    if (!mean.ok()) return sim::Failure{mean.error()};
    const auto deviation = positive_duration(text, inside.substr(comma + 1), "standard deviation");
    if (!deviation.ok()) return sim::Failure{deviation.error()};
    holding.mean = mean.value();
    holding.standard_deviation = deviation.value();
    return holding;
  }
  if (text.find('(') != std::string_view::npos) return holding_error(text, "names an unknown distribution " + std::string(kForms));
  const auto fixed = sim::parse_duration(text);
  if (!fixed.ok()) return holding_error(text, "is not a duration or distribution " + std::string(kForms));
  if (fixed.value() == sim::Time::zero()) return holding_error(text, "must be longer than 0s");
  holding.mean = fixed.value();
  return holding;
}

std::string format_holding_time(const HoldingTime& holding) {
  switch (holding.distribution) {
    case HoldingDistribution::Fixed:
      return sim::format_duration(holding.mean);
    case HoldingDistribution::Exponential:
      return "exp(" + sim::format_duration(holding.mean) + ")";
    case HoldingDistribution::Lognormal:
      return "lognormal(" + sim::format_duration(holding.mean) + "," + sim::format_duration(holding.standard_deviation) + ")";
  }
  return {};
}

}  // namespace config
