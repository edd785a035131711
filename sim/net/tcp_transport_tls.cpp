// TcpTransport's TLS handshake (RFC 5246 §7.3 message flights; the timing is in the header) and
// the fault hooks. Flights travel as segments of the connection, so they keep its order, can be
// lost and are retransmitted like data.
#include "sim/core/simulation.hpp"
#include "sim/net/tcp_transport.hpp"

namespace net {

void TcpTransport::on_client_hello(ConnectionId server_end) {
  Connection& connection = connection_of(server_end);
  if (connection.ends[1].state != ConnectionState::Established) return;
  // A plain TCP listener, or a host under fault tls_illegal_message, answers with bytes that
  // are no ServerHello.
  if (!connection.server_tls || tls_illegal_message_.count(connection.ends[1].host) != 0) {
    enqueue(server_end, Segment{Signal::TlsGarbage, {}});
    return;
  }
  const std::uint32_t round_trips = handshake_round_trips(connection);
  connection.tls_exchanges_left = round_trips > 2 ? round_trips - 2 : 0;
  // ServerHello, Certificate, [CertificateRequest,] ServerHelloDone (RFC 5246 §7.3).
  enqueue(server_end, Segment{Signal::TlsServerHello, {}});
}

void TcpTransport::on_server_hello(ConnectionId client_end) {
  Connection& connection = connection_of(client_end);
  End& client = connection.ends[0];
  if (client.state != ConnectionState::Established || client.tls != TlsState::Handshaking) return;
  const TlsClientSettings& settings = *connection.client_tls;
  const SchannelStatus status = validate_server_certificate(*connection.server_tls->certificate, *settings.trust_store,
                                                            network_.utc_now(), settings.server_name);
  if (status != SchannelStatus::Ok) {
    fail_handshake(client_end, status);
    return;
  }
  connection.server_presented = *connection.server_tls->certificate;
  if (handshake_round_trips(connection) == 1) {
    // One round trip (TLS 1.3, RFC 8446 §2): the client's Finished ends the handshake for it.
    enqueue(client_end, Segment{Signal::TlsClientFinished, {}});
    client.tls = TlsState::Established;
    notify(client_end, ConnectionEventKind::TlsEstablished);
    return;
  }
  send_client_finished(client_end);
}

void TcpTransport::on_tls_exchange(ConnectionId end) {
  Connection& connection = connection_of(end);
  End& receiver = end_of(end);
  if (receiver.state != ConnectionState::Established || receiver.tls != TlsState::Handshaking) return;
  if ((end & 1) == 1) {
    enqueue(end, Segment{Signal::TlsExchange, {}});  // the server answers each extra flight
    return;
  }
  --connection.tls_exchanges_left;
  send_client_finished(end);
}

void TcpTransport::send_client_finished(ConnectionId client_end) {
  // Round trips beyond TLS 1.2's two are spent before the client's final flight.
  const Signal next = connection_of(client_end).tls_exchanges_left > 0 ? Signal::TlsExchange : Signal::TlsClientFinished;
  enqueue(client_end, Segment{next, {}});
}

void TcpTransport::on_client_finished(ConnectionId server_end) {
  Connection& connection = connection_of(server_end);
  End& server = connection.ends[1];
  if (server.state != ConnectionState::Established || server.tls != TlsState::Handshaking) return;
  const TlsServerSettings& settings = *connection.server_tls;
  if (settings.request_client_certificate) {
    // RFC 5246 §7.4.6: the client's Certificate leads its final flight. Sending none to a server
    // that requires one is a handshake failure; Schannel has no closer code than this one.
    const Certificate* certificate = connection.client_tls ? connection.client_tls->certificate : nullptr;
    const SchannelStatus status = certificate == nullptr
                                      ? SchannelStatus::IllegalMessage
                                      : validate_client_certificate(*certificate, *settings.client_trust_store, network_.utc_now());
    if (status != SchannelStatus::Ok) {
      fail_handshake(server_end, status);
      return;
    }
    connection.client_presented = *certificate;
  }
  server.tls = TlsState::Established;
  // ChangeCipherSpec and Finished; with one round trip the server sent them in its first flight.
  if (handshake_round_trips(connection) >= 2) enqueue(server_end, Segment{Signal::TlsServerFinished, {}});
  notify(server_end, ConnectionEventKind::TlsEstablished);
}

void TcpTransport::on_server_finished(ConnectionId client_end) {
  End& client = end_of(client_end);
  if (client.state != ConnectionState::Established || client.tls != TlsState::Handshaking) return;
  client.tls = TlsState::Established;
  notify(client_end, ConnectionEventKind::TlsEstablished);
}

void TcpTransport::fail_handshake(ConnectionId end, SchannelStatus status) {
  End& failing = end_of(end);
  failing.tls = TlsState::Failed;
  failing.tls_status = status;
  failing.state = ConnectionState::Closing;  // RFC 5246 §7.2.2: a fatal alert, then close
  enqueue(end, Segment{Signal::TlsAlert, {}});
  notify(end, ConnectionEventKind::TlsFailed);
}

void TcpTransport::on_tls_alert(ConnectionId end) {
  End& receiver = end_of(end);
  if (receiver.state != ConnectionState::Established) return;
  discard_outbound(receiver);
  receiver.state = ConnectionState::Closed;
  if (receiver.tls == TlsState::None) {
    notify(end, ConnectionEventKind::Reset);  // a plain TCP end sees the connection end
    return;
  }
  // Schannel reports the peer's alert as a message it did not expect.
  receiver.tls = TlsState::Failed;
  receiver.tls_status = SchannelStatus::IllegalMessage;
  notify(end, ConnectionEventKind::TlsFailed);
}

// ---- fault hooks

void TcpTransport::set_tls_illegal_message(HostId host, bool on) {
  if (on) {
    tls_illegal_message_.insert(host);
  } else {
    tls_illegal_message_.erase(host);
  }
}

void TcpTransport::expire_tls_contexts(HostId host) {
  for (std::size_t slot = 0; slot < connections_.size(); ++slot) {
    for (ConnectionId side = 0; side < 2; ++side) {
      const ConnectionId end = (ConnectionId{slot} << 1) | side;
      const End& candidate = end_of(end);
      if (candidate.host != host || candidate.tls != TlsState::Established || candidate.state != ConnectionState::Established) continue;
      const End& peer = end_of(peer_of(end));
      if (peer.tls == TlsState::Established && peer.state == ConnectionState::Established)
        fail_tls(peer_of(end), SchannelStatus::ContextExpired);
    }
  }
}

void TcpTransport::disconnect_tls(HostId host) {
  for (std::size_t slot = 0; slot < connections_.size(); ++slot) {
    for (ConnectionId side = 0; side < 2; ++side) {
      const ConnectionId end = (ConnectionId{slot} << 1) | side;
      const End& candidate = end_of(end);
      if (candidate.host != host || candidate.tls == TlsState::None || candidate.state != ConnectionState::Established) continue;
      reset(end);
      notify_later(end, ConnectionEventKind::Reset);
    }
  }
}

void TcpTransport::fail_tls(ConnectionId end, SchannelStatus status) {
  End& failing = end_of(end);
  if (failing.state != ConnectionState::Established || failing.tls == TlsState::None) return;
  failing.tls = TlsState::Failed;
  failing.tls_status = status;
  failing.state = ConnectionState::Closing;
  enqueue(end, Segment{Signal::TlsAlert, {}});
  notify_later(end, ConnectionEventKind::TlsFailed);
}

}  // namespace net
