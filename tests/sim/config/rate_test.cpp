#include "sim/config/rate.hpp"

#include <doctest/doctest.h>

using namespace config;
using namespace sim::time_literals;

TEST_CASE("rates are exact fractions of events per period") {
  CHECK(parse_rate("2/s").value() == Rate::per_period(2, 1_s));
  CHECK(parse_rate("60/min").value() == parse_rate("1/s").value());
  CHECK(parse_rate("2.5/s").value() == Rate::per_period(5, 2_s));
  CHECK(parse_rate("0.5/min").value() == Rate::per_period(1, 2_min));
  CHECK(parse_rate("30/h").value().mean_interval() == 2_min);
  CHECK(parse_rate("3/s").value().mean_interval() == sim::Time::from_nanoseconds(333'333'333));
  CHECK(parse_rate("0.000001/h").value().mean_interval() == sim::Time::from_seconds(3'600'000'000));
  CHECK(parse_rate("0/s").value().mean_interval() == sim::Time::max());
}

TEST_CASE("a rate prints in the shortest form that reads back the same") {
  for (const std::string_view text : {"2/s", "0.5/min", "30/h", "2.5/s", "0.001/s", "7/h", "0/s"}) {
    CAPTURE(text);
    const Rate rate = parse_rate(text).value();
    CHECK(parse_rate(format_rate(rate)).value() == rate);
  }
  CHECK(format_rate(parse_rate("60/min").value()) == "1/s");
  CHECK(format_rate(parse_rate("0.5/min").value()) == "30/h");
  CHECK(format_rate(parse_rate("20/min").value()) == "20/min");
  CHECK(format_rate(parse_rate("2.5/s").value()) == "150/min");
  CHECK(format_rate(Rate::per_period(1, 7_s)) == "0.142857/s");
}

TEST_CASE("a bad rate says what is wrong with it") {
  CHECK(parse_rate("2").error() == "rate \"2\" needs a unit: write \"N/s\", \"N/min\" or \"N/h\"");
  CHECK(parse_rate("2/sec").error() == "rate \"2/sec\" has unknown unit \"sec\" (use s, min or h)");
  CHECK(parse_rate("-1/s").error() == "rate \"-1/s\" must start with a non-negative number, e.g. \"2/s\" or \"0.5/min\"");
  CHECK(parse_rate("/s").error() == "rate \"/s\" must start with a non-negative number, e.g. \"2/s\" or \"0.5/min\"");
  CHECK(parse_rate("1.0000000001/s").error() == "rate \"1.0000000001/s\" has more than 9 decimals");
  CHECK(parse_rate("99999999999999999999/s").error() == "rate \"99999999999999999999/s\" is too large");
}
