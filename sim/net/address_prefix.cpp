#include "sim/net/address_prefix.hpp"

#include <charconv>

namespace net {
namespace {

int address_bits(net::IpFamily family) { return family == net::IpFamily::V4 ? 32 : 128; }

// True when the first `length` bits of the two byte arrays agree.
bool same_leading_bits(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b, int length) {
  const int whole_bytes = length / 8;
  for (int i = 0; i < whole_bytes; ++i)
    if (a[i] != b[i]) return false;
  const int spare_bits = length % 8;
  if (spare_bits == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xFF << (8 - spare_bits));
  return (a[whole_bytes] & mask) == (b[whole_bytes] & mask);
}

bool host_bits_zero(const net::IpAddress& address, int length) {
  const std::array<std::uint8_t, 16>& bytes = address.bytes();
  for (int bit = length; bit < address_bits(address.family()); ++bit)
    if ((bytes[bit / 8] & (0x80 >> (bit % 8))) != 0) return false;
  return true;
}

}  // namespace

std::optional<AddressPrefix> AddressPrefix::parse(std::string_view text) {
  const std::size_t slash = text.find('/');
  const auto address = net::IpAddress::parse(text.substr(0, slash));
  if (!address) return std::nullopt;
  const int bits = address_bits(address->family());
  if (slash == std::string_view::npos) return AddressPrefix(*address, bits);

  const std::string_view digits = text.substr(slash + 1);
  int length = -1;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  if (length < 0 || length > bits || !host_bits_zero(*address, length)) return std::nullopt;
  return AddressPrefix(*address, length);
}

AddressPrefix AddressPrefix::single(const net::IpAddress& address) {
  return AddressPrefix(address, address_bits(address.family()));
}

bool AddressPrefix::contains(const net::IpAddress& address) const {
  return address.family() == network_.family() && same_leading_bits(address.bytes(), network_.bytes(), length_);
}

std::string AddressPrefix::text() const { return network_.text() + "/" + std::to_string(length_); }

}  // namespace net
