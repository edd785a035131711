#pragma once
// A topology file (spec/experiment-format.md): who exists and how they are wired. Each table
// becomes a plain struct and each array of tables a vector in file order, so actors are made in
// the order the user wrote them. Keys, types and defaults are declared once in
// topology_file.cpp; `drsim validate --keys` prints them.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/config/diagnostic.hpp"
#include "sim/core/result.hpp"
#include "sim/core/time.hpp"
#include "sim/core/utc_time.hpp"
#include "sim/net/ip_address.hpp"

namespace config {

enum class FirewallAction { Allow, Drop, Reject };
enum class FirewallDirection { Any, Inbound, Outbound };
enum class FirewallProtocol { Any, Udp, Tcp };

// One rule of a host's firewall (models/firewall): the first rule a packet matches decides,
// fault rules above them all; a packet no rule matches passes.
struct FirewallRuleEntry {
  FirewallAction action = FirewallAction::Allow;
  FirewallDirection direction = FirewallDirection::Any;
  FirewallProtocol protocol = FirewallProtocol::Any;
  std::string peer;   // an [[sbc]], [[datacenter]] or [[carrier]] name, an address or a CIDR block; empty: any
  std::string ports;  // this host's port, or a range "5060-5061"; empty: any
};

// RFC 3261 Table 4 timers plus the host's TCP and TLS set-up and firewall, for each actor that
// speaks SIP.
struct HostSettings {
  sim::Time t1 = sim::Time::from_milliseconds(500);  // RTT estimate
  sim::Time t2 = sim::Time::from_seconds(4);         // longest retransmit interval
  sim::Time t4 = sim::Time::from_seconds(5);         // longest time a message stays in the network
  // The wait after each SYN before the next; after the last the connect fails. An initial RTO
  // of 1 s (RFC 6298 §2.1) doubled over five retransmissions, at 1, 2, 4, 8 and 16 s apart as
  // issue 4 states, then a final 32 s wait: timeout at 63 s (Linux with tcp_syn_retries = 5),
  // the same as net::TcpSettings' default.
  std::vector<sim::Time> tcp_syn_timeouts = {sim::Time::from_seconds(1), sim::Time::from_seconds(2),
                                             sim::Time::from_seconds(4), sim::Time::from_seconds(8),
                                             sim::Time::from_seconds(16), sim::Time::from_seconds(32)};
  // Resends of unacknowledged data before the connection is given up (Linux tcp_retries2): how
  // long a host keeps a connection to a peer that went silent, queuing what it sends.
  std::int64_t tcp_data_retransmissions = 15;
  std::int64_t tls_handshake_round_trips = 2;  // TLS 1.2 full handshake (1 for TLS 1.3)
  std::vector<FirewallRuleEntry> firewall = {};  // in priority order; none: everything passes
};

struct Site {
  std::string name;
};

struct Link {
  std::string a;
  std::string b;
  sim::Time latency;  // one way
  sim::Time jitter;
  double loss = 0.0;  // per packet
  std::int64_t mtu = 1500;
};

enum class DnsRecordType { A, AAAA, TXT, CNAME, SRV };

struct DnsRecord {
  std::string name;
  DnsRecordType type = DnsRecordType::A;
  std::string value;
  sim::Time ttl = sim::Time::from_seconds(300);
};

struct CertificateAuthority {
  std::string name;
  bool trusted_by_microsoft = true;
};

struct Certificate {
  std::string name;
  std::string subject_cn;
  std::vector<std::string> san;
  std::string issuer;  // a CertificateAuthority's name
  sim::UtcTime not_before;
  sim::UtcTime not_after;
};

struct Datacenter {
  std::string name;
  std::string site;
  net::IpAddress ip;
  std::vector<std::string> fqdns;  // resolve to ip without [[dns]] records
  // Microsoft's proxies run Windows: 3 s initial RTO and 2 SYN retransmissions, the classic
  // 21 s connect timeout behind "did not properly respond after a period of time"; and 5 data
  // retransmissions (TcpMaxDataRetransmissions), so a silent peer's connection goes within
  // seconds, not Linux's quarter of an hour.
  HostSettings host = {.tcp_syn_timeouts = {sim::Time::from_seconds(3), sim::Time::from_seconds(6), sim::Time::from_seconds(12)},
                       .tcp_data_retransmissions = 5};
};

struct Sbc {
  std::string name;
  std::string site;
  std::string fqdn;
  std::string contact_fqdn;  // empty: fqdn
  net::IpAddress ip;
  std::uint16_t port = 5061;
  std::string certificate;  // a Certificate's name
  std::vector<std::string> allow = {"INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "REFER", "NOTIFY", "PRACK", "UPDATE", "INFO"};
  sim::Time options_interval = sim::Time::from_seconds(60);
  std::vector<std::string> proxies = {"sip.pstnhub.microsoft.com", "sip2.pstnhub.microsoft.com", "sip3.pstnhub.microsoft.com"};
  bool media_bypass = false;
  std::string trunk;  // a Carrier's name; empty: no PSTN trunk
  // Microsoft's settings for this SBC as a PSTN gateway (Set-CsOnlinePSTNGateway).
  sim::Time failover_time = sim::Time::from_seconds(10);
  std::vector<std::int64_t> failover_response_codes = {408, 503, 504};
  HostSettings host;
};

enum class EndpointKind { Desktop, Mobile, Web, DeskPhone };

struct Endpoint {
  EndpointKind kind = EndpointKind::Desktop;
  sim::Time ring_after = sim::Time::from_milliseconds(500);
  sim::Time answer_after = sim::Time::from_seconds(5);
  bool answer = true;
};

struct TeamsUser {
  std::string name;
  std::string number;  // E.164
  std::vector<Endpoint> endpoints;
};

// `count` users numbered first_number, first_number + 1, ...
struct UserBlock {
  std::int64_t count = 1;
  std::string first_number;
  std::vector<Endpoint> endpoints;
};

// An outbound voice route: numbers it matches go to its SBCs in order (Microsoft fails over
// along the list). A tenant without routes sends every number to the SBCs whose FQDN lies in
// one of its domains, in file order.
struct VoiceRoute {
  std::string name;
  std::string prefix = "+";  // matches every E.164 number
  std::vector<std::string> sbcs;
};

struct Tenant {
  std::string name;
  std::vector<std::string> domains;
  std::vector<TeamsUser> users;
  std::vector<UserBlock> user_blocks;
  std::vector<VoiceRoute> routes;
};

enum class Transport { Udp, Tcp, Tls };

struct Carrier {
  std::string name;
  std::string site;
  std::optional<net::IpAddress> ip;  // none: the network gives it one
  Transport transport = Transport::Udp;
  std::int64_t mtu = 1500;
  std::vector<std::string> numbers;
  sim::Time ring_after = sim::Time::from_seconds(2);
  sim::Time answer_after = sim::Time::from_seconds(5);
  HostSettings host;
};

// Microsoft-wide behaviour (spec/direct-routing.md, "Modelling decisions").
struct MicrosoftSettings {
  sim::Time options_demotion_window = sim::Time::from_seconds(300);  // older documents: 3 min
  sim::Time ring_timeout = sim::Time::from_seconds(20);
  sim::Time media_timeout = sim::Time::from_seconds(90);
  // Microsoft pings every SBC too (facts §2.1) at an interval it does not publish.
  sim::Time options_interval = sim::Time::from_seconds(60);
};

struct ResolverSettings {
  sim::Time latency = sim::Time::from_milliseconds(5);  // from query to answer
};

struct TopologyFile {
  std::filesystem::path path;
  std::string name;
  MicrosoftSettings microsoft;
  ResolverSettings resolver;
  std::vector<Site> sites;
  std::vector<Link> links;
  std::vector<DnsRecord> dns_records;
  std::vector<CertificateAuthority> certificate_authorities;
  std::vector<Certificate> certificates;
  std::vector<Datacenter> datacenters;
  std::vector<Sbc> sbcs;
  std::vector<Tenant> tenants;
  std::vector<Carrier> carriers;
};

sim::Result<TopologyFile, Diagnostics> load_topology_file(const std::filesystem::path& path);

std::string_view to_string(DnsRecordType type);
std::string_view to_string(EndpointKind kind);
std::string_view to_string(Transport transport);

// Who a phone number belongs to: a Teams user (listed or in a block) of tenants[index], or
// carriers[index].
struct NumberOwner {
  enum class Kind { TeamsUser, Carrier };
  Kind kind = Kind::TeamsUser;
  std::size_t index = 0;
};
// The first owner in file order (tenants before carriers); nullopt when nobody has the number.
std::optional<NumberOwner> find_number(const TopologyFile& topology, std::string_view number);
// The number of a block's `offset`-th user ("+14255560000" + 2 = "+14255560002"); nullopt
// when it would need more digits than first_number has.
std::optional<std::string> number_in_block(const UserBlock& block, std::int64_t offset);
std::int64_t user_count(const Tenant& tenant);
// Whether the Teams user with `number` is signed in somewhere (has an endpoint): only such a
// user can place a call. False for a number no Teams user has.
bool signed_in_somewhere(const TopologyFile& topology, std::string_view number);

// "topology contoso-basic: 4 sites, 4 links, ..., 2001 users, 1 carrier": what validate prints.
std::string summarize(const TopologyFile& topology);

}  // namespace config
