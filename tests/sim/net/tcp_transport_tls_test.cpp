#include <doctest/doctest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/net/certificate.hpp"
#include "sim/net/tcp_transport.hpp"
#include "tests/sim/net/net_test_bed.hpp"

using namespace net_test;
using net::ConnectionEventKind;
using net::SchannelStatus;
using Log = std::vector<std::string>;

namespace {

sim::UtcTime utc(const char* text) { return sim::parse_rfc3339_utc(text).value(); }

const sim::UtcTime kEpoch = utc("2026-12-31T23:30:00Z");  // simulated time zero
constexpr const char* kProxyFqdn = "sip.pstnhub.microsoft.com";
constexpr const char* kSbcFqdn = "sbc1.contoso.com";

net::Certificate certificate(const char* name, const char* host, std::string issuer = std::string(net::kDigiCertGlobalRootG2)) {
  return {name, host, {host}, std::move(issuer), utc("2026-01-01T00:00:00Z"), utc("2027-01-01T00:00:00Z"), {}, true};
}

// Both sides of Direct Routing's mutual TLS: the proxy trusts the topology's Microsoft-program
// CAs, the SBC trusts the roots Microsoft's own certificates chain to.
struct Pki {
  std::vector<net::CertificateAuthority> authorities{{std::string(net::kDigiCertGlobalRootG2), true, ""},
                                                     {"Contoso Private CA", false, ""}};
  net::TrustStore proxy_trust = net::TrustStore::microsoft(authorities);
  net::TrustStore sbc_trust = net::TrustStore::microsoft_roots();
  net::Certificate proxy_certificate = certificate("proxy-cert", kProxyFqdn);
  net::Certificate sbc_certificate = certificate("sbc1-cert", kSbcFqdn);

  net::TlsServerSettings proxy_server() const { return {&proxy_certificate, true, &proxy_trust}; }
  net::TlsServerSettings sbc_server() const { return {&sbc_certificate, false, nullptr}; }
  net::ConnectOptions sbc_client() const { return {std::nullopt, net::TlsClientSettings{kProxyFqdn, &sbc_trust, &sbc_certificate}}; }
  net::ConnectOptions proxy_client(const char* dialled = kSbcFqdn) const {
    return {std::nullopt, net::TlsClientSettings{dialled, &proxy_trust, &proxy_certificate}};
  }
};

const net::SocketAddress kSbcTls = socket_address("203.0.113.10", 5061);

std::uint32_t code(SchannelStatus status) { return static_cast<std::uint32_t>(status); }

}  // namespace

TEST_CASE("TLS 1.2 is established two round trips after TCP connects") {
  TestBed bed(1, {}, kEpoch);
  Pki pki;
  net::TcpTransport tcp(bed.network);
  tcp.listen(kProxySip, bed.proxy, pki.proxy_server());
  bed.sbc.react = [&](const net::ConnectionEvent& event) {
    if (event.kind == ConnectionEventKind::Connected) CHECK_FALSE(tcp.send(event.connection, "before TLS"));
    if (event.kind == ConnectionEventKind::TlsEstablished) CHECK(tcp.send(event.connection, "OPTIONS"));
  };
  const auto client = tcp.connect(bed.sbc_host, kProxySip, bed.sbc, pki.sbc_client());
  bed.simulation.run();
  // Connected at 1 RTT (24 ms); ServerHello flight at 48 ms; the client's Certificate and
  // Finished reach the proxy at 60 ms; the proxy's Finished reaches the SBC at 72 ms.
  CHECK(bed.log == Log{"sbc1 connected @24ms", "proxy-ams accepted @36ms", "proxy-ams tls established @60ms",
                       "sbc1 tls established @72ms", "proxy-ams got OPTIONS @84ms"});
  CHECK(tcp.connection(*client).tls == net::TlsState::Established);
  CHECK(bed.packets.sent(net::PacketKind::TlsHandshake) == std::vector<sim::Time>{24_ms, 36_ms, 48_ms, 60_ms});
}

TEST_CASE("the TLS handshake takes the configured number of round trips") {
  struct Expected {
    std::uint32_t round_trips;
    Log log;
  };
  const std::vector<Expected> table{
      {1, {"sbc1 connected @24ms", "proxy-ams accepted @36ms", "sbc1 tls established @48ms", "proxy-ams tls established @60ms"}},
      {3, {"sbc1 connected @24ms", "proxy-ams accepted @36ms", "proxy-ams tls established @84ms", "sbc1 tls established @96ms"}},
  };
  for (const Expected& expected : table) {
    CAPTURE(expected.round_trips);
    TestBed bed(1, {}, kEpoch);
    Pki pki;
    net::TcpSettings settings;
    settings.tls.handshake_round_trips = expected.round_trips;
    net::TcpTransport tcp(bed.network, settings);
    tcp.listen(kProxySip, bed.proxy, pki.proxy_server());
    tcp.connect(bed.sbc_host, kProxySip, bed.sbc, pki.sbc_client());
    bed.simulation.run();
    CHECK(bed.log == expected.log);
  }
}

TEST_CASE("a TLS 1.2-only host holds a TLS 1.3 peer to two round trips") {
  TestBed bed(1, {}, kEpoch);
  Pki pki;
  net::TcpSettings tls13;
  tls13.tls.handshake_round_trips = 1;
  net::TcpTransport tcp(bed.network, tls13);
  net::TcpSettings tls12;
  tls12.tls.handshake_round_trips = 2;
  tcp.set_host_settings(bed.proxy_host, tls12);
  tcp.listen(kProxySip, bed.proxy, pki.proxy_server());
  tcp.connect(bed.sbc_host, kProxySip, bed.sbc, pki.sbc_client());
  bed.simulation.run();
  CHECK(bed.log == Log{"sbc1 connected @24ms", "proxy-ams accepted @36ms", "proxy-ams tls established @60ms",
                       "sbc1 tls established @72ms"});
}

TEST_CASE("each SBC certificate fault gives the Microsoft proxy its Schannel status") {
  struct Fault {
    const char* name;
    std::function<void(net::Certificate&)> apply;
    const char* dialled;
    std::uint32_t status;
  };
  const std::vector<Fault> faults{
      {"certificate_expired", [](net::Certificate& c) { c.not_after = utc("2026-12-31T00:00:00Z"); }, kSbcFqdn, 0x80090328},
      {"certificate_untrusted_root", [](net::Certificate& c) { c.issuer = "Contoso Private CA"; }, kSbcFqdn, 0x80090325},
      {"certificate_name_mismatch", [](net::Certificate&) {}, "sbc2.contoso.com", 0x80090322},
      {"certificate_bad_signature", [](net::Certificate& c) { c.signature_valid = false; }, kSbcFqdn, 0x80096004},
  };
  for (const Fault& fault : faults) {
    CAPTURE(fault.name);
    TestBed bed(1, {}, kEpoch);
    Pki pki;
    fault.apply(pki.sbc_certificate);
    net::TcpTransport tcp(bed.network);
    tcp.listen(kSbcTls, bed.sbc, pki.sbc_server());
    const auto client = tcp.connect(bed.proxy_host, kSbcTls, bed.proxy, pki.proxy_client(fault.dialled));
    bed.simulation.run();
    // The proxy checks the SBC's certificate when the ServerHello flight arrives, then alerts;
    // the SBC hears the alert half a round trip later.
    CHECK(bed.log == Log{"proxy-ams connected @24ms", "sbc1 accepted @36ms", "proxy-ams tls failed @48ms", "sbc1 tls failed @60ms"});
    REQUIRE(bed.proxy.events.size() == 2);
    CHECK(code(bed.proxy.events[1].event.tls_status) == fault.status);
    REQUIRE(bed.sbc.events.size() == 2);
    CHECK(code(bed.sbc.events[1].event.tls_status) == 0x80090326);  // SEC_E_ILLEGAL_MESSAGE
    CHECK(tcp.connection(*client).state == net::ConnectionState::Closed);
    CHECK_FALSE(tcp.connection(bed.sbc.events[0].event.connection).can_send);
  }
}

TEST_CASE("a certificate fault counts from the next handshake on") {
  TestBed bed(1, {}, kEpoch);
  Pki pki;
  net::TcpTransport tcp(bed.network);
  tcp.listen(kSbcTls, bed.sbc, pki.sbc_server());
  tcp.connect(bed.proxy_host, kSbcTls, bed.proxy, pki.proxy_client());
  bed.proxy.at(1_s, [&] {
    pki.sbc_certificate.not_after = utc("2026-12-31T23:30:00Z");  // expired a second ago
    tcp.connect(bed.proxy_host, kSbcTls, bed.proxy, pki.proxy_client());
  });
  bed.simulation.run();
  REQUIRE(bed.proxy.events.size() == 4);
  CHECK(bed.proxy.events[1].event.kind == ConnectionEventKind::TlsEstablished);  // the first stays up
  CHECK(bed.proxy.events[3].event.kind == ConnectionEventKind::TlsFailed);
  CHECK(bed.proxy.events[3].at == 1_s + 48_ms);
  CHECK(code(bed.proxy.events[3].event.tls_status) == 0x80090328);  // SEC_E_CERT_EXPIRED
}

TEST_CASE("an established session keeps the certificates its handshake validated") {
  // A user's review of name-mismatch: the proxy answered 403 to an OPTIONS on a connection
  // opened with the valid certificate, the instant the fault changed the store.
  TestBed bed(1, {}, kEpoch);
  Pki pki;
  net::TcpTransport tcp(bed.network);
  tcp.listen(kProxySip, bed.proxy, pki.proxy_server());
  const auto client = tcp.connect(bed.sbc_host, kProxySip, bed.sbc, pki.sbc_client());
  bed.simulation.run();
  REQUIRE(bed.proxy.events.size() == 2);
  const net::ConnectionId accepted = bed.proxy.events[1].event.connection;
  pki.sbc_certificate.subject_cn = "other.example.com";  // certificate_name_mismatch
  pki.sbc_certificate.san = {"other.example.com"};
  pki.proxy_certificate.subject_cn = "other.example.com";
  const net::Certificate* seen_by_proxy = tcp.peer_certificate(accepted);
  const net::Certificate* seen_by_sbc = tcp.peer_certificate(*client);
  REQUIRE(seen_by_proxy != nullptr);
  REQUIRE(seen_by_sbc != nullptr);
  CHECK(seen_by_proxy->subject_cn == kSbcFqdn);
  CHECK(net::certificate_matches_host(*seen_by_proxy, kSbcFqdn));
  CHECK(seen_by_sbc->subject_cn == kProxyFqdn);
}

TEST_CASE("the proxy rejects an SBC client certificate it does not trust") {
  TestBed bed(1, {}, kEpoch);
  Pki pki;
  pki.sbc_certificate.issuer = "Contoso Private CA";
  net::TcpTransport tcp(bed.network);
  tcp.listen(kProxySip, bed.proxy, pki.proxy_server());
  tcp.connect(bed.sbc_host, kProxySip, bed.sbc, pki.sbc_client());
  bed.simulation.run();
  // Mutual TLS: the proxy validates the SBC's certificate when the client's final flight arrives.
  CHECK(bed.log == Log{"sbc1 connected @24ms", "proxy-ams accepted @36ms", "proxy-ams tls failed @60ms", "sbc1 tls failed @72ms"});
  CHECK(code(bed.proxy.events.at(1).event.tls_status) == 0x80090325);  // SEC_E_UNTRUSTED_ROOT
  CHECK(code(bed.sbc.events.at(1).event.tls_status) == 0x80090326);
}

TEST_CASE("an SBC that answers the ClientHello with garbage fails the proxy's handshake") {
  TestBed bed(1, {}, kEpoch);
  Pki pki;
  net::TcpTransport tcp(bed.network);
  tcp.listen(kSbcTls, bed.sbc, pki.sbc_server());
  tcp.set_tls_illegal_message(bed.sbc_host, true);  // fault tls_illegal_message
  tcp.connect(bed.proxy_host, kSbcTls, bed.proxy, pki.proxy_client());
  bed.simulation.run();
  CHECK(bed.log == Log{"proxy-ams connected @24ms", "sbc1 accepted @36ms", "proxy-ams tls failed @48ms", "sbc1 tls failed @60ms"});
  CHECK(code(bed.proxy.events.at(1).event.tls_status) == 0x80090326);
}

TEST_CASE("tearing down an SBC's TLS connections resets both ends") {
  TestBed bed(1, {}, kEpoch);
  Pki pki;
  net::TcpTransport tcp(bed.network);
  tcp.listen(kProxySip, bed.proxy, pki.proxy_server());
  const auto client = tcp.connect(bed.sbc_host, kProxySip, bed.sbc, pki.sbc_client());
  bed.sbc.at(1_s, [&] { tcp.disconnect_tls(bed.sbc_host); });  // fault sbc_tls_disconnected
  bed.simulation.run();
  CHECK(bed.log == Log{"sbc1 connected @24ms", "proxy-ams accepted @36ms", "proxy-ams tls established @60ms",
                       "sbc1 tls established @72ms", "sbc1 reset @1s", "proxy-ams reset @1012ms"});
  CHECK_FALSE(tcp.connection(*client).can_send);
}

TEST_CASE("a TLS context that expires is reported at that end and alerts the peer") {
  TestBed bed(1, {}, kEpoch);
  Pki pki;
  net::TcpTransport tcp(bed.network);
  tcp.listen(kProxySip, bed.proxy, pki.proxy_server());
  tcp.connect(bed.sbc_host, kProxySip, bed.sbc, pki.sbc_client());
  bed.proxy.at(1_s, [&] { tcp.fail_tls(bed.proxy.events.at(0).event.connection, SchannelStatus::ContextExpired); });
  bed.simulation.run();
  REQUIRE(bed.proxy.events.size() == 3);
  CHECK(bed.proxy.events[2].at == 1_s);
  CHECK(code(bed.proxy.events[2].event.tls_status) == 590615);  // SEC_I_CONTEXT_EXPIRED
  REQUIRE(bed.sbc.events.size() == 3);
  CHECK(bed.sbc.events[2].at == 1_s + 12_ms);
  CHECK(bed.sbc.events[2].event.kind == ConnectionEventKind::TlsFailed);
}

TEST_CASE("expiring a host's TLS contexts fails its established connections at the peer's end") {
  TestBed bed(1, {}, kEpoch);
  Pki pki;
  net::TcpTransport tcp(bed.network);
  tcp.listen(kProxySip, bed.proxy, pki.proxy_server());
  tcp.connect(bed.sbc_host, kProxySip, bed.sbc, pki.sbc_client());
  bed.sbc.at(1_s, [&] { tcp.expire_tls_contexts(bed.sbc_host); });
  bed.simulation.run();
  REQUIRE(bed.proxy.events.size() == 3);
  CHECK(bed.proxy.events[2].at == 1_s);
  CHECK(code(bed.proxy.events[2].event.tls_status) == 590615);  // SEC_I_CONTEXT_EXPIRED
  REQUIRE(bed.sbc.events.size() == 3);
  CHECK(bed.sbc.events[2].at == 1_s + 12_ms);  // the alert's one-way trip
  CHECK(bed.sbc.events[2].event.kind == ConnectionEventKind::TlsFailed);
}

TEST_CASE("a plain TCP client at a TLS listener fails the server's handshake") {
  TestBed bed(1, {}, kEpoch);
  Pki pki;
  net::TcpTransport tcp(bed.network);
  tcp.listen(kProxySip, bed.proxy, pki.proxy_server());
  bed.sbc.react = [&](const net::ConnectionEvent& event) {
    if (event.kind == ConnectionEventKind::Connected) CHECK(tcp.send(event.connection, "OPTIONS"));
  };
  tcp.connect(bed.sbc_host, kProxySip, bed.sbc);
  bed.simulation.run();
  CHECK(bed.log == Log{"sbc1 connected @24ms", "proxy-ams accepted @36ms", "proxy-ams tls failed @36ms", "sbc1 reset @48ms"});
  CHECK(bed.proxy.received.empty());
}
