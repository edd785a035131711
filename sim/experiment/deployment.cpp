#include "sim/experiment/deployment.hpp"

#include <algorithm>

#include "sim/core/check.hpp"
#include "sim/core/utc_time.hpp"

namespace experiment {

namespace {

// Microsoft's proxies present one certificate for *.pstnhub.microsoft.com, chained to DigiCert
// Global Root G2 (research/direct-routing-facts.md §6.3). Topologies do not describe it: it is
// Microsoft's, and valid for any experiment clock.
net::Certificate microsoft_proxy_certificate() {
  return net::Certificate{"pstnhub-microsoft-com",
                          "sip.pstnhub.microsoft.com",
                          {"sip.pstnhub.microsoft.com", "sip2.pstnhub.microsoft.com", "sip3.pstnhub.microsoft.com",
                           "sip-all.pstnhub.microsoft.com", "*.pstnhub.microsoft.com"},
                          std::string(net::kDigiCertGlobalRootG2),
                          sim::parse_rfc3339_utc("2000-01-01T00:00:00Z").value(),
                          sim::parse_rfc3339_utc("2099-12-31T23:59:59Z").value(),
                          {},
                          true};
}

net::TcpSettings tcp_settings(const config::HostSettings& host) {
  net::TcpSettings settings;
  settings.syn_waits = host.tcp_syn_timeouts;
  settings.data_retransmissions = static_cast<std::uint32_t>(host.tcp_data_retransmissions);
  settings.tls.handshake_round_trips = static_cast<std::uint32_t>(host.tls_handshake_round_trips);
  return settings;
}

sip::TimerValues timer_values(const config::HostSettings& host) {
  sip::TimerValues timers;
  timers.t1 = host.t1;
  timers.t2 = host.t2;
  timers.t4 = host.t4;
  return timers;
}

teams::EndpointKind endpoint_kind(config::EndpointKind kind) {
  switch (kind) {
    case config::EndpointKind::Desktop: return teams::EndpointKind::Desktop;
    case config::EndpointKind::Mobile: return teams::EndpointKind::Mobile;
    case config::EndpointKind::Web: return teams::EndpointKind::Web;
    case config::EndpointKind::DeskPhone: return teams::EndpointKind::DeskPhone;
  }
  return teams::EndpointKind::Desktop;
}

// Carriers without an ip get one from 100.64.0.0/10 (RFC 6598 shared address space), which
// no topology would use for a public host.
net::IpAddress carrier_address(std::uint32_t index) {
  const std::string text = "100.64." + std::to_string(index / 250) + "." + std::to_string(index % 250 + 1);
  return *net::IpAddress::parse(text);
}

}  // namespace

Deployment::Deployment(sim::Simulation& simulation)
    : simulation_(simulation), proxy_certificate_(microsoft_proxy_certificate()) {}

Deployment::~Deployment() = default;

sim::Result<std::unique_ptr<Deployment>, std::string> Deployment::build(sim::Simulation& simulation,
                                                                       const config::TopologyFile& topology,
                                                                       sim::UtcTime start,
                                                                       trace::CallObserver& observer) {
  std::unique_ptr<Deployment> deployment(new Deployment(simulation));
  std::vector<net::SiteDescription> sites;
  for (const config::Site& site : topology.sites) sites.push_back({site.name});
  std::vector<net::LinkDescription> links;
  for (const config::Link& link : topology.links) links.push_back({link.a, link.b, link.latency, link.jitter, link.loss});
  auto created = net::Topology::create(std::move(sites), std::move(links));
  if (!created.ok()) return sim::Failure{created.error()};
  deployment->network_ = std::make_unique<net::Network>(simulation, std::move(created).value(), start);
  deployment->udp_ = std::make_unique<net::UdpTransport>(*deployment->network_);
  deployment->tcp_ = std::make_unique<net::TcpTransport>(*deployment->network_);
  if (auto problem = deployment->build_zone(topology)) return sim::Failure{std::move(*problem)};
  deployment->build_certificates(topology);
  deployment->build_tenants(topology);
  if (auto problem = deployment->build_actors(topology, observer)) return sim::Failure{std::move(*problem)};
  deployment->apply_link_mtus(topology);
  deployment->install_firewall_rules(topology);
  return deployment;
}

std::optional<std::string> Deployment::build_zone(const config::TopologyFile& topology) {
  for (const config::DnsRecord& record : topology.dns_records) {
    const auto type = dns::parse_record_type(config::to_string(record.type));
    DRSIM_CHECK(type.has_value(), "config and models/dns disagree on DNS record types");
    if (auto problem = zone_.add({record.name, *type, record.value, record.ttl}))
      return "[[dns]] " + record.name + ": " + *problem;
  }
  // spec: a datacenter's FQDNs resolve to its ip without [[dns]] records.
  for (const config::Datacenter& datacenter : topology.datacenters)
    for (const std::string& fqdn : datacenter.fqdns)
      if (auto problem = zone_.add_address(fqdn, datacenter.ip))
        return "[[datacenter]] " + datacenter.name + ": " + *problem;
  return std::nullopt;
}

void Deployment::build_certificates(const config::TopologyFile& topology) {
  for (const config::CertificateAuthority& authority : topology.certificate_authorities)
    authorities_.push_back({authority.name, authority.trusted_by_microsoft, ""});
  microsoft_trust_ = net::TrustStore::microsoft(authorities_);
  sbc_trust_ = net::TrustStore::microsoft_roots();
  for (const config::Certificate& certificate : topology.certificates) {
    certificates_.push_back(net::Certificate{certificate.name, certificate.subject_cn, certificate.san, certificate.issuer,
                                             certificate.not_before, certificate.not_after, {}, true});
    certificate_by_name_[certificate.name] = &certificates_.back();
  }
}

void Deployment::build_tenants(const config::TopologyFile& topology) {
  for (const config::Tenant& tenant : topology.tenants) {
    const std::size_t index = tenants_.add_tenant(tenant.name, tenant.domains);
    const auto add = [&](std::string name, std::string number, const std::vector<config::Endpoint>& endpoints) {
      teams::TeamsUser user{std::move(name), number, {}};
      for (const config::Endpoint& endpoint : endpoints)
        user.endpoints.push_back({endpoint_kind(endpoint.kind), endpoint.ring_after,
                                  endpoint.answer ? std::optional<sim::Time>(endpoint.answer_after) : std::nullopt});
      if (!user.endpoints.empty()) dialling_numbers_.push_back(number);
      tenants_.add_user(index, std::move(user));
      teams_numbers_.push_back(std::move(number));
    };
    for (const config::TeamsUser& user : tenant.users) add(user.name, user.number, user.endpoints);
    for (const config::UserBlock& block : tenant.user_blocks)
      for (std::int64_t offset = 0; offset < block.count; ++offset) {
        std::string number = config::number_in_block(block, offset).value();
        add(number, number, block.endpoints);
      }
  }
}

sim::Result<net::HostId, std::string> Deployment::add_host(const std::string& name, const std::string& site,
                                                          const net::IpAddress& address, sim::ActorId actor,
                                                          const config::HostSettings& settings) {
  firewalls_.emplace_back();
  auto host = network_->add_host({name, site, {address}, actor, &firewalls_.back()});
  if (!host.ok()) return sim::Failure{host.error()};
  firewall_of_host_[host.value()] = &firewalls_.back();
  tcp_->set_host_settings(host.value(), tcp_settings(settings));
  actor_by_address_[address] = actor;
  return host.value();
}

std::optional<std::string> Deployment::build_actors(const config::TopologyFile& topology, trace::CallObserver& observer) {
  // ---- Teams clients, user by user, endpoint by endpoint
  std::vector<teams::TeamsEndpoint> endpoints;
  std::uint32_t client_count = 0;
  for (std::size_t tenant = 0; tenant < tenants_.tenant_count(); ++tenant)
    for (std::size_t index = 0; index < tenants_.user_count(tenant); ++index) {
      const teams::UserRef ref{tenant, index};
      const teams::TeamsUser& user = tenants_.user(ref);
      UserEndpoints& entry = users_[user.number];
      entry.number = user.number;
      std::map<teams::EndpointKind, int> seen;
      for (const teams::EndpointBehaviour& behaviour : user.endpoints) {
        const int same_kind = ++seen[behaviour.kind];
        std::string name = user.name + "/" + std::string(teams::endpoint_kind_text(behaviour.kind));
        if (same_kind > 1) name += "#" + std::to_string(same_kind);
        // Clients are not network hosts (their signalling is not SIP); the address only names
        // them in SDP, from 10.0.0.0/8 like a corporate network.
        ++client_count;
        const std::string sdp_address = "10." + std::to_string((client_count >> 16) & 0xff) + "." +
                                        std::to_string((client_count >> 8) & 0xff) + "." + std::to_string(client_count & 0xff);
        client::ClientBehaviour client_behaviour{behaviour.ring_after, behaviour.answer_after, true, kClientSignallingLatency};
        auto& added = simulation_.add_actor<client::TeamsClient>(std::move(name), client_behaviour, sdp_address);
        entry.clients.push_back(&added);
        endpoints.push_back({added.id(), ref, behaviour.kind});
        kinds_[added.id()] = ActorKind::Client;
      }
    }

  // ---- the SBCs Microsoft knows (Set-CsOnlinePSTNGateway) and the tenants' voice routes
  std::vector<teams::KnownSbc> known_sbcs;
  for (const config::Sbc& sbc : topology.sbcs)
    if (const auto tenant = tenants_.tenant_for_fqdn(sbc.fqdn))
      known_sbcs.push_back({sbc.name, sbc.fqdn, sbc.port, *tenant, sbc.media_bypass});
  std::vector<teams::VoiceRoute> routes;
  for (std::size_t tenant = 0; tenant < topology.tenants.size(); ++tenant) {
    const config::Tenant& config_tenant = topology.tenants[tenant];
    for (const config::VoiceRoute& route : config_tenant.routes) routes.push_back({tenant, route.sbcs, route.prefix});
    if (!config_tenant.routes.empty()) continue;
    // No routes: every number through the tenant's own SBCs, in file order.
    teams::VoiceRoute all{tenant, {}, "+"};
    for (const teams::KnownSbc& sbc : known_sbcs)
      if (sbc.tenant == tenant) all.sbcs.push_back(sbc.name);
    routes.push_back(std::move(all));
  }
  const config::Sbc* first_sbc = topology.sbcs.empty() ? nullptr : &topology.sbcs.front();

  // ---- one Microsoft proxy per datacenter
  std::map<net::IpAddress, std::string> datacenter_by_address;
  for (const config::Datacenter& datacenter : topology.datacenters) {
    teams::MicrosoftProxySettings settings;
    settings.datacenter = datacenter.name;
    settings.ip = datacenter.ip;
    settings.fqdns = datacenter.fqdns;
    settings.certificate = &proxy_certificate_;
    settings.trust_store = &microsoft_trust_;
    settings.tenants = &tenants_;
    settings.sbcs = known_sbcs;
    settings.voice_routes = routes;
    settings.endpoints = endpoints;
    settings.dns_zone = &zone_;
    settings.resolver.lookup_latency = topology.resolver.latency;
    settings.timers = timer_values(datacenter.host);
    // Set-CsOnlinePSTNGateway is per SBC; the proxy takes one value, the first SBC's.
    if (first_sbc != nullptr) {
      settings.failover_time = first_sbc->failover_time;
      settings.failover_response_codes.assign(first_sbc->failover_response_codes.begin(),
                                              first_sbc->failover_response_codes.end());
    }
    settings.ring_timeout = topology.microsoft.ring_timeout;
    settings.options_demotion_window = topology.microsoft.options_demotion_window;
    settings.options_interval = topology.microsoft.options_interval;
    settings.client_signalling_latency = kClientSignallingLatency;
    auto& proxy = simulation_.add_actor<teams::MicrosoftProxy>(datacenter.name, std::move(settings), &observer);
    auto host = add_host(datacenter.name, datacenter.site, datacenter.ip, proxy.id(), datacenter.host);
    if (!host.ok()) return "[[datacenter]] " + datacenter.name + ": " + host.error();
    proxy.attach(*udp_, *tcp_, host.value());
    proxies_.push_back(&proxy);
    proxy_hosts_.push_back(host.value());
    kinds_[proxy.id()] = ActorKind::Proxy;
    datacenter_by_address[datacenter.ip] = datacenter.name;
  }
  // facts §1.5: a trunk that fails at the network level is retried from another datacenter:
  // the next one in file order (round the list) that is up, reached at the network's latency
  // between the two (Microsoft's backbone); datacenters no route joins hand nothing to each other.
  for (std::size_t index = 0; index < proxies_.size(); ++index) {
    std::vector<teams::OtherDatacenter> others;
    for (std::size_t step = 1; step < proxies_.size(); ++step) {
      const std::size_t other = (index + step) % proxies_.size();
      if (const auto latency = network_->latency(proxy_hosts_[index], proxy_hosts_[other])) {
        others.push_back(teams::OtherDatacenter{proxies_[other]->id(), proxies_[other]->name(), *latency, proxy_hosts_[other]});
        backbone_latencies_[{proxies_[index]->id(), proxies_[other]->id()}] = *latency;
      }
    }
    proxies_[index]->set_other_datacenters(std::move(others), *network_);
  }

  // ---- carriers' addresses first: each SBC's trunk names one
  for (std::size_t index = 0; index < topology.carriers.size(); ++index) {
    const config::Carrier& carrier = topology.carriers[index];
    carrier_addresses_[carrier.name] = carrier.ip ? *carrier.ip : carrier_address(static_cast<std::uint32_t>(index));
  }
  std::map<std::string, net::SocketAddress, std::less<>> trunk_of_carrier;  // the SBC end of each carrier's trunk

  // ---- SBCs
  for (const config::Sbc& config_sbc : topology.sbcs) {
    sbc::SbcSettings settings;
    settings.fqdn = config_sbc.fqdn;
    settings.contact_fqdn = config_sbc.contact_fqdn;
    settings.ip = config_sbc.ip;
    settings.port = config_sbc.port;
    const auto certificate = certificate_by_name_.find(config_sbc.certificate);
    settings.certificate = certificate == certificate_by_name_.end() ? nullptr : certificate->second;
    certificate_of_sbc_[config_sbc.name] = config_sbc.certificate;
    settings.trust_store = sbc_trust_;
    settings.allow = config_sbc.allow;
    settings.options_interval = config_sbc.options_interval;
    settings.proxies = config_sbc.proxies;
    settings.media_bypass = config_sbc.media_bypass;
    if (!config_sbc.trunk.empty()) {
      settings.trunk = net::SocketAddress{carrier_addresses_.at(config_sbc.trunk), pstn::kSipPort};
      trunk_of_carrier.try_emplace(config_sbc.trunk, net::SocketAddress{config_sbc.ip, sbc::kTrunkSipPort});
    }
    settings.timers = timer_values(config_sbc.host);
    settings.datacenters = datacenter_by_address;
    auto& added = simulation_.add_actor<sbc::Sbc>(config_sbc.name, std::move(settings), &observer);
    auto host = add_host(config_sbc.name, config_sbc.site, config_sbc.ip, added.id(), config_sbc.host);
    if (!host.ok()) return "[[sbc]] " + config_sbc.name + ": " + host.error();
    dns::ResolverSettings resolver;
    resolver.lookup_latency = topology.resolver.latency;
    resolvers_.emplace_back(simulation_, added.id(), zone_, resolver);
    added.attach(*udp_, *tcp_, host.value(), resolvers_.back());
    sbcs_.push_back(&added);
    kinds_[added.id()] = ActorKind::Sbc;
  }

  // ---- carriers
  for (const config::Carrier& config_carrier : topology.carriers) {
    pstn::CarrierSettings settings;
    settings.ip = carrier_addresses_.at(config_carrier.name);
    if (const auto trunk = trunk_of_carrier.find(config_carrier.name); trunk != trunk_of_carrier.end())
      settings.sbc = trunk->second;
    settings.transport = config_carrier.transport == config::Transport::Udp   ? pstn::TrunkTransport::Udp
                         : config_carrier.transport == config::Transport::Tcp ? pstn::TrunkTransport::Tcp
                                                                              : pstn::TrunkTransport::Tls;
    settings.numbers = config_carrier.numbers;
    settings.ring_after = config_carrier.ring_after;
    settings.answer_after = config_carrier.answer_after;
    settings.timers = timer_values(config_carrier.host);
    if (auto problem = pstn::check_carrier_settings(config_carrier.name, settings))
      return "[[carrier]] " + config_carrier.name + ": " + *problem;
    auto& added = simulation_.add_actor<pstn::Carrier>(config_carrier.name, std::move(settings), &observer);
    auto host = add_host(config_carrier.name, config_carrier.site, carrier_addresses_.at(config_carrier.name), added.id(),
                         config_carrier.host);
    if (!host.ok()) return "[[carrier]] " + config_carrier.name + ": " + host.error();
    added.attach(*udp_, *tcp_, host.value());
    carriers_.push_back(&added);
    kinds_[added.id()] = ActorKind::Carrier;
    for (const std::string& number : config_carrier.numbers) {
      carrier_by_number_.try_emplace(number, &added);
      carrier_numbers_.push_back(number);
    }
  }
  return std::nullopt;
}

net::AddressPrefix Deployment::address_block_of(const std::string& host_name) const {
  const auto host = network_->find_host(host_name);
  DRSIM_CHECK(host.has_value(), "a firewall peer that is no host (load_scenario checks peers)");
  return net::AddressPrefix::single(network_->host(*host).description.addresses.front());
}

void Deployment::install_firewall_rules(const config::TopologyFile& topology) {
  for (const config::Datacenter& datacenter : topology.datacenters) install_firewall_rules(datacenter.name, datacenter.host.firewall);
  for (const config::Sbc& sbc : topology.sbcs) install_firewall_rules(sbc.name, sbc.host.firewall);
  for (const config::Carrier& carrier : topology.carriers) install_firewall_rules(carrier.name, carrier.host.firewall);
}

void Deployment::install_firewall_rules(const std::string& host_name, const std::vector<config::FirewallRuleEntry>& rules) {
  if (rules.empty()) return;
  firewall::Firewall& host_firewall = firewall(*network_->find_host(host_name));
  for (const config::FirewallRuleEntry& entry : rules) {
    firewall::FirewallRule rule;
    rule.action = entry.action == config::FirewallAction::Allow  ? net::FilterVerdict::Allow
                  : entry.action == config::FirewallAction::Drop ? net::FilterVerdict::Drop
                                                                 : net::FilterVerdict::Reject;
    rule.direction = entry.direction == config::FirewallDirection::Inbound    ? firewall::TrafficDirection::Inbound
                     : entry.direction == config::FirewallDirection::Outbound ? firewall::TrafficDirection::Outbound
                                                                              : firewall::TrafficDirection::Any;
    if (entry.protocol == config::FirewallProtocol::Udp) rule.protocol = net::TransportProtocol::Udp;
    if (entry.protocol == config::FirewallProtocol::Tcp) rule.protocol = net::TransportProtocol::Tcp;
    // The file was checked: a peer is an address block or a host's name (config/topology_checks.cpp).
    if (!entry.peer.empty()) {
      rule.peer = net::AddressPrefix::parse(entry.peer);
      if (!rule.peer) rule.peer = address_block_of(entry.peer);
    }
    if (!entry.ports.empty()) rule.local_ports = *net::PortRange::parse(entry.ports);
    host_firewall.add_rule(rule);
  }
}

void Deployment::apply_link_mtus(const config::TopologyFile& topology) {
  // A link's MTU caps the path MTU of every pair of hosts whose route crosses it.
  const net::Topology& graph = network_->topology();
  for (net::HostId a = 0; a < network_->host_count(); ++a)
    for (net::HostId b = a + 1; b < network_->host_count(); ++b) {
      const net::SiteId site_a = *graph.find_site(network_->host(a).description.site);
      const net::SiteId site_b = *graph.find_site(network_->host(b).description.site);
      std::uint32_t mtu = network_->path_mtu(a, b);
      for (const net::LinkId link : graph.route(site_a, site_b))
        mtu = std::min(mtu, static_cast<std::uint32_t>(topology.links.at(link).mtu));
      if (mtu != network_->path_mtu(a, b)) network_->set_path_mtu(a, b, mtu);
    }
}

const UserEndpoints* Deployment::user(std::string_view number) const {
  const auto found = users_.find(number);
  return found == users_.end() ? nullptr : &found->second;
}

pstn::Carrier* Deployment::carrier_for_number(std::string_view number) const {
  const auto found = carrier_by_number_.find(number);
  return found == carrier_by_number_.end() ? nullptr : found->second;
}

teams::MicrosoftProxy& Deployment::controller() const {
  DRSIM_CHECK(!proxies_.empty(), "a Teams call without any [[datacenter]]");
  for (std::size_t index = 0; index < proxies_.size(); ++index)
    if (!network_->host(proxy_hosts_[index]).down) return *proxies_[index];
  return *proxies_.front();
}

net::Certificate* Deployment::certificate(std::string_view name) const {
  const auto found = certificate_by_name_.find(name);
  return found == certificate_by_name_.end() ? nullptr : found->second;
}

net::Certificate* Deployment::certificate_of_sbc(std::string_view sbc) const {
  const auto found = certificate_of_sbc_.find(sbc);
  return found == certificate_of_sbc_.end() ? nullptr : certificate(found->second);
}

sbc::Sbc& Deployment::sbc(std::string_view name) const {
  for (sbc::Sbc* candidate : sbcs_)
    if (candidate->name() == name) return *candidate;
  DRSIM_CHECK(false, "no SBC of that name (load_scenario checks fault targets)");
  return *sbcs_.front();
}

std::optional<sim::Time> Deployment::backbone_latency(sim::ActorId from, sim::ActorId to) const {
  const auto found = backbone_latencies_.find({from, to});
  if (found == backbone_latencies_.end()) return std::nullopt;
  return found->second;
}

teams::MicrosoftProxy& Deployment::proxy(std::string_view datacenter) const {
  for (teams::MicrosoftProxy* candidate : proxies_)
    if (candidate->name() == datacenter) return *candidate;
  DRSIM_CHECK(false, "no datacenter of that name (load_scenario checks fault targets)");
  return *proxies_.front();
}

Deployment::ActorKind Deployment::kind_of(sim::ActorId actor) const {
  const auto found = kinds_.find(actor);
  return found == kinds_.end() ? ActorKind::Other : found->second;
}

std::optional<sim::ActorId> Deployment::actor_at(const net::IpAddress& address) const {
  const auto found = actor_by_address_.find(address);
  if (found == actor_by_address_.end()) return std::nullopt;
  return found->second;
}

}  // namespace experiment
