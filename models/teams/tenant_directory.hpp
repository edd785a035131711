#pragma once
// Who Microsoft's proxy serves: tenants, their registered domains and their users' numbers.
// The inbound algorithm of spec/direct-routing.md ("how the proxy finds tenant and user"):
// tenant by the full Contact FQDN, else by its domain part, then a reverse number lookup
// inside that tenant only — non-DID numbers such as +1001 may exist in several tenants.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/time.hpp"
#include "sim/core/lookup_map.hpp"

namespace teams {

enum class EndpointKind : std::uint8_t { Desktop, Mobile, Web, DeskPhone };
std::optional<EndpointKind> endpoint_kind_from_text(std::string_view text);
std::string_view endpoint_kind_text(EndpointKind kind);

// How one Teams client behaves when a call reaches it.
struct EndpointBehaviour {
  EndpointKind kind = EndpointKind::Desktop;
  sim::Time ring_after;                    // call progress, after the client hears of the call
  std::optional<sim::Time> answer_after;   // nullopt: rings but never answers
};

struct TeamsUser {
  std::string name;
  std::string number;  // E.164 with '+'
  std::vector<EndpointBehaviour> endpoints;
};

struct UserRef {
  std::size_t tenant = 0;
  std::size_t user = 0;
  friend bool operator==(const UserRef&, const UserRef&) = default;
};

class TenantDirectory {
 public:
  // Returns the tenant's index. Domains compare case-insensitively (DNS names, RFC 4343).
  std::size_t add_tenant(std::string name, const std::vector<std::string>& domains);
  // Numbers must be unique inside a tenant; the caller (configuration) checks that first.
  UserRef add_user(std::size_t tenant, TeamsUser user);

  // Steps 2 and 3: the tenant that registered `fqdn` itself, else the one that registered
  // the FQDN without its first label (sbc1.contoso.com → contoso.com); nullopt: the call fails.
  std::optional<std::size_t> tenant_for_fqdn(std::string_view fqdn) const;
  // Step 4: reverse number lookup of a Request-URI user part inside one tenant.
  std::optional<UserRef> user_for_number(std::size_t tenant, std::string_view number) const;
  // Outbound calls start from a user's number; numbers of different tenants may collide, so
  // this is for configuration checks and scripted calls, which name E.164 DIDs.
  std::optional<UserRef> find_user_anywhere(std::string_view number) const;

  const TeamsUser& user(UserRef ref) const { return tenants_.at(ref.tenant).users.at(ref.user); }
  const std::string& tenant_name(std::size_t tenant) const { return tenants_.at(tenant).name; }
  std::size_t tenant_count() const { return tenants_.size(); }
  std::size_t user_count(std::size_t tenant) const { return tenants_.at(tenant).users.size(); }

 private:
  struct Tenant {
    std::string name;
    std::vector<TeamsUser> users;
    sim::StringLookupMap<std::size_t> user_by_number;
  };
  std::vector<Tenant> tenants_;
  std::map<std::string, std::size_t, std::less<>> tenant_by_domain_;  // lower-case domain
};

// Numbers Microsoft can look up start with '+' and hold digits only (facts §3.2: without '+'
// the reverse lookup fails with 511404).
bool is_e164(std::string_view number);

}  // namespace teams
