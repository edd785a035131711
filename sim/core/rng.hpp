#pragma once
// Named random streams (DESIGN.md determinism rule 2): rng(seed, actor name, stream name) is a
// counter-based Philox2x64-10 generator whose key is XXH3-64 of the two names seeded with the
// run's seed. A stream's numbers depend on nothing else, so adding an actor or a stream never
// changes another's draws. Distributions are our own: std:: distributions differ between
// standard libraries.
#include <cstdint>
#include <string_view>
#include <vector>

#include "sim/core/check.hpp"
#include "sim/core/deterministic_math.hpp"
#include "sim/core/int128.hpp"

namespace sim {

// Philox2x64-10 (Salmon et al., SC'11), written out so the per-draw path inlines; it equals
// Random123's r123::Philox2x64 output for output (rng_test compares them).
struct PhiloxBlock {
  std::uint64_t words[2];
};
inline PhiloxBlock philox2x64_10(std::uint64_t counter, std::uint64_t key) {
  constexpr std::uint64_t kMultiplier = 0xD2B74407B1CE6E93ULL;
  constexpr std::uint64_t kKeyIncrement = 0x9E3779B97F4A7C15ULL;  // golden ratio
  std::uint64_t word0 = counter, word1 = 0;
  for (int round = 0; round < 10; ++round, key += kKeyIncrement) {
    const UInt128 product = static_cast<UInt128>(kMultiplier) * word0;
    word0 = static_cast<std::uint64_t>(product >> 64) ^ key ^ word1;
    word1 = static_cast<std::uint64_t>(product);
  }
  return {{word0, word1}};
}

class RandomStream {
 public:
  RandomStream(std::uint64_t seed, std::string_view actor_name, std::string_view stream_name);

  // Draw i is word i % 2 of Philox block i / 2. The block after the current one is computed
  // as soon as the current one is used up, not when the next draw needs it: that keeps its ten
  // dependent multiplies off the critical path of whatever waits for the next draw.
  std::uint64_t next_u64() {
    const std::uint64_t draw = drawn_++;
    const std::uint64_t value = block_.words[draw & 1];
    if (draw & 1) block_ = philox2x64_10((draw >> 1) + 1, key_);
    return value;
  }
  // Uniform in [0, 1) with 53 random bits.
  double next_unit() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Uniform in (0, 1): safe to take the logarithm of.
  double next_open_unit() { return (static_cast<double>(next_u64() >> 12) + 0.5) * 0x1.0p-52; }
  // Uniform integer in [0, bound), unbiased (Lemire's multiply-and-reject).
  std::uint64_t uniform_below(std::uint64_t bound) {
    DRSIM_CHECK(bound > 0, "uniform_below(0)");
    const UInt128 product = static_cast<UInt128>(next_u64()) * bound;
    // The low word is below `bound` with probability bound / 2^64: only then may a draw be rejected.
    if (static_cast<std::uint64_t>(product) < bound) [[unlikely]] return uniform_below_rejecting(product, bound);
    return static_cast<std::uint64_t>(product >> 64);
  }

  // Draws taken so far: with the names, this fixes the stream's future exactly.
  std::uint64_t position() const { return drawn_; }

 private:
  std::uint64_t uniform_below_rejecting(UInt128 product, std::uint64_t bound);

  // 32 bytes, so a model's stream shares a cache line with its state.
  std::uint64_t key_;
  std::uint64_t drawn_ = 0;
  PhiloxBlock block_;  // block drawn_ / 2
};

// The Philox key of a stream: XXH3-64 of "actor\0stream" with the run's seed as XXH3 seed;
// stable across versions and platforms because XXH3's output is frozen.
std::uint64_t stream_key(std::uint64_t seed, std::string_view actor_name, std::string_view stream_name);

class UniformDistribution {
 public:
  UniformDistribution(double low, double high);
  double operator()(RandomStream& stream) const { return low_ + (high_ - low_) * stream.next_unit(); }
  double mean() const { return (low_ + high_) / 2; }

 private:
  double low_, high_;
};

class ExponentialDistribution {
 public:
  explicit ExponentialDistribution(double mean);
  // -mean log(next_open_unit()), with the unit's logarithm taken straight from its bits.
  double operator()(RandomStream& stream) const { return -mean_ * deterministic_log_of_open_unit(stream.next_u64()); }
  double mean() const { return mean_; }

 private:
  double mean_;
};

// Marsaglia's polar method: needs only log and sqrt (correctly rounded by IEEE-754), unlike
// Box-Muller's sin and cos. Each call uses one pair of uniforms and keeps no spare, so a
// stream's position depends only on the number of draws.
class NormalDistribution {
 public:
  NormalDistribution(double mean, double standard_deviation);
  double operator()(RandomStream& stream) const;

 private:
  double mean_, standard_deviation_;
};

// Parameterised by the mean and standard deviation of the values themselves (what a user
// writes: "lognormal(180s,60s)"), not of their logarithm.
class LognormalDistribution {
 public:
  LognormalDistribution(double mean, double standard_deviation);
  double operator()(RandomStream& stream) const;

 private:
  NormalDistribution underlying_;
};

// Inverse of the empirical CDF of observed values, interpolated linearly between order
// statistics: draws stay within [min, max] and reproduce the sample's quantiles.
class EmpiricalDistribution {
 public:
  explicit EmpiricalDistribution(std::vector<double> observations);
  double operator()(RandomStream& stream) const;

 private:
  std::vector<double> sorted_;
};

}  // namespace sim
