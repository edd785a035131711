#pragma once
// Lower-case hexadecimal for the identifiers user agents make up (tags, ICE credentials): one
// writer, so that every element spells its counters the same way.
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>

namespace sip {

// `value` in lower-case hex, zero-padded on the left to at least `min_digits` (at most 16).
inline std::string lower_hex(std::uint64_t value, std::size_t min_digits = 1) {
  char digits[16];
  const auto length = static_cast<std::size_t>(std::to_chars(digits, digits + sizeof digits, value, 16).ptr - digits);
  std::string text(length < min_digits ? min_digits - length : 0, '0');
  return text.append(digits, length);
}

}  // namespace sip
