#include "sim/config/holding_time.hpp"

#include <doctest/doctest.h>

using namespace config;
using namespace sim::time_literals;

TEST_CASE("holding times are fixed or exponential or lognormal") {
  CHECK(parse_holding_time("180s").value() == HoldingTime{HoldingDistribution::Fixed, 180_s, 0_s});
  CHECK(parse_holding_time("exp(3min)").value() == HoldingTime{HoldingDistribution::Exponential, 3_min, 0_s});
  CHECK(parse_holding_time("lognormal(180s,60s)").value() == HoldingTime{HoldingDistribution::Lognormal, 180_s, 60_s});
  CHECK(parse_holding_time("lognormal(180s, 60s)").value() == HoldingTime{HoldingDistribution::Lognormal, 180_s, 60_s});
  for (const std::string_view text : {"3min", "exp(1500ms)", "lognormal(3min,1min)"}) CHECK(format_holding_time(parse_holding_time(text).value()) == text);
}

TEST_CASE("a bad holding time says which part is wrong") {
  CHECK(parse_holding_time("gamma(3s)").error() ==
        "holding time \"gamma(3s)\" names an unknown distribution (write \"180s\", \"exp(180s)\" or \"lognormal(180s,60s)\")");
  CHECK(parse_holding_time("three minutes").error() ==
        "holding time \"three minutes\" is not a duration or distribution (write \"180s\", \"exp(180s)\" or \"lognormal(180s,60s)\")");
  CHECK(parse_holding_time("lognormal(3min)").error() == "holding time \"lognormal(3min)\" needs a mean and a standard deviation: \"lognormal(180s,60s)\"");
  CHECK(parse_holding_time("exp(0s)").error() == "holding time \"exp(0s)\" needs a mean longer than 0s");
  CHECK(parse_holding_time("lognormal(3min,x)").error() ==
        "holding time \"lognormal(3min,x)\" has a bad standard deviation: duration \"x\": expected a number at column 1");
  CHECK(parse_holding_time("0s").error() == "holding time \"0s\" must be longer than 0s");
}
