#pragma once
// End-to-end runs for the experiment layer's tests: a small Direct Routing topology with exact
// latencies (no jitter, so instants are sums of modelled delays), experiment files written
// into a private folder, and run_experiment on them.
//
//   carrier1 --2ms-- contoso-hq (sbc1, sbc2) --10ms-- ms-amer (datacenter amer)
//                                            --40ms-- ms-emea (datacenter emea)
// Teams clients reach the call controller in 50 ms (experiment::kClientSignallingLatency).
#include <doctest/doctest.h>

#include <string>

#include "sim/config/experiment_file.hpp"
#include "sim/experiment/experiment_run.hpp"
#include "tests/sim/trace/trace_test_support.hpp"

namespace e2e {

inline const std::string kTopology = R"([topology]
name = "e2e"

[[site]]
name = "contoso-hq"
[[site]]
name = "carrier1-pop"
[[site]]
name = "ms-amer"
[[site]]
name = "ms-emea"

[[link]]
a = "contoso-hq"
b = "carrier1-pop"
latency = "2ms"
[[link]]
a = "contoso-hq"
b = "ms-amer"
latency = "10ms"
[[link]]
a = "contoso-hq"
b = "ms-emea"
latency = "40ms"

[[dns]]
name = "sbc1.contoso.com"
type = "A"
value = "203.0.113.10"
[[dns]]
name = "sbc2.unregistered.example"
type = "A"
value = "203.0.113.20"

[[ca]]
name = "DigiCert Global Root G2"
trusted_by_microsoft = true

[[certificate]]
name = "sbc1-cert"
subject_cn = "sbc1.contoso.com"
san = ["sbc1.contoso.com"]
issuer = "DigiCert Global Root G2"
not_before = "2026-06-01T00:00:00Z"
not_after = "2027-06-01T00:00:00Z"
[[certificate]]
name = "sbc2-cert"
subject_cn = "sbc2.unregistered.example"
san = ["sbc2.unregistered.example"]
issuer = "DigiCert Global Root G2"
not_before = "2026-06-01T00:00:00Z"
not_after = "2027-06-01T00:00:00Z"

[[datacenter]]
name = "amer"
site = "ms-amer"
ip = "52.114.132.46"
fqdns = ["sip.pstnhub.microsoft.com"]
[[datacenter]]
name = "emea"
site = "ms-emea"
ip = "52.114.76.76"
fqdns = ["sip2.pstnhub.microsoft.com"]

[[sbc]]
name = "sbc1"
site = "contoso-hq"
fqdn = "sbc1.contoso.com"
ip = "203.0.113.10"
certificate = "sbc1-cert"
proxies = ["sip.pstnhub.microsoft.com", "sip2.pstnhub.microsoft.com"]
trunk = "carrier1"

[[sbc]]                          # no tenant registered its domain
name = "sbc2"
site = "contoso-hq"
fqdn = "sbc2.unregistered.example"
ip = "203.0.113.20"
certificate = "sbc2-cert"
proxies = ["sip.pstnhub.microsoft.com"]
trunk = "carrier2"

[[tenant]]
name = "contoso"
domains = ["contoso.com"]
[[tenant.user]]
name = "alice"
number = "+14255550100"
endpoints = [
  { kind = "desktop", ring_after = "300ms", answer_after = "6s" },
  { kind = "mobile", ring_after = "900ms", answer_after = "4s" },
  { kind = "web", ring_after = "450ms", answer = false },
]
[[tenant.user]]
name = "bob"
number = "+14255550101"
endpoints = [{ kind = "desktop", ring_after = "300ms", answer = false }]

[[tenant]]
name = "fabrikam"
domains = ["fabrikam.com"]
[[tenant.user]]
name = "carol"
number = "+14255550200"
endpoints = [{ kind = "desktop", ring_after = "300ms", answer_after = "2s" }]
[[tenant.user]]                  # signed in nowhere
name = "dave"
number = "+14255550201"

[[carrier]]
name = "carrier1"
site = "carrier1-pop"
ip = "198.51.100.20"
numbers = ["+12065550100", "+12065550101"]
ring_after = "2s"
answer_after = "5s"

[[carrier]]
name = "carrier2"
site = "carrier1-pop"
ip = "198.51.100.30"
numbers = ["+12065550200"]
)";

// An experiment on the e2e topology: `body` holds its [[call]], [[workload]] and [output]
// tables (without [output].dir: the runner is given the folder).
struct Bed {
  trace_test::TemporaryFolder folder;
  std::string topology = kTopology;  // a test may edit it before running

  config::Scenario load(const std::string& body, const std::string& duration = "2min") {
    trace_test::write_file(folder / "e2e-topology.toml", topology);
    trace_test::write_file(folder / "experiment.toml", "[experiment]\nname = \"e2e\"\ntopology = \"e2e-topology.toml\"\n"
                                                         "seed = 7\nstart = \"2026-12-01T09:00:00Z\"\nduration = \"" +
                                                             duration + "\"\n\n" + body);
    auto loaded = config::load_scenario(folder / "experiment.toml");
    if (!loaded.ok()) FAIL(loaded.error().format());
    return std::move(loaded).value();
  }

  experiment::RunOutcome run(const std::string& body, const std::string& out = "out", const std::string& duration = "2min") {
    const config::Scenario scenario = load(body, duration);
    auto ran = experiment::run_experiment(scenario, {folder / out, {}});
    if (!ran.ok()) FAIL(ran.error().message);
    return std::move(ran).value();
  }
};

}  // namespace e2e
