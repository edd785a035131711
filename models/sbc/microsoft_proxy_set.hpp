#pragma once
// The Microsoft SIP proxies one SBC talks to (facts §1.1, §1.4): the FQDNs of its `proxies`
// list in preference order, each with its health from OPTIONS, its Retry-After quarantine and
// its pooled TLS connection. Calls and OPTIONS to one FQDN share one connection, opened on
// first need: the FQDN is resolved (models/dns), a TCP connection opened to the first address
// on port 5061 and TLS negotiated with the FQDN as the expected name. Only the first address
// is used; an FQDN whose datacenter fails is left for the next FQDN, never for another address.
//
// Next hops of dialogs may name an FQDN outside the list; such an entry is added on demand and
// only carries in-dialog requests (it is never chosen for a new call and never pinged).
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "models/dns/dns_resolver.hpp"
#include "sim/core/time.hpp"
#include "sim/net/certificate.hpp"
#include "sim/net/sip_endpoint.hpp"

namespace sbc {

// Wire contract: Microsoft's proxies listen TLS on 5061 (facts §1.3).
inline constexpr std::uint16_t kMicrosoftSipPort = 5061;

// Unknown until the first OPTIONS (or connection attempt) settles; Up after a 200; Down after
// a failure: timeout, transport error, failed connection or TLS, DNS failure, non-2xx.
enum class ProxyHealth : std::uint8_t { Unknown, Up, Down };

std::string_view proxy_health_name(ProxyHealth health);  // "unknown", "up", "down"

class MicrosoftProxySet {
 public:
  // The connection to use, or nullopt when resolving, connecting or the TLS handshake failed.
  using ConnectionCallback = std::function<void(std::optional<net::ConnectionId>)>;

  struct TlsIdentity {
    const net::TrustStore* trust_store = nullptr;  // validates the proxies' certificates
    const net::Certificate* certificate = nullptr; // presented when a proxy asks (mutual TLS)
  };

  MicrosoftProxySet(std::span<const std::string> fqdns, dns::DnsResolver& resolver, net::SipEndpoint& endpoint,
                    TlsIdentity identity);

  // Entries 0 .. configured_count()-1 are the `proxies` list, in its order.
  std::size_t configured_count() const { return configured_count_; }
  std::size_t size() const { return proxies_.size(); }
  const std::string& fqdn(std::size_t proxy) const { return proxies_.at(proxy).fqdn; }
  std::optional<std::size_t> find(std::string_view fqdn) const;
  // The entry of `fqdn`, added (unconfigured) when absent.
  std::size_t entry_for(std::string_view fqdn);

  ProxyHealth health(std::size_t proxy) const { return proxies_.at(proxy).health; }
  void set_health(std::size_t proxy, ProxyHealth health) { proxies_.at(proxy).health = health; }
  // facts §1.4: a 503 with Retry-After keeps new calls away from the datacenter until `until`.
  void quarantine(std::size_t proxy, sim::Time until) { proxies_.at(proxy).quarantined_until = until; }
  bool quarantined(std::size_t proxy, sim::Time now) const { return now < proxies_.at(proxy).quarantined_until; }
  // The first configured proxy, in preference order, that is not Down, not quarantined at `now`
  // and not in `tried`; nullopt when none is left.
  std::optional<std::size_t> first_available(sim::Time now, std::span<const std::size_t> tried) const;

  // Calls `callback` with the established connection: at once when there is one, else when
  // the connection being opened succeeds or fails.
  void with_connection(std::size_t proxy, ConnectionCallback callback);
  // Closes the proxy's connection (facts §1.4: after a 503 with Retry-After); returns it, so
  // the caller can fail what was sent on it. Later use opens a new one.
  std::optional<net::ConnectionId> drop_connection(std::size_t proxy);
  // Every connection event the SBC hears; those of other connections are ignored.
  void on_connection_event(const net::ConnectionEvent& event);

  std::optional<std::size_t> proxy_of(net::ConnectionId connection) const;
  // The address the proxy's current or last connection went to.
  std::optional<net::IpAddress> address(std::size_t proxy) const { return proxies_.at(proxy).address; }

 private:
  enum class ConnectionState : std::uint8_t { Idle, Resolving, Connecting, Established };
  struct Proxy {
    std::string fqdn;
    ProxyHealth health = ProxyHealth::Unknown;
    sim::Time quarantined_until;
    ConnectionState state = ConnectionState::Idle;
    std::optional<net::ConnectionId> connection;
    std::optional<net::IpAddress> address;
    std::vector<ConnectionCallback> waiting;
  };

  void on_resolved(std::size_t proxy, const dns::DnsAnswer& answer);
  void connect(std::size_t proxy, const net::IpAddress& address);
  // A connect that did not reach Established: the proxy is Down and its waiters hear nullopt.
  void fail(std::size_t proxy);
  void settle(std::size_t proxy, std::optional<net::ConnectionId> connection);

  dns::DnsResolver& resolver_;
  net::SipEndpoint& endpoint_;
  TlsIdentity identity_;
  std::deque<Proxy> proxies_;  // a deque: entries keep their address when one is added
  std::size_t configured_count_ = 0;
};

}  // namespace sbc
