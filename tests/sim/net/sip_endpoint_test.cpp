#include "sim/net/sip_endpoint.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/sip/parser.hpp"
#include "tests/sim/net/net_test_bed.hpp"

using namespace net_test;

namespace {

// A SIP element as the models build one: an actor with a transaction layer and an endpoint,
// whose core answers every request 200 and logs what it hears.
class SipElement final : public sim::Actor, public sip::SipCore, public net::SipEndpointEvents {
 public:
  SipElement(sim::ActorContext context, std::vector<std::string>& log) : sim::Actor(std::move(context)), log_(log) {}

  void attach(net::UdpTransport& udp, net::TcpTransport& tcp, net::HostId host) {
    layer = std::make_unique<sip::TransactionLayer>(simulation(), id(), name(), sip::TimerValues{}, *this);
    endpoint = std::make_unique<net::SipEndpoint>(udp, tcp, host, *layer, *this);
  }
  void on_receive(const sim::Delivery& delivery) override { endpoint->receive(delivery); }

  void on_request(const sip::TransactionKey& key, const sip::Message& request, sip::Transport& flow) override {
    note("request " + std::string(request.method_text()));
    if (on_request_flow) on_request_flow(flow);
    if (request.method() != sip::Method::Ack) layer->respond(key, sip::make_response(request, 200, "OK", "uas-tag"));
  }
  void on_response(const sip::TransactionKey&, const sip::Message& response) override {
    note("response " + std::to_string(response.status_code()));
  }
  void on_timeout(const sip::TransactionKey&, sip::TimerName) override { note("timeout"); }
  void on_transport_error(const sip::TransactionKey&) override { note("transport error"); }
  void on_connection_event(const net::ConnectionEvent& event) override {
    note(Recorder::kind_name(event.kind));
    if (on_event) on_event(event);
  }
  void on_malformed_message(std::uint64_t, const sip::ParseError& error) override {
    note("malformed at " + std::to_string(error.line) + ":" + std::to_string(error.column));
  }

  void send_options(sip::Transport& flow, std::string_view transport) {
    std::string text =
        "OPTIONS sip:sip.pstnhub.microsoft.com:5061 SIP/2.0\r\n"
        "Via: SIP/2.0/" + std::string(transport) + " sbc1.contoso.com:5061;branch=" + layer->new_branch() + "\r\n"
        "Max-Forwards: 70\r\nFrom: <sip:sbc1.contoso.com>;tag=o1\r\nTo: <sip:sip.pstnhub.microsoft.com>\r\n"
        "Call-ID: options-1@sbc1.contoso.com\r\nCSeq: 1 OPTIONS\r\n"
        "Contact: <sip:sbc1.contoso.com:5061;transport=tls>\r\nContent-Length: 0\r\n\r\n";
    layer->send_request(sip::parse_message(text).value(), flow);
  }

  std::unique_ptr<sip::TransactionLayer> layer;
  std::unique_ptr<net::SipEndpoint> endpoint;
  std::function<void(const net::ConnectionEvent&)> on_event;
  std::function<void(sip::Transport&)> on_request_flow;

 private:
  void note(const std::string& what) { log_.push_back(name() + " " + what + " @" + sim::format_duration(now())); }
  std::vector<std::string>& log_;
};

struct SipBed {
  explicit SipBed(sim::UtcTime epoch = {})
      : sbc(simulation.add_actor<SipElement>("sbc1", log)),
        proxy(simulation.add_actor<SipElement>("proxy-ams", log)),
        network(simulation, three_site_topology(), epoch),
        udp(network),
        tcp(network) {
    sbc_host = network.add_host({"sbc1", "contoso-hq", {*net::IpAddress::parse("203.0.113.10")}, sbc.id()}).value();
    proxy_host = network.add_host({"proxy-ams", "ms-emea", {*net::IpAddress::parse("52.114.76.76")}, proxy.id()}).value();
    sbc.attach(udp, tcp, sbc_host);
    proxy.attach(udp, tcp, proxy_host);
  }
  std::vector<std::string> log;
  sim::Simulation simulation{1};
  SipElement& sbc;
  SipElement& proxy;
  net::Network network;
  net::UdpTransport udp;
  net::TcpTransport tcp;
  net::HostId sbc_host = 0;
  net::HostId proxy_host = 0;
};

}  // namespace

TEST_CASE("an OPTIONS over UDP is answered on the flow it came on") {
  SipBed bed;
  bed.sbc.endpoint->listen_udp(kSbcSip);
  bed.proxy.endpoint->listen_udp(kProxySip);
  bed.sbc.send_options(bed.sbc.endpoint->datagram_flow(kSbcSip, kProxySip), "UDP");
  bed.simulation.run_until(1_s);
  // 12 ms each way over the two-hop route.
  CHECK(bed.log == std::vector<std::string>{"proxy-ams request OPTIONS @12ms", "sbc1 response 200 @24ms"});
}

TEST_CASE("an OPTIONS over TLS goes once the handshake is done and is framed on the stream") {
  SipBed bed(*sim::parse_rfc3339_utc("2026-12-31T23:30:00Z"));
  const std::vector<net::CertificateAuthority> authorities{{std::string(net::kDigiCertGlobalRootG2), true, ""}};
  const net::TrustStore trust = net::TrustStore::microsoft(authorities);
  const net::Certificate proxy_certificate{"proxy-cert", "sip.pstnhub.microsoft.com", {"sip.pstnhub.microsoft.com"},
                                           std::string(net::kDigiCertGlobalRootG2),
                                           *sim::parse_rfc3339_utc("2026-01-01T00:00:00Z"),
                                           *sim::parse_rfc3339_utc("2027-01-01T00:00:00Z"), {}, true};
  bed.proxy.endpoint->listen_stream(kProxySip, net::TlsServerSettings{&proxy_certificate, false, nullptr});
  const auto connection = bed.sbc.endpoint->connect(
      kProxySip, {std::nullopt, net::TlsClientSettings{"sip.pstnhub.microsoft.com", &trust, nullptr}});
  REQUIRE(connection);
  bed.sbc.on_event = [&](const net::ConnectionEvent& event) {
    if (event.kind == net::ConnectionEventKind::TlsEstablished)
      bed.sbc.send_options(bed.sbc.endpoint->stream_flow(event.connection), "TLS");
  };
  bed.simulation.run_until(1_s);
  // TCP connected at 24 ms, TLS 1.2 established two round trips later (72 ms).
  CHECK(bed.log == std::vector<std::string>{"sbc1 connected @24ms", "proxy-ams accepted @36ms",
                                            "proxy-ams tls established @60ms", "sbc1 tls established @72ms",
                                            "proxy-ams request OPTIONS @84ms", "sbc1 response 200 @96ms"});
  CHECK(bed.sbc.endpoint->connection_usable(*connection));
  CHECK(bed.sbc.endpoint->connection_of(bed.sbc.endpoint->stream_flow(*connection)) == connection);
}

TEST_CASE("bytes that are not SIP on a stream reset the connection and fail its transactions") {
  SipBed bed;
  bed.proxy.endpoint->listen_stream(kProxySip);
  const auto connection = bed.sbc.endpoint->connect(kProxySip);
  REQUIRE(connection);
  bed.sbc.on_event = [&](const net::ConnectionEvent& event) {
    if (event.kind != net::ConnectionEventKind::Connected) return;
    bed.tcp.send(event.connection, "SIP/2.0 200 OK garbage without headers\r\n\r\n");
    bed.sbc.send_options(bed.sbc.endpoint->stream_flow(event.connection), "TCP");
  };
  bed.simulation.run_until(1_s);
  CHECK(bed.log == std::vector<std::string>{"sbc1 connected @24ms", "proxy-ams accepted @36ms",
                                            "proxy-ams malformed at 1:1 @36ms", "sbc1 transport error @48ms",
                                            "sbc1 reset @48ms"});
  CHECK_FALSE(bed.sbc.endpoint->connection_usable(*connection));
}

TEST_CASE("datagrams from several sources are each answered towards their own source") {
  // The endpoint remembers the answer flow per arrival channel; every request, first or
  // repeated, must be answered towards the socket it came from.
  SipBed bed;
  const net::SocketAddress second_port{kSbcSip.ip, 5070};
  bed.sbc.endpoint->listen_udp(kSbcSip);
  bed.sbc.endpoint->listen_udp(second_port);
  bed.proxy.endpoint->listen_udp(kProxySip);
  std::vector<std::uint16_t> answered_to;
  bed.proxy.on_request_flow = [&](sip::Transport& flow) {
    const auto channel = bed.proxy.endpoint->datagram_channel_of(flow);
    REQUIRE(channel.has_value());
    CHECK(bed.udp.flow(*channel).source == kProxySip);
    answered_to.push_back(bed.udp.flow(*channel).destination.port);
  };
  for (const net::SocketAddress& from : {kSbcSip, second_port, kSbcSip, second_port}) {
    bed.sbc.send_options(bed.sbc.endpoint->datagram_flow(from, kProxySip), "UDP");
    bed.simulation.run_until(bed.simulation.now() + 1_s);
  }
  CHECK(answered_to == std::vector<std::uint16_t>{kSbcSip.port, 5070, kSbcSip.port, 5070});
  CHECK(std::count(bed.log.begin(), bed.log.end(), "sbc1 response 200 @24ms") == 1);
  CHECK(bed.log.size() == 8);
}
