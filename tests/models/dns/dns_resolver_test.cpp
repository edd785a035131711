#include "models/dns/dns_resolver.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

using dns::DnsOutcome;
using dns::RecordType;
using namespace sim::time_literals;

namespace {

class Host final : public sim::Actor {
 public:
  explicit Host(sim::ActorContext context) : Actor(std::move(context)) {}
};

// A host with a resolver on a running simulation; every answer is logged as "name outcome@ms".
struct Bench {
  sim::Simulation simulation{1};
  dns::DnsZone zone;
  Host& host = simulation.add_actor<Host>("sbc1");
  std::unique_ptr<dns::DnsResolver> resolver;
  std::vector<std::string> log;
  std::vector<sim::TimerHandle> script;

  explicit Bench(dns::ResolverSettings settings = {}) {
    resolver = std::make_unique<dns::DnsResolver>(simulation, host.id(), zone, settings);
  }
  void at(sim::Time when, std::function<void()> action) {
    script.push_back(simulation.schedule_timer(when, host.id(), std::move(action)));
  }
  void lookup_at(sim::Time when, std::string name) {
    at(when, [this, name] {
      resolver->resolve(name, [this, name](const dns::DnsAnswer& answer) { log.push_back(describe(name, answer)); });
    });
  }
  std::string describe(const std::string& name, const dns::DnsAnswer& answer) const {
    std::string text = name + " ";
    switch (answer.outcome) {
      case DnsOutcome::Addresses:
        for (std::size_t i = 0; i < answer.addresses.size(); ++i) text += (i ? "," : "") + answer.addresses[i].text();
        break;
      case DnsOutcome::NxDomain: text += "NXDOMAIN"; break;
      case DnsOutcome::NoAddress: text += "NoAddress"; break;
      case DnsOutcome::ServerFailure: text += "ServerFailure"; break;
    }
    return text + "@" + std::to_string(simulation.now().nanoseconds() / 1'000'000) + "ms";
  }
};

void add(dns::DnsZone& zone, dns::DnsRecord record) {
  const auto problem = zone.add(std::move(record));
  if (problem) FAIL(*problem);
}

}  // namespace

TEST_CASE("the first lookup answers after the latency and a cached one at once until the TTL ends") {
  Bench bench;
  add(bench.zone, {"sbc1.contoso.com", RecordType::A, "203.0.113.10", 60_s});
  add(bench.zone, {"sbc1.contoso.com", RecordType::A, "203.0.113.11", 90_s});
  bench.lookup_at(0_s, "sbc1.contoso.com");
  bench.lookup_at(1_s, "SBC1.contoso.com");
  // Cached at 20 ms for the smaller TTL, 60 s: the entry lives while now < 60.020 s.
  bench.lookup_at(60_s + 19_ms, "sbc1.contoso.com");
  bench.lookup_at(60_s + 20_ms, "sbc1.contoso.com");
  bench.lookup_at(61_s, "sbc1.contoso.com");
  bench.simulation.run();
  CHECK(bench.log == std::vector<std::string>{
                         "sbc1.contoso.com 203.0.113.10,203.0.113.11@20ms",
                         "SBC1.contoso.com 203.0.113.10,203.0.113.11@1000ms",
                         "sbc1.contoso.com 203.0.113.10,203.0.113.11@60019ms",
                         "sbc1.contoso.com 203.0.113.10,203.0.113.11@60040ms",
                         "sbc1.contoso.com 203.0.113.10,203.0.113.11@61000ms",
                     });
  CHECK(bench.resolver->cached_names() == 1);
  CHECK(bench.resolver->lookups_in_flight() == 0);
}

TEST_CASE("a cached answer arrives after the running event and not inside resolve") {
  Bench bench;
  add(bench.zone, {"sbc1.contoso.com", RecordType::A, "203.0.113.10"});
  bench.lookup_at(0_s, "sbc1.contoso.com");
  bool answered = false;
  bool answered_inside = true;
  sim::Time answered_at;
  bench.at(5_s, [&] {
    bench.resolver->resolve("sbc1.contoso.com", [&](const dns::DnsAnswer&) {
      answered = true;
      answered_at = bench.simulation.now();
    });
    answered_inside = answered;
  });
  bench.simulation.run();
  CHECK_FALSE(answered_inside);
  CHECK(answered);
  CHECK(answered_at == 5_s);
}

TEST_CASE("NXDOMAIN and NoAddress are told apart and cached for the negative TTL") {
  Bench bench({.lookup_latency = 50_ms, .negative_ttl = 10_s});
  add(bench.zone, {"contoso.com", RecordType::TXT, "MS=ms12345678"});
  bench.lookup_at(0_s, "sbc9.contoso.com");
  bench.lookup_at(0_s, "contoso.com");
  bench.lookup_at(5_s, "sbc9.contoso.com");
  bench.lookup_at(10_s + 50_ms, "contoso.com");
  bench.simulation.run();
  CHECK(bench.log == std::vector<std::string>{
                         "sbc9.contoso.com NXDOMAIN@50ms",
                         "contoso.com NoAddress@50ms",
                         "sbc9.contoso.com NXDOMAIN@5000ms",
                         "contoso.com NoAddress@10100ms",
                     });
}

TEST_CASE("a lookup through a CNAME chain answers the final addresses at the latency") {
  Bench bench;
  add(bench.zone, {"sip.contoso.com", RecordType::CNAME, "sbc1.contoso.com", 30_s});
  add(bench.zone, {"sbc1.contoso.com", RecordType::A, "203.0.113.10", 300_s});
  bench.lookup_at(0_s, "sip.contoso.com");
  bench.lookup_at(29_s, "sip.contoso.com");  // cached: the chain's TTL is its smallest, 30 s
  bench.lookup_at(31_s, "sip.contoso.com");
  bench.simulation.run();
  CHECK(bench.log == std::vector<std::string>{
                         "sip.contoso.com 203.0.113.10@20ms",
                         "sip.contoso.com 203.0.113.10@29000ms",
                         "sip.contoso.com 203.0.113.10@31020ms",
                     });
}

TEST_CASE("a DNS fault evicts the cached answer at once and its heal is seen at the next lookup") {
  Bench bench;
  add(bench.zone, {"sbc1.contoso.com", RecordType::A, "203.0.113.10", 300_s});
  add(bench.zone, {"sip.contoso.com", RecordType::CNAME, "sbc1.contoso.com", 300_s});
  add(bench.zone, {"sip.pstnhub.microsoft.com", RecordType::A, "52.114.76.76", 300_s});
  bench.lookup_at(0_s, "sbc1.contoso.com");
  bench.lookup_at(0_s, "sip.contoso.com");
  bench.lookup_at(0_s, "sip.pstnhub.microsoft.com");
  bench.at(10_s, [&] { bench.zone.force("sbc1.contoso.com", DnsOutcome::NxDomain); });
  bench.lookup_at(10_s, "sbc1.contoso.com");           // the cached answer is stale: ask the zone
  bench.lookup_at(11_s, "sbc1.contoso.com");           // forced answers are never cached
  bench.lookup_at(11_s, "sip.contoso.com");            // the alias's cached answer passed through it
  bench.lookup_at(11_s, "sip.pstnhub.microsoft.com");  // other names keep their cache
  bench.at(20_s, [&] { bench.zone.restore("sbc1.contoso.com", DnsOutcome::NxDomain); });
  bench.lookup_at(20_s, "sbc1.contoso.com");
  bench.lookup_at(21_s, "sbc1.contoso.com");
  bench.simulation.run();
  CHECK(bench.log == std::vector<std::string>{
                         "sbc1.contoso.com 203.0.113.10@20ms",
                         "sip.contoso.com 203.0.113.10@20ms",
                         "sip.pstnhub.microsoft.com 52.114.76.76@20ms",
                         "sbc1.contoso.com NXDOMAIN@10020ms",
                         "sip.pstnhub.microsoft.com 52.114.76.76@11000ms",
                         "sbc1.contoso.com NXDOMAIN@11020ms",
                         "sip.contoso.com NXDOMAIN@11020ms",
                         "sbc1.contoso.com 203.0.113.10@20020ms",
                         "sbc1.contoso.com 203.0.113.10@21000ms",
                     });
}

TEST_CASE("a no-address fault answers NoAddress until it heals") {
  Bench bench;
  add(bench.zone, {"sbc1.contoso.com", RecordType::A, "203.0.113.10"});
  bench.at(0_s, [&] { bench.zone.force("sbc1.contoso.com", DnsOutcome::NoAddress); });
  bench.lookup_at(1_s, "sbc1.contoso.com");
  bench.at(2_s, [&] { bench.zone.restore("sbc1.contoso.com", DnsOutcome::NoAddress); });
  bench.lookup_at(3_s, "sbc1.contoso.com");
  bench.simulation.run();
  CHECK(bench.log == std::vector<std::string>{"sbc1.contoso.com NoAddress@1020ms", "sbc1.contoso.com 203.0.113.10@3020ms"});
}

TEST_CASE("a fault that starts while a lookup is in flight leaves no stale cache entry") {
  Bench bench;
  add(bench.zone, {"sbc1.contoso.com", RecordType::A, "203.0.113.10"});
  bench.lookup_at(0_s, "sbc1.contoso.com");  // the zone answered at 0 s, the answer lands at 20 ms
  bench.at(10_ms, [&] { bench.zone.force("sbc1.contoso.com", DnsOutcome::NxDomain); });
  bench.lookup_at(1_s, "sbc1.contoso.com");
  bench.simulation.run();
  CHECK(bench.log == std::vector<std::string>{"sbc1.contoso.com 203.0.113.10@20ms", "sbc1.contoso.com NXDOMAIN@1020ms"});
}

TEST_CASE("a zero TTL is used once and never cached") {
  Bench bench;
  add(bench.zone, {"sbc1.contoso.com", RecordType::A, "203.0.113.10", sim::Time::zero()});
  bench.lookup_at(0_s, "sbc1.contoso.com");
  bench.lookup_at(1_s, "sbc1.contoso.com");
  bench.simulation.run();
  CHECK(bench.log == std::vector<std::string>{"sbc1.contoso.com 203.0.113.10@20ms", "sbc1.contoso.com 203.0.113.10@1020ms"});
  CHECK(bench.resolver->cached_names() == 0);
}

TEST_CASE("an IP address literal answers itself without a lookup") {
  Bench bench;
  bench.lookup_at(2_s, "52.114.76.76");
  bench.simulation.run();
  CHECK(bench.log == std::vector<std::string>{"52.114.76.76 52.114.76.76@2000ms"});
}

TEST_CASE("dropping the resolver cancels the answers still in flight") {
  Bench bench;
  add(bench.zone, {"sbc1.contoso.com", RecordType::A, "203.0.113.10"});
  bench.lookup_at(0_s, "sbc1.contoso.com");
  bench.at(10_ms, [&] {
    CHECK(bench.resolver->lookups_in_flight() == 1);
    bench.resolver.reset();
  });
  bench.simulation.run();
  CHECK(bench.log.empty());
}
