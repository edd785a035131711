#include "sim/net/certificate.hpp"

#include <cstdio>

#include "sim/net/ip_address.hpp"

namespace net {
namespace {

// Longer chains than this are refused rather than walked: a loop in the topology's issuer
// names must not hang validation. Real Web PKI chains have two to four certificates.
constexpr int kMaximumChainLength = 8;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

// An absolute name ("sbc1.contoso.com.") names the same host as the relative one.
std::string_view without_final_dot(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return name;
}

// `label` holds exactly one `*`: the host label must start with the text before it and end
// with the text after it, without the two overlapping.
bool label_matches_wildcard(std::string_view label, std::string_view host_label) {
  const std::size_t star = label.find('*');
  if (label.find('*', star + 1) != std::string_view::npos) return false;
  // RFC 6125 §6.4.3: no wildcard inside an A-label (an internationalized name's "xn--" form).
  if (label.size() >= 4 && equal_ignoring_case(label.substr(0, 4), "xn--")) return false;
  const std::string_view prefix = label.substr(0, star);
  const std::string_view suffix = label.substr(star + 1);
  if (host_label.size() < prefix.size() + suffix.size()) return false;
  return equal_ignoring_case(host_label.substr(0, prefix.size()), prefix) &&
         equal_ignoring_case(host_label.substr(host_label.size() - suffix.size()), suffix);
}

SchannelStatus check_chain(const Certificate& certificate, const TrustStore& trust_store) {
  std::string_view issuer = certificate.issuer;
  for (int depth = 0; depth < kMaximumChainLength; ++depth) {
    if (trust_store.trusts(issuer)) return SchannelStatus::Ok;
    const CertificateAuthority* authority = trust_store.find(issuer);
    if (authority == nullptr || authority->issuer.empty() || authority->issuer == authority->name)
      return SchannelStatus::UntrustedRoot;
    issuer = authority->issuer;
  }
  return SchannelStatus::UntrustedRoot;
}

bool within_validity(const Certificate& certificate, sim::UtcTime now) {
  return certificate.not_before <= now && now <= certificate.not_after;
}

// Steps 1 to 4 of the order documented in the header; the server check adds the name.
SchannelStatus validate_common(const Certificate& certificate, const TrustStore& trust_store, sim::UtcTime now,
                               bool usage_allowed) {
  if (!certificate.signature_valid) return SchannelStatus::BadSignature;
  if (const SchannelStatus chain = check_chain(certificate, trust_store); chain != SchannelStatus::Ok) return chain;
  if (!usage_allowed) return SchannelStatus::CertWrongUsage;
  if (!within_validity(certificate, now)) return SchannelStatus::CertExpired;
  return SchannelStatus::Ok;
}

}  // namespace

TrustStore TrustStore::microsoft(std::span<const CertificateAuthority> topology_authorities) {
  TrustStore store;
  for (const CertificateAuthority& authority : topology_authorities) {
    store.add_authority(authority);
    if (authority.trusted_by_microsoft) store.trust(authority.name);
  }
  return store;
}

TrustStore TrustStore::microsoft_roots() {
  TrustStore store;
  store.trust(kBaltimoreCyberTrustRoot);
  store.trust(kDigiCertGlobalRootG2);
  return store;
}

void TrustStore::add_authority(CertificateAuthority authority) {
  const std::string name = authority.name;
  Entry& entry = entries_[name];
  entry.authority = std::move(authority);
}

void TrustStore::trust(std::string_view name) {
  auto found = entries_.find(name);
  if (found == entries_.end()) found = entries_.emplace(std::string(name), Entry{CertificateAuthority{std::string(name), false, {}}, false}).first;
  found->second.anchor = true;
}

void TrustStore::distrust(std::string_view name) {
  if (const auto found = entries_.find(name); found != entries_.end()) found->second.anchor = false;
}

const CertificateAuthority* TrustStore::find(std::string_view name) const {
  const auto found = entries_.find(name);
  return found == entries_.end() ? nullptr : &found->second.authority;
}

bool TrustStore::trusts(std::string_view name) const {
  const auto found = entries_.find(name);
  return found != entries_.end() && found->second.anchor;
}

std::string_view schannel_symbol(SchannelStatus status) {
  switch (status) {
    case SchannelStatus::Ok: return "SEC_E_OK";
    case SchannelStatus::ContextExpired: return "SEC_I_CONTEXT_EXPIRED";
    case SchannelStatus::WrongPrincipal: return "SEC_E_WRONG_PRINCIPAL";
    case SchannelStatus::UntrustedRoot: return "SEC_E_UNTRUSTED_ROOT";
    case SchannelStatus::IllegalMessage: return "SEC_E_ILLEGAL_MESSAGE";
    case SchannelStatus::CertExpired: return "SEC_E_CERT_EXPIRED";
    case SchannelStatus::CertWrongUsage: return "SEC_E_CERT_WRONG_USAGE";
    case SchannelStatus::BadSignature: return "TRUST_E_CERT_SIGNATURE";
  }
  return "UNKNOWN_STATUS";
}

std::string schannel_hex(SchannelStatus status) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08x", static_cast<unsigned>(status));
  return text;
}

std::string_view schannel_message(SchannelStatus status) {
  switch (status) {
    case SchannelStatus::Ok: return "The operation completed successfully.";
    case SchannelStatus::ContextExpired: return "The context has expired and can no longer be used.";
    case SchannelStatus::WrongPrincipal: return "The target principal name is incorrect.";
    case SchannelStatus::UntrustedRoot: return "The certificate chain was issued by an authority that is not trusted.";
    case SchannelStatus::IllegalMessage: return "The message received was unexpected or badly formatted.";
    case SchannelStatus::CertExpired: return "The received certificate has expired.";
    case SchannelStatus::CertWrongUsage: return "The certificate is not valid for the requested usage.";
    case SchannelStatus::BadSignature: return "The signature of the certificate cannot be verified.";
  }
  return "Unknown status.";
}

SchannelStatus validate_server_certificate(const Certificate& certificate, const TrustStore& trust_store,
                                           sim::UtcTime now, std::string_view expected_host) {
  const SchannelStatus status =
      validate_common(certificate, trust_store, now, certificate.extended_key_usage.server_authentication);
  if (status != SchannelStatus::Ok) return status;
  // RFC 2818 §3.1: the client checks the name it dialled against the server's certificate.
  return certificate_matches_host(certificate, expected_host) ? SchannelStatus::Ok : SchannelStatus::WrongPrincipal;
}

SchannelStatus validate_client_certificate(const Certificate& certificate, const TrustStore& trust_store,
                                           sim::UtcTime now) {
  return validate_common(certificate, trust_store, now, certificate.extended_key_usage.client_authentication);
}

bool certificate_matches_host(const Certificate& certificate, std::string_view host) {
  // RFC 6125 §6.4.4: a certificate with DNS SANs is judged by them alone.
  if (!certificate.san.empty()) {
    for (const std::string& name : certificate.san)
      if (dns_name_matches(name, host)) return true;
    return false;
  }
  return dns_name_matches(certificate.subject_cn, host);
}

bool dns_name_matches(std::string_view pattern, std::string_view host) {
  pattern = without_final_dot(pattern);
  host = without_final_dot(host);
  if (pattern.empty() || host.empty()) return false;
  // An IP address is never covered by a wildcard (RFC 6125 §6.4.3 applies to DNS names only).
  if (IpAddress::parse(host)) return equal_ignoring_case(pattern, host);

  const std::size_t pattern_dot = pattern.find('.');
  const std::size_t host_dot = host.find('.');
  const std::string_view first_label = pattern.substr(0, pattern_dot);
  const std::string_view host_first_label = host.substr(0, host_dot);
  const std::string_view pattern_rest = pattern_dot == std::string_view::npos ? std::string_view{} : pattern.substr(pattern_dot);
  const std::string_view host_rest = host_dot == std::string_view::npos ? std::string_view{} : host.substr(host_dot);

  if (first_label.find('*') == std::string_view::npos) return equal_ignoring_case(pattern, host);
  // A wildcard needs a fixed part after it ("*" alone or "*." would cover whole domains), and
  // only the left-most label may hold one.
  if (pattern_rest.size() < 2 || pattern_rest.find('*') != std::string_view::npos) return false;
  if (host_first_label.empty()) return false;
  return equal_ignoring_case(pattern_rest, host_rest) && label_matches_wildcard(first_label, host_first_label);
}

}  // namespace net
