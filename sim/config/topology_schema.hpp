#pragma once
// The topology file's schema, for the sim/config files that read or walk it (experiment sweep
// paths reach into the topology). Internal to sim/config.
#include "sim/config/schema.hpp"
#include "sim/config/topology_file.hpp"

namespace config {

template <>
struct EnumNames<DnsRecordType> {
  static std::span<const EnumEntry<DnsRecordType>> entries();
};
template <>
struct EnumNames<EndpointKind> {
  static std::span<const EnumEntry<EndpointKind>> entries();
};
template <>
struct EnumNames<Transport> {
  static std::span<const EnumEntry<Transport>> entries();
};
template <>
struct EnumNames<FirewallAction> {
  static std::span<const EnumEntry<FirewallAction>> entries();
};
template <>
struct EnumNames<FirewallDirection> {
  static std::span<const EnumEntry<FirewallDirection>> entries();
};
template <>
struct EnumNames<FirewallProtocol> {
  static std::span<const EnumEntry<FirewallProtocol>> entries();
};

// clang-format off
template <> struct TableSchema<Site> { static const Schema<Site>& get(); };
template <> struct TableSchema<Link> { static const Schema<Link>& get(); };
template <> struct TableSchema<DnsRecord> { static const Schema<DnsRecord>& get(); };
template <> struct TableSchema<CertificateAuthority> { static const Schema<CertificateAuthority>& get(); };
template <> struct TableSchema<Certificate> { static const Schema<Certificate>& get(); };
template <> struct TableSchema<Datacenter> { static const Schema<Datacenter>& get(); };
template <> struct TableSchema<Sbc> { static const Schema<Sbc>& get(); };
template <> struct TableSchema<Endpoint> { static const Schema<Endpoint>& get(); };
template <> struct TableSchema<FirewallRuleEntry> { static const Schema<FirewallRuleEntry>& get(); };
template <> struct TableSchema<TeamsUser> { static const Schema<TeamsUser>& get(); };
template <> struct TableSchema<UserBlock> { static const Schema<UserBlock>& get(); };
template <> struct TableSchema<VoiceRoute> { static const Schema<VoiceRoute>& get(); };
template <> struct TableSchema<Tenant> { static const Schema<Tenant>& get(); };
template <> struct TableSchema<Carrier> { static const Schema<Carrier>& get(); };
template <> struct TableSchema<MicrosoftSettings> { static const Schema<MicrosoftSettings>& get(); };
template <> struct TableSchema<ResolverSettings> { static const Schema<ResolverSettings>& get(); };
// clang-format on

// A link is known by its two sites, in either order: "contoso-hq|ms-emea".
template <>
std::vector<std::string> record_names(const Link& link);
std::string link_name(const Link& link);

// The whole file: [topology], [microsoft], [resolver] and every array of tables.
const Schema<TopologyFile>& topology_schema();

// Checks that need the whole file: duplicates, references between tables, values that depend
// on each other. Positions come from the parsed document.
void check_topology(const TopologyFile& topology, const toml::table& document, FileReader& file);

// Parses `path` as TOML; a syntax error (or a missing file) becomes the only diagnostic.
std::optional<toml::table> parse_toml_file(const std::filesystem::path& path, Diagnostics& diagnostics);

}  // namespace config
