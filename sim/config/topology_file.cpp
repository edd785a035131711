#include "sim/config/topology_file.hpp"

#include <array>

#include "sim/config/topology_schema.hpp"

namespace config {

// ---- Enumerations ------------------------------------------------------------------------------

std::span<const EnumEntry<DnsRecordType>> EnumNames<DnsRecordType>::entries() {
  static constexpr std::array<EnumEntry<DnsRecordType>, 5> kEntries{{
      {DnsRecordType::A, "A", "an IPv4 address"},
      {DnsRecordType::AAAA, "AAAA", "an IPv6 address"},
      {DnsRecordType::TXT, "TXT", "any text (domain verification records)"},
      {DnsRecordType::CNAME, "CNAME", "another name"},
      {DnsRecordType::SRV, "SRV", "\"priority weight port target\" (RFC 2782)"},
  }};
  return kEntries;
}

std::span<const EnumEntry<EndpointKind>> EnumNames<EndpointKind>::entries() {
  static constexpr std::array<EnumEntry<EndpointKind>, 4> kEntries{{
      {EndpointKind::Desktop, "desktop", "Teams desktop client"},
      {EndpointKind::Mobile, "mobile", "Teams mobile client"},
      {EndpointKind::Web, "web", "Teams in a browser"},
      {EndpointKind::DeskPhone, "desk_phone", "Teams desk phone"},
  }};
  return kEntries;
}

std::span<const EnumEntry<Transport>> EnumNames<Transport>::entries() {
  static constexpr std::array<EnumEntry<Transport>, 3> kEntries{{
      {Transport::Udp, "udp", "SIP over UDP"},
      {Transport::Tcp, "tcp", "SIP over TCP"},
      {Transport::Tls, "tls", "SIP over TLS"},
  }};
  return kEntries;
}

std::span<const EnumEntry<FirewallAction>> EnumNames<FirewallAction>::entries() {
  static constexpr std::array<EnumEntry<FirewallAction>, 3> kEntries{{
      {FirewallAction::Allow, "allow", "let the packet through"},
      {FirewallAction::Drop, "drop", "discard it silently: a TCP connect times out"},
      {FirewallAction::Reject, "reject", "answer with a reset (TCP) or ICMP port unreachable (UDP)"},
  }};
  return kEntries;
}

std::span<const EnumEntry<FirewallDirection>> EnumNames<FirewallDirection>::entries() {
  static constexpr std::array<EnumEntry<FirewallDirection>, 3> kEntries{{
      {FirewallDirection::Any, "any", "packets either way"},
      {FirewallDirection::Inbound, "inbound", "packets arriving at this host"},
      {FirewallDirection::Outbound, "outbound", "packets this host sends"},
  }};
  return kEntries;
}

std::span<const EnumEntry<FirewallProtocol>> EnumNames<FirewallProtocol>::entries() {
  static constexpr std::array<EnumEntry<FirewallProtocol>, 3> kEntries{{
      {FirewallProtocol::Any, "any", "UDP and TCP"},
      {FirewallProtocol::Udp, "udp", "UDP"},
      {FirewallProtocol::Tcp, "tcp", "TCP, TLS included"},
  }};
  return kEntries;
}

std::string_view to_string(DnsRecordType type) { return enum_name(type); }
std::string_view to_string(EndpointKind kind) { return enum_name(kind); }
std::string_view to_string(Transport transport) { return enum_name(transport); }

template <>
std::vector<std::string> record_names(const Link& link) {
  return {link.a + "|" + link.b, link.b + "|" + link.a};
}

std::string link_name(const Link& link) { return link.a + "|" + link.b; }

// ---- Tables ------------------------------------------------------------------------------------

namespace {

using namespace checks;

// The SIP timers and connection set-up every SIP-speaking host has (HostSettings).
template <class Record>
std::vector<Field<Record>> with_host_keys(std::vector<Field<Record>> fields) {
  fields.push_back(key("t1", &Record::host, &HostSettings::t1, "SIP timer T1, the round-trip estimate (RFC 3261 §17.1.1.1)", {.check = positive}));
  fields.push_back(key("t2", &Record::host, &HostSettings::t2, "SIP timer T2, the longest retransmit interval (RFC 3261 §17.1.2.2)", {.check = positive}));
  fields.push_back(key("t4", &Record::host, &HostSettings::t4, "SIP timer T4, how long a message may stay in the network (RFC 3261 §17.1.2.2)", {.check = positive}));
  fields.push_back(key("tcp_syn_timeouts", &Record::host, &HostSettings::tcp_syn_timeouts,
                       "the wait after each TCP SYN before the next; after the last one the connect fails", {.non_empty = true, .check = positive}));
  fields.push_back(key("tcp_data_retransmissions", &Record::host, &HostSettings::tcp_data_retransmissions,
                       "resends of unacknowledged TCP data before the connection is given up (Linux tcp_retries2; Windows 5)",
                       {.check = at_least_one}));
  fields.push_back(key("tls_handshake_round_trips", &Record::host, &HostSettings::tls_handshake_round_trips,
                       "round trips of a TLS handshake before the first SIP message (2 for TLS 1.2, 1 for TLS 1.3)", {.check = at_least_one}));
  fields.push_back(key("firewall", &Record::host, &HostSettings::firewall,
                       "its firewall's rules, in priority order: the first a packet matches decides; none matching lets it through"));
  return fields;
}

const Schema<TopologyFile>& topology_section() {
  static const Schema<TopologyFile> schema("[topology]", "The file's name; every topology file has this table.",
                                           {key("name", &TopologyFile::name, "the topology's name, used in reports", {.required = true, .check = not_empty})});
  return schema;
}

}  // namespace

const Schema<Site>& TableSchema<Site>::get() {
  static const Schema<Site> schema("[[site]]", "A network location; links join sites and every host stands on one.",
                                   {key("name", &Site::name, "the site's name", {.required = true, .check = not_empty})});
  return schema;
}

const Schema<Link>& TableSchema<Link>::get() {
  static const Schema<Link> schema(
      "[[link]]", "An undirected link between two sites; packets take the path of lowest total latency. Sweep paths and faults name it \"a|b\".",
      {key("a", &Link::a, "one end: a [[site]] name", {.required = true}),
       key("b", &Link::b, "the other end: a [[site]] name", {.required = true}),
       key("latency", &Link::latency, "one-way delay", {.required = true}),
       key("jitter", &Link::jitter, "largest extra delay a packet may get on top of latency"),
       key("loss", &Link::loss, "probability that a packet is lost"),
       key("mtu", &Link::mtu, "largest IP packet; bigger UDP datagrams are fragmented", {.unit = "bytes", .check = mtu_bytes})});
  return schema;
}

const Schema<DnsRecord>& TableSchema<DnsRecord>::get() {
  static const Schema<DnsRecord> schema(
      "[[dns]]", "An authoritative record the resolver sees. DNS faults act on these names.",
      {key("name", &DnsRecord::name, "the owner name", {.required = true, .check = host_name}),
       key("type", &DnsRecord::type, "the record type"),
       key("value", &DnsRecord::value, "A: an IPv4 address; AAAA: an IPv6 address; CNAME: a name; SRV: \"priority weight port target\"; TXT: any text",
           {.required = true}),
       key("ttl", &DnsRecord::ttl, "how long resolvers may cache the answer")});
  return schema;
}

const Schema<CertificateAuthority>& TableSchema<CertificateAuthority>::get() {
  static const Schema<CertificateAuthority> schema(
      "[[ca]]", "A certificate authority.",
      {key("name", &CertificateAuthority::name, "the CA's name, as certificates name their issuer", {.required = true, .check = not_empty}),
       key("trusted_by_microsoft", &CertificateAuthority::trusted_by_microsoft,
           "whether its root is in the Microsoft Trusted Root Certificate Program (false: SBC certificates it issues fail with SEC_E_UNTRUSTED_ROOT)")});
  return schema;
}

const Schema<Certificate>& TableSchema<Certificate>::get() {
  static const Schema<Certificate> schema(
      "[[certificate]]", "A TLS certificate an SBC presents.",
      {key("name", &Certificate::name, "the certificate's name, as [[sbc]] certificate names it", {.required = true, .check = not_empty}),
       key("subject_cn", &Certificate::subject_cn, "subject common name; a wildcard follows RFC 2818 §3.1", {.required = true, .check = certificate_name}),
       key("san", &Certificate::san, "subject alternative names (DNS)", {.check = certificate_name}),
       key("issuer", &Certificate::issuer, "the issuing [[ca]]'s name", {.required = true}),
       key("not_before", &Certificate::not_before, "start of validity", {.required = true}),
       key("not_after", &Certificate::not_after, "end of validity; past it Microsoft fails with SEC_E_CERT_EXPIRED", {.required = true})});
  return schema;
}

const Schema<Datacenter>& TableSchema<Datacenter>::get() {
  static const Schema<Datacenter> schema(
      "[[datacenter]]",
      "One Microsoft SIP proxy. Its FQDNs resolve to its IP without [[dns]] records; datacenters sharing an FQDN all answer for it. "
      "Defaults of tcp_syn_timeouts and tcp_data_retransmissions differ from the other hosts: Windows retransmits a SYN twice "
      "after 3 s and 6 s, and data 5 times (TcpMaxDataRetransmissions).",
      with_host_keys<Datacenter>({key("name", &Datacenter::name, "the datacenter's name (actor name)", {.required = true, .check = not_empty}),
                                  key("site", &Datacenter::site, "the [[site]] it stands on", {.required = true}),
                                  key("ip", &Datacenter::ip, "its signalling address", {.required = true}),
                                  key("fqdns", &Datacenter::fqdns, "names that resolve to it, e.g. sip.pstnhub.microsoft.com",
                                      {.required = true, .non_empty = true, .check = host_name})}));
  return schema;
}

const Schema<Sbc>& TableSchema<Sbc>::get() {
  static const Schema<Sbc> schema(
      "[[sbc]]", "A customer's Session Border Controller. Its FQDN resolves only through [[dns]] records, so DNS faults reach it.",
      with_host_keys<Sbc>(
          {key("name", &Sbc::name, "the SBC's name (actor name)", {.required = true, .check = not_empty}),
           key("site", &Sbc::site, "the [[site]] it stands on", {.required = true}),
           key("fqdn", &Sbc::fqdn, "its FQDN, in its Contact and matched against its certificate", {.required = true, .check = host_name}),
           key("contact_fqdn", &Sbc::contact_fqdn,
               "the host of its Contact toward Microsoft when not `fqdn` (a misconfiguration): Microsoft recognises the SBC by it and sends in-dialog requests, ACK first, to it; empty for `fqdn`",
               {.check = host_name_or_empty}),
           key("ip", &Sbc::ip, "its signalling address", {.required = true}),
           key("port", &Sbc::port, "its SIP/TLS port", {.check = port_number}),
           key("certificate", &Sbc::certificate, "the [[certificate]] it presents", {.required = true}),
           key("allow", &Sbc::allow, "methods in its Allow header; without REFER Microsoft transfers calls itself"),
           key("options_interval", &Sbc::options_interval, "time between its OPTIONS pings to each proxy", {.check = positive}),
           key("proxies", &Sbc::proxies, "Microsoft FQDNs it uses, in order of preference", {.non_empty = true, .check = host_name}),
           key("media_bypass", &Sbc::media_bypass, "whether media flows between the SBC and the Teams clients directly"),
           key("trunk", &Sbc::trunk, "the [[carrier]] of its PSTN trunk; empty for none"),
           key("failover_time", &Sbc::failover_time,
               "Microsoft's FailoverTimeSeconds: an outbound INVITE unanswered this long moves to the next SBC of the route", {.check = positive}),
           key("failover_response_codes", &Sbc::failover_response_codes,
               "Microsoft's FailoverResponseCodes: answers that move an outbound call to the next SBC of the route", {.check = sip_status_code})}));
  return schema;
}

const Schema<Endpoint>& TableSchema<Endpoint>::get() {
  static const Schema<Endpoint> schema(
      "an endpoints entry", "One Teams client of a user, as an inline table in `endpoints` of [[tenant.user]] or [[tenant.users]].",
      {key("kind", &Endpoint::kind, "which client", {.required = true}),
       key("ring_after", &Endpoint::ring_after, "from the proxy's INVITE to the client ringing (a 180 with its own To-tag)"),
       key("answer_after", &Endpoint::answer_after, "from the INVITE to the client answering, when it answers"),
       key("answer", &Endpoint::answer, "whether this client answers at all")},
      "`endpoints` entries");
  return schema;
}

const Schema<FirewallRuleEntry>& TableSchema<FirewallRuleEntry>::get() {
  static const Schema<FirewallRuleEntry> schema(
      "a firewall entry",
      "One rule of a host's firewall, as an inline table in `firewall` of [[sbc]], [[datacenter]] or [[carrier]]. Rules are stateless: "
      "each packet is judged alone, so replies need a rule of their own.",
      {key("action", &FirewallRuleEntry::action, "what a matching packet meets", {.required = true}),
       key("direction", &FirewallRuleEntry::direction, "which packets the rule looks at"),
       key("protocol", &FirewallRuleEntry::protocol, "which transport"),
       key("peer", &FirewallRuleEntry::peer,
           "the far end: an [[sbc]], [[datacenter]] or [[carrier]] name, an address or a CIDR block such as \"52.112.0.0/14\"; empty for any"),
       key("ports", &FirewallRuleEntry::ports, "this host's end: a port or a range such as \"5060-5061\"; empty for any",
           {.check = port_range_or_empty})},
      "`firewall` entries");
  return schema;
}

const Schema<TeamsUser>& TableSchema<TeamsUser>::get() {
  static const Schema<TeamsUser> schema(
      "[[tenant.user]]", "A Teams user with a phone number and the clients that ring when it is called.",
      {key("name", &TeamsUser::name, "the user's name", {.required = true, .check = not_empty}),
       key("number", &TeamsUser::number, "the user's E.164 number", {.required = true, .check = e164_number}),
       key("endpoints", &TeamsUser::endpoints, "the user's clients; none: the user is signed in nowhere")});
  return schema;
}

const Schema<UserBlock>& TableSchema<UserBlock>::get() {
  static const Schema<UserBlock> schema(
      "[[tenant.users]]", "Many users at once, numbered first_number, first_number + 1, ...",
      {key("count", &UserBlock::count, "how many users", {.required = true, .unit = "users", .check = at_least_one}),
       key("first_number", &UserBlock::first_number, "the first user's E.164 number", {.required = true, .check = e164_number}),
       key("endpoints", &UserBlock::endpoints, "each user's clients")});
  return schema;
}

const Schema<VoiceRoute>& TableSchema<VoiceRoute>::get() {
  static const Schema<VoiceRoute> schema(
      "[[tenant.route]]",
      "An outbound voice route: calls to numbers starting with prefix go to its SBCs in order. Without routes a tenant sends every "
      "number to the SBCs whose FQDN is in one of its domains, in file order.",
      {key("name", &VoiceRoute::name, "the route's name", {.required = true, .check = not_empty}),
       key("prefix", &VoiceRoute::prefix, "numbers this route takes", {.check = number_prefix}),
       key("sbcs", &VoiceRoute::sbcs, "[[sbc]] names, tried in this order", {.required = true, .non_empty = true})});
  return schema;
}

const Schema<Tenant>& TableSchema<Tenant>::get() {
  static const Schema<Tenant> schema(
      "[[tenant]]", "A Microsoft 365 tenant. The proxy finds it from the SBC's FQDN or its domain part.",
      {key("name", &Tenant::name, "the tenant's name", {.required = true, .check = not_empty}),
       key("domains", &Tenant::domains, "its verified domains; an SBC FQDN under one belongs to it",
           {.required = true, .non_empty = true, .check = host_name}),
       key("user", &Tenant::users, "users one by one"),
       key("users", &Tenant::user_blocks, "blocks of users"),
       key("route", &Tenant::routes, "outbound voice routes, tried in file order")});
  return schema;
}

const Schema<Carrier>& TableSchema<Carrier>::get() {
  static const Schema<Carrier> schema(
      "[[carrier]]", "The PSTN side of an SBC trunk, with the phones behind it.",
      with_host_keys<Carrier>(
          {key("name", &Carrier::name, "the carrier's name (actor name), as [[sbc]] trunk names it", {.required = true, .check = not_empty}),
           key("site", &Carrier::site, "the [[site]] it stands on", {.required = true}),
           key("ip", &Carrier::ip, "its signalling address; none: the network gives it one"),
           key("transport", &Carrier::transport, "SIP transport of the trunk"),
           key("mtu", &Carrier::mtu, "largest IP packet on the trunk", {.unit = "bytes", .check = mtu_bytes}),
           key("numbers", &Carrier::numbers, "the PSTN numbers behind it", {.required = true, .non_empty = true, .check = e164_number}),
           key("ring_after", &Carrier::ring_after, "how long its phones take to ring when called"),
           key("answer_after", &Carrier::answer_after, "how long its phones take to answer when called")}));
  return schema;
}

const Schema<MicrosoftSettings>& TableSchema<MicrosoftSettings>::get() {
  static const Schema<MicrosoftSettings> schema(
      "[microsoft]", "How the Microsoft side behaves everywhere (optional table).",
      {key("options_demotion_window", &MicrosoftSettings::options_demotion_window,
           "an SBC with no OPTIONS for this long is demoted: tried last, never skipped (older documents: 3min)", {.check = positive}),
       key("ring_timeout", &MicrosoftSettings::ring_timeout, "an unanswered inbound call ends after this (Teams allows 10s to 60s)", {.check = positive}),
       key("media_timeout", &MicrosoftSettings::media_timeout, "a call without media for this long ends with 0/408", {.check = positive}),
       key("options_interval", &MicrosoftSettings::options_interval,
           "each proxy's own OPTIONS to every SBC it knows (undocumented by Microsoft; a setting)", {.check = positive})});
  return schema;
}

const Schema<ResolverSettings>& TableSchema<ResolverSettings>::get() {
  static const Schema<ResolverSettings> schema("[resolver]", "The DNS resolver every host uses (optional table).",
                                               {key("latency", &ResolverSettings::latency, "from a query to its answer")});
  return schema;
}

const Schema<TopologyFile>& topology_schema() {
  static const Schema<TopologyFile> schema(
      "", "A topology file: who exists and how they are wired.",
      {section("topology", &topology_section, "the file's name", true),
       key("microsoft", &TopologyFile::microsoft, "Microsoft-wide behaviour"),
       key("resolver", &TopologyFile::resolver, "the DNS resolver"),
       key("site", &TopologyFile::sites, "network locations"),
       key("link", &TopologyFile::links, "links between sites"),
       key("dns", &TopologyFile::dns_records, "DNS records"),
       key("ca", &TopologyFile::certificate_authorities, "certificate authorities"),
       key("certificate", &TopologyFile::certificates, "certificates"),
       key("datacenter", &TopologyFile::datacenters, "Microsoft SIP proxies"),
       key("sbc", &TopologyFile::sbcs, "SBCs"),
       key("tenant", &TopologyFile::tenants, "tenants and their users"),
       key("carrier", &TopologyFile::carriers, "PSTN carriers")});
  return schema;
}

// ---- Loading -----------------------------------------------------------------------------------

std::optional<toml::table> parse_toml_file(const std::filesystem::path& path, Diagnostics& diagnostics) {
  try {
    return toml::parse_file(path.string());
  } catch (const toml::parse_error& error) {
    const toml::source_region& where = error.source();
    diagnostics.add(Diagnostic{path.string(), static_cast<int>(where.begin.line), static_cast<int>(where.begin.column), std::string(error.description())});
    return std::nullopt;
  }
}

sim::Result<TopologyFile, Diagnostics> load_topology_file(const std::filesystem::path& path) {
  Diagnostics diagnostics;
  const std::optional<toml::table> document = parse_toml_file(path, diagnostics);
  if (!document) return sim::Failure{std::move(diagnostics)};
  FileReader file(path, diagnostics);
  TopologyFile topology;
  topology.path = path;
  read_table(*document, topology_schema(), topology, file);
  check_topology(topology, *document, file);
  if (!diagnostics.empty()) {
    diagnostics.sort_by_position();
    return sim::Failure{std::move(diagnostics)};
  }
  return topology;
}

// ---- Numbers -----------------------------------------------------------------------------------

std::optional<std::string> number_in_block(const UserBlock& block, std::int64_t offset) {
  const std::string& first = block.first_number;
  if (checks::e164_number(first) || offset < 0) return std::nullopt;
  std::int64_t value = std::stoll(first.substr(1));
  std::int64_t limit = 1;
  for (std::size_t digit = 1; digit < first.size(); ++digit) limit *= 10;
  if (offset >= limit - value) return std::nullopt;
  value += offset;
  std::string digits = std::to_string(value);
  return "+" + std::string(first.size() - 1 - digits.size(), '0') + digits;
}

namespace {

bool block_holds(const UserBlock& block, std::string_view number) {
  const std::string& first = block.first_number;
  if (number.size() != first.size() || checks::e164_number(std::string(number)) || checks::e164_number(first)) return false;
  // Same length, so comparing the digit strings compares the numbers.
  if (number < std::string_view(first)) return false;
  const auto last = number_in_block(block, block.count - 1);
  return last && number <= std::string_view(*last);
}

}  // namespace

std::optional<NumberOwner> find_number(const TopologyFile& topology, std::string_view number) {
  for (std::size_t tenant = 0; tenant < topology.tenants.size(); ++tenant) {
    for (const TeamsUser& user : topology.tenants[tenant].users)
      if (user.number == number) return NumberOwner{NumberOwner::Kind::TeamsUser, tenant};
    for (const UserBlock& block : topology.tenants[tenant].user_blocks)
      if (block_holds(block, number)) return NumberOwner{NumberOwner::Kind::TeamsUser, tenant};
  }
  for (std::size_t carrier = 0; carrier < topology.carriers.size(); ++carrier)
    for (const std::string& carrier_number : topology.carriers[carrier].numbers)
      if (carrier_number == number) return NumberOwner{NumberOwner::Kind::Carrier, carrier};
  return std::nullopt;
}

bool signed_in_somewhere(const TopologyFile& topology, std::string_view number) {
  for (const Tenant& tenant : topology.tenants) {
    for (const TeamsUser& user : tenant.users)
      if (user.number == number) return !user.endpoints.empty();
    for (const UserBlock& block : tenant.user_blocks)
      if (block_holds(block, number)) return !block.endpoints.empty();
  }
  return false;
}

std::int64_t user_count(const Tenant& tenant) {
  std::int64_t count = static_cast<std::int64_t>(tenant.users.size());
  for (const UserBlock& block : tenant.user_blocks) count += block.count;
  return count;
}

std::string summarize(const TopologyFile& topology) {
  std::int64_t users = 0;
  for (const Tenant& tenant : topology.tenants) users += user_count(tenant);
  std::size_t firewall_rules = 0;
  for (const Datacenter& datacenter : topology.datacenters) firewall_rules += datacenter.host.firewall.size();
  for (const Sbc& sbc : topology.sbcs) firewall_rules += sbc.host.firewall.size();
  for (const Carrier& carrier : topology.carriers) firewall_rules += carrier.host.firewall.size();
  // Rules are named only when there are some: most topologies have none.
  const std::string rules = firewall_rules == 0 ? "" : ", " + count_of(firewall_rules, "firewall rule", "firewall rules");
  return "topology " + topology.name + ": " + count_of(topology.sites.size(), "site", "sites") + ", " +
         count_of(topology.links.size(), "link", "links") + ", " + count_of(topology.dns_records.size(), "DNS record", "DNS records") + ", " +
         count_of(topology.certificate_authorities.size(), "CA", "CAs") + ", " +
         count_of(topology.certificates.size(), "certificate", "certificates") + ", " +
         count_of(topology.datacenters.size(), "datacenter", "datacenters") + ", " + count_of(topology.sbcs.size(), "SBC", "SBCs") + ", " +
         count_of(topology.tenants.size(), "tenant", "tenants") + ", " + count_of(static_cast<std::size_t>(users), "user", "users") + ", " +
         count_of(topology.carriers.size(), "carrier", "carriers") + rules;
}

}  // namespace config
