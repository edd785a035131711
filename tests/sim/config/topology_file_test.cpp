#include "sim/config/topology_file.hpp"

#include <doctest/doctest.h>

#include "tests/sim/config/config_test_support.hpp"

using namespace config;
using namespace sim::time_literals;
using config_test::diagnostics_of;
using config_test::write_file;

namespace {

using config_test::kValidTopology;
using config_test::kValidTopologyLines;

sim::UtcTime utc(std::string_view text) { return sim::parse_rfc3339_utc(text).value(); }

// Loads kValidTopology plus `extra` and returns its diagnostics, the file named "F".
std::string problems_with(const std::string& name, const std::string& extra) {
  const auto path = write_file(name, kValidTopology + extra);
  return config_test::with_name(diagnostics_of(load_topology_file(path)), path, "F");
}

std::string line(int offset) { return std::to_string(kValidTopologyLines + offset); }

}  // namespace

TEST_CASE("the spec's example topology loads every table with its values in file order") {
  const auto loaded = load_topology_file(config_test::source_path("tests/sim/config/spec_examples/topologies/contoso-basic.toml"));
  REQUIRE_MESSAGE(loaded.ok(), diagnostics_of(loaded));
  const TopologyFile& topology = loaded.value();
  CHECK(topology.name == "contoso-basic");
  REQUIRE(topology.sites.size() == 2);
  CHECK(topology.sites[0].name == "contoso-hq");
  CHECK(topology.sites[1].name == "ms-emea");
  REQUIRE(topology.links.size() == 1);
  CHECK(topology.links[0].latency == 12_ms);
  CHECK(topology.links[0].jitter == 1_ms);
  CHECK(topology.links[0].loss == 0.0);
  REQUIRE(topology.dns_records.size() == 1);
  CHECK(topology.dns_records[0].type == DnsRecordType::A);
  CHECK(topology.dns_records[0].value == "203.0.113.10");
  CHECK(topology.certificate_authorities.at(0).trusted_by_microsoft);
  const Certificate& certificate = topology.certificates.at(0);
  CHECK(certificate.san == std::vector<std::string>{"sbc1.contoso.com"});
  CHECK(certificate.not_before == utc("2026-01-01T00:00:00Z"));
  CHECK(certificate.not_after == utc("2027-01-01T00:00:00Z"));
  const Datacenter& datacenter = topology.datacenters.at(0);
  CHECK(datacenter.ip == net::IpAddress::parse("52.114.76.76"));
  CHECK(datacenter.fqdns == std::vector<std::string>{"sip.pstnhub.microsoft.com", "sip2.pstnhub.microsoft.com"});
  const Sbc& sbc = topology.sbcs.at(0);
  CHECK(sbc.port == 5061);
  CHECK(sbc.options_interval == 60_s);
  CHECK(sbc.proxies.size() == 3);
  CHECK(sbc.allow.back() == "INFO");
  CHECK(sbc.trunk == "carrier1");
  const Tenant& tenant = topology.tenants.at(0);
  REQUIRE(tenant.users.size() == 1);
  const TeamsUser& alice = tenant.users[0];
  CHECK(alice.number == "+14255550100");
  REQUIRE(alice.endpoints.size() == 2);
  CHECK(alice.endpoints[0].kind == EndpointKind::Desktop);
  CHECK(alice.endpoints[0].ring_after == 300_ms);
  CHECK(alice.endpoints[0].answer_after == 6_s);
  CHECK(alice.endpoints[1].kind == EndpointKind::Mobile);
  CHECK_FALSE(alice.endpoints[1].answer);
  REQUIRE(tenant.user_blocks.size() == 1);
  CHECK(tenant.user_blocks[0].count == 2000);
  CHECK(user_count(tenant) == 2001);
  const Carrier& carrier = topology.carriers.at(0);
  CHECK(carrier.transport == Transport::Udp);
  CHECK(carrier.numbers == std::vector<std::string>{"+12065550100", "+12065550101"});
  CHECK(carrier.ring_after == 2_s);
}

TEST_CASE("keys left out take their declared defaults") {
  const auto loaded = load_topology_file(write_file("defaults.toml", kValidTopology));
  REQUIRE_MESSAGE(loaded.ok(), diagnostics_of(loaded));
  const TopologyFile& topology = loaded.value();
  CHECK(topology.links[0].jitter == 0_s);
  CHECK(topology.links[0].mtu == 1500);
  CHECK(topology.microsoft.options_demotion_window == 5_min);
  CHECK(topology.microsoft.ring_timeout == 20_s);
  const Sbc& sbc = topology.sbcs[0];
  CHECK(sbc.port == 5061);
  CHECK(sbc.contact_fqdn.empty());  // the SBC's Contact names its fqdn
  CHECK(sbc.failover_time == 10_s);
  CHECK(sbc.failover_response_codes == std::vector<std::int64_t>{408, 503, 504});
  CHECK(sbc.host.t1 == 500_ms);
  CHECK(sbc.host.t2 == 4_s);
  // The issue's SYN retransmissions 1, 2, 4, 8, 16 s apart, then 32 s: a connect fails at 63 s.
  CHECK(sbc.host.tcp_syn_timeouts == std::vector<sim::Time>{1_s, 2_s, 4_s, 8_s, 16_s, 32_s});
  // Microsoft's proxies are Windows hosts: a connect gives up after 3 + 6 + 12 = 21 s.
  CHECK(topology.datacenters[0].host.tcp_syn_timeouts == std::vector<sim::Time>{3_s, 6_s, 12_s});
  CHECK(topology.tenants[0].routes.empty());
  CHECK_FALSE(topology.carriers[0].ip.has_value());
}

TEST_CASE("extension keys set timers and Microsoft behaviour and voice routes") {
  const auto loaded = load_topology_file(write_file("extensions.toml", kValidTopology + R"(
[microsoft]
options_demotion_window = "3min"
ring_timeout = "30s"
[resolver]
latency = "20ms"
[[sbc]]
name = "sbc2"
site = "hq"
fqdn = "sbc2.contoso.com"
contact_fqdn = "sbc2-old.contoso.com"
ip = "203.0.113.11"
certificate = "c1"
firewall = [
  { action = "allow", direction = "inbound", protocol = "tcp", peer = "52.112.0.0/14", ports = "5061" },
  { action = "reject", peer = "dc1" },
  { action = "drop" },
]
t1 = "250ms"
tcp_syn_timeouts = ["1s", "3s"]
tls_handshake_round_trips = 1
failover_time = "20s"
failover_response_codes = [408, 486]
[[tenant.route]]
name = "us"
prefix = "+1"
sbcs = ["sbc2", "sbc1"]
)"));
  REQUIRE_MESSAGE(loaded.ok(), diagnostics_of(loaded));
  const TopologyFile& topology = loaded.value();
  CHECK(topology.microsoft.options_demotion_window == 3_min);
  CHECK(topology.microsoft.ring_timeout == 30_s);
  CHECK(topology.resolver.latency == 20_ms);
  const Sbc& sbc2 = topology.sbcs.at(1);
  CHECK(sbc2.contact_fqdn == "sbc2-old.contoso.com");
  REQUIRE(sbc2.host.firewall.size() == 3);
  CHECK(sbc2.host.firewall[0].action == FirewallAction::Allow);
  CHECK(sbc2.host.firewall[0].direction == FirewallDirection::Inbound);
  CHECK(sbc2.host.firewall[0].protocol == FirewallProtocol::Tcp);
  CHECK(sbc2.host.firewall[0].peer == "52.112.0.0/14");
  CHECK(sbc2.host.firewall[0].ports == "5061");
  CHECK(sbc2.host.firewall[1].peer == "dc1");
  // Left out: both directions, both transports, any peer, any port.
  CHECK(sbc2.host.firewall[2].action == FirewallAction::Drop);
  CHECK(sbc2.host.firewall[2].direction == FirewallDirection::Any);
  CHECK(sbc2.host.firewall[2].protocol == FirewallProtocol::Any);
  CHECK(sbc2.host.firewall[2].peer.empty());
  CHECK(sbc2.host.firewall[2].ports.empty());
  CHECK(sbc2.host.t1 == 250_ms);
  CHECK(sbc2.host.t2 == 4_s);
  CHECK(sbc2.host.tcp_syn_timeouts == std::vector<sim::Time>{1_s, 3_s});
  CHECK(sbc2.host.tls_handshake_round_trips == 1);
  CHECK(sbc2.failover_time == 20_s);
  CHECK(sbc2.failover_response_codes == std::vector<std::int64_t>{408, 486});
  // [[tenant.route]] after [[sbc]] still belongs to the last [[tenant]] (TOML's rule).
  const VoiceRoute& route = topology.tenants.at(0).routes.at(0);
  CHECK(route.prefix == "+1");
  CHECK(route.sbcs == std::vector<std::string>{"sbc2", "sbc1"});
}

TEST_CASE("unknown keys and tables are named with the keys that exist") {
  CHECK(problems_with("unknown-key.toml", "[[site]]\nname = \"x\"\ncolour = \"red\"\n") ==
        "F:" + line(3) + ":1: error: unknown key \"colour\" in [[site]] (known: name)\n");
  CHECK(problems_with("unknown-table.toml", "[[stie]]\nname = \"x\"\n") ==
        "F:" + line(1) + ":3: error: unknown table or key \"stie\" (known: topology, microsoft, resolver, site, link, dns, ca, certificate, "
                         "datacenter, sbc, tenant, carrier)\n");
  CHECK(problems_with("unknown-endpoint-key.toml", "[[tenant.user]]\nname = \"bob\"\nnumber = \"+14255550101\"\nendpoints = [{ kind = \"web\", rign_after = \"1s\" }]\n") ==
        "F:" + line(4) + ":30: error: unknown key \"rign_after\" in an endpoints entry (known: kind, ring_after, answer_after, answer)\n");
}

TEST_CASE("wrong types and bad values say what the key needs") {
  const std::string sbc = "[[sbc]]\nname = \"sbc2\"\nsite = \"hq\"\nfqdn = \"sbc2.contoso.com\"\ncertificate = \"c1\"\n";
  CHECK(problems_with("port.toml", sbc + "ip = \"203.0.113.11\"\nport = \"5061\"\n") == "F:" + line(7) + ":8: error: key \"port\" must be an integer from 0 to 65535\n");
  CHECK(problems_with("port-zero.toml", sbc + "ip = \"203.0.113.11\"\nport = 0\n") ==
        "F:" + line(7) + ":8: error: key \"port\": port 0 is not a port a peer can reach (use 1 to 65535)\n");
  CHECK(problems_with("address.toml", sbc + "ip = \"203.0.113.300\"\n") ==
        "F:" + line(6) + ":6: error: key \"ip\": \"203.0.113.300\" is not an IPv4 or IPv6 address\n");
  CHECK(problems_with("interval.toml", sbc + "ip = \"203.0.113.11\"\noptions_interval = \"1 minute\"\n") ==
        "F:" + line(7) + ":20: error: key \"options_interval\": duration \"1 minute\": missing unit (use ns, us, ms, s, m, min, h or d)\n");
  CHECK(problems_with("contact.toml", sbc + "ip = \"203.0.113.11\"\ncontact_fqdn = \"sbc2 old.contoso.com\"\n") ==
        "F:" + line(7) + ":16: error: key \"contact_fqdn\": \"sbc2 old.contoso.com\" is not a host name such as \"sbc1.contoso.com\"\n");
  CHECK(problems_with("firewall.toml", sbc + "ip = \"203.0.113.11\"\nfirewall = [{ action = \"deny\", ports = \"5061-5060\" }]\n") ==
        "F:" + line(7) + ":24: error: key \"action\": \"deny\" is not one of \"allow\", \"drop\", \"reject\"\n"
        "F:" + line(7) + ":40: error: key \"ports\": \"5061-5060\" is not a port (0 to 65535) or a range such as \"5060-5061\"\n");
  CHECK(problems_with("zero-interval.toml", sbc + "ip = \"203.0.113.11\"\noptions_interval = \"0s\"\n") ==
        "F:" + line(7) + ":20: error: key \"options_interval\": must be longer than 0s\n");
  CHECK(problems_with("loss.toml", "[[site]]\nname = \"far\"\n[[link]]\na = \"ms\"\nb = \"far\"\nlatency = \"1ms\"\nloss = 1.5\n") ==
        "F:" + line(7) + ":8: error: key \"loss\" must be a number from 0 to 1\n");
  CHECK(problems_with("timestamp.toml", "[[certificate]]\nname = \"c2\"\nsubject_cn = \"*.contoso.com\"\nissuer = \"Root\"\n"
                                        "not_before = \"2026-02-30T00:00:00Z\"\nnot_after = \"2027-01-01\"\n") ==
        "F:" + line(5) + ":14: error: key \"not_before\": \"2026-02-30T00:00:00Z\" names a day that does not exist\n"
        "F:" + line(6) + ":13: error: key \"not_after\": \"2027-01-01\" is not an RFC 3339 UTC timestamp like \"2026-12-31T23:30:00Z\"\n");
  CHECK(problems_with("number.toml", "[[carrier]]\nname = \"carrier2\"\nsite = \"hq\"\nnumbers = [\"+12065550199\", \"2065550100\"]\n") ==
        "F:" + line(4) + ":28: error: key \"numbers\": \"2065550100\" is not an E.164 number (\"+\" and 1 to 15 digits, e.g. \"+14255550100\")\n");
  CHECK(problems_with("kind.toml", "[[dns]]\nname = \"x.contoso.com\"\ntype = \"MX\"\nvalue = \"mail\"\n") ==
        "F:" + line(3) + ":8: error: key \"type\": \"MX\" is not one of \"A\", \"AAAA\", \"TXT\", \"CNAME\", \"SRV\"\n");
  CHECK(problems_with("aaaa.toml", "[[dns]]\nname = \"x.contoso.com\"\ntype = \"AAAA\"\nvalue = \"203.0.113.9\"\n") ==
        "F:" + line(4) + ":9: error: key \"value\": \"203.0.113.9\" is not an IPv6 address, as an AAAA record needs\n");
}

TEST_CASE("a missing required key is reported at its table") {
  CHECK(problems_with("missing.toml", "[[site]]\nname = \"far\"\n[[link]]\na = \"hq\"\nb = \"far\"\n") ==
        "F:" + line(3) + ":1: error: missing key \"latency\" in [[link]]\n");
  const auto path = write_file("no-topology-table.toml", "[[site]]\nname = \"hq\"\n");
  CHECK(diagnostics_of(load_topology_file(path)) == path.string() + ":1:1: error: missing [topology] table\n");
}

TEST_CASE("a name declared twice points at the first declaration") {
  CHECK(problems_with("twice.toml", "[[site]]\nname = \"hq\"\n") ==
        "F:" + line(2) + ":8: error: key \"name\": a second [[site]] named \"hq\" (the first is at line 4, column 8)\n");
  // Datacenters, SBCs and carriers are actors: one namespace.
  CHECK(problems_with("actor.toml", "[[carrier]]\nname = \"sbc1\"\nsite = \"hq\"\nnumbers = [\"+12065550199\"]\n") ==
        "F:" + line(2) + ":8: error: key \"name\": \"sbc1\" already names the [[sbc]] at line 25, column 8 "
                         "(datacenters, SBCs and carriers are actors and need distinct names)\n");
  CHECK(problems_with("link-twice.toml", "[[link]]\na = \"ms\"\nb = \"hq\"\nlatency = \"1ms\"\n") ==
        "F:" + line(3) + ":5: error: key \"b\": a second link between \"ms\" and \"hq\" (the first is at line 7, column 1)\n");
}

TEST_CASE("references to tables that do not exist are errors") {
  CHECK(problems_with("link-site.toml", "[[site]]\nname = \"ms-emea\"\n[[link]]\na = \"hq\"\nb = \"ms-emae\"\nlatency = \"1ms\"\n") ==
        "F:" + line(5) + ":5: error: key \"b\": no [[site]] named \"ms-emae\" (known: hq, ms, ms-emea)\n");
  CHECK(problems_with("issuer.toml", "[[certificate]]\nname = \"c2\"\nsubject_cn = \"sbc2.contoso.com\"\nissuer = \"Let's Encrypt\"\n"
                                     "not_before = \"2026-01-01T00:00:00Z\"\nnot_after = \"2027-01-01T00:00:00Z\"\n") ==
        "F:" + line(4) + ":10: error: key \"issuer\": no [[ca]] named \"Let's Encrypt\" (known: Root)\n");
  CHECK(problems_with("datacenter-site.toml", "[[datacenter]]\nname = \"dc2\"\nsite = \"ms-apac\"\nip = \"52.114.7.24\"\nfqdns = [\"sip3.pstnhub.microsoft.com\"]\n") ==
        "F:" + line(3) + ":8: error: key \"site\": no [[site]] named \"ms-apac\" (known: hq, ms)\n");
  CHECK(problems_with("sbc-references.toml", "[[sbc]]\nname = \"sbc2\"\nsite = \"hq\"\nfqdn = \"sbc2.contoso.com\"\nip = \"203.0.113.11\"\n"
                                             "certificate = \"c9\"\ntrunk = \"carrier9\"\n") ==
        "F:" + line(6) + ":15: error: key \"certificate\": no [[certificate]] named \"c9\" (known: c1)\n"
        "F:" + line(7) + ":9: error: key \"trunk\": no [[carrier]] named \"carrier9\" (known: carrier1)\n");
  CHECK(problems_with("route.toml", "[[tenant.route]]\nname = \"all\"\nsbcs = [\"sbc1\", \"sbc9\"]\n") ==
        "F:" + line(3) + ":17: error: key \"sbcs\": no [[sbc]] named \"sbc9\" (known: sbc1)\n");
  CHECK(problems_with("firewall-peer.toml", "[[datacenter]]\nname = \"dc2\"\nsite = \"ms\"\nip = \"52.114.7.24\"\nfqdns = [\"sip3.pstnhub.microsoft.com\"]\n"
                                            "firewall = [{ action = \"drop\", peer = \"sbc9\" }]\n") ==
        "F:" + line(6) + ":39: error: key \"peer\": \"sbc9\" is neither an address or CIDR block nor an [[sbc]], [[datacenter]] or "
                         "[[carrier]] name (known: carrier1, dc1, dc2, sbc1)\n");
}

TEST_CASE("values that only make sense together are checked together") {
  CHECK(problems_with("self-link.toml", "[[link]]\na = \"hq\"\nb = \"hq\"\nlatency = \"1ms\"\n") ==
        "F:" + line(3) + ":5: error: key \"b\": a link joins two different sites, not \"hq\" to itself\n");
  CHECK(problems_with("validity.toml", "[[certificate]]\nname = \"c2\"\nsubject_cn = \"sbc2.contoso.com\"\nissuer = \"Root\"\n"
                                       "not_before = \"2027-01-01T00:00:00Z\"\nnot_after = \"2026-01-01T00:00:00Z\"\n") ==
        "F:" + line(6) + ":13: error: key \"not_after\": 2026-01-01T00:00:00Z is not after not_before 2027-01-01T00:00:00Z\n");
  CHECK(problems_with("datacenter-record.toml", "[[dns]]\nname = \"sip.pstnhub.microsoft.com\"\nvalue = \"198.51.100.1\"\n") ==
        "F:" + line(3) + ":9: error: key \"value\": sip.pstnhub.microsoft.com is a datacenter FQDN: it resolves to its datacenters' "
                         "addresses (52.114.76.76), so a record may only repeat one\n");
  CHECK(problems_with("datacenter-record-same.toml", "[[dns]]\nname = \"sip.pstnhub.microsoft.com\"\nvalue = \"52.114.76.76\"\n").empty());
  CHECK(problems_with("srv.toml", "[[dns]]\nname = \"_sips._tcp.contoso.com\"\ntype = \"SRV\"\nvalue = \"10 60 sbc1.contoso.com\"\n") ==
        "F:" + line(4) + ":9: error: key \"value\": \"10 60 sbc1.contoso.com\" is not an SRV value \"priority weight port target\", e.g. "
                         "\"10 60 5061 sbc1.contoso.com\"\n");
}

TEST_CASE("phone numbers are unique within a tenant and never both Teams and PSTN") {
  CHECK(problems_with("same-number.toml", "[[tenant.user]]\nname = \"bob\"\nnumber = \"+14255550100\"\n") ==
        "F:" + line(3) + ":10: error: key \"number\": +14255550100 is already alice's number (at line 36, column 10)\n");
  CHECK(problems_with("block-overlap.toml", "[[tenant.users]]\ncount = 200\nfirst_number = \"+14255550000\"\n") ==
        "F:" + line(3) + ":16: error: key \"first_number\": the block +14255550000 to +14255550199 overlaps alice's number (at line 36, column 10)\n");
  CHECK(problems_with("block-end.toml", "[[tenant.users]]\ncount = 3\nfirst_number = \"+98\"\n") ==
        "F:" + line(2) + ":9: error: key \"count\": 3 users from +98 run past the last 2-digit number\n");
  CHECK(problems_with("carrier-number.toml", "[[carrier]]\nname = \"carrier2\"\nsite = \"hq\"\nnumbers = [\"+14255550100\"]\n") ==
        "F:" + line(4) + ":12: error: key \"numbers\": +14255550100 is also alice's number (at line 36, column 10)\n");
  // Another tenant may reuse a number: non-DID numbers such as +1001 exist in many tenants.
  CHECK(problems_with("other-tenant.toml", "[[tenant]]\nname = \"fabrikam\"\ndomains = [\"fabrikam.com\"]\n[[tenant.user]]\nname = \"carol\"\nnumber = \"+14255550100\"\n")
            .empty());
}

TEST_CASE("every problem in a topology is reported at once in file order") {
  // TOML++ walks tables alphabetically (carrier, link, sbc, site); the report follows the file.
  const auto path = write_file("order.toml", R"([topology]
name = "order"
[[site]]
name = "hq"
colour = "red"
[[sbc]]
name = "sbc1"
site = "nowhere"
fqdn = "sbc1.contoso.com"
ip = "203.0.113.10"
certificate = "c1"
[[link]]
a = "hq"
b = "hq"
latency = "soon"
[[carrier]]
name = "carrier1"
site = "hq"
numbers = []
)");
  const auto loaded = load_topology_file(path);
  REQUIRE_FALSE(loaded.ok());
  std::vector<int> lines;
  for (const Diagnostic& diagnostic : loaded.error().list()) lines.push_back(diagnostic.line);
  CHECK(lines == std::vector<int>{5, 8, 11, 14, 15, 19});
}

TEST_CASE("a number has its owner among users and blocks and carriers") {
  const auto loaded = load_topology_file(config_test::source_path("tests/sim/config/spec_examples/topologies/contoso-basic.toml"));
  REQUIRE(loaded.ok());
  const TopologyFile& topology = loaded.value();
  CHECK(find_number(topology, "+14255550100")->kind == NumberOwner::Kind::TeamsUser);
  CHECK(find_number(topology, "+14255561999")->kind == NumberOwner::Kind::TeamsUser);
  CHECK_FALSE(find_number(topology, "+14255562000").has_value());
  CHECK_FALSE(find_number(topology, "+1425556000").has_value());
  const auto carrier = find_number(topology, "+12065550101");
  REQUIRE(carrier.has_value());
  CHECK(carrier->kind == NumberOwner::Kind::Carrier);
  CHECK(carrier->index == 0);
  const UserBlock block{.count = 10, .first_number = "+0990", .endpoints = {}};
  CHECK(number_in_block(block, 9) == "+0999");
  CHECK(number_in_block(block, 10) == "+1000");
  const UserBlock last{.count = 10, .first_number = "+9990", .endpoints = {}};
  CHECK(number_in_block(last, 9) == "+9999");
  CHECK_FALSE(number_in_block(last, 10).has_value());
}
