#include "sim/trace/decimal_text.hpp"

#include "sim/core/check.hpp"

namespace trace {
namespace {

std::uint64_t power_of_ten(int exponent) {
  std::uint64_t result = 1;
  for (int i = 0; i < exponent; ++i) result *= 10;
  return result;
}

}  // namespace

std::string format_decimal(std::int64_t value, int unit_digits, int decimals) {
  DRSIM_CHECK(0 <= decimals && decimals <= unit_digits && unit_digits <= 18, "format_decimal: digits out of range");
  // The magnitude as unsigned, so INT64_MIN and the rounding addend cannot overflow.
  const std::uint64_t magnitude = value < 0 ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
  const std::uint64_t divisor = power_of_ten(unit_digits - decimals);
  const std::uint64_t rounded = magnitude / divisor + (magnitude % divisor >= (divisor + 1) / 2 ? 1 : 0);
  const std::uint64_t scale = power_of_ten(decimals);
  std::string text = value < 0 && rounded != 0 ? "-" : "";
  text += std::to_string(rounded / scale);
  if (decimals > 0) {
    std::string fraction = std::to_string(rounded % scale);
    text += '.';
    text.append(static_cast<std::size_t>(decimals) - fraction.size(), '0');
    text += fraction;
  }
  return text;
}

}  // namespace trace
