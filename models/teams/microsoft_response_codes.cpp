#include "models/teams/microsoft_response_codes.hpp"

#include <array>
#include <algorithm>

#include "sim/core/check.hpp"

namespace teams {
namespace {

// The suggested actions of the seed's 504 page (seeds/000_…, in English), shared by rows that
// give the same advice.
constexpr std::string_view kCheckSbcReachable =
    "Check that the SBC is working.\n"
    "Check that the SBC is reachable on its IP address and port, and that no firewall blocks the connection to it.";
constexpr std::string_view kTrustedCertificate =
    "Get a certificate for the SBC signed by a public root CA in Microsoft's trusted list.";
constexpr std::string_view kFixSbcSipFormat =
    "Check the SBC configuration to find why it sends SIP in an invalid or unsupported format, and fix it.\n"
    "Microsoft may word this error slightly differently for the same code.";

using Outcome = MicrosoftOutcome;

constexpr std::array kRows = std::to_array<MicrosoftResponseCode>({
    {Outcome::AckNotReceived, 1106, 408, "ACK not received for call acceptance in allotted time", false,
     "the SBC did not ACK Microsoft's 200 OK before the proxy's ACK timer (64*T1) ran out",
     "Check that the SBC sends an ACK for the 200 OK, to the top Record-Route or Contact of the 200.\n"
     "Check that no firewall drops the SBC's ACK."},
    {Outcome::NoCalleeEndpoints, 10037, 480, "No callee endpoints were found", false,
     "the called Teams user has no endpoint signed in (a user with an empty endpoints list)",
     "Check that the user is signed in on at least one Teams client."},
    {Outcome::FailoverTimerExpired, 500001, 408, "Gateway (SBC) failover timer expired", false,
     "no SBC in the voice route answered the outbound INVITE within failover_time (default 10 s), and no SBC was left",
     "Check that the SBC answers INVITEs promptly (at least 100 Trying, then 180/183).\n"
     "In regions with slow PSTN call setup, raise FailoverTimeSeconds (Microsoft suggests 20 s)."},
    {Outcome::TrunkNotFound, 510532, 403, "RuntimeApi trunk config not found", false,
     "the Contact FQDN of the SBC's INVITE is not an SBC of the tenant the proxy found",
     "Check that the Contact host is the SBC FQDN paired with the tenant (Get-CsOnlinePSTNGateway)."},
    {Outcome::NoOutboundRoute, 510559, 403, "Get Outbound routing - No viable path", false,
     "the Teams caller's tenant has no voice route with an SBC the proxy knows, so no SBC gets an INVITE",
     "Check the caller's online voice routing policy: a voice route whose number pattern matches the callee and "
     "that lists at least one enabled SBC (Get-CsOnlineVoiceRoute)."},
    {Outcome::UnknownCalledNumber, 511404, 404, "Getting user info by number from RuntimeAPI failed", false,
     "the reverse number lookup of the Request-URI's number found no user in the SBC's tenant",
     "Send the called number in E.164 form with a leading '+', as it is assigned to the user.\n"
     "Check that the number is assigned to a user of the tenant that owns the SBC's FQDN."},
    {Outcome::TlsTransportDisconnected, 549002, 504, "TlsTransport is not connected, State=Disconnected", true,
     "the proxy's pooled TLS connection to the SBC was found disconnected when it sent the request "
     "(fault sbc_tls_disconnected, or an SBC that went down after the connection was opened)",
     kCheckSbcReachable},
    {Outcome::SipVersionMissing, 549002, 504, "Invalid request/response", true,
     "the SBC answered with a message without SIP/2.0 in the start line or a Via (fault sbc_invalid_sip)",
     "Make sure requests and responses carry the SIP version \"SIP/2.0\" in the request line, the Via headers and "
     "every other header that has one (see Direct Routing - SIP protocol)."},
    {Outcome::MalformedSipOnConnection, 549018, 504, "Invalid request/response", true,
     "the SBC answered with malformed or unsupported SIP on a connection already in use (fault sbc_malformed_sip)",
     kFixSbcSipFormat},
    {Outcome::ConnectTimeout, 569002, 504,
     "A connection attempt failed because the connected party did not properly respond after a period of time, or "
     "established connection failed because connected host has failed to respond",
     true,
     "the proxy's TCP connect to the SBC timed out after its SYN retransmissions (faults sbc_down, firewall_drop)",
     kCheckSbcReachable},
    {Outcome::ConnectionRefused, 569002, 504, "No connection could be made because the target machine actively refused it",
     true, "the proxy's TCP connect to the SBC was reset (faults sbc_refuses, firewall_reject); also hits the ACK",
     kCheckSbcReachable},
    {Outcome::CertificateBadSignature, 569002, 504, "Outbound TLS negotiation failed; HRESULT=0x80096004", true,
     "the SBC certificate's signature does not verify (TRUST_E_CERT_SIGNATURE; fault certificate_bad_signature)",
     kCheckSbcReachable},
    {Outcome::CertificateWrongPrincipal, 569002, 504,
     "Outbound TLS negotiation failed; Wrong target principal name configured. HRESULT=0x80090322 CERT_E_WRONG_USAGE",
     true,
     "no CN or SAN of the SBC certificate matches the SBC FQDN under RFC 2818 §3.1 (fault certificate_name_mismatch). "
     "Windows calls 0x80090322 SEC_E_WRONG_PRINCIPAL; Microsoft prints CERT_E_WRONG_USAGE. Also hits the ACK",
     kTrustedCertificate},
    {Outcome::TlsContextExpired, 569002, 504, "TLS decryption failed; HRESULT=590615", true,
     "the TLS context of a live connection expired (590615 = 0x00090317 SEC_I_CONTEXT_EXPIRED; fault tls_context_expired)",
     "The TLS context encrypts and decrypts the SIP signalling; this error says it expired and can no longer be used.\n"
     "Work with the SBC vendor to fix the TLS context expiry."},
    {Outcome::TlsIllegalMessage, 569003, 504, "Outbound TLS negotiation failed; HRESULT=0x80090326", true,
     "the SBC answered the TLS handshake with a message Schannel rejects (SEC_E_ILLEGAL_MESSAGE; fault tls_illegal_message)",
     "Check that the SBC certificate is signed by a trusted CA and has not expired (see TLS connection issues)."},
    {Outcome::CertificateExpired, 569008, 504,
     "Outbound TLS negotiation failed. Remote certificate expired; HRESULT=0x80090328 SEC_E_CERT_EXPIRED", true,
     "the SBC certificate is outside its validity period at the simulated time the proxy opens a TLS connection: past "
     "not_after (fault certificate_expired, or a certificate that expires during the run) or not yet valid, before "
     "not_before (an experiment whose start is earlier than the certificate; Schannel gives both the same status)",
     "Renew the SBC certificate.\n"
     "Then drop the TLS connections the SBC opened with the old certificate and let it open new ones: restart the SBC in "
     "a quiet period such as a maintenance window, or ask the vendor how to force the old connections closed.\n"
     "In drsim, compare the certificate's not_before and not_after with the experiment's start (default 2026-01-01)."},
    {Outcome::CertificateUntrustedRoot, 569009, 504, "Outbound TLS negotiation failed; HRESULT=0x80090325 SEC_E_UNTRUSTED_ROOT",
     true,
     "the SBC certificate chains to a CA without trusted_by_microsoft (fault certificate_untrusted_root)",
     "Get a certificate for the SBC signed by a public root CA in Microsoft's trusted list.\n"
     "With several TLS profiles on the SBC, use the one with the trusted certificate toward Direct Routing."},
    {Outcome::DnsNoSuchHost, 569015, 504, "No such host is known", true,
     "DNS answers NXDOMAIN for the SBC FQDN (fault dns_nxdomain, or no [[dns]] record for it)",
     "Find why the SBC FQDN does not resolve in DNS and fix it."},
    {Outcome::DnsNoAddress, 569016, 504, "The requested name is valid, but no data of the requested type was found", true,
     "DNS has the SBC FQDN (e.g. only the TXT domain-verification record) but no A or AAAA record (fault dns_no_address)",
     "Check the DNS settings: the SBC FQDN needs an A or AAAA record.\n"
     "Microsoft may word this error slightly differently for the same code."},
    {Outcome::MalformedSipOnNewConnection, 569018, 504, "Invalid request/response", true,
     "the SBC's first answer on a connection the proxy just opened is malformed or unsupported SIP (fault sbc_malformed_sip)",
     kFixSbcSipFormat},
});

constexpr bool rows_in_code_order() {
  for (std::size_t i = 1; i < kRows.size(); ++i)
    if (kRows[i - 1].ms_code > kRows[i].ms_code) return false;
  return true;
}
static_assert(rows_in_code_order(), "explain prints rows in table order: keep them sorted by code");

void append_row(std::string& text, const MicrosoftResponseCode& row) {
  text += std::to_string(row.ms_code) + "  SIP " + std::to_string(row.sip_code) + "  ";
  text += row.is_delivery_failure ? "Unable to deliver INVITE: " + std::string(row.phrase) : std::string(row.phrase);
  text += "\n  cause in drsim: " + std::string(row.cause);
  // facts §1.5: what Microsoft does before the caller hears a network-level failure.
  if (row.is_delivery_failure)
    text += "\n  failover: before answering this, Microsoft tries the same SBC once more from another datacenter "
            "(unless the SBC already sent a provisional other than 100)";
  text += "\n  suggested actions:\n";
  std::string_view actions = row.actions;
  while (!actions.empty()) {
    const std::size_t end = actions.find('\n');
    text += "    - " + std::string(actions.substr(0, end)) + "\n";
    actions = end == std::string_view::npos ? std::string_view{} : actions.substr(end + 1);
  }
}

}  // namespace

std::span<const MicrosoftResponseCode> microsoft_response_codes() { return kRows; }

const MicrosoftResponseCode& microsoft_response_code(MicrosoftOutcome outcome) {
  const auto row = std::find_if(kRows.begin(), kRows.end(), [&](const auto& candidate) { return candidate.outcome == outcome; });
  DRSIM_CHECK(row != kRows.end(), "a MicrosoftOutcome without a row in the code table");
  return *row;
}

std::string final_sip_phrase(MicrosoftOutcome outcome, std::string_view undelivered_method) {
  const auto& row = microsoft_response_code(outcome);
  if (!row.is_delivery_failure) return std::string(row.phrase);
  return "Unable to deliver " + std::string(undelivered_method) + ": " + std::string(row.phrase);
}

std::uint32_t ms_code_for_sbc_response(int sip_code) {
  DRSIM_CHECK(sip_code >= 300 && sip_code <= 699, "560xxx codes stand for the SBC's final non-2xx answers");
  return 560'000u + static_cast<std::uint32_t>(sip_code);
}

std::optional<std::string> explain_microsoft_code(std::uint32_t ms_code) {
  std::string text;
  for (const auto& row : kRows)
    if (row.ms_code == ms_code) append_row(text, row);
  if (!text.empty()) return text;
  if (ms_code >= 560'300 && ms_code <= 560'699) {
    const std::string sip_code = std::to_string(ms_code - 560'000);
    return std::to_string(ms_code) + "  SIP " + sip_code + "  (the SBC's own reason phrase)\n"
           "  cause in drsim: the SBC (or the carrier behind it) answered Microsoft's INVITE with SIP " + sip_code +
           "; 560xxx means \"the SBC sent SIP xxx\" (the 6 in the second digit marks the SBC as the source)\n"
           "  suggested actions:\n"
           "    - Look at the SBC and the carrier for why they answer " + sip_code + "; look for patterns by destination.\n";
  }
  return std::nullopt;
}

}  // namespace teams
