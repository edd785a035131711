#include "sim/core/deterministic_math.hpp"

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "sim/core/check.hpp"

namespace sim {
namespace {
// ln 2 split so that k * kLn2High is exact for |k| < 2^20 (kLn2High has 32 significant bits).
constexpr double kLn2High = 6.93147180369123816490e-01;
constexpr double kLn2Low = 1.90821492927058770002e-10;

// log(m) for m in [sqrt(1/2), sqrt(2)) by the atanh series: log(m) = 2 atanh(s) with
// s = (m - 1) / (m + 1), |s| <= 0.1716; twelve odd terms bring the error below 2^-56. Slow but
// only used to build the table below.
double series_log(double m) {
  const double s = (m - 1.0) / (m + 1.0);
  const double z = s * s;
  double series = 1.0 / 25;
  for (int k = 11; k >= 0; --k) series = 1.0 / (2 * k + 1) + z * series;
  return 2.0 * s * series;
}

// The mantissa range [1, 2) cut into cells centred on 1 + i/128, i = 0..128 (the mantissa picks
// the nearest centre). For cell i, `inverse` is a double close to 1 / centre and
// `log_of_inverse_reciprocal` = log(1 / inverse), computed from the very double stored in
// `inverse`, so log(m) = log_of_inverse_reciprocal + log(m * inverse) holds exactly in real
// arithmetic and m * inverse is within 2^-8 of 1. Cell 0 is exactly 1, so log(1) == 0.
constexpr int kCellBits = 7;
struct LogCell {
  double inverse;
  double log_of_inverse_reciprocal;
};
std::array<LogCell, (1 << kCellBits) + 1> build_log_table() {
  std::array<LogCell, (1 << kCellBits) + 1> table{};
  for (int i = 0; i <= (1 << kCellBits); ++i) {
    const double centre = 1.0 + static_cast<double>(i) / (1 << kCellBits);
    const double inverse = 1.0 / centre;
    // log(1 / inverse) = -log(inverse); inverse is in (0.5, 1], fold it into the series range.
    const double log_inverse = inverse < 0.70710678118654752440 ? series_log(2 * inverse) - 0.69314718055994530942 : series_log(inverse);
    table[static_cast<std::size_t>(i)] = {inverse, -log_inverse};
  }
  return table;
}
const std::array<LogCell, (1 << kCellBits) + 1> kLogTable = build_log_table();

}  // namespace

double deterministic_log(double x) {
  DRSIM_CHECK(x > 0 && x <= std::numeric_limits<double>::max(), "deterministic_log of a non-positive or infinite value");
  std::uint64_t bits = std::bit_cast<std::uint64_t>(x);
  int exponent = static_cast<int>(bits >> 52) - 1023;
  if (exponent == -1023) {  // subnormal: scale into the normal range first (exact)
    bits = std::bit_cast<std::uint64_t>(x * 0x1p54);
    exponent = static_cast<int>(bits >> 52) - 1023 - 54;
  }
  const std::uint64_t fraction = bits & ((std::uint64_t{1} << 52) - 1);
  const double mantissa = std::bit_cast<double>(fraction | (std::uint64_t{1023} << 52));  // [1, 2)
  const LogCell& cell = kLogTable[(fraction + (std::uint64_t{1} << (51 - kCellBits))) >> (52 - kCellBits)];
  // |r| < 2^-8, so six terms of log(1 + r) leave an error below 2^-58.
  const double r = mantissa * cell.inverse - 1.0;
  const double log1p_r = r - r * r * (0.5 - r * (1.0 / 3 - r * (0.25 - r * (0.2 - r * (1.0 / 6)))));
  const double k = exponent;
  return k * kLn2High + (cell.log_of_inverse_reciprocal + log1p_r + k * kLn2Low);
}

double deterministic_exp(double x) {
  if (x > 709.782712893384) return std::numeric_limits<double>::infinity();
  if (x < -745.1332191019412) return 0.0;
  // x = k ln2 + r with |r| <= ln2 / 2; e^x = 2^k e^r.
  const double k = std::nearbyint(x / 0.69314718055994530942);
  const double r = (x - k * kLn2High) - k * kLn2Low;
  // Taylor series of e^r to degree 14: |r|^15 / 15! < 2^-60 for |r| <= 0.347.
  double series = 1.0;
  for (int n = 14; n >= 1; --n) series = 1.0 + r * series / n;
  return std::ldexp(series, static_cast<int>(k));
}

}  // namespace sim
