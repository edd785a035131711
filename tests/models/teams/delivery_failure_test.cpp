#include "models/teams/delivery_failure.hpp"

#include <doctest/doctest.h>

using teams::ConnectionFailure;
using teams::ConnectionPhase;
using teams::MicrosoftOutcome;
using Kind = net::ConnectionEventKind;
using Status = net::SchannelStatus;

TEST_CASE("DNS failures map to 569015 and 569016") {
  CHECK(teams::outcome_of_dns_failure(dns::DnsOutcome::NxDomain) == MicrosoftOutcome::DnsNoSuchHost);
  CHECK(teams::outcome_of_dns_failure(dns::DnsOutcome::NoAddress) == MicrosoftOutcome::DnsNoAddress);
  CHECK(teams::outcome_of_dns_failure(dns::DnsOutcome::ServerFailure) == MicrosoftOutcome::DnsNoSuchHost);
}

TEST_CASE("a failed TCP connect is refused or timed out") {
  CHECK(teams::outcome_of_connection_failure({ConnectionPhase::Connecting, Kind::Refused, Status::Ok, false}) ==
        MicrosoftOutcome::ConnectionRefused);
  CHECK(teams::outcome_of_connection_failure({ConnectionPhase::Connecting, Kind::TimedOut, Status::Ok, false}) ==
        MicrosoftOutcome::ConnectTimeout);
}

TEST_CASE("each Schannel status of a failed handshake has its row") {
  const auto handshake = [](Status status) {
    return teams::outcome_of_connection_failure({ConnectionPhase::TlsHandshake, Kind::TlsFailed, status, false});
  };
  CHECK(handshake(Status::CertExpired) == MicrosoftOutcome::CertificateExpired);
  CHECK(handshake(Status::UntrustedRoot) == MicrosoftOutcome::CertificateUntrustedRoot);
  CHECK(handshake(Status::WrongPrincipal) == MicrosoftOutcome::CertificateWrongPrincipal);
  CHECK(handshake(Status::CertWrongUsage) == MicrosoftOutcome::CertificateWrongPrincipal);
  CHECK(handshake(Status::BadSignature) == MicrosoftOutcome::CertificateBadSignature);
  CHECK(handshake(Status::IllegalMessage) == MicrosoftOutcome::TlsIllegalMessage);
  CHECK(handshake(Status::ContextExpired) == MicrosoftOutcome::TlsContextExpired);
  // The SBC hanging up mid-handshake leaves Schannel without the message it expected.
  CHECK(teams::outcome_of_connection_failure({ConnectionPhase::TlsHandshake, Kind::Reset, Status::Ok, false}) ==
        MicrosoftOutcome::TlsIllegalMessage);
}

TEST_CASE("a connection in use that breaks is 549002 unless its TLS context expired") {
  const auto established = [](Kind kind, Status status, bool in_use_before) {
    return teams::outcome_of_connection_failure({ConnectionPhase::Established, kind, status, in_use_before});
  };
  CHECK(established(Kind::Reset, Status::Ok, true) == MicrosoftOutcome::TlsTransportDisconnected);
  CHECK(established(Kind::Closed, Status::Ok, true) == MicrosoftOutcome::TlsTransportDisconnected);
  CHECK(established(Kind::TimedOut, Status::Ok, true) == MicrosoftOutcome::TlsTransportDisconnected);
  CHECK(established(Kind::TlsFailed, Status::ContextExpired, true) == MicrosoftOutcome::TlsContextExpired);
  // The first message over a new connection is still the transport's: 569xxx.
  CHECK(established(Kind::Reset, Status::Ok, false) == MicrosoftOutcome::ConnectionRefused);
  CHECK(established(Kind::TimedOut, Status::Ok, false) == MicrosoftOutcome::ConnectTimeout);
  CHECK(established(Kind::TlsFailed, Status::IllegalMessage, false) == MicrosoftOutcome::TlsIllegalMessage);
}

TEST_CASE("an unparsable answer is 549002 without SIP/2.0 and else 569018 or 549018 by connection") {
  CHECK(teams::outcome_of_malformed_answer(sip::ParseErrorKind::WrongVersion, true) ==
        MicrosoftOutcome::SipVersionMissing);
  CHECK(teams::outcome_of_malformed_answer(sip::ParseErrorKind::WrongVersion, false) ==
        MicrosoftOutcome::SipVersionMissing);
  CHECK(teams::outcome_of_malformed_answer(sip::ParseErrorKind::Malformed, true) ==
        MicrosoftOutcome::MalformedSipOnNewConnection);
  CHECK(teams::outcome_of_malformed_answer(sip::ParseErrorKind::Truncated, false) ==
        MicrosoftOutcome::MalformedSipOnConnection);
}
