#include "sim/core/rng.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace sim {

std::uint64_t stream_key(std::uint64_t seed, std::string_view actor_name, std::string_view stream_name) {
  std::string joined;
  joined.reserve(actor_name.size() + 1 + stream_name.size());
  joined.append(actor_name).push_back('\0');
  joined.append(stream_name);
  return XXH3_64bits_withSeed(joined.data(), joined.size(), seed);
}

RandomStream::RandomStream(std::uint64_t seed, std::string_view actor_name, std::string_view stream_name)
    : key_(stream_key(seed, actor_name, stream_name)), block_(philox2x64_10(0, key_)) {}

std::uint64_t RandomStream::uniform_below_rejecting(UInt128 product, std::uint64_t bound) {
  const std::uint64_t threshold = -bound % bound;
  while (static_cast<std::uint64_t>(product) < threshold) product = static_cast<UInt128>(next_u64()) * bound;
  return static_cast<std::uint64_t>(product >> 64);
}

UniformDistribution::UniformDistribution(double low, double high) : low_(low), high_(high) {
  DRSIM_CHECK(low <= high, "uniform distribution with low > high");
}

ExponentialDistribution::ExponentialDistribution(double mean) : mean_(mean) {
  DRSIM_CHECK(mean > 0, "exponential distribution needs a positive mean");
}

NormalDistribution::NormalDistribution(double mean, double standard_deviation)
    : mean_(mean), standard_deviation_(standard_deviation) {
  DRSIM_CHECK(standard_deviation >= 0, "normal distribution with a negative standard deviation");
}

double NormalDistribution::operator()(RandomStream& stream) const {
  for (;;) {
    const double u = 2.0 * stream.next_unit() - 1.0;
    const double v = 2.0 * stream.next_unit() - 1.0;
    const double s = u * u + v * v;
    if (s > 0.0 && s < 1.0) return mean_ + standard_deviation_ * u * std::sqrt(-2.0 * deterministic_log(s) / s);
  }
}

namespace {
NormalDistribution log_space(double mean, double standard_deviation) {
  DRSIM_CHECK(mean > 0 && standard_deviation >= 0, "lognormal needs a positive mean and a non-negative standard deviation");
  const double variance_ratio = (standard_deviation * standard_deviation) / (mean * mean);
  const double sigma_squared = deterministic_log(1.0 + variance_ratio);
  return NormalDistribution(deterministic_log(mean) - sigma_squared / 2, std::sqrt(sigma_squared));
}
}  // namespace

LognormalDistribution::LognormalDistribution(double mean, double standard_deviation)
    : underlying_(log_space(mean, standard_deviation)) {}

double LognormalDistribution::operator()(RandomStream& stream) const {
  return deterministic_exp(underlying_(stream));
}

EmpiricalDistribution::EmpiricalDistribution(std::vector<double> observations) : sorted_(std::move(observations)) {
  DRSIM_CHECK(!sorted_.empty(), "empirical distribution needs at least one observation");
  std::sort(sorted_.begin(), sorted_.end());
}

double EmpiricalDistribution::operator()(RandomStream& stream) const {
  if (sorted_.size() == 1) return sorted_.front();
  const double position = stream.next_unit() * static_cast<double>(sorted_.size() - 1);
  const auto index = static_cast<std::size_t>(position);
  const double weight = position - static_cast<double>(index);
  return sorted_[index] + weight * (sorted_[index + 1] - sorted_[index]);
}

}  // namespace sim
