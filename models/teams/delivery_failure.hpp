#pragma once
// Why Microsoft's proxy could not deliver a request to an SBC, as the row of the Microsoft code
// table it reports (spec/direct-routing.md, 504 subcodes). The rule that picks 549xxx or 569xxx
// is the spec's "Modelling decisions": 549xxx when a connection already in use is found
// disconnected or answers invalid SIP; 569xxx for failures of the transport itself (DNS, TCP
// connect, TLS handshake, the first message over a new connection, TLS record failures).
#include <cstdint>

#include "models/dns/dns_zone.hpp"
#include "models/teams/microsoft_response_codes.hpp"
#include "sim/net/certificate.hpp"
#include "sim/net/tcp_transport.hpp"
#include "sim/sip/parser.hpp"

namespace teams {

// How far the proxy's connection to the SBC had come when it failed.
enum class ConnectionPhase : std::uint8_t {
  Connecting,    // SYN sent, no SYN-ACK yet
  TlsHandshake,  // TCP up, TLS not established
  Established,   // TLS up: SIP may flow
};

struct ConnectionFailure {
  ConnectionPhase phase = ConnectionPhase::Connecting;
  net::ConnectionEventKind kind = net::ConnectionEventKind::Refused;  // the event that ended it
  net::SchannelStatus tls_status = net::SchannelStatus::Ok;           // TlsFailed only
  // Established only: the connection had carried SIP before this request (a pooled connection
  // reused), rather than being opened for it.
  bool in_use_before = false;
};

// DNS for the SBC FQDN: NXDOMAIN → 569015, a name without A/AAAA → 569016. A server failure has
// no row of its own; Windows' resolver gives up on the name as it does for NXDOMAIN, so 569015.
MicrosoftOutcome outcome_of_dns_failure(dns::DnsOutcome outcome);

// A connection that ended before or while carrying the request.
MicrosoftOutcome outcome_of_connection_failure(const ConnectionFailure& failure);

// The TLS handshake failed with `status` (the proxy's own check of the SBC certificate, or the
// SBC's alert, which Schannel reports as SEC_E_ILLEGAL_MESSAGE).
MicrosoftOutcome outcome_of_tls_failure(net::SchannelStatus status);

// The SBC's answer could not be parsed: without SIP/2.0 it is 549002 whatever the connection;
// otherwise 569018 when it was the first message on a connection opened for this request, and
// 549018 on a connection that had carried valid SIP before.
MicrosoftOutcome outcome_of_malformed_answer(sip::ParseErrorKind kind, bool first_message_on_connection);

}  // namespace teams
