#include "sim/net/udp_transport.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/sim/net/net_test_bed.hpp"

using namespace net_test;

namespace {

const net::SocketAddress kSbcUdp = socket_address("203.0.113.10", 5060);
const net::SocketAddress kCarrierUdp = socket_address("52.114.76.76", 5060);

// Sends `count` datagrams of `bytes` bytes, one every millisecond, and returns their one-way
// delays in arrival order.
std::vector<sim::Time> delays(std::uint64_t seed, sim::Time jitter, int count, std::size_t bytes = 100) {
  TestBed bed(seed, jitter);
  net::UdpTransport udp(bed.network);
  udp.bind(kCarrierUdp);
  for (int i = 0; i < count; ++i)
    bed.sbc.at(1_ms * i, [&udp, i, bytes] { udp.send(kSbcUdp, kCarrierUdp, std::to_string(i) + std::string(bytes, 'x')); });
  bed.simulation.run();
  std::vector<sim::Time> result;
  for (const auto& received : bed.proxy.received)
    result.push_back(received.at - 1_ms * std::stoi(received.payload));
  return result;
}

double mean_milliseconds(const std::vector<sim::Time>& times) {
  double sum = 0;
  for (sim::Time time : times) sum += static_cast<double>(time.nanoseconds()) * 1e-6;
  return sum / static_cast<double>(times.size());
}

}  // namespace

TEST_CASE("a datagram arrives after exactly the sum of its route's link latencies") {
  TestBed bed;
  net::UdpTransport udp(bed.network);
  udp.bind(kCarrierUdp);
  udp.send(kSbcUdp, kCarrierUdp, "OPTIONS sip:carrier SIP/2.0\r\n\r\n");
  bed.simulation.run();

  REQUIRE(bed.proxy.received.size() == 1);
  const auto& received = bed.proxy.received.front();
  CHECK(received.at == 12_ms);  // 5 ms + 7 ms through transit, not the direct 20 ms
  CHECK(received.payload == "OPTIONS sip:carrier SIP/2.0\r\n\r\n");
  CHECK(received.source == bed.sbc.id());
  REQUIRE(net::is_datagram_channel(received.channel));
  CHECK(udp.flow(received.channel).source == kSbcUdp);
  CHECK(udp.flow(received.channel).destination == kCarrierUdp);
  CHECK(udp.channel(kSbcUdp, kCarrierUdp) == received.channel);
  CHECK(udp.channel(kCarrierUdp, kSbcUdp) != received.channel);
}

TEST_CASE("jitter is reproducible for a seed and differs for another seed") {
  const std::vector<sim::Time> first = delays(7, 2_ms, 50);
  CHECK(first == delays(7, 2_ms, 50));
  CHECK(first != delays(8, 2_ms, 50));
  for (sim::Time delay : first) CHECK(delay >= 12_ms);  // jitter only ever adds
}

TEST_CASE("each link draws its own jitter so other links' traffic does not shift it") {
  // Datagrams from the SBC to a relay in transit cross only the access link; in the second run
  // the relay also sends over the backbone link. The SBC's delays must not change.
  auto sbc_to_relay = [](bool backbone_traffic) {
    TestBed bed(21, 3_ms);
    bed.add_host("relay", "transit", "192.0.2.1", bed.proxy.id());
    net::UdpTransport udp(bed.network);
    const auto relay = socket_address("192.0.2.1", 5060);
    udp.bind(relay);
    udp.bind(kCarrierUdp);
    for (int i = 0; i < 30; ++i) {
      bed.sbc.at(1_ms * i, [&udp, &relay, i, backbone_traffic] {
        if (backbone_traffic) udp.send(relay, kCarrierUdp, "backbone");
        udp.send(kSbcUdp, relay, std::to_string(i));
      });
    }
    bed.simulation.run();
    std::vector<sim::Time> result;
    for (const auto& received : bed.proxy.received)
      if (received.payload != "backbone") result.push_back(received.at - 1_ms * std::stoi(received.payload));
    return result;
  };
  const std::vector<sim::Time> alone = sbc_to_relay(false);
  REQUIRE(alone.size() == 30);
  CHECK(alone == sbc_to_relay(true));
}

TEST_CASE("jitter is exponential with the link's jitter as its mean") {
  // Two links of 2 ms mean jitter each: 4 ms on average over the route.
  const std::vector<sim::Time> all = delays(3, 2_ms, 4000);
  REQUIRE(all.size() == 4000);
  CHECK(mean_milliseconds(all) == doctest::Approx(12.0 + 4.0).epsilon(0.03));
}

TEST_CASE("a datagram in three fragments is lost when any fragment is") {
  TestBed bed(11);
  net::UdpTransport udp(bed.network);
  udp.bind(kCarrierUdp);
  bed.network.set_link_loss(kBackboneLink, 0.5);
  const int sends = 4000;
  for (int i = 0; i < sends; ++i) {
    bed.sbc.at(1_ms * i, [&udp] {
      udp.send(kSbcUdp, kCarrierUdp, std::string(100, 's'));
      udp.send(kSbcUdp, kCarrierUdp, std::string(4000, 'b'));
    });
  }
  bed.simulation.run();

  int small = 0, big = 0;
  for (const auto& received : bed.proxy.received) (received.payload.size() == 100 ? small : big) += 1;
  CHECK(small / double(sends) == doctest::Approx(0.5).epsilon(0.06));     // 1 packet: 1 − 0.5
  CHECK(big / double(sends) == doctest::Approx(0.125).epsilon(0.12));     // 3 packets: 0.5³ survive
  REQUIRE(bed.packets.packets.size() == 2u * sends);
  CHECK(bed.packets.packets[0].fragments == 1);
  CHECK(bed.packets.packets[1].fragments == 3);
}

TEST_CASE("a fragmented datagram arrives with its last fragment") {
  // With jitter, the latest of three fragments comes later on average than a single packet.
  TestBed bed(5, 2_ms);
  net::UdpTransport udp(bed.network);
  udp.bind(kCarrierUdp);
  for (int i = 0; i < 2000; ++i) {
    bed.sbc.at(1_s * i, [&udp] {
      udp.send(kSbcUdp, kCarrierUdp, std::string(100, 's'));
      udp.send(kSbcUdp, kCarrierUdp, std::string(4000, 'b'));
    });
  }
  bed.simulation.run();
  std::vector<sim::Time> small, big;
  for (const auto& received : bed.proxy.received) {
    const sim::Time sent = 1_s * (received.at.nanoseconds() / 1'000'000'000);
    (received.payload.size() == 100 ? small : big).push_back(received.at - sent);
  }
  REQUIRE(small.size() == 2000);
  REQUIRE(big.size() == 2000);
  CHECK(mean_milliseconds(big) - 12.0 > 1.4 * (mean_milliseconds(small) - 12.0));
}

TEST_CASE("the path MTU can be set per pair of hosts") {
  TestBed bed;
  net::UdpTransport udp(bed.network);
  udp.bind(kCarrierUdp);
  CHECK(bed.network.path_mtu(bed.sbc_host, bed.proxy_host) == 1500);
  bed.network.set_path_mtu(bed.proxy_host, bed.sbc_host, 576);
  CHECK(bed.network.path_mtu(bed.sbc_host, bed.proxy_host) == 576);
  udp.send(kSbcUdp, kCarrierUdp, std::string(1000, 'x'));
  bed.simulation.run();
  REQUIRE(bed.packets.packets.size() == 1);
  CHECK(bed.packets.packets[0].fragments == 2);  // 1008 bytes in fragments of 552
  CHECK(bed.proxy.received.size() == 1);
}

TEST_CASE("a datagram to a port nobody bound comes back as unreachable after one round trip") {
  TestBed bed;
  net::UdpTransport udp(bed.network);
  udp.bind(kSbcUdp, &bed.sbc);
  const std::uint64_t channel = udp.channel(kSbcUdp, socket_address("52.114.76.76", 5999));
  udp.send(channel, "INVITE");
  bed.simulation.run();
  CHECK(bed.proxy.received.empty());
  REQUIRE(bed.sbc.unreachable.size() == 1);
  CHECK(bed.sbc.unreachable[0].first == 24_ms);
  CHECK(bed.sbc.unreachable[0].second == channel);
}

TEST_CASE("a datagram from a down host never leaves it; one to a down host vanishes on the way") {
  // Observers (the pcap, events.pb) tell the two apart: only the second was on the wire.
  TestBed bed;
  net::UdpTransport udp(bed.network);
  udp.bind(kSbcUdp);
  udp.bind(kCarrierUdp);
  bed.network.set_host_down(bed.sbc_host, true);
  udp.send(kSbcUdp, kCarrierUdp, "from the down host");
  udp.send(kCarrierUdp, kSbcUdp, "to the down host");
  bed.simulation.run();
  CHECK(bed.proxy.received.empty());
  CHECK(bed.sbc.received.empty());
  REQUIRE(bed.packets.packets.size() == 2);
  CHECK(bed.packets.packets[0].transit.fate == net::PathFate::SenderDown);
  CHECK(bed.packets.packets[1].transit.fate == net::PathFate::ReceiverDown);
}

TEST_CASE("a host that refuses answers unreachable and a down host answers nothing") {
  TestBed bed;
  net::UdpTransport udp(bed.network);
  udp.bind(kSbcUdp, &bed.sbc);
  udp.bind(kCarrierUdp);
  bed.network.set_host_refusing(bed.proxy_host, true);
  udp.send(kSbcUdp, kCarrierUdp, "one");
  bed.sbc.at(1_s, [&] {
    bed.network.set_host_refusing(bed.proxy_host, false);
    bed.network.set_host_down(bed.proxy_host, true);
    udp.send(kSbcUdp, kCarrierUdp, "two");
  });
  bed.sbc.at(2_s, [&] {
    bed.network.set_host_down(bed.proxy_host, false);
    udp.send(kSbcUdp, kCarrierUdp, "three");
  });
  bed.simulation.run();
  REQUIRE(bed.sbc.unreachable.size() == 1);
  CHECK(bed.sbc.unreachable[0].first == 24_ms);
  REQUIRE(bed.proxy.received.size() == 1);
  CHECK(bed.proxy.received[0].payload == "three");
  CHECK(bed.proxy.received[0].at == 2_s + 12_ms);
}

TEST_CASE("a link latency fault slows the route and healing restores it") {
  TestBed bed;
  net::UdpTransport udp(bed.network);
  udp.bind(kCarrierUdp);
  bed.network.set_link_latency(kAccessLink, 50_ms);
  CHECK(bed.network.latency(bed.sbc_host, bed.proxy_host) == 57_ms);
  udp.send(kSbcUdp, kCarrierUdp, "slow");
  bed.sbc.at(1_s, [&] {
    bed.network.restore_link(kAccessLink);
    udp.send(kSbcUdp, kCarrierUdp, "fast");
  });
  bed.simulation.run();
  REQUIRE(bed.proxy.received.size() == 2);
  // The route stays on its links (routing does not follow delay), even though the direct link
  // is now faster.
  CHECK(bed.proxy.received[0].at == 57_ms);
  CHECK(bed.proxy.received[1].at == 1_s + 12_ms);
}

TEST_CASE("a filter that drops keeps datagrams away and one that rejects answers unreachable") {
  struct BlockSip final : net::PacketFilter {
    net::FilterVerdict verdict = net::FilterVerdict::Drop;
    net::FilterVerdict inspect(const net::PacketDescription& packet) const override {
      return packet.inbound && packet.destination.port == 5060 ? verdict : net::FilterVerdict::Allow;
    }
  };
  BlockSip firewall;
  TestBed bed;
  auto guarded = bed.network.add_host({"carrier2", "ms-emea", {*net::IpAddress::parse("198.51.100.8")}, bed.proxy.id(), &firewall});
  REQUIRE(guarded.ok());
  net::UdpTransport udp(bed.network);
  udp.bind(kSbcUdp, &bed.sbc);
  const auto guarded_sip = socket_address("198.51.100.8", 5060);
  udp.bind(guarded_sip);
  udp.send(kSbcUdp, guarded_sip, "dropped");
  bed.sbc.at(1_s, [&] {
    firewall.verdict = net::FilterVerdict::Reject;
    udp.send(kSbcUdp, guarded_sip, "rejected");
  });
  bed.simulation.run();
  CHECK(bed.proxy.received.empty());
  REQUIRE(bed.sbc.unreachable.size() == 1);
  CHECK(bed.sbc.unreachable[0].first == 1_s + 24_ms);
}
