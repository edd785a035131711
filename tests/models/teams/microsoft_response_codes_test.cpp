#include "models/teams/microsoft_response_codes.hpp"

#include <doctest/doctest.h>

#include <set>

using teams::MicrosoftOutcome;

TEST_CASE("the call record phrase of a 504 row is the spec table's phrase after Unable to deliver") {
  CHECK(teams::final_sip_phrase(MicrosoftOutcome::CertificateExpired) ==
        "Unable to deliver INVITE: Outbound TLS negotiation failed. Remote certificate expired; "
        "HRESULT=0x80090328 SEC_E_CERT_EXPIRED");
  CHECK(teams::final_sip_phrase(MicrosoftOutcome::ConnectionRefused, "ACK") ==
        "Unable to deliver ACK: No connection could be made because the target machine actively refused it");
  CHECK(teams::final_sip_phrase(MicrosoftOutcome::DnsNoSuchHost) == "Unable to deliver INVITE: No such host is known");
  // Rows outside the 504 table carry their phrase alone.
  CHECK(teams::final_sip_phrase(MicrosoftOutcome::FailoverTimerExpired) == "Gateway (SBC) failover timer expired");
}

TEST_CASE("every 504 row of the spec table has its code") {
  const auto code_of = [](MicrosoftOutcome outcome) { return teams::microsoft_response_code(outcome).ms_code; };
  CHECK(code_of(MicrosoftOutcome::TlsTransportDisconnected) == 549002);
  CHECK(code_of(MicrosoftOutcome::SipVersionMissing) == 549002);
  CHECK(code_of(MicrosoftOutcome::MalformedSipOnConnection) == 549018);
  for (const auto outcome : {MicrosoftOutcome::ConnectTimeout, MicrosoftOutcome::ConnectionRefused,
                             MicrosoftOutcome::CertificateBadSignature, MicrosoftOutcome::CertificateWrongPrincipal,
                             MicrosoftOutcome::TlsContextExpired})
    CHECK(code_of(outcome) == 569002);
  CHECK(code_of(MicrosoftOutcome::TlsIllegalMessage) == 569003);
  CHECK(code_of(MicrosoftOutcome::CertificateExpired) == 569008);
  CHECK(code_of(MicrosoftOutcome::CertificateUntrustedRoot) == 569009);
  CHECK(code_of(MicrosoftOutcome::DnsNoSuchHost) == 569015);
  CHECK(code_of(MicrosoftOutcome::DnsNoAddress) == 569016);
  CHECK(code_of(MicrosoftOutcome::MalformedSipOnNewConnection) == 569018);
  for (const auto& row : teams::microsoft_response_codes())
    CHECK((row.is_delivery_failure == (row.sip_code == 504)));
}

TEST_CASE("each outcome has exactly one row with a cause and actions") {
  std::set<MicrosoftOutcome> seen;
  for (const auto& row : teams::microsoft_response_codes()) {
    CHECK(seen.insert(row.outcome).second);
    CHECK_FALSE(row.cause.empty());
    CHECK_FALSE(row.actions.empty());
  }
}

TEST_CASE("explain lists every row of a shared code and the 560xxx family") {
  const auto explained = teams::explain_microsoft_code(569002);
  REQUIRE(explained);
  CHECK(explained->find("actively refused") != std::string::npos);
  CHECK(explained->find("did not properly respond") != std::string::npos);
  CHECK(explained->find("0x80096004") != std::string::npos);
  CHECK(explained->find("0x80090322") != std::string::npos);
  CHECK(explained->find("590615") != std::string::npos);
  CHECK(explained->find("tries the same SBC once more from another datacenter") != std::string::npos);
  CHECK(teams::explain_microsoft_code(511404)->find("another datacenter") == std::string::npos);

  const auto renew = teams::explain_microsoft_code(569008);
  REQUIRE(renew);
  CHECK(renew->find("    - Renew the SBC certificate.\n") != std::string::npos);

  const auto busy = teams::explain_microsoft_code(560503);
  REQUIRE(busy);
  CHECK(busy->find("SIP 503") != std::string::npos);
  CHECK(teams::ms_code_for_sbc_response(486) == 560486);

  CHECK_FALSE(teams::explain_microsoft_code(123456));
  CHECK_FALSE(teams::explain_microsoft_code(560200));  // a 2xx is no failure
}
