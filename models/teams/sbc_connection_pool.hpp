#pragma once
// The Microsoft proxy's own TLS connections to SBCs: one per SBC signalling address (FQDN and
// port), opened on demand (resolve the FQDN, TCP connect, TLS handshake with the SBC FQDN as the
// name to check) and reused by every later request to that address. Requests from Microsoft to
// an SBC never ride on the connections SBCs open toward Microsoft (wire contract of
// models-common: "the proxy resolves the SBC FQDN, opens (or reuses) a TLS connection").
//
// A pooled connection the SBC drops while it is idle is remembered as lost, like Microsoft's
// TlsTransport left in State=Disconnected: the next request finds it so and fails with 549002
// (or 569002 "TLS decryption failed" when its TLS context expired), and the request after that
// opens a new connection. The failure is told to exactly one request.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/dns/dns_resolver.hpp"
#include "models/teams/delivery_failure.hpp"
#include "models/teams/microsoft_response_codes.hpp"
#include "sim/net/sip_endpoint.hpp"

namespace teams {

class SbcConnectionPool {
 public:
  struct Acquired {
    std::optional<net::ConnectionId> connection;  // usable now; empty when `failure` says why not
    bool reused = false;                          // it was established before this request asked
    MicrosoftOutcome failure = MicrosoftOutcome::TlsTransportDisconnected;
  };
  using Callback = std::function<void(const Acquired&)>;

  // What the proxy presents and trusts as a TLS client. The pointees must outlive the pool.
  struct TlsIdentity {
    const net::TrustStore* trust_store = nullptr;
    const net::Certificate* certificate = nullptr;
  };

  SbcConnectionPool(net::SipEndpoint& endpoint, dns::DnsResolver& resolver, TlsIdentity identity);

  // Calls back once with a connection to fqdn:port or the reason there is none: at once when the
  // pool holds an established (or lost) connection, else after DNS, TCP and TLS. The callback may
  // call acquire() again.
  void acquire(std::string_view fqdn, std::uint16_t port, Callback callback);

  // The proxy hands every connection event here first; false when the connection is not the pool's.
  bool on_connection_event(const net::ConnectionEvent& event);
  // Stops offering `connection`: a request in flight on it has already reported its loss (the
  // next request opens a new connection instead of being told again), or the proxy reset it
  // itself (unparsable bytes, RFC 3261 §18.3), which raises no event at this end.
  void forget(net::ConnectionId connection);

  bool owns(net::ConnectionId connection) const { return owner_of_.contains(connection); }
  std::size_t established_count() const;

 private:
  // Idle: no connection. Lost: the established connection ended; the next request hears it.
  enum class State : std::uint8_t { Idle, Resolving, Connecting, Handshaking, Established, Lost };
  using TargetKey = std::pair<std::string, std::uint16_t>;  // lower-case FQDN, port
  struct Target {
    State state = State::Idle;
    std::optional<net::ConnectionId> connection;
    std::vector<Callback> waiting;
    MicrosoftOutcome loss = MicrosoftOutcome::TlsTransportDisconnected;
  };

  void on_resolved(const TargetKey& key, const dns::DnsAnswer& answer);
  void connect(const TargetKey& key, const net::IpAddress& address);
  void on_connection_ended(Target& target, const net::ConnectionEvent& event);
  void fail_waiting(Target& target, MicrosoftOutcome failure);
  void serve_waiting(Target& target);
  void drop_connection(Target& target);

  net::SipEndpoint& endpoint_;
  dns::DnsResolver& resolver_;
  TlsIdentity identity_;
  std::map<TargetKey, Target> targets_;  // ordered: never a hash order
  std::map<net::ConnectionId, TargetKey> owner_of_;
};

}  // namespace teams
