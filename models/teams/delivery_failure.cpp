#include "models/teams/delivery_failure.hpp"

namespace teams {

MicrosoftOutcome outcome_of_dns_failure(dns::DnsOutcome outcome) {
  return outcome == dns::DnsOutcome::NoAddress ? MicrosoftOutcome::DnsNoAddress : MicrosoftOutcome::DnsNoSuchHost;
}

MicrosoftOutcome outcome_of_tls_failure(net::SchannelStatus status) {
  using Status = net::SchannelStatus;
  switch (status) {
    case Status::CertExpired:
      return MicrosoftOutcome::CertificateExpired;
    case Status::UntrustedRoot:
      return MicrosoftOutcome::CertificateUntrustedRoot;
    // Microsoft prints both under 0x80090322 "CERT_E_WRONG_USAGE" (facts §10 item 10).
    case Status::WrongPrincipal:
    case Status::CertWrongUsage:
      return MicrosoftOutcome::CertificateWrongPrincipal;
    case Status::BadSignature:
      return MicrosoftOutcome::CertificateBadSignature;
    case Status::ContextExpired:
      return MicrosoftOutcome::TlsContextExpired;
    case Status::IllegalMessage:
    case Status::Ok:
      break;
  }
  return MicrosoftOutcome::TlsIllegalMessage;
}

namespace {

// A TCP-level end: RST means "actively refused", silence means "did not properly respond".
MicrosoftOutcome outcome_of_tcp_end(net::ConnectionEventKind kind) {
  return kind == net::ConnectionEventKind::TimedOut ? MicrosoftOutcome::ConnectTimeout
                                                    : MicrosoftOutcome::ConnectionRefused;
}

}  // namespace

MicrosoftOutcome outcome_of_connection_failure(const ConnectionFailure& failure) {
  const bool tls_failed = failure.kind == net::ConnectionEventKind::TlsFailed;
  switch (failure.phase) {
    case ConnectionPhase::Connecting:
      return outcome_of_tcp_end(failure.kind);
    case ConnectionPhase::TlsHandshake:
      if (tls_failed) return outcome_of_tls_failure(failure.tls_status);
      // The SBC dropped the connection mid-handshake: no ServerHello Schannel could use.
      return failure.kind == net::ConnectionEventKind::TimedOut ? MicrosoftOutcome::ConnectTimeout
                                                                : MicrosoftOutcome::TlsIllegalMessage;
    case ConnectionPhase::Established:
      // A TLS record failure is the transport's own, on any connection (spec: 569002 590615).
      if (tls_failed && failure.tls_status == net::SchannelStatus::ContextExpired)
        return MicrosoftOutcome::TlsContextExpired;
      if (failure.in_use_before) return MicrosoftOutcome::TlsTransportDisconnected;
      return tls_failed ? outcome_of_tls_failure(failure.tls_status) : outcome_of_tcp_end(failure.kind);
  }
  return MicrosoftOutcome::TlsTransportDisconnected;
}

MicrosoftOutcome outcome_of_malformed_answer(sip::ParseErrorKind kind, bool first_message_on_connection) {
  if (kind == sip::ParseErrorKind::WrongVersion) return MicrosoftOutcome::SipVersionMissing;
  return first_message_on_connection ? MicrosoftOutcome::MalformedSipOnNewConnection
                                     : MicrosoftOutcome::MalformedSipOnConnection;
}

}  // namespace teams
