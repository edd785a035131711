#pragma once
// One line of a host firewall's rule list: what it matches and what it does with a match. A
// field left at its default matches anything. Rules are stateless: each packet is judged alone
// (replies to an allowed outbound connection need their own inbound rule).
#include <cstdint>
#include <optional>
#include <string_view>

#include "models/firewall/address_prefix.hpp"
#include "sim/net/packet_filter.hpp"

namespace firewall {

enum class TrafficDirection : std::uint8_t { Any, Inbound, Outbound };

struct PortRange {
  std::uint16_t first = 0;
  std::uint16_t last = 65535;

  static PortRange single(std::uint16_t port) { return PortRange{port, port}; }
  // "5061" or "5060-5061" (both ends included); nullopt for anything else or a reversed range.
  static std::optional<PortRange> parse(std::string_view text);
  bool contains(std::uint16_t port) const { return first <= port && port <= last; }
};

struct FirewallRule {
  net::FilterVerdict action = net::FilterVerdict::Allow;  // allow, drop or reject
  TrafficDirection direction = TrafficDirection::Any;
  std::optional<net::TransportProtocol> protocol;         // nullopt: UDP and TCP (TLS is TCP)
  std::optional<AddressPrefix> peer;                      // nullopt: any remote address
  PortRange local_ports;                                  // default: every port

  // The peer is the far end and the local port this host's end: the source and the destination
  // port for an inbound packet, the destination and the source port for an outbound one.
  bool matches(const net::PacketDescription& packet) const;

  // What a firewall_drop or firewall_reject fault inserts when it gives no narrower match.
  static FirewallRule matching_everything(net::FilterVerdict action) {
    FirewallRule rule;
    rule.action = action;
    return rule;
  }
};

}  // namespace firewall
