#include "sim/core/deterministic_math.hpp"

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "sim/core/check.hpp"

namespace sim {
namespace detail {
namespace {
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

std::array<LogCell, (1 << kLogCellBits) + 1> build_log_table() {
  std::array<LogCell, (1 << kLogCellBits) + 1> table{};
  for (int i = 0; i <= (1 << kLogCellBits); ++i) {
    const double centre = 1.0 + static_cast<double>(i) / (1 << kLogCellBits);
    const double inverse = 1.0 / centre;
    // log(1 / inverse) = -log(inverse); inverse is in (0.5, 1], fold it into the series range.
    const double log_inverse = inverse < 0.70710678118654752440 ? series_log(2 * inverse) - 0.69314718055994530942 : series_log(inverse);
    table[static_cast<std::size_t>(i)] = {inverse, -log_inverse};
  }
  return table;
}
}  // namespace

const std::array<LogCell, (1 << kLogCellBits) + 1> kLogTable = build_log_table();
}  // namespace detail

double deterministic_exp(double x) {
  if (x > 709.782712893384) return std::numeric_limits<double>::infinity();
  if (x < -745.1332191019412) return 0.0;
  // x = k ln2 + r with |r| <= ln2 / 2; e^x = 2^k e^r.
  const double k = std::nearbyint(x / 0.69314718055994530942);
  const double r = (x - k * detail::kLn2High) - k * detail::kLn2Low;
  // Taylor series of e^r to degree 14: |r|^15 / 15! < 2^-60 for |r| <= 0.347.
  double series = 1.0;
  for (int n = 14; n >= 1; --n) series = 1.0 + r * series / n;
  return std::ldexp(series, static_cast<int>(k));
}

}  // namespace sim
