#include "sim/trace/percentile.hpp"

#include <algorithm>

#include "sim/core/check.hpp"

namespace trace {

std::optional<sim::Time> nearest_rank_percentile(std::vector<sim::Time> samples, int percent) {
  DRSIM_CHECK(percent >= 1 && percent <= 100, "nearest_rank_percentile: percent outside 1..100");
  if (samples.empty()) return std::nullopt;
  const std::size_t count = samples.size();
  // ceil(percent * count / 100) in integers; rank >= 1 because percent >= 1 and count >= 1.
  const std::size_t rank = (static_cast<std::size_t>(percent) * count + 99) / 100;
  const auto nth = samples.begin() + static_cast<std::ptrdiff_t>(rank - 1);
  std::nth_element(samples.begin(), nth, samples.end());
  return *nth;
}

}  // namespace trace
