#include "models/dns/dns_zone.hpp"

#include <algorithm>
#include <charconv>

#include "sim/core/check.hpp"

namespace dns {
namespace {

// RFC 2181 §8: a TTL is an unsigned 31-bit number of seconds.
constexpr std::int64_t kMaximumTtlSeconds = 2'147'483'647;

bool is_label_character(char c) {
  // Letters, digits and hyphen (RFC 1123 §2.1), plus underscore for SRV owner names (RFC 2782).
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// nullopt for a well-formed name (RFC 1035 §2.3.4 sizes), else the reason.
std::optional<std::string> check_name(std::string_view original) {
  const std::string name = normalize_dns_name(original);
  const std::string quoted = "\"" + std::string(original) + "\"";
  if (name.empty()) return "the DNS name is empty";
  if (name.size() > 253) return quoted + " is longer than 253 characters";
  std::size_t label_start = 0;
  while (label_start <= name.size()) {
    const std::size_t dot = std::min(name.find('.', label_start), name.size());
    const std::size_t length = dot - label_start;
    if (length == 0) return quoted + " has an empty label";
    if (length > 63) return quoted + " has a label longer than 63 characters";
    for (std::size_t i = label_start; i < dot; ++i)
      if (!is_label_character(name[i])) return quoted + " holds a character a DNS name cannot";
    label_start = dot + 1;
  }
  return std::nullopt;
}

bool read_number(std::string_view text, std::uint32_t limit, std::uint32_t& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() && value <= limit;
}

std::vector<std::string_view> split_on_spaces(std::string_view text) {
  std::vector<std::string_view> fields;
  std::size_t at = 0;
  while (at < text.size()) {
    if (text[at] == ' ') {
      ++at;
      continue;
    }
    const std::size_t end = std::min(text.find(' ', at), text.size());
    fields.push_back(text.substr(at, end - at));
    at = end;
  }
  return fields;
}

// RFC 2782: "priority weight port target"; a target of "." means the service is not offered.
std::optional<std::string> check_srv_value(std::string_view value) {
  const std::vector<std::string_view> fields = split_on_spaces(value);
  std::uint32_t number = 0;
  const bool numbers_ok = fields.size() == 4 && read_number(fields[0], 65535, number) &&
                          read_number(fields[1], 65535, number) && read_number(fields[2], 65535, number);
  if (!numbers_ok) return "SRV value \"" + std::string(value) + "\" is not \"priority weight port target\"";
  if (fields[3] == ".") return std::nullopt;
  return check_name(fields[3]);
}

std::optional<std::string> check_value(const DnsRecord& record) {
  const std::string quoted = "\"" + record.value + "\"";
  switch (record.type) {
    case RecordType::A: {
      const auto address = net::IpAddress::parse(record.value);
      if (!address || address->family() != net::IpFamily::V4) return "A record value " + quoted + " is not an IPv4 address";
      return std::nullopt;
    }
    case RecordType::AAAA: {
      const auto address = net::IpAddress::parse(record.value);
      if (!address || address->family() != net::IpFamily::V6) return "AAAA record value " + quoted + " is not an IPv6 address";
      return std::nullopt;
    }
    case RecordType::CNAME: return check_name(record.value);
    case RecordType::SRV: return check_srv_value(record.value);
    case RecordType::TXT: return std::nullopt;
  }
  return std::nullopt;
}

bool is_address(RecordType type) { return type == RecordType::A || type == RecordType::AAAA; }

bool same_record(const DnsRecord& a, const DnsRecord& b) {
  if (a.type != b.type) return false;
  // Addresses compare as addresses ("2001:DB8::1" is "2001:db8::1"); names were normalized.
  if (is_address(a.type)) return net::IpAddress::parse(a.value) == net::IpAddress::parse(b.value);
  return a.value == b.value;
}

const std::vector<DnsRecord> kNoRecords;

}  // namespace

std::string normalize_dns_name(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::string lowered(name);
  for (char& c : lowered)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return lowered;
}

std::optional<RecordType> parse_record_type(std::string_view text) {
  for (RecordType type : {RecordType::A, RecordType::AAAA, RecordType::TXT, RecordType::CNAME, RecordType::SRV})
    if (record_type_name(type) == text) return type;
  return std::nullopt;
}

std::string_view record_type_name(RecordType type) {
  switch (type) {
    case RecordType::A: return "A";
    case RecordType::AAAA: return "AAAA";
    case RecordType::TXT: return "TXT";
    case RecordType::CNAME: return "CNAME";
    case RecordType::SRV: return "SRV";
  }
  return "?";
}

std::string_view windows_text(DnsOutcome outcome) {
  switch (outcome) {
    case DnsOutcome::Addresses: return "";
    case DnsOutcome::NxDomain: return "No such host is known";  // WSAHOST_NOT_FOUND
    case DnsOutcome::NoAddress: return "The requested name is valid, but no data of the requested type was found";  // WSANO_DATA
    case DnsOutcome::ServerFailure: return "A non-recoverable error occurred during a database lookup";  // WSANO_RECOVERY
  }
  return "";
}

std::optional<std::string> DnsZone::add(DnsRecord record) {
  if (auto problem = check_name(record.name)) return problem;
  if (auto problem = check_value(record)) return problem;
  if (record.ttl < sim::Time::zero() || record.ttl > sim::Time::from_seconds(kMaximumTtlSeconds))
    return "the TTL must lie between 0 and 2147483647 seconds (RFC 2181 §8)";
  record.name = normalize_dns_name(record.name);
  if (record.type == RecordType::CNAME) record.value = normalize_dns_name(record.value);

  for (const DnsRecord& earlier : stored(record.name))
    if (same_record(earlier, record)) return std::nullopt;
  if (auto problem = check_conflicts(record)) return problem;
  records_[record.name].push_back(std::move(record));
  return std::nullopt;
}

std::optional<std::string> DnsZone::add_address(std::string_view name, const net::IpAddress& address, sim::Time ttl) {
  const RecordType type = address.family() == net::IpFamily::V4 ? RecordType::A : RecordType::AAAA;
  return add(DnsRecord{std::string(name), type, address.text(), ttl});
}

std::optional<std::string> DnsZone::check_conflicts(const DnsRecord& record) const {
  // RFC 1034 §3.6.2, RFC 2181 §10.1: a name with a CNAME has no other data, not even a second CNAME.
  const std::vector<DnsRecord>& existing = stored(record.name);
  const bool has_alias = !existing.empty() && existing.front().type == RecordType::CNAME;
  if (has_alias || (record.type == RecordType::CNAME && !existing.empty()))
    return "\"" + record.name + "\" cannot have a CNAME record and other records (RFC 1034 §3.6.2)";
  return std::nullopt;
}

const std::vector<DnsRecord>& DnsZone::records(std::string_view name) const { return stored(normalize_dns_name(name)); }

const std::vector<DnsRecord>& DnsZone::stored(std::string_view normalized_name) const {
  const auto found = records_.find(normalized_name);
  return found == records_.end() ? kNoRecords : found->second;
}

ZoneReply DnsZone::query_addresses(std::string_view name) const {
  ZoneReply reply;
  std::string current = normalize_dns_name(name);
  for (int links = 0;; ++links) {
    reply.chain.push_back(current);
    reply.answer.canonical_name = current;
    if (const auto outcome = forced_outcome(current)) {
      reply.answer.outcome = *outcome;
      reply.forced = true;
      return reply;
    }
    const std::vector<DnsRecord>& found = stored(current);
    if (found.empty()) {
      reply.answer.outcome = DnsOutcome::NxDomain;  // RFC 6604: the RCODE speaks for the chain's last name
      return reply;
    }
    if (found.front().type != RecordType::CNAME) break;
    if (links == kMaximumCnameChain) {
      reply.answer.outcome = DnsOutcome::ServerFailure;
      return reply;
    }
    reply.ttl = std::min(reply.ttl, found.front().ttl);
    current = found.front().value;
  }
  for (const DnsRecord& record : stored(current)) {
    if (!is_address(record.type)) continue;
    const auto address = net::IpAddress::parse(record.value);
    DRSIM_CHECK(address.has_value(), "an address record that add() checked no longer parses");
    reply.answer.addresses.push_back(*address);
    reply.ttl = std::min(reply.ttl, record.ttl);
  }
  reply.answer.outcome = reply.answer.addresses.empty() ? DnsOutcome::NoAddress : DnsOutcome::Addresses;
  return reply;
}

void DnsZone::force(std::string_view name, DnsOutcome outcome) {
  DRSIM_CHECK(outcome == DnsOutcome::NxDomain || outcome == DnsOutcome::NoAddress, "a DNS fault forces NXDOMAIN or no address");
  const std::string key = normalize_dns_name(name);
  forced_[key].push_back(outcome);
  note_change(key);
}

void DnsZone::restore(std::string_view name, DnsOutcome outcome) {
  const std::string key = normalize_dns_name(name);
  const auto found = forced_.find(key);
  if (found == forced_.end()) return;
  std::vector<DnsOutcome>& faults = found->second;
  // The most recent matching fault heals; earlier overlapping ones stay in force.
  const auto latest = std::find(faults.rbegin(), faults.rend(), outcome);
  if (latest == faults.rend()) return;
  faults.erase(std::next(latest).base());
  if (faults.empty()) forced_.erase(found);
  note_change(key);
}

std::optional<DnsOutcome> DnsZone::forced(std::string_view name) const { return forced_outcome(normalize_dns_name(name)); }

std::optional<DnsOutcome> DnsZone::forced_outcome(std::string_view normalized_name) const {
  const auto found = forced_.find(normalized_name);
  if (found == forced_.end()) return std::nullopt;
  return found->second.back();
}

bool DnsZone::changed_since(std::string_view name, std::uint64_t count) const {
  const auto found = last_change_.find(name);
  return found != last_change_.end() && found->second > count;
}

void DnsZone::note_change(const std::string& name) {
  ++change_count_;
  last_change_[name] = change_count_;
}

}  // namespace dns
