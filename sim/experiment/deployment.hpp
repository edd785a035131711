#pragma once
// A topology file made real: the network with one host per SBC, datacenter and carrier (each
// behind its own firewall), the DNS zone, certificates and trust stores, the tenant directory,
// and the actors — Teams clients first (the proxies' settings name them), then one Microsoft
// proxy per [[datacenter]], the SBCs and the carriers, each kind in file order, so actor ids
// and on_start order follow the file. Models never read sim/config: this is where TOML
// structs become model settings.
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/client/teams_client.hpp"
#include "models/dns/dns_resolver.hpp"
#include "models/dns/dns_zone.hpp"
#include "models/firewall/firewall.hpp"
#include "models/pstn/carrier.hpp"
#include "models/sbc/sbc.hpp"
#include "models/teams/microsoft_proxy.hpp"
#include "models/teams/tenant_directory.hpp"
#include "sim/config/topology_file.hpp"
#include "sim/core/result.hpp"
#include "sim/core/simulation.hpp"
#include "sim/net/address_prefix.hpp"
#include "sim/net/certificate.hpp"
#include "sim/net/network.hpp"
#include "sim/net/tcp_transport.hpp"
#include "sim/net/udp_transport.hpp"
#include "sim/trace/call_observer.hpp"

namespace experiment {

// One way, between a Teams client and Microsoft's call controller (HTTPS over the Internet).
// The topology has no key for it yet; both directions use it.
inline constexpr sim::Time kClientSignallingLatency = sim::Time::from_nanoseconds(50'000'000);

// A Teams user's clients, in the order of the user's endpoints.
struct UserEndpoints {
  std::string number;
  std::vector<client::TeamsClient*> clients;
};

class Deployment {
 public:
  // Builds everything into `simulation`, whose clock zero is `start`. `observer` hears every
  // model's call reports. Errors (an address two hosts share, a carrier that cannot run) name
  // the topology entry.
  static sim::Result<std::unique_ptr<Deployment>, std::string> build(sim::Simulation& simulation,
                                                                    const config::TopologyFile& topology,
                                                                    sim::UtcTime start,
                                                                    trace::CallObserver& observer);
  Deployment(const Deployment&) = delete;
  Deployment& operator=(const Deployment&) = delete;
  ~Deployment();

  net::Network& network() { return *network_; }
  net::TcpTransport& tcp() { return *tcp_; }
  dns::DnsZone& zone() { return zone_; }
  const teams::TenantDirectory& tenants() const { return tenants_; }

  // Who a number belongs to. nullptr when the number is not a Teams user's or a carrier's.
  const UserEndpoints* user(std::string_view number) const;
  pstn::Carrier* carrier_for_number(std::string_view number) const;
  // The call controller a Teams client dials through now: the first datacenter, in file order,
  // whose host is up (Teams clients reach Microsoft through its nearest healthy region);
  // the first one when all are down.
  teams::MicrosoftProxy& controller() const;

  const std::vector<teams::MicrosoftProxy*>& proxies() const { return proxies_; }
  const std::vector<sbc::Sbc*>& sbcs() const { return sbcs_; }
  const std::vector<pstn::Carrier*>& carriers() const { return carriers_; }
  // Every carrier number and every Teams user's number, in file order (workload defaults).
  const std::vector<std::string>& carrier_numbers() const { return carrier_numbers_; }
  const std::vector<std::string>& teams_numbers() const { return teams_numbers_; }
  // The Teams users who can place a call: those signed in on at least one endpoint.
  const std::vector<std::string>& dialling_numbers() const { return dialling_numbers_; }

  // ---- what faults reach (by the names the topology gives)
  net::Certificate* certificate(std::string_view name) const;         // a [[certificate]]
  net::Certificate* certificate_of_sbc(std::string_view sbc) const;   // the one an [[sbc]] presents
  firewall::Firewall& firewall(net::HostId host) { return *firewall_of_host_.at(host); }
  // The block of the one address of the host named `host_name`: what a firewall rule whose peer
  // names a host (topology rules, firewall faults with `peer`) matches.
  net::AddressPrefix address_block_of(const std::string& host_name) const;
  sbc::Sbc& sbc(std::string_view name) const;
  teams::MicrosoftProxy& proxy(std::string_view datacenter) const;

  // What kind of actor an id is, for ladders and traces.
  enum class ActorKind : std::uint8_t { Carrier, Sbc, Proxy, Client, Other };
  ActorKind kind_of(sim::ActorId actor) const;
  // How long a message from one datacenter's proxy takes to reach another's (fixed when the
  // deployment is built); nullopt when they do not hand calls to each other.
  std::optional<sim::Time> backbone_latency(sim::ActorId from, sim::ActorId to) const;
  // The actor behind an address (a host's), or nullopt.
  std::optional<sim::ActorId> actor_at(const net::IpAddress& address) const;

 private:
  explicit Deployment(sim::Simulation& simulation);
  std::optional<std::string> build_zone(const config::TopologyFile& topology);
  void build_certificates(const config::TopologyFile& topology);
  void build_tenants(const config::TopologyFile& topology);
  std::optional<std::string> build_actors(const config::TopologyFile& topology, trace::CallObserver& observer);
  sim::Result<net::HostId, std::string> add_host(const std::string& name, const std::string& site,
                                                 const net::IpAddress& address, sim::ActorId actor,
                                                 const config::HostSettings& settings);
  void apply_link_mtus(const config::TopologyFile& topology);
  // Each host's configured firewall rules, once every host exists (a rule may name any of them).
  void install_firewall_rules(const config::TopologyFile& topology);
  void install_firewall_rules(const std::string& host_name, const std::vector<config::FirewallRuleEntry>& rules);

  sim::Simulation& simulation_;
  std::unique_ptr<net::Network> network_;
  std::unique_ptr<net::UdpTransport> udp_;
  std::unique_ptr<net::TcpTransport> tcp_;
  dns::DnsZone zone_;
  std::vector<net::CertificateAuthority> authorities_;
  net::TrustStore microsoft_trust_;
  net::TrustStore sbc_trust_;
  std::deque<net::Certificate> certificates_;  // stable addresses: TLS reads them at each handshake
  std::map<std::string, net::Certificate*, std::less<>> certificate_by_name_;
  net::Certificate proxy_certificate_;
  teams::TenantDirectory tenants_;
  std::deque<firewall::Firewall> firewalls_;
  std::map<net::HostId, firewall::Firewall*> firewall_of_host_;
  std::map<std::string, std::string, std::less<>> certificate_of_sbc_;  // SBC name → certificate name
  std::deque<dns::DnsResolver> resolvers_;

  std::vector<teams::MicrosoftProxy*> proxies_;
  std::vector<net::HostId> proxy_hosts_;  // by proxies_ index
  std::vector<sbc::Sbc*> sbcs_;
  std::vector<pstn::Carrier*> carriers_;
  std::map<std::string, UserEndpoints, std::less<>> users_;           // by number
  std::map<std::string, pstn::Carrier*, std::less<>> carrier_by_number_;
  std::vector<std::string> carrier_numbers_;
  std::vector<std::string> teams_numbers_;
  std::vector<std::string> dialling_numbers_;
  std::map<sim::ActorId, ActorKind> kinds_;
  std::map<std::pair<sim::ActorId, sim::ActorId>, sim::Time> backbone_latencies_;
  std::map<net::IpAddress, sim::ActorId> actor_by_address_;
  std::map<std::string, net::IpAddress, std::less<>> carrier_addresses_;  // by carrier name
};

}  // namespace experiment
