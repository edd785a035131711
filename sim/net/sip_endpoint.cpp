#include "sim/net/sip_endpoint.hpp"

#include "sim/core/check.hpp"

namespace net {

SipEndpoint::SipEndpoint(UdpTransport& udp, TcpTransport& tcp, HostId host, sip::TransactionLayer& layer,
                         SipEndpointEvents& events)
    : udp_(udp), tcp_(tcp), host_(host), layer_(layer), events_(events) {}

SipEndpoint::~SipEndpoint() = default;

void SipEndpoint::listen_udp(const SocketAddress& local) { udp_.bind(local, this); }

void SipEndpoint::listen_stream(const SocketAddress& local, std::optional<TlsServerSettings> tls) {
  tcp_.listen(local, *this, std::move(tls));
}

std::optional<ConnectionId> SipEndpoint::connect(const SocketAddress& to, ConnectOptions options) {
  const auto end = tcp_.connect(host_, to, *this, std::move(options));
  if (end) stream(*end);
  return end;
}

void SipEndpoint::close(ConnectionId end) {
  stream(end).ended = true;
  tcp_.close(end);
}

void SipEndpoint::reset(ConnectionId end) {
  stream(end).ended = true;
  tcp_.reset(end);
}

sip::Transport& SipEndpoint::datagram_flow(const SocketAddress& local, const SocketAddress& remote) {
  const std::uint64_t channel = udp_.channel(local, remote);
  auto& flow = datagram_flows_[channel];
  if (!flow) flow = std::make_unique<DatagramSipTransport>(udp_, local, remote);
  return *flow;
}

sip::Transport& SipEndpoint::stream_flow(ConnectionId end) { return *stream(end).flow; }

std::optional<ConnectionId> SipEndpoint::connection_of(const sip::Transport& flow) const {
  if (flow.reliable()) {
    const auto& stream_flow = static_cast<const StreamSipTransport&>(flow);
    if (streams_.contains(stream_flow.connection())) return stream_flow.connection();
  }
  return std::nullopt;
}

std::optional<std::uint64_t> SipEndpoint::datagram_channel_of(const sip::Transport& flow) const {
  if (flow.reliable()) return std::nullopt;
  const auto& datagram = static_cast<const DatagramSipTransport&>(flow);
  if (datagram_flows_.contains(datagram.channel())) return datagram.channel();
  return std::nullopt;
}

bool SipEndpoint::connection_usable(ConnectionId end) const {
  const auto found = streams_.find(end);
  return found != streams_.end() && !found->second.ended && tcp_.connection(end).can_send;
}

SipEndpoint::Stream& SipEndpoint::stream(ConnectionId end) {
  Stream& entry = streams_[end];
  if (!entry.flow) entry.flow = std::make_unique<StreamSipTransport>(tcp_, end);
  return entry;
}

void SipEndpoint::receive(const sim::Delivery& delivery) {
  if (is_datagram_channel(delivery.channel)) receive_datagram(delivery);
  else receive_stream(delivery);
}

void SipEndpoint::receive_datagram(const sim::Delivery& delivery) {
  const std::size_t arrival_index = static_cast<std::size_t>(delivery.channel & ~kDatagramChannelBit);
  if (arrival_index >= reply_flows_.size()) reply_flows_.resize(arrival_index + 1, nullptr);
  if (reply_flows_[arrival_index] == nullptr) {
    // Copied: opening the answer flow may grow the transport's flow table under a reference.
    const DatagramFlow arrived = udp_.flow(delivery.channel);
    // Answers go back the way the datagram came: from our address to its source (§18.2.2).
    reply_flows_[arrival_index] = &datagram_flow(arrived.destination, arrived.source);
  }
  sip::Transport& flow = *reply_flows_[arrival_index];
  auto parsed = sip::parse_message(delivery.payload, sip::Framing::Datagram);
  if (!parsed.ok()) return events_.on_malformed_message(delivery.channel, parsed.error());
  layer_.receive(parsed.value(), flow);
}

void SipEndpoint::receive_stream(const sim::Delivery& delivery) {
  const ConnectionId end = delivery.channel;
  Stream& entry = stream(end);
  if (entry.ended) return;  // bytes in flight when we closed (tcp_transport.hpp)
  entry.framer.append(delivery.payload);
  while (auto next = entry.framer.next()) {
    if (!next->ok()) {
      events_.on_malformed_message(end, next->error());
      entry.ended = true;
      layer_.flow_failed(*entry.flow);
      tcp_.reset(end);
      return;
    }
    layer_.receive(next->value(), *entry.flow);
    if (streams_.at(end).ended) return;  // the core closed the connection meanwhile
  }
}

void SipEndpoint::on_connection_event(const ConnectionEvent& event) {
  Stream& entry = stream(event.connection);
  if (ends_connection(event.kind)) {
    entry.ended = true;
    layer_.flow_failed(*entry.flow);
  }
  events_.on_connection_event(event);
}

void SipEndpoint::on_datagram_unreachable(std::uint64_t channel) {
  // The ICMP names the flow the datagram left on, which is the one our transactions hold.
  const DatagramFlow failed = udp_.flow(channel);
  layer_.flow_failed(datagram_flow(failed.source, failed.destination));
  events_.on_datagram_unreachable(channel);
}

}  // namespace net
