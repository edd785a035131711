#pragma once
// The experiment's [[fault]]s (spec/experiment-format.md, DESIGN.md "faults are data"): at
// `at` each is applied through the hook of the layer or model it hits, and after `duration`
// (when given) healed through the same hook. The injector only flips those switches; every
// consequence — a handshake that fails, a 503, a datacenter the SBC leaves — is the hit
// model's own behaviour.
//
//   certificate_*            the certificate an SBC presents (or a [[certificate]] by name) is
//                            edited: expired, issued by an unknown root, naming another host,
//                            or with a bad signature; it counts from the next TLS handshake
//   tls_context_expired      the SBC's established TLS connections fail (SEC_I_CONTEXT_EXPIRED)
//   tls_illegal_message      the SBC answers every ClientHello with garbage
//   sbc_down / datacenter_down  the host stops answering: connects time out
//   sbc_refuses              nothing listens: connects are reset
//   sbc_tls_disconnected     the SBC's TLS connections are reset, once (no duration)
//   sbc_invalid_sip / sbc_malformed_sip  the SBC writes broken SIP toward Microsoft
//   firewall_drop / _reject  a rule dropping or rejecting everything, on top of the host's firewall
//   dns_nxdomain / dns_no_address  the resolver's answer for the name is forced
//   datacenter_busy          the datacenter's proxy answers new INVITEs 503 + Retry-After
//   link_loss / link_latency the link's loss or one-way latency is replaced
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/config/experiment_file.hpp"
#include "sim/core/actor.hpp"
#include "sim/experiment/deployment.hpp"
#include "sim/net/certificate.hpp"

namespace experiment {

// Told of every fault applied or healed (the event trace), numbered from 1 in file order.
using FaultListener = std::function<void(const config::Fault& fault, std::size_t number, bool healed)>;

class FaultInjector final : public sim::Actor {
 public:
  FaultInjector(sim::ActorContext context, const std::vector<config::Fault>& faults, Deployment& deployment,
                FaultListener listener = {});
  void on_start() override;

 private:
  void apply(std::size_t index);
  void heal(std::size_t index);
  std::vector<net::Certificate*> certificates_of(const std::string& target) const;
  net::HostId host_of(const std::string& actor_name) const;
  std::optional<net::LinkId> link_of(const std::string& target) const;

  const std::vector<config::Fault>& faults_;
  Deployment& deployment_;
  FaultListener listener_;
  std::vector<sim::TimerHandle> timers_;
  // What a fault replaced, to put back when it heals.
  std::map<std::size_t, std::vector<std::pair<net::Certificate*, net::Certificate>>> saved_certificates_;
  std::map<std::size_t, std::uint64_t> firewall_faults_;
};

}  // namespace experiment
