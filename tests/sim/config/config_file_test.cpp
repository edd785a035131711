#include "sim/config/config_file.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "sim/config/experiment_file.hpp"
#include "sim/config/topology_file.hpp"
#include "tests/sim/config/config_test_support.hpp"

using namespace config;
using config_test::diagnostics_of;
using config_test::write_file;

namespace {

std::vector<std::filesystem::path> toml_files_in(const std::string& folder) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(config_test::source_path(folder)))
    if (entry.path().extension() == ".toml") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("every shipped topology and experiment validates") {
  std::vector<std::filesystem::path> files = toml_files_in("topologies");
  const std::vector<std::filesystem::path> experiments = toml_files_in("experiments");
  files.insert(files.end(), experiments.begin(), experiments.end());
  CHECK(files.size() >= 2);
  for (const auto& file : files) {
    CAPTURE(file);
    const auto checked = validate_config_file(file);
    CHECK_MESSAGE(checked.ok(), diagnostics_of(checked));
  }
}

TEST_CASE("validate tells topologies from experiments and says what they hold") {
  const auto topology = validate_config_file(config_test::source_path("topologies/contoso-basic.toml"));
  REQUIRE(topology.ok());
  const std::string contoso = "topology contoso-basic: 5 sites, 4 links, 1 DNS record, 1 CA, 1 certificate, 3 datacenters, 1 SBC, 1 tenant, 2001 users, 1 carrier, 5 firewall rules";
  CHECK(topology.value() == contoso);
  const auto experiment = validate_config_file(config_test::source_path("experiments/quickstart.toml"));
  REQUIRE(experiment.ok());
  CHECK(experiment.value() == "experiment quickstart: 5min from 2026-12-31T23:30:00Z, 2 calls, 0 workloads, 0 faults, 1 run; " + contoso);
  const auto sweep = validate_config_file(config_test::source_path("tests/sim/config/spec_examples/experiments/cert-expiry.toml"));
  REQUIRE(sweep.ok());
  CHECK(sweep.value().starts_with("experiment cert-expiry: 1h from 2026-12-31T23:30:00Z, 1 call, 1 workload, 1 fault, 4 points x 10 replications; "));

  const auto neither = write_file("neither.toml", "[sites]\nname = \"x\"\n");
  CHECK(diagnostics_of(detect_config_file_kind(neither)) ==
        neither.string() + ":1:1: error: neither a topology file (it would have a [topology] table) nor an experiment file ([experiment])\n");
  const auto syntax = write_file("syntax.toml", "[topology]\nname = \n");
  CHECK(diagnostics_of(validate_config_file(syntax)).starts_with(syntax.string() + ":2:"));
}

TEST_CASE("the quickstart's calls go both ways through contoso-basic") {
  const auto loaded = load_scenario(config_test::source_path("experiments/quickstart.toml"));
  REQUIRE_MESSAGE(loaded.ok(), diagnostics_of(loaded));
  const Scenario& scenario = loaded.value();
  REQUIRE(scenario.experiment.calls.size() == 2);
  CHECK(scenario.experiment.calls[0].direction == CallDirection::Inbound);
  CHECK(scenario.experiment.calls[1].direction == CallDirection::Outbound);
  // alice rings on three clients; only the desktop answers.
  const TeamsUser& alice = scenario.topology->tenants.at(0).users.at(0);
  CHECK(alice.endpoints.size() == 3);
  CHECK(std::count_if(alice.endpoints.begin(), alice.endpoints.end(), [](const Endpoint& endpoint) { return endpoint.answer; }) == 1);
  // The certificate is valid for the whole run.
  const Certificate& certificate = scenario.topology->certificates.at(0);
  CHECK(certificate.not_before <= scenario.experiment.start);
  CHECK(scenario.experiment.start + scenario.experiment.duration < certificate.not_after);
}

TEST_CASE("the key reference documents every table and key and fault kind") {
  const std::string reference = key_reference_markdown();
  for (const std::string_view heading :
       {"### [topology]", "### [microsoft]", "### [resolver]", "### [[site]]", "### [[link]]", "### [[dns]]", "### [[ca]]", "### [[certificate]]",
        "### [[datacenter]]", "### [[sbc]]", "### [[tenant]]", "### [[tenant.user]]", "### `endpoints` entries", "### `firewall` entries", "### [[tenant.users]]",
        "### [[tenant.route]]", "### [[carrier]]", "### [experiment]", "### [[call]]", "### [[workload]]", "### [[fault]]", "### [sweep]",
        "### [output]", "## Fault kinds"}) {
    CAPTURE(heading);
    CHECK(reference.find(std::string(heading) + "\n") != std::string::npos);
  }
  // Tables reached twice (endpoints) are written once.
  CHECK(reference.find("### `endpoints` entries") == reference.rfind("### `endpoints` entries"));
  CHECK(reference.find("| `options_interval` | duration | `\"1min\"` | time between its OPTIONS pings to each proxy |\n") != std::string::npos);
  CHECK(reference.find("| `latency` | duration | required | one-way delay |\n") != std::string::npos);
  CHECK(reference.find("| `tcp_syn_timeouts` | array of durations | `[\"3s\", \"6s\", \"12s\"]` |") != std::string::npos);
  CHECK(reference.find("| `mtu` | integer (bytes) | `1500` |") != std::string::npos);
  CHECK(reference.find("| `link_loss` | a link, \"a\\|b\" |") != std::string::npos);
}
