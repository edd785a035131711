// Datacenter failover of inbound calls (facts §1.4, issue 5 item 4): 503 with Retry-After,
// connect timeouts, Timer B, and the end of the list.
#include <doctest/doctest.h>

#include "tests/models/sbc/sbc_test_bed.hpp"

using namespace sbc_test;
using sbc::ProxyHealth;

namespace {

std::vector<Step> busy(std::string seconds) { return {{0_ms, 503, "busy", "Retry-After: " + seconds}}; }
std::vector<Step> rings() { return {{100_ms, 180, "ring"}}; }

}  // namespace

TEST_CASE("a 503 with Retry-After sends the INVITE to the next FQDN as soon as it arrives") {
  SbcBed bed;
  bed.emea.invite_scripts = {busy("30")};
  bed.noam.invite_scripts = {rings()};
  bed.carrier_calls(1_s, "+14255550100");
  bed.simulation.run_until(2_s);
  // The 503 leaves the first datacenter at 1.015 s and is at the SBC at 1.025 s; the INVITE to
  // the second datacenter leaves then and takes 20 ms.
  CHECK(only(bed.emea.heard, "INVITE") == std::vector<std::string>{"INVITE @1015ms"});
  CHECK(only(bed.noam.heard, "INVITE") == std::vector<std::string>{"INVITE @1045ms"});
  CHECK(bed.sbc.failovers() == 1);
  // Same call on the Microsoft side: same Call-ID and From tag, new branch, new Request-URI.
  const sip::Message& first = bed.emea.message("INVITE");
  const sip::Message& second = bed.noam.message("INVITE");
  CHECK(first.call_id() == second.call_id());
  CHECK(first.from().tag() == second.from().tag());
  CHECK(first.top_via().branch() != second.top_via().branch());
  CHECK(second.request_uri().text() == "sip:+14255550100@sip2.pstnhub.microsoft.com:5061;user=phone");
  // The carrier heard nothing of it but ringing.
  CHECK(bed.carrier.heard == std::vector<std::string>{"100 INVITE @1010ms", "180 INVITE @1170ms"});
  const std::string carrier_leg(bed.carrier.message("100").call_id());
  const std::string microsoft_leg(first.call_id());
  CHECK(bed.observer.reports == std::vector<std::string>{"joined " + carrier_leg + " " + microsoft_leg,
                                                         "datacenter " + microsoft_leg + " emea-ams",
                                                         "failed over " + carrier_leg + " @1025ms",
                                                         "datacenter " + microsoft_leg + " noam-chi"});
}

TEST_CASE("after a 503 with Retry-After the SBC closes that connection") {
  SbcBed bed;
  bed.emea.invite_scripts = {busy("30")};
  bed.noam.invite_scripts = {rings()};
  bed.carrier_calls(1_s, "+14255550100");
  bed.simulation.run_until(2_s);
  // The transaction's ACK for the 503 goes first, then the FIN (both sent at 1.025 s).
  CHECK(only(bed.emea.heard, "ACK").empty());  // absorbed by the proxy's INVITE transaction
  CHECK(only(bed.emea.problems, "closed") == std::vector<std::string>{"closed @1035ms"});
}

TEST_CASE("the busy datacenter is avoided for Retry-After seconds and then used again") {
  SbcBed bed;
  bed.emea.invite_scripts = {busy("30"), rings()};
  bed.noam.invite_scripts = {rings()};
  bed.carrier_calls(1_s, "+14255550100");
  bed.carrier_calls(20_s, "+14255550101");
  bed.carrier_calls(40_s, "+14255550102");
  bed.simulation.run_until(31024_ms);
  CHECK(bed.sbc.quarantined("sip.pstnhub.microsoft.com"));
  bed.simulation.run_until(31025_ms);  // the 503 arrived at 1.025 s with Retry-After: 30
  CHECK_FALSE(bed.sbc.quarantined("sip.pstnhub.microsoft.com"));
  bed.simulation.run_until(41_s);
  // The call at 20 s goes straight to the second datacenter. The call at 40 s goes to the first
  // again, on a new connection (DNS cached, TCP 20 ms, TLS 40 ms): sent at 40.065 s.
  CHECK(only(bed.noam.heard, "INVITE") == std::vector<std::string>{"INVITE @1045ms", "INVITE @20025ms"});
  CHECK(only(bed.emea.heard, "INVITE") == std::vector<std::string>{"INVITE @1015ms", "INVITE @40075ms"});
  CHECK(bed.sbc.failovers() == 1);
}

TEST_CASE("an SBC that ignores Retry-After moves the call on but keeps using the busy datacenter") {
  BedOptions options;
  options.adjust = [](sbc::SbcSettings& settings) { settings.retry_after = sbc::RetryAfterHandling::Ignore; };
  SbcBed bed(options);
  bed.emea.invite_scripts = {busy("30")};
  bed.noam.invite_scripts = {rings()};
  bed.carrier_calls(1_s, "+14255550100");
  bed.carrier_calls(20_s, "+14255550101");
  bed.simulation.run_until(21_s);
  CHECK(only(bed.emea.heard, "INVITE") == std::vector<std::string>{"INVITE @1015ms", "INVITE @20015ms"});
  CHECK(only(bed.noam.heard, "INVITE") == std::vector<std::string>{"INVITE @1045ms", "INVITE @20045ms"});
  CHECK(bed.emea.problems == std::vector<std::string>{"accepted @50ms", "tls established @70ms"});
  CHECK(bed.sbc.failovers() == 2);
}

TEST_CASE("a connect timeout moves the call to the next FQDN when the last SYN gives up") {
  BedOptions options;
  options.tcp.syn_waits = {1_s, 2_s};  // SYNs at 20 ms and 1.020 s, TimedOut at 3.020 s
  SbcBed bed(options);
  bed.network.set_host_down(bed.emea_host, true);
  bed.noam.invite_scripts = {rings()};
  bed.carrier_calls(1_s, "+14255550100");
  bed.carrier_calls(5_s, "+14255550101");
  bed.simulation.run_until(3020_ms);
  // The call waited on the connection the OPTIONS round opened; the proxy's health is unknown.
  CHECK(bed.sbc.health("sip.pstnhub.microsoft.com") == ProxyHealth::Unknown);
  CHECK(only(bed.noam.heard, "INVITE").empty());
  bed.simulation.run_until(6_s);
  CHECK(bed.sbc.health("sip.pstnhub.microsoft.com") == ProxyHealth::Down);
  // The second datacenter's connection is up since 140 ms: the INVITE leaves at 3.020 s. The
  // call at 5 s skips the proxy that is down.
  CHECK(only(bed.noam.heard, "INVITE") == std::vector<std::string>{"INVITE @3040ms", "INVITE @5025ms"});
  CHECK(only(bed.observer.reports, "failed over").size() == 1);
  CHECK(only(bed.observer.reports, "failed over").front().ends_with(" @3020ms"));
  std::vector<sim::Time> syns;
  for (const net::PacketRecord& packet : bed.packets.packets)
    if (packet.kind == net::PacketKind::Syn && packet.destination.ip == kEmeaIp) syns.push_back(packet.sent);
  CHECK(syns == std::vector<sim::Time>{20_ms, 1020_ms});
}

TEST_CASE("a refused connection moves the call on at once") {
  SbcBed bed;
  bed.simulation.run_until(1_s);
  bed.noam.invite_scripts = {rings()};
  // The first datacenter stops listening after the OPTIONS round; its connection is reset.
  bed.network.set_host_refusing(bed.emea_host, true);
  bed.tcp.disconnect_tls(bed.emea_host);
  bed.carrier_calls(2_s, "+14255550100");
  bed.simulation.run_until(3_s);
  // At 2.005 s the SBC reconnects (DNS cached): the RST is back at 2.025 s.
  CHECK(only(bed.noam.heard, "INVITE") == std::vector<std::string>{"INVITE @2045ms"});
  CHECK(bed.sbc.health("sip.pstnhub.microsoft.com") == ProxyHealth::Down);
}

TEST_CASE("an INVITE the datacenter never answers fails over when Timer B fires") {
  BedOptions options;
  options.proxy_timers.trying_delay = 1_h;  // a proxy that stays silent, not even 100 Trying
  SbcBed bed(options);
  bed.noam.invite_scripts = {rings()};
  bed.carrier_calls(1_s, "+14255550100");
  bed.simulation.run_until(34_s);
  // Timer B = 64*T1 = 32 s after the INVITE left at 1.005 s.
  CHECK(only(bed.noam.heard, "INVITE") == std::vector<std::string>{"INVITE @33025ms"});
  CHECK(only(bed.carrier.heard, "180") == std::vector<std::string>{"180 INVITE @33150ms"});
}

TEST_CASE("when every FQDN is busy the carrier gets 503") {
  SbcBed bed;
  bed.emea.invite_scripts = {busy("60")};
  bed.noam.invite_scripts = {busy("60")};
  bed.asia.invite_scripts = {busy("60")};
  bed.carrier_calls(1_s, "+14255550100");
  bed.carrier_calls(2_s, "+14255550101");
  bed.simulation.run_until(3_s);
  // 10, 20 and 40 ms away: 503s back at 1.025, 1.065 and 1.145 s.
  CHECK(only(bed.asia.heard, "INVITE") == std::vector<std::string>{"INVITE @1105ms"});
  CHECK(only(bed.carrier.heard, "503") == std::vector<std::string>{"503 INVITE @1150ms", "503 INVITE @2010ms"});
  // Two failovers for the first call; the second finds every datacenter in quarantine.
  CHECK(bed.sbc.failovers() == 2);
  CHECK(only(bed.emea.heard, "INVITE").size() == 1);
}

TEST_CASE("a 503 after ringing is relayed: the call is not moved") {
  SbcBed bed;
  bed.emea.invite_scripts = {{{100_ms, 180, "ring"}, {1_s, 503, "ring", "Retry-After: 30"}}};
  bed.carrier_calls(1_s, "+14255550100");
  bed.simulation.run_until(3_s);
  CHECK(only(bed.noam.heard, "INVITE").empty());
  CHECK(only(bed.carrier.heard, "503") == std::vector<std::string>{"503 INVITE @2030ms"});
  CHECK(bed.sbc.failovers() == 0);
}
