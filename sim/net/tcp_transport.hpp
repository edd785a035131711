#pragma once
// TCP connections (RFC 9293) and TLS over them, at the detail SIP over TCP/TLS notices: when a
// connect succeeds, is refused or gives up; that bytes arrive whole and in order; when a peer
// goes away; whether the TLS handshake passes. No windows or congestion control: one send()
// is one segment, sent at once.
//
// Models hear events through ConnectionListener::on_connection_event, called from a simulation
// timer at the instant the event happens, never from inside a TcpTransport call. Bytes go
// through sim::Simulation::deliver to the receiving host's actor, with the receiving end's
// ConnectionId as the channel (channel.hpp), so the kernel's fingerprint sees them. Pending
// events point at the transport: it must outlive the run.
//
// Connecting (RFC 9293 §3.5), for a SYN sent at t0 over a path of round trip RTT:
//  * SYN-ACK back: the client hears Connected at t0 + RTT and sends the ACK at once (with the
//    ClientHello for TLS); the server hears Accepted when that ACK arrives, t0 + 1.5 RTT, the
//    instant accept() returns on a BSD socket.
//  * No listener, a refusing host or a Reject verdict: a RST comes back; the client hears Refused
//    when it arrives, t0 + RTT (at once when its own filter rejects the SYN).
//  * Nothing comes back (Drop verdict, down host, lost SYN or SYN-ACK): the SYN is sent again
//    after each wait of TcpSettings::syn_waits but the last, and the client hears TimedOut after
//    the last. Defaults 1, 2, 4, 8, 16, 32 s: SYNs at 0, 1, 3, 7, 15 and 31 s, TimedOut at 63 s,
//    as Linux with net.ipv4.tcp_syn_retries = 5 and RFC 6298 §2.1's initial RTO of 1 s.
// Sending:
//  * In order: a segment never arrives before one sent earlier the same way, whatever the jitter
//    (its arrival is held to at least the previous one's).
//  * A lost segment is sent again after the retransmission timeout, which doubles with every
//    loss of the same segment (RFC 6298 §5.5) up to maximum_retransmission_timeout; later
//    segments wait behind it. RTO = max(minimum_retransmission_timeout, 3 × the handshake's
//    RTT) (RFC 6298 §2.2 with SRTT = R and RTTVAR = R/2), or 3 s when the SYN had to be repeated
//    (§5.7); it is not re-estimated later.
//  * After data_retransmissions resends fail, the sender hears TimedOut one more backoff later
//    and the connection is gone. That is how a peer that went down, or a firewall that started
//    dropping, is noticed: only when there is something to send, as in real TCP without
//    keep-alives. Defaults 200 ms, 120 s and 15: 924.6 s for a 200 ms RTO (Linux tcp_retries2).
// Closing: close() sends a FIN after what is queued; the peer hears Closed when it arrives.
// reset() sends a RST at once and drops what is queued; the peer hears Reset. Either way both
// ends are then closed both ways (no half-close). Bytes that reach a closed end are answered
// with a RST: their sender hears Reset. The receiving end's state is judged when bytes are
// sent, so bytes already in flight when an end closes are still delivered; receivers ignore
// channels they have closed.
//
// TLS (RFC 5246; TlsSettings::handshake_round_trips, default 2 = TLS 1.2 full handshake):
// counted from the client's Connected instant t1,
//  * t1 + 1 RTT: the server's first flight arrives (its certificate, and a CertificateRequest
//    when it asks for the client's, as Microsoft's proxy does); the client validates it with
//    validate_server_certificate against the name it dialled;
//  * (N − 2) further round trips for N > 2, then the client sends its final flight (its
//    certificate when asked, Finished) at t1 + (N − 1) RTT, or at t1 + 1 RTT when N = 1, where
//    the client counts as established at once (TLS 1.3 style);
//  * the server validates the client certificate (validate_client_certificate) when that flight
//    arrives, half a round trip later, hears TlsEstablished and, for N ≥ 2, sends its Finished;
//  * the client hears TlsEstablished when the server's Finished arrives: t1 + N RTT.
// A failed check makes that side hear TlsFailed with the Schannel status, send an alert and
// close; the other side hears TlsFailed with SEC_E_ILLEGAL_MESSAGE when the alert arrives (as
// Schannel reports a peer's alert). Bytes can be sent once the end hears TlsEstablished.
// Handshake flights are segments like data: they keep the order, can be lost and are resent.
// A TLS client at a plain listener gets bytes that are no ServerHello, and plain bytes at a TLS
// listener are no ClientHello: either way the TLS side fails with SEC_E_ILLEGAL_MESSAGE.
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/core/timer.hpp"
#include "sim/net/certificate.hpp"
#include "sim/net/channel.hpp"
#include "sim/net/network.hpp"

namespace net {

enum class ConnectionEventKind : std::uint8_t {
  Connected,       // client: the TCP handshake completed
  Accepted,        // server: a new connection (its ConnectionId is new to the listener)
  Refused,         // client: RST in answer to the SYN
  TimedOut,        // the connect or a retransmission gave up
  Closed,          // the peer closed (FIN)
  Reset,           // a RST: the peer reset, bytes reached a closed peer, a filter rejected
                   // them, or disconnect_tls tore the connection down
  TlsEstablished,  // the handshake completed at this end: bytes may flow
  TlsFailed,       // this end's check failed, or the peer sent an alert; see tls_status
};

// The events after which a connection carries nothing more (its flow has failed).
constexpr bool ends_connection(ConnectionEventKind kind) {
  return kind == ConnectionEventKind::Refused || kind == ConnectionEventKind::TimedOut ||
         kind == ConnectionEventKind::Closed || kind == ConnectionEventKind::Reset ||
         kind == ConnectionEventKind::TlsFailed;
}

struct ConnectionEvent {
  ConnectionId connection = 0;
  ConnectionEventKind kind = ConnectionEventKind::Connected;
  SchannelStatus tls_status = SchannelStatus::Ok;  // TlsFailed only
};

class ConnectionListener {
 public:
  virtual ~ConnectionListener() = default;
  virtual void on_connection_event(const ConnectionEvent& event) = 0;
};

struct TlsSettings {
  std::uint32_t handshake_round_trips = 2;  // TLS 1.2 full handshake; 1 for TLS 1.3
};

struct TcpSettings {
  std::vector<sim::Time> syn_waits = {sim::Time::from_seconds(1), sim::Time::from_seconds(2),
                                      sim::Time::from_seconds(4), sim::Time::from_seconds(8),
                                      sim::Time::from_seconds(16), sim::Time::from_seconds(32)};
  sim::Time minimum_retransmission_timeout = sim::Time::from_milliseconds(200);  // Linux TCP_RTO_MIN
  sim::Time maximum_retransmission_timeout = sim::Time::from_seconds(120);       // Linux TCP_RTO_MAX
  std::uint32_t data_retransmissions = 15;                                       // Linux tcp_retries2
  TlsSettings tls;
};

// The client side of TLS. The pointed-to objects must outlive the connection; they are read
// when the handshake needs them, so a certificate fault applied meanwhile counts.
struct TlsClientSettings {
  std::string server_name;                   // the FQDN dialled, checked against the certificate
  const TrustStore* trust_store = nullptr;   // required
  const Certificate* certificate = nullptr;  // sent when the server asks; none: the server fails
};

struct TlsServerSettings {
  const Certificate* certificate = nullptr;       // required
  bool request_client_certificate = false;        // mutual TLS
  const TrustStore* client_trust_store = nullptr;  // required when requesting
};

struct ConnectOptions {
  std::optional<std::uint16_t> local_port;  // default: the host's next port from 49152 (RFC 6335)
  std::optional<TlsClientSettings> tls;
};

// RFC 9293 §3.3.2 names; Closing = this end sent its FIN (or TLS alert) and waits for it to get
// through. Idle: an accepting end whose SYN has not arrived.
enum class ConnectionState : std::uint8_t { Idle, SynSent, SynReceived, Established, Closing, Closed };
enum class TlsState : std::uint8_t { None, Handshaking, Established, Failed };

struct ConnectionInfo {
  SocketAddress local;
  SocketAddress remote;
  HostId host = 0;
  ConnectionState state = ConnectionState::Idle;
  TlsState tls = TlsState::None;
  sim::Time retransmission_timeout;
  bool can_send = false;
};

class TcpTransport {
 public:
  explicit TcpTransport(Network& network, TcpSettings settings = {});
  TcpTransport(const TcpTransport&) = delete;  // scheduled events point at it
  TcpTransport& operator=(const TcpTransport&) = delete;

  const TcpSettings& settings() const { return settings_; }
  // A host's own TCP stack (its SYN schedule and TLS version), where it differs from the
  // network-wide default: Microsoft's Windows proxies give up a connect after 21 s, Linux after
  // 63 s. Connects use the connecting host's SYN schedule; a TLS handshake takes the larger of
  // the two hosts' round trips (a TLS 1.2-only end holds both to 1.2).
  void set_host_settings(HostId host, TcpSettings settings);
  const TcpSettings& settings_for(HostId host) const;

  // `local` must be an address of some host. The listener hears Accepted and then everything
  // about the accepted connections; it must outlive them.
  void listen(const SocketAddress& local, ConnectionListener& listener, std::optional<TlsServerSettings> tls = std::nullopt);
  void stop_listening(const SocketAddress& local) { listening_.erase(local); }

  // Opens a connection from `from` to `to`; the listener hears everything about it and must
  // outlive it. nullopt when the host has no address of the destination's family.
  std::optional<ConnectionId> connect(HostId from, const SocketAddress& to, ConnectionListener& listener,
                                      ConnectOptions options = {});
  // False (and nothing sent) unless the end is established, and TLS established for TLS.
  bool send(ConnectionId end, std::string bytes);
  void close(ConnectionId end);
  void reset(ConnectionId end);
  ConnectionInfo connection(ConnectionId end) const;
  // The certificate the peer of `end` presented in a TLS handshake that `end` validated and
  // completed, as it was then: the server's for a connecting end, the client's for an accepting
  // end under mutual TLS. nullptr before TlsEstablished, without TLS, or when none was presented.
  const Certificate* peer_certificate(ConnectionId end) const;

  // ---- fault hooks
  // tls_illegal_message: as a TLS server, the host answers every ClientHello with garbage.
  void set_tls_illegal_message(HostId host, bool on);
  // sbc_down, datacenter_down: the host loses every connection, as a crash or restart does. Its
  // ends close without a word on the wire (the host is silent) and its user hears Reset; a
  // peer's next bytes that reach it, once it is back, are answered with a RST. Without this a
  // peer's retransmissions delivered stale requests after the host came back (a 15-minute-old
  // INVITE set up a ghost call).
  void lose_connections(HostId host);
  // sbc_tls_disconnected: every open TLS connection of the host is reset; both ends hear
  // Reset (the host's end at once, the peer when the RST arrives).
  void disconnect_tls(HostId host);
  // tls_context_expired: the host's TLS contexts expire, and its peers can no longer decrypt
  // what it sends: every established TLS connection of the host fails at the peer's end as
  // fail_tls does with SEC_I_CONTEXT_EXPIRED (Microsoft's "TLS decryption failed;
  // HRESULT=590615"). New handshakes are not affected.
  void expire_tls_contexts(HostId host);
  // E.g. tls_context_expired (SEC_I_CONTEXT_EXPIRED): the end hears TlsFailed with `status` at
  // once and sends an alert; the peer hears TlsFailed (SEC_E_ILLEGAL_MESSAGE) when it arrives.
  void fail_tls(ConnectionId end, SchannelStatus status);

 private:
  // What arrives or fires for an end; the first group travels in a Direction's queue.
  enum class Signal : std::uint8_t {
    Ack, Data, Fin, TlsClientHello, TlsServerHello, TlsExchange, TlsClientFinished, TlsServerFinished,
    TlsGarbage, TlsAlert,
    Syn, SynAck, Rst
  };
  struct Segment {
    Signal kind = Signal::Data;
    std::string bytes;
  };
  // The segments from one end to the other.
  struct Direction {
    sim::Time last_arrival;            // nothing sent later arrives earlier
    std::vector<Segment> waiting;      // behind a lost segment, oldest at waiting_head
    std::size_t waiting_head = 0;
    std::uint32_t retransmissions = 0;  // of the oldest waiting segment
    sim::TimerHandle retransmission_timer;
  };
  struct End {
    SocketAddress local;
    HostId host = kNoHost;
    ConnectionListener* listener = nullptr;
    ConnectionState state = ConnectionState::Idle;
    TlsState tls = TlsState::None;
    SchannelStatus tls_status = SchannelStatus::Ok;  // why TLS failed
    sim::Time retransmission_timeout;
    Direction outbound;
  };
  struct Connection {
    End ends[2];  // [0] connected, [1] accepted
    std::uint32_t syns_sent = 0;
    sim::Time last_syn_sent;
    sim::TimerHandle syn_timer;
    std::uint32_t syn_acks_sent = 0;
    sim::Time last_syn_ack_sent;
    std::optional<TlsClientSettings> client_tls;
    std::optional<TlsServerSettings> server_tls;
    // What each side presented, as it was when the other validated it: a certificate fault
    // applied later changes the store, not an established session (peer_certificate).
    std::optional<Certificate> server_presented;
    std::optional<Certificate> client_presented;
    std::uint32_t tls_exchanges_left = 0;
  };
  struct Listening {
    ConnectionListener* listener = nullptr;
    std::optional<TlsServerSettings> tls;
  };
  static constexpr HostId kNoHost = ~HostId{0};

  static std::size_t slot_of(ConnectionId end) { return static_cast<std::size_t>(end >> 1); }
  static ConnectionId peer_of(ConnectionId end) { return end ^ 1; }
  Connection& connection_of(ConnectionId end) { return connections_.at(slot_of(end)); }
  End& end_of(ConnectionId end) { return connection_of(end).ends[end & 1]; }
  const End& end_of(ConnectionId end) const { return connections_.at(slot_of(end)).ends[end & 1]; }
  bool can_send(const End& end) const;
  std::uint16_t next_ephemeral_port(HostId host);
  sim::ActorId actor_of(HostId host) const { return network_.host(host).description.actor; }
  sim::Time timeout_after_handshake(sim::Time round_trip, bool repeated) const;
  static PacketKind packet_kind(Signal signal);
  void record(Signal signal, const End& from, const End& to, std::string_view bytes, const Transit& transit) const;

  // Connecting
  void send_syn(std::size_t slot);
  void on_syn_timer(std::size_t slot);
  void on_syn(ConnectionId server);
  void on_syn_ack(ConnectionId client);
  void on_ack(ConnectionId server);
  void send_rst(ConnectionId from, sim::Time sent_at);
  void on_rst(ConnectionId end);

  // The ordered, retransmitting segment queue of each direction
  void enqueue(ConnectionId from, Segment segment);
  bool attempt(ConnectionId from, Segment& segment);
  void arm_retransmission(ConnectionId from);
  void on_retransmission_timer(ConnectionId from);
  void give_up(ConnectionId from);
  void discard_outbound(End& end);

  // Arrivals and events
  void schedule(ConnectionId to, Signal signal, sim::Time at);
  void on_signal(ConnectionId to, Signal signal);
  void on_fin(ConnectionId end);
  void notify(ConnectionId end, ConnectionEventKind kind);
  void notify_later(ConnectionId end, ConnectionEventKind kind);

  // TLS
  void on_client_hello(ConnectionId server);
  void on_server_hello(ConnectionId client);
  void on_tls_exchange(ConnectionId end);
  void send_client_finished(ConnectionId client);
  void on_client_finished(ConnectionId server);
  void on_server_finished(ConnectionId client);
  void fail_handshake(ConnectionId end, SchannelStatus status);
  void on_tls_alert(ConnectionId end);

  Network& network_;
  std::uint32_t handshake_round_trips(const Connection& connection) const;

  TcpSettings settings_;
  std::map<HostId, TcpSettings> host_settings_;
  std::deque<Connection> connections_;  // a deque: listeners may connect while we hold a reference
  std::map<SocketAddress, Listening> listening_;
  std::map<HostId, std::uint16_t> next_ports_;
  std::set<HostId> tls_illegal_message_;
};

}  // namespace net
