#pragma once
// What the network asks a host's firewall before a packet reaches the host. The network layer
// declares the question; models/firewall answers it (layers call upward only, DESIGN.md).
#include <cstdint>

#include "sim/net/ip_address.hpp"

namespace net {

enum class TransportProtocol : std::uint8_t { Udp, Tcp };  // TLS rides on TCP

// Drop: the packet vanishes (the sender times out). Reject: the host answers with a TCP RST or,
// for UDP, ICMP port unreachable, so the sender learns at once.
enum class FilterVerdict : std::uint8_t { Allow, Drop, Reject };

struct PacketDescription {
  SocketAddress source;
  SocketAddress destination;
  TransportProtocol protocol = TransportProtocol::Udp;
  bool inbound = true;  // toward the host that owns the filter
};

class PacketFilter {
 public:
  virtual ~PacketFilter() = default;
  virtual FilterVerdict inspect(const PacketDescription& packet) const = 0;
};

}  // namespace net
