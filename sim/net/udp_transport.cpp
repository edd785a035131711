#include "sim/net/udp_transport.hpp"

#include "sim/core/simulation.hpp"

namespace net {

void UdpTransport::bind(const SocketAddress& local, DatagramListener* listener) {
  DRSIM_CHECK(network_.host_at(local.ip).has_value(), "UDP bind to an address no host has");
  bound_[local] = listener;
}

std::uint64_t UdpTransport::channel(const SocketAddress& source, const SocketAddress& destination) {
  const auto [entry, added] = channels_.try_emplace({source, destination}, flows_.size() | kDatagramChannelBit);
  if (added) {
    const auto source_host = network_.host_at(source.ip);
    DRSIM_CHECK(source_host.has_value(), "UDP datagram from an address no host has");
    flows_.push_back({source, destination, *source_host, network_.host_at(destination.ip)});
  }
  return entry->second;
}

const DatagramFlow& UdpTransport::flow(std::uint64_t channel) const {
  DRSIM_CHECK(is_datagram_channel(channel), "not a datagram channel");
  return flows_.at(channel & ~kDatagramChannelBit);
}

void UdpTransport::send(std::uint64_t channel, std::string payload) {
  const DatagramFlow& datagram = flow(channel);
  Transit transit{PathFate::NoRoute, {}};
  std::uint32_t fragments = 1;
  if (datagram.destination_host) {
    const HostId to = *datagram.destination_host;
    fragments = udp_fragment_count(payload.size(), network_.path_mtu(datagram.source_host, to), datagram.destination.ip.family());
    const PacketDescription packet{datagram.source, datagram.destination, TransportProtocol::Udp, true};
    transit = network_.transit(datagram.source_host, to, packet, fragments);
    if (transit.fate == PathFate::Delivered && (network_.host(to).refusing || !bound(datagram.destination))) {
      // Arrived, but nothing listens: the host answers ICMP port unreachable.
      const auto back = network_.answer_delay(to, datagram.source_host);
      transit = {PathFate::Rejected, transit.delay + back.value_or(sim::Time::zero())};
    }
  }
  if (network_.observed())
    network_.record({network_.simulation().now(), PacketKind::Datagram, datagram.source, datagram.destination,
                     payload.size(), fragments, transit, payload});
  if (transit.fate == PathFate::Rejected) {
    report_unreachable(channel, transit.delay);
    return;
  }
  if (transit.fate != PathFate::Delivered) return;
  sim::Simulation& simulation = network_.simulation();
  const Host& source = network_.host(datagram.source_host);
  const Host& destination = network_.host(*datagram.destination_host);
  simulation.deliver(simulation.now() + transit.delay, destination.description.actor,
                     sim::Delivery{source.description.actor, channel, std::move(payload)});
}

void UdpTransport::report_unreachable(std::uint64_t channel, sim::Time delay) {
  sim::Simulation& simulation = network_.simulation();
  const DatagramFlow& datagram = flow(channel);
  const sim::ActorId owner = network_.host(datagram.source_host).description.actor;
  // The listener is looked up when the ICMP message arrives: the socket may be gone by then.
  simulation.schedule_timer(simulation.now() + delay, owner, [this, channel] {
    const auto found = bound_.find(flow(channel).source);
    if (found != bound_.end() && found->second != nullptr) found->second->on_datagram_unreachable(channel);
  }).release();
}

}  // namespace net
