#include "sim/net/tcp_transport.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "tests/sim/net/net_test_bed.hpp"

using namespace net_test;
using net::ConnectionEventKind;
using Log = std::vector<std::string>;

namespace {

// Sends `bytes` on every connection the recorder hears Connected on.
void send_when_connected(Recorder& recorder, net::TcpTransport& tcp, std::string bytes) {
  recorder.react = [&tcp, bytes](const net::ConnectionEvent& event) {
    if (event.kind == ConnectionEventKind::Connected) CHECK(tcp.send(event.connection, bytes));
  };
}

// Lets a packet through unless it is inbound to `port` and the verdict says otherwise.
struct PortFilter final : net::PacketFilter {
  explicit PortFilter(std::uint16_t blocked_port) : port(blocked_port) {}
  net::FilterVerdict inspect(const net::PacketDescription& packet) const override {
    return packet.inbound && packet.destination.port == port ? verdict : net::FilterVerdict::Allow;
  }
  std::uint16_t port;
  net::FilterVerdict verdict = net::FilterVerdict::Allow;
};

}  // namespace

TEST_CASE("connect then send: bytes arrive one round trip plus one way after the SYN") {
  TestBed bed;
  net::TcpTransport tcp(bed.network);
  tcp.listen(kProxySip, bed.proxy);
  send_when_connected(bed.sbc, tcp, "OPTIONS");
  const auto client = tcp.connect(bed.sbc_host, kProxySip, bed.sbc);
  REQUIRE(client);
  CHECK_FALSE(tcp.send(*client, "too early"));
  bed.simulation.run();

  // SYN 0 → SYN-ACK 24 ms (Connected) → ACK and data arrive together at 36 ms, ACK first.
  CHECK(bed.log == Log{"sbc1 connected @24ms", "proxy-ams accepted @36ms", "proxy-ams got OPTIONS @36ms"});
  REQUIRE(bed.proxy.received.size() == 1);
  const auto& received = bed.proxy.received[0];
  CHECK(received.source == bed.sbc.id());
  CHECK(received.channel == bed.proxy.events[0].event.connection);  // the accepted end
  const net::ConnectionInfo server = tcp.connection(received.channel);
  CHECK(server.local == kProxySip);
  CHECK(server.remote == socket_address("203.0.113.10", 49152));  // the first ephemeral port
  CHECK(server.state == net::ConnectionState::Established);
  CHECK(server.can_send);
  CHECK(tcp.connection(*client).remote == kProxySip);
  // RTO = max(200 ms, 3 × 24 ms).
  CHECK(tcp.connection(*client).retransmission_timeout == 200_ms);
}

TEST_CASE("a connect nobody listens for is refused after exactly one round trip") {
  TestBed bed;
  net::TcpTransport tcp(bed.network);
  const auto first = tcp.connect(bed.sbc_host, kProxySip, bed.sbc);  // no listener yet
  bed.sbc.at(1_s, [&] {
    tcp.listen(kProxySip, bed.proxy);
    bed.network.set_host_refusing(bed.proxy_host, true);  // fault sbc_refuses
    tcp.connect(bed.sbc_host, kProxySip, bed.sbc);
  });
  bed.sbc.at(2_s, [&] {
    bed.network.set_host_refusing(bed.proxy_host, false);
    tcp.connect(bed.sbc_host, kProxySip, bed.sbc);
  });
  bed.simulation.run();
  CHECK(bed.log == Log{"sbc1 refused @24ms", "sbc1 refused @1024ms", "sbc1 connected @2024ms", "proxy-ams accepted @2036ms"});
  CHECK(tcp.connection(*first).state == net::ConnectionState::Closed);
  CHECK(bed.packets.sent(net::PacketKind::Syn) == std::vector<sim::Time>{0_s, 1_s, 2_s});  // no SYN repeated
}

TEST_CASE("a firewall that rejects refuses after one round trip and one that drops makes the connect time out") {
  TestBed bed;
  PortFilter firewall(5061);
  auto guarded = bed.network.add_host({"sbc2", "ms-emea", {*net::IpAddress::parse("198.51.100.8")}, bed.proxy.id(), &firewall});
  REQUIRE(guarded.ok());
  const auto guarded_sip = socket_address("198.51.100.8", 5061);
  net::TcpSettings settings;
  settings.syn_waits = {3_s, 6_s};  // a shorter schedule than Linux's
  net::TcpTransport tcp(bed.network, settings);
  tcp.listen(guarded_sip, bed.proxy);
  firewall.verdict = net::FilterVerdict::Reject;
  tcp.connect(bed.sbc_host, guarded_sip, bed.sbc);
  bed.sbc.at(1_s, [&] {
    firewall.verdict = net::FilterVerdict::Drop;
    tcp.connect(bed.sbc_host, guarded_sip, bed.sbc);
  });
  bed.simulation.run();
  CHECK(bed.log == Log{"sbc1 refused @24ms", "sbc1 timed out @10s"});
  // The dropped connect: SYNs at 1 s and 1 + 3 s, then the last wait of 6 s.
  CHECK(bed.packets.sent(net::PacketKind::Syn) == std::vector<sim::Time>{0_s, 1_s, 4_s});
}

TEST_CASE("SYNs to a silent host are repeated after waits of 1 2 4 8 16 s and the connect times out at 63 s") {
  TestBed bed;
  net::TcpTransport tcp(bed.network);
  tcp.listen(kProxySip, bed.proxy);
  bed.network.set_host_down(bed.proxy_host, true);  // fault sbc_down
  const auto client = tcp.connect(bed.sbc_host, kProxySip, bed.sbc);
  bed.simulation.run();
  CHECK(bed.packets.sent(net::PacketKind::Syn) == std::vector<sim::Time>{0_s, 1_s, 3_s, 7_s, 15_s, 31_s});
  CHECK(bed.log == Log{"sbc1 timed out @63s"});
  CHECK(tcp.connection(*client).state == net::ConnectionState::Closed);
}

TEST_CASE("a host with its own SYN schedule times out on it while others keep the default") {
  TestBed bed;
  net::TcpTransport tcp(bed.network);
  net::TcpSettings windows;  // 3 s initial RTO, two retransmissions: Windows' 21 s
  windows.syn_waits = {3_s, 6_s, 12_s};
  tcp.set_host_settings(bed.proxy_host, windows);
  CHECK(tcp.settings_for(bed.sbc_host).syn_waits.size() == 6);
  tcp.listen(kProxySip, bed.proxy);
  tcp.listen(kSbcSip, bed.sbc);
  bed.network.set_host_down(bed.proxy_host, true);
  bed.network.set_host_down(bed.sbc_host, true);
  tcp.connect(bed.proxy_host, kSbcSip, bed.proxy);
  tcp.connect(bed.sbc_host, kProxySip, bed.sbc);
  bed.simulation.run();
  CHECK(bed.log == Log{"proxy-ams timed out @21s", "sbc1 timed out @63s"});
}

TEST_CASE("a lost SYN is repeated and the connection then uses a 3 s retransmission timeout") {
  TestBed bed;
  net::TcpTransport tcp(bed.network);
  tcp.listen(kProxySip, bed.proxy);
  bed.network.set_link_loss(kAccessLink, 1.0);
  bed.sbc.at(500_ms, [&] { bed.network.set_link_loss(kAccessLink, 0.0); });
  const auto client = tcp.connect(bed.sbc_host, kProxySip, bed.sbc);
  bed.simulation.run();
  CHECK(bed.log == Log{"sbc1 connected @1024ms", "proxy-ams accepted @1036ms"});
  CHECK(tcp.connection(*client).retransmission_timeout == 3_s);  // RFC 6298 §5.7
}

TEST_CASE("a lost segment is resent after the retransmission timeout and later bytes wait behind it") {
  TestBed bed;
  net::TcpTransport tcp(bed.network);
  tcp.listen(kProxySip, bed.proxy);
  const auto client = tcp.connect(bed.sbc_host, kProxySip, bed.sbc);
  bed.sbc.at(40_ms, [&] {
    bed.network.set_link_loss(kBackboneLink, 1.0);
    CHECK(tcp.send(*client, "first"));
  });
  bed.sbc.at(60_ms, [&] { CHECK(tcp.send(*client, "second")); });
  bed.sbc.at(100_ms, [&] { bed.network.set_link_loss(kBackboneLink, 0.0); });
  bed.simulation.run();
  // Lost at 40 ms, resent at 40 + 200 ms, arrives 12 ms later; "second" follows it.
  CHECK(bed.log == Log{"sbc1 connected @24ms", "proxy-ams accepted @36ms", "proxy-ams got first @252ms", "proxy-ams got second @252ms"});
  CHECK(bed.packets.sent(net::PacketKind::Data) == std::vector<sim::Time>{40_ms, 240_ms, 240_ms});
}

TEST_CASE("bytes keep their order under jitter") {
  TestBed bed(9, 10_ms);  // 10 ms mean jitter per link, far more than the gap between sends
  net::TcpTransport tcp(bed.network);
  tcp.listen(kProxySip, bed.proxy);
  bed.sbc.react = [&](const net::ConnectionEvent& event) {
    if (event.kind != ConnectionEventKind::Connected) return;
    for (int i = 0; i < 200; ++i)
      bed.sbc.at(bed.simulation.now() + 100_us * i, [&tcp, event, i] { CHECK(tcp.send(event.connection, std::to_string(i))); });
  };
  tcp.connect(bed.sbc_host, kProxySip, bed.sbc);
  bed.simulation.run();
  REQUIRE(bed.proxy.received.size() == 200);
  int held_back = 0;
  for (int i = 0; i < 200; ++i) {
    CHECK(bed.proxy.received[i].payload == std::to_string(i));
    if (i > 0) {
      CHECK(bed.proxy.received[i].at >= bed.proxy.received[i - 1].at);
      held_back += bed.proxy.received[i].at == bed.proxy.received[i - 1].at;
    }
  }
  CHECK(held_back > 0);  // the jitter did try to reorder them
}

TEST_CASE("close tells the peer after the queued bytes and a closed end takes no more") {
  TestBed bed;
  net::TcpTransport tcp(bed.network);
  tcp.listen(kProxySip, bed.proxy);
  std::optional<net::ConnectionId> client;
  bed.sbc.react = [&](const net::ConnectionEvent& event) {
    if (event.kind != ConnectionEventKind::Connected) return;
    CHECK(tcp.send(event.connection, "BYE"));
    tcp.close(event.connection);
    CHECK_FALSE(tcp.send(event.connection, "after close"));
  };
  client = tcp.connect(bed.sbc_host, kProxySip, bed.sbc);
  bed.simulation.run();
  CHECK(bed.log == Log{"sbc1 connected @24ms", "proxy-ams accepted @36ms", "proxy-ams got BYE @36ms", "proxy-ams closed @36ms"});
  CHECK(tcp.connection(*client).state == net::ConnectionState::Closed);
  CHECK(tcp.connection(bed.proxy.received[0].channel).state == net::ConnectionState::Closed);
}

TEST_CASE("bytes sent toward an end that already closed are not delivered") {
  TestBed bed;
  net::TcpTransport tcp(bed.network);
  tcp.listen(kProxySip, bed.proxy);
  const auto client = tcp.connect(bed.sbc_host, kProxySip, bed.sbc);
  bed.proxy.at(1_s, [&] { tcp.close(bed.proxy.events.at(0).event.connection); });
  bed.sbc.at(1_s + 5_ms, [&] { CHECK(tcp.send(*client, "too late")); });  // before the FIN arrives
  bed.simulation.run();
  // The proxy answers "too late" with a RST, which finds the SBC already closed by the FIN.
  CHECK(bed.log == Log{"sbc1 connected @24ms", "proxy-ams accepted @36ms", "sbc1 closed @1012ms"});
  CHECK(bed.packets.sent(net::PacketKind::Rst) == std::vector<sim::Time>{1_s + 5_ms});
}

TEST_CASE("reset tells the peer at once and drops queued bytes") {
  TestBed bed;
  net::TcpTransport tcp(bed.network);
  tcp.listen(kProxySip, bed.proxy);
  const auto client = tcp.connect(bed.sbc_host, kProxySip, bed.sbc);
  bed.sbc.at(40_ms, [&] {
    bed.network.set_link_loss(kBackboneLink, 1.0);
    CHECK(tcp.send(*client, "queued"));  // lost, waits for its retransmission
    tcp.reset(*client);
  });
  bed.simulation.run();
  CHECK(bed.log == Log{"sbc1 connected @24ms", "proxy-ams accepted @36ms", "proxy-ams reset @52ms"});
  CHECK(bed.packets.sent(net::PacketKind::Data) == std::vector<sim::Time>{40_ms});
}

TEST_CASE("a peer that goes down is noticed when the retransmissions give up after 924.6 s") {
  TestBed bed;
  net::TcpTransport tcp(bed.network);
  tcp.listen(kProxySip, bed.proxy);
  const auto client = tcp.connect(bed.sbc_host, kProxySip, bed.sbc);
  bed.sbc.at(1_s, [&] {
    bed.network.set_host_down(bed.proxy_host, true);
    CHECK(tcp.send(*client, "OPTIONS"));
  });
  // Back up after the SBC gave up: its own end is orphaned, and its bytes draw a RST.
  bed.proxy.at(1000_s, [&] {
    bed.network.set_host_down(bed.proxy_host, false);
    CHECK(tcp.send(bed.proxy.events.at(0).event.connection, "still there?"));
  });
  bed.simulation.run();

  // RTO 200 ms doubling to the 120 s cap, 15 resends, then one more backoff:
  // 0.2 × (2¹⁰ − 1) + 6 × 120 = 924.6 s after the first send.
  CHECK(bed.log == Log{"sbc1 connected @24ms", "proxy-ams accepted @36ms", "sbc1 timed out @925600ms", "proxy-ams reset @1000024ms"});
  const std::vector<sim::Time> sends = bed.packets.sent(net::PacketKind::Data);
  REQUIRE(sends.size() == 1 + 15 + 1);
  CHECK(sends[1] == 1200_ms);
  CHECK(sends[2] == 1600_ms);
  CHECK(sends[10] == 205600_ms);  // the last doubled wait, 102.4 s
  CHECK(sends[11] == 325600_ms);  // then 120 s apart
  CHECK(sends[15] == 805600_ms);
  CHECK(bed.proxy.received.empty());
}

TEST_CASE("a Windows host gives a silent peer's connection up after its own 5 retransmissions") {
  TestBed bed;
  net::TcpTransport tcp(bed.network);
  net::TcpSettings windows;
  windows.data_retransmissions = 5;
  tcp.set_host_settings(bed.proxy_host, windows);
  tcp.listen(kSbcSip, bed.sbc);
  const auto client = tcp.connect(bed.proxy_host, kSbcSip, bed.proxy);
  bed.proxy.at(1_s, [&] {
    bed.network.set_host_down(bed.sbc_host, true);
    CHECK(tcp.send(*client, "OPTIONS"));
  });
  bed.simulation.run();
  // RTO 200 ms: resends at 1.2, 1.6, 2.4, 4.0, 7.2 s, then one more backoff of 6.4 s.
  CHECK(bed.log == Log{"proxy-ams connected @24ms", "sbc1 accepted @36ms", "proxy-ams timed out @13600ms"});
  CHECK(bed.packets.sent(net::PacketKind::Data).size() == 1 + 5);
}

TEST_CASE("a host that goes down loses its connections: a peer's bytes after it is back meet a RST") {
  TestBed bed;
  net::TcpTransport tcp(bed.network);
  tcp.listen(kProxySip, bed.proxy);
  const auto client = tcp.connect(bed.sbc_host, kProxySip, bed.sbc);
  bed.sbc.at(1_s, [&] {
    bed.network.set_host_down(bed.proxy_host, true);
    tcp.lose_connections(bed.proxy_host);  // what the datacenter_down fault does
    CHECK(tcp.send(*client, "INVITE (stale by the time it arrives)"));
  });
  bed.proxy.at(5_s, [&] { bed.network.set_host_down(bed.proxy_host, false); });
  bed.simulation.run();
  // The proxy's own end hears it at once; the SBC's resend at 7.2 s (RTO 200 ms doubled four
  // times past the 1.2, 1.6, 2.4, 4.0 s resends) reaches the closed end and draws a RST, 12 ms
  // later: the request is never handed to the proxy.
  CHECK(bed.log == Log{"sbc1 connected @24ms", "proxy-ams accepted @36ms", "proxy-ams reset @1s", "sbc1 reset @7224ms"});
  CHECK(bed.proxy.received.empty());
}
