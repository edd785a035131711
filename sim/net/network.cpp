#include "sim/net/network.hpp"

#include <algorithm>

#include "sim/core/simulation.hpp"

namespace net {

namespace {

// "link:contoso-hq|ms-emea", "#2" and on for further links between the same two sites.
std::string link_stream_name(const LinkDescription& link, int duplicate) {
  std::string name = "link:" + link.a + "|" + link.b;
  if (duplicate > 1) name += "#" + std::to_string(duplicate);
  return name;
}

}  // namespace

Network::Network(sim::Simulation& simulation, Topology topology, sim::UtcTime epoch)
    : simulation_(simulation), topology_(std::move(topology)), epoch_(epoch) {
  std::map<std::pair<SiteId, SiteId>, int> links_between;
  links_.reserve(topology_.link_count());
  for (LinkId id = 0; id < topology_.link_count(); ++id) {
    const LinkDescription& link = topology_.link(id);
    const SiteId a = topology_.link_end_a(id);
    const SiteId b = topology_.link_end_b(id);
    const std::string name = link_stream_name(link, ++links_between[{std::min(a, b), std::max(a, b)}]);
    links_.push_back(LinkState{link.latency, link.jitter, link.loss, simulation_.random_stream(name, "jitter"),
                               simulation_.random_stream(name, "loss")});
  }
  latency_ = topology_.latency_matrix();
}

sim::UtcTime Network::utc_now() const { return epoch_ + simulation_.now(); }

sim::Result<HostId, std::string> Network::add_host(HostDescription description) {
  const std::string label = "host \"" + description.name + "\"";
  if (description.name.empty()) return sim::Failure{std::string("a host has an empty name")};
  if (host_ids_.count(description.name) != 0) return sim::Failure{"two hosts are named \"" + description.name + "\""};
  const auto site = topology_.find_site(description.site);
  if (!site) return sim::Failure{label + ": unknown site \"" + description.site + "\""};
  if (description.addresses.empty()) return sim::Failure{label + ": no IP address"};
  for (const IpAddress& address : description.addresses) {
    if (hosts_by_address_.count(address) != 0) return sim::Failure{label + ": address " + address.text() + " is taken"};
    const std::uint32_t minimum = address.family() == IpFamily::V4 ? kIpv4MinimumMtu : kIpv6MinimumMtu;
    if (description.mtu < minimum) return sim::Failure{label + ": MTU " + std::to_string(description.mtu) + " is below the minimum of " + std::to_string(minimum)};
  }
  const auto id = static_cast<HostId>(hosts_.size());
  for (const IpAddress& address : description.addresses) hosts_by_address_.emplace(address, id);
  host_ids_.emplace(description.name, id);
  hosts_.push_back(Host{std::move(description), *site});
  return id;
}

std::optional<HostId> Network::find_host(std::string_view name) const {
  const auto found = host_ids_.find(name);
  if (found == host_ids_.end()) return std::nullopt;
  return found->second;
}

std::optional<HostId> Network::host_at(const IpAddress& address) const {
  const auto found = hosts_by_address_.find(address);
  if (found == hosts_by_address_.end()) return std::nullopt;
  return found->second;
}

std::optional<IpAddress> Network::address_of(HostId host, IpFamily family) const {
  for (const IpAddress& address : hosts_.at(host).description.addresses)
    if (address.family() == family) return address;
  return std::nullopt;
}

void Network::set_link_latency(LinkId link, sim::Time latency) {
  DRSIM_CHECK(latency >= sim::Time::zero(), "negative link latency");
  links_.at(link).latency = latency;
  recompute_latencies();
}

void Network::set_link_loss(LinkId link, double loss) {
  DRSIM_CHECK(loss >= 0.0 && loss <= 1.0, "link loss outside [0, 1]");
  links_.at(link).loss = loss;
}

void Network::restore_link(LinkId link) {
  const LinkDescription& nominal = topology_.link(link);
  links_.at(link).loss = nominal.loss;
  links_.at(link).jitter = nominal.jitter;
  set_link_latency(link, nominal.latency);
}

void Network::recompute_latencies() {
  const auto sites = static_cast<SiteId>(topology_.site_count());
  for (SiteId from = 0; from < sites; ++from)
    for (SiteId to = 0; to < sites; ++to) {
      if (!topology_.reachable(from, to)) continue;
      std::int64_t total = 0;
      for (LinkId link : topology_.route(from, to)) total += links_[link].latency.nanoseconds();
      latency_(from, to) = total;
    }
}

std::uint32_t Network::path_mtu(HostId a, HostId b) const {
  const auto found = path_mtus_.find({std::min(a, b), std::max(a, b)});
  if (found != path_mtus_.end()) return found->second;
  return std::min(hosts_.at(a).description.mtu, hosts_.at(b).description.mtu);
}

void Network::set_path_mtu(HostId a, HostId b, std::uint32_t mtu) {
  DRSIM_CHECK(mtu >= kIpv4MinimumMtu, "path MTU below the IPv4 minimum");
  path_mtus_[{std::min(a, b), std::max(a, b)}] = mtu;
}

std::optional<sim::Time> Network::latency(HostId from, HostId to) const {
  const std::int64_t nanoseconds = latency_(hosts_.at(from).site, hosts_.at(to).site);
  if (nanoseconds == Topology::kUnreachable) return std::nullopt;
  return sim::Time::from_nanoseconds(nanoseconds);
}

std::optional<sim::Time> Network::answer_delay(HostId from, HostId to) {
  const auto base = latency(from, to);
  if (!base) return std::nullopt;
  return cross(topology_.route(hosts_[from].site, hosts_[to].site), *base, RandomLoss::Exempt);
}

Transit Network::transit(HostId from, HostId to, const PacketDescription& packet, std::uint32_t fragments,
                         RandomLoss random_loss) {
  const Host& source = hosts_[from];
  const Host& destination = hosts_[to];
  if (source.down) return {PathFate::SenderDown, {}};
  if (destination.down) return {PathFate::ReceiverDown, {}};
  const PathFate outbound = filter(from, packet, false);
  if (outbound == PathFate::Rejected) return {PathFate::Rejected, sim::Time::zero()};  // refused on the way out
  if (outbound != PathFate::Delivered) return {outbound, {}};
  const std::int64_t nanoseconds = latency_(source.site, destination.site);
  if (nanoseconds == Topology::kUnreachable) return {PathFate::NoRoute, {}};
  const sim::Time latency = sim::Time::from_nanoseconds(nanoseconds);

  const std::vector<LinkId>& route = topology_.route(source.site, destination.site);
  sim::Time last_arrival;
  for (std::uint32_t fragment = 0; fragment < fragments; ++fragment) {
    const auto delay = cross(route, latency, random_loss);
    if (!delay) return {PathFate::Lost, {}};
    last_arrival = std::max(last_arrival, *delay);
  }
  const PathFate inbound = filter(to, packet, true);
  if (inbound == PathFate::Rejected) {
    // The answer comes back over the reverse route and is never lost (RandomLoss::Exempt).
    const auto back = cross(topology_.route(destination.site, source.site), latency, RandomLoss::Exempt);
    return {PathFate::Rejected, last_arrival + *back};
  }
  if (inbound != PathFate::Delivered) return {inbound, {}};
  return {PathFate::Delivered, last_arrival};
}

std::optional<sim::Time> Network::cross(const std::vector<LinkId>& route, sim::Time latency, RandomLoss random_loss) {
  std::int64_t jitter = 0;
  for (LinkId id : route) {
    LinkState& link = links_[id];
    // Streams are drawn only when a link has loss or jitter, so a clean link costs nothing.
    if (random_loss == RandomLoss::Applies && link.loss > 0.0 && link.loss_stream.next_unit() < link.loss)
      return std::nullopt;
    if (link.jitter > sim::Time::zero()) {
      const double mean_seconds = static_cast<double>(link.jitter.nanoseconds()) * 1e-9;
      jitter += sim::Time::from_seconds_rounded(sim::ExponentialDistribution(mean_seconds)(link.jitter_stream)).nanoseconds();
    }
  }
  return latency + sim::Time::from_nanoseconds(jitter);
}

PathFate Network::filter(HostId host, const PacketDescription& packet, bool inbound) const {
  PacketFilter* firewall = hosts_[host].description.filter;
  if (firewall == nullptr) return PathFate::Delivered;
  PacketDescription asked = packet;
  asked.inbound = inbound;
  switch (firewall->inspect(asked)) {
    case FilterVerdict::Allow: return PathFate::Delivered;
    case FilterVerdict::Drop: return PathFate::Filtered;
    case FilterVerdict::Reject: return PathFate::Rejected;
  }
  return PathFate::Filtered;
}

}  // namespace net
