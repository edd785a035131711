#include "sim/trace/percentile.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace sim::time_literals;

TEST_CASE("nearest-rank percentiles pick a sample at rank ceil of p times n") {
  const std::vector<sim::Time> samples = {50_ms, 15_ms, 40_ms, 20_ms, 35_ms};  // unsorted on purpose
  CHECK(trace::nearest_rank_percentile(samples, 1) == 15_ms);
  CHECK(trace::nearest_rank_percentile(samples, 30) == 20_ms);
  CHECK(trace::nearest_rank_percentile(samples, 40) == 20_ms);
  CHECK(trace::nearest_rank_percentile(samples, 50) == 35_ms);
  CHECK(trace::nearest_rank_percentile(samples, 100) == 50_ms);
  CHECK_FALSE(trace::nearest_rank_percentile({}, 50).has_value());
}

TEST_CASE("p95 and p99 of a hundred delays are the 95th and 99th smallest") {
  std::vector<sim::Time> samples;
  for (std::int64_t i = 100; i >= 1; --i) samples.push_back(sim::Time::from_milliseconds(i));
  CHECK(trace::nearest_rank_percentile(samples, 95) == 95_ms);
  CHECK(trace::nearest_rank_percentile(samples, 99) == 99_ms);
  samples.resize(20);  // 100 ms down to 81 ms: rank 19 of 20 for p95
  CHECK(trace::nearest_rank_percentile(samples, 95) == 99_ms);
}
