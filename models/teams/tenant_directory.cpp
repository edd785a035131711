#include "models/teams/tenant_directory.hpp"

#include <algorithm>

#include "sim/core/check.hpp"

namespace teams {
namespace {

std::string lower_case(std::string_view text) {
  std::string lowered(text);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  return lowered;
}

constexpr std::string_view kEndpointKindTexts[] = {"desktop", "mobile", "web", "deskphone"};

}  // namespace

std::optional<EndpointKind> endpoint_kind_from_text(std::string_view text) {
  for (std::size_t i = 0; i < std::size(kEndpointKindTexts); ++i)
    if (text == kEndpointKindTexts[i]) return static_cast<EndpointKind>(i);
  return std::nullopt;
}

std::string_view endpoint_kind_text(EndpointKind kind) { return kEndpointKindTexts[static_cast<std::size_t>(kind)]; }

std::size_t TenantDirectory::add_tenant(std::string name, const std::vector<std::string>& domains) {
  const std::size_t index = tenants_.size();
  tenants_.push_back(Tenant{std::move(name), {}, {}});
  for (const std::string& domain : domains) {
    const bool added = tenant_by_domain_.emplace(lower_case(domain), index).second;
    DRSIM_CHECK(added, "a domain registered by two tenants (configuration must reject it)");
  }
  return index;
}

UserRef TenantDirectory::add_user(std::size_t tenant, TeamsUser user) {
  DRSIM_CHECK(tenant < tenants_.size(), "user for an unknown tenant");
  Tenant& owner = tenants_[tenant];
  const UserRef ref{tenant, owner.users.size()};
  const bool added = owner.user_by_number.emplace(user.number, ref.user).second;
  DRSIM_CHECK(added, "a number assigned twice in one tenant (configuration must reject it)");
  owner.users.push_back(std::move(user));
  return ref;
}

std::optional<std::size_t> TenantDirectory::tenant_for_fqdn(std::string_view fqdn) const {
  const std::string lowered = lower_case(fqdn);
  if (const auto full = tenant_by_domain_.find(lowered); full != tenant_by_domain_.end()) return full->second;
  const std::size_t first_dot = lowered.find('.');
  if (first_dot == std::string::npos) return std::nullopt;
  if (const auto domain = tenant_by_domain_.find(std::string_view(lowered).substr(first_dot + 1));
      domain != tenant_by_domain_.end())
    return domain->second;
  return std::nullopt;
}

std::optional<UserRef> TenantDirectory::user_for_number(std::size_t tenant, std::string_view number) const {
  const Tenant& owner = tenants_.at(tenant);
  const auto found = owner.user_by_number.find(number);
  if (found == owner.user_by_number.end()) return std::nullopt;
  return UserRef{tenant, found->second};
}

std::optional<UserRef> TenantDirectory::find_user_anywhere(std::string_view number) const {
  for (std::size_t tenant = 0; tenant < tenants_.size(); ++tenant)
    if (const auto user = user_for_number(tenant, number)) return user;
  return std::nullopt;
}

bool is_e164(std::string_view number) {
  // ITU-T E.164: at most 15 digits after the '+'.
  if (number.size() < 2 || number.size() > 16 || number[0] != '+') return false;
  return std::all_of(number.begin() + 1, number.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace teams
