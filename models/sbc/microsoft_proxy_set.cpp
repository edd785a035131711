#include "models/sbc/microsoft_proxy_set.hpp"

#include <algorithm>
#include <utility>

namespace sbc {

std::string_view proxy_health_name(ProxyHealth health) {
  switch (health) {
    case ProxyHealth::Unknown: return "unknown";
    case ProxyHealth::Up: return "up";
    case ProxyHealth::Down: return "down";
  }
  return "unknown";
}

MicrosoftProxySet::MicrosoftProxySet(std::span<const std::string> fqdns, dns::DnsResolver& resolver,
                                     net::SipEndpoint& endpoint, TlsIdentity identity)
    : resolver_(resolver), endpoint_(endpoint), identity_(identity) {
  for (const std::string& fqdn : fqdns) entry_for(fqdn);
  configured_count_ = proxies_.size();
}

std::optional<std::size_t> MicrosoftProxySet::find(std::string_view fqdn) const {
  const std::string wanted = dns::normalize_dns_name(fqdn);
  for (std::size_t proxy = 0; proxy < proxies_.size(); ++proxy)
    if (proxies_[proxy].fqdn == wanted) return proxy;
  return std::nullopt;
}

std::size_t MicrosoftProxySet::entry_for(std::string_view fqdn) {
  if (const auto found = find(fqdn)) return *found;
  Proxy& added = proxies_.emplace_back();
  added.fqdn = dns::normalize_dns_name(fqdn);
  return proxies_.size() - 1;
}

std::optional<std::size_t> MicrosoftProxySet::first_available(sim::Time now, std::span<const std::size_t> tried) const {
  for (std::size_t proxy = 0; proxy < configured_count_; ++proxy) {
    const bool already_tried = std::find(tried.begin(), tried.end(), proxy) != tried.end();
    if (!already_tried && proxies_[proxy].health != ProxyHealth::Down && !quarantined(proxy, now)) return proxy;
  }
  return std::nullopt;
}

void MicrosoftProxySet::with_connection(std::size_t proxy, ConnectionCallback callback) {
  Proxy& entry = proxies_.at(proxy);
  if (entry.state == ConnectionState::Established && endpoint_.connection_usable(*entry.connection)) {
    return callback(entry.connection);
  }
  entry.waiting.push_back(std::move(callback));
  if (entry.state == ConnectionState::Resolving || entry.state == ConnectionState::Connecting) return;
  // Idle, or Established on a connection that can no longer send (its end event is on its way).
  entry.state = ConnectionState::Resolving;
  entry.connection.reset();
  resolver_.resolve(entry.fqdn, [this, proxy](const dns::DnsAnswer& answer) { on_resolved(proxy, answer); });
}

void MicrosoftProxySet::on_resolved(std::size_t proxy, const dns::DnsAnswer& answer) {
  if (proxies_.at(proxy).state != ConnectionState::Resolving) return;
  if (answer.outcome != dns::DnsOutcome::Addresses || answer.addresses.empty()) return fail(proxy);
  connect(proxy, answer.addresses.front());
}

void MicrosoftProxySet::connect(std::size_t proxy, const net::IpAddress& address) {
  Proxy& entry = proxies_.at(proxy);
  entry.address = address;
  net::ConnectOptions options;
  options.tls = net::TlsClientSettings{entry.fqdn, identity_.trust_store, identity_.certificate};
  const auto connection = endpoint_.connect(net::SocketAddress{address, kMicrosoftSipPort}, std::move(options));
  if (!connection) return fail(proxy);  // no address of that family on the SBC's host
  entry.state = ConnectionState::Connecting;
  entry.connection = connection;
}

std::optional<net::ConnectionId> MicrosoftProxySet::drop_connection(std::size_t proxy) {
  Proxy& entry = proxies_.at(proxy);
  const std::optional<net::ConnectionId> dropped = entry.connection;
  if (dropped && entry.state != ConnectionState::Resolving) endpoint_.close(*dropped);
  entry.connection.reset();
  if (entry.state == ConnectionState::Established) entry.state = ConnectionState::Idle;
  if (entry.state == ConnectionState::Connecting) {
    entry.state = ConnectionState::Idle;
    settle(proxy, std::nullopt);
  }
  return dropped;
}

void MicrosoftProxySet::on_connection_event(const net::ConnectionEvent& event) {
  const auto proxy = proxy_of(event.connection);
  if (!proxy) return;
  Proxy& entry = proxies_[*proxy];
  if (event.kind == net::ConnectionEventKind::TlsEstablished) {
    entry.state = ConnectionState::Established;
    return settle(*proxy, entry.connection);
  }
  if (!net::ends_connection(event.kind)) return;
  const bool was_connecting = entry.state == ConnectionState::Connecting;
  entry.state = ConnectionState::Idle;
  entry.connection.reset();
  // A connection that ends after it worked says nothing about health (Microsoft may close idle
  // ones); one that never worked does.
  if (was_connecting) fail(*proxy);
}

std::optional<std::size_t> MicrosoftProxySet::proxy_of(net::ConnectionId connection) const {
  for (std::size_t proxy = 0; proxy < proxies_.size(); ++proxy)
    if (proxies_[proxy].connection == connection) return proxy;
  return std::nullopt;
}

void MicrosoftProxySet::fail(std::size_t proxy) {
  Proxy& entry = proxies_.at(proxy);
  entry.state = ConnectionState::Idle;
  entry.connection.reset();
  entry.health = ProxyHealth::Down;
  settle(proxy, std::nullopt);
}

void MicrosoftProxySet::settle(std::size_t proxy, std::optional<net::ConnectionId> connection) {
  // Moved out first: a waiter may ask for this proxy's connection again.
  std::vector<ConnectionCallback> waiting = std::move(proxies_.at(proxy).waiting);
  proxies_.at(proxy).waiting.clear();
  for (ConnectionCallback& callback : waiting) callback(connection);
}

}  // namespace sbc
