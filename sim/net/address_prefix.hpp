#pragma once
// An address block in CIDR notation (RFC 4632 §3.1 for IPv4, RFC 4291 §2.3 for IPv6), e.g.
// Microsoft's signalling subnet "52.112.0.0/14": what a firewall rule matches peers against.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sim/net/ip_address.hpp"

namespace net {

class AddressPrefix {
 public:
  // "52.112.0.0/14", "2603:1037::/32", or a bare address (a /32 or /128 block). Strict: bits
  // set after the prefix length ("52.112.0.1/14") are refused, as they usually mean a typo.
  static std::optional<AddressPrefix> parse(std::string_view text);
  // The block of exactly one address.
  static AddressPrefix single(const net::IpAddress& address);

  // Never true across families: an IPv4 block holds no IPv6 address.
  bool contains(const net::IpAddress& address) const;

  const net::IpAddress& network() const { return network_; }
  int length() const { return length_; }
  std::string text() const;  // "52.112.0.0/14"

 private:
  AddressPrefix(net::IpAddress network, int length) : network_(network), length_(length) {}
  net::IpAddress network_;
  int length_ = 0;
};

}  // namespace net
