#include "sim/net/tcp_transport.hpp"

#include <algorithm>

#include "sim/core/simulation.hpp"

// The TLS handshake and the fault hooks are in tcp_transport_tls.cpp.

namespace net {

namespace {

constexpr std::uint16_t kFirstEphemeralPort = 49152;  // RFC 6335 §6: the dynamic port range

}  // namespace

TcpTransport::TcpTransport(Network& network, TcpSettings settings) : network_(network), settings_(std::move(settings)) {
  DRSIM_CHECK(!settings_.syn_waits.empty(), "TCP needs at least one SYN wait");
  DRSIM_CHECK(settings_.tls.handshake_round_trips >= 1, "a TLS handshake takes at least one round trip");
  DRSIM_CHECK(settings_.minimum_retransmission_timeout <= settings_.maximum_retransmission_timeout,
              "minimum retransmission timeout above the maximum");
}

void TcpTransport::set_host_settings(HostId host, TcpSettings settings) {
  DRSIM_CHECK(!settings.syn_waits.empty(), "TCP needs at least one SYN wait");
  DRSIM_CHECK(settings.tls.handshake_round_trips >= 1, "a TLS handshake takes at least one round trip");
  host_settings_.insert_or_assign(host, std::move(settings));
}

const TcpSettings& TcpTransport::settings_for(HostId host) const {
  const auto found = host_settings_.find(host);
  return found == host_settings_.end() ? settings_ : found->second;
}

std::uint32_t TcpTransport::handshake_round_trips(const Connection& connection) const {
  return std::max(settings_for(connection.ends[0].host).tls.handshake_round_trips,
                  settings_for(connection.ends[1].host).tls.handshake_round_trips);
}

void TcpTransport::listen(const SocketAddress& local, ConnectionListener& listener, std::optional<TlsServerSettings> tls) {
  DRSIM_CHECK(network_.host_at(local.ip).has_value(), "TCP listen on an address no host has");
  if (tls) {
    DRSIM_CHECK(tls->certificate != nullptr, "TLS server without a certificate");
    DRSIM_CHECK(!tls->request_client_certificate || tls->client_trust_store != nullptr,
                "TLS server asks for client certificates without a trust store");
  }
  listening_[local] = Listening{&listener, std::move(tls)};
}

std::optional<ConnectionId> TcpTransport::connect(HostId from, const SocketAddress& to, ConnectionListener& listener,
                                                  ConnectOptions options) {
  const auto address = network_.address_of(from, to.ip.family());
  if (!address) return std::nullopt;
  DRSIM_CHECK(!options.tls || options.tls->trust_store != nullptr, "TLS client without a trust store");
  const std::size_t slot = connections_.size();
  Connection& connection = connections_.emplace_back();
  End& client = connection.ends[0];
  client.local = {*address, options.local_port ? *options.local_port : next_ephemeral_port(from)};
  client.host = from;
  client.listener = &listener;
  client.state = ConnectionState::SynSent;
  End& server = connection.ends[1];
  server.local = to;
  server.host = network_.host_at(to.ip).value_or(kNoHost);
  connection.client_tls = std::move(options.tls);
  send_syn(slot);
  return ConnectionId{slot} << 1;
}

bool TcpTransport::send(ConnectionId end, std::string bytes) {
  if (!can_send(end_of(end))) return false;
  if (!bytes.empty()) enqueue(end, Segment{Signal::Data, std::move(bytes)});
  return true;
}

void TcpTransport::close(ConnectionId end) {
  End& closing = end_of(end);
  if (closing.state == ConnectionState::SynSent) {
    connection_of(end).syn_timer.cancel();
    closing.state = ConnectionState::Closed;
    return;
  }
  if (closing.state != ConnectionState::Established) return;
  closing.state = ConnectionState::Closing;  // before enqueue: a delivered FIN completes the close
  enqueue(end, Segment{Signal::Fin, {}});
}

void TcpTransport::reset(ConnectionId end) {
  End& resetting = end_of(end);
  if (resetting.state == ConnectionState::SynSent) {
    connection_of(end).syn_timer.cancel();
    resetting.state = ConnectionState::Closed;
    return;
  }
  if (resetting.state != ConnectionState::Established && resetting.state != ConnectionState::Closing) return;
  discard_outbound(resetting);
  resetting.state = ConnectionState::Closed;
  send_rst(end, network_.simulation().now());
}

ConnectionInfo TcpTransport::connection(ConnectionId end) const {
  const End& local = end_of(end);
  const End& remote = end_of(peer_of(end));
  return {local.local, remote.local, local.host, local.state, local.tls, local.retransmission_timeout, can_send(local)};
}

const Certificate* TcpTransport::peer_certificate(ConnectionId end) const {
  if (end_of(end).tls != TlsState::Established) return nullptr;
  const Connection& connection = connections_.at(slot_of(end));
  const bool accepting_end = (end & 1) == 1;
  const std::optional<Certificate>& presented = accepting_end ? connection.client_presented : connection.server_presented;
  return presented ? &*presented : nullptr;
}

bool TcpTransport::can_send(const End& end) const {
  return end.state == ConnectionState::Established && (end.tls == TlsState::None || end.tls == TlsState::Established);
}

std::uint16_t TcpTransport::next_ephemeral_port(HostId host) {
  std::uint16_t& next = next_ports_.try_emplace(host, kFirstEphemeralPort).first->second;
  const std::uint16_t port = next;
  next = port == 65535 ? kFirstEphemeralPort : static_cast<std::uint16_t>(port + 1);
  return port;
}

sim::Time TcpTransport::timeout_after_handshake(sim::Time round_trip, bool repeated) const {
  // RFC 6298 §5.7: a repeated SYN gives no usable sample (Karn), and the RTO starts at 3 s.
  const sim::Time timeout = repeated ? sim::Time::from_seconds(3) : round_trip * 3;
  return std::clamp(timeout, settings_.minimum_retransmission_timeout, settings_.maximum_retransmission_timeout);
}

PacketKind TcpTransport::packet_kind(Signal signal) {
  switch (signal) {
    case Signal::Ack: return PacketKind::Ack;
    case Signal::Data: return PacketKind::Data;
    case Signal::Fin: return PacketKind::Fin;
    case Signal::Syn: return PacketKind::Syn;
    case Signal::SynAck: return PacketKind::SynAck;
    case Signal::Rst: return PacketKind::Rst;
    case Signal::TlsAlert: return PacketKind::TlsAlert;
    default: return PacketKind::TlsHandshake;
  }
}

void TcpTransport::record(Signal signal, const End& from, const End& to, std::string_view bytes, const Transit& transit) const {
  if (!network_.observed()) return;
  network_.record({network_.simulation().now(), packet_kind(signal), from.local, to.local, bytes.size(), 1, transit, bytes});
}

// ---- connecting

void TcpTransport::send_syn(std::size_t slot) {
  Connection& connection = connections_[slot];
  const End& client = connection.ends[0];
  const End& server = connection.ends[1];
  sim::Simulation& simulation = network_.simulation();
  ++connection.syns_sent;
  connection.last_syn_sent = simulation.now();
  Transit transit{PathFate::NoRoute, {}};
  if (server.host != kNoHost)
    transit = network_.transit(client.host, server.host, {client.local, server.local, TransportProtocol::Tcp, true});
  record(Signal::Syn, client, server, {}, transit);
  const ConnectionId client_end = ConnectionId{slot} << 1;
  if (transit.fate == PathFate::Delivered) schedule(peer_of(client_end), Signal::Syn, simulation.now() + transit.delay);
  if (transit.fate == PathFate::Rejected) schedule(client_end, Signal::Rst, simulation.now() + transit.delay);
  const sim::Time wait = settings_for(client.host).syn_waits[connection.syns_sent - 1];
  connection.syn_timer = simulation.schedule_timer(simulation.now() + wait, actor_of(client.host), [this, slot] { on_syn_timer(slot); });
}

void TcpTransport::on_syn_timer(std::size_t slot) {
  Connection& connection = connections_[slot];
  End& client = connection.ends[0];
  if (client.state != ConnectionState::SynSent) return;
  if (connection.syns_sent < settings_for(client.host).syn_waits.size()) {
    send_syn(slot);
    return;
  }
  client.state = ConnectionState::Closed;
  notify(ConnectionId{slot} << 1, ConnectionEventKind::TimedOut);
}

void TcpTransport::on_syn(ConnectionId server_end) {
  Connection& connection = connection_of(server_end);
  End& server = connection.ends[1];
  const End& client = connection.ends[0];
  const Host& host = network_.host(server.host);
  // A host that went down while the SYN travelled does not answer; a client that gave up
  // would answer the SYN-ACK with a RST, which ends in the same place.
  if (host.down || client.state != ConnectionState::SynSent) return;
  sim::Simulation& simulation = network_.simulation();
  if (server.state == ConnectionState::Idle) {
    const auto listening = listening_.find(server.local);
    if (listening == listening_.end() || host.refusing) {
      send_rst(server_end, simulation.now());  // RFC 9293 §3.5.2: a SYN to a closed port
      return;
    }
    server.state = ConnectionState::SynReceived;
    server.listener = listening->second.listener;
    connection.server_tls = listening->second.tls;
    // From now on, bytes that are no ClientHello break the handshake (see attempt()).
    if (connection.server_tls) server.tls = TlsState::Handshaking;
  }
  if (server.state != ConnectionState::SynReceived) return;  // a repeated SYN, already answered
  ++connection.syn_acks_sent;
  connection.last_syn_ack_sent = simulation.now();
  const Transit transit = network_.transit(server.host, client.host, {server.local, client.local, TransportProtocol::Tcp, true});
  record(Signal::SynAck, server, client, {}, transit);
  // A lost or filtered SYN-ACK leaves it to the client to repeat its SYN.
  if (transit.fate == PathFate::Delivered) schedule(peer_of(server_end), Signal::SynAck, simulation.now() + transit.delay);
}

void TcpTransport::on_syn_ack(ConnectionId client_end) {
  Connection& connection = connection_of(client_end);
  End& client = connection.ends[0];
  if (client.state != ConnectionState::SynSent) return;
  connection.syn_timer.cancel();
  client.state = ConnectionState::Established;
  const sim::Time round_trip = network_.simulation().now() - connection.last_syn_sent;
  client.retransmission_timeout = timeout_after_handshake(round_trip, connection.syns_sent > 1);
  enqueue(client_end, Segment{Signal::Ack, {}});
  if (connection.client_tls) {
    client.tls = TlsState::Handshaking;
    enqueue(client_end, Segment{Signal::TlsClientHello, {}});
  }
  notify(client_end, ConnectionEventKind::Connected);
}

void TcpTransport::on_ack(ConnectionId server_end) {
  Connection& connection = connection_of(server_end);
  End& server = connection.ends[1];
  if (server.state != ConnectionState::SynReceived) return;
  server.state = ConnectionState::Established;
  const sim::Time round_trip = network_.simulation().now() - connection.last_syn_ack_sent;
  server.retransmission_timeout = timeout_after_handshake(round_trip, connection.syn_acks_sent > 1);
  notify(server_end, ConnectionEventKind::Accepted);
}

void TcpTransport::send_rst(ConnectionId from, sim::Time sent_at) {
  End& sender = end_of(from);
  const End& receiver = end_of(peer_of(from));
  if (receiver.host == kNoHost) return;
  const Transit transit = network_.transit(sender.host, receiver.host, {sender.local, receiver.local, TransportProtocol::Tcp, true},
                                           1, RandomLoss::Exempt);
  record(Signal::Rst, sender, receiver, {}, transit);
  if (transit.fate != PathFate::Delivered) return;
  Direction& direction = sender.outbound;
  direction.last_arrival = std::max(sent_at + transit.delay, direction.last_arrival);
  schedule(peer_of(from), Signal::Rst, direction.last_arrival);
}

void TcpTransport::on_rst(ConnectionId end) {
  Connection& connection = connection_of(end);
  End& receiver = end_of(end);
  switch (receiver.state) {
    case ConnectionState::SynSent:
      connection.syn_timer.cancel();
      receiver.state = ConnectionState::Closed;
      notify(end, ConnectionEventKind::Refused);
      return;
    case ConnectionState::SynReceived:  // never accepted: nobody to tell
    case ConnectionState::Closing:
      discard_outbound(receiver);
      receiver.state = ConnectionState::Closed;
      return;
    case ConnectionState::Established:
      discard_outbound(receiver);
      receiver.state = ConnectionState::Closed;
      notify(end, ConnectionEventKind::Reset);
      return;
    case ConnectionState::Idle:
    case ConnectionState::Closed:
      return;
  }
}

void TcpTransport::on_fin(ConnectionId end) {
  End& receiver = end_of(end);
  if (receiver.state == ConnectionState::Closing) receiver.state = ConnectionState::Closed;  // both closed at once
  if (receiver.state != ConnectionState::Established) return;
  discard_outbound(receiver);
  receiver.state = ConnectionState::Closed;
  notify(end, ConnectionEventKind::Closed);
}

// ---- the segment queue of one direction

void TcpTransport::enqueue(ConnectionId from, Segment segment) {
  Direction& direction = end_of(from).outbound;
  if (direction.waiting_head < direction.waiting.size()) {
    direction.waiting.push_back(std::move(segment));  // behind a lost one: wait your turn
    return;
  }
  if (attempt(from, segment)) return;
  direction.waiting.clear();
  direction.waiting_head = 0;
  direction.waiting.push_back(std::move(segment));
  direction.retransmissions = 0;
  arm_retransmission(from);
}

// Sends one segment now. False when it vanished (the caller retransmits); true when it arrives
// or was answered with a RST. Moves the bytes out only when they are delivered.
bool TcpTransport::attempt(ConnectionId from, Segment& segment) {
  End& sender = end_of(from);
  const End& receiver = end_of(peer_of(from));
  sim::Simulation& simulation = network_.simulation();
  Transit transit{PathFate::NoRoute, {}};
  if (receiver.host != kNoHost)
    transit = network_.transit(sender.host, receiver.host, {sender.local, receiver.local, TransportProtocol::Tcp, true});
  record(segment.kind, sender, receiver, segment.bytes, transit);
  if (transit.fate == PathFate::Rejected) {
    schedule(from, Signal::Rst, simulation.now() + transit.delay);  // a filter answered for the peer
    return true;
  }
  if (transit.fate != PathFate::Delivered) return false;

  Direction& direction = sender.outbound;
  const sim::Time arrival = std::max(simulation.now() + transit.delay, direction.last_arrival);
  direction.last_arrival = arrival;
  const bool final_segment = segment.kind == Signal::Fin || segment.kind == Signal::TlsAlert;
  if (final_segment && sender.state == ConnectionState::Closing) sender.state = ConnectionState::Closed;
  const ConnectionId to = peer_of(from);
  if (receiver.state == ConnectionState::Closing || receiver.state == ConnectionState::Closed) {
    send_rst(to, arrival);  // RFC 9293 §3.5.2: nobody reads this connection any more
  } else if (segment.kind != Signal::Data) {
    schedule(to, segment.kind, arrival);
  } else if (receiver.tls == TlsState::Handshaking) {
    schedule(to, Signal::TlsGarbage, arrival);  // plain bytes where TLS was expected
  } else {
    simulation.deliver(arrival, actor_of(receiver.host), sim::Delivery{actor_of(sender.host), to, std::move(segment.bytes)});
  }
  return true;
}

void TcpTransport::arm_retransmission(ConnectionId from) {
  End& sender = end_of(from);
  Direction& direction = sender.outbound;
  // RFC 6298 §5.5: back off by doubling, capped (§2.5 allows a maximum).
  sim::Time wait = sender.retransmission_timeout;
  for (std::uint32_t i = 0; i < direction.retransmissions && wait < settings_.maximum_retransmission_timeout; ++i) wait = wait * 2;
  wait = std::min(wait, settings_.maximum_retransmission_timeout);
  sim::Simulation& simulation = network_.simulation();
  direction.retransmission_timer =
      simulation.schedule_timer(simulation.now() + wait, actor_of(sender.host), [this, from] { on_retransmission_timer(from); });
}

void TcpTransport::on_retransmission_timer(ConnectionId from) {
  const End& sender = end_of(from);
  Direction& direction = end_of(from).outbound;
  if (direction.waiting_head == direction.waiting.size()) return;
  // The sender's own limit: a Windows proxy gives up after 5, a Linux SBC after 15.
  if (direction.retransmissions == settings_for(sender.host).data_retransmissions) {
    give_up(from);
    return;
  }
  ++direction.retransmissions;
  if (!attempt(from, direction.waiting[direction.waiting_head])) {
    arm_retransmission(from);
    return;
  }
  // Through: what waited behind it follows at once, and a new loss starts a fresh backoff.
  ++direction.waiting_head;
  direction.retransmissions = 0;
  while (direction.waiting_head < direction.waiting.size()) {
    if (!attempt(from, direction.waiting[direction.waiting_head])) {
      arm_retransmission(from);
      return;
    }
    ++direction.waiting_head;
  }
  direction.waiting.clear();
  direction.waiting_head = 0;
}

void TcpTransport::give_up(ConnectionId from) {
  End& sender = end_of(from);
  discard_outbound(sender);
  const bool user_knows_it_is_closed = sender.state == ConnectionState::Closing || sender.state == ConnectionState::Closed;
  sender.state = ConnectionState::Closed;
  if (!user_knows_it_is_closed) notify(from, ConnectionEventKind::TimedOut);
}

void TcpTransport::lose_connections(HostId host) {
  for (std::size_t slot = 0; slot < connections_.size(); ++slot) {
    for (ConnectionId side = 0; side < 2; ++side) {
      const ConnectionId end = (ConnectionId{slot} << 1) | side;
      End& lost = end_of(end);
      if (lost.host != host || lost.state == ConnectionState::Idle || lost.state == ConnectionState::Closed) continue;
      const bool user_knows_it_is_closed = lost.state == ConnectionState::Closing;
      if (side == 0) connections_[slot].syn_timer.cancel();
      discard_outbound(lost);
      lost.state = ConnectionState::Closed;
      if (!user_knows_it_is_closed) notify_later(end, ConnectionEventKind::Reset);
    }
  }
}

void TcpTransport::discard_outbound(End& end) {
  end.outbound.waiting.clear();
  end.outbound.waiting_head = 0;
  end.outbound.retransmissions = 0;
  end.outbound.retransmission_timer.cancel();
}

// ---- arrivals and events

void TcpTransport::schedule(ConnectionId to, Signal signal, sim::Time at) {
  // One 64-bit token beside `this` keeps the callback inside std::function's local buffer:
  // no heap allocation per event.
  const std::uint64_t token = (to << 8) | static_cast<std::uint8_t>(signal);
  network_.simulation()
      .schedule_timer(at, actor_of(end_of(to).host), [this, token] { on_signal(token >> 8, static_cast<Signal>(token & 0xff)); })
      .release();
}

void TcpTransport::on_signal(ConnectionId to, Signal signal) {
  switch (signal) {
    case Signal::Syn: return on_syn(to);
    case Signal::SynAck: return on_syn_ack(to);
    case Signal::Ack: return on_ack(to);
    case Signal::Rst: return on_rst(to);
    case Signal::Fin: return on_fin(to);
    case Signal::TlsClientHello: return on_client_hello(to);
    case Signal::TlsServerHello: return on_server_hello(to);
    case Signal::TlsExchange: return on_tls_exchange(to);
    case Signal::TlsClientFinished: return on_client_finished(to);
    case Signal::TlsServerFinished: return on_server_finished(to);
    case Signal::TlsGarbage:
      if (end_of(to).state == ConnectionState::Established && end_of(to).tls == TlsState::Handshaking)
        fail_handshake(to, SchannelStatus::IllegalMessage);
      return;
    case Signal::TlsAlert: return on_tls_alert(to);
    case Signal::Data: DRSIM_CHECK(false, "data segments are delivered, not signalled");
  }
}

void TcpTransport::notify(ConnectionId end, ConnectionEventKind kind) {
  const End& told = end_of(end);
  if (told.listener == nullptr) return;
  const SchannelStatus status = kind == ConnectionEventKind::TlsFailed ? told.tls_status : SchannelStatus::Ok;
  told.listener->on_connection_event({end, kind, status});
}

void TcpTransport::notify_later(ConnectionId end, ConnectionEventKind kind) {
  // For events that API calls cause: listeners are never called from inside those calls.
  const std::uint64_t token = (end << 8) | static_cast<std::uint8_t>(kind);
  sim::Simulation& simulation = network_.simulation();
  simulation
      .schedule_timer(simulation.now(), actor_of(end_of(end).host),
                      [this, token] { notify(token >> 8, static_cast<ConnectionEventKind>(token & 0xff)); })
      .release();
}

}  // namespace net
