#pragma once
// UDP: datagrams from one socket address to another, delivered to the destination host's actor
// through sim::Simulation::deliver (so the fingerprint sees them) with a datagram channel
// (channel.hpp) that names the flow. A datagram larger than the path MTU allows (MTU − 28 for
// IPv4, − 48 for IPv6) is cut into fragments; each can be lost, losing any loses the datagram,
// and it arrives with its last fragment.
//
// A datagram for a port nobody bound, for a host that refuses (fault sbc_refuses) or that a
// filter rejects comes back as ICMP port unreachable (RFC 1122 §3.2.2.1), reported to the
// listener bound at the sending address after the round trip (RFC 3261 §18.4 turns it into a
// transport error). Whether the port is bound is decided when the datagram is sent. Pending
// ICMP reports point at the transport: it must outlive the run.
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "sim/net/channel.hpp"
#include "sim/net/network.hpp"

namespace net {

// Hears ICMP errors for datagrams sent from the address it is bound to.
class DatagramListener {
 public:
  virtual ~DatagramListener() = default;
  virtual void on_datagram_unreachable(std::uint64_t channel) = 0;
};

struct DatagramFlow {
  SocketAddress source;
  SocketAddress destination;
  HostId source_host = 0;
  std::optional<HostId> destination_host;  // none: no host has that address, datagrams vanish
};

class UdpTransport {
 public:
  explicit UdpTransport(Network& network) : network_(network) {}
  UdpTransport(const UdpTransport&) = delete;  // scheduled events point at it
  UdpTransport& operator=(const UdpTransport&) = delete;

  // Opens a socket at `local`, an address of some host: datagrams to it reach that host's actor.
  void bind(const SocketAddress& local, DatagramListener* listener = nullptr);
  void unbind(const SocketAddress& local) { bound_.erase(local); }
  bool bound(const SocketAddress& local) const { return bound_.count(local) != 0; }

  // The channel of the flow from `source` (an address of some host) to `destination`; the
  // same pair always gives the same channel.
  std::uint64_t channel(const SocketAddress& source, const SocketAddress& destination);
  // The reference stays valid for the transport's life, also across calls to channel().
  const DatagramFlow& flow(std::uint64_t channel) const;

  void send(std::uint64_t channel, std::string payload);
  void send(const SocketAddress& source, const SocketAddress& destination, std::string payload) {
    send(channel(source, destination), std::move(payload));
  }

 private:
  void report_unreachable(std::uint64_t channel, sim::Time delay);

  Network& network_;
  std::map<SocketAddress, DatagramListener*> bound_;
  std::map<std::pair<SocketAddress, SocketAddress>, std::uint64_t> channels_;
  std::deque<DatagramFlow> flows_;  // by channel without its top bit; a deque keeps references
};

}  // namespace net
