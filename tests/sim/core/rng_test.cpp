#include "sim/core/rng.hpp"

#include <Random123/philox.h>
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "sim/core/simulation.hpp"

using namespace sim;

namespace {

struct Moments {
  double mean = 0, variance = 0;
};

template <class Draw>
Moments moments(Draw draw, int count = 1'000'000) {
  // Welford's update: stable for a million draws.
  double mean = 0, m2 = 0;
  for (int i = 1; i <= count; ++i) {
    const double x = draw();
    const double delta = x - mean;
    mean += delta / i;
    m2 += delta * (x - mean);
  }
  return {mean, m2 / (count - 1)};
}

std::vector<std::uint64_t> first_draws(RandomStream stream, int count) {
  std::vector<std::uint64_t> draws;
  for (int i = 0; i < count; ++i) draws.push_back(stream.next_u64());
  return draws;
}

// An actor that only owns named streams.
class Holder final : public Actor {
 public:
  using Actor::Actor;
  std::vector<std::uint64_t> draws(std::string_view stream_name) { return first_draws(random_stream(stream_name), 100); }
};

}  // namespace

TEST_CASE("a stream is fixed by the seed and the actor and stream names alone") {
  CHECK(first_draws(RandomStream(42, "sbc1", "options"), 50) == first_draws(RandomStream(42, "sbc1", "options"), 50));
  CHECK(first_draws(RandomStream(42, "sbc1", "options"), 50) != first_draws(RandomStream(43, "sbc1", "options"), 50));
  CHECK(first_draws(RandomStream(42, "sbc1", "options"), 50) != first_draws(RandomStream(42, "sbc2", "options"), 50));
  CHECK(first_draws(RandomStream(42, "sbc1", "options"), 50) != first_draws(RandomStream(42, "sbc1", "jitter"), 50));
  // The separator keeps ("ab", "c") and ("a", "bc") apart.
  CHECK(first_draws(RandomStream(42, "ab", "c"), 4) != first_draws(RandomStream(42, "a", "bc"), 4));
}

TEST_CASE("adding an actor or a stream leaves every other stream's numbers unchanged") {
  Simulation small(42);
  auto& alice_small = small.add_actor<Holder>("alice");
  const auto alice_arrivals = alice_small.draws("arrivals");

  Simulation large(42);
  large.add_actor<Holder>("zed");  // a new actor created first shifts every id...
  auto& alice_large = large.add_actor<Holder>("alice");
  alice_large.draws("holding");  // ...and a new stream is drawn from first
  large.add_actor<Holder>("bob").draws("arrivals");
  CHECK(alice_large.id() != alice_small.id());
  CHECK(alice_large.draws("arrivals") == alice_arrivals);
}

TEST_CASE("stream numbers are pinned: a change here changes every experiment's results") {
  // Philox2x64-10 keyed by XXH3-64("sbc1\0options", seed 42); if this moves, every pinned
  // fingerprint moves with it and the commit must say why.
  RandomStream stream(42, "sbc1", "options");
  const std::uint64_t a = stream.next_u64();
  const std::uint64_t b = stream.next_u64();
  const std::uint64_t c = stream.next_u64();
  CHECK(stream.position() == 3);
  CHECK(a == 9576716020053030922ULL);
  CHECK(b == 8799418023188542361ULL);
  CHECK(c == 17431350529369162865ULL);
}

TEST_CASE("the inline Philox2x64-10 equals Random123's, block for block") {
  r123::Philox2x64 reference;
  for (std::uint64_t key : {0ULL, 1ULL, 0x9E3779B97F4A7C15ULL, ~0ULL}) {
    for (std::uint64_t counter : {0ULL, 1ULL, 2ULL, 12345ULL, ~0ULL - 1}) {
      const r123::Philox2x64::ctr_type expected = reference({{counter, 0}}, {{key}});
      const sim::PhiloxBlock block = sim::philox2x64_10(counter, key);
      CHECK(block.words[0] == expected.v[0]);
      CHECK(block.words[1] == expected.v[1]);
    }
  }
  // And a stream's draws are its blocks' words in order, whatever the draw pattern.
  RandomStream stream(42, "sbc1", "options");
  const std::uint64_t key = sim::stream_key(42, "sbc1", "options");
  for (std::uint64_t block = 0; block < 100; ++block) {
    const r123::Philox2x64::ctr_type expected = reference({{block, 0}}, {{key}});
    CHECK(stream.next_u64() == expected.v[0]);
    CHECK(stream.next_u64() == expected.v[1]);
  }
}

TEST_CASE("uniform integers are unbiased across buckets") {
  RandomStream stream(1, "test", "buckets");
  std::vector<int> counts(10, 0);
  const int draws = 1'000'000;
  for (int i = 0; i < draws; ++i) ++counts[stream.uniform_below(10)];
  double chi_square = 0;
  for (const int count : counts) chi_square += std::pow(count - draws / 10.0, 2) / (draws / 10.0);
  CHECK(chi_square < 27.88);  // 9 degrees of freedom, p = 0.001
  for (int i = 0; i < 1000; ++i) CHECK(stream.uniform_below(1) == 0);
}

TEST_CASE("unit draws stay inside the unit interval") {
  RandomStream stream(5, "test", "units");
  for (int i = 0; i < 100000; ++i) {
    const double closed_open = stream.next_unit();
    const double open = stream.next_open_unit();
    REQUIRE(closed_open >= 0.0);
    REQUIRE(closed_open < 1.0);
    REQUIRE(open > 0.0);
    REQUIRE(open < 1.0);
  }
}

TEST_CASE("distributions have the right mean and variance over a million draws") {
  RandomStream stream(2026, "test", "moments");
  SUBCASE("uniform(2, 5)") {
    const UniformDistribution uniform(2, 5);
    const auto m = moments([&] { return uniform(stream); });
    CHECK(m.mean == doctest::Approx(3.5).epsilon(0.002));
    CHECK(m.variance == doctest::Approx(0.75).epsilon(0.01));
  }
  SUBCASE("exponential(mean 180)") {
    const ExponentialDistribution exponential(180);
    const auto m = moments([&] { return exponential(stream); });
    CHECK(m.mean == doctest::Approx(180).epsilon(0.005));
    CHECK(m.variance == doctest::Approx(180.0 * 180).epsilon(0.015));
  }
  SUBCASE("normal(10, 3)") {
    const NormalDistribution normal(10, 3);
    const auto m = moments([&] { return normal(stream); });
    CHECK(m.mean == doctest::Approx(10).epsilon(0.002));
    CHECK(m.variance == doctest::Approx(9).epsilon(0.01));
  }
  SUBCASE("lognormal(180s, 60s) has the mean and deviation the user wrote") {
    const LognormalDistribution lognormal(180, 60);
    const auto m = moments([&] { return lognormal(stream); });
    CHECK(m.mean == doctest::Approx(180).epsilon(0.003));
    CHECK(std::sqrt(m.variance) == doctest::Approx(60).epsilon(0.01));
  }
  SUBCASE("empirical reproduces its sample's range and linear-interpolation mean") {
    const EmpiricalDistribution empirical({4, 1, 2, 10});  // sorted: 1 2 4 10
    double low = 1e9, high = -1e9;
    const auto m = moments([&] {
      const double x = empirical(stream);
      low = std::min(low, x);
      high = std::max(high, x);
      return x;
    });
    // Mean of the piecewise-linear inverse CDF: average of the segment midpoints.
    CHECK(m.mean == doctest::Approx((1.5 + 3 + 7) / 3).epsilon(0.003));
    CHECK(low >= 1);
    CHECK(high <= 10);
  }
}
