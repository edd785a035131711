#pragma once
// log and exp built only from IEEE-754 basic operations (+ - * / and exact scaling), so a
// random draw gives the same bits with any libm, compiler or CPU. The build turns off FMA
// contraction (-ffp-contract=off) for the same reason. Accuracy is a few ulp, which is far
// below what any distribution here can notice; what matters is that it never varies.
#include <array>
#include <bit>
#include <cstdint>
#include <limits>

#include "sim/core/check.hpp"

namespace sim {

namespace detail {
// The mantissa range [1, 2) cut into cells centred on 1 + i/128, i = 0..128 (the mantissa picks
// the nearest centre). For cell i, `inverse` is a double close to 1 / centre and
// `log_of_inverse_reciprocal` = log(1 / inverse), computed from the very double stored in
// `inverse`, so log(m) = log_of_inverse_reciprocal + log(m * inverse) holds exactly in real
// arithmetic and m * inverse is within 2^-8 of 1. Cell 0 is exactly 1, so log(1) == 0.
constexpr int kLogCellBits = 7;
struct LogCell {
  double inverse;
  double log_of_inverse_reciprocal;
};
extern const std::array<LogCell, (1 << kLogCellBits) + 1> kLogTable;
// ln 2 split so that k * kLn2High is exact for |k| < 2^20 (kLn2High has 32 significant bits).
constexpr double kLn2High = 6.93147180369123816490e-01;
constexpr double kLn2Low = 1.90821492927058770002e-10;
}  // namespace detail

namespace detail {
// log(2^exponent * (1 + fraction / 2^52)): the work of deterministic_log once x is taken apart.
inline double log_of_parts(int exponent, std::uint64_t fraction) {
  const double mantissa = std::bit_cast<double>(fraction | (std::uint64_t{1023} << 52));  // [1, 2)
  const LogCell& cell = kLogTable[(fraction + (std::uint64_t{1} << (51 - kLogCellBits))) >> (52 - kLogCellBits)];
  // |r| < 2^-8, so six terms of log(1 + r) leave an error below 2^-58.
  const double r = mantissa * cell.inverse - 1.0;
  const double log1p_r = r - r * r * (0.5 - r * (1.0 / 3 - r * (0.25 - r * (0.2 - r * (1.0 / 6)))));
  const double k = exponent;
  return k * kLn2High + (cell.log_of_inverse_reciprocal + log1p_r + k * kLn2Low);
}
}  // namespace detail

// Natural logarithm of a positive finite x. Inline: exponential draws sit on the per-event path.
inline double deterministic_log(double x) {
  DRSIM_CHECK(x > 0 && x <= std::numeric_limits<double>::max(), "deterministic_log of a non-positive or infinite value");
  std::uint64_t bits = std::bit_cast<std::uint64_t>(x);
  int exponent = static_cast<int>(bits >> 52) - 1023;
  if (exponent == -1023) [[unlikely]] {  // subnormal: scale into the normal range first (exact)
    bits = std::bit_cast<std::uint64_t>(x * 0x1p54);
    exponent = static_cast<int>(bits >> 52) - 1023 - 54;
  }
  return detail::log_of_parts(exponent, bits & ((std::uint64_t{1} << 52) - 1));
}

// deterministic_log((floor(random_bits / 2^12) + 0.5) * 2^-52), the log of RandomStream's open
// unit, bit for bit; but that number is the odd integer m = 2 floor(random_bits / 2^12) + 1 times
// 2^-53, so its exponent and fraction come from m's bit width and a shift, without the
// conversion, addition and multiplication on the exponential draw's critical path.
inline double deterministic_log_of_open_unit(std::uint64_t random_bits) {
  const std::uint64_t odd = ((random_bits >> 12) << 1) | 1;  // below 2^53
  const int width = static_cast<int>(std::bit_width(odd));
  const std::uint64_t fraction = (odd << (53 - width)) & ((std::uint64_t{1} << 52) - 1);
  return detail::log_of_parts(width - 54, fraction);
}
// e^x for finite x; overflows to +inf and underflows to 0 like the mathematical function.
double deterministic_exp(double x);

}  // namespace sim
