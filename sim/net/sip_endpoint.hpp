#pragma once
// The network side of one SIP element (RFC 3261 §18): its UDP sockets, its TCP/TLS listeners
// and connections, stream framing and parsing, and the sip::Transport flows its transaction
// layer sends on. The element's actor hands every Delivery to receive(); parsed messages go to
// the transaction layer, broken flows fail their transactions, and everything else the
// element may care about (connection events, bytes that are not SIP) reaches its
// SipEndpointEvents. The SBC, the Microsoft proxy and the carrier all stand on one of these.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "sim/core/actor.hpp"
#include "sim/net/sip_transports.hpp"
#include "sim/net/tcp_transport.hpp"
#include "sim/net/udp_transport.hpp"
#include "sim/sip/parser.hpp"
#include "sim/sip/stream_framer.hpp"
#include "sim/sip/transaction/transaction_layer.hpp"

namespace net {

class SipEndpointEvents {
 public:
  virtual ~SipEndpointEvents() = default;
  // Every event of every connection the endpoint opened or accepted. For the events that end
  // a connection (Refused, TimedOut, Closed, Reset, TlsFailed) the transactions on it have
  // already heard on_transport_error.
  virtual void on_connection_event(const ConnectionEvent& event) = 0;
  // An ICMP unreachable for a datagram flow; its transactions have heard on_transport_error.
  virtual void on_datagram_unreachable(std::uint64_t channel) { static_cast<void>(channel); }
  // Bytes that are not a SIP message the parser accepts. On a stream the framing is lost after
  // them, so the endpoint resets the connection right after this call (§18.3).
  virtual void on_malformed_message(std::uint64_t channel, const sip::ParseError& error) {
    static_cast<void>(channel);
    static_cast<void>(error);
  }
};

class SipEndpoint final : private ConnectionListener, private DatagramListener {
 public:
  SipEndpoint(UdpTransport& udp, TcpTransport& tcp, HostId host, sip::TransactionLayer& layer, SipEndpointEvents& events);
  SipEndpoint(const SipEndpoint&) = delete;
  SipEndpoint& operator=(const SipEndpoint&) = delete;
  ~SipEndpoint() override;

  HostId host() const { return host_; }

  // ---- sockets
  void listen_udp(const SocketAddress& local);
  void listen_stream(const SocketAddress& local, std::optional<TlsServerSettings> tls = std::nullopt);
  // Opens a TCP (or, with options.tls, TLS) connection; its events reach on_connection_event.
  // nullopt when the host has no address of the destination's family.
  std::optional<ConnectionId> connect(const SocketAddress& to, ConnectOptions options = {});
  void close(ConnectionId end);
  void reset(ConnectionId end);

  // ---- flows for the transaction layer. Flow objects live as long as the endpoint, so a
  // transaction holding one never dangles; a flow whose connection ended just drops what it
  // is given.
  sip::Transport& datagram_flow(const SocketAddress& local, const SocketAddress& remote);
  sip::Transport& stream_flow(ConnectionId end);
  // The connection a flow is, if it is a stream flow of this endpoint.
  std::optional<ConnectionId> connection_of(const sip::Transport& flow) const;
  // The datagram channel a flow is, if it is a datagram flow of this endpoint.
  std::optional<std::uint64_t> datagram_channel_of(const sip::Transport& flow) const;
  bool connection_usable(ConnectionId end) const;
  TcpTransport& tcp() const { return tcp_; }
  UdpTransport& udp() const { return udp_; }

  // ---- receiving: call from the element actor's on_receive for every delivery.
  void receive(const sim::Delivery& delivery);

 private:
  struct Stream {
    std::unique_ptr<StreamSipTransport> flow;
    sip::StreamFramer framer;
    bool ended = false;
  };

  void on_connection_event(const ConnectionEvent& event) override;
  void on_datagram_unreachable(std::uint64_t channel) override;
  void receive_datagram(const sim::Delivery& delivery);
  void receive_stream(const sim::Delivery& delivery);
  Stream& stream(ConnectionId end);

  UdpTransport& udp_;
  TcpTransport& tcp_;
  HostId host_;
  sip::TransactionLayer& layer_;
  SipEndpointEvents& events_;
  std::map<std::uint64_t, std::unique_ptr<DatagramSipTransport>> datagram_flows_;  // by channel
  // The flow answers to a datagram go back on, by the index of the channel it arrived on
  // (UdpTransport numbers channels densely): every received datagram needs it, and finding it
  // by the pair of socket addresses cost two tree lookups. Null where not yet known.
  std::vector<sip::Transport*> reply_flows_;
  std::map<ConnectionId, Stream> streams_;
};

}  // namespace net
