#pragma once
// X.509 certificates as the model needs them: names, issuer, validity, extended key usage and
// whether the signature verifies. No cryptography: a TLS peer's verdict is computed from these
// fields and reported as the Windows Schannel status Microsoft's SIP proxy logs
// (spec/direct-routing.md, 504 subcode table; research/direct-routing-facts.md §6).
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/utc_time.hpp"

namespace net {

// A CA from the topology's [[ca]] table. A root has no issuer; an intermediate names the CA that
// signed it, so a chain is the walk issuer → issuer → ... up to a root.
struct CertificateAuthority {
  std::string name;
  bool trusted_by_microsoft = false;  // in the Microsoft Trusted Root Program
  std::string issuer;                 // empty for a root
};

// RFC 5280 §4.2.1.12. Direct Routing requires both on SBC certificates since March 2024
// (research/direct-routing-facts.md §6.1), so both are the default.
struct ExtendedKeyUsage {
  bool server_authentication = true;
  bool client_authentication = true;
};

struct Certificate {
  std::string name;                // the topology's handle, e.g. "sbc1-cert"
  std::string subject_cn;
  std::vector<std::string> san;    // subjectAltName dNSName entries, in certificate order
  std::string issuer;              // a CertificateAuthority's name
  sim::UtcTime not_before;         // RFC 5280 §4.1.2.5: valid from not_before through
  sim::UtcTime not_after;          // not_after, both instants included
  ExtendedKeyUsage extended_key_usage;
  bool signature_valid = true;     // the certificate_bad_signature fault clears it
};

// The roots Microsoft's SIP proxy certificates chain to; an SBC's store for the Teams TLS context
// must hold both (research/direct-routing-facts.md §6.3: keep the old root, add the new one).
inline constexpr std::string_view kBaltimoreCyberTrustRoot = "Baltimore CyberTrust Root";
inline constexpr std::string_view kDigiCertGlobalRootG2 = "DigiCert Global Root G2";

// What one validator knows: authorities it can build chains through (the intermediates a peer
// sends in its TLS Hello, modelled as known to the validator) and the trust anchors among them.
// A chain is trusted when it reaches an anchor before it ends. Ordered maps: no hash order.
class TrustStore {
 public:
  // Microsoft's proxy: every topology CA is known; those with trusted_by_microsoft are anchors.
  static TrustStore microsoft(std::span<const CertificateAuthority> topology_authorities);
  // An SBC configured as Microsoft asks: anchors Baltimore CyberTrust Root and DigiCert Global
  // Root G2, the roots Microsoft's own certificates chain to.
  static TrustStore microsoft_roots();

  // Known for chain building, trusted only if trust() names it. Re-adding a name replaces its
  // description and keeps its trust.
  void add_authority(CertificateAuthority authority);
  // Makes `name` an anchor; an unknown name is added as a root first.
  void trust(std::string_view name);
  void distrust(std::string_view name);

  const CertificateAuthority* find(std::string_view name) const;
  bool trusts(std::string_view name) const;

 private:
  struct Entry {
    CertificateAuthority authority;
    bool anchor = false;
  };
  std::map<std::string, Entry, std::less<>> entries_;
};

// Windows Schannel / CryptoAPI status codes (winerror.h values) that a TLS handshake reports.
enum class SchannelStatus : std::uint32_t {
  Ok = 0x00000000,
  ContextExpired = 0x00090317,   // SEC_I_CONTEXT_EXPIRED (590615): context torn down mid-connection
  WrongPrincipal = 0x80090322,   // SEC_E_WRONG_PRINCIPAL: no certificate name matches the host
  UntrustedRoot = 0x80090325,    // SEC_E_UNTRUSTED_ROOT: no chain to a trust anchor
  IllegalMessage = 0x80090326,   // SEC_E_ILLEGAL_MESSAGE: unexpected or malformed handshake
  CertExpired = 0x80090328,      // SEC_E_CERT_EXPIRED: outside not_before..not_after
  CertWrongUsage = 0x80090349,   // SEC_E_CERT_WRONG_USAGE: extended key usage lacks the purpose
  BadSignature = 0x80096004,     // TRUST_E_CERT_SIGNATURE: the signature does not verify
};

std::string_view schannel_symbol(SchannelStatus status);   // "SEC_E_CERT_EXPIRED"
std::string schannel_hex(SchannelStatus status);           // "0x80090328", eight digits, lower case
std::string_view schannel_message(SchannelStatus status);  // Windows' text: "The received certificate has expired."

// Both validators check in the order Windows' chain policy (CertVerifyCertificateChainPolicy)
// lists its errors, so a certificate with several faults reports the same one Windows would:
//   1. signature          → BadSignature   (nothing else about a forged certificate is credible)
//   2. chain to an anchor → UntrustedRoot  (also when the chain cannot be built or loops)
//   3. extended key usage → CertWrongUsage
//   4. validity period    → CertExpired    (before not_before too: Windows uses one code for both)
//   5. name (server only) → WrongPrincipal
// Microsoft's 504 table prints wrong usage under 0x80090322 (direct-routing.md); mapping a
// status to a call-record phrase is the caller's job, this returns what Schannel reports.

// The TLS client's check of the server's certificate: `expected_host` is the FQDN it dialled.
SchannelStatus validate_server_certificate(const Certificate& certificate, const TrustStore& trust_store,
                                           sim::UtcTime now, std::string_view expected_host);
// The TLS server's check of a client certificate (mutual TLS). No name check: the Microsoft proxy
// matches the SIP Contact host against the certificate separately (certificate_matches_host).
SchannelStatus validate_client_certificate(const Certificate& certificate, const TrustStore& trust_store,
                                           sim::UtcTime now);

// RFC 6125 §6.4.4: the SAN dNSName entries when there are any (the CN is then ignored), else the CN.
bool certificate_matches_host(const Certificate& certificate, std::string_view host);
// RFC 2818 §3.1 / RFC 6125 §6.4.3: case-insensitive; `*` only in the left-most label, standing for
// one label or a fragment of one (`*.a.com` and `f*.a.com` match `foo.a.com`; `*.a.com` matches
// neither `bar.foo.a.com` nor `a.com`). An IP address host matches only an identical name.
bool dns_name_matches(std::string_view pattern, std::string_view host);

}  // namespace net
