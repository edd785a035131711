#pragma once
// A range of TCP or UDP ports, both ends included: what a firewall rule matches this host's end
// of a packet against.
#include <cstdint>
#include <optional>
#include <string_view>

namespace net {

struct PortRange {
  std::uint16_t first = 0;
  std::uint16_t last = 65535;

  static PortRange single(std::uint16_t port) { return PortRange{port, port}; }
  // "5061" or "5060-5061" (both ends included); nullopt for anything else or a reversed range.
  static std::optional<PortRange> parse(std::string_view text);
  bool contains(std::uint16_t port) const { return first <= port && port <= last; }
};

}  // namespace net
