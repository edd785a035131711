#include "models/firewall/firewall.hpp"

#include <vector>

namespace firewall {

Firewall::Firewall(std::vector<FirewallRule> rules, net::FilterVerdict default_action)
    : rules_(std::move(rules)), default_action_(default_action) {}

net::FilterVerdict Firewall::inspect(const net::PacketDescription& packet) const {
  for (const auto& [fault, rule] : fault_rules_)
    if (rule.matches(packet)) return rule.action;
  for (const FirewallRule& rule : rules_)
    if (rule.matches(packet)) return rule.action;
  return default_action_;
}

Firewall::FaultId Firewall::apply_fault(FirewallRule rule) {
  const FaultId fault = next_fault_++;
  fault_rules_.insert(fault_rules_.begin(), {fault, std::move(rule)});
  return fault;
}

void Firewall::heal_fault(FaultId fault) {
  std::erase_if(fault_rules_, [fault](const auto& entry) { return entry.first == fault; });
}

}  // namespace firewall
