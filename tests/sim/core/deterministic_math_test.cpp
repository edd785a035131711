#include "sim/core/deterministic_math.hpp"

#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "sim/core/rng.hpp"

using namespace sim;

TEST_CASE("deterministic log agrees with libm to within a few ulp everywhere") {
  RandomStream stream(3, "test", "log");
  for (int i = 0; i < 200000; ++i) {
    // Values spread over the whole exponent range, subnormals included.
    const double x = std::ldexp(1.0 + stream.next_unit(), static_cast<int>(stream.uniform_below(2098)) - 1074);
    if (x == 0 || std::isinf(x)) continue;
    const double expected = std::log(x);
    const double tolerance = 4 * std::numeric_limits<double>::epsilon() * std::max(1.0, std::fabs(expected));
    REQUIRE(std::fabs(deterministic_log(x) - expected) <= tolerance);
  }
  CHECK(deterministic_log(1.0) == 0.0);
  CHECK(deterministic_log(std::numeric_limits<double>::denorm_min()) == doctest::Approx(std::log(std::numeric_limits<double>::denorm_min())));
}

TEST_CASE("the log of an open unit taken from its bits equals the log of the unit, bit for bit") {
  const auto open_unit = [](std::uint64_t bits) { return (static_cast<double>(bits >> 12) + 0.5) * 0x1.0p-52; };
  RandomStream stream(5, "test", "open-unit-log");
  for (int i = 0; i < 200000; ++i) {
    // Any leading-zero count, so every exponent the unit can have is met.
    const std::uint64_t bits = stream.next_u64() >> stream.uniform_below(64);
    REQUIRE(std::bit_cast<std::uint64_t>(deterministic_log_of_open_unit(bits)) == std::bit_cast<std::uint64_t>(deterministic_log(open_unit(bits))));
  }
  for (const std::uint64_t bits : {std::uint64_t{0}, std::uint64_t{1} << 12, ~std::uint64_t{0}, std::uint64_t{0xfff}, std::uint64_t{1} << 63})
    CHECK(std::bit_cast<std::uint64_t>(deterministic_log_of_open_unit(bits)) == std::bit_cast<std::uint64_t>(deterministic_log(open_unit(bits))));
}

TEST_CASE("deterministic exp agrees with libm and inverts log") {
  RandomStream stream(4, "test", "exp");
  for (int i = 0; i < 200000; ++i) {
    const double x = -700 + 1400 * stream.next_unit();
    const double expected = std::exp(x);
    REQUIRE(std::fabs(deterministic_exp(x) - expected) <= 8 * std::numeric_limits<double>::epsilon() * expected);
  }
  for (const double x : {1e-300, 0.5, 1.0, 2.0, 180.0, 1e300})
    // log's last-bit error is multiplied by |log x| through exp: 1e300 allows ~1e-13.
    CHECK(deterministic_exp(deterministic_log(x)) == doctest::Approx(x).epsilon(1e-12));
  CHECK(deterministic_exp(800) == std::numeric_limits<double>::infinity());
  CHECK(deterministic_exp(-800) == 0.0);
}
