// Outbound calls (Teams → Microsoft → SBC → PSTN): the voice route, delivery to each SBC over
// the connection pool with the 504 subcodes of delivery_failure.hpp, and trunk failover
// (research/direct-routing-facts.md §1.5).
#include <algorithm>

#include "models/teams/delivery_failure.hpp"
#include "models/teams/microsoft_proxy.hpp"
#include "sim/core/check.hpp"

namespace teams {
namespace {

constexpr std::uint16_t kDefaultTlsPort = 5061;  // RFC 3261 §19.1.2 for sips/TLS

}  // namespace

void MicrosoftProxy::on_place_call(sim::ActorId client, const client::ClientSignal& signal) {
  const TeamsEndpoint* endpoint = endpoint_of(client);
  const OutboundKey key{client, signal.call};
  DRSIM_CHECK(!outbound_calls_.contains(key), "a Teams client placed one call twice");
  OutboundCall& call = outbound_calls_[key];
  call.key = key;
  call.leg = client_leg(client, signal.call);
  call.caller = settings_.tenants->user(endpoint->user).number;
  call.callee = signal.number;
  call.client_sdp = signal.sdp;
  call.route = route_for(endpoint->user.tenant, call.callee);
  if (observer_ != nullptr) observer_->datacenter_used(call.leg, settings_.datacenter);
  const MicrosoftResponseCode& no_route = microsoft_response_code(MicrosoftOutcome::NoOutboundRoute);
  // With an empty route no SBC ever gets an INVITE, and this is what the client hears.
  call.last_failure =
      CallFailure{no_route.sip_code, no_route.ms_code, final_sip_phrase(MicrosoftOutcome::NoOutboundRoute)};
  try_next_sbc(call);
}

std::vector<std::size_t> MicrosoftProxy::route_for(std::size_t tenant, std::string_view callee) const {
  std::vector<std::size_t> route;
  for (const VoiceRoute& voice_route : settings_.voice_routes) {
    if (voice_route.tenant != tenant || !callee.starts_with(voice_route.prefix)) continue;
    for (const std::string& name : voice_route.sbcs) {
      const auto index = known_sbc_index(name);
      if (index && std::find(route.begin(), route.end(), *index) == route.end()) route.push_back(*index);
    }
  }
  // facts §2.2: an SBC without recent OPTIONS is demoted to the end of the list, never skipped.
  std::stable_partition(route.begin(), route.end(), [this](std::size_t sbc) { return !demoted(sbc); });
  return route;
}

void MicrosoftProxy::try_next_sbc(OutboundCall& call) {
  if (call.next_route_entry == call.route.size()) return finish_outbound_failed(call, call.last_failure);
  if (call.attempt > 0 && observer_ != nullptr) observer_->failed_over(call.leg, now());
  call.sbc = call.route[call.next_route_entry++];
  ++call.attempt;
  call.state = OutboundCall::State::Routing;
  call.call_id.clear();
  call.invite_key.reset();
  call.connection.reset();
  call.connection_reused = false;
  call.trying_received = false;
  call.provisional_received = false;
  call.any_response_received = false;
  call.awaiting_connection_event = false;
  call.dialogs.reset();
  const KnownSbc& sbc = settings_.sbcs[call.sbc];
  // The pool may answer at once and the answer may end the call: `call` is not touched after.
  pool_->acquire(sbc.fqdn, sbc.port,
                 [this, key = call.key, attempt = call.attempt](const SbcConnectionPool::Acquired& acquired) {
                   on_connection_acquired(key, attempt, acquired);
                 });
}

void MicrosoftProxy::on_connection_acquired(OutboundKey key, std::uint64_t attempt,
                                            const SbcConnectionPool::Acquired& acquired) {
  const auto found = outbound_calls_.find(key);
  if (found == outbound_calls_.end()) return;  // the caller hung up meanwhile
  OutboundCall& call = found->second;
  if (call.attempt != attempt || call.state != OutboundCall::State::Routing) return;
  if (!acquired.connection) return on_delivery_failed(call, acquired.failure);
  call.connection = acquired.connection;
  call.connection_reused = acquired.reused;
  send_outbound_invite(call, *acquired.connection);
}

sip::Message MicrosoftProxy::build_outbound_invite(const OutboundCall& call, const KnownSbc& sbc) {
  // Wire contract: Request-URI sip:+E164@<sbc fqdn>:<port>;user=phone, Contact the proxy FQDN.
  const std::string& fqdn = settings_.fqdns.front();
  sip::Message invite = sip::Message::request(
      "INVITE", "sip:" + call.callee + "@" + sbc.fqdn + ":" + std::to_string(sbc.port) + ";user=phone");
  invite.add_header("Via", via_value());
  invite.add_header("Max-Forwards", "70");
  invite.add_header("From", "<sip:" + call.caller + "@" + fqdn + ";user=phone>;tag=" + new_tag());
  invite.add_header("To", "<sip:" + call.callee + "@" + sbc.fqdn + ";user=phone>");
  invite.add_header("Call-ID", call.call_id);
  invite.add_header("CSeq", "1 INVITE");
  invite.add_header("Contact", contact_value(fqdn));
  invite.add_header("Allow", kAllow);
  invite.set_body("application/sdp", call.local_sdp);
  return invite;
}

void MicrosoftProxy::send_outbound_invite(OutboundCall& call, net::ConnectionId connection) {
  const KnownSbc& sbc = settings_.sbcs[call.sbc];
  call.call_id = new_call_id();
  // Bypass: the SBC meets the client's own candidates; otherwise the media processor's.
  call.local_sdp = sbc.media_bypass ? call.client_sdp : media_processor_.session_description(++next_media_session_);
  sip::Message invite = build_outbound_invite(call, sbc);
  outbound_by_call_id_[call.call_id] = call.key;
  call.dialogs = std::make_unique<sip::DialogSet>(dialogs_, invite);
  call.state = OutboundCall::State::Inviting;
  // Joined before the INVITE leaves, so a trace of the INVITE already knows its call.
  if (observer_ != nullptr) observer_->legs_joined(call.leg, call.call_id);
  call.invite_key = layer_->send_request(std::move(invite), endpoint_->stream_flow(connection));
  // FailoverTimeSeconds: counted from the INVITE leaving on an established connection.
  call.failover_timer = start_timer(settings_.failover_time, [this, key = call.key] { on_failover_timer(key); });
}

void MicrosoftProxy::on_outbound_response(OutboundCall& call, const sip::Message& response) {
  call.any_response_received = true;
  const int code = response.status_code();
  if (code == 100) {
    call.trying_received = true;  // hop by hop only: the failover timer keeps running
    return;
  }
  call.failover_timer.cancel();
  const sip::DialogSet::Event event = call.dialogs->on_response_received(response);
  if (code < 200) {
    call.provisional_received = true;
    signal_client(call.key.client,
                  client::ClientSignal{.kind = client::SignalKind::CallProgress, .call = call.key.reference});
    return;
  }
  if (code < 300) return on_outbound_answer(call, response, event);
  dialogs_.remove_terminated(response.call_id());
  if (call.state != OutboundCall::State::Inviting) return;
  CallFailure failure{code, ms_code_for_sbc_response(code), std::string(response.reason_phrase())};
  const auto& codes = settings_.failover_response_codes;
  // facts §1.5: failover on these codes only if the SBC sent no provisional other than 100.
  if (std::find(codes.begin(), codes.end(), code) != codes.end() && !call.provisional_received) {
    abandon_attempt(call);
    return on_attempt_failed(call, std::move(failure));
  }
  finish_outbound_failed(call, failure);
}

void MicrosoftProxy::on_outbound_answer(OutboundCall& call, const sip::Message& response,
                                        const sip::DialogSet::Event& event) {
  if (event.dialog == nullptr) return;  // a 2xx that forms no dialog cannot be acknowledged
  // §13.2.2.4: every 2xx is acknowledged; one from a second branch is then ended with BYE.
  sip::Message ack = event.dialog->build_request(sip::Method::Ack);
  ack.prepend_header("Via", via_value());
  const sip::Uri hop = event.dialog->next_hop();
  const std::string host(hop.host());
  const std::uint16_t port = hop.port().value_or(kDefaultTlsPort);
  const sip::DialogId dialog = event.dialog->id();
  if (event.outcome == sip::DialogSet::Outcome::DialogConfirmed) {
    call.state = OutboundCall::State::Connected;
    pool_->acquire(
        host, port,
        [this, key = call.key, attempt = call.attempt, ack, sdp = std::string(response.body())](
            const SbcConnectionPool::Acquired& acquired) { on_ack_route(key, attempt, acquired, ack, sdp); });
    return;
  }
  const bool end_it = event.outcome == sip::DialogSet::Outcome::Additional2xx;
  pool_->acquire(host, port, [this, ack, dialog, end_it](const SbcConnectionPool::Acquired& acquired) {
    if (acquired.connection) endpoint_->stream_flow(*acquired.connection).send(ack);
    if (end_it) send_bye(dialog);
  });
}

void MicrosoftProxy::on_ack_route(OutboundKey key, std::uint64_t attempt, const SbcConnectionPool::Acquired& acquired,
                                  const sip::Message& ack, const std::string& sdp) {
  // The ACK goes even when the caller hung up meanwhile: the BYE queued behind it needs the
  // dialog confirmed at the SBC.
  if (acquired.connection) endpoint_->stream_flow(*acquired.connection).send(ack);
  const auto found = outbound_calls_.find(key);
  if (found == outbound_calls_.end() || found->second.attempt != attempt) return;
  OutboundCall& call = found->second;
  if (!acquired.connection) {
    // The SBC answered but its ACK cannot reach it: "Unable to deliver ACK" (spec 504 table).
    const MicrosoftResponseCode& row = microsoft_response_code(acquired.failure);
    if (sip::Dialog* dialog = call.dialogs->confirmed_dialog()) dialog->terminate();
    dialogs_.remove_terminated(call.call_id);
    return finish_outbound_failed(call,
                                  CallFailure{row.sip_code, row.ms_code, final_sip_phrase(acquired.failure, "ACK")});
  }
  const KnownSbc& sbc = settings_.sbcs[call.sbc];
  signal_client(key.client, client::ClientSignal{.kind = client::SignalKind::CallAccepted,
                                                 .call = key.reference,
                                                 .sdp = sbc.media_bypass ? sdp : call.local_sdp});
}

void MicrosoftProxy::on_failover_timer(OutboundKey key) {
  const auto found = outbound_calls_.find(key);
  if (found == outbound_calls_.end() || found->second.state != OutboundCall::State::Inviting) return;
  OutboundCall& call = found->second;
  // §9.1: a CANCEL only once a provisional came back; before that the INVITE is just dropped.
  if (call.trying_received) send_cancel(call);
  abandon_attempt(call);
  const MicrosoftResponseCode& row = microsoft_response_code(MicrosoftOutcome::FailoverTimerExpired);
  on_attempt_failed(call,
                    CallFailure{row.sip_code, row.ms_code, final_sip_phrase(MicrosoftOutcome::FailoverTimerExpired)});
}

void MicrosoftProxy::send_cancel(const OutboundCall& call) {
  // §9.1: the CANCEL travels the INVITE's way.
  layer_->send_request(sip::make_cancel(call.dialogs->invite()), endpoint_->stream_flow(*call.connection));
}

void MicrosoftProxy::on_invite_transport_error(OutboundCall& call) {
  const net::ConnectionId connection = *call.connection;
  const auto malformed = malformed_on_connection_.find(connection);
  if (malformed == malformed_on_connection_.end()) {
    // Why the connection broke arrives as its event, right after this (sip_endpoint.hpp).
    call.awaiting_connection_event = true;
    return;
  }
  const bool first_message = !call.connection_reused && !call.any_response_received;
  abandon_attempt(call);
  on_delivery_failed(call, outcome_of_malformed_answer(malformed->second, first_message));
}

void MicrosoftProxy::on_pooled_connection_ended(const net::ConnectionEvent& event) {
  // Also the INVITEs past Calling on it: their transaction ignores the loss (RFC 3261 §17.1.1.2
  // reports transport errors in Calling only) and would wait for a final that cannot come.
  std::vector<OutboundKey> affected;
  for (const auto& [key, call] : outbound_calls_)
    if (call.connection == event.connection &&
        (call.awaiting_connection_event || call.state == OutboundCall::State::Inviting))
      affected.push_back(key);
  if (affected.empty()) return;     // the pool remembers the loss for the next request
  pool_->forget(event.connection);  // these calls report it; the next request reconnects
  for (const OutboundKey& key : affected) {
    const auto found = outbound_calls_.find(key);
    if (found == outbound_calls_.end()) continue;
    OutboundCall& call = found->second;
    const MicrosoftOutcome outcome = outcome_of_connection_failure(
        {ConnectionPhase::Established, event.kind, event.tls_status, call.connection_reused});
    abandon_attempt(call);
    on_delivery_failed(call, outcome);
  }
}

void MicrosoftProxy::on_delivery_failed(OutboundCall& call, MicrosoftOutcome outcome) {
  const MicrosoftResponseCode& row = microsoft_response_code(outcome);
  CallFailure failure{row.sip_code, row.ms_code, final_sip_phrase(outcome, "INVITE")};
  // facts §1.5: no failover of any kind once the SBC sent a provisional other than 100 (the
  // PSTN side rang; another try would ring twice).
  if (call.provisional_received) return finish_outbound_failed(call, failure);
  // facts §1.5: a network-level failure retries the same trunk from another datacenter, once.
  const bool is_retry = call.retrying_for_other_datacenter && call.attempt == 1;
  if (!is_retry) {
    if (const OtherDatacenter* other = datacenter_to_hand_to()) return hand_to_other_datacenter(call, *other, std::move(failure));
  }
  on_attempt_failed(call, std::move(failure));
}

const OtherDatacenter* MicrosoftProxy::datacenter_to_hand_to() const {
  // A datacenter that is down would take the call and lose it: the backbone passes it over.
  for (const OtherDatacenter& other : other_datacenters_)
    if (!network_->host(other.host).down) return &other;
  return nullptr;
}

void MicrosoftProxy::hand_to_other_datacenter(OutboundCall& call, const OtherDatacenter& other, CallFailure failure) {
  DatacenterMessage retry{.kind = DatacenterMessageKind::TrunkRetry,
                          .client = call.key.client,
                          .call = call.key.reference,
                          .caller = call.caller,
                          .callee = call.callee,
                          .route = {settings_.sbcs[call.sbc].name},
                          .sip_code = failure.sip_code,
                          .ms_code = failure.ms_code,
                          .phrase = std::move(failure.phrase),
                          .client_sdp = call.client_sdp};
  for (std::size_t entry = call.next_route_entry; entry < call.route.size(); ++entry)
    retry.route.push_back(settings_.sbcs[call.route[entry]].name);
  if (observer_ != nullptr) observer_->failed_over(call.leg, now());
  send(other.proxy, other.latency, encode_datacenter_message(retry));
  handed_over_[call.key] = static_cast<std::size_t>(&other - other_datacenters_.data());
  abandon_attempt(call);
  end_outbound(call.key);
}

void MicrosoftProxy::on_datacenter_message(const DatacenterMessage& message) {
  if (message.kind == DatacenterMessageKind::TrunkRetry) return on_trunk_retry(message);
  on_outbound_signal(client::ClientSignal{.kind = client::SignalKind::HangUp, .call = message.call}, message.client);
}

void MicrosoftProxy::on_trunk_retry(const DatacenterMessage& retry) {
  const OutboundKey key{retry.client, retry.call};
  handed_over_.erase(key);  // with three datacenters a call may come back to one that held it
  DRSIM_CHECK(!outbound_calls_.contains(key), "a datacenter was handed a call it still holds");
  OutboundCall& call = outbound_calls_[key];
  call.key = key;
  call.leg = client_leg(retry.client, retry.call);
  call.caller = retry.caller;
  call.callee = retry.callee;
  call.client_sdp = retry.client_sdp;
  for (const std::string& name : retry.route)
    if (const auto index = known_sbc_index(name)) call.route.push_back(*index);
  call.retrying_for_other_datacenter = true;
  call.last_failure = CallFailure{retry.sip_code, retry.ms_code, retry.phrase};
  if (observer_ != nullptr) observer_->datacenter_used(call.leg, settings_.datacenter);
  try_next_sbc(call);
}

void MicrosoftProxy::on_attempt_failed(OutboundCall& call, CallFailure failure) {
  call.last_failure = std::move(failure);
  try_next_sbc(call);
}

void MicrosoftProxy::abandon_attempt(OutboundCall& call) {
  call.failover_timer.cancel();
  call.awaiting_connection_event = false;
  call.state = OutboundCall::State::Routing;
  if (call.call_id.empty()) return;
  outbound_by_call_id_.erase(call.call_id);
  if (!call.dialogs) return;
  // Kept for the INVITE transaction's lifetime (64*T1, RFC 6026 §8.4) so that a late 2xx is
  // still acknowledged and ended.
  abandoned_invites_[call.call_id] = std::move(call.dialogs);
  start_timer(settings_.timers.t1 * 64, [this, call_id = call.call_id] { forget_abandoned(call_id); }).release();
}

void MicrosoftProxy::forget_abandoned(const std::string& call_id) {
  const auto found = abandoned_invites_.find(call_id);
  if (found == abandoned_invites_.end()) return;
  found->second->on_invite_transaction_ended();
  dialogs_.remove_terminated(call_id);
  abandoned_invites_.erase(found);
}

void MicrosoftProxy::finish_outbound_failed(OutboundCall& call, const CallFailure& failure) {
  signal_client(call.key.client, client::ClientSignal{.kind = client::SignalKind::CallFailed,
                                                      .call = call.key.reference,
                                                      .sip_code = failure.sip_code,
                                                      .ms_code = failure.ms_code,
                                                      .phrase = failure.phrase});
  if (observer_ != nullptr) {
    const auto ms_code = failure.ms_code == 0 ? std::nullopt : std::optional<std::uint32_t>(failure.ms_code);
    observer_->final_response(call.leg, failure.sip_code, ms_code, failure.phrase, now());
    observer_->ended(call.leg, now());
  }
  end_outbound(call.key);
}

void MicrosoftProxy::on_outbound_signal(const client::ClientSignal& signal, sim::ActorId source) {
  if (signal.kind != client::SignalKind::HangUp) return;
  const OutboundKey key{source, signal.call};
  if (const auto handed = handed_over_.find(key); handed != handed_over_.end()) {
    const OtherDatacenter& other = other_datacenters_[handed->second];
    handed_over_.erase(handed);
    send(other.proxy, other.latency,
         encode_datacenter_message(
             DatacenterMessage{.kind = DatacenterMessageKind::CallerLeft, .client = source, .call = signal.call}));
    return;
  }
  const auto found = outbound_calls_.find(key);
  if (found == outbound_calls_.end()) return;
  OutboundCall& call = found->second;
  if (call.state == OutboundCall::State::Connected) {
    if (const sip::Dialog* dialog = call.dialogs->confirmed_dialog()) send_bye(dialog->id());
  } else {
    if (call.state == OutboundCall::State::Inviting && (call.trying_received || call.provisional_received))
      send_cancel(call);
    abandon_attempt(call);
  }
  if (observer_ != nullptr) observer_->ended(call.leg, now());
  end_outbound(call.key);
}

void MicrosoftProxy::end_outbound(OutboundKey key) {
  const auto found = outbound_calls_.find(key);
  if (found == outbound_calls_.end()) return;
  OutboundCall& call = found->second;
  if (!call.call_id.empty()) outbound_by_call_id_.erase(call.call_id);
  // §13.2.2.4: early dialogs no 2xx confirmed end with the call.
  if (call.dialogs) call.dialogs->on_invite_transaction_ended();
  if (!call.call_id.empty()) dialogs_.remove_terminated(call.call_id);
  outbound_calls_.erase(found);
}

MicrosoftProxy::OutboundCall* MicrosoftProxy::find_outbound_by_call_id(std::string_view call_id) {
  const auto found = outbound_by_call_id_.find(call_id);
  if (found == outbound_by_call_id_.end()) return nullptr;
  const auto call = outbound_calls_.find(found->second);
  return call == outbound_calls_.end() ? nullptr : &call->second;
}

}  // namespace teams
