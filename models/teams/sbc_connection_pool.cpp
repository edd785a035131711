#include "models/teams/sbc_connection_pool.hpp"

#include "sim/core/check.hpp"

namespace teams {

SbcConnectionPool::SbcConnectionPool(net::SipEndpoint& endpoint, dns::DnsResolver& resolver, TlsIdentity identity)
    : endpoint_(endpoint), resolver_(resolver), identity_(identity) {
  DRSIM_CHECK(identity_.trust_store != nullptr, "the proxy needs a trust store to check SBC certificates");
}

void SbcConnectionPool::acquire(std::string_view fqdn, std::uint16_t port, Callback callback) {
  const TargetKey key{dns::normalize_dns_name(fqdn), port};
  Target& target = targets_[key];
  switch (target.state) {
    case State::Established:
      if (endpoint_.connection_usable(*target.connection)) return callback(Acquired{target.connection, true, {}});
      // Its end is already gone though the event has not reached us: found down all the same.
      drop_connection(target);
      return callback(Acquired{std::nullopt, false, MicrosoftOutcome::TlsTransportDisconnected});
    case State::Lost: {
      const MicrosoftOutcome loss = target.loss;
      drop_connection(target);
      return callback(Acquired{std::nullopt, false, loss});
    }
    case State::Idle:
      target.state = State::Resolving;
      target.waiting.push_back(std::move(callback));
      // RFC 3263 §4.2: an explicit port means an A/AAAA lookup, no SRV.
      resolver_.resolve(key.first, [this, key](const dns::DnsAnswer& answer) { on_resolved(key, answer); });
      return;
    case State::Resolving:
    case State::Connecting:
    case State::Handshaking:
      target.waiting.push_back(std::move(callback));
      return;
  }
}

void SbcConnectionPool::on_resolved(const TargetKey& key, const dns::DnsAnswer& answer) {
  Target& target = targets_.at(key);
  DRSIM_CHECK(target.state == State::Resolving, "a DNS answer for a target that was not resolving");
  if (answer.outcome != dns::DnsOutcome::Addresses || answer.addresses.empty()) {
    target.state = State::Idle;
    return fail_waiting(target, outcome_of_dns_failure(answer.outcome));
  }
  connect(key, answer.addresses.front());
}

void SbcConnectionPool::connect(const TargetKey& key, const net::IpAddress& address) {
  Target& target = targets_.at(key);
  net::ConnectOptions options;
  // The SBC's certificate must name the FQDN Microsoft dialled (RFC 2818 §3.1).
  options.tls = net::TlsClientSettings{key.first, identity_.trust_store, identity_.certificate};
  const auto connection = endpoint_.connect(net::SocketAddress{address, key.second}, std::move(options));
  if (!connection) {
    // The proxy's host has no address of the SBC's family: as good as no usable address record.
    target.state = State::Idle;
    return fail_waiting(target, MicrosoftOutcome::DnsNoAddress);
  }
  target.state = State::Connecting;
  target.connection = connection;
  owner_of_[*connection] = key;
}

bool SbcConnectionPool::on_connection_event(const net::ConnectionEvent& event) {
  const auto owner = owner_of_.find(event.connection);
  if (owner == owner_of_.end()) return false;
  Target& target = targets_.at(owner->second);
  if (target.connection != event.connection) return true;  // an older connection of the target
  switch (event.kind) {
    case net::ConnectionEventKind::Connected:
      target.state = State::Handshaking;
      break;
    case net::ConnectionEventKind::TlsEstablished:
      target.state = State::Established;
      serve_waiting(target);
      break;
    case net::ConnectionEventKind::Accepted:
      break;
    default:
      on_connection_ended(target, event);
      break;
  }
  return true;
}

void SbcConnectionPool::on_connection_ended(Target& target, const net::ConnectionEvent& event) {
  if (target.state == State::Lost) return;
  if (target.state == State::Established) {
    target.state = State::Lost;
    target.loss = outcome_of_connection_failure({ConnectionPhase::Established, event.kind, event.tls_status, true});
    return;
  }
  const ConnectionPhase phase =
      target.state == State::Connecting ? ConnectionPhase::Connecting : ConnectionPhase::TlsHandshake;
  drop_connection(target);
  fail_waiting(target, outcome_of_connection_failure({phase, event.kind, event.tls_status, false}));
}

void SbcConnectionPool::forget(net::ConnectionId connection) {
  const auto owner = owner_of_.find(connection);
  if (owner == owner_of_.end()) return;
  Target& target = targets_.at(owner->second);
  const bool holds = target.state == State::Established || target.state == State::Lost;
  if (holds && target.connection == connection) drop_connection(target);
}

std::size_t SbcConnectionPool::established_count() const {
  std::size_t count = 0;
  for (const auto& [key, target] : targets_) count += target.state == State::Established ? 1 : 0;
  return count;
}

void SbcConnectionPool::fail_waiting(Target& target, MicrosoftOutcome failure) {
  // Moved out first: a callback may ask for the same target again (failover to a second route
  // entry with the same address).
  std::vector<Callback> waiting = std::move(target.waiting);
  target.waiting.clear();
  for (Callback& callback : waiting) callback(Acquired{std::nullopt, false, failure});
}

void SbcConnectionPool::serve_waiting(Target& target) {
  std::vector<Callback> waiting = std::move(target.waiting);
  target.waiting.clear();
  const std::optional<net::ConnectionId> connection = target.connection;
  for (Callback& callback : waiting) callback(Acquired{connection, false, {}});
}

void SbcConnectionPool::drop_connection(Target& target) {
  // The connection id stays in owner_of_ so late events for it are recognised and ignored.
  target.state = State::Idle;
  target.connection.reset();
}

}  // namespace teams
