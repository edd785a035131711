#include "sim/net/sip_transports.hpp"

#include <doctest/doctest.h>

#include <string>

#include "sim/sip/parser.hpp"
#include "sim/sip/serializer.hpp"
#include "tests/sim/net/net_test_bed.hpp"

using namespace net_test;

namespace {

// Compact header names on input: the network carries the canonical serialization.
constexpr const char* kOptions =
    "OPTIONS sip:sip.pstnhub.microsoft.com:5061;transport=tls SIP/2.0\r\n"
    "v: SIP/2.0/TLS sbc1.contoso.com:5061;branch=z9hG4bK-74bf9\r\n"
    "Max-Forwards: 70\r\n"
    "f: <sip:sbc1.contoso.com:5061>;tag=opt-7d3f\r\n"
    "t: <sip:sip.pstnhub.microsoft.com:5061>\r\n"
    "i: 5f2c8e1a@sbc1.contoso.com\r\n"
    "CSeq: 4711 OPTIONS\r\n"
    "m: <sip:sbc1.contoso.com:5061;transport=tls>\r\n"
    "l: 0\r\n"
    "\r\n";

sip::Message options() {
  auto message = sip::parse_message(kOptions);
  REQUIRE(message.ok());
  return std::move(message).value();
}

}  // namespace

TEST_CASE("SIP over UDP sends each message serialized in one datagram") {
  TestBed bed;
  net::UdpTransport udp(bed.network);
  const auto carrier = socket_address("52.114.76.76", 5060);
  udp.bind(carrier);
  net::DatagramSipTransport flow(udp, socket_address("203.0.113.10", 5060), carrier);
  CHECK_FALSE(flow.reliable());
  const sip::Message message = options();
  flow.send(message);
  bed.simulation.run();
  REQUIRE(bed.proxy.received.size() == 1);
  CHECK(bed.proxy.received[0].at == 12_ms);
  CHECK(bed.proxy.received[0].channel == flow.channel());
  CHECK(bed.proxy.received[0].payload == sip::serialize(message));
  CHECK(bed.proxy.received[0].payload.rfind("Via: SIP/2.0/TLS", 100) != std::string::npos);  // long form
}

TEST_CASE("SIP over TLS sends on the connection once the handshake is done") {
  TestBed bed(1, {}, *sim::parse_rfc3339_utc("2026-12-31T23:30:00Z"));
  const std::vector<net::CertificateAuthority> authorities{{std::string(net::kDigiCertGlobalRootG2), true, ""}};
  const net::TrustStore trust = net::TrustStore::microsoft(authorities);
  const net::Certificate proxy_certificate{"proxy-cert", "sip.pstnhub.microsoft.com", {"sip.pstnhub.microsoft.com"},
                                           std::string(net::kDigiCertGlobalRootG2),
                                           *sim::parse_rfc3339_utc("2026-01-01T00:00:00Z"),
                                           *sim::parse_rfc3339_utc("2027-01-01T00:00:00Z"), {}, true};
  net::TcpTransport tcp(bed.network);
  tcp.listen(kProxySip, bed.proxy, net::TlsServerSettings{&proxy_certificate, false, nullptr});
  const auto client = tcp.connect(bed.sbc_host, kProxySip, bed.sbc,
                                  {std::nullopt, net::TlsClientSettings{"sip.pstnhub.microsoft.com", &trust, nullptr}});
  REQUIRE(client);
  net::StreamSipTransport flow(tcp, *client);
  CHECK(flow.reliable());
  const sip::Message message = options();
  flow.send(message);  // before the handshake: dropped, the owner waits for TlsEstablished
  bed.sbc.react = [&](const net::ConnectionEvent& event) {
    if (event.kind == net::ConnectionEventKind::TlsEstablished) flow.send(message);
  };
  bed.simulation.run();
  REQUIRE(bed.proxy.received.size() == 1);
  CHECK(bed.proxy.received[0].at == 84_ms);  // established at 72 ms, plus one way
  const auto parsed = sip::parse_message(bed.proxy.received[0].payload, sip::Framing::Stream);
  REQUIRE(parsed.ok());
  CHECK(sip::serialize(parsed.value()) == sip::serialize(message));
}
