#include "sim/config/experiment_file.hpp"

#include <algorithm>
#include <array>
#include <sstream>
#include <tuple>

#include "sim/config/experiment_schema.hpp"

namespace config {

// ---- Enumerations ------------------------------------------------------------------------------

std::span<const EnumEntry<CallDirection>> EnumNames<CallDirection>::entries() {
  static constexpr std::array<EnumEntry<CallDirection>, 2> kEntries{{
      {CallDirection::Inbound, "inbound", "PSTN → Teams"},
      {CallDirection::Outbound, "outbound", "Teams → PSTN"},
  }};
  return kEntries;
}

// Spec order, then this project's extensions.
std::span<const EnumEntry<FaultKind>> EnumNames<FaultKind>::entries() {
  static constexpr std::array<EnumEntry<FaultKind>, 19> kEntries{{
      {FaultKind::CertificateExpired, "certificate_expired", "the certificate is past not_after: SEC_E_CERT_EXPIRED, 504/569008"},
      {FaultKind::CertificateUntrustedRoot, "certificate_untrusted_root", "the certificate chains to a root Microsoft does not trust: 504/569009"},
      {FaultKind::CertificateNameMismatch, "certificate_name_mismatch", "the certificate's names do not match the SBC FQDN: 504/569002 (0x80090322)"},
      {FaultKind::CertificateBadSignature, "certificate_bad_signature", "the certificate's signature does not verify: 504/569002 (0x80096004)"},
      {FaultKind::TlsContextExpired, "tls_context_expired", "the SBC's TLS context expires on a live connection: 504/569002 TLS decryption failed"},
      {FaultKind::TlsIllegalMessage, "tls_illegal_message", "the SBC's TLS handshake carries a message Microsoft rejects: 504/569003"},
      {FaultKind::SbcDown, "sbc_down", "the SBC stops answering: connects time out (504/569002)"},
      {FaultKind::SbcRefuses, "sbc_refuses", "nothing listens on the SBC's port: connects are reset (504/569002)"},
      {FaultKind::SbcTlsDisconnected, "sbc_tls_disconnected", "the SBC's TLS connections to Microsoft drop (504/549002)"},
      {FaultKind::SbcInvalidSip, "sbc_invalid_sip", "the SBC sends messages without SIP/2.0 (504/549002)"},
      {FaultKind::SbcMalformedSip, "sbc_malformed_sip", "the SBC sends malformed or unsupported SIP (504/549018, 569018)"},
      {FaultKind::FirewallDrop, "firewall_drop", "a firewall in front of the host drops packets to it: connects time out"},
      {FaultKind::FirewallReject, "firewall_reject", "a firewall in front of the host rejects connections to it: connects are reset"},
      {FaultKind::DnsNxdomain, "dns_nxdomain", "the name stops existing: 504/569015"},
      {FaultKind::DnsNoAddress, "dns_no_address", "the name keeps other records but loses its addresses: 504/569016"},
      {FaultKind::DatacenterBusy, "datacenter_busy", "the datacenter answers INVITEs with 503 and Retry-After (key retry_after)"},
      {FaultKind::DatacenterDown, "datacenter_down", "the datacenter stops answering"},
      {FaultKind::LinkLoss, "link_loss", "the link loses packets with probability `loss` (key loss, required)"},
      {FaultKind::LinkLatency, "link_latency", "the link's one-way latency becomes `latency` (key latency, required)"},
  }};
  return kEntries;
}

std::string_view to_string(CallDirection direction) { return enum_name(direction); }
std::string_view to_string(FaultKind kind) { return enum_name(kind); }

FaultTarget fault_target(FaultKind kind) {
  switch (kind) {
    case FaultKind::CertificateExpired:
    case FaultKind::CertificateUntrustedRoot:
    case FaultKind::CertificateNameMismatch:
    case FaultKind::CertificateBadSignature:
      return FaultTarget::SbcOrCertificate;
    case FaultKind::TlsContextExpired:
    case FaultKind::TlsIllegalMessage:
    case FaultKind::SbcDown:
    case FaultKind::SbcRefuses:
    case FaultKind::SbcTlsDisconnected:
    case FaultKind::SbcInvalidSip:
    case FaultKind::SbcMalformedSip:
      return FaultTarget::Sbc;
    case FaultKind::FirewallDrop:
    case FaultKind::FirewallReject:
      return FaultTarget::Host;
    case FaultKind::DnsNxdomain:
    case FaultKind::DnsNoAddress:
      return FaultTarget::DnsName;
    case FaultKind::DatacenterBusy:
    case FaultKind::DatacenterDown:
      return FaultTarget::Datacenter;
    case FaultKind::LinkLoss:
    case FaultKind::LinkLatency:
      return FaultTarget::Link;
  }
  return FaultTarget::Sbc;
}

// ---- The sweep grid ----------------------------------------------------------------------------

namespace {

void flatten_into(const toml::table& table, const std::string& prefix, std::vector<GridEntry>& entries) {
  for (const auto& [key, node] : table) {
    const std::string path = prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    if (const auto* nested = node.as_table()) flatten_into(*nested, path, entries);
    else entries.push_back(GridEntry{path, &key, &node});
  }
}

SweepValue sweep_value(const toml::node& node) {
  if (const auto* text = node.as_string()) return SweepValue{toml_quoted(text->get()), text->get()};
  std::ostringstream literal;
  literal << toml::toml_formatter(node, toml::format_flags::none);
  return SweepValue{literal.str(), literal.str()};
}

}  // namespace

std::vector<GridEntry> flatten_grid(const toml::table& grid) {
  std::vector<GridEntry> entries;
  flatten_into(grid, "", entries);
  // TOML++ keeps keys sorted; the axes go in the order the user wrote them.
  std::sort(entries.begin(), entries.end(), [](const GridEntry& a, const GridEntry& b) {
    const auto& x = a.key->source().begin;
    const auto& y = b.key->source().begin;
    return std::tie(x.line, x.column) < std::tie(y.line, y.column);
  });
  return entries;
}

std::optional<std::vector<SweepAxis>> ValueType<std::vector<SweepAxis>>::read(const toml::node& node, const KeyReading& reading) {
  const auto* table = node.as_table();
  if (table == nullptr) {
    reading.wrong_type(node, expected());
    return std::nullopt;
  }
  std::vector<SweepAxis> axes;
  for (const GridEntry& entry : flatten_grid(*table)) {
    const auto* values = entry.values->as_array();
    if (values == nullptr || values->empty()) {
      reading.file.report(entry.values->source(), "sweep path " + toml_quoted(entry.path) + " needs an array of at least one value");
      continue;
    }
    SweepAxis axis{entry.path, {}};
    for (const toml::node& value : *values) axis.values.push_back(sweep_value(value));
    axes.push_back(std::move(axis));
  }
  return axes;
}

// ---- Tables ------------------------------------------------------------------------------------

namespace {

using namespace checks;

const Schema<ExperimentFile>& experiment_section() {
  static const Schema<ExperimentFile> schema(
      "[experiment]", "What the experiment is called, where it runs and for how long.",
      {key("name", &ExperimentFile::name, "the experiment's name; outputs go to results/<name> by default", {.required = true, .check = not_empty}),
       key("topology", &ExperimentFile::topology, "the topology file, relative to this file", {.required = true}),
       key("seed", &ExperimentFile::seed, "the seed of every random stream"),
       key("start", &ExperimentFile::start, "simulated wall clock at t=0 (certificate validity uses it)"),
       key("duration", &ExperimentFile::duration, "how much simulated time to run", {.check = positive})});
  return schema;
}

const Schema<ExperimentFile>& output_section() {
  static const Schema<ExperimentFile> schema(
      "[output]", "What a run writes (optional table).",
      {key("dir", &ExperimentFile::output_dir, "output folder, relative to the working directory; default results/<name>"),
       key("pcap", &ExperimentFile::pcap, "write trace.pcap"),
       key("events", &ExperimentFile::events, "write events.pb (every SIP message and client signal; large for long runs)"),
       key("ladders", &ExperimentFile::ladders, "scripted call numbers (1 = the first [[call]]) to draw as ladder-<n>.svg", {.check = at_least_one})});
  return schema;
}

}  // namespace

const Schema<ScriptedCall>& TableSchema<ScriptedCall>::get() {
  static const Schema<ScriptedCall> schema(
      "[[call]]", "A scripted call. Its direction follows from the numbers: Teams user to carrier number is outbound, the reverse inbound.",
      {key("at", &ScriptedCall::at, "when the caller dials", {.required = true}),
       key("from", &ScriptedCall::from, "the caller's E.164 number: a Teams user's or a carrier's", {.required = true, .check = e164_number}),
       key("to", &ScriptedCall::to, "the callee's E.164 number", {.required = true, .check = e164_number}),
       key("hangup_after", &ScriptedCall::hangup_after, "from the answer to the caller hanging up", {.check = positive})});
  return schema;
}

const Schema<Workload>& TableSchema<Workload>::get() {
  static const Schema<Workload> schema(
      "[[workload]]", "A stream of calls with Poisson arrivals.",
      {key("direction", &Workload::direction, "inbound (PSTN → Teams) or outbound (Teams → PSTN)", {.required = true}),
       key("rate", &Workload::rate, "mean arrival rate", {.required = true}),
       key("holding", &Workload::holding, "how long answered calls last: fixed, exp(mean) or lognormal(mean,standard deviation)"),
       key("from", &Workload::from, "callers to draw from uniformly; default: every carrier number (inbound) or every Teams user (outbound)",
           {.check = e164_number}),
       key("to", &Workload::to, "callees to draw from uniformly; default: every Teams user (inbound) or every carrier number (outbound)",
           {.check = e164_number})});
  return schema;
}

const Schema<Fault>& TableSchema<Fault>::get() {
  static const Schema<Fault> schema(
      "[[fault]]", "Something that breaks at `at` and, with a duration, heals. The fault kinds table says what each kind's target names.",
      {key("at", &Fault::at, "when it starts", {.required = true}),
       key("kind", &Fault::kind, "what breaks", {.required = true}),
       key("target", &Fault::target, "what it breaks: see the fault kinds table", {.required = true, .check = not_empty}),
       key("duration", &Fault::duration, "how long it lasts; none: until the end", {.check = positive}),
       key("retry_after", &Fault::retry_after, "datacenter_busy only: the Retry-After of its 503s", {.check = whole_seconds}),
       key("loss", &Fault::loss, "link_loss only (required there): the link's loss probability while it lasts"),
       key("latency", &Fault::latency, "link_latency only (required there): the link's one-way latency while it lasts"),
       key("peer", &Fault::peer,
           "firewall_drop and firewall_reject only: the [[sbc]], [[datacenter]] or [[carrier]] whose traffic the rule "
           "matches (an ACL that lacks one Microsoft address); none: all traffic",
           {})});
  return schema;
}

const Schema<Sweep>& TableSchema<Sweep>::get() {
  static const Schema<Sweep> schema(
      "[sweep]", "Runs the experiment at every point of a grid, each several times (optional table).",
      {key("replications", &Sweep::replications, "runs per grid point, with seeds seed, seed + 1, ...", {.check = at_least_one}),
       key("grid", &Sweep::grid,
           "[sweep.grid]: dotted paths to keys of the experiment or its topology (\"workload.0.rate\", \"sbc.sbc1.options_interval\"), each with "
           "the values to try; points are the cartesian product, the last path varying fastest")});
  return schema;
}

const Schema<ExperimentFile>& experiment_schema() {
  static const Schema<ExperimentFile> schema("", "An experiment file: what happens in a topology, and what is written.",
                                             {section("experiment", &experiment_section, "name, topology, seed, start, duration", true),
                                              key("call", &ExperimentFile::calls, "scripted calls"),
                                              key("workload", &ExperimentFile::workloads, "streams of calls"),
                                              key("fault", &ExperimentFile::faults, "faults"),
                                              key("sweep", &ExperimentFile::sweep, "a parameter sweep"),
                                              section("output", &output_section, "what a run writes")});
  return schema;
}

// ---- Sweep paths -------------------------------------------------------------------------------

std::string apply_in_scenario(Scenario& scenario, const std::string& path, const toml::node& value, const KeyReading& reading) {
  std::vector<std::string_view> segments;
  for (std::size_t start = 0;;) {
    const std::size_t dot = path.find('.', start);
    segments.push_back(std::string_view(path).substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (std::find(segments.begin(), segments.end(), std::string_view()) != segments.end()) return "a path has no empty parts";
  const std::string_view first = segments.front();
  if (first == "sweep" || first == "output" || (first == "experiment" && segments.size() > 1 && segments[1] == "topology"))
    return "a sweep changes the experiment and its topology, not [sweep], [output] or the topology file";
  if (experiment_schema().find(first) != nullptr) return apply_path(experiment_schema(), scenario.experiment, segments, value, reading);
  if (topology_schema().find(first) != nullptr) {
    if (!scenario.topology) return "names a topology key, but [experiment] names no topology";
    return apply_path(topology_schema(), *scenario.topology, segments, value, reading);
  }
  return "no key " + toml_quoted(first) + " in the experiment (known: " + experiment_schema().known_keys() + ") or the topology (known: " +
         topology_schema().known_keys() + ")";
}

std::size_t sweep_point_count(const Sweep& sweep) {
  std::size_t points = 1;
  for (const SweepAxis& axis : sweep.grid) points *= axis.values.size();
  return points;
}

std::vector<const SweepValue*> sweep_point_values(const Sweep& sweep, std::size_t point) {
  DRSIM_CHECK(point < sweep_point_count(sweep), "sweep point out of range");
  std::vector<const SweepValue*> values(sweep.grid.size());
  for (std::size_t axis = sweep.grid.size(); axis-- > 0;) {
    values[axis] = &sweep.grid[axis].values[point % sweep.grid[axis].values.size()];
    point /= sweep.grid[axis].values.size();
  }
  return values;
}

void apply_sweep_point(Scenario& scenario, std::size_t point) {
  // A copy: applying a value may not touch the sweep itself ([sweep] cannot be swept), but the
  // scenario is being written through.
  const Sweep sweep = scenario.experiment.sweep;
  const std::vector<const SweepValue*> values = sweep_point_values(sweep, point);
  Diagnostics problems;
  FileReader reader(scenario.experiment.path, problems);
  for (std::size_t axis = sweep.grid.size(); axis-- > 0;) {
    const toml::table parsed = toml::parse("value = " + values[axis]->toml);
    const std::string problem = apply_in_scenario(scenario, sweep.grid[axis].path, *parsed.get("value"), KeyReading{reader, sweep.grid[axis].path});
    DRSIM_CHECK(problem.empty() && problems.empty(), "a sweep value checked at load no longer applies");
  }
  infer_call_directions(scenario);
}

// ---- Loading -----------------------------------------------------------------------------------

sim::Result<Scenario, Diagnostics> load_scenario(const std::filesystem::path& path) {
  Diagnostics diagnostics;
  const std::optional<toml::table> document = parse_toml_file(path, diagnostics);
  if (!document) return sim::Failure{std::move(diagnostics)};
  FileReader file(path, diagnostics);
  Scenario scenario;
  ExperimentFile& experiment = scenario.experiment;
  experiment.path = path;
  read_table(*document, experiment_schema(), experiment, file);
  experiment.sweep.declared = document->contains("sweep");

  Diagnostics topology_diagnostics;
  if (experiment.topology) {
    experiment.topology = (path.parent_path() / *experiment.topology).lexically_normal();
    if (!std::filesystem::exists(*experiment.topology)) {
      file.report(position_of(*document, {"experiment", "topology"}), "topology file " + experiment.topology->string() + " does not exist");
    } else if (auto topology = load_topology_file(*experiment.topology); topology.ok()) {
      scenario.topology = std::move(topology).value();
    } else {
      topology_diagnostics = topology.error();
    }
  }
  check_experiment(scenario, *document, file);

  if (!diagnostics.empty() || !topology_diagnostics.empty()) {
    diagnostics.sort_by_position();
    for (const Diagnostic& diagnostic : topology_diagnostics.list()) diagnostics.add(diagnostic);
    return sim::Failure{std::move(diagnostics)};
  }
  if (experiment.output_dir.empty()) experiment.output_dir = std::filesystem::path("results") / experiment.name;
  return scenario;
}

std::string summarize(const Scenario& scenario) {
  const ExperimentFile& experiment = scenario.experiment;
  const Sweep& sweep = experiment.sweep;
  const std::size_t points = sweep_point_count(sweep);
  const std::string runs = !sweep.declared
                               ? "1 run"
                               : count_of(points, "point", "points") + " x " + count_of(static_cast<std::size_t>(sweep.replications), "replication", "replications");
  std::string text = "experiment " + experiment.name + ": " + sim::format_duration(experiment.duration) + " from " +
                     sim::format_rfc3339_utc(experiment.start) + ", " + count_of(experiment.calls.size(), "call", "calls") + ", " +
                     count_of(experiment.workloads.size(), "workload", "workloads") + ", " + count_of(experiment.faults.size(), "fault", "faults") +
                     ", " + runs;
  return text + "; " + (scenario.topology ? summarize(*scenario.topology) : std::string("no topology"));
}

}  // namespace config
