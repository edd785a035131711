#pragma once
// The network below the transports: hosts placed at sites, the live state of every link, and
// the fate of one packet crossing from one host to another. UdpTransport and TcpTransport ask
// it; models ask them.
//
// Randomness: every link draws from two named streams, rng(seed, "link:<a>|<b>", "jitter") and
// rng(seed, "link:<a>|<b>", "loss") (a second link between the same two sites adds "#2", and so
// on), so one link's traffic never shifts another's draws. Jitter is exponential with the
// link's `jitter` as its mean: never negative (a packet cannot beat the propagation delay),
// skewed to the right like queueing delay, and fixed by one number the topology already has.
//
// When a packet's fate is decided: all of it (down hosts, filters, loss, jitter) when it is sent.
// TcpTransport re-checks the receiving host when a connection attempt arrives.
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/core/actor.hpp"
#include "sim/core/result.hpp"
#include "sim/core/rng.hpp"
#include "sim/core/time.hpp"
#include "sim/core/utc_time.hpp"
#include "sim/net/fragmentation.hpp"
#include "sim/net/ip_address.hpp"
#include "sim/net/packet_filter.hpp"
#include "sim/net/topology.hpp"

namespace sim {
class Simulation;
}

namespace net {

using HostId = std::uint32_t;  // index in add_host order

struct HostDescription {
  std::string name;
  std::string site;
  std::vector<IpAddress> addresses;  // at least one
  sim::ActorId actor = 0;            // receives the bytes that arrive for this host
  PacketFilter* filter = nullptr;    // its firewall (models/firewall), asked for every packet
  std::uint32_t mtu = kDefaultMtu;   // of its interface, in bytes
};

struct Host {
  HostDescription description;
  SiteId site = 0;
  bool down = false;      // nothing enters or leaves (fault sbc_down): peers time out
  bool refusing = false;  // nothing listens (fault sbc_refuses): TCP connects are refused
};

// Why a packet did or did not arrive. Only Rejected tells the sender anything (a TCP RST or an
// ICMP unreachable, as packet_filter.hpp says); the others just vanish. SenderDown: the sending
// host is down (sbc_down, datacenter_down), so the packet never reached the wire; ReceiverDown:
// it was sent but the host it is for is down.
enum class PathFate : std::uint8_t { Delivered, Lost, Filtered, SenderDown, ReceiverDown, NoRoute, Rejected };

// Whether a packet can be lost at random on the links. Control answers that TCP would repeat
// anyway (RST, ICMP) are exempt: modelling their loss would only move an error by one timeout.
enum class RandomLoss : std::uint8_t { Applies, Exempt };

struct Transit {
  PathFate fate = PathFate::Lost;
  // Delivered: the one-way delay, jitter included (for fragments: of the last to arrive).
  // Rejected: the time until the rejection is back at the sender (zero when its own filter
  // rejected the packet on the way out).
  sim::Time delay;
};

// What the transports tell observers about each packet they send (tests, traces).
enum class PacketKind : std::uint8_t { Datagram, Syn, SynAck, Ack, Data, Fin, Rst, TlsHandshake, TlsAlert, IcmpUnreachable };

struct PacketRecord {
  sim::Time sent;
  PacketKind kind = PacketKind::Datagram;
  SocketAddress source;
  SocketAddress destination;
  std::size_t payload_bytes = 0;
  std::uint32_t fragments = 1;
  Transit transit;
  // The bytes carried (a datagram's payload, a data segment's stream bytes); valid only during
  // on_packet. Empty for control packets.
  std::string_view payload;
};

// Sees packets as they are sent; like sim::DeliveryObserver it must not steer the run.
class PacketObserver {
 public:
  virtual ~PacketObserver() = default;
  virtual void on_packet(const PacketRecord& packet) = 0;
};

class Network {
 public:
  // `epoch` is the UTC instant of simulated time zero (certificates are checked against it).
  Network(sim::Simulation& simulation, Topology topology, sim::UtcTime epoch = {});
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  sim::Simulation& simulation() const { return simulation_; }
  const Topology& topology() const { return topology_; }
  sim::UtcTime utc_now() const;

  // ---- hosts
  // Fails on an unknown site, a duplicate name or address, no address, or an MTU below the
  // protocol minimum (68 for IPv4, 1280 for a host with an IPv6 address).
  sim::Result<HostId, std::string> add_host(HostDescription description);
  std::size_t host_count() const { return hosts_.size(); }
  const Host& host(HostId host) const { return hosts_.at(host); }
  std::optional<HostId> find_host(std::string_view name) const;
  std::optional<HostId> host_at(const IpAddress& address) const;
  // The host's first address of `family`, if it has one.
  std::optional<IpAddress> address_of(HostId host, IpFamily family) const;

  // ---- faults (and their healing)
  void set_host_down(HostId host, bool down) { hosts_.at(host).down = down; }
  void set_host_refusing(HostId host, bool refusing) { hosts_.at(host).refusing = refusing; }
  void set_link_latency(LinkId link, sim::Time latency);  // link_latency
  void set_link_loss(LinkId link, double loss);           // link_loss
  void restore_link(LinkId link);                         // back to the topology's values
  sim::Time link_latency(LinkId link) const { return links_.at(link).latency; }
  double link_loss(LinkId link) const { return links_.at(link).loss; }

  // ---- paths
  // Path MTU: the smaller interface MTU of the two hosts, unless set for the pair (either order).
  std::uint32_t path_mtu(HostId a, HostId b) const;
  void set_path_mtu(HostId a, HostId b, std::uint32_t mtu);
  // Current one-way latency without jitter; nullopt when no route joins the hosts' sites.
  std::optional<sim::Time> latency(HostId from, HostId to) const;
  // Current route latencies between sites (the topology's matrix with link_latency faults applied).
  const LatencyMatrix& current_latencies() const { return latency_; }
  // One-way delay with jitter of an answer that is never lost (ICMP); nullopt without a route.
  std::optional<sim::Time> answer_delay(HostId from, HostId to);
  // Decides the fate of one packet (or of a datagram in `fragments` pieces: losing any loses
  // it, and it arrives with its last fragment). Draws the links' jitter and loss streams.
  Transit transit(HostId from, HostId to, const PacketDescription& packet, std::uint32_t fragments = 1,
                  RandomLoss random_loss = RandomLoss::Applies);

  // ---- observation
  void add_observer(PacketObserver& observer) { observers_.push_back(&observer); }
  bool observed() const { return !observers_.empty(); }
  void record(const PacketRecord& packet) const {
    for (PacketObserver* observer : observers_) observer->on_packet(packet);
  }

 private:
  struct LinkState {
    sim::Time latency;
    sim::Time jitter;
    double loss = 0.0;
    sim::RandomStream jitter_stream;
    sim::RandomStream loss_stream;
  };

  void recompute_latencies();
  // Jittered one-way delay over `route`, or nullopt when a link lost the packet.
  std::optional<sim::Time> cross(const std::vector<LinkId>& route, sim::Time latency, RandomLoss random_loss);
  PathFate filter(HostId host, const PacketDescription& packet, bool inbound) const;

  sim::Simulation& simulation_;
  Topology topology_;
  sim::UtcTime epoch_;
  std::vector<LinkState> links_;
  LatencyMatrix latency_;  // current route latencies; follows link_latency faults
  std::deque<Host> hosts_;  // a deque: host() references survive add_host
  std::map<std::string, HostId, std::less<>> host_ids_;
  std::map<IpAddress, HostId> hosts_by_address_;
  std::map<std::pair<HostId, HostId>, std::uint32_t> path_mtus_;  // keyed (lower, higher)
  std::vector<PacketObserver*> observers_;
};

}  // namespace net
