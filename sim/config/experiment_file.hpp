#pragma once
// An experiment file (spec/experiment-format.md): what happens in a topology — scripted calls,
// workloads, faults, a sweep — and what is written. load_scenario reads the experiment and the
// topology it names and checks them against each other (numbers exist, fault targets are the
// right kind of thing, sweep paths name real keys). Keys, types and defaults are declared once
// in experiment_file.cpp; `drsim validate --keys` prints them.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/config/diagnostic.hpp"
#include "sim/config/holding_time.hpp"
#include "sim/config/rate.hpp"
#include "sim/config/topology_file.hpp"
#include "sim/core/result.hpp"
#include "sim/core/time.hpp"
#include "sim/core/utc_time.hpp"

namespace config {

// inbound = PSTN → Teams, outbound = Teams → PSTN.
enum class CallDirection { Inbound, Outbound };

struct ScriptedCall {
  sim::Time at;
  std::string from;  // E.164; a Teams user's number or a carrier's
  std::string to;
  sim::Time hangup_after = sim::Time::from_seconds(60);  // from the answer to the caller's BYE
  CallDirection direction = CallDirection::Inbound;    // not a key: inferred from the numbers
};

struct Workload {
  CallDirection direction = CallDirection::Inbound;
  Rate rate;  // Poisson arrivals
  HoldingTime holding;
  // Empty: callers drawn uniformly from the carrier numbers and callees from all Teams users
  // (inbound), the other way round for outbound.
  std::vector<std::string> from;
  std::vector<std::string> to;
};

enum class FaultKind {
  CertificateExpired,
  CertificateUntrustedRoot,
  CertificateNameMismatch,
  CertificateBadSignature,
  TlsContextExpired,
  TlsIllegalMessage,
  SbcDown,
  SbcRefuses,
  SbcTlsDisconnected,
  SbcInvalidSip,
  SbcMalformedSip,
  FirewallDrop,
  FirewallReject,
  DnsNxdomain,
  DnsNoAddress,
  DatacenterBusy,
  DatacenterDown,
  LinkLoss,
  LinkLatency,
};

// What a fault's `target` names, by kind.
enum class FaultTarget {
  Sbc,                // an [[sbc]] name
  SbcOrCertificate,   // an [[sbc]] (the certificate it presents) or a [[certificate]] (every SBC presenting it)
  Host,               // an [[sbc]], [[datacenter]] or [[carrier]]: the firewall in front of it
  DnsName,            // a name with [[dns]] records, an SBC FQDN or a datacenter FQDN
  Datacenter,         // a [[datacenter]] name
  Link,               // "a|b": the [[link]] between sites a and b, in either order
};

struct Fault {
  sim::Time at;
  FaultKind kind = FaultKind::SbcDown;
  std::string target;
  std::optional<sim::Time> duration;  // none: the fault never heals
  sim::Time retry_after = sim::Time::from_seconds(1);  // datacenter_busy: the 503's Retry-After
  std::optional<double> loss;          // link_loss: the link's loss probability while it lasts
  std::optional<sim::Time> latency;    // link_latency: the link's one-way latency while it lasts
  std::string peer;                    // firewall_drop/reject: only traffic with this host; empty: all
};

// One value of a sweep axis: as TOML (to set it) and as text (for sweep.csv columns).
struct SweepValue {
  std::string toml;  // "\"1/s\"", "30", "true"
  std::string text;  // "1/s", "30", "true"
};

struct SweepAxis {
  std::string path;  // "workload.0.rate", "sbc.sbc1.options_interval"
  std::vector<SweepValue> values;
};

struct Sweep {
  bool declared = false;  // the file has a [sweep] table: runs go to point-*-rep-* and sweep.csv
  std::int64_t replications = 1;
  std::vector<SweepAxis> grid;  // in file order; points are their cartesian product
};

struct ExperimentFile {
  std::filesystem::path path;
  // [experiment]
  std::string name;
  std::optional<std::filesystem::path> topology;  // resolved against the experiment's folder
  std::uint64_t seed = 1;
  sim::UtcTime start = sim::UtcTime::from_unix_nanoseconds(1'767'225'600'000'000'000);  // 2026-01-01T00:00:00Z
  sim::Time duration = sim::Time::from_seconds(3600);
  std::vector<ScriptedCall> calls;
  std::vector<Workload> workloads;
  std::vector<Fault> faults;
  Sweep sweep;
  // [output]
  std::filesystem::path output_dir;  // relative to the working directory; default results/<name>
  bool pcap = true;
  bool events = true;
  std::vector<std::int64_t> ladders;  // scripted call numbers, 1-based
};

// An experiment with the topology it runs in (none when it names none: the kernel demo).
struct Scenario {
  ExperimentFile experiment;
  std::optional<TopologyFile> topology;
};

// Every problem in the experiment and its topology, each file's in file order (the
// experiment's first); topology diagnostics name the topology file.
sim::Result<Scenario, Diagnostics> load_scenario(const std::filesystem::path& path);

std::string_view to_string(CallDirection direction);
std::string_view to_string(FaultKind kind);
FaultTarget fault_target(FaultKind kind);

// Number of grid points (1 without a grid).
std::size_t sweep_point_count(const Sweep& sweep);
// The value of each axis of `sweep` (in grid order) at grid point `point` (0-based, the last
// axis varying fastest).
std::vector<const SweepValue*> sweep_point_values(const Sweep& sweep, std::size_t point);
// Sets every axis of `sweep` to its value for grid point `point`. The values were checked when
// the scenario loaded.
void apply_sweep_point(Scenario& scenario, std::size_t point);

// "experiment quickstart: 2 calls, 0 workloads, 0 faults, 1 run; topology contoso-basic: ...".
std::string summarize(const Scenario& scenario);

}  // namespace config
