#pragma once
// Named random streams (DESIGN.md determinism rule 2): rng(seed, actor name, stream name) is a
// counter-based Philox2x64-10 generator whose key is XXH3-64 of the two names seeded with the
// run's seed. A stream's numbers depend on nothing else, so adding an actor or a stream never
// changes another's draws. Distributions are our own: std:: distributions differ between
// standard libraries.
#include <cstdint>
#include <string_view>
#include <vector>

namespace sim {

class RandomStream {
 public:
  RandomStream(std::uint64_t seed, std::string_view actor_name, std::string_view stream_name);

  std::uint64_t next_u64() {
    if (next_ == 2) refill();
    return buffer_[next_++];
  }
  // Uniform in [0, 1) with 53 random bits.
  double next_unit() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Uniform in (0, 1): safe to take the logarithm of.
  double next_open_unit() { return (static_cast<double>(next_u64() >> 12) + 0.5) * 0x1.0p-52; }
  // Uniform integer in [0, bound), unbiased (Lemire's multiply-and-reject).
  std::uint64_t uniform_below(std::uint64_t bound);

  // Draws taken so far: with the names, this fixes the stream's future exactly.
  std::uint64_t position() const { return block_ * 2 - (2 - next_); }

 private:
  void refill();

  // 40 bytes, the per-draw fields first: a model's stream shares a cache line with its state.
  std::uint32_t next_ = 2;  // index into buffer_; 2 = empty
  std::uint64_t block_ = 0;
  std::uint64_t buffer_[2] = {};
  std::uint64_t key_;
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
  double operator()(RandomStream& stream) const;
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
