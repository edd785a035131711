#include "sim/core/time.hpp"

#include <doctest/doctest.h>

using namespace sim;
using namespace sim::time_literals;

TEST_CASE("durations from experiment files parse to exact nanoseconds") {
  CHECK(parse_duration("250ms").value() == 250_ms);
  CHECK(parse_duration("60s").value() == 60_s);
  CHECK(parse_duration("1.5s").value() == 1500_ms);
  CHECK(parse_duration("2h").value() == 7200_s);
  CHECK(parse_duration("40m").value() == 40_min);  // the spec's fault example: minutes
  CHECK(parse_duration("40min").value() == 40_min);
  CHECK(parse_duration("1h30m").value() == 90_min);
  CHECK(parse_duration("90us").value() == 90_us);
  CHECK(parse_duration("5ns").value() == 5_ns);
  CHECK(parse_duration("1d").value() == 24_h);
  CHECK(parse_duration("0.000000001s").value() == 1_ns);
  CHECK(parse_duration("0s").value() == Time::zero());
  CHECK(parse_duration(".5s").value() == 500_ms);
}

TEST_CASE("a bad duration is refused with a message that quotes the bad text") {
  struct Case {
    const char* text;
    const char* why;
  };
  const Case cases[] = {
      {"", "empty"},
      {"5", "missing unit"},
      {"5 s", "missing unit"},
      {"5parsecs", "unknown unit \"parsecs\""},
      {"5S", "missing unit"},
      {"-3s", "negative"},
      {"0.5ns", "finer than the 1 ns resolution"},
      {"1.0000000001s", "finer than the 1 ns resolution"},
      {"99999999999999999999s", "too large"},
      {"3000000h", "too large"},
      {"ms", "expected a number"},
      {"1.s5", "missing unit"},
  };
  for (const Case& test : cases) {
    CAPTURE(test.text);
    const auto parsed = parse_duration(test.text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().text == test.text);
    CHECK(parsed.error().message.find("\"" + std::string(test.text) + "\"") != std::string::npos);
    CHECK(parsed.error().message.find(test.why) != std::string::npos);
  }
}

TEST_CASE("time arithmetic that overflows is an error and never wraps") {
  CHECK_THROWS_AS(Time::max() + 1_ns, TimeOverflow);
  CHECK_THROWS_AS(Time::from_nanoseconds(-5) - Time::max() - 10_ns, TimeOverflow);
  CHECK_THROWS_AS(Time::from_seconds(10'000'000'000), TimeOverflow);
  CHECK_THROWS_AS(1_h * 10'000'000, TimeOverflow);
  CHECK_THROWS_AS(Time::from_seconds_rounded(1e12), TimeOverflow);
  CHECK_THROWS_AS(Time::from_seconds_rounded(std::numeric_limits<double>::quiet_NaN()), TimeOverflow);
  CHECK((Time::max() - 1_ns) + 1_ns == Time::max());
}

TEST_CASE("seconds from distributions round to the nearest nanosecond") {
  CHECK(Time::from_seconds_rounded(1.5) == 1500_ms);
  CHECK(Time::from_seconds_rounded(0.1234567894) == Time::from_nanoseconds(123456789));
  CHECK(Time::from_seconds_rounded(0.1234567896) == Time::from_nanoseconds(123456790));
}

TEST_CASE("formatted durations are exact and read back") {
  CHECK(format_duration(250_ms) == "250ms");
  CHECK(format_duration(1500_ms) == "1500ms");
  CHECK(format_duration(2_h) == "2h");
  CHECK(format_duration(90_min) == "90min");
  CHECK(format_duration(Time::zero()) == "0s");
  CHECK(format_duration(Time::from_nanoseconds(-7)) == "-7ns");
  for (const Time time : {1_ns, 999_ns, 32_s, 61_s, 3601_s, Time::from_nanoseconds(123456789012)})
    CHECK(parse_duration(format_duration(time)).value() == time);
}
