#include "models/firewall/firewall.hpp"

#include <doctest/doctest.h>

using net::AddressPrefix;
using firewall::Firewall;
using firewall::FirewallRule;
using net::PortRange;
using firewall::TrafficDirection;
using net::FilterVerdict;
using net::TransportProtocol;

namespace {

// A TLS connection attempt from `peer` to the SBC's signalling port.
net::PacketDescription tls_to_sbc(const char* peer) {
  return {{*net::IpAddress::parse(peer), 49152}, {*net::IpAddress::parse("203.0.113.10"), 5061}, TransportProtocol::Tcp, true};
}

FirewallRule inbound_rule(FilterVerdict action, const char* peer, std::uint16_t port) {
  FirewallRule rule;
  rule.action = action;
  rule.direction = TrafficDirection::Inbound;
  rule.protocol = TransportProtocol::Tcp;
  if (peer != nullptr) rule.peer = AddressPrefix::parse(peer);
  rule.local_ports = PortRange::single(port);
  return rule;
}

}  // namespace

TEST_CASE("a firewall without rules lets everything through unless its default says otherwise") {
  CHECK(Firewall().inspect(tls_to_sbc("52.114.148.0")) == FilterVerdict::Allow);
  CHECK(Firewall({}, FilterVerdict::Drop).inspect(tls_to_sbc("52.114.148.0")) == FilterVerdict::Drop);
}

TEST_CASE("the first matching rule decides") {
  // Microsoft's subnets may reach 5061, everyone else is refused there.
  Firewall sbc_firewall({inbound_rule(FilterVerdict::Allow, "52.112.0.0/14", 5061),
                         inbound_rule(FilterVerdict::Allow, "52.122.0.0/15", 5061),
                         inbound_rule(FilterVerdict::Reject, nullptr, 5061),
                         inbound_rule(FilterVerdict::Allow, "198.51.100.0/24", 5061)});  // never reached
  CHECK(sbc_firewall.inspect(tls_to_sbc("52.114.148.0")) == FilterVerdict::Allow);
  CHECK(sbc_firewall.inspect(tls_to_sbc("52.123.1.1")) == FilterVerdict::Allow);
  CHECK(sbc_firewall.inspect(tls_to_sbc("198.51.100.7")) == FilterVerdict::Reject);
  net::PacketDescription other_port = tls_to_sbc("198.51.100.7");
  other_port.destination.port = 5062;
  CHECK(sbc_firewall.inspect(other_port) == FilterVerdict::Allow);  // no rule: the default
}

TEST_CASE("an ACL that allows only the resolved proxy address drops the rest of Microsoft's subnet") {
  // research/direct-routing-facts.md §11.4: Microsoft connects from any address of its subnets.
  Firewall sbc_firewall;
  sbc_firewall.add_rule(inbound_rule(FilterVerdict::Allow, "52.114.76.76", 5061));
  sbc_firewall.add_rule(inbound_rule(FilterVerdict::Drop, nullptr, 5061));
  CHECK(sbc_firewall.rules().size() == 2);
  CHECK(sbc_firewall.inspect(tls_to_sbc("52.114.76.76")) == FilterVerdict::Allow);
  CHECK(sbc_firewall.inspect(tls_to_sbc("52.114.148.0")) == FilterVerdict::Drop);
}

TEST_CASE("a fault rule overrides the configured rules until it heals") {
  Firewall sbc_firewall({inbound_rule(FilterVerdict::Allow, "52.112.0.0/14", 5061)}, FilterVerdict::Drop);
  const Firewall::FaultId drop = sbc_firewall.apply_fault(FirewallRule::matching_everything(FilterVerdict::Drop));
  CHECK(sbc_firewall.inspect(tls_to_sbc("52.114.148.0")) == FilterVerdict::Drop);
  sbc_firewall.heal_fault(drop);
  CHECK(sbc_firewall.inspect(tls_to_sbc("52.114.148.0")) == FilterVerdict::Allow);
  CHECK(sbc_firewall.active_faults() == 0);
  CHECK(sbc_firewall.rules().size() == 1);
}

TEST_CASE("overlapping faults stack with the newest on top and heal one by one") {
  Firewall sbc_firewall;
  const Firewall::FaultId reject = sbc_firewall.apply_fault(FirewallRule::matching_everything(FilterVerdict::Reject));
  const Firewall::FaultId drop = sbc_firewall.apply_fault(inbound_rule(FilterVerdict::Drop, "52.112.0.0/14", 5061));
  CHECK(reject != drop);
  CHECK(sbc_firewall.inspect(tls_to_sbc("52.114.148.0")) == FilterVerdict::Drop);
  CHECK(sbc_firewall.inspect(tls_to_sbc("198.51.100.7")) == FilterVerdict::Reject);  // below the drop, the reject
  sbc_firewall.heal_fault(drop);
  CHECK(sbc_firewall.inspect(tls_to_sbc("52.114.148.0")) == FilterVerdict::Reject);
  sbc_firewall.heal_fault(drop);  // healed twice: nothing more happens
  CHECK(sbc_firewall.active_faults() == 1);
  sbc_firewall.heal_fault(reject);
  CHECK(sbc_firewall.inspect(tls_to_sbc("52.114.148.0")) == FilterVerdict::Allow);
}

TEST_CASE("a firewall is the network's packet filter") {
  Firewall sbc_firewall;
  const Firewall::FaultId reject = sbc_firewall.apply_fault(FirewallRule::matching_everything(FilterVerdict::Reject));
  const net::PacketFilter& filter = sbc_firewall;
  CHECK(filter.inspect(tls_to_sbc("52.114.148.0")) == FilterVerdict::Reject);
  sbc_firewall.heal_fault(reject);
  CHECK(filter.inspect(tls_to_sbc("52.114.148.0")) == FilterVerdict::Allow);
}
