#pragma once
// A small network on a real sim::Simulation for the transport tests: three sites where the
// two-hop route contoso-hq → transit → ms-emea (5 + 7 = 12 ms) beats the direct 20 ms link,
// an SBC host in contoso-hq and a Microsoft proxy host in ms-emea, each with a recording actor.
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include "sim/core/simulation.hpp"
#include "sim/net/network.hpp"
#include "sim/net/tcp_transport.hpp"
#include "sim/net/udp_transport.hpp"

namespace net_test {

using namespace sim::time_literals;

inline net::SocketAddress socket_address(const char* ip, std::uint16_t port) {
  return {*net::IpAddress::parse(ip), port};
}

inline const net::SocketAddress kSbcSip = socket_address("203.0.113.10", 5061);
inline const net::SocketAddress kProxySip = socket_address("52.114.76.76", 5061);

inline constexpr net::LinkId kDirectLink = 0;   // contoso-hq - ms-emea, 20 ms
inline constexpr net::LinkId kAccessLink = 1;   // contoso-hq - transit, 5 ms
inline constexpr net::LinkId kBackboneLink = 2; // transit - ms-emea, 7 ms

inline std::vector<net::LinkDescription> three_site_links(sim::Time jitter = sim::Time::zero()) {
  return {{"contoso-hq", "ms-emea", 20_ms, jitter, 0.0},
          {"contoso-hq", "transit", 5_ms, jitter, 0.0},
          {"transit", "ms-emea", 7_ms, jitter, 0.0}};
}

inline net::Topology three_site_topology(sim::Time jitter = sim::Time::zero()) {
  auto topology = net::Topology::create({{"contoso-hq"}, {"transit"}, {"ms-emea"}}, three_site_links(jitter));
  REQUIRE(topology.ok());
  return std::move(topology).value();
}

// Remembers everything that happens to it, in order, in a log shared with the other actors, and
// lets a test react to connection events.
class Recorder final : public sim::Actor, public net::ConnectionListener, public net::DatagramListener {
 public:
  struct Received {
    sim::Time at;
    sim::ActorId source;
    std::uint64_t channel;
    std::string payload;
  };
  struct Event {
    sim::Time at;
    net::ConnectionEvent event;
  };

  Recorder(sim::ActorContext context, std::vector<std::string>& log) : sim::Actor(std::move(context)), log_(log) {}

  void on_receive(const sim::Delivery& delivery) override {
    received.push_back({now(), delivery.source, delivery.channel, delivery.payload});
    note("got " + delivery.payload);
  }
  void on_connection_event(const net::ConnectionEvent& event) override {
    events.push_back({now(), event});
    note(kind_name(event.kind));
    if (react) react(event);
  }
  void on_datagram_unreachable(std::uint64_t channel) override {
    unreachable.emplace_back(now(), channel);
    note("unreachable");
  }

  // Runs `action` at `at` as this actor.
  void at(sim::Time when, std::function<void()> action) {
    simulation().schedule_timer(when, id(), std::move(action)).release();
  }

  static std::string kind_name(net::ConnectionEventKind kind) {
    switch (kind) {
      case net::ConnectionEventKind::Connected: return "connected";
      case net::ConnectionEventKind::Accepted: return "accepted";
      case net::ConnectionEventKind::Refused: return "refused";
      case net::ConnectionEventKind::TimedOut: return "timed out";
      case net::ConnectionEventKind::Closed: return "closed";
      case net::ConnectionEventKind::Reset: return "reset";
      case net::ConnectionEventKind::TlsEstablished: return "tls established";
      case net::ConnectionEventKind::TlsFailed: return "tls failed";
    }
    return "?";
  }

  std::vector<Received> received;
  std::vector<Event> events;
  std::vector<std::pair<sim::Time, std::uint64_t>> unreachable;
  std::function<void(const net::ConnectionEvent&)> react;

 private:
  void note(const std::string& what) {
    log_.push_back(name() + " " + what + " @" + sim::format_duration(now()));
  }
  std::vector<std::string>& log_;
};

// Collects the packets the transports send.
class PacketLog final : public net::PacketObserver {
 public:
  void on_packet(const net::PacketRecord& packet) override { packets.push_back(packet); }
  std::vector<sim::Time> sent(net::PacketKind kind) const {
    std::vector<sim::Time> times;
    for (const net::PacketRecord& packet : packets)
      if (packet.kind == kind) times.push_back(packet.sent);
    return times;
  }
  std::vector<net::PacketRecord> packets;
};

struct TestBed {
  explicit TestBed(std::uint64_t seed = 1, sim::Time jitter = sim::Time::zero(), sim::UtcTime epoch = {})
      : simulation(seed),
        sbc(simulation.add_actor<Recorder>("sbc1", log)),
        proxy(simulation.add_actor<Recorder>("proxy-ams", log)),
        network(simulation, three_site_topology(jitter), epoch) {
    sbc_host = add_host("sbc1", "contoso-hq", "203.0.113.10", sbc.id());
    proxy_host = add_host("proxy-ams", "ms-emea", "52.114.76.76", proxy.id());
    network.add_observer(packets);
  }

  net::HostId add_host(const char* name, const char* site, const char* ip, sim::ActorId actor) {
    auto host = network.add_host({name, site, {*net::IpAddress::parse(ip)}, actor});
    REQUIRE(host.ok());
    return host.value();
  }

  std::vector<std::string> log;
  sim::Simulation simulation;
  Recorder& sbc;
  Recorder& proxy;
  net::Network network;
  PacketLog packets;
  net::HostId sbc_host = 0;
  net::HostId proxy_host = 0;
};

}  // namespace net_test
