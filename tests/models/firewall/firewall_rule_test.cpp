#include "models/firewall/firewall_rule.hpp"

#include <doctest/doctest.h>

using firewall::FirewallRule;
using net::PortRange;
using firewall::TrafficDirection;
using net::FilterVerdict;
using net::TransportProtocol;

namespace {

net::SocketAddress socket(const char* ip, std::uint16_t port) { return {*net::IpAddress::parse(ip), port}; }

// Microsoft's proxy opening TLS to the SBC on 5061, as the SBC's firewall sees it.
const net::PacketDescription kInboundFromMicrosoft{socket("52.114.148.0", 49152), socket("203.0.113.10", 5061),
                                                   TransportProtocol::Tcp, true};
// The SBC answering a carrier over UDP, as the SBC's firewall sees it.
const net::PacketDescription kOutboundToCarrier{socket("203.0.113.10", 5060), socket("198.51.100.7", 5060),
                                                TransportProtocol::Udp, false};

}  // namespace

TEST_CASE("an empty rule matches every packet") {
  const FirewallRule rule = FirewallRule::matching_everything(FilterVerdict::Drop);
  CHECK(rule.matches(kInboundFromMicrosoft));
  CHECK(rule.matches(kOutboundToCarrier));
}

TEST_CASE("the peer is the source of an inbound packet and the destination of an outbound one") {
  FirewallRule from_microsoft;
  from_microsoft.peer = net::AddressPrefix::parse("52.112.0.0/14");
  CHECK(from_microsoft.matches(kInboundFromMicrosoft));
  CHECK_FALSE(from_microsoft.matches(kOutboundToCarrier));
  FirewallRule to_carrier;
  to_carrier.peer = net::AddressPrefix::parse("198.51.100.7");
  CHECK(to_carrier.matches(kOutboundToCarrier));
  // The SBC's own address is never the peer.
  to_carrier.peer = net::AddressPrefix::parse("203.0.113.10");
  CHECK_FALSE(to_carrier.matches(kOutboundToCarrier));
  CHECK_FALSE(to_carrier.matches(kInboundFromMicrosoft));
}

TEST_CASE("the local port is the destination port inbound and the source port outbound") {
  FirewallRule signalling;
  signalling.local_ports = PortRange::single(5061);
  CHECK(signalling.matches(kInboundFromMicrosoft));
  CHECK_FALSE(signalling.matches(kOutboundToCarrier));  // local port 5060
  FirewallRule microsoft_source_ports;
  microsoft_source_ports.local_ports = {49152, 65535};
  microsoft_source_ports.direction = TrafficDirection::Inbound;
  CHECK_FALSE(microsoft_source_ports.matches(kInboundFromMicrosoft));  // 49152 is the remote port
}

TEST_CASE("direction and transport narrow a rule") {
  FirewallRule inbound_tcp;
  inbound_tcp.direction = TrafficDirection::Inbound;
  inbound_tcp.protocol = TransportProtocol::Tcp;
  CHECK(inbound_tcp.matches(kInboundFromMicrosoft));
  CHECK_FALSE(inbound_tcp.matches(kOutboundToCarrier));
  FirewallRule outbound = inbound_tcp;
  outbound.direction = TrafficDirection::Outbound;
  CHECK_FALSE(outbound.matches(kInboundFromMicrosoft));
  outbound.protocol = TransportProtocol::Udp;
  CHECK(outbound.matches(kOutboundToCarrier));
  outbound.protocol = TransportProtocol::Tcp;
  CHECK_FALSE(outbound.matches(kOutboundToCarrier));
}
