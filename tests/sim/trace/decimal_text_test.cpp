#include "sim/trace/decimal_text.hpp"

#include <doctest/doctest.h>

#include <limits>

using trace::format_decimal;

TEST_CASE("nanoseconds print as seconds with fixed decimals rounded half away from zero") {
  CHECK(format_decimal(1'234'567'891, 9, 3) == "1.235");
  CHECK(format_decimal(1'234'500'000, 9, 3) == "1.235");
  CHECK(format_decimal(1'234'499'999, 9, 3) == "1.234");
  CHECK(format_decimal(0, 9, 6) == "0.000000");
  CHECK(format_decimal(5, 9, 9) == "0.000000005");
  CHECK(format_decimal(3'600'000'000'000, 9, 3) == "3600.000");
  CHECK(format_decimal(999'999'999, 9, 0) == "1");
}

TEST_CASE("negative decimals keep their sign and a value rounding to zero prints no minus") {
  CHECK(format_decimal(-1'500'000, 6, 0) == "-2");
  CHECK(format_decimal(-100'000'000, 9, 3) == "-0.100");
  CHECK(format_decimal(-400'000, 6, 0) == "0");
  CHECK(format_decimal(std::numeric_limits<std::int64_t>::min(), 0, 0) == "-9223372036854775808");
  CHECK(format_decimal(std::numeric_limits<std::int64_t>::max(), 9, 0) == "9223372037");
}
