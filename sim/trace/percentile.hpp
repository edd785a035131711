#pragma once
// Percentiles for summary.json (setup delay p50/p95/p99). sim/stats is the home of the
// Eigen-based estimators (confidence intervals over replications); this plain helper covers a
// single run until it lands.
#include <optional>
#include <vector>

#include "sim/core/time.hpp"

namespace trace {

// Nearest-rank percentile: sort the n samples ascending and take the one at 1-based rank
// ceil(percent / 100 * n). The result is always one of the samples (no interpolation), so it
// is exact in integer nanoseconds. percent must be in 1..100; no samples give nullopt.
// Example: samples {15, 20, 35, 40, 50} ms give p30 = 20 ms, p50 = 35 ms, p100 = 50 ms.
std::optional<sim::Time> nearest_rank_percentile(std::vector<sim::Time> samples, int percent);

}  // namespace trace
