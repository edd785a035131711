#pragma once
// One line of a host firewall's rule list: what it matches and what it does with a match. A
// field left at its default matches anything. Rules are stateless: each packet is judged alone
// (replies to an allowed outbound connection need their own inbound rule).
#include <cstdint>
#include <optional>
#include <string_view>

#include "sim/net/address_prefix.hpp"
#include "sim/net/packet_filter.hpp"
#include "sim/net/port_range.hpp"

namespace firewall {

enum class TrafficDirection : std::uint8_t { Any, Inbound, Outbound };

struct FirewallRule {
  net::FilterVerdict action = net::FilterVerdict::Allow;  // allow, drop or reject
  TrafficDirection direction = TrafficDirection::Any;
  std::optional<net::TransportProtocol> protocol;         // nullopt: UDP and TCP (TLS is TCP)
  std::optional<net::AddressPrefix> peer;                 // nullopt: any remote address
  net::PortRange local_ports;                             // default: every port

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
