#pragma once
// Sites joined by undirected links, and the route between every pair of sites. Routes are chosen
// once, when the topology is built: lowest total nominal latency (Dijkstra over Boost.Graph),
// then fewest links, then a fixed rule for exact ties (see route()). A link_latency fault later
// changes how long a route takes, not which links it uses: the routing protocols of the real
// Internet do not react to delay.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "sim/core/result.hpp"
#include "sim/core/time.hpp"

namespace net {

using SiteId = std::uint32_t;  // index in the sites given to Topology::create, in file order
using LinkId = std::uint32_t;  // index in the links given to Topology::create, in file order

struct SiteDescription {
  std::string name;
};

struct LinkDescription {
  std::string a;            // site names; the link is undirected
  std::string b;
  sim::Time latency;        // one way
  sim::Time jitter;         // mean extra delay per packet and link (exponential); zero for none
  double loss = 0.0;        // probability that the link loses a packet
};

// One-way latency in nanoseconds between sites, row = from, column = to. Integer, so sums of it
// can become event times without rounding.
using LatencyMatrix = Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic>;

class Topology {
 public:
  // Entry of latency_matrix() for sites that no chain of links joins.
  static constexpr std::int64_t kUnreachable = -1;

  // Checks names (unique, non-empty, links between two different known sites), latency and
  // jitter (not negative) and loss (within [0, 1]); the error names the offending entry.
  static sim::Result<Topology, std::string> create(std::vector<SiteDescription> sites,
                                                   std::vector<LinkDescription> links);

  std::size_t site_count() const { return sites_.size(); }
  const std::string& site_name(SiteId site) const { return sites_.at(site).name; }
  std::optional<SiteId> find_site(std::string_view name) const;

  std::size_t link_count() const { return links_.size(); }
  const LinkDescription& link(LinkId link) const { return links_.at(link); }
  SiteId link_end_a(LinkId link) const { return link_ends_.at(link).first; }
  SiteId link_end_b(LinkId link) const { return link_ends_.at(link).second; }
  // The first link (lowest LinkId) between two sites, in either order: what a link fault names.
  std::optional<LinkId> find_link(std::string_view site_a, std::string_view site_b) const;

  // The links a packet from `from` to `to` crosses, in order; empty within one site or when
  // unreachable (reachable() tells which). Ties in (latency, link count) go to the path whose
  // last link has the lowest LinkId, applied hop by hop back from the destination; the route
  // from the higher SiteId to the lower is the reverse of the other, so both directions of a
  // TCP connection use the same links.
  const std::vector<LinkId>& route(SiteId from, SiteId to) const { return routes_[index(from, to)]; }
  bool reachable(SiteId from, SiteId to) const { return latency_(from, to) != kUnreachable; }
  // Nominal one-way latency of every route (the sum of its links' latencies).
  const LatencyMatrix& latency_matrix() const { return latency_; }

 private:
  Topology() = default;
  std::size_t index(SiteId from, SiteId to) const { return std::size_t{from} * sites_.size() + to; }
  std::optional<std::string> add_links(std::vector<LinkDescription> links);
  void compute_routes();

  std::vector<SiteDescription> sites_;
  std::map<std::string, SiteId, std::less<>> site_ids_;  // ordered: never a hash order
  std::vector<LinkDescription> links_;
  std::vector<std::pair<SiteId, SiteId>> link_ends_;
  std::vector<std::vector<LinkId>> routes_;  // site_count² entries, row-major by `from`
  LatencyMatrix latency_;
};

}  // namespace net
