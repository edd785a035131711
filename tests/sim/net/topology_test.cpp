#include "sim/net/topology.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace sim::time_literals;

namespace {

net::Topology create(std::vector<net::SiteDescription> sites, std::vector<net::LinkDescription> links) {
  auto topology = net::Topology::create(std::move(sites), std::move(links));
  REQUIRE(topology.ok());
  return std::move(topology).value();
}

std::string refusal(std::vector<net::SiteDescription> sites, std::vector<net::LinkDescription> links) {
  auto topology = net::Topology::create(std::move(sites), std::move(links));
  REQUIRE_FALSE(topology.ok());
  return topology.error();
}

}  // namespace

TEST_CASE("the route takes two fast hops rather than one slower direct link") {
  const net::Topology topology = create({{"contoso-hq"}, {"transit"}, {"ms-emea"}},
                                        {{"contoso-hq", "ms-emea", 20_ms, {}, 0.0},
                                         {"contoso-hq", "transit", 5_ms, {}, 0.0},
                                         {"transit", "ms-emea", 7_ms, {}, 0.0}});
  const net::SiteId hq = *topology.find_site("contoso-hq");
  const net::SiteId transit = *topology.find_site("transit");
  const net::SiteId emea = *topology.find_site("ms-emea");
  CHECK(topology.route(hq, emea) == std::vector<net::LinkId>{1, 2});
  CHECK(topology.route(emea, hq) == std::vector<net::LinkId>{2, 1});
  CHECK(topology.route(hq, transit) == std::vector<net::LinkId>{1});
  CHECK(topology.route(hq, hq).empty());

  const net::LatencyMatrix& latency = topology.latency_matrix();
  CHECK(latency(hq, emea) == (12_ms).nanoseconds());
  CHECK(latency(emea, hq) == (12_ms).nanoseconds());
  CHECK(latency(transit, emea) == (7_ms).nanoseconds());
  CHECK(latency(emea, emea) == 0);
}

TEST_CASE("equally fast routes go to fewer links and then to the lowest link id") {
  // a-d direct and a-b-d both take 10 ms: the direct link wins on hop count.
  const net::Topology direct = create({{"a"}, {"b"}, {"d"}},
                                      {{"a", "b", 5_ms, {}, 0.0}, {"b", "d", 5_ms, {}, 0.0}, {"a", "d", 10_ms, {}, 0.0}});
  CHECK(direct.route(0, 2) == std::vector<net::LinkId>{2});

  // a-c-d (links 0, 1) and a-b-d (links 2, 3): both two hops of 10 ms. The last hop into d with
  // the lowest id is link 1, so a-c-d; the way back is the same links reversed.
  const net::Topology diamond = create({{"a"}, {"b"}, {"c"}, {"d"}},
                                       {{"a", "c", 5_ms, {}, 0.0}, {"c", "d", 5_ms, {}, 0.0},
                                        {"a", "b", 5_ms, {}, 0.0}, {"b", "d", 5_ms, {}, 0.0}});
  CHECK(diamond.route(0, 3) == std::vector<net::LinkId>{0, 1});
  CHECK(diamond.route(3, 0) == std::vector<net::LinkId>{1, 0});
  CHECK(diamond.route(1, 2) == std::vector<net::LinkId>{2, 0});  // b-a-c, not b-d-c (3, 1)
}

TEST_CASE("sites that no link joins are unreachable") {
  const net::Topology topology = create({{"contoso-hq"}, {"ms-emea"}, {"island"}}, {{"contoso-hq", "ms-emea", 12_ms, {}, 0.0}});
  CHECK(topology.reachable(0, 1));
  CHECK_FALSE(topology.reachable(0, 2));
  CHECK(topology.latency_matrix()(2, 0) == net::Topology::kUnreachable);
  CHECK(topology.route(0, 2).empty());
}

TEST_CASE("a bad topology is refused with the offending entry named") {
  const std::vector<net::SiteDescription> sites{{"contoso-hq"}, {"ms-emea"}};
  CHECK(refusal({{"contoso-hq"}, {"contoso-hq"}}, {}) == "two sites are named \"contoso-hq\"");
  CHECK(refusal(sites, {{"contoso-hq", "ms-asia", 1_ms, {}, 0.0}}) == "link 1 (contoso-hq - ms-asia): unknown site \"ms-asia\"");
  CHECK(refusal(sites, {{"ms-emea", "ms-emea", 1_ms, {}, 0.0}}) == "link 1 (ms-emea - ms-emea): a link must join two different sites");
  CHECK(refusal(sites, {{"contoso-hq", "ms-emea", sim::Time::from_nanoseconds(-1), {}, 0.0}}) ==
        "link 1 (contoso-hq - ms-emea): negative latency");
  CHECK(refusal(sites, {{"contoso-hq", "ms-emea", 1_ms, {}, 0.0}, {"contoso-hq", "ms-emea", 1_ms, {}, 1.5}}) ==
        "link 2 (contoso-hq - ms-emea): loss must be within [0, 1]");
}

TEST_CASE("a link is found by its two sites in either order") {
  const net::Topology topology = create({{"contoso-hq"}, {"transit"}, {"ms-emea"}},
                                        {{"contoso-hq", "ms-emea", 20_ms, {}, 0.0},
                                         {"contoso-hq", "transit", 5_ms, {}, 0.0},
                                         {"contoso-hq", "ms-emea", 30_ms, {}, 0.0}});
  CHECK(topology.find_link("transit", "contoso-hq") == net::LinkId{1});
  CHECK(topology.find_link("ms-emea", "contoso-hq") == net::LinkId{0});  // the first of two
  CHECK_FALSE(topology.find_link("transit", "ms-emea"));
  CHECK_FALSE(topology.find_link("transit", "ms-asia"));
}
