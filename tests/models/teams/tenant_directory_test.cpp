#include "models/teams/tenant_directory.hpp"

#include <doctest/doctest.h>

using namespace sim::time_literals;

namespace {

teams::TeamsUser user(std::string name, std::string number) {
  return teams::TeamsUser{std::move(name), std::move(number), {{teams::EndpointKind::Desktop, 300_ms, 6_s}}};
}

}  // namespace

TEST_CASE("the tenant is found by the full Contact FQDN before its domain part") {
  teams::TenantDirectory directory;
  const auto contoso = directory.add_tenant("contoso", {"contoso.com"});
  const auto hosted = directory.add_tenant("hosted-sbc-customer", {"sbc1.contoso.com"});
  CHECK(directory.tenant_for_fqdn("sbc1.contoso.com") == hosted);   // step 2
  CHECK(directory.tenant_for_fqdn("sbc2.contoso.com") == contoso);  // step 3
  CHECK(directory.tenant_for_fqdn("SBC2.Contoso.COM") == contoso);  // DNS names ignore case
  // Only the first label is stripped: a deeper FQDN does not climb to contoso.com.
  CHECK_FALSE(directory.tenant_for_fqdn("a.sbc2.contoso.com"));
  CHECK_FALSE(directory.tenant_for_fqdn("sbc1.fabrikam.com"));
  CHECK_FALSE(directory.tenant_for_fqdn("localhost"));
}

TEST_CASE("reverse number lookup stays inside the tenant") {
  teams::TenantDirectory directory;
  const auto contoso = directory.add_tenant("contoso", {"contoso.com"});
  const auto fabrikam = directory.add_tenant("fabrikam", {"fabrikam.com"});
  directory.add_user(contoso, user("alice", "+14255550100"));
  directory.add_user(contoso, user("reception", "+1001"));  // a non-DID number
  directory.add_user(fabrikam, user("front-desk", "+1001"));
  const auto alice = directory.user_for_number(contoso, "+14255550100");
  REQUIRE(alice);
  CHECK(directory.user(*alice).name == "alice");
  CHECK(directory.user(*directory.user_for_number(fabrikam, "+1001")).name == "front-desk");
  CHECK(directory.user(*directory.user_for_number(contoso, "+1001")).name == "reception");
  CHECK_FALSE(directory.user_for_number(fabrikam, "+14255550100"));
  CHECK_FALSE(directory.user_for_number(contoso, "14255550100"));  // no '+': 511404 in the model
}

TEST_CASE("E.164 numbers have a plus and up to 15 digits") {
  CHECK(teams::is_e164("+14255550100"));
  CHECK(teams::is_e164("+1001"));
  CHECK_FALSE(teams::is_e164("14255550100"));
  CHECK_FALSE(teams::is_e164("+"));
  CHECK_FALSE(teams::is_e164("+1425555010012345"));
  CHECK_FALSE(teams::is_e164("+1425-555-0100"));
}

TEST_CASE("endpoint kinds read as the topology writes them") {
  CHECK(teams::endpoint_kind_from_text("mobile") == teams::EndpointKind::Mobile);
  CHECK(teams::endpoint_kind_text(teams::EndpointKind::DeskPhone) == "deskphone");
  CHECK_FALSE(teams::endpoint_kind_from_text("Mobile"));
}
