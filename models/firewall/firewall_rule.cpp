#include "models/firewall/firewall_rule.hpp"

namespace firewall {

bool FirewallRule::matches(const net::PacketDescription& packet) const {
  if (direction == TrafficDirection::Inbound && !packet.inbound) return false;
  if (direction == TrafficDirection::Outbound && packet.inbound) return false;
  if (protocol && *protocol != packet.protocol) return false;
  const net::SocketAddress& remote = packet.inbound ? packet.source : packet.destination;
  const net::SocketAddress& local = packet.inbound ? packet.destination : packet.source;
  if (peer && !peer->contains(remote.ip)) return false;
  return local_ports.contains(local.port);
}

}  // namespace firewall
