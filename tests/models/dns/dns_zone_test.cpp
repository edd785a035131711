#include "models/dns/dns_zone.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using dns::DnsOutcome;
using dns::DnsRecord;
using dns::RecordType;
using namespace sim::time_literals;

namespace {

void add(dns::DnsZone& zone, DnsRecord record) {
  const auto problem = zone.add(std::move(record));
  if (problem) FAIL(*problem);
}

std::vector<std::string> texts(const std::vector<net::IpAddress>& addresses) {
  std::vector<std::string> result;
  for (const net::IpAddress& address : addresses) result.push_back(address.text());
  return result;
}

net::IpAddress ip(const char* text) { return *net::IpAddress::parse(text); }

}  // namespace

TEST_CASE("record types read and print as the topology writes them") {
  CHECK(dns::parse_record_type("AAAA") == RecordType::AAAA);
  CHECK(dns::parse_record_type("SRV") == RecordType::SRV);
  CHECK_FALSE(dns::parse_record_type("MX").has_value());
  CHECK_FALSE(dns::parse_record_type("cname").has_value());
  CHECK(dns::record_type_name(RecordType::CNAME) == "CNAME");
}

TEST_CASE("all addresses of a name come back in the order they were added") {
  dns::DnsZone zone;
  add(zone, {"sbc1.contoso.com", RecordType::A, "203.0.113.10", 60_s});
  add(zone, {"sbc1.contoso.com", RecordType::TXT, "ms=ms12345678", 3600_s});
  add(zone, {"sbc1.contoso.com", RecordType::AAAA, "2001:db8::10", 120_s});
  add(zone, {"sbc1.contoso.com", RecordType::A, "203.0.113.9", 90_s});
  const dns::ZoneReply reply = zone.query_addresses("sbc1.contoso.com");
  CHECK(reply.answer.outcome == DnsOutcome::Addresses);
  CHECK(texts(reply.answer.addresses) == std::vector<std::string>{"203.0.113.10", "2001:db8::10", "203.0.113.9"});
  CHECK(reply.ttl == 60_s);  // the smallest TTL among the records used; the TXT is not used
  CHECK(reply.chain == std::vector<std::string>{"sbc1.contoso.com"});
  CHECK(zone.records("sbc1.contoso.com").size() == 4);
}

TEST_CASE("names compare without regard to case or a final dot") {
  dns::DnsZone zone;
  add(zone, {"SBC1.Contoso.com", RecordType::A, "203.0.113.10"});
  CHECK(zone.query_addresses("sbc1.CONTOSO.com.").answer.outcome == DnsOutcome::Addresses);
  CHECK(zone.records("sbc1.contoso.com").front().name == "sbc1.contoso.com");
  CHECK(zone.records("sbc1.contoso.com").front().ttl == dns::kDefaultTtl);
  CHECK(dns::kDefaultTtl == 300_s);
}

TEST_CASE("an unknown name is NXDOMAIN and a name without addresses is NoAddress") {
  dns::DnsZone zone;
  add(zone, {"contoso.com", RecordType::TXT, "MS=ms12345678"});
  add(zone, {"_sips._tcp.contoso.com", RecordType::SRV, "10 60 5061 sbc1.contoso.com"});
  CHECK(zone.query_addresses("sbc1.contoso.com").answer.outcome == DnsOutcome::NxDomain);
  CHECK(zone.query_addresses("contoso.com").answer.outcome == DnsOutcome::NoAddress);
  CHECK(zone.query_addresses("_sips._tcp.contoso.com").answer.outcome == DnsOutcome::NoAddress);
  CHECK(zone.query_addresses("contoso.com").answer.addresses.empty());
  CHECK(dns::windows_text(DnsOutcome::NxDomain) == "No such host is known");
  CHECK(dns::windows_text(DnsOutcome::NoAddress) ==
        "The requested name is valid, but no data of the requested type was found");
}

TEST_CASE("a CNAME chain is followed to the addresses of its last name") {
  dns::DnsZone zone;
  add(zone, {"sip.contoso.com", RecordType::CNAME, "edge.contoso.com", 600_s});
  add(zone, {"edge.contoso.com", RecordType::CNAME, "SBC1.contoso.com.", 30_s});
  add(zone, {"sbc1.contoso.com", RecordType::A, "203.0.113.10", 60_s});
  const dns::ZoneReply reply = zone.query_addresses("sip.contoso.com");
  CHECK(reply.answer.outcome == DnsOutcome::Addresses);
  CHECK(texts(reply.answer.addresses) == std::vector<std::string>{"203.0.113.10"});
  CHECK(reply.answer.canonical_name == "sbc1.contoso.com");
  CHECK(reply.ttl == 30_s);
  CHECK(reply.chain == std::vector<std::string>{"sip.contoso.com", "edge.contoso.com", "sbc1.contoso.com"});

  add(zone, {"dangling.contoso.com", RecordType::CNAME, "gone.contoso.com"});
  CHECK(zone.query_addresses("dangling.contoso.com").answer.outcome == DnsOutcome::NxDomain);
}

TEST_CASE("a CNAME loop or an overlong chain is a server failure") {
  dns::DnsZone zone;
  add(zone, {"a.contoso.com", RecordType::CNAME, "b.contoso.com"});
  add(zone, {"b.contoso.com", RecordType::CNAME, "a.contoso.com"});
  CHECK(zone.query_addresses("a.contoso.com").answer.outcome == DnsOutcome::ServerFailure);

  // n0 → n1 → ... → n9 holds nine links: one more than allowed; n1 → ... → n9 is exactly eight.
  for (int i = 0; i < 9; ++i)
    add(zone, {"n" + std::to_string(i) + ".contoso.com", RecordType::CNAME, "n" + std::to_string(i + 1) + ".contoso.com"});
  add(zone, {"n9.contoso.com", RecordType::A, "203.0.113.10"});
  CHECK(zone.query_addresses("n1.contoso.com").answer.outcome == DnsOutcome::Addresses);
  CHECK(zone.query_addresses("n0.contoso.com").answer.outcome == DnsOutcome::ServerFailure);
}

TEST_CASE("datacenter FQDNs resolve to every datacenter that shares them and explicit twins are one") {
  dns::DnsZone zone;
  add(zone, {"sip.pstnhub.microsoft.com", RecordType::A, "52.114.76.76"});  // an explicit [[dns]] twin
  CHECK_FALSE(zone.add_address("sip.pstnhub.microsoft.com", ip("52.114.76.76")).has_value());
  CHECK_FALSE(zone.add_address("sip.pstnhub.microsoft.com", ip("52.114.132.46")).has_value());
  CHECK_FALSE(zone.add_address("sip.pstnhub.microsoft.com", ip("2603:1037::10")).has_value());
  CHECK_FALSE(zone.add_address("sip.pstnhub.microsoft.com", ip("2603:1037:0:0::10")).has_value());  // same address
  const dns::ZoneReply reply = zone.query_addresses("sip.pstnhub.microsoft.com");
  CHECK(texts(reply.answer.addresses) == std::vector<std::string>{"52.114.76.76", "52.114.132.46", "2603:1037::10"});
  CHECK(zone.records("sip.pstnhub.microsoft.com")[2].type == RecordType::AAAA);
}

TEST_CASE("records that cannot exist are refused with the reason") {
  dns::DnsZone zone;
  add(zone, {"sbc1.contoso.com", RecordType::A, "203.0.113.10"});
  add(zone, {"alias.contoso.com", RecordType::CNAME, "sbc1.contoso.com"});
  CHECK(zone.add({"sbc2.contoso.com", RecordType::A, "2001:db8::1"}) == "A record value \"2001:db8::1\" is not an IPv4 address");
  CHECK(zone.add({"sbc2.contoso.com", RecordType::AAAA, "203.0.113.1"}) == "AAAA record value \"203.0.113.1\" is not an IPv6 address");
  CHECK(zone.add({"sbc1..contoso.com", RecordType::A, "203.0.113.1"}) == "\"sbc1..contoso.com\" has an empty label");
  CHECK(zone.add({"sbc 1.contoso.com", RecordType::A, "203.0.113.1"}) == "\"sbc 1.contoso.com\" holds a character a DNS name cannot");
  CHECK(zone.add({"", RecordType::TXT, "x"}) == "the DNS name is empty");
  CHECK(zone.add({"_sip._udp.contoso.com", RecordType::SRV, "10 60 sbc1.contoso.com"}) ==
        "SRV value \"10 60 sbc1.contoso.com\" is not \"priority weight port target\"");
  CHECK(zone.add({"_sip._udp.contoso.com", RecordType::SRV, "10 60 70000 sbc1.contoso.com"}).has_value());
  CHECK_FALSE(zone.add({"_sip._udp.contoso.com", RecordType::SRV, "0 0 0 ."}).has_value());
  CHECK(zone.add({"sbc2.contoso.com", RecordType::A, "203.0.113.1", sim::Time::zero() - 1_s}) ==
        "the TTL must lie between 0 and 2147483647 seconds (RFC 2181 §8)");
  // RFC 1034 §3.6.2: CNAME and other data never share a name, in either order.
  CHECK(zone.add({"sbc1.contoso.com", RecordType::CNAME, "other.contoso.com"}) ==
        "\"sbc1.contoso.com\" cannot have a CNAME record and other records (RFC 1034 §3.6.2)");
  CHECK(zone.add({"alias.contoso.com", RecordType::TXT, "x"}).has_value());
  CHECK(zone.add({"alias.contoso.com", RecordType::CNAME, "elsewhere.contoso.com"}).has_value());
  CHECK_FALSE(zone.add({"alias.contoso.com", RecordType::CNAME, "SBC1.contoso.com"}).has_value());  // a twin
  CHECK(zone.records("alias.contoso.com").size() == 1);
  CHECK(zone.records("sbc2.contoso.com").empty());
}

TEST_CASE("a forced outcome overrides the records and the latest overlapping fault wins") {
  dns::DnsZone zone;
  add(zone, {"sbc1.contoso.com", RecordType::A, "203.0.113.10"});
  add(zone, {"alias.contoso.com", RecordType::CNAME, "sbc1.contoso.com"});
  const std::uint64_t before = zone.change_count();

  zone.force("SBC1.contoso.com", DnsOutcome::NxDomain);
  CHECK(zone.query_addresses("sbc1.contoso.com").answer.outcome == DnsOutcome::NxDomain);
  CHECK(zone.query_addresses("sbc1.contoso.com").forced);
  CHECK(zone.query_addresses("alias.contoso.com").answer.outcome == DnsOutcome::NxDomain);  // through the CNAME
  CHECK(zone.changed_since("sbc1.contoso.com", before));
  CHECK_FALSE(zone.changed_since("alias.contoso.com", before));

  zone.force("sbc1.contoso.com", DnsOutcome::NoAddress);
  CHECK(zone.query_addresses("sbc1.contoso.com").answer.outcome == DnsOutcome::NoAddress);
  zone.restore("sbc1.contoso.com", DnsOutcome::NoAddress);
  CHECK(zone.query_addresses("sbc1.contoso.com").answer.outcome == DnsOutcome::NxDomain);
  zone.restore("sbc1.contoso.com", DnsOutcome::NoAddress);  // nothing of that kind left: no change
  CHECK(zone.forced("sbc1.contoso.com") == DnsOutcome::NxDomain);
  zone.restore("sbc1.contoso.com", DnsOutcome::NxDomain);
  CHECK_FALSE(zone.forced("sbc1.contoso.com").has_value());
  const dns::ZoneReply healed = zone.query_addresses("sbc1.contoso.com");
  CHECK(healed.answer.outcome == DnsOutcome::Addresses);
  CHECK_FALSE(healed.forced);
  CHECK(zone.change_count() == before + 4);
}
