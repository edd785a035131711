#pragma once
// The Microsoft response codes (CallEndSubReason) drsim produces, in one table that the models
// use to end calls and `drsim explain` prints. Rows follow spec/direct-routing.md's 504 table
// (the authority, phrase for phrase) and research/direct-routing-facts.md §5.2 for the others.
// One code can have several rows (569002 has five causes); a model names the row, not the code.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace teams {

enum class MicrosoftOutcome : std::uint8_t {
  // 504 — Microsoft could not deliver its INVITE (or ACK) to the SBC.
  TlsTransportDisconnected,    // 549002: the pooled connection to the SBC is gone
  SipVersionMissing,           // 549002: the SBC's answer lacks SIP/2.0
  MalformedSipOnConnection,    // 549018: malformed SIP on an established connection
  ConnectTimeout,              // 569002: SYNs unanswered (host down, firewall drops)
  ConnectionRefused,           // 569002: RST (nothing listening, firewall rejects)
  CertificateBadSignature,     // 569002: TRUST_E_CERT_SIGNATURE
  CertificateWrongPrincipal,   // 569002: name mismatch, printed by Microsoft as CERT_E_WRONG_USAGE
  TlsContextExpired,           // 569002: SEC_I_CONTEXT_EXPIRED on a live connection
  TlsIllegalMessage,           // 569003: SEC_E_ILLEGAL_MESSAGE
  CertificateExpired,          // 569008
  CertificateUntrustedRoot,    // 569009
  DnsNoSuchHost,               // 569015: NXDOMAIN
  DnsNoAddress,                // 569016: the name exists, no A/AAAA
  MalformedSipOnNewConnection, // 569018: malformed SIP as the first answer on a new connection
  // Other codes the models emit.
  UnknownCalledNumber,         // 511404 / 404
  FailoverTimerExpired,        // 500001 / 408
  AckNotReceived,              // 1106 / 408
  TrunkNotFound,               // 510532 / 403
  NoCalleeEndpoints,           // 10037 / 480
  NoOutboundRoute,             // 510559 / 403
};

struct MicrosoftResponseCode {
  MicrosoftOutcome outcome;
  std::uint32_t ms_code;
  int sip_code;
  std::string_view phrase;        // for 504 rows: the text after "Unable to deliver INVITE: "
  bool is_delivery_failure;       // 504 rows: the call record phrase is prefixed (see below)
  std::string_view cause;         // what makes drsim's models produce it
  std::string_view actions;       // what to do, one action per line
};

// Every row, in code order (the order `drsim explain` prints rows that share a code).
std::span<const MicrosoftResponseCode> microsoft_response_codes();
const MicrosoftResponseCode& microsoft_response_code(MicrosoftOutcome outcome);

// The call record's final_sip_phrase: "Unable to deliver INVITE: <phrase>" (or ACK) for the
// 504 rows, the bare phrase for the others.
std::string final_sip_phrase(MicrosoftOutcome outcome, std::string_view undelivered_method = "INVITE");

// facts §5.1: 560xxx means "the SBC itself answered SIP xxx"; Microsoft passes it through.
std::uint32_t ms_code_for_sbc_response(int sip_code);

// What `drsim explain` prints for a code: every row with that code, or the 560xxx family
// description; nullopt for a code drsim never produces.
std::optional<std::string> explain_microsoft_code(std::uint32_t ms_code);

}  // namespace teams
