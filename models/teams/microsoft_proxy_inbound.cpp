// Inbound calls (PSTN → SBC → Microsoft → Teams endpoints): the checks of spec "Inbound call",
// and forking to the user's endpoints with client signalling (spec "Forking").
#include <algorithm>

#include "models/teams/direct_routing_rules.hpp"
#include "models/teams/microsoft_proxy.hpp"
#include "sim/core/check.hpp"

namespace teams {
namespace {

// Inbound call references carry the top bit, so they never meet the references clients choose
// for their own outbound calls (keep those below 2^63), and the proxy's actor id, so two
// datacenters' calls to one endpoint never share a reference.
constexpr std::uint64_t kInboundReferenceBit = std::uint64_t{1} << 63;

bool is_rule_the_lookup_decides(std::string_view rule_id) {
  // A Request-URI number without '+' fails the reverse number lookup (511404) rather than the
  // rules; a From without '+' only breaks call blocking, the call goes on (facts §3.2).
  return rule_id == "request-uri-not-e164" || rule_id == "from-not-e164";
}

}  // namespace

void MicrosoftProxy::on_inbound_invite(const sip::TransactionKey& key, const sip::Message& invite,
                                       sip::Transport& flow) {
  if (busy_retry_after_) {
    // spec "Retry-After": a busy datacenter answers 503 with Retry-After (seconds).
    sip::Message busy = sip::make_response(invite, 503, "Service Unavailable", new_tag());
    busy.add_header("Retry-After", std::to_string(*busy_retry_after_));
    layer_->respond(key, std::move(busy));
    return;
  }
  if (inbound_calls_.contains(invite.call_id())) {
    layer_->respond(key, sip::make_response(invite, 482, "Loop Detected", new_tag()));  // §8.2.2.2: merged request
    return;
  }
  const auto target = screen_inbound(invite, flow);
  if (!target.ok()) return reject_inbound(key, invite, target.error());

  // spec "Forking": on the first INVITE the proxy sends 100 Trying and notifies all endpoints.
  layer_->respond(key, sip::make_response(invite, 100, "Trying"));
  const std::string call_id(invite.call_id());
  InboundEntry& entry = *inbound_calls_.try_emplace(call_id).first;
  InboundCall& call = entry.second;
  call.reference = kInboundReferenceBit | (std::uint64_t{id()} << 32) | ++next_reference_;
  call.invite_key = key;
  call.invite = invite;
  call.contact = contact_value(local_fqdn_for(invite.request_uri()));
  call.media_bypass = target->sbc->media_bypass;
  call.media_sdp = media_processor_.answer(++next_media_session_, invite.body());
  inbound_by_reference_[call.reference] = &entry;
  inbound_by_invite_key_[key] = call_id;
  call.ring_timer = start_timer(settings_.ring_timeout, [this, call_id] { on_ring_timeout(call_id); });
  if (observer_ != nullptr) observer_->datacenter_used(call_id, settings_.datacenter);
  offer_to_endpoints(call, call_id, target->user);
}

sim::Result<MicrosoftProxy::InboundTarget, MicrosoftProxy::Rejection> MicrosoftProxy::screen_inbound(
    const sip::Message& invite, const sip::Transport& flow) const {
  // IP in Contact or Record-Route → 403, no Contact → 400, no SDP offer → 488 (direct_routing_rules).
  for (const RuleViolation& violation : check_direct_routing_rules(invite)) {
    if (!is_rule_the_lookup_decides(violation.rule_id))
      return sim::Failure{Rejection{violation.status_code, std::nullopt}};
  }
  if (invite.contact_count() == 0) return sim::Failure{Rejection{400, std::nullopt}};
  // Step 1: only the first Contact's FQDN counts, and the SBC's certificate must name it.
  const std::string_view fqdn = invite.contact(0).uri().host();
  if (!certificate_names(flow, fqdn)) return sim::Failure{Rejection{403, std::nullopt}};
  // Steps 2, 3 and 5: the tenant by full FQDN, else by domain, and its trunk for this SBC.
  const auto tenant = settings_.tenants->tenant_for_fqdn(fqdn);
  const KnownSbc* sbc = known_sbc(fqdn);
  if (!tenant || sbc == nullptr || sbc->tenant != *tenant)
    return sim::Failure{Rejection::of(MicrosoftOutcome::TrunkNotFound)};
  // Step 4: reverse number lookup of the Request-URI's number inside that tenant.
  const auto user = settings_.tenants->user_for_number(*tenant, invite.request_uri().user_unescaped());
  if (!user) return sim::Failure{Rejection::of(MicrosoftOutcome::UnknownCalledNumber)};
  if (!endpoints_of_user_.contains({user->tenant, user->user})) return sim::Failure{Rejection::of(MicrosoftOutcome::NoCalleeEndpoints)};
  return InboundTarget{*user, sbc};
}

MicrosoftProxy::Rejection MicrosoftProxy::Rejection::of(MicrosoftOutcome outcome) {
  return Rejection{microsoft_response_code(outcome).sip_code, outcome};
}

void MicrosoftProxy::reject_inbound(const sip::TransactionKey& key, const sip::Message& invite,
                                    const Rejection& rejection) {
  const std::string_view reason = sip::default_reason_phrase(rejection.sip_code);
  sip::Message response = sip::make_response(invite, rejection.sip_code, reason, new_tag());
  std::optional<std::uint32_t> ms_code;
  std::string phrase(reason);
  if (rejection.outcome) {
    const MicrosoftResponseCode& row = microsoft_response_code(*rejection.outcome);
    ms_code = row.ms_code;
    phrase = final_sip_phrase(*rejection.outcome);
    response.add_header("ms-diagnostics", std::to_string(row.ms_code) + ";reason=\"" + std::string(row.phrase) +
                                              "\";source=\"" + local_fqdn_for(invite.request_uri()) + "\"");
  }
  layer_->respond(key, std::move(response));
  if (observer_ == nullptr) return;
  const std::string_view call_id = invite.call_id();
  observer_->datacenter_used(call_id, settings_.datacenter);
  observer_->final_response(call_id, rejection.sip_code, ms_code, phrase, now());
  observer_->ended(call_id, now());
}

void MicrosoftProxy::offer_to_endpoints(InboundCall& call, const std::string& call_id, UserRef user) {
  const auto endpoints = endpoints_of_user_.find({user.tenant, user.user});
  if (endpoints == endpoints_of_user_.end()) return;
  // Every endpoint gets the same IncomingCall: encoded once. Bypass: the clients see the SBC's
  // offer; otherwise the media processor anchors the media.
  const std::string incoming_call = client::encode_signal(client::ClientSignal{
      .kind = client::SignalKind::IncomingCall,
      .call = call.reference,
      .number = call.invite.from().uri().user_unescaped(),
      .sdp = call.media_bypass ? std::string(call.invite.body()) : call.media_sdp});
  for (const std::size_t index : endpoints->second) {
    const TeamsEndpoint& endpoint = settings_.endpoints[index];
    call.forks.push_back(Fork{endpoint.actor, endpoint.kind, new_tag(), false});
    send_to_client(endpoint.actor, incoming_call);
    if (observer_ != nullptr && observer_->wants_client_legs()) {
      observer_->legs_joined(call_id, client_leg(endpoint.actor, call.reference));
    }
  }
}

void MicrosoftProxy::on_inbound_signal(const client::ClientSignal& signal, sim::ActorId source,
                                       InboundEntry& entry) {
  // Valid until end_inbound erases the entry, which is the last thing done with it.
  const std::string_view call_id = entry.first;
  InboundCall& call = entry.second;
  const auto fork =
      std::find_if(call.forks.begin(), call.forks.end(), [&](const Fork& f) { return f.endpoint == source; });
  if (fork == call.forks.end()) return;  // not an endpoint this call rang
  switch (signal.kind) {
    case client::SignalKind::CallProgress:
      return on_endpoint_progress(call, *fork);
    case client::SignalKind::MediaAnswer:
      return on_endpoint_media(call, *fork, signal.sdp);
    case client::SignalKind::CallAccepted:
      return on_endpoint_accepted(call_id, call, static_cast<std::size_t>(fork - call.forks.begin()), signal.sdp);
    case client::SignalKind::HangUp:
      if (call.answered != static_cast<std::size_t>(fork - call.forks.begin())) return;
      if (call.dialog) send_bye(*call.dialog);
      if (observer_ != nullptr) observer_->ended(call_id, now());
      return end_inbound(call_id);
    default:
      return;
  }
}

void MicrosoftProxy::on_endpoint_progress(InboundCall& call, Fork& fork) {
  // Each endpoint's call progress is a 180 on its own early dialog, sent when it arrives.
  if (call.state != InboundCall::State::Ringing || fork.ringing) return;
  fork.ringing = true;
  layer_->respond(call.invite_key, inbound_response(call, 180, fork.to_tag));
}

void MicrosoftProxy::on_endpoint_media(InboundCall& call, Fork& fork, const std::string& sdp) {
  if (call.state != InboundCall::State::Ringing) return;
  // Non-bypass: at most one 183 per session, with the media processor's SDP; bypass: each
  // endpoint's own candidates, so possibly several 183s (spec "Forking").
  if (!call.media_bypass && call.session_progress_sent) return;
  call.session_progress_sent = true;
  sip::Message progress = inbound_response(call, 183, fork.to_tag);
  progress.set_body("application/sdp", call.media_bypass ? sdp : call.media_sdp);
  layer_->respond(call.invite_key, std::move(progress));
}

void MicrosoftProxy::on_endpoint_accepted(std::string_view call_id, InboundCall& call, std::size_t fork,
                                          const std::string& sdp) {
  if (call.state != InboundCall::State::Ringing) return;  // another endpoint was first
  call.state = InboundCall::State::Accepted;
  call.answered = fork;
  call.ring_timer.cancel();
  call.answer_sdp = call.media_bypass ? sdp : call.media_sdp;
  sip::Message ok = inbound_answer(call);
  auto dialog = sip::Dialog::create_as_uas(call.invite, ok);
  DRSIM_CHECK(dialog.ok(), "an INVITE the proxy accepted cannot form a dialog");
  call.dialog = dialogs_.insert(std::move(dialog).value()).id();
  layer_->respond(call.invite_key, std::move(ok));
  stop_ringing(call, fork);
  // RFC 3261 §13.3.1.4: a UAS that gets no ACK within 64*T1 ends the dialog with a BYE, and
  // retransmits its 2xx until then, "independent of whatever transport protocols are used".
  call.ack_timer = start_timer(settings_.timers.t1 * 64, [this, id = std::string(call_id)] { on_ack_timeout(id); });
  call.answer_interval = settings_.timers.t1;
  call.answer_retransmission =
      start_timer(call.answer_interval, [this, reference = call.reference] { on_answer_retransmission(reference); });
  if (observer_ != nullptr) observer_->answered(call_id, endpoint_kind_text(call.forks[fork].kind), now());
}

void MicrosoftProxy::on_inbound_ack(const sip::Message& ack) {
  InboundCall* call = find_inbound(ack.call_id());
  if (call == nullptr || call->state != InboundCall::State::Accepted) return;  // e.g. the ACK of a re-INVITE
  call->state = InboundCall::State::Confirmed;
  call->ack_timer.cancel();
  call->answer_retransmission.cancel();
}

void MicrosoftProxy::on_answer_retransmission(std::uint64_t reference) {
  // Found by its client reference: a timer capturing a number allocates nothing.
  const auto found = inbound_by_reference_.find(reference);
  if (found == inbound_by_reference_.end()) return;
  InboundCall* call = &found->second->second;
  if (call->state != InboundCall::State::Accepted) return;
  // The same 200 again, built from the call rather than kept: most are ACKed within T1.
  layer_->respond(call->invite_key, inbound_answer(*call));
  call->answer_interval = settings_.timers.doubled_up_to_t2(call->answer_interval);
  call->answer_retransmission =
      start_timer(call->answer_interval, [this, reference] { on_answer_retransmission(reference); });
}

void MicrosoftProxy::on_ack_timeout(const std::string& call_id) {
  InboundCall& call = inbound_calls_.at(call_id);
  signal_client(call.forks[*call.answered].endpoint,
                client::ClientSignal{.kind = client::SignalKind::HangUp, .call = call.reference});
  send_bye(*call.dialog);
  if (observer_ != nullptr) {
    const MicrosoftOutcome outcome = MicrosoftOutcome::AckNotReceived;
    const MicrosoftResponseCode& row = microsoft_response_code(outcome);
    observer_->final_response(call_id, row.sip_code, row.ms_code, final_sip_phrase(outcome), now());
    observer_->ended(call_id, now());
  }
  end_inbound(call_id);
}

void MicrosoftProxy::on_inbound_cancel(const sip::TransactionKey& key, const sip::Message& cancel) {
  const auto invite_key = sip::invite_key_of_cancel(cancel);
  const auto found = invite_key ? inbound_by_invite_key_.find(*invite_key) : inbound_by_invite_key_.end();
  if (found == inbound_by_invite_key_.end()) {
    layer_->respond(key, sip::make_response(cancel, 481, "Call/Transaction Does Not Exist"));  // §9.2
    return;
  }
  layer_->respond(key, sip::make_response(cancel, 200, "OK"));
  const std::string call_id = found->second;
  InboundCall& call = inbound_calls_.at(call_id);
  if (call.state != InboundCall::State::Ringing) return;  // §9.2: a CANCEL after the final answer changes nothing
  layer_->respond(call.invite_key, inbound_response(call, 487, new_tag()));
  stop_ringing(call, std::nullopt);
  if (observer_ != nullptr) observer_->ended(call_id, now());
  end_inbound(call_id);
}

void MicrosoftProxy::on_ring_timeout(const std::string& call_id) {
  InboundCall& call = inbound_calls_.at(call_id);
  stop_ringing(call, std::nullopt);
  layer_->respond(call.invite_key, inbound_response(call, 480, new_tag()));
  if (observer_ != nullptr) {
    observer_->final_response(call_id, 480, std::nullopt, sip::default_reason_phrase(480), now());
    observer_->ended(call_id, now());
  }
  end_inbound(call_id);
}

sip::Message MicrosoftProxy::inbound_response(const InboundCall& call, int sip_code, std::string_view to_tag) const {
  sip::Message response = sip::make_response(call.invite, sip_code, sip::default_reason_phrase(sip_code), to_tag);
  // Wire contract: answers that create dialogs name the proxy FQDN the SBC dialled.
  if (sip_code > 100 && sip_code < 300) response.add_header("Contact", call.contact);
  return response;
}

sip::Message MicrosoftProxy::inbound_answer(const InboundCall& call) const {
  sip::Message ok = inbound_response(call, 200, call.forks[*call.answered].to_tag);
  ok.set_body("application/sdp", call.answer_sdp);
  return ok;
}

void MicrosoftProxy::stop_ringing(const InboundCall& call, std::optional<std::size_t> except) {
  std::string stop;  // the same StopRinging for every fork: encoded once, when first needed
  for (std::size_t i = 0; i < call.forks.size(); ++i) {
    if (except == i) continue;
    if (stop.empty()) {
      stop = client::encode_signal(
          client::ClientSignal{.kind = client::SignalKind::StopRinging, .call = call.reference});
    }
    send_to_client(call.forks[i].endpoint, stop);
  }
}

void MicrosoftProxy::end_inbound(std::string_view call_id) {
  const auto found = inbound_calls_.find(call_id);
  if (found == inbound_calls_.end()) return;
  inbound_by_reference_.erase(found->second.reference);
  inbound_by_invite_key_.erase(found->second.invite_key);
  inbound_calls_.erase(found);
}

MicrosoftProxy::InboundCall* MicrosoftProxy::find_inbound(std::string_view call_id) {
  const auto found = inbound_calls_.find(call_id);
  return found == inbound_calls_.end() ? nullptr : &found->second;
}

}  // namespace teams
