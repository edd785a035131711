#include "sim/config/experiment_file.hpp"

#include <doctest/doctest.h>

#include "tests/sim/config/config_test_support.hpp"

using namespace config;
using namespace sim::time_literals;
using config_test::diagnostics_of;
using config_test::write_file;

namespace {

// Writes the small topology next to the experiment and loads the experiment; diagnostics come
// back with the experiment named "E" and the topology "T".
std::string problems_with(const std::string& name, const std::string& experiment,
                          const std::string& topology_text = config_test::kValidTopology) {
  const auto topology = write_file(name + "/topology.toml", topology_text);
  const auto path = write_file(name + "/experiment.toml", experiment);
  return config_test::with_name(config_test::with_name(diagnostics_of(load_scenario(path)), path, "E"), topology, "T");
}

// An experiment on the small topology; `tables` start at line 5.
std::string experiment_with(const std::string& tables) { return "[experiment]\nname = \"x\"\ntopology = \"topology.toml\"\nduration = \"1h\"\n" + tables; }

Scenario load_ok(const std::string& name, const std::string& experiment, const std::string& topology_text = config_test::kValidTopology) {
  write_file(name + "/topology.toml", topology_text);
  const auto loaded = load_scenario(write_file(name + "/experiment.toml", experiment));
  REQUIRE_MESSAGE(loaded.ok(), diagnostics_of(loaded));
  return loaded.value();
}

// The small topology with alice signed in on a desktop, so she can place calls.
std::string signed_in_topology() {
  std::string text = config_test::kValidTopology;
  const std::string number = "number = \"+14255550100\"\n";
  text.replace(text.find(number), number.size(), number + "endpoints = [{ kind = \"desktop\" }]\n");
  return text;
}

Scenario spec_example() {
  const auto loaded = load_scenario(config_test::source_path("tests/sim/config/spec_examples/experiments/cert-expiry.toml"));
  REQUIRE_MESSAGE(loaded.ok(), diagnostics_of(loaded));
  return loaded.value();
}

}  // namespace

TEST_CASE("an experiment file's keys load with their units and defaults") {
  write_file("topology.toml", config_test::kValidTopology);
  const auto path = write_file("ok.toml", "[experiment]\nname = \"cert-expiry\"\ntopology = \"topology.toml\"\nseed = 7\n"
                                          "start = \"2026-12-31T23:30:00Z\"\nduration = \"90m\"\n[output]\ndir = \"out/x\"\npcap = false\n");
  const auto loaded = load_scenario(path);
  REQUIRE_MESSAGE(loaded.ok(), diagnostics_of(loaded));
  const ExperimentFile& experiment = loaded->experiment;
  CHECK(experiment.name == "cert-expiry");
  CHECK(experiment.seed == 7);
  CHECK(sim::format_rfc3339_utc(experiment.start) == "2026-12-31T23:30:00Z");
  CHECK(experiment.duration == 90_min);
  CHECK(experiment.output_dir == "out/x");
  CHECK_FALSE(experiment.pcap);
  REQUIRE(loaded->topology.has_value());
  CHECK(loaded->topology->name == "small");

  const auto defaults = load_scenario(write_file("defaults.toml", "[experiment]\nname = \"q\"\ntopology = \"topology.toml\"\n"));
  REQUIRE(defaults.ok());
  CHECK(defaults->experiment.duration == 1_h);
  CHECK(sim::format_rfc3339_utc(defaults->experiment.start) == "2026-01-01T00:00:00Z");
  CHECK(defaults->experiment.output_dir == std::filesystem::path("results") / "q");
  CHECK(defaults->experiment.sweep.replications == 1);
  CHECK(sweep_point_count(defaults->experiment.sweep) == 1);
}

TEST_CASE("every problem in a file is reported at once with its line and column") {
  const auto path = write_file("bad.toml", "[experiment]\nname = \"x\"\nseed = -1\nduration = \"1 hour\"\ncolour = \"red\"\n[output]\npcap = \"yes\"\n");
  CHECK(config_test::with_name(diagnostics_of(load_scenario(path)), path, "E") ==
        "E:1:1: error: missing key \"topology\" in [experiment]\n"
        "E:3:8: error: key \"seed\" must be a non-negative integer\n"
        "E:4:12: error: key \"duration\": duration \"1 hour\": missing unit (use ns, us, ms, s, m, min, h or d)\n"
        "E:5:1: error: unknown key \"colour\" in [experiment] (known: name, topology, seed, start, duration)\n"
        "E:7:8: error: key \"pcap\" must be true or false\n");
}

TEST_CASE("the spec's example experiment loads with its topology") {
  const Scenario scenario = spec_example();
  const ExperimentFile& experiment = scenario.experiment;
  REQUIRE(scenario.topology.has_value());
  CHECK(scenario.topology->name == "contoso-basic");
  CHECK(experiment.seed == 42);
  CHECK(experiment.start == sim::parse_rfc3339_utc("2026-12-31T23:30:00Z").value());
  REQUIRE(experiment.calls.size() == 1);
  CHECK(experiment.calls[0].at == 10_s);
  CHECK(experiment.calls[0].hangup_after == 30_s);
  CHECK(experiment.calls[0].direction == CallDirection::Outbound);
  REQUIRE(experiment.workloads.size() == 1);
  CHECK(experiment.workloads[0].direction == CallDirection::Inbound);
  CHECK(experiment.workloads[0].rate == Rate::per_period(2, 1_s));
  CHECK(experiment.workloads[0].holding == HoldingTime{HoldingDistribution::Fixed, 180_s, 0_s});
  REQUIRE(experiment.faults.size() == 1);
  CHECK(experiment.faults[0].at == 40_min);
  CHECK(experiment.faults[0].kind == FaultKind::CertificateExpired);
  CHECK(experiment.faults[0].target == "sbc1");
  CHECK_FALSE(experiment.faults[0].duration.has_value());
  CHECK(experiment.sweep.replications == 10);
  REQUIRE(experiment.sweep.grid.size() == 2);
  CHECK(experiment.sweep.grid[0].path == "workload.0.rate");
  CHECK(experiment.sweep.grid[0].values[1].text == "5/s");
  CHECK(experiment.sweep.grid[0].values[1].toml == "\"5/s\"");
  CHECK(experiment.sweep.grid[1].path == "sbc.sbc1.options_interval");
  CHECK(sweep_point_count(experiment.sweep) == 4);
  CHECK(experiment.output_dir == "results/cert-expiry");
  CHECK(experiment.ladders == std::vector<std::int64_t>{1});
}

TEST_CASE("a sweep point sets each grid path to its value with the last path varying fastest") {
  Scenario point = spec_example();
  apply_sweep_point(point, 2);  // ("5/s", "30s")
  CHECK(point.experiment.workloads[0].rate == Rate::per_period(5, 1_s));
  CHECK(point.topology->sbcs[0].options_interval == 30_s);
  apply_sweep_point(point, 1);  // ("1/s", "60s")
  CHECK(point.experiment.workloads[0].rate == Rate::per_period(1, 1_s));
  CHECK(point.topology->sbcs[0].options_interval == 60_s);
}

TEST_CASE("grid paths reach nested tables and names with dots and links and experiment keys") {
  Scenario scenario = load_ok("grid-paths", experiment_with(R"([[call]]
at = "10s"
from = "+12065550100"
to = "+14255550100"
[sweep.grid]
experiment.duration = ["2h"]
"link.ms|hq.latency" = ["30ms"]
"tenant.contoso.user.alice.endpoints" = [[{ kind = "mobile" }]]
"call.0.at" = ["20s"]
"datacenter.dc1.tcp_syn_timeouts" = [["1s"]]
)"));
  REQUIRE(scenario.experiment.sweep.grid.size() == 5);
  CHECK(scenario.experiment.sweep.grid[0].path == "experiment.duration");
  apply_sweep_point(scenario, 0);
  CHECK(scenario.experiment.duration == 2_h);
  CHECK(scenario.topology->links[0].latency == 30_ms);
  REQUIRE(scenario.topology->tenants[0].users[0].endpoints.size() == 1);
  CHECK(scenario.topology->tenants[0].users[0].endpoints[0].kind == EndpointKind::Mobile);
  CHECK(scenario.experiment.calls[0].at == 20_s);
  CHECK(scenario.topology->datacenters[0].host.tcp_syn_timeouts == std::vector<sim::Time>{1_s});
}

TEST_CASE("scripted calls use numbers of the topology and take their direction from them") {
  const Scenario scenario = load_ok("directions", experiment_with("[[call]]\nat = \"1s\"\nfrom = \"+12065550100\"\nto = \"+14255550100\"\n"
                                                                  "[[call]]\nat = \"2s\"\nfrom = \"+14255550100\"\nto = \"+12065550100\"\n"),
                                    signed_in_topology());
  CHECK(scenario.experiment.calls[0].direction == CallDirection::Inbound);
  CHECK(scenario.experiment.calls[1].direction == CallDirection::Outbound);
  CHECK(problems_with("call-numbers", experiment_with("[[call]]\nat = \"1h\"\nfrom = \"+19995550100\"\nto = \"+12065550100\"\n"
                                                      "[[call]]\nat = \"1s\"\nfrom = \"+14255550100\"\nto = \"+14255550100\"\n")) ==
        "E:6:6: error: key \"at\": 1h is not before the experiment ends (duration 1h)\n"
        "E:7:8: error: key \"from\": +19995550100 is neither a Teams user's number nor a carrier number in topology small\n"
        "E:12:6: error: key \"to\": a call from a Teams user to a Teams user does not cross Direct Routing\n");
}

TEST_CASE("a Teams user signed in nowhere places no call, scripted or in a workload") {
  CHECK(problems_with("signed-in-nowhere", experiment_with("[[call]]\nat = \"1s\"\nfrom = \"+14255550100\"\nto = \"+12065550100\"\n"
                                                           "[[workload]]\ndirection = \"outbound\"\nrate = \"1/s\"\nholding = \"10s\"\n"
                                                           "[[workload]]\ndirection = \"outbound\"\nrate = \"1/s\"\nholding = \"10s\"\nfrom = [\"+14255550100\"]\n")) ==
        "E:7:8: error: key \"from\": +14255550100 has no endpoints (signed in nowhere), so cannot place a call: give the user an endpoint\n"
        "E:10:13: error: key \"direction\": outbound workloads need a Teams user with an endpoint to place the calls, and topology small has none\n"
        "E:17:9: error: key \"from\": +14255550100 has no endpoints (signed in nowhere), so cannot place a call: give the user an endpoint\n");
}

TEST_CASE("workloads draw callers and callees from the right side") {
  CHECK(problems_with("workload-sides", experiment_with("[[workload]]\ndirection = \"outbound\"\nrate = \"30/min\"\nholding = \"exp(3min)\"\n"
                                                        "from = [\"+12065550100\"]\nto = [\"+12065550100\", \"+14255550100\"]\n")) ==
        "E:9:9: error: key \"from\": +12065550100 is not a Teams user's number, as callers of outbound workloads must be\n"
        "E:10:23: error: key \"to\": +14255550100 is not a carrier number, as callees of outbound workloads must be\n");
  const Scenario scenario = load_ok("workload-ok", experiment_with("[[workload]]\ndirection = \"inbound\"\nrate = \"0.5/s\"\nholding = \"lognormal(3min, 1min)\"\n"));
  CHECK(scenario.experiment.workloads[0].rate.mean_interval() == 2_s);
  CHECK(scenario.experiment.workloads[0].holding == HoldingTime{HoldingDistribution::Lognormal, 3_min, 1_min});
}

TEST_CASE("each fault kind names the right kind of target") {
  struct Case {
    std::string kind;
    std::string good_target;
    std::string bad_target;
    std::string extra;
  };
  const std::vector<Case> cases{
      {"certificate_expired", "c1", "dc1", ""},          {"certificate_untrusted_root", "sbc1", "carrier1", ""},
      {"sbc_down", "sbc1", "c1", ""},                     {"sbc_malformed_sip", "sbc1", "dc1", ""},
      {"firewall_drop", "carrier1", "hq", ""},            {"firewall_reject", "dc1", "c1", ""},
      {"dns_nxdomain", "sbc1.contoso.com", "sbc1", ""},   {"dns_no_address", "sip.pstnhub.microsoft.com", "dc1", ""},
      {"datacenter_busy", "dc1", "sbc1", "retry_after = \"5s\"\n"},
      {"datacenter_down", "dc1", "ms", ""},               {"link_loss", "hq|ms", "hq", "loss = 0.25\n"},
      {"link_latency", "ms|hq", "hq|hq", "latency = \"200ms\"\n"},
  };
  for (const Case& fault : cases) {
    CAPTURE(fault.kind);
    const std::string table = "[[fault]]\nat = \"1min\"\nkind = \"" + fault.kind + "\"\n" + fault.extra;
    load_ok("fault-" + fault.kind, experiment_with(table + "target = \"" + fault.good_target + "\"\n"));
    const std::string problems = problems_with("fault-bad-" + fault.kind, experiment_with(table + "target = \"" + fault.bad_target + "\"\n"));
    CHECK(problems.find("error: key \"target\": " + fault.kind + " faults target ") != std::string::npos);
  }
  CHECK(problems_with("fault-sbc", experiment_with("[[fault]]\nat = \"1min\"\nkind = \"sbc_refuses\"\ntarget = \"dc1\"\n")) ==
        "E:8:10: error: key \"target\": sbc_refuses faults target an [[sbc]] name; \"dc1\" is not one (known: sbc1)\n");
}

TEST_CASE("kind-specific fault keys belong to their kind") {
  CHECK(problems_with("fault-keys", experiment_with(R"([[fault]]
at = "1min"
kind = "sbc_down"
target = "sbc1"
loss = 0.5
duration = "0s"
[[fault]]
at = "2min"
kind = "link_loss"
target = "hq|ms"
[[fault]]
at = "3min"
kind = "datacenter_busy"
target = "dc1"
retry_after = "2500ms"
)")) == "E:9:8: error: key \"loss\": only link_loss faults take it, not sbc_down\n"
        "E:10:12: error: key \"duration\": must be longer than 0s\n"
        "E:11:1: error: missing key \"loss\" in a link_loss [[fault]]\n"
        "E:19:15: error: key \"retry_after\": 2500ms is not a whole number of seconds (Retry-After counts seconds)\n");
}

TEST_CASE("a firewall fault's peer is a host of the topology, and only firewall faults take one") {
  const Scenario scenario =
      load_ok("fault-peer", experiment_with("[[fault]]\nat = \"1min\"\nkind = \"firewall_reject\"\ntarget = \"sbc1\"\npeer = \"dc1\"\n"));
  CHECK(scenario.experiment.faults[0].peer == "dc1");
  CHECK(problems_with("fault-peer-bad", experiment_with(R"([[fault]]
at = "1min"
kind = "firewall_drop"
target = "sbc1"
peer = "hq"
[[fault]]
at = "2min"
kind = "sbc_down"
target = "sbc1"
peer = "dc1"
)")) == "E:9:8: error: key \"peer\": the peer must be an [[sbc]], [[datacenter]] or [[carrier]] name; \"hq\" is not one "
        "(known: sbc1, dc1, carrier1)\n"
        "E:14:8: error: key \"peer\": only firewall_drop and firewall_reject faults take it, not sbc_down\n");
}

TEST_CASE("sweep paths must name keys and their values must fit them") {
  CHECK(problems_with("sweep-paths", experiment_with(R"([sweep]
replications = 3
[sweep.grid]
"sbc.sbc1.options_intervl" = ["30s"]
"sbc.sbc9.options_interval" = ["30s"]
"link.hq|ms.latency" = ["5ms", "fast"]
"output.pcap" = [false]
"carrier.carrier1" = [1]
"workload.0.rate" = []
)")) == "E:8:1: error: sweep path \"sbc.sbc1.options_intervl\": no key \"options_intervl\" in [[sbc]] (known: name, site, fqdn, contact_fqdn, ip, port, "
        "certificate, allow, options_interval, proxies, media_bypass, trunk, failover_time, failover_response_codes, t1, t2, t4, "
        "tcp_syn_timeouts, tcp_data_retransmissions, tls_handshake_round_trips, firewall)\n"
        "E:9:1: error: sweep path \"sbc.sbc9.options_interval\": no entry of [[sbc]] is named or numbered \"sbc9\"\n"
        "E:10:32: error: key \"link.hq|ms.latency\": duration \"fast\": expected a number at column 1\n"
        "E:11:1: error: sweep path \"output.pcap\": a sweep changes the experiment and its topology, not [sweep], [output] or the topology file\n"
        "E:12:1: error: sweep path \"carrier.carrier1\": name a key after the entry, e.g. carrier1.name\n"
        "E:13:21: error: sweep path \"workload.0.rate\" needs an array of at least one value\n");
}

TEST_CASE("every sweep point must pass the checks a file written with its values would") {
  // Each value reads as its key's type; the points still name a host that does not exist, a
  // fault time after the end, a certificate that expires before it is valid.
  CHECK(problems_with("sweep-points", experiment_with(R"([[fault]]
at = "10s"
kind = "datacenter_down"
target = "dc1"
[sweep.grid]
"fault.0.target" = ["dc1", "dc9"]
"fault.0.at" = ["20s", "2h"]
)")) == "E:9:1: error: sweep point 1 (fault.0.target = \"dc1\", fault.0.at = \"2h\"): key \"at\": 2h is not before the experiment ends (duration 1h)\n"
        "E:9:1: error: sweep point 2 (fault.0.target = \"dc9\", fault.0.at = \"20s\"): key \"target\": datacenter_down faults target a [[datacenter]] name; \"dc9\" is not one (known: dc1)\n"
        "E:9:1: error: sweep point 3 (fault.0.target = \"dc9\", fault.0.at = \"2h\"): key \"at\": 2h is not before the experiment ends (duration 1h)\n"
        "E:9:1: error: sweep point 3 (fault.0.target = \"dc9\", fault.0.at = \"2h\"): key \"target\": datacenter_down faults target a [[datacenter]] name; \"dc9\" is not one (known: dc1)\n");
  CHECK(problems_with("sweep-topology-point", experiment_with(R"([sweep.grid]
"certificate.c1.not_after" = ["2027-06-01T00:00:00Z", "2025-06-01T00:00:00Z"]
)")).starts_with("E:5:1: error: sweep point 1 (certificate.c1.not_after = \"2025-06-01T00:00:00Z\"): topology.toml: key \"not_after\""));
  // A key the sweep sets counts as written: link_loss needs "loss", and the grid gives it.
  load_ok("sweep-sets-a-required-key", experiment_with(R"([[fault]]
at = "10s"
kind = "link_loss"
target = "hq|ms"
[sweep.grid]
"fault.0.loss" = [0.1, 0.5]
)"));
}

TEST_CASE("one sweep path given twice, quoted and dotted, is an error") {
  CHECK(problems_with("sweep-twice", experiment_with(R"([[workload]]
direction = "inbound"
rate = "1/s"
holding = "10s"
[sweep.grid]
"workload.0.rate" = ["1/s"]
workload.0.rate = ["2/s"]
)")) == "E:11:12: error: sweep path \"workload.0.rate\" is given twice (first at line 10, column 1)\n");
}

TEST_CASE("an entry index past the end of an array of tables is named as such") {
  CHECK(problems_with("sweep-index", experiment_with("[sweep.grid]\n\"workload.99999999999999999999.rate\" = [\"1/s\"]\n")) ==
        "E:6:1: error: sweep path \"workload.99999999999999999999.rate\": there is no entry 99999999999999999999 in [[workload]] (it has 0)\n");
}

TEST_CASE("ladders name scripted calls that exist") {
  const std::string call = "[[call]]\nat = \"1s\"\nfrom = \"+12065550100\"\nto = \"+14255550100\"\n";
  CHECK(problems_with("ladders", experiment_with(call + "[output]\nladders = [1, 2]\n")) ==
        "E:10:15: error: key \"ladders\": there is no scripted call 2 (the file has 1 [[call]])\n");
  CHECK(problems_with("ladder-zero", experiment_with(call + "[output]\nladders = [0]\n")) == "E:10:12: error: key \"ladders\": must be at least 1\n");
}

TEST_CASE("an experiment names its topology") {
  // drsim run needs one; validate says so at the same place rather than accept the file.
  CHECK(problems_with("no-topology", "[experiment]\nname = \"x\"\n[[fault]]\nat = \"1s\"\nkind = \"sbc_down\"\ntarget = \"sbc1\"\n") ==
        "E:1:1: error: missing key \"topology\" in [experiment]\n");
}

TEST_CASE("a broken topology is reported in its own file after the experiment's problems") {
  write_file("broken/topology.toml", config_test::kValidTopology + "[[site]]\nname = \"hq\"\n");
  const auto path = write_file("broken/experiment.toml", "[experiment]\nname = \"x\"\ntopology = \"topology.toml\"\nseed = \"1\"\n");
  const auto loaded = load_scenario(path);
  REQUIRE_FALSE(loaded.ok());
  const std::string topology = (path.parent_path() / "topology.toml").lexically_normal().string();
  CHECK(loaded.error().format() == path.string() + ":4:8: error: key \"seed\" must be a non-negative integer\n" + topology +
                                       ":42:8: error: key \"name\": a second [[site]] named \"hq\" (the first is at line 4, column 8)\n");
}
