#include "sim/net/ip_address.hpp"

#include <arpa/inet.h>

namespace net {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  // inet_pton is strict (no leading zeros in IPv4, no zone ids), which is what a topology
  // file should be held to; it needs a NUL-terminated copy.
  const std::string copy(text);
  IpAddress address;
  if (inet_pton(AF_INET, copy.c_str(), address.bytes_.data()) == 1) {
    address.family_ = IpFamily::V4;
    return address;
  }
  if (inet_pton(AF_INET6, copy.c_str(), address.bytes_.data()) == 1) {
    address.family_ = IpFamily::V6;
    return address;
  }
  return std::nullopt;
}

namespace {

// One byte in decimal without leading zeros; returns the end of what was written.
char* write_decimal_byte(char* out, std::uint8_t value) {
  if (value >= 100) {
    *out++ = static_cast<char>('0' + value / 100);
    *out++ = static_cast<char>('0' + value / 10 % 10);
  } else if (value >= 10) {
    *out++ = static_cast<char>('0' + value / 10);
  }
  *out++ = static_cast<char>('0' + value % 10);
  return out;
}

char* write_dotted_quad(char* out, const std::uint8_t* bytes) {
  for (int i = 0; i < 4; ++i) {
    if (i != 0) *out++ = '.';
    out = write_decimal_byte(out, bytes[i]);
  }
  return out;
}

// One 16-bit group in lower-case hex without leading zeros (RFC 5952 §4.1, §4.3).
char* write_hex_group(char* out, unsigned group) {
  static constexpr char kDigits[] = "0123456789abcdef";
  bool started = false;
  for (int shift = 12; shift >= 0; shift -= 4) {
    const unsigned digit = (group >> shift) & 0xF;
    started = started || digit != 0 || shift == 0;
    if (started) *out++ = kDigits[digit];
  }
  return out;
}

char* write_ipv6(char* out, const std::array<std::uint8_t, 16>& bytes) {
  unsigned groups[8];
  for (int i = 0; i < 8; ++i) groups[i] = static_cast<unsigned>(bytes[2 * i]) << 8 | bytes[2 * i + 1];
  // RFC 5952 §4.2: "::" replaces the longest run of two or more zero groups, the first one
  // when two runs are equally long.
  int best_start = -1;
  int best_length = 0;
  for (int i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    int end = i;
    while (end < 8 && groups[end] == 0) ++end;
    if (end - i > best_length) {
      best_start = i;
      best_length = end - i;
    }
    i = end;
  }
  if (best_length < 2) best_start = -1;
  // As inet_ntop: an IPv4-compatible (::a.b.c.d) or IPv4-mapped (::ffff:a.b.c.d) address ends
  // in a dotted quad (RFC 5952 §5).
  const bool embedded_ipv4 = best_start == 0 && (best_length == 6 || (best_length == 5 && groups[5] == 0xFFFF));
  for (int i = 0; i < 8; ++i) {
    if (best_start >= 0 && i >= best_start && i < best_start + best_length) {
      if (i == best_start) *out++ = ':';
      continue;
    }
    if (i != 0) *out++ = ':';
    if (i == 6 && embedded_ipv4) return write_dotted_quad(out, bytes.data() + 12);
    out = write_hex_group(out, groups[i]);
  }
  if (best_start >= 0 && best_start + best_length == 8) *out++ = ':';
  return out;
}

}  // namespace

std::string IpAddress::text() const {
  // Written by hand rather than by inet_ntop, whose sprintf per group cost ~2,000 instructions
  // an address, on every Contact, Via and SDP line the elements build; the output is the same
  // (ip_address_test.cpp compares the two).
  char buffer[INET6_ADDRSTRLEN];
  const char* end = family_ == IpFamily::V4 ? write_dotted_quad(buffer, bytes_.data()) : write_ipv6(buffer, bytes_);
  return std::string(buffer, static_cast<std::size_t>(end - buffer));
}

}  // namespace net
