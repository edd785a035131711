#pragma once
// An IPv4 or IPv6 address as the topology writes it ("203.0.113.10", "2001:db8::10"). Value
// type with a total order, so addresses can key std::map (never a hash order, DESIGN.md rule 3).
#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace net {

enum class IpFamily : std::uint8_t { V4, V6 };

class IpAddress {
 public:
  IpAddress() = default;
  // Dotted quad or RFC 4291 §2.2 text (no brackets, no zone); nullopt for anything else.
  static std::optional<IpAddress> parse(std::string_view text);

  IpFamily family() const { return family_; }
  // Network byte order; an IPv4 address uses the first four bytes.
  const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }
  // Canonical text: dotted quad, or RFC 5952 §4 for IPv6 (lower case, longest zero run as "::").
  std::string text() const;

  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;

 private:
  IpFamily family_ = IpFamily::V4;
  std::array<std::uint8_t, 16> bytes_{};
};

// A transport endpoint: what a socket binds or connects to.
struct SocketAddress {
  IpAddress ip;
  std::uint16_t port = 0;
  friend auto operator<=>(const SocketAddress&, const SocketAddress&) = default;
};

}  // namespace net
