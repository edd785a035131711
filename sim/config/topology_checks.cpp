// Checks of a topology file that need more than one key: names declared twice, references to
// tables that do not exist, values that only make sense together. Each diagnostic points at
// the offending value. A required key that was left out is already reported, so an empty
// name or reference is skipped here rather than reported twice.
#include <algorithm>
#include <map>
#include <tuple>

#include "sim/config/topology_schema.hpp"
#include "sim/net/address_prefix.hpp"

namespace config {
namespace {

std::string line_and_column(const toml::source_region& where) {
  return "line " + std::to_string(where.begin.line) + ", column " + std::to_string(where.begin.column);
}

bool before(const toml::source_region& a, const toml::source_region& b) {
  return std::tie(a.begin.line, a.begin.column) < std::tie(b.begin.line, b.begin.column);
}

// The names one kind of table declared, in file order, with where each was declared first.
class NameRegistry {
 public:
  explicit NameRegistry(std::string_view label) : label_(label) {}

  // The position of the first declaration of `name`, or nullptr the first time.
  const toml::source_region* claim(const std::string& name, const toml::source_region& where) {
    const auto [entry, inserted] = first_.try_emplace(name, where);
    if (inserted) order_.push_back(name);
    return inserted ? nullptr : &entry->second;
  }
  bool contains(const std::string& name) const { return first_.contains(name); }
  // "no [[site]] named "x" (known: a, b)" for a reference to a missing name.
  std::string missing(const std::string& name) const {
    std::string known;
    for (std::size_t i = 0; i < order_.size() && i < 10; ++i) known += (i == 0 ? "" : ", ") + order_[i];
    if (order_.size() > 10) known += ", ...";
    return "no " + label_ + " named " + toml_quoted(name) + (known.empty() ? " (there are none)" : " (known: " + known + ")");
  }

 private:
  std::string label_;
  std::map<std::string, toml::source_region> first_;
  std::vector<std::string> order_;
};

// A run of Teams numbers of one length: a user's number (first == last) or a block.
struct NumberRange {
  std::size_t length = 0;
  std::int64_t first = 0;
  std::int64_t last = 0;
  toml::source_region where;
  std::string key;
  std::string what;  // "alice's number", "the block +14255560000 to +14255561999"
  bool block = false;
};

// "alice's number", "in the block ...": what a number that falls in `range` already is.
std::string owned_as(const NumberRange& range) { return (range.block ? "in " : "") + range.what; }

std::int64_t digits_of(const std::string& number) { return std::stoll(number.substr(1)); }

class TopologyChecker {
 public:
  TopologyChecker(const TopologyFile& topology, const toml::table& document, FileReader& file)
      : topology_(topology), document_(document), file_(file) {}

  void run() {
    check_sites_and_links();
    check_dns_records();
    check_certificates();
    check_hosts();
    check_tenants();
    check_numbers();
  }

 private:
  toml::source_region at(std::initializer_list<NodeStep> path) const { return position_of(document_, path); }
  void report(const toml::source_region& where, std::string_view key, const std::string& why) {
    file_.report(where, "key " + toml_quoted(key) + ": " + why);
  }

  // Registers `name`; a second declaration is reported where it stands ("a second WHAT "x"").
  void declare(NameRegistry& registry, const std::string& name, std::string_view what, std::initializer_list<NodeStep> path,
               std::string_view key = "name") {
    if (name.empty()) return;
    const toml::source_region where = at(path);
    if (const toml::source_region* first = registry.claim(name, where))
      report(where, key, "a second " + std::string(what) + " " + toml_quoted(name) + " (the first is at " + line_and_column(*first) + ")");
  }

  // Reports a reference to a name `registry` does not hold.
  void refer(const NameRegistry& registry, const std::string& name, std::initializer_list<NodeStep> path, std::string_view key) {
    if (!name.empty() && !registry.contains(name)) report(at(path), key, registry.missing(name));
  }

  void check_sites_and_links() {
    for (std::size_t i = 0; i < topology_.sites.size(); ++i) declare(sites_, topology_.sites[i].name, "[[site]] named", {"site", i, "name"});
    NameRegistry pairs("[[link]]");
    for (std::size_t i = 0; i < topology_.links.size(); ++i) {
      const Link& link = topology_.links[i];
      refer(sites_, link.a, {"link", i, "a"}, "a");
      refer(sites_, link.b, {"link", i, "b"}, "b");
      if (!link.a.empty() && link.a == link.b) report(at({"link", i, "b"}), "b", "a link joins two different sites, not " + toml_quoted(link.a) + " to itself");
      if (link.a.empty() || link.b.empty()) continue;
      // Undirected: "a|b" and "b|a" are one link.
      const std::string pair = std::min(link.a, link.b) + "|" + std::max(link.a, link.b);
      if (const toml::source_region* first = pairs.claim(pair, at({"link", i})))
        report(at({"link", i, "b"}), "b", "a second link between " + toml_quoted(link.a) + " and " + toml_quoted(link.b) + " (the first is at " +
                                              line_and_column(*first) + ")");
    }
  }

  void check_dns_records() {
    for (std::size_t i = 0; i < topology_.dns_records.size(); ++i) {
      const DnsRecord& record = topology_.dns_records[i];
      // With a missing value or an unknown type (both reported) there is nothing to compare.
      const auto* type = document_["dns"][i]["type"].as_string();
      const bool type_read = type == nullptr || enum_name(record.type) == type->get();
      if (record.value.empty() || !type_read) continue;
      if (const auto problem = dns_value_problem(record)) report(at({"dns", i, "value"}), "value", *problem);
      else if (const auto conflict = datacenter_record_conflict(record)) report(at({"dns", i, "value"}), "value", *conflict);
    }
  }

  static std::optional<std::string> dns_value_problem(const DnsRecord& record) {
    switch (record.type) {
      case DnsRecordType::A:
      case DnsRecordType::AAAA: {
        const net::IpFamily family = record.type == DnsRecordType::A ? net::IpFamily::V4 : net::IpFamily::V6;
        const auto address = net::IpAddress::parse(record.value);
        if (address && address->family() == family) return std::nullopt;
        return toml_quoted(record.value) + " is not an " + (family == net::IpFamily::V4 ? "IPv4" : "IPv6") + " address, as an " +
               std::string(to_string(record.type)) + " record needs";
      }
      case DnsRecordType::CNAME:
        return checks::host_name(record.value);
      case DnsRecordType::SRV:
        return srv_value_problem(record.value);
      case DnsRecordType::TXT:
        return std::nullopt;
    }
    return std::nullopt;
  }

  // RFC 2782: "priority weight port target".
  static std::optional<std::string> srv_value_problem(const std::string& value) {
    std::vector<std::string> fields;
    std::size_t start = 0;
    while (start < value.size()) {
      const std::size_t end = std::min(value.find(' ', start), value.size());
      if (end > start) fields.push_back(value.substr(start, end - start));
      start = end + 1;
    }
    const auto is_number_up_to = [](const std::string& text, long limit) {
      return !text.empty() && text.size() <= 5 && text.find_first_not_of("0123456789") == std::string::npos && std::stol(text) <= limit;
    };
    if (fields.size() == 4 && is_number_up_to(fields[0], 65535) && is_number_up_to(fields[1], 65535) && is_number_up_to(fields[2], 65535) &&
        !checks::host_name(fields[3]))
      return std::nullopt;
    return toml_quoted(value) + " is not an SRV value \"priority weight port target\", e.g. \"10 60 5061 sbc1.contoso.com\"";
  }

  // spec: a datacenter's FQDNs resolve to its IP; explicit records may only repeat that.
  std::optional<std::string> datacenter_record_conflict(const DnsRecord& record) const {
    if (record.type != DnsRecordType::A && record.type != DnsRecordType::AAAA) return std::nullopt;
    std::string addresses;
    for (const Datacenter& datacenter : topology_.datacenters) {
      if (std::find(datacenter.fqdns.begin(), datacenter.fqdns.end(), record.name) == datacenter.fqdns.end()) continue;
      if (datacenter.ip == net::IpAddress::parse(record.value)) return std::nullopt;
      addresses += (addresses.empty() ? "" : ", ") + datacenter.ip.text();
    }
    if (addresses.empty()) return std::nullopt;
    return record.name + " is a datacenter FQDN: it resolves to its datacenters' addresses (" + addresses + "), so a record may only repeat one";
  }

  void check_certificates() {
    for (std::size_t i = 0; i < topology_.certificate_authorities.size(); ++i)
      declare(authorities_, topology_.certificate_authorities[i].name, "[[ca]] named", {"ca", i, "name"});
    for (std::size_t i = 0; i < topology_.certificates.size(); ++i) {
      const Certificate& certificate = topology_.certificates[i];
      declare(certificates_, certificate.name, "[[certificate]] named", {"certificate", i, "name"});
      refer(authorities_, certificate.issuer, {"certificate", i, "issuer"}, "issuer");
      const bool both_read = is_timestamp(document_["certificate"][i]["not_before"]) && is_timestamp(document_["certificate"][i]["not_after"]);
      if (both_read && !(certificate.not_before < certificate.not_after))
        report(at({"certificate", i, "not_after"}), "not_after",
               sim::format_rfc3339_utc(certificate.not_after) + " is not after not_before " + sim::format_rfc3339_utc(certificate.not_before));
    }
  }

  // Whether a timestamp key was given and read (a bad one is reported already).
  static bool is_timestamp(toml::node_view<const toml::node> node) {
    const auto* text = node.as_string();
    return text != nullptr && sim::parse_rfc3339_utc(text->get()).ok();
  }

  // Datacenters, SBCs and carriers are actors: their names key random streams and fault
  // targets, so they share one namespace.
  void declare_actor(const std::string& name, std::string_view label, std::string_view array, std::size_t index) {
    if (name.empty()) return;
    const toml::source_region where = at({array, index, "name"});
    const auto [entry, inserted] = actors_.try_emplace(name, std::string(label), where);
    if (!inserted)
      report(where, "name",
             toml_quoted(name) + " already names the " + entry->second.first + " at " + line_and_column(entry->second.second) +
                 " (datacenters, SBCs and carriers are actors and need distinct names)");
  }

  void check_hosts() {
    NameRegistry carriers("[[carrier]]");
    for (std::size_t i = 0; i < topology_.carriers.size(); ++i) carriers.claim(topology_.carriers[i].name, at({"carrier", i}));
    NameRegistry fqdns("[[sbc]]");
    for (std::size_t i = 0; i < topology_.datacenters.size(); ++i) {
      declare_actor(topology_.datacenters[i].name, "[[datacenter]]", "datacenter", i);
      refer(sites_, topology_.datacenters[i].site, {"datacenter", i, "site"}, "site");
    }
    for (std::size_t i = 0; i < topology_.sbcs.size(); ++i) {
      const Sbc& sbc = topology_.sbcs[i];
      declare_actor(sbc.name, "[[sbc]]", "sbc", i);
      declare(fqdns, sbc.fqdn, "[[sbc]] with the FQDN", {"sbc", i, "fqdn"}, "fqdn");
      refer(sites_, sbc.site, {"sbc", i, "site"}, "site");
      refer(certificates_, sbc.certificate, {"sbc", i, "certificate"}, "certificate");
      refer(carriers, sbc.trunk, {"sbc", i, "trunk"}, "trunk");
      sbcs_.claim(sbc.name, at({"sbc", i}));
    }
    for (std::size_t i = 0; i < topology_.carriers.size(); ++i) {
      declare_actor(topology_.carriers[i].name, "[[carrier]]", "carrier", i);
      refer(sites_, topology_.carriers[i].site, {"carrier", i, "site"}, "site");
    }
    for (std::size_t i = 0; i < topology_.datacenters.size(); ++i) check_firewall_peers(topology_.datacenters[i].host, "datacenter", i);
    for (std::size_t i = 0; i < topology_.sbcs.size(); ++i) check_firewall_peers(topology_.sbcs[i].host, "sbc", i);
    for (std::size_t i = 0; i < topology_.carriers.size(); ++i) check_firewall_peers(topology_.carriers[i].host, "carrier", i);
  }

  // A rule's peer is an address block, or a host the file declares (every actor is one).
  void check_firewall_peers(const HostSettings& host, std::string_view array, std::size_t index) {
    for (std::size_t r = 0; r < host.firewall.size(); ++r) {
      const std::string& peer = host.firewall[r].peer;
      if (peer.empty() || net::AddressPrefix::parse(peer) || actors_.contains(peer)) continue;
      std::string known;
      std::size_t listed = 0;
      for (auto actor = actors_.begin(); actor != actors_.end() && listed < 10; ++actor, ++listed)
        known += (known.empty() ? "" : ", ") + actor->first;
      if (actors_.size() > 10) known += ", ...";
      report(at({array, index, "firewall", r, "peer"}), "peer",
             toml_quoted(peer) + " is neither an address or CIDR block nor an [[sbc]], [[datacenter]] or [[carrier]] name (known: " +
                 known + ")");
    }
  }

  void check_tenants() {
    NameRegistry tenants("[[tenant]]");
    NameRegistry domains("[[tenant]] with the domain");
    for (std::size_t t = 0; t < topology_.tenants.size(); ++t) {
      const Tenant& tenant = topology_.tenants[t];
      declare(tenants, tenant.name, "[[tenant]] named", {"tenant", t, "name"});
      for (std::size_t d = 0; d < tenant.domains.size(); ++d) declare(domains, tenant.domains[d], "tenant with the domain", {"tenant", t, "domains", d}, "domains");
      NameRegistry users("[[tenant.user]]");
      for (std::size_t u = 0; u < tenant.users.size(); ++u) declare(users, tenant.users[u].name, "[[tenant.user]] named", {"tenant", t, "user", u, "name"});
      NameRegistry routes("[[tenant.route]]");
      for (std::size_t r = 0; r < tenant.routes.size(); ++r) {
        declare(routes, tenant.routes[r].name, "[[tenant.route]] named", {"tenant", t, "route", r, "name"});
        for (std::size_t s = 0; s < tenant.routes[r].sbcs.size(); ++s)
          refer(sbcs_, tenant.routes[r].sbcs[s], {"tenant", t, "route", r, "sbcs", s}, "sbcs");
      }
    }
  }

  // Teams numbers must not repeat within a tenant (across tenants they may: non-DID numbers
  // such as +1001), and no carrier number may be a Teams number, or a call's direction
  // would be ambiguous.
  void check_numbers() {
    std::vector<NumberRange> all_teams_numbers;
    for (std::size_t t = 0; t < topology_.tenants.size(); ++t) {
      std::vector<NumberRange> ranges = tenant_number_ranges(t);
      report_overlaps(ranges);
      all_teams_numbers.insert(all_teams_numbers.end(), ranges.begin(), ranges.end());
    }
    NameRegistry carrier_numbers("carrier number");
    for (std::size_t c = 0; c < topology_.carriers.size(); ++c) {
      const std::vector<std::string>& numbers = topology_.carriers[c].numbers;
      for (std::size_t n = 0; n < numbers.size(); ++n) {
        declare(carrier_numbers, numbers[n], "carrier number", {"carrier", c, "numbers", n}, "numbers");
        for (const NumberRange& range : all_teams_numbers)
          if (range.length == numbers[n].size() && range.first <= digits_of(numbers[n]) && digits_of(numbers[n]) <= range.last)
            report(at({"carrier", c, "numbers", n}), "numbers", numbers[n] + " is also " + owned_as(range) + " (at " + line_and_column(range.where) + ")");
      }
    }
  }

  std::vector<NumberRange> tenant_number_ranges(std::size_t t) {
    const Tenant& tenant = topology_.tenants[t];
    std::vector<NumberRange> ranges;
    for (std::size_t u = 0; u < tenant.users.size(); ++u) {
      const TeamsUser& user = tenant.users[u];
      if (checks::e164_number(user.number)) continue;  // empty or already reported
      const std::int64_t value = digits_of(user.number);
      ranges.push_back({user.number.size(), value, value, at({"tenant", t, "user", u, "number"}), "number", user.name + "'s number", false});
    }
    for (std::size_t b = 0; b < tenant.user_blocks.size(); ++b) {
      const UserBlock& block = tenant.user_blocks[b];
      if (checks::e164_number(block.first_number) || block.count < 1) continue;
      const auto last = number_in_block(block, block.count - 1);
      if (!last) {
        report(at({"tenant", t, "users", b, "count"}), "count",
               std::to_string(block.count) + " users from " + block.first_number + " run past the last " +
                   std::to_string(block.first_number.size() - 1) + "-digit number");
        continue;
      }
      ranges.push_back({block.first_number.size(), digits_of(block.first_number), digits_of(*last), at({"tenant", t, "users", b, "first_number"}),
                        "first_number", "the block " + block.first_number + " to " + *last, true});
    }
    return ranges;
  }

  // Sorted by start, a range overlaps an earlier one exactly when it starts before the
  // furthest end seen so far; the later of the two in the file is reported.
  void report_overlaps(std::vector<NumberRange> ranges) {
    std::sort(ranges.begin(), ranges.end(), [](const NumberRange& x, const NumberRange& y) {
      return std::tie(x.length, x.first, x.where.begin.line, x.where.begin.column) < std::tie(y.length, y.first, y.where.begin.line, y.where.begin.column);
    });
    const NumberRange* furthest = nullptr;
    for (const NumberRange& range : ranges) {
      if (furthest != nullptr && furthest->length == range.length && range.first <= furthest->last) {
        const bool range_is_later = before(furthest->where, range.where);
        const NumberRange& later = range_is_later ? range : *furthest;
        const NumberRange& earlier = range_is_later ? *furthest : range;
        const std::string overlap = later.block ? later.what + " overlaps " + earlier.what : describe_span(later) + " is already " + owned_as(earlier);
        report(later.where, later.key, overlap + " (at " + line_and_column(earlier.where) + ")");
      }
      if (furthest == nullptr || furthest->length != range.length || range.last > furthest->last) furthest = &range;
    }
  }

  static std::string describe_span(const NumberRange& range) {
    const auto text = [&](std::int64_t value) {
      const std::string digits = std::to_string(value);
      return "+" + std::string(range.length - 1 - digits.size(), '0') + digits;
    };
    return range.first == range.last ? text(range.first) : text(range.first) + " to " + text(range.last);
  }

  const TopologyFile& topology_;
  const toml::table& document_;
  FileReader& file_;
  NameRegistry sites_{"[[site]]"};
  NameRegistry authorities_{"[[ca]]"};
  NameRegistry certificates_{"[[certificate]]"};
  NameRegistry sbcs_{"[[sbc]]"};
  std::map<std::string, std::pair<std::string, toml::source_region>> actors_;
};

}  // namespace

void check_topology(const TopologyFile& topology, const toml::table& document, FileReader& file) {
  TopologyChecker(topology, document, file).run();
}

}  // namespace config
