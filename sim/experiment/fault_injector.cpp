#include "sim/experiment/fault_injector.hpp"

#include "sim/core/check.hpp"

namespace experiment {

namespace {

// An issuer no topology declares: the chain cannot reach any trust anchor.
constexpr const char* kUntrustedIssuer = "drsim fault: untrusted root";
// A host name no SBC has: the certificate names someone else.
constexpr const char* kOtherHost = "certificate-name-mismatch.invalid";

}  // namespace

FaultInjector::FaultInjector(sim::ActorContext context, const std::vector<config::Fault>& faults, Deployment& deployment,
                             FaultListener listener)
    : sim::Actor(std::move(context)), faults_(faults), deployment_(deployment), listener_(std::move(listener)) {}

void FaultInjector::on_start() {
  for (std::size_t index = 0; index < faults_.size(); ++index) {
    const config::Fault& fault = faults_[index];
    timers_.push_back(start_timer(fault.at - now(), [this, index] { apply(index); }));
    if (fault.duration) timers_.push_back(start_timer(fault.at + *fault.duration - now(), [this, index] { heal(index); }));
  }
}

net::HostId FaultInjector::host_of(const std::string& actor_name) const {
  const auto host = deployment_.network().find_host(actor_name);
  DRSIM_CHECK(host.has_value(), "a fault target that is no host (load_scenario checks targets)");
  return *host;
}

std::vector<net::Certificate*> FaultInjector::certificates_of(const std::string& target) const {
  // An SBC name means the certificate it presents; a certificate name means that certificate.
  if (net::Certificate* presented = deployment_.certificate_of_sbc(target)) return {presented};
  if (net::Certificate* named = deployment_.certificate(target)) return {named};
  return {};
}

std::optional<net::LinkId> FaultInjector::link_of(const std::string& target) const {
  const std::size_t bar = target.find('|');
  if (bar == std::string::npos) return std::nullopt;
  return deployment_.network().topology().find_link(target.substr(0, bar), target.substr(bar + 1));
}

void FaultInjector::apply(std::size_t index) {
  const config::Fault& fault = faults_[index];
  net::Network& network = deployment_.network();
  const auto edit_certificates = [&](const std::function<void(net::Certificate&)>& edit) {
    auto& saved = saved_certificates_[index];
    for (net::Certificate* certificate : certificates_of(fault.target)) {
      saved.emplace_back(certificate, *certificate);
      edit(*certificate);
    }
  };
  switch (fault.kind) {
    case config::FaultKind::CertificateExpired: {
      // Expired a second ago by the simulated clock: the next handshake sees it.
      const sim::UtcTime expired = network.utc_now() + sim::Time::from_seconds(-1);
      edit_certificates([expired](net::Certificate& certificate) { certificate.not_after = expired; });
      break;
    }
    case config::FaultKind::CertificateUntrustedRoot:
      edit_certificates([](net::Certificate& certificate) { certificate.issuer = kUntrustedIssuer; });
      break;
    case config::FaultKind::CertificateNameMismatch:
      edit_certificates([](net::Certificate& certificate) {
        certificate.subject_cn = kOtherHost;
        certificate.san = {kOtherHost};
      });
      break;
    case config::FaultKind::CertificateBadSignature:
      edit_certificates([](net::Certificate& certificate) { certificate.signature_valid = false; });
      break;
    case config::FaultKind::TlsContextExpired:
      deployment_.tcp().expire_tls_contexts(host_of(fault.target));
      break;
    case config::FaultKind::TlsIllegalMessage:
      deployment_.tcp().set_tls_illegal_message(host_of(fault.target), true);
      break;
    case config::FaultKind::SbcDown:
    case config::FaultKind::DatacenterDown:
      network.set_host_down(host_of(fault.target), true);
      deployment_.tcp().lose_connections(host_of(fault.target));
      break;
    case config::FaultKind::SbcRefuses:
      network.set_host_refusing(host_of(fault.target), true);
      break;
    case config::FaultKind::SbcTlsDisconnected:
      deployment_.tcp().disconnect_tls(host_of(fault.target));
      break;
    case config::FaultKind::SbcInvalidSip:
      deployment_.sbc(fault.target).set_sip_corruption(sbc::SipCorruption::MissingVersion);
      break;
    case config::FaultKind::SbcMalformedSip:
      deployment_.sbc(fault.target).set_sip_corruption(sbc::SipCorruption::Malformed);
      break;
    case config::FaultKind::FirewallDrop:
    case config::FaultKind::FirewallReject: {
      const auto action =
          fault.kind == config::FaultKind::FirewallDrop ? net::FilterVerdict::Drop : net::FilterVerdict::Reject;
      firewall::FirewallRule rule = firewall::FirewallRule::matching_everything(action);
      if (!fault.peer.empty()) rule.peer = deployment_.address_block_of(fault.peer);
      firewall_faults_[index] = deployment_.firewall(host_of(fault.target)).apply_fault(rule);
      break;
    }
    case config::FaultKind::DnsNxdomain:
      deployment_.zone().force(fault.target, dns::DnsOutcome::NxDomain);
      break;
    case config::FaultKind::DnsNoAddress:
      deployment_.zone().force(fault.target, dns::DnsOutcome::NoAddress);
      break;
    case config::FaultKind::DatacenterBusy:
      deployment_.proxy(fault.target).set_busy(static_cast<std::uint32_t>(fault.retry_after.nanoseconds() / 1'000'000'000));
      break;
    case config::FaultKind::LinkLoss:
      if (const auto link = link_of(fault.target)) network.set_link_loss(*link, fault.loss.value_or(0.0));
      break;
    case config::FaultKind::LinkLatency:
      if (const auto link = link_of(fault.target)) network.set_link_latency(*link, fault.latency.value_or(sim::Time::zero()));
      break;
  }
  if (listener_) listener_(fault, index + 1, false);
}

void FaultInjector::heal(std::size_t index) {
  const config::Fault& fault = faults_[index];
  net::Network& network = deployment_.network();
  switch (fault.kind) {
    case config::FaultKind::CertificateExpired:
    case config::FaultKind::CertificateUntrustedRoot:
    case config::FaultKind::CertificateNameMismatch:
    case config::FaultKind::CertificateBadSignature:
      // Newest edit first, so overlapping faults on one certificate unwind in order.
      for (auto& saved = saved_certificates_[index]; !saved.empty(); saved.pop_back())
        *saved.back().first = saved.back().second;
      break;
    case config::FaultKind::TlsContextExpired:
    case config::FaultKind::SbcTlsDisconnected:
      break;  // one-off events: the next connection is a fresh one
    case config::FaultKind::TlsIllegalMessage:
      deployment_.tcp().set_tls_illegal_message(host_of(fault.target), false);
      break;
    case config::FaultKind::SbcDown:
    case config::FaultKind::DatacenterDown:
      network.set_host_down(host_of(fault.target), false);
      break;
    case config::FaultKind::SbcRefuses:
      network.set_host_refusing(host_of(fault.target), false);
      break;
    case config::FaultKind::SbcInvalidSip:
    case config::FaultKind::SbcMalformedSip:
      deployment_.sbc(fault.target).set_sip_corruption(sbc::SipCorruption::None);
      break;
    case config::FaultKind::FirewallDrop:
    case config::FaultKind::FirewallReject:
      if (const auto applied = firewall_faults_.find(index); applied != firewall_faults_.end())
        deployment_.firewall(host_of(fault.target)).heal_fault(applied->second);
      break;
    case config::FaultKind::DnsNxdomain:
      deployment_.zone().restore(fault.target, dns::DnsOutcome::NxDomain);
      break;
    case config::FaultKind::DnsNoAddress:
      deployment_.zone().restore(fault.target, dns::DnsOutcome::NoAddress);
      break;
    case config::FaultKind::DatacenterBusy:
      deployment_.proxy(fault.target).set_busy(std::nullopt);
      break;
    case config::FaultKind::LinkLoss:
    case config::FaultKind::LinkLatency:
      if (const auto link = link_of(fault.target)) network.restore_link(*link);
      break;
  }
  if (listener_) listener_(fault, index + 1, true);
}

}  // namespace experiment
