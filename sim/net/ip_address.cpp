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

std::string IpAddress::text() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  // glibc's inet_ntop writes the RFC 5952 form.
  inet_ntop(family_ == IpFamily::V4 ? AF_INET : AF_INET6, bytes_.data(), buffer, sizeof buffer);
  return buffer;
}

}  // namespace net
