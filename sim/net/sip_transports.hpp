#pragma once
// sip::Transport over the simulated network: one object per flow, as sim/sip/transport.hpp asks.
// Both serialize each message (sip::serialize) and hand the bytes to the network; failures
// reach the flow's owner as events (ICMP unreachable, connection events), never as returns.
#include <cstdint>

#include "sim/net/tcp_transport.hpp"
#include "sim/net/udp_transport.hpp"
#include "sim/sip/transport.hpp"

namespace net {

// SIP over UDP to one destination (RFC 3261 §18.1.1): one message per datagram, fragmented by
// the network when it exceeds the path MTU.
class DatagramSipTransport final : public sip::Transport {
 public:
  DatagramSipTransport(UdpTransport& udp, const SocketAddress& source, const SocketAddress& destination)
      : udp_(udp), channel_(udp.channel(source, destination)) {}
  bool reliable() const override { return false; }
  void send(const sip::Message& message) override;
  std::uint64_t channel() const { return channel_; }

 private:
  UdpTransport& udp_;
  std::uint64_t channel_;
};

// SIP over one TCP or TLS connection (RFC 3261 §18.3: framed by Content-Length). A message
// handed over while the connection cannot send is dropped; its owner has heard, or will hear,
// why from the connection's events.
class StreamSipTransport final : public sip::Transport {
 public:
  StreamSipTransport(TcpTransport& tcp, ConnectionId connection) : tcp_(tcp), connection_(connection) {}
  bool reliable() const override { return true; }
  void send(const sip::Message& message) override;
  ConnectionId connection() const { return connection_; }

 private:
  TcpTransport& tcp_;
  ConnectionId connection_;
};

}  // namespace net
