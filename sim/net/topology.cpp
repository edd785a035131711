#include "sim/net/topology.hpp"

#include <algorithm>
#include <limits>
#include <tuple>
#include <utility>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <boost/property_map/property_map.hpp>

namespace net {

namespace {

// Dijkstra's distance: latency first, then the number of links, so that of two equally fast
// paths the one with fewer hops wins before any finer rule is needed.
struct PathCost {
  std::int64_t latency = 0;
  std::uint32_t links = 0;
  friend bool operator==(const PathCost&, const PathCost&) = default;
};

struct PathCostLess {
  bool operator()(const PathCost& a, const PathCost& b) const {
    return std::tie(a.latency, a.links) < std::tie(b.latency, b.links);
  }
};

constexpr PathCost kInfinite{std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::uint32_t>::max()};

// Saturates at kInfinite, so "unreached + link" stays unreached instead of wrapping.
struct PathCostPlus {
  PathCost operator()(const PathCost& a, const PathCost& b) const {
    if (a == kInfinite || b == kInfinite) return kInfinite;
    return {a.latency + b.latency, a.links + b.links};
  }
};

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property,
                                    boost::property<boost::edge_index_t, LinkId>>;

std::string link_label(std::size_t index, const LinkDescription& link) {
  return "link " + std::to_string(index + 1) + " (" + link.a + " - " + link.b + ")";
}

}  // namespace

sim::Result<Topology, std::string> Topology::create(std::vector<SiteDescription> sites,
                                                    std::vector<LinkDescription> links) {
  Topology topology;
  for (SiteDescription& site : sites) {
    if (site.name.empty()) return sim::Failure{std::string("a site has an empty name")};
    const auto id = static_cast<SiteId>(topology.sites_.size());
    if (!topology.site_ids_.emplace(site.name, id).second)
      return sim::Failure{"two sites are named \"" + site.name + "\""};
    topology.sites_.push_back(std::move(site));
  }
  if (auto error = topology.add_links(std::move(links))) return sim::Failure{std::move(*error)};
  topology.compute_routes();
  return topology;
}

std::optional<SiteId> Topology::find_site(std::string_view name) const {
  const auto found = site_ids_.find(name);
  if (found == site_ids_.end()) return std::nullopt;
  return found->second;
}

std::optional<LinkId> Topology::find_link(std::string_view site_a, std::string_view site_b) const {
  const auto a = find_site(site_a);
  const auto b = find_site(site_b);
  if (!a || !b) return std::nullopt;
  for (LinkId link = 0; link < link_ends_.size(); ++link) {
    const auto [end_a, end_b] = link_ends_[link];
    if ((end_a == *a && end_b == *b) || (end_a == *b && end_b == *a)) return link;
  }
  return std::nullopt;
}

std::optional<std::string> Topology::add_links(std::vector<LinkDescription> links) {
  for (std::size_t i = 0; i < links.size(); ++i) {
    const LinkDescription& link = links[i];
    const auto a = find_site(link.a);
    const auto b = find_site(link.b);
    if (!a) return link_label(i, link) + ": unknown site \"" + link.a + "\"";
    if (!b) return link_label(i, link) + ": unknown site \"" + link.b + "\"";
    if (*a == *b) return link_label(i, link) + ": a link must join two different sites";
    if (link.latency < sim::Time::zero()) return link_label(i, link) + ": negative latency";
    if (link.jitter < sim::Time::zero()) return link_label(i, link) + ": negative jitter";
    if (!(link.loss >= 0.0 && link.loss <= 1.0)) return link_label(i, link) + ": loss must be within [0, 1]";
    link_ends_.emplace_back(*a, *b);
  }
  links_ = std::move(links);
  return std::nullopt;
}

void Topology::compute_routes() {
  const std::size_t count = sites_.size();
  Graph graph(count);
  std::vector<PathCost> link_costs;
  for (LinkId link = 0; link < links_.size(); ++link) {
    boost::add_edge(link_ends_[link].first, link_ends_[link].second, link, graph);
    link_costs.push_back({links_[link].latency.nanoseconds(), 1});
  }
  const auto link_index = boost::get(boost::edge_index, graph);
  const auto weights = boost::make_iterator_property_map(link_costs.begin(), link_index);

  routes_.assign(count * count, {});
  latency_ = LatencyMatrix::Constant(static_cast<Eigen::Index>(count), static_cast<Eigen::Index>(count), kUnreachable);
  std::vector<PathCost> distance(count);
  for (SiteId source = 0; source < count; ++source) {
    boost::dijkstra_shortest_paths(
        graph, source,
        boost::weight_map(weights)
            .distance_map(boost::make_iterator_property_map(distance.begin(), boost::get(boost::vertex_index, graph)))
            .distance_compare(PathCostLess{})
            .distance_combine(PathCostPlus{})
            .distance_inf(kInfinite)
            .distance_zero(PathCost{}));

    // The heap's order among equal distances is an implementation detail, so predecessors are
    // chosen afresh: among the links that reach a site on a shortest path, the lowest LinkId.
    std::vector<LinkId> last_link(count, 0);
    for (SiteId site = 0; site < count; ++site) {
      if (site == source || distance[site] == kInfinite) continue;
      LinkId best = std::numeric_limits<LinkId>::max();
      for (const auto& edge : boost::make_iterator_range(boost::out_edges(site, graph))) {
        const auto neighbour = static_cast<SiteId>(boost::target(edge, graph));
        const LinkId link = link_index[edge];
        if (PathCostPlus{}(distance[neighbour], link_costs[link]) == distance[site]) best = std::min(best, link);
      }
      last_link[site] = best;
    }

    for (SiteId destination = source; destination < count; ++destination) {
      if (distance[destination] == kInfinite) continue;
      std::vector<LinkId> path;
      for (SiteId site = destination; site != source;) {
        const LinkId link = last_link[site];
        path.push_back(link);
        site = link_ends_[link].first == site ? link_ends_[link].second : link_ends_[link].first;
      }
      std::reverse(path.begin(), path.end());
      latency_(source, destination) = latency_(destination, source) = distance[destination].latency;
      routes_[index(destination, source)].assign(path.rbegin(), path.rend());
      routes_[index(source, destination)] = std::move(path);
    }
  }
}

}  // namespace net
