#include "sim/net/certificate.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using net::SchannelStatus;

namespace {

sim::UtcTime utc(const char* text) { return sim::parse_rfc3339_utc(text).value(); }

const std::vector<net::CertificateAuthority> kTopologyAuthorities = {
    {"DigiCert Global Root G2", true, ""},
    {"Contoso Private Root", false, ""},
    {"DigiCert Global G2 TLS RSA SHA256 2020 CA1", false, "DigiCert Global Root G2"},
    {"Contoso Issuing CA", false, "Contoso Private Root"},
};

// The spec's example certificate: valid for all of 2026.
net::Certificate sbc_certificate() {
  net::Certificate certificate;
  certificate.name = "sbc1-cert";
  certificate.subject_cn = "sbc1.contoso.com";
  certificate.san = {"sbc1.contoso.com"};
  certificate.issuer = "DigiCert Global Root G2";
  certificate.not_before = utc("2026-01-01T00:00:00Z");
  certificate.not_after = utc("2027-01-01T00:00:00Z");
  return certificate;
}

const net::TrustStore kMicrosoft = net::TrustStore::microsoft(kTopologyAuthorities);
const sim::UtcTime kMidYear = utc("2026-06-01T12:00:00Z");

SchannelStatus as_server(const net::Certificate& certificate, std::string_view host = "sbc1.contoso.com",
                         sim::UtcTime now = kMidYear) {
  return net::validate_server_certificate(certificate, kMicrosoft, now, host);
}

SchannelStatus as_client(const net::Certificate& certificate, sim::UtcTime now = kMidYear) {
  return net::validate_client_certificate(certificate, kMicrosoft, now);
}

}  // namespace

TEST_CASE("a certificate from a Microsoft-trusted root for the dialled FQDN is accepted both ways") {
  CHECK(as_server(sbc_certificate()) == SchannelStatus::Ok);
  CHECK(as_client(sbc_certificate()) == SchannelStatus::Ok);
}

TEST_CASE("status codes print as Microsoft's logs print them") {
  CHECK(net::schannel_hex(SchannelStatus::CertExpired) == "0x80090328");
  CHECK(net::schannel_symbol(SchannelStatus::CertExpired) == "SEC_E_CERT_EXPIRED");
  CHECK(net::schannel_hex(SchannelStatus::UntrustedRoot) == "0x80090325");
  CHECK(net::schannel_symbol(SchannelStatus::UntrustedRoot) == "SEC_E_UNTRUSTED_ROOT");
  CHECK(net::schannel_hex(SchannelStatus::WrongPrincipal) == "0x80090322");
  CHECK(net::schannel_hex(SchannelStatus::IllegalMessage) == "0x80090326");
  CHECK(net::schannel_symbol(SchannelStatus::BadSignature) == "TRUST_E_CERT_SIGNATURE");
  CHECK(net::schannel_hex(SchannelStatus::BadSignature) == "0x80096004");
  CHECK(net::schannel_hex(SchannelStatus::CertWrongUsage) == "0x80090349");
  // Microsoft prints the expired TLS context in decimal: "TLS decryption failed; HRESULT=590615".
  CHECK(net::schannel_hex(SchannelStatus::ContextExpired) == "0x00090317");
  CHECK(static_cast<std::uint32_t>(SchannelStatus::ContextExpired) == 590615u);
  CHECK(net::schannel_message(SchannelStatus::CertExpired) == "The received certificate has expired.");
}

TEST_CASE("a certificate whose signature does not verify fails with TRUST_E_CERT_SIGNATURE") {
  net::Certificate certificate = sbc_certificate();
  certificate.signature_valid = false;
  CHECK(as_server(certificate) == SchannelStatus::BadSignature);
  CHECK(as_client(certificate) == SchannelStatus::BadSignature);
}

TEST_CASE("a certificate from a root outside the Microsoft program fails with SEC_E_UNTRUSTED_ROOT") {
  net::Certificate certificate = sbc_certificate();
  certificate.issuer = "Contoso Private Root";
  CHECK(as_server(certificate) == SchannelStatus::UntrustedRoot);
  certificate.issuer = "Contoso Issuing CA";  // an intermediate under that root
  CHECK(as_server(certificate) == SchannelStatus::UntrustedRoot);
  certificate.issuer = "sbc1.contoso.com";  // self-signed: its issuer is no known CA
  CHECK(as_client(certificate) == SchannelStatus::UntrustedRoot);
}

TEST_CASE("an intermediate under a trusted root chains to it") {
  net::Certificate certificate = sbc_certificate();
  certificate.issuer = "DigiCert Global G2 TLS RSA SHA256 2020 CA1";
  CHECK(as_server(certificate) == SchannelStatus::Ok);
}

TEST_CASE("an issuer loop ends as an untrusted root instead of hanging") {
  net::TrustStore store;
  store.add_authority({"Loop A", false, "Loop B"});
  store.add_authority({"Loop B", false, "Loop A"});
  net::Certificate certificate = sbc_certificate();
  certificate.issuer = "Loop A";
  CHECK(net::validate_client_certificate(certificate, store, kMidYear) == SchannelStatus::UntrustedRoot);
  store.trust("Loop B");
  CHECK(net::validate_client_certificate(certificate, store, kMidYear) == SchannelStatus::Ok);
}

TEST_CASE("an SBC trusts the Baltimore and DigiCert G2 roots behind Microsoft's certificates") {
  const net::TrustStore sbc_store = net::TrustStore::microsoft_roots();
  net::Certificate proxy = sbc_certificate();
  proxy.subject_cn = "sip.pstnhub.microsoft.com";
  proxy.san = {"sip.pstnhub.microsoft.com", "sip2.pstnhub.microsoft.com", "sip3.pstnhub.microsoft.com"};
  for (std::string_view root : {net::kDigiCertGlobalRootG2, net::kBaltimoreCyberTrustRoot}) {
    proxy.issuer = std::string(root);
    CHECK(net::validate_server_certificate(proxy, sbc_store, kMidYear, "sip2.pstnhub.microsoft.com") == SchannelStatus::Ok);
  }
  // A store updated without the new root (the October 2023 switch) refuses the G2 chain.
  net::TrustStore outdated = net::TrustStore::microsoft_roots();
  outdated.distrust(net::kDigiCertGlobalRootG2);
  proxy.issuer = std::string(net::kDigiCertGlobalRootG2);
  CHECK(net::validate_server_certificate(proxy, outdated, kMidYear, "sip.pstnhub.microsoft.com") == SchannelStatus::UntrustedRoot);
}

TEST_CASE("validity includes both not_before and not_after to the nanosecond") {
  const net::Certificate certificate = sbc_certificate();
  const sim::Time one_nanosecond = sim::Time::from_nanoseconds(1);
  const sim::UtcTime before_start = sim::UtcTime::from_unix_nanoseconds(certificate.not_before.unix_nanoseconds() - 1);
  CHECK(as_server(certificate, "sbc1.contoso.com", before_start) == SchannelStatus::CertExpired);
  CHECK(as_server(certificate, "sbc1.contoso.com", certificate.not_before) == SchannelStatus::Ok);
  CHECK(as_server(certificate, "sbc1.contoso.com", certificate.not_after) == SchannelStatus::Ok);
  CHECK(as_server(certificate, "sbc1.contoso.com", certificate.not_after + one_nanosecond) == SchannelStatus::CertExpired);
  CHECK(as_client(certificate, certificate.not_after + one_nanosecond) == SchannelStatus::CertExpired);
}

TEST_CASE("a certificate without the purpose's extended key usage fails with SEC_E_CERT_WRONG_USAGE") {
  net::Certificate certificate = sbc_certificate();
  // Let's Encrypt's 2026 profile drops Client Authentication: Microsoft then refuses the SBC's
  // connections, while the SBC can still serve connections Microsoft opens.
  certificate.extended_key_usage.client_authentication = false;
  CHECK(as_client(certificate) == SchannelStatus::CertWrongUsage);
  CHECK(as_server(certificate) == SchannelStatus::Ok);
  certificate.extended_key_usage = {.server_authentication = false, .client_authentication = true};
  CHECK(as_server(certificate) == SchannelStatus::CertWrongUsage);
  CHECK(as_client(certificate) == SchannelStatus::Ok);
}

TEST_CASE("a certificate for another name fails with SEC_E_WRONG_PRINCIPAL") {
  CHECK(as_server(sbc_certificate(), "sbc2.contoso.com") == SchannelStatus::WrongPrincipal);
  // The client check has no name to compare: the proxy matches the Contact host separately.
  CHECK(as_client(sbc_certificate()) == SchannelStatus::Ok);
}

TEST_CASE("several faults report the first in Windows chain-policy order") {
  net::Certificate certificate = sbc_certificate();
  certificate.issuer = "Contoso Private Root";
  certificate.signature_valid = false;
  certificate.extended_key_usage.server_authentication = false;
  const sim::UtcTime expired = utc("2027-06-01T00:00:00Z");
  CHECK(as_server(certificate, "other.example.com", expired) == SchannelStatus::BadSignature);
  certificate.signature_valid = true;
  CHECK(as_server(certificate, "other.example.com", expired) == SchannelStatus::UntrustedRoot);
  certificate.issuer = "DigiCert Global Root G2";
  CHECK(as_server(certificate, "other.example.com", expired) == SchannelStatus::CertWrongUsage);
  certificate.extended_key_usage.server_authentication = true;
  CHECK(as_server(certificate, "other.example.com", expired) == SchannelStatus::CertExpired);
  CHECK(as_server(certificate, "other.example.com") == SchannelStatus::WrongPrincipal);
}

TEST_CASE("SAN entries decide the name and the CN is ignored when there are any") {
  net::Certificate certificate = sbc_certificate();
  certificate.subject_cn = "sbc1.contoso.com";
  certificate.san = {"sbc-a.contoso.com", "sbc-b.contoso.com"};
  CHECK_FALSE(net::certificate_matches_host(certificate, "sbc1.contoso.com"));
  CHECK(net::certificate_matches_host(certificate, "sbc-b.contoso.com"));
  certificate.san.clear();
  CHECK(net::certificate_matches_host(certificate, "sbc1.contoso.com"));
  certificate.subject_cn = "*.contoso.com";  // wildcards count in the CN too (PLAN 2021+)
  CHECK(net::certificate_matches_host(certificate, "sbc9.contoso.com"));
}

TEST_CASE("names compare without regard to case or a final dot") {
  CHECK(net::dns_name_matches("SBC1.Contoso.COM", "sbc1.contoso.com"));
  CHECK(net::dns_name_matches("sbc1.contoso.com", "sbc1.contoso.com."));
  CHECK(net::dns_name_matches("*.CONTOSO.com", "Sbc1.contoso.COM"));
  CHECK_FALSE(net::dns_name_matches("sbc1.contoso.com", "sbc1.contoso.co"));
  CHECK_FALSE(net::dns_name_matches("", "sbc1.contoso.com"));
}

TEST_CASE("a wildcard stands for exactly one left-most label or a fragment of it") {
  struct Case {
    const char* pattern;
    const char* host;
    bool matches;
  };
  const Case cases[] = {
      {"*.a.com", "foo.a.com", true},
      {"*.a.com", "bar.foo.a.com", false},  // one label only (RFC 2818 §3.1)
      {"*.a.com", "a.com", false},
      {"*.a.com", ".a.com", false},
      {"f*.a.com", "foo.a.com", true},
      {"f*.a.com", "bar.a.com", false},
      {"*o.a.com", "foo.a.com", true},
      {"f*o.a.com", "foo.a.com", true},
      {"f*o.a.com", "fo.a.com", true},      // the star may stand for nothing
      {"fo*oo.a.com", "foo.a.com", false},  // prefix and suffix must not overlap
      {"f*.com", "foo.com", true},          // the spec's own example
      {"f*.com", "bar.com", false},
      {"foo.*.com", "foo.a.com", false},    // only the left-most label may hold one
      {"*.*.com", "foo.a.com", false},
      {"**.a.com", "foo.a.com", false},
      {"*", "localhost", false},
      {"*.", "com.", false},
      {"xn--*.a.com", "xn--bcher-kva.a.com", false},  // RFC 6125 §6.4.3: not inside an A-label
      {"*.a.com", "xn--bcher-kva.a.com", true},
      {"*.0.113.10", "203.0.113.10", false},          // addresses never match a wildcard
      {"203.0.113.10", "203.0.113.10", true},
  };
  for (const Case& test : cases) {
    CAPTURE(test.pattern);
    CAPTURE(test.host);
    CHECK(net::dns_name_matches(test.pattern, test.host) == test.matches);
  }
}
