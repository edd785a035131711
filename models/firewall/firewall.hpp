#pragma once
// A host's firewall: an ordered rule list where the first matching rule decides, and a default
// for packets no rule matches. The default is Allow, as for a host without a firewall, so a
// topology that lists no rules changes nothing. Faults (firewall_drop, firewall_reject) insert a
// rule above all others for their duration and remove exactly that rule when they heal.
#include <cstdint>
#include <utility>
#include <vector>

#include "models/firewall/firewall_rule.hpp"
#include "sim/net/packet_filter.hpp"

namespace firewall {

class Firewall final : public net::PacketFilter {
 public:
  using FaultId = std::uint64_t;

  explicit Firewall(std::vector<FirewallRule> rules = {}, net::FilterVerdict default_action = net::FilterVerdict::Allow);

  // Appends below the existing rules: configuration order is priority order.
  void add_rule(FirewallRule rule) { rules_.push_back(std::move(rule)); }
  const std::vector<FirewallRule>& rules() const { return rules_; }
  net::FilterVerdict default_action() const { return default_action_; }

  // Fault rules come first, the most recent one on top, then the configured rules.
  net::FilterVerdict inspect(const net::PacketDescription& packet) const override;

  [[nodiscard]] FaultId apply_fault(FirewallRule rule);
  // Removes the fault's rule; other faults and the configured rules stay. An id that already
  // healed is ignored, so a heal delivered twice is harmless.
  void heal_fault(FaultId fault);
  std::size_t active_faults() const { return fault_rules_.size(); }

 private:
  std::vector<std::pair<FaultId, FirewallRule>> fault_rules_;  // newest first
  std::vector<FirewallRule> rules_;
  net::FilterVerdict default_action_;
  FaultId next_fault_ = 1;
};

}  // namespace firewall
