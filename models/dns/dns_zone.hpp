#pragma once
// The authoritative records every resolver in the run sees: the topology's [[dns]] entries plus
// the implicit address records of datacenter FQDNs (spec/experiment-format.md), and the DNS
// faults (dns_nxdomain, dns_no_address) that override a name for a while.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/time.hpp"
#include "sim/net/ip_address.hpp"

namespace dns {

enum class RecordType : std::uint8_t { A, AAAA, TXT, CNAME, SRV };

std::optional<RecordType> parse_record_type(std::string_view text);  // "A", "AAAA", ... as the topology writes them
std::string_view record_type_name(RecordType type);

// Five minutes for records the topology gives no TTL: a common choice for names that move
// during failover, as the pstnhub FQDNs do; long enough that steady traffic rarely waits on DNS.
inline constexpr sim::Time kDefaultTtl = sim::Time::from_nanoseconds(300'000'000'000);

// `value` as a zone file writes it: an address for A/AAAA, a name for CNAME, free text for TXT,
// "priority weight port target" for SRV (RFC 2782).
struct DnsRecord {
  std::string name;
  RecordType type = RecordType::A;
  std::string value;
  sim::Time ttl = kDefaultTtl;
};

// What a lookup of a name's addresses comes to. NxDomain and NoAddress are the two DNS failures
// Microsoft reports apart (569015 and 569016): the name does not exist (RFC 1035 §4.1.1 RCODE 3)
// versus it exists without A/AAAA data (RFC 2308 §2.2 NODATA, e.g. a TXT verification record).
enum class DnsOutcome : std::uint8_t { Addresses, NxDomain, NoAddress, ServerFailure };

// Windows' text for the outcome (getaddrinfo's WSA errors), as Microsoft's call records quote it.
std::string_view windows_text(DnsOutcome outcome);

struct DnsAnswer {
  DnsOutcome outcome = DnsOutcome::NxDomain;
  std::vector<net::IpAddress> addresses;  // A and AAAA values in the order they were added
  std::string canonical_name;             // the name the CNAME chain ended at (lower case)
};

// The zone's reply with what a cache needs to keep it.
struct ZoneReply {
  DnsAnswer answer;
  sim::Time ttl = sim::Time::max();  // the smallest TTL of the records used; max() when none was
  bool forced = false;               // a fault decided the answer
  std::vector<std::string> chain;    // every name consulted, the queried one first
};

class DnsZone {
 public:
  // Checks the record, then adds it after the name's earlier records. An identical record (same
  // name, type and value) is ignored: an RRset holds no duplicates (RFC 2181 §5). Returns what is
  // wrong with a refused record, or nullopt.
  std::optional<std::string> add(DnsRecord record);
  // A datacenter FQDN's implicit record: A or AAAA by the address family.
  std::optional<std::string> add_address(std::string_view name, const net::IpAddress& address, sim::Time ttl = kDefaultTtl);

  // The name's records in the order they were added; empty for an unknown name. Owner names and
  // CNAME targets are stored normalized (normalize_dns_name).
  const std::vector<DnsRecord>& records(std::string_view name) const;
  // Follows CNAMEs (at most kMaximumCnameChain links; a longer chain or a loop is a
  // ServerFailure) and collects the A and AAAA records at the end of the chain.
  ZoneReply query_addresses(std::string_view name) const;
  static constexpr int kMaximumCnameChain = 8;

  // Faults. While a name is forced, a query that reaches it (directly or through a CNAME) gets
  // the forced outcome. Faults on one name stack: the latest applied still in force wins.
  void force(std::string_view name, DnsOutcome outcome);  // NxDomain or NoAddress
  void restore(std::string_view name, DnsOutcome outcome);
  std::optional<DnsOutcome> forced(std::string_view name) const;

  // Counts force/restore calls. A cache keeps the count seen when it asked, and an answer whose
  // chain holds a name changed after that is stale (changed_since).
  std::uint64_t change_count() const { return change_count_; }
  bool changed_since(std::string_view normalized_name, std::uint64_t count) const;

 private:
  // These take names already normalized, as the chain walk holds them.
  const std::vector<DnsRecord>& stored(std::string_view normalized_name) const;
  std::optional<DnsOutcome> forced_outcome(std::string_view normalized_name) const;
  std::optional<std::string> check_conflicts(const DnsRecord& record) const;
  void note_change(const std::string& name);

  std::map<std::string, std::vector<DnsRecord>, std::less<>> records_;   // by lower-case name
  std::map<std::string, std::vector<DnsOutcome>, std::less<>> forced_;   // oldest fault first
  std::map<std::string, std::uint64_t, std::less<>> last_change_;
  std::uint64_t change_count_ = 0;
};

// Lower case without a final dot: DNS names compare case-insensitively (RFC 4343).
std::string normalize_dns_name(std::string_view name);

}  // namespace dns
