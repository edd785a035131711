#include "sim/core/utc_time.hpp"

#include <doctest/doctest.h>

using namespace sim::time_literals;

TEST_CASE("RFC 3339 UTC timestamps round trip through Unix time") {
  const auto epoch = sim::parse_rfc3339_utc("1970-01-01T00:00:00Z");
  REQUIRE(epoch.ok());
  CHECK(epoch.value().unix_nanoseconds() == 0);

  const auto start = sim::parse_rfc3339_utc("2026-12-31T23:30:00Z");
  REQUIRE(start.ok());
  CHECK(start.value().unix_nanoseconds() == 1'798'759'800'000'000'000);
  CHECK(sim::format_rfc3339_utc(start.value()) == "2026-12-31T23:30:00Z");
  // An experiment starting half an hour before a certificate's not_after crosses it at 30 min.
  CHECK(sim::format_rfc3339_utc(start.value() + 30_min) == "2027-01-01T00:00:00Z");
  CHECK(sim::format_rfc3339_utc(sim::parse_rfc3339_utc("1969-12-31T23:59:59Z").value()) == "1969-12-31T23:59:59Z");
}

TEST_CASE("bad timestamps are refused with the reason") {
  const auto no_zone = sim::parse_rfc3339_utc("2026-12-31T23:30:00");
  REQUIRE_FALSE(no_zone.ok());
  CHECK(no_zone.error().find("not an RFC 3339 UTC timestamp") != std::string::npos);
  const auto february = sim::parse_rfc3339_utc("2026-02-29T00:00:00Z");
  REQUIRE_FALSE(february.ok());
  CHECK(february.error().find("does not exist") != std::string::npos);
  CHECK(sim::parse_rfc3339_utc("2028-02-29T00:00:00Z").ok());  // leap year
  CHECK_FALSE(sim::parse_rfc3339_utc("2026-12-31T24:00:00Z").ok());
  CHECK_FALSE(sim::parse_rfc3339_utc("2026-12-31T23:60:00Z").ok());
  CHECK_FALSE(sim::parse_rfc3339_utc("3000-01-01T00:00:00Z").ok());
}
