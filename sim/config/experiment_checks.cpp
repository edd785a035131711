// Checks of an experiment against itself and its topology: scripted calls and workloads use
// numbers the topology has, faults target the right kind of thing with the keys their kind
// takes, sweep paths name keys and their values fit them, ladders name scripted calls.
#include <algorithm>
#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/config/experiment_schema.hpp"

namespace config {
namespace {

std::string known_list(const std::vector<std::string>& names) {
  std::string list;
  for (std::size_t i = 0; i < names.size() && i < 10; ++i) list += (i == 0 ? "" : ", ") + names[i];
  if (names.size() > 10) list += ", ...";
  return list.empty() ? "there are none" : "known: " + list;
}

std::string_view target_description(FaultTarget target) {
  switch (target) {
    case FaultTarget::Sbc:
      return "an [[sbc]] name";
    case FaultTarget::SbcOrCertificate:
      return "an [[sbc]] name (the certificate it presents) or a [[certificate]] name";
    case FaultTarget::Host:
      return "an [[sbc]], [[datacenter]] or [[carrier]] name";
    case FaultTarget::DnsName:
      return "a DNS name of the topology: a [[dns]] name, an SBC FQDN or a datacenter FQDN";
    case FaultTarget::Datacenter:
      return "a [[datacenter]] name";
    case FaultTarget::Link:
      return "a [[link]] written \"a|b\" with its two sites";
  }
  return {};
}

// Every name a target of this kind may take, in file order, without repeats.
std::vector<std::string> target_candidates(const TopologyFile& topology, FaultTarget target) {
  std::vector<std::string> names;
  const auto add = [&names](const std::string& name) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  };
  const bool sbcs = target == FaultTarget::Sbc || target == FaultTarget::SbcOrCertificate || target == FaultTarget::Host;
  if (sbcs)
    for (const Sbc& sbc : topology.sbcs) add(sbc.name);
  if (target == FaultTarget::SbcOrCertificate)
    for (const Certificate& certificate : topology.certificates) add(certificate.name);
  if (target == FaultTarget::Host || target == FaultTarget::Datacenter)
    for (const Datacenter& datacenter : topology.datacenters) add(datacenter.name);
  if (target == FaultTarget::Host)
    for (const Carrier& carrier : topology.carriers) add(carrier.name);
  if (target == FaultTarget::DnsName) {
    for (const DnsRecord& record : topology.dns_records) add(record.name);
    for (const Sbc& sbc : topology.sbcs) add(sbc.fqdn);
    for (const Datacenter& datacenter : topology.datacenters)
      for (const std::string& fqdn : datacenter.fqdns) add(fqdn);
  }
  if (target == FaultTarget::Link)
    for (const Link& link : topology.links) add(link_name(link));
  return names;
}

bool names_target(const TopologyFile& topology, FaultTarget target, const std::string& name) {
  if (target == FaultTarget::Link) {
    for (const Link& link : topology.links) {
      const std::vector<std::string> names = record_names(link);
      if (std::find(names.begin(), names.end(), name) != names.end()) return true;
    }
    return false;
  }
  const std::vector<std::string> candidates = target_candidates(topology, target);
  return std::find(candidates.begin(), candidates.end(), name) != candidates.end();
}

std::optional<NumberOwner::Kind> owner_kind(const TopologyFile& topology, const std::string& number) {
  const auto owner = find_number(topology, number);
  if (!owner) return std::nullopt;
  return owner->kind;
}

class ExperimentChecker {
 public:
  ExperimentChecker(Scenario& scenario, const toml::table& document, FileReader& file)
      : scenario_(scenario), experiment_(scenario.experiment), document_(document), file_(file) {
    for (const SweepAxis& axis : experiment_.sweep.grid) swept_paths_.push_back(axis.path);
  }

  void run() {
    check_calls();
    check_workloads();
    check_faults();
    check_ladders();
    check_sweep();
  }

  // The checks a grid point must pass on its own (check_sweep runs them on each point).
  void run_on_sweep_point() {
    check_calls();
    check_workloads();
    check_faults();
    check_ladders();
  }

 private:
  toml::source_region at(std::initializer_list<NodeStep> path) const { return position_of(document_, path); }
  void report(const toml::source_region& where, std::string_view key, const std::string& why) {
    file_.report(where, "key " + toml_quoted(key) + ": " + why);
  }
  // In the file, or set by the sweep (a point's value counts as written).
  bool present(std::string_view array, std::size_t index, std::string_view key) const {
    if (document_[array][index][key]) return true;
    const std::string path = std::string(array) + "." + std::to_string(index) + "." + std::string(key);
    return std::find(swept_paths_.begin(), swept_paths_.end(), path) != swept_paths_.end();
  }

  // The topology to check against; nullptr when there is none (a required key: reported as
  // missing) or when it failed to load (its own diagnostics say why, and checks against half a
  // topology would only add noise).
  const TopologyFile* loaded_topology() const { return scenario_.topology ? &*scenario_.topology : nullptr; }

  void check_before_end(const sim::Time& at_time, std::string_view array, std::size_t index) {
    if (present(array, index, "at") && at_time >= experiment_.duration)
      report(at({array, index, "at"}), "at",
             sim::format_duration(at_time) + " is not before the experiment ends (duration " + sim::format_duration(experiment_.duration) + ")");
  }

  void check_calls() {
    for (std::size_t i = 0; i < experiment_.calls.size(); ++i) {
      const ScriptedCall& call = experiment_.calls[i];
      check_before_end(call.at, "call", i);
      const TopologyFile* topology = loaded_topology();
      if (topology == nullptr || call.from.empty() || call.to.empty()) continue;
      const auto from = owner_kind(*topology, call.from);
      const auto to = owner_kind(*topology, call.to);
      if (!from) report(at({"call", i, "from"}), "from", unknown_number(*topology, call.from));
      if (!to) report(at({"call", i, "to"}), "to", unknown_number(*topology, call.to));
      if (from && to && *from == *to)
        report(at({"call", i, "to"}), "to",
               *from == NumberOwner::Kind::TeamsUser ? "a call from a Teams user to a Teams user does not cross Direct Routing"
                                                     : "a call from a carrier number to a carrier number does not reach Teams");
      else if (from == NumberOwner::Kind::TeamsUser && !signed_in_somewhere(*topology, call.from))
        report(at({"call", i, "from"}), "from", not_signed_in(call.from));
    }
  }

  static std::string not_signed_in(const std::string& number) {
    return number + " has no endpoints (signed in nowhere), so cannot place a call: give the user an endpoint";
  }

  static std::string unknown_number(const TopologyFile& topology, const std::string& number) {
    return number + " is neither a Teams user's number nor a carrier number in topology " + topology.name;
  }

  void check_workloads() {
    for (std::size_t i = 0; i < experiment_.workloads.size(); ++i) {
      const Workload& workload = experiment_.workloads[i];
      const TopologyFile* topology = loaded_topology();
      if (topology == nullptr || !present("workload", i, "direction")) continue;
      const bool inbound = workload.direction == CallDirection::Inbound;
      const NumberOwner::Kind caller = inbound ? NumberOwner::Kind::Carrier : NumberOwner::Kind::TeamsUser;
      const NumberOwner::Kind callee = inbound ? NumberOwner::Kind::TeamsUser : NumberOwner::Kind::Carrier;
      check_side(*topology, workload.from, caller, i, "from");
      check_side(*topology, workload.to, callee, i, "to");
      if (!has_numbers(*topology, NumberOwner::Kind::Carrier) || !has_numbers(*topology, NumberOwner::Kind::TeamsUser))
        report(at({"workload", i, "direction"}), "direction",
               std::string(to_string(workload.direction)) + " workloads need carrier numbers and Teams users, and topology " + topology->name +
                   " lacks one or the other");
      else if (!inbound && workload.from.empty() && !anyone_signed_in(*topology))
        report(at({"workload", i, "direction"}), "direction",
               "outbound workloads need a Teams user with an endpoint to place the calls, and topology " + topology->name + " has none");
    }
  }

  static bool anyone_signed_in(const TopologyFile& topology) {
    for (const Tenant& tenant : topology.tenants) {
      for (const TeamsUser& user : tenant.users)
        if (!user.endpoints.empty()) return true;
      for (const UserBlock& block : tenant.user_blocks)
        if (block.count > 0 && !block.endpoints.empty()) return true;
    }
    return false;
  }

  static bool has_numbers(const TopologyFile& topology, NumberOwner::Kind kind) {
    if (kind == NumberOwner::Kind::Carrier) return !topology.carriers.empty();
    return std::any_of(topology.tenants.begin(), topology.tenants.end(), [](const Tenant& tenant) { return user_count(tenant) > 0; });
  }

  void check_side(const TopologyFile& topology, const std::vector<std::string>& numbers, NumberOwner::Kind kind, std::size_t workload,
                  std::string_view key) {
    const std::string_view wanted = kind == NumberOwner::Kind::Carrier ? "a carrier number" : "a Teams user's number";
    const std::string_view role = key == "from" ? "callers" : "callees";
    for (std::size_t n = 0; n < numbers.size(); ++n) {
      const auto owner = owner_kind(topology, numbers[n]);
      if (!owner) report(at({"workload", workload, key, n}), key, unknown_number(topology, numbers[n]));
      else if (*owner != kind)
        report(at({"workload", workload, key, n}), key,
               numbers[n] + " is not " + std::string(wanted) + ", as " + std::string(role) + " of " +
                   std::string(to_string(experiment_.workloads[workload].direction)) + " workloads must be");
      else if (kind == NumberOwner::Kind::TeamsUser && key == "from" && !signed_in_somewhere(topology, numbers[n]))
        report(at({"workload", workload, key, n}), key, not_signed_in(numbers[n]));
    }
  }

  void check_faults() {
    for (std::size_t i = 0; i < experiment_.faults.size(); ++i) {
      const Fault& fault = experiment_.faults[i];
      check_before_end(fault.at, "fault", i);
      if (!present("fault", i, "kind")) continue;
      check_fault_keys(fault, i);
      const TopologyFile* topology = loaded_topology();
      if (topology == nullptr || fault.target.empty()) continue;
      const FaultTarget target = fault_target(fault.kind);
      if (!names_target(*topology, target, fault.target))
        report(at({"fault", i, "target"}), "target",
               std::string(to_string(fault.kind)) + " faults target " + std::string(target_description(target)) + "; " +
                   toml_quoted(fault.target) + " is not one (" + known_list(target_candidates(*topology, target)) + ")");
      if (!fault.peer.empty() && !names_target(*topology, FaultTarget::Host, fault.peer))
        report(at({"fault", i, "peer"}), "peer",
               "the peer must be " + std::string(target_description(FaultTarget::Host)) + "; " + toml_quoted(fault.peer) +
                   " is not one (" + known_list(target_candidates(*topology, FaultTarget::Host)) + ")");
    }
  }

  // retry_after, loss, latency and peer belong to one or two kinds each; loss and latency are
  // required there.
  void check_fault_keys(const Fault& fault, std::size_t i) {
    struct KindKey {
      std::string_view key;
      FaultKind kind;
      FaultKind other_kind;  // the same as kind when only one kind takes the key
      bool required;
    };
    static constexpr std::array<KindKey, 4> kKindKeys{
        {{"retry_after", FaultKind::DatacenterBusy, FaultKind::DatacenterBusy, false},
         {"loss", FaultKind::LinkLoss, FaultKind::LinkLoss, true},
         {"latency", FaultKind::LinkLatency, FaultKind::LinkLatency, true},
         {"peer", FaultKind::FirewallDrop, FaultKind::FirewallReject, false}}};
    for (const KindKey& kind_key : kKindKeys) {
      const bool given = present("fault", i, kind_key.key);
      if (given && fault.kind != kind_key.kind && fault.kind != kind_key.other_kind) {
        std::string kinds(to_string(kind_key.kind));
        if (kind_key.other_kind != kind_key.kind) kinds += " and " + std::string(to_string(kind_key.other_kind));
        report(at({"fault", i, kind_key.key}), kind_key.key,
               "only " + kinds + " faults take it, not " + std::string(to_string(fault.kind)));
      }
      if (!given && kind_key.required && fault.kind == kind_key.kind)
        file_.report(at({"fault", i}), missing_key_message(kind_key.key, "a " + std::string(to_string(fault.kind)) + " [[fault]]"));
    }
  }

  // Each path must lead to a key a sweep may change, and each value must read as that key's
  // type: both are tried on a copy of the scenario, through the same schema that read it.
  void check_sweep() {
    const auto* grid = document_["sweep"]["grid"].as_table();
    if (grid == nullptr) return;
    std::vector<std::pair<std::string, toml::source_region>> seen;
    for (const GridEntry& entry : flatten_grid(*grid)) {
      // "a.b" = [...] and a.b = [...] are one path: two axes would set one key.
      const auto first = std::find_if(seen.begin(), seen.end(), [&](const auto& earlier) { return earlier.first == entry.path; });
      if (first != seen.end()) {
        file_.report(entry.key->source(), "sweep path " + toml_quoted(entry.path) + " is given twice (first at line " +
                                              std::to_string(first->second.begin.line) + ", column " + std::to_string(first->second.begin.column) + ")");
        continue;
      }
      seen.emplace_back(entry.path, entry.key->source());
      const auto* values = entry.values->as_array();
      if (values == nullptr || values->empty()) continue;  // reported while reading
      for (const toml::node& value : *values) {
        Scenario trial = scenario_;
        const std::string problem = apply_in_scenario(trial, entry.path, value, KeyReading{file_, entry.path});
        if (!problem.empty()) {
          file_.report(entry.key->source(), "sweep path " + toml_quoted(entry.path) + ": " + problem);
          break;
        }
      }
    }
    if (!file_.has_reported()) check_sweep_points(grid->source());
  }

  // Every grid point is an experiment of its own and must pass the same checks as one written
  // out: a swept fault target must name a host, a swept `at` fall before the end, a swept
  // not_after follow not_before. Checked here, so `drsim run` never starts a sweep that would
  // stop at its seventh point. At most three failing points are reported.
  void check_sweep_points(const toml::source_region& grid_region) {
    const Sweep& sweep = experiment_.sweep;
    const bool topology_swept = std::any_of(sweep.grid.begin(), sweep.grid.end(), [](const SweepAxis& axis) {
      return topology_schema().find(std::string_view(axis.path).substr(0, axis.path.find('.'))) != nullptr;
    });
    std::optional<toml::table> topology_document;  // the topology's checks read positions from it
    if (topology_swept && scenario_.topology && experiment_.topology) {
      Diagnostics ignored;  // it parsed when it loaded
      topology_document = parse_toml_file(*experiment_.topology, ignored);
    }
    std::size_t failing_points = 0;
    for (std::size_t point = 0; point < sweep_point_count(sweep); ++point) {
      Scenario trial = scenario_;
      apply_sweep_point(trial, point);
      Diagnostics found;
      FileReader trial_file(file_.file(), found);
      ExperimentChecker(trial, document_, trial_file).run_on_sweep_point();
      if (topology_document) {
        FileReader topology_file(*experiment_.topology, found);
        check_topology(*trial.topology, *topology_document, topology_file);
      }
      if (found.empty()) continue;
      std::string values;
      const std::vector<const SweepValue*> point_values = sweep_point_values(sweep, point);
      for (std::size_t axis = 0; axis < sweep.grid.size(); ++axis)
        values += (axis == 0 ? "" : ", ") + sweep.grid[axis].path + " = " + point_values[axis]->toml;
      for (const Diagnostic& problem : found.list())
        file_.report(grid_region, "sweep point " + std::to_string(point) + " (" + values + "): " +
                                      (problem.file == file_.file().string() ? "" : std::filesystem::path(problem.file).filename().string() + ": ") +
                                      problem.message);
      if (++failing_points == 3) break;
    }
  }

  void check_ladders() {
    for (std::size_t i = 0; i < experiment_.ladders.size(); ++i) {
      const std::int64_t call = experiment_.ladders[i];
      if (call > static_cast<std::int64_t>(experiment_.calls.size()))
        report(at({"output", "ladders", i}), "ladders",
               "there is no scripted call " + std::to_string(call) + " (the file has " + count_of(experiment_.calls.size(), "[[call]]", "[[call]] tables") + ")");
    }
  }

  Scenario& scenario_;
  ExperimentFile& experiment_;
  const toml::table& document_;
  FileReader& file_;
  std::vector<std::string> swept_paths_;
};

}  // namespace

void check_experiment(Scenario& scenario, const toml::table& document, FileReader& file) {
  ExperimentChecker(scenario, document, file).run();
  infer_call_directions(scenario);
}

void infer_call_directions(Scenario& scenario) {
  if (!scenario.topology) return;
  for (ScriptedCall& call : scenario.experiment.calls) {
    const auto from = owner_kind(*scenario.topology, call.from);
    if (from) call.direction = *from == NumberOwner::Kind::TeamsUser ? CallDirection::Outbound : CallDirection::Inbound;
  }
}

}  // namespace config
