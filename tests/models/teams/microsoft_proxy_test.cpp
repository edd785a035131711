// The Microsoft proxy with SBCs calling in: OPTIONS, the inbound checks, and forking to real
// Teams clients. Instants follow from the bed: 10 ms one way between SBC and proxy, TLS up 60 ms
// after the SBC connects, the proxy's client signalling 50 ms, each client's own latency back.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/models/teams/proxy_test_bed.hpp"

using namespace proxy_test;
using Strings = std::vector<std::string>;

namespace {

constexpr const char* kCallId = "in-1@sbc1.contoso.com";

// The SBC connects at 0, sends `invite` when TLS is up (60 ms; it reaches the proxy at 70 ms).
void place_inbound_call(ProxyBed& bed, std::string_view called, std::string_view contact_host) {
  FakeSbc& sbc = bed.sbc();
  sbc.connect_to_proxy(
      [&sbc, called = std::string(called), contact = std::string(contact_host)](sip::Transport& to_proxy) {
        sbc.send_request(sbc.inbound_invite(called, contact, kCallId), to_proxy);
      });
}

std::string to_tag(const FakeSbc::Seen& seen) { return std::string(seen.message.to().tag()); }

bool has_line_starting(const Strings& lines, const std::string& prefix) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& line) { return line.rfind(prefix, 0) == 0; });
}

}  // namespace

TEST_CASE("one IncomingCall and one StopRinging, encoded once, reach every endpoint as their own encoding would") {
  // The proxy encodes a signal meant for several endpoints once; each endpoint must still get
  // exactly the bytes encode_signal gives that signal.
  struct ClientDeliveries final : sim::DeliveryObserver {
    std::vector<std::pair<sim::ActorId, std::string>> seen;
    void on_delivery(sim::Time, const sim::Actor& destination, const sim::Delivery& delivery) override {
      if (destination.name().starts_with("alice/")) seen.emplace_back(destination.id(), std::string(delivery.payload));
    }
  } deliveries;
  ProxyBed bed;
  bed.simulation.add_observer(deliveries);
  bed.start();
  place_inbound_call(bed, kAlice, "sbc1.contoso.com");
  bed.simulation.run_until(9_s);
  std::vector<std::string> incoming;
  std::vector<std::string> stop_ringing;
  for (const auto& [client_id, bytes] : deliveries.seen) {
    const auto signal = client::decode_signal(bytes);
    REQUIRE(signal.has_value());
    CHECK(client::encode_signal(*signal) == bytes);
    if (signal->kind == client::SignalKind::IncomingCall) {
      CHECK(signal->number == kPstnCaller);
      CHECK(signal->sdp.find("c=IN IP4 52.114.76.76\r\n") != std::string::npos);
      incoming.push_back(bytes);
    }
    if (signal->kind == client::SignalKind::StopRinging) stop_ringing.push_back(bytes);
  }
  REQUIRE(incoming.size() == 3);
  CHECK(incoming[1] == incoming[0]);
  CHECK(incoming[2] == incoming[0]);
  REQUIRE(stop_ringing.size() == 2);  // desktop and web: mobile answered
  CHECK(stop_ringing[1] == stop_ringing[0]);
}

TEST_CASE("an observer that traces nothing hears no client legs, and every other report of the call alike") {
  const auto reports = [](bool client_legs_wanted) {
    ProxyBed bed;
    bed.observer.client_legs_wanted = client_legs_wanted;
    bed.start();
    place_inbound_call(bed, kAlice, "sbc1.contoso.com");
    bed.simulation.run_until(9_s);
    return bed.observer.lines;
  };
  const auto is_client_join = [](const std::string& line) {
    return line.starts_with(std::string("joined ") + kCallId + " client:");
  };
  const Strings traced = reports(true);
  const Strings untraced = reports(false);
  CHECK(std::count_if(traced.begin(), traced.end(), is_client_join) == 3);  // desktop, mobile, web
  CHECK(std::none_of(untraced.begin(), untraced.end(), is_client_join));
  Strings traced_without_client_joins = traced;
  std::erase_if(traced_without_client_joins, is_client_join);
  CHECK(untraced == traced_without_client_joins);
  CHECK(has_line_starting(untraced, std::string("answered ") + kCallId + " by mobile @5240ms"));
}

TEST_CASE("an inbound call rings every endpoint on its own early dialog and the first to answer gets the call") {
  ProxyBed bed;
  bed.start();
  place_inbound_call(bed, kAlice, "sbc1.contoso.com");
  bed.simulation.run_until(9_s);

  const auto& responses = bed.sbc().responses;
  // 180s at each endpoint's progress: 70 ms + 50 ms to the client + ring_after + its latency
  // back + 10 ms to the SBC (desktop 300 + 40 ms, mobile 900 + 120 ms, web 1500 + 60 ms).
  CHECK(arrivals(responses) == Strings{"100@80ms", "180@470ms", "183@470ms", "180@1150ms", "180@1690ms", "200@5250ms"});
  REQUIRE(responses.size() == 6);
  const std::string desktop_tag = to_tag(responses[1]);
  const std::string mobile_tag = to_tag(responses[3]);
  const std::string web_tag = to_tag(responses[4]);
  CHECK_FALSE(desktop_tag.empty());
  CHECK(desktop_tag != mobile_tag);
  CHECK(mobile_tag != web_tag);
  CHECK(desktop_tag != web_tag);
  CHECK(responses[1].message.contact(0).text() == "<sip:sip.pstnhub.microsoft.com:5061;transport=tls>");
  // Non-bypass: one 183, on the fork that got there first, with the media processor's SDP.
  CHECK(to_tag(responses[2]) == desktop_tag);
  CHECK(responses[2].message.body().find("c=IN IP4 52.114.76.76\r\n") != std::string::npos);
  // Mobile answers first (120 ms + 5 s + 120 ms = 5.24 s at the proxy); desktop would at 8.2 s.
  CHECK(to_tag(responses[5]) == mobile_tag);
  CHECK(responses[5].message.body() == responses[2].message.body());
  CHECK(bed.client(0).calls_in_progress() == 0);  // desktop: StopRinging before its answer
  CHECK(bed.client(1).calls_in_progress() == 1);  // mobile: in the call
  CHECK(bed.client(2).calls_in_progress() == 0);  // web
  CHECK(bed.proxy->inbound_calls_in_progress() == 1);
  CHECK(has_line_starting(bed.observer.lines, std::string("answered ") + kCallId + " by mobile @5240ms"));
  CHECK(has_line_starting(bed.observer.lines, std::string("joined ") + kCallId + " client:alice/desktop:"));
  CHECK(has_line_starting(bed.observer.lines, std::string("datacenter ") + kCallId + " emea-ams"));

  // The SBC hangs up: 200 for its BYE, HangUp to the mobile client.
  bed.at(10_s, 0, [&] { bed.sbc().send_in_dialog(sip::Method::Bye, *bed.sbc().to_proxy); });
  bed.simulation.run_until(11_s);
  CHECK(arrivals(responses).back() == "200@10020ms");
  CHECK(bed.client(1).calls_in_progress() == 0);
  CHECK(bed.proxy->inbound_calls_in_progress() == 0);
  CHECK(bed.observer.lines.back() == std::string("ended ") + kCallId + " @10010ms");
}

TEST_CASE("media bypass gives each endpoint's own 183 and the answering client's SDP") {
  ProxyBed bed({{"sbc1", "sbc1.contoso.com", "203.0.113.10", certificate("sbc1-cert", {"sbc1.contoso.com"}), true}});
  bed.start();
  place_inbound_call(bed, kAlice, "sbc1.contoso.com");
  bed.simulation.run_until(9_s);
  const auto& responses = bed.sbc().responses;
  // The web client sends no media answer, so two 183s: desktop's and mobile's.
  CHECK(arrivals(responses) ==
        Strings{"100@80ms", "180@470ms", "183@470ms", "180@1150ms", "183@1150ms", "180@1690ms", "200@5250ms"});
  REQUIRE(responses.size() == 7);
  CHECK(responses[2].message.body().find("c=IN IP4 10.1.0.5\r\n") != std::string::npos);
  CHECK(responses[4].message.body().find("c=IN IP4 10.1.0.6\r\n") != std::string::npos);
  CHECK(to_tag(responses[4]) == to_tag(responses[3]));
  CHECK(responses[6].message.body().find("c=IN IP4 10.1.0.6\r\n") != std::string::npos);
}

TEST_CASE("an IP address in Contact is refused with 403 and rings nobody") {
  ProxyBed bed;
  bed.start();
  place_inbound_call(bed, kAlice, "203.0.113.10");
  bed.simulation.run_until(5_s);
  CHECK(arrivals(bed.sbc().responses) == Strings{"403@80ms"});
  CHECK(bed.proxy->inbound_calls_in_progress() == 0);
  for (std::size_t i = 0; i < 3; ++i) CHECK(bed.client(i).calls_in_progress() == 0);
  CHECK(bed.observer.lines == Strings{std::string("datacenter ") + kCallId + " emea-ams",
                                      std::string("final ") + kCallId + " 403 - Forbidden @70ms",
                                      std::string("ended ") + kCallId + " @70ms"});
}

TEST_CASE("an unknown called number is refused 404 with Microsoft code 511404") {
  ProxyBed bed;
  bed.start();
  place_inbound_call(bed, "+14255559999", "sbc1.contoso.com");
  bed.simulation.run_until(5_s);
  const auto& responses = bed.sbc().responses;
  CHECK(arrivals(responses) == Strings{"404@80ms"});
  REQUIRE(responses.size() == 1);
  CHECK(responses[0].message.header("ms-diagnostics") ==
        "511404;reason=\"Getting user info by number from RuntimeAPI failed\";source=\"sip.pstnhub.microsoft.com\"");
  CHECK(bed.observer.lines[1] ==
        std::string("final ") + kCallId + " 404 511404 Getting user info by number from RuntimeAPI failed @70ms");
}

TEST_CASE("a user without endpoints is refused 480 with 10037") {
  ProxyBed bed;
  bed.tenants.add_user(0, teams::TeamsUser{"bob", "+14255550111", {}});
  bed.start();
  place_inbound_call(bed, "+14255550111", "sbc1.contoso.com");
  bed.simulation.run_until(5_s);
  REQUIRE(arrivals(bed.sbc().responses) == Strings{"480@80ms"});
  CHECK(bed.sbc().responses[0].message.header("ms-diagnostics") ==
        "10037;reason=\"No callee endpoints were found\";source=\"sip.pstnhub.microsoft.com\"");
}

TEST_CASE("a Contact FQDN the SBC certificate does not name is refused 403") {
  // sbc1's certificate names only sbc1.contoso.com; the Contact claims another contoso SBC.
  ProxyBed bed;
  bed.start();
  place_inbound_call(bed, kAlice, "sbc2.contoso.com");
  bed.simulation.run_until(5_s);
  CHECK(arrivals(bed.sbc().responses) == Strings{"403@80ms"});
  CHECK(bed.sbc().responses[0].message.header("ms-diagnostics") == std::nullopt);
}

TEST_CASE("an SBC whose FQDN no tenant registered is refused 403 with 510532") {
  ProxyBed bed({{"sbc1", "sbc1.fabrikam.com", "203.0.113.10", certificate("sbc1-cert", {"*.fabrikam.com"})}});
  bed.start();
  place_inbound_call(bed, kAlice, "sbc1.fabrikam.com");
  bed.simulation.run_until(5_s);
  REQUIRE(arrivals(bed.sbc().responses) == Strings{"403@80ms"});
  CHECK(bed.sbc().responses[0].message.header("ms-diagnostics")->substr(0, 7) == "510532;");
}

TEST_CASE("nobody answering ends the call after the ring timeout with 480 and stops every endpoint") {
  ProxyBed bed;
  bed.settings.ring_timeout = 3_s;
  bed.start();
  place_inbound_call(bed, kAlice, "sbc1.contoso.com");
  bed.simulation.run_until(10_s);
  CHECK(arrivals(bed.sbc().responses) ==
        Strings{"100@80ms", "180@470ms", "183@470ms", "180@1150ms", "180@1690ms", "480@3080ms"});
  for (std::size_t i = 0; i < 3; ++i) CHECK(bed.client(i).calls_in_progress() == 0);
  CHECK(bed.proxy->inbound_calls_in_progress() == 0);
  CHECK(has_line_starting(bed.observer.lines,
                          std::string("final ") + kCallId + " 480 - Temporarily Unavailable @3070ms"));
}

TEST_CASE("a CANCEL from the SBC stops every endpoint and ends the INVITE with 487") {
  ProxyBed bed;
  bed.start();
  place_inbound_call(bed, kAlice, "sbc1.contoso.com");
  bed.at(2_s, 0, [&] { bed.sbc().send_cancel(*bed.sbc().to_proxy); });
  bed.simulation.run_until(10_s);
  // The 200 for the CANCEL and the 487 for the INVITE leave together at 2.01 s.
  CHECK(arrivals(bed.sbc().responses) ==
        Strings{"100@80ms", "180@470ms", "183@470ms", "180@1150ms", "180@1690ms", "200@2020ms", "487@2020ms"});
  CHECK(bed.sbc().responses[5].message.cseq().method == "CANCEL");
  for (std::size_t i = 0; i < 3; ++i) CHECK(bed.client(i).calls_in_progress() == 0);
}

TEST_CASE("an SBC that never acknowledges the 200 gets a BYE after 64 T1 and the call ends 408 with 1106") {
  ProxyBed bed;
  bed.start();
  bed.sbc().acknowledge = false;
  place_inbound_call(bed, kAlice, "sbc1.contoso.com");
  bed.simulation.run_until(60_s);
  // 200 leaves at 5.24 s; 32 s later the proxy opens its own TLS connection to the SBC's Contact
  // (DNS 20 ms, TCP 20 ms, TLS 40 ms) and sends BYE at 37.32 s.
  const auto byes = bed.sbc().requests_named(sip::Method::Bye);
  REQUIRE(byes.size() == 1);
  CHECK(byes[0]->at == 37330_ms);
  CHECK(byes[0]->message.request_uri().text() == "sip:+12065550100@sbc1.contoso.com:5061;transport=tls");
  // §13.3.1.4: until then the 200 goes again, T1 doubling up to T2, over TLS as over UDP: it
  // reaches the SBC at 5.25 s, then 0.5, 1, 2, 4, 4... s apart, the last 31.5 s after the first.
  std::vector<std::string> answers;
  for (const std::string& arrival : arrivals(bed.sbc().responses))
    if (arrival.starts_with("200@")) answers.push_back(arrival);
  CHECK(answers == std::vector<std::string>{"200@5250ms", "200@5750ms", "200@6750ms", "200@8750ms", "200@12750ms",
                                            "200@16750ms", "200@20750ms", "200@24750ms", "200@28750ms", "200@32750ms",
                                            "200@36750ms"});
  CHECK(bed.client(1).calls_in_progress() == 0);
  CHECK(has_line_starting(
      bed.observer.lines,
      std::string("final ") + kCallId + " 408 1106 ACK not received for call acceptance in allotted time @37240ms"));
}

TEST_CASE("OPTIONS from a recognised SBC get 200 and keep it from being demoted") {
  ProxyBed bed;
  bed.start();
  FakeSbc& sbc = bed.sbc();
  CHECK(bed.proxy->sbc_demoted("sbc1"));  // no OPTIONS yet
  sbc.connect_to_proxy(
      [&](sip::Transport& to_proxy) { sbc.send_request(sbc.options_request("sbc1.contoso.com"), to_proxy); });
  bed.simulation.run_until(1_s);
  REQUIRE(arrivals(sbc.responses) == Strings{"200@80ms"});
  CHECK(sbc.responses[0].message.header("Allow") == "INVITE, ACK, CANCEL, BYE, OPTIONS");
  CHECK(sbc.responses[0].message.contact(0).text() == "<sip:sip.pstnhub.microsoft.com:5061;transport=tls>");
  CHECK_FALSE(bed.proxy->sbc_demoted("sbc1"));
  // Received at 70 ms: still healthy 5 min later, demoted 1 ms after that.
  bed.simulation.run_until(300070_ms);
  CHECK_FALSE(bed.proxy->sbc_demoted("sbc1"));
  bed.simulation.run_until(300071_ms);
  CHECK(bed.proxy->sbc_demoted("sbc1"));
  // An OPTIONS whose Contact names an SBC the proxy does not know is refused.
  sbc.send_request(sbc.options_request("pbx.contoso.com"), *sbc.to_proxy);
  bed.simulation.run_until(301_s);
  CHECK(arrivals(sbc.responses).back() == "403@300091ms");
}

TEST_CASE("a re-INVITE from the SBC gets the media processor's unchanged answer") {
  ProxyBed bed;
  bed.start();
  place_inbound_call(bed, kAlice, "sbc1.contoso.com");
  const std::string moved_media =
      "v=0\r\no=- 1 2 IN IP4 203.0.113.99\r\ns=-\r\nc=IN IP4 203.0.113.99\r\nt=0 0\r\n"
      "m=audio 40002 RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n";
  bed.at(7_s, 0, [&] { bed.sbc().send_in_dialog(sip::Method::Invite, *bed.sbc().to_proxy, moved_media); });
  bed.simulation.run_until(8_s);
  const auto& responses = bed.sbc().responses;
  CHECK(arrivals(responses).back() == "200@7020ms");
  REQUIRE(responses.size() == 7);
  // facts §3.10: Microsoft does not follow media re-targeting; its side stays as answered.
  CHECK(responses.back().message.body() == responses[5].message.body());
  CHECK(responses.back().message.cseq().number == 2);
  CHECK(bed.client(1).calls_in_progress() == 1);
}

TEST_CASE("a busy datacenter answers 503 with Retry-After") {
  ProxyBed bed;
  bed.start();
  bed.proxy->set_busy(1);
  place_inbound_call(bed, kAlice, "sbc1.contoso.com");
  bed.simulation.run_until(1_s);
  REQUIRE(arrivals(bed.sbc().responses) == Strings{"503@80ms"});
  CHECK(bed.sbc().responses[0].message.header("Retry-After") == "1");
}
