// The Microsoft proxy delivering Teams users' calls to SBCs: DNS, the TLS connection pool, the
// 504 subcodes of every delivery failure, and trunk failover. Alice's desktop dials at 0; its
// PlaceCall reaches the proxy at 40 ms; a new connection costs DNS 20 ms, TCP 20 ms and TLS 40 ms,
// so the INVITE leaves at 120 ms and reaches the SBC at 130 ms. Failures reach the client 50 ms
// after the proxy decides.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/models/teams/proxy_test_bed.hpp"

using namespace proxy_test;
using Strings = std::vector<std::string>;

namespace {

constexpr const char* kLeg = "client:alice/desktop:1";

struct Dialled {
  RecordingListener listener;
};

void dial(ProxyBed& bed, Dialled& dialled, std::uint64_t reference = 1, sim::Time holding = 30_s) {
  bed.client(0).dial(bed.proxy->id(), reference, kPstnCaller, holding, &dialled.listener);
}

// The failure the client heard, as "sip ms phrase".
std::string failure_of(const Dialled& dialled) {
  REQUIRE(dialled.listener.failure.has_value());
  const client::ClientSignal& failure = *dialled.listener.failure;
  return std::to_string(failure.sip_code) + " " + std::to_string(failure.ms_code) + " " + failure.phrase;
}

}  // namespace

TEST_CASE("an outbound call opens TLS to the SBC FQDN and relays ringing answer and hang-up") {
  ProxyBed bed;
  bed.start();
  bed.sbc().answers = {{0_ms, 100}, {1_s, 180}, {3_s, 200}};
  Dialled dialled;
  dial(bed, dialled);
  bed.simulation.run_until(40_s);

  const auto& requests = bed.sbc().requests;
  CHECK(arrivals(requests) == Strings{"INVITE@130ms", "ACK@3150ms", "BYE@33240ms"});
  REQUIRE(requests.size() == 3);
  const sip::Message& invite = requests[0].message;
  CHECK(invite.request_uri().text() == "sip:+12065550100@sbc1.contoso.com:5061;user=phone");
  CHECK(invite.top_via().transport() == "TLS");
  CHECK(invite.top_via().host() == "sip.pstnhub.microsoft.com");
  CHECK(invite.contact(0).text() == "<sip:sip.pstnhub.microsoft.com:5061;transport=tls>");
  CHECK(invite.from().uri().user() == kAlice);
  CHECK(invite.body().find("c=IN IP4 52.114.76.76\r\n") != std::string::npos);  // the media processor's offer
  CHECK(requests[1].message.cseq().number == 1);
  CHECK(requests[2].message.call_id() == invite.call_id());
  // 180 at the proxy at 1.14 s, 200 at 3.14 s, each +50 ms to the client; hang-up 30 s later.
  CHECK(dialled.listener.events == Strings{"progress @1190ms", "answered @3190ms", "ended @33190ms"});
  CHECK(bed.proxy->outbound_calls_in_progress() == 0);
  CHECK(bed.observer.lines == Strings{std::string("datacenter ") + kLeg + " emea-ams",
                                      std::string("joined ") + kLeg + " " + std::string(invite.call_id()),
                                      std::string("ended ") + kLeg + " @33230ms"});
}

TEST_CASE("the SBC hanging up ends the Teams caller's call") {
  ProxyBed bed;
  bed.start();
  bed.sbc().answers = {{0_ms, 100}, {1_s, 200}};
  Dialled dialled;
  dial(bed, dialled);
  // The SBC sends its BYE on its own connection to the proxy (TLS up 60 ms after 5 s).
  bed.at(5_s, 0, [&] {
    bed.sbc().connect_to_proxy([&](sip::Transport& to_proxy) { bed.sbc().send_in_dialog(sip::Method::Bye, to_proxy); });
  });
  bed.simulation.run_until(10_s);
  CHECK(dialled.listener.events == Strings{"answered @1190ms", "ended @5120ms"});
  CHECK(arrivals(bed.sbc().responses) == Strings{"200@5080ms"});
  CHECK(bed.proxy->outbound_calls_in_progress() == 0);
  CHECK(bed.observer.lines.back() == std::string("ended ") + kLeg + " @5070ms");
}

TEST_CASE("with options_interval set the proxy pings every known SBC over its own connection") {
  ProxyBed bed;
  bed.settings.options_interval = 60_s;
  bed.start();
  bed.simulation.run_until(61_s);
  // At start: DNS, TCP and TLS (80 ms), then every 60 s on the same connection.
  const auto& requests = bed.sbc().requests;
  CHECK(arrivals(requests) == Strings{"OPTIONS@90ms", "OPTIONS@60010ms"});
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].message.request_uri().text() == "sip:sbc1.contoso.com:5061");
  CHECK(requests[0].message.contact(0).text() == "<sip:sip.pstnhub.microsoft.com:5061;transport=tls>");
  CHECK(requests[1].message.call_id() != requests[0].message.call_id());
}

TEST_CASE("a second call rides the pooled TLS connection") {
  ProxyBed bed;
  bed.start();
  bed.sbc().answers = {{0_ms, 100}, {1_s, 200}};
  Dialled first;
  Dialled second;
  dial(bed, first, 1, 5_s);
  bed.simulation.schedule_timer(20_s, bed.client(0).id(), [&] { dial(bed, second, 2, 5_s); }).release();
  bed.simulation.run_until(40_s);
  // No DNS, TCP or TLS for the second: PlaceCall at 20.04 s, INVITE at the SBC 10 ms later.
  CHECK(arrivals(bed.sbc().requests) ==
        Strings{"INVITE@130ms", "ACK@1150ms", "BYE@6240ms", "INVITE@20050ms", "ACK@21070ms", "BYE@26160ms"});
  CHECK(second.listener.events == Strings{"answered @21110ms", "ended @26110ms"});
}

TEST_CASE("an SBC FQDN that does not resolve fails the call with 504 and 569015") {
  ProxyBed bed;
  bed.zone.force("sbc1.contoso.com", dns::DnsOutcome::NxDomain);
  bed.start();
  Dialled dialled;
  dial(bed, dialled);
  bed.simulation.run_until(5_s);
  CHECK(dialled.listener.events == Strings{"failed @110ms"});
  CHECK(failure_of(dialled) == "504 569015 Unable to deliver INVITE: No such host is known");
  CHECK(bed.sbc().requests.empty());
  CHECK(bed.observer.lines.at(1) ==
        std::string("final ") + kLeg + " 504 569015 Unable to deliver INVITE: No such host is known @60ms");
}

TEST_CASE("an SBC FQDN without an address record fails with 569016") {
  ProxyBed bed;
  bed.zone.force("sbc1.contoso.com", dns::DnsOutcome::NoAddress);
  bed.start();
  Dialled dialled;
  dial(bed, dialled);
  bed.simulation.run_until(5_s);
  CHECK(
      failure_of(dialled) ==
      "504 569016 Unable to deliver INVITE: The requested name is valid, but no data of the requested type was found");
}

TEST_CASE("an expired SBC certificate fails the TLS handshake with 569008") {
  ProxyBed bed({{"sbc1", "sbc1.contoso.com", "203.0.113.10",
                 certificate("sbc1-cert", {"sbc1.contoso.com"}, "2026-05-01T00:00:00Z")}});
  bed.start();
  Dialled dialled;
  dial(bed, dialled);
  bed.simulation.run_until(5_s);
  // The proxy checks the SBC's certificate when the ServerHello arrives: 100 ms.
  CHECK(dialled.listener.events == Strings{"failed @150ms"});
  CHECK(failure_of(dialled) ==
        "504 569008 Unable to deliver INVITE: Outbound TLS negotiation failed. Remote certificate expired; "
        "HRESULT=0x80090328 SEC_E_CERT_EXPIRED");
  CHECK(bed.sbc().requests.empty());
}

TEST_CASE("other certificate faults give their own subcodes") {
  struct Case {
    net::Certificate certificate;
    std::string expected;
  };
  auto bad_signature = certificate("sbc1-cert", {"sbc1.contoso.com"});
  bad_signature.signature_valid = false;
  const std::vector<Case> cases{
      {certificate("sbc1-cert", {"sbc1.contoso.com"}, "2027-01-01T00:00:00Z", "Contoso Private CA"),
       "504 569009 Unable to deliver INVITE: Outbound TLS negotiation failed; HRESULT=0x80090325 SEC_E_UNTRUSTED_ROOT"},
      {certificate("sbc1-cert", {"sbc9.contoso.com"}),
       "504 569002 Unable to deliver INVITE: Outbound TLS negotiation failed; Wrong target principal name configured. "
       "HRESULT=0x80090322 CERT_E_WRONG_USAGE"},
      {bad_signature, "504 569002 Unable to deliver INVITE: Outbound TLS negotiation failed; HRESULT=0x80096004"},
  };
  for (const Case& tested : cases) {
    CAPTURE(tested.expected);
    ProxyBed bed({{"sbc1", "sbc1.contoso.com", "203.0.113.10", tested.certificate}});
    bed.start();
    Dialled dialled;
    dial(bed, dialled);
    bed.simulation.run_until(5_s);
    CHECK(failure_of(dialled) == tested.expected);
  }
}

TEST_CASE("an SBC host that refuses the connection fails the call with 569002 actively refused") {
  ProxyBed bed;
  bed.start();
  bed.network.set_host_refusing(bed.sbc_hosts[0], true);
  Dialled dialled;
  dial(bed, dialled);
  bed.simulation.run_until(5_s);
  // SYN at 60 ms, RST back at 80 ms.
  CHECK(dialled.listener.events == Strings{"failed @130ms"});
  CHECK(failure_of(dialled) ==
        "504 569002 Unable to deliver INVITE: No connection could be made because the target machine actively refused "
        "it");
}

TEST_CASE("an SBC host that is down fails the call with 569002 when the TCP connect gives up") {
  ProxyBed bed;
  bed.start();
  bed.network.set_host_down(bed.sbc_hosts[0], true);
  Dialled dialled;
  dial(bed, dialled);
  bed.simulation.run_until(100_s);
  // SYNs from 60 ms; Linux-like give-up 63 s later (tcp_transport.hpp).
  CHECK(dialled.listener.events == Strings{"failed @63110ms"});
  CHECK(failure_of(dialled).rfind("504 569002 Unable to deliver INVITE: A connection attempt failed", 0) == 0);
}

TEST_CASE("an SBC that only says Trying is cancelled at failover_time and the call ends 408 with 500001") {
  ProxyBed bed;
  bed.start();
  bed.sbc().answers = {{0_ms, 100}};
  Dialled dialled;
  dial(bed, dialled);
  bed.simulation.run_until(30_s);
  // The INVITE left at 120 ms; 10 s later the proxy gives up on the only SBC of the route.
  CHECK(dialled.listener.events == Strings{"failed @10170ms"});
  CHECK(failure_of(dialled) == "408 500001 Gateway (SBC) failover timer expired");
  CHECK(arrivals(bed.sbc().requests) == Strings{"INVITE@130ms", "CANCEL@10130ms"});
}

TEST_CASE("a 503 from the first SBC moves the call to the next SBC of the route") {
  ProxyBed bed({{"sbc1", "sbc1.contoso.com", "203.0.113.10", certificate("sbc1-cert", {"sbc1.contoso.com"})},
                {"sbc2", "sbc2.contoso.com", "203.0.113.20", certificate("sbc2-cert", {"sbc2.contoso.com"})}});
  bed.start();
  bed.sbc(0).answers = {{0_ms, 503}};
  bed.sbc(1).answers = {{0_ms, 100}, {1_s, 180}, {2_s, 200}};
  Dialled dialled;
  dial(bed, dialled);
  bed.simulation.run_until(10_s);
  // 503 back at 140 ms; sbc2 needs its own DNS, TCP and TLS: INVITE at 230 ms.
  CHECK(arrivals(bed.sbc(0).requests) == Strings{"INVITE@130ms"});  // its transaction absorbs the ACK of the 503
  CHECK(arrivals(bed.sbc(1).requests) == Strings{"INVITE@230ms", "ACK@2250ms"});
  CHECK(dialled.listener.events == Strings{"progress @1290ms", "answered @2290ms"});
  CHECK(bed.observer.lines.at(2) == std::string("failed over ") + kLeg + " @140ms");
}

TEST_CASE("a failover code after ringing ends the call with the SBC's code") {
  ProxyBed bed({{"sbc1", "sbc1.contoso.com", "203.0.113.10", certificate("sbc1-cert", {"sbc1.contoso.com"})},
                {"sbc2", "sbc2.contoso.com", "203.0.113.20", certificate("sbc2-cert", {"sbc2.contoso.com"})}});
  bed.start();
  bed.sbc(0).answers = {{0_ms, 180}, {1_s, 503}};
  Dialled dialled;
  dial(bed, dialled);
  bed.simulation.run_until(10_s);
  CHECK(failure_of(dialled) == "503 560503 Service Unavailable");
  CHECK(bed.sbc(1).requests.empty());  // no double ringing in the PSTN
}

TEST_CASE("a demoted SBC is tried after the one that sends OPTIONS") {
  ProxyBed bed({{"sbc1", "sbc1.contoso.com", "203.0.113.10", certificate("sbc1-cert", {"sbc1.contoso.com"})},
                {"sbc2", "sbc2.contoso.com", "203.0.113.20", certificate("sbc2-cert", {"sbc2.contoso.com"})}});
  bed.start();
  bed.sbc(1).answers = {{0_ms, 100}, {1_s, 200}};
  bed.sbc(1).connect_to_proxy([&](sip::Transport& to_proxy) {
    bed.sbc(1).send_request(bed.sbc(1).options_request("sbc2.contoso.com"), to_proxy);
  });
  Dialled dialled;
  bed.simulation.schedule_timer(1_s, bed.client(0).id(), [&] { dial(bed, dialled); }).release();
  bed.simulation.run_until(10_s);
  CHECK(bed.proxy->sbc_demoted("sbc1"));
  CHECK_FALSE(bed.proxy->sbc_demoted("sbc2"));
  CHECK(bed.sbc(0).requests.empty());
  // PlaceCall at 1.04 s; sbc2's DNS, TCP and TLS take 80 ms.
  CHECK(arrivals(bed.sbc(1).requests) == Strings{"INVITE@1130ms", "ACK@2150ms"});
  CHECK(dialled.listener.events.at(0) == "answered @2190ms");
}

TEST_CASE("an ACK that cannot reach the SBC's Contact fails the call with Unable to deliver ACK") {
  ProxyBed bed;
  bed.start();
  bed.sbc().answers = {{0_ms, 100}, {1_s, 200}};
  bed.sbc().answer_contact_host = "sbc1.fabrikam.com";  // no DNS record
  Dialled dialled;
  dial(bed, dialled);
  bed.simulation.run_until(5_s);
  // The 200 reaches the proxy at 1.14 s; the ACK's next hop is its Contact, which does not resolve.
  CHECK(dialled.listener.events == Strings{"failed @1210ms"});
  CHECK(failure_of(dialled) == "504 569015 Unable to deliver ACK: No such host is known");
  CHECK(bed.sbc().requests_named(sip::Method::Ack).empty());
}

TEST_CASE("a tenant without a voice route fails the call with 403 and 510559") {
  ProxyBed bed;
  bed.settings.voice_routes.clear();
  bed.start();
  Dialled dialled;
  dial(bed, dialled);
  bed.simulation.run_until(1_s);
  CHECK(dialled.listener.events == Strings{"failed @90ms"});
  CHECK(failure_of(dialled) == "403 510559 Get Outbound routing - No viable path");
}

TEST_CASE("a pooled connection the SBC dropped is found down with 549002 once and then reopened") {
  ProxyBed bed;
  bed.start();
  bed.sbc().answers = {{0_ms, 100}, {1_s, 200}};
  Dialled first;
  Dialled second;
  Dialled third;
  dial(bed, first, 1, 5_s);
  bed.simulation.schedule_timer(20_s, bed.sbc().id(), [&] { bed.tcp.disconnect_tls(bed.sbc_hosts[0]); }).release();
  bed.simulation.schedule_timer(30_s, bed.client(0).id(), [&] { dial(bed, second, 2, 5_s); }).release();
  bed.simulation.schedule_timer(40_s, bed.client(0).id(), [&] { dial(bed, third, 3, 5_s); }).release();
  bed.simulation.run_until(60_s);
  CHECK(second.listener.events == Strings{"failed @30090ms"});
  CHECK(failure_of(second) == "504 549002 Unable to deliver INVITE: TlsTransport is not connected, State=Disconnected");
  // The third reconnects (the DNS answer is still cached): TCP and TLS 60 ms, INVITE at 40.11 s.
  CHECK(arrivals(bed.sbc().requests) ==
        Strings{"INVITE@130ms", "ACK@1150ms", "BYE@6240ms", "INVITE@40110ms", "ACK@41130ms", "BYE@46220ms"});
  CHECK(third.listener.events == Strings{"answered @41170ms", "ended @46170ms"});
}

TEST_CASE("a TLS context that expired on the pooled connection fails the next call with 569002 590615") {
  ProxyBed bed;
  bed.start();
  bed.sbc().answers = {{0_ms, 100}, {1_s, 200}};
  Dialled first;
  Dialled second;
  dial(bed, first, 1, 5_s);
  bed.simulation
      .schedule_timer(20_s, bed.sbc().id(),
                      [&] {
                        // channel.hpp: the two ends of a connection differ in the lowest bit; the SBC accepted it.
                        for (const net::ConnectionEvent& event : bed.sbc().connection_events)
                          if (event.kind == net::ConnectionEventKind::Accepted)
                            bed.tcp.fail_tls(event.connection ^ 1, net::SchannelStatus::ContextExpired);
                      })
      .release();
  bed.simulation.schedule_timer(30_s, bed.client(0).id(), [&] { dial(bed, second, 2, 5_s); }).release();
  bed.simulation.run_until(40_s);
  CHECK(failure_of(second) == "504 569002 Unable to deliver INVITE: TLS decryption failed; HRESULT=590615");
}

TEST_CASE("an unparsable first answer on a new connection fails with 569018") {
  ProxyBed bed;
  bed.start();
  bed.sbc().raw_answer = "SIP/2.0 200 OK garbage without headers\r\n\r\n";
  Dialled dialled;
  dial(bed, dialled);
  bed.simulation.run_until(5_s);
  CHECK(dialled.listener.events == Strings{"failed @190ms"});
  CHECK(failure_of(dialled) == "504 569018 Unable to deliver INVITE: Invalid request/response");
}

TEST_CASE("an answer without SIP/2.0 fails with 549002") {
  ProxyBed bed;
  bed.start();
  bed.sbc().raw_answer = "SIP/3.0 180 Ringing\r\nContent-Length: 0\r\n\r\n";
  Dialled dialled;
  dial(bed, dialled);
  bed.simulation.run_until(5_s);
  CHECK(failure_of(dialled) == "504 549002 Unable to deliver INVITE: Invalid request/response");
}
