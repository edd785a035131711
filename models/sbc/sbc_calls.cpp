// The SBC's calls: the back-to-back user agent between the trunk and Microsoft (sbc.hpp).
#include <utility>

#include "models/sbc/sbc.hpp"
#include "sim/sip/hex_text.hpp"
#include "sim/sip/sip_text.hpp"

namespace sbc {
namespace {

bool is_sdp(const sip::Message& message) {
  const auto type = message.content_type();
  return type && sip::iequals(*type, "application/sdp");
}


}  // namespace

// ---- new calls

void Sbc::on_new_call(const sip::TransactionKey& key, const sip::Message& invite, sip::Transport& flow,
                      std::optional<net::ConnectionId> microsoft) {
  // §17.2.1 lets the transaction wait 200 ms for the TU; a B2BUA whose next hop may take seconds
  // says Trying at once, so neither side retransmits or times out meanwhile.
  respond(key, sip::make_response(invite, 100, "Trying"), microsoft);
  // §16.3 step 3, which a B2BUA relaying a call honours as a proxy does: no loops.
  if (invite.max_forwards() == 0) {
    return respond(key, sip::make_response(invite, 483, "Too Many Hops", new_tag()), microsoft);
  }
  if (!invite.request_uri().has_user() || invite.request_uri().user().empty()) {
    return respond(key, sip::make_response(invite, 484, "Address Incomplete", new_tag()), microsoft);
  }
  if (microsoft && !settings_.trunk) {
    return respond(key, sip::make_response(invite, 503, "Service Unavailable", new_tag()), microsoft);
  }
  Call& call = open_call(key, invite, flow, microsoft);
  if (call.direction == Direction::Inbound) return route_to_next_proxy(call, false);
  if (observer_) {
    if (const auto datacenter = datacenter_of(*microsoft)) observer_->datacenter_used(call.uas.call_id, *datacenter);
  }
  send_invite_to_trunk(call);
}

Sbc::Call& Sbc::open_call(const sip::TransactionKey& key, const sip::Message& invite, sip::Transport& flow,
                          std::optional<net::ConnectionId> microsoft) {
  const std::uint64_t number = ++next_call_;
  Call& call = calls_.try_emplace(number).first->second;
  call.number = number;
  call.direction = microsoft ? Direction::Outbound : Direction::Inbound;
  call.uas.microsoft = microsoft.has_value();
  call.uas.call_id = std::string(invite.call_id());
  call.uas.invite = std::make_unique<const sip::Message>(invite);
  call.uas.invite_key = key;
  call.uas.connection = microsoft;
  if (const auto channel = endpoint_->datagram_channel_of(flow)) {
    call.uas.trunk_peer = endpoint_->udp().flow(*channel).destination;  // the flow answers its source
  }
  call.uac.microsoft = !microsoft.has_value();
  if (settings_.trunk) call.uac.trunk_peer = *settings_.trunk;
  call.uac.call_id = new_call_id();
  call.uac_local_tag = new_tag();
  call.live_invites = 1;
  call_by_invite_key_[key] = number;
  call_by_call_id_[call.uas.call_id] = number;
  call_by_call_id_[call.uac.call_id] = number;
  if (observer_) observer_->legs_joined(call.uas.call_id, call.uac.call_id);
  return call;
}

void Sbc::route_to_next_proxy(Call& call, bool after_failure) {
  const auto proxy = proxies_->first_available(now(), call.tried_proxies);
  if (!proxy) return answer_uas_with_failure(call, 503, "Service Unavailable");  // no FQDN left
  if (after_failure) {
    ++failovers_;
    if (observer_) observer_->failed_over(call.uas.call_id, now());
  }
  call.tried_proxies.push_back(*proxy);
  call.state = CallState::Routing;
  const std::uint64_t number = call.number;
  const std::uint64_t attempt = ++call.attempt;
  // §17.1.1.2: a stack that queues the INVITE on a connecting socket times it out with Timer B;
  // waiting here for the connection gets the same bound.
  call.connection_wait = start_timer(settings_.timers.timer_b(),
                                     [this, number, attempt] { on_proxy_connection(number, attempt, std::nullopt); });
  proxies_->with_connection(*proxy, [this, number, attempt](std::optional<net::ConnectionId> connection) {
    on_proxy_connection(number, attempt, connection);
  });
}

void Sbc::on_proxy_connection(std::uint64_t number, std::uint64_t attempt,
                              std::optional<net::ConnectionId> connection) {
  Call* call = find_call(number);
  if (call == nullptr || call->attempt != attempt || call->state != CallState::Routing) return;
  call->connection_wait.cancel();
  if (!connection) return route_to_next_proxy(*call, true);
  send_invite_to_proxy(*call, *connection);
}

void Sbc::send_invite_to_proxy(Call& call, net::ConnectionId connection) {
  const std::string& proxy = proxies_->fqdn(call.tried_proxies.back());
  const sip::Message& received = *call.uas.invite;
  const std::string callee(received.request_uri().user());
  const std::string caller = caller_of(received);
  sip::Message invite = sip::Message::request(
      "INVITE", "sip:" + callee + "@" + proxy + ":" + std::to_string(kMicrosoftSipPort) + ";user=phone");
  invite.add_header("Via", via(true));
  invite.add_header("Max-Forwards", std::to_string(received.max_forwards().value_or(71) - 1));
  invite.add_header("From", "<sip:" + caller + "@" + settings_.fqdn + ";user=phone>;tag=" + call.uac_local_tag);
  // The To host does not follow the proxy, so every attempt of a failover carries the same To.
  invite.add_header("To", "<sip:" + callee + "@" + settings_.fqdn + ";user=phone>");
  invite.add_header("Call-ID", call.uac.call_id);
  invite.add_header("CSeq", "1 INVITE");
  // Spec "Inbound call": the Contact may carry the caller's number as its user part.
  invite.add_header("Contact", contact(true, caller));
  invite.add_header("Allow", allow_value());
  relay_body(received, invite, call.uac, call.number);
  call.uac.connection = connection;
  if (observer_) {
    if (const auto datacenter = datacenter_of(connection)) observer_->datacenter_used(call.uac.call_id, *datacenter);
  }
  start_uac_invite(call, std::move(invite), microsoft_flow(connection));
}

void Sbc::send_invite_to_trunk(Call& call) {
  const sip::Message& received = *call.uas.invite;
  const std::string callee(received.request_uri().user());
  // facts §3.8: Microsoft's From is already the number to present (the user's, a service
  // number, or anonymous); its P-Asserted-Identity names who pays, not who calls.
  const std::string_view presented = received.from().uri().user();
  const std::string caller = presented.empty() ? "anonymous" : std::string(presented);
  const std::string& carrier = texts_.trunk_host;
  const std::string& sbc = texts_.host;
  sip::Message invite = sip::Message::request(
      "INVITE", "sip:" + callee + "@" + carrier + ":" + std::to_string(settings_.trunk->port) + ";user=phone");
  invite.add_header("Via", via(false));
  invite.add_header("Max-Forwards", std::to_string(received.max_forwards().value_or(71) - 1));
  invite.add_header("From", "<sip:" + caller + "@" + sbc + ";user=phone>;tag=" + call.uac_local_tag);
  invite.add_header("To", "<sip:" + callee + "@" + carrier + ";user=phone>");
  invite.add_header("Call-ID", call.uac.call_id);
  invite.add_header("CSeq", "1 INVITE");
  invite.add_header("Contact", contact(false, caller));
  invite.add_header("Allow", allow_value());
  relay_body(received, invite, call.uac, call.number);
  start_uac_invite(call, std::move(invite), trunk_flow(call.uac.trunk_peer));
}

void Sbc::start_uac_invite(Call& call, sip::Message invite, sip::Transport& flow) {
  call.uac_dialogs.emplace(dialogs_, invite);
  call.state = CallState::Inviting;
  ++call.live_invites;
  // §16.6 step 11's Timer C, as a proxy relaying a call runs it: a branch that rang for three
  // minutes and never answered is cancelled rather than left open for ever.
  const sip::TransactionKey key =
      layer_->send_request(std::move(invite), flow, sip::ClientInviteTransaction::TimerC::On);
  call.uac.invite_key = key;
  call_by_invite_key_[key] = call.number;
}

void Sbc::on_uac_attempt_failed(Call& call, int status_code, std::string_view reason_phrase) {
  if (call.state == CallState::Ended) return;
  // facts §1.4: a connect or TLS failure or Timer B moves an inbound call to the next FQDN.
  if (call.direction == Direction::Inbound) return route_to_next_proxy(call, true);
  answer_uas_with_failure(call, status_code, reason_phrase);
}

// ---- responses on the leg the SBC made, relayed to the leg the call came on

void Sbc::on_provisional(Call& call, const sip::Message& response) {
  call.proceeding = true;
  if (call.cancel_pending) {
    call.cancel_pending = false;
    return send_cancel(call);  // §9.1: the CANCEL waited for this provisional
  }
  if (response.status_code() == 100) return;  // hop by hop: the SBC said Trying itself
  if (call.state != CallState::Inviting && call.state != CallState::Early) return;
  call.ringing = true;
  call.state = CallState::Early;
  respond_on_uas(call, relayed_response(call, response));
}

void Sbc::relay_answer(Call& call, const sip::Message& response, const sip::DialogSet::Event& event) {
  using Outcome = sip::DialogSet::Outcome;
  if (event.outcome == Outcome::Repeated2xx) {
    if (call.uac_ack) uac_flow(call).send(*call.uac_ack);  // §13.2.2.4: ACK each retransmission
    return;
  }
  if (event.outcome == Outcome::Additional2xx) {
    // §13.2.2.4: a second fork answered too: ACK it, then BYE it.
    uac_flow(call).send(ack_for(*event.dialog, call.uac.microsoft));
    return send_bye(call.uac, *event.dialog);
  }
  if (event.outcome != Outcome::DialogConfirmed) return;
  sip::Dialog& dialog = *event.dialog;
  // The SBC ACKs Microsoft (or the carrier) at once rather than waiting for the other leg's ACK:
  // every offer is in the INVITE (no delayed offer, facts §3.2), so the ACK carries nothing.
  call.uac_ack = std::make_unique<const sip::Message>(ack_for(dialog, call.uac.microsoft));
  uac_flow(call).send(*call.uac_ack);
  call.uac.dialog = dialog.id();
  if (call.state == CallState::Ended) return send_bye(call.uac, dialog);  // cancelled: the CANCEL lost the race
  sip::Message answer = relayed_response(call, response);
  auto uas_dialog = sip::Dialog::create_as_uas(*call.uas.invite, answer);
  if (uas_dialog.ok()) {
    call.uas.dialog = uas_dialog->id();
    dialogs_.insert(std::move(uas_dialog).value());
  }
  call.state = CallState::Answered;
  call.answer = std::make_unique<const sip::Message>(answer);
  respond_on_uas(call, std::move(answer));
  start_answer_retransmission(call);
}

void Sbc::relay_failure(Call& call, const sip::Message& response) {
  if (call.state == CallState::Ended) return;  // the calling side already has its answer
  if (call.direction == Direction::Inbound && response.status_code() == 503 && !call.ringing) {
    return on_service_unavailable(call, response);
  }
  answer_uas_with_failure(call, response.status_code(), response.reason_phrase());
}

void Sbc::on_service_unavailable(Call& call, const sip::Message& response) {
  const auto retry_after = response.retry_after();
  if (retry_after.ok() && settings_.retry_after == RetryAfterHandling::FailOver) {
    const std::size_t proxy = call.tried_proxies.back();
    proxies_->quarantine(proxy, now() + sim::Time::from_seconds(retry_after->seconds));
    // facts §1.4: "terminate that connection". From an event of its own: this runs inside the
    // INVITE transaction's callback, which must not see its flow fail under it.
    start_timer(sim::Time::zero(), [this, proxy] { drop_proxy_connection(proxy); }).release();
  }
  // RFC 3263 §4.3: a 503, with or without Retry-After, sends the request to the next server.
  route_to_next_proxy(call, true);
}

sip::Message Sbc::relayed_response(Call& call, const sip::Message& response) {
  // One early dialog toward the calling side per early dialog of the called side, each with
  // its own To tag, so a carrier sees Microsoft's forks as forks.
  auto [entry, added] = call.uas_tag_for_uac_tag.try_emplace(std::string(response.to().tag()));
  if (added) entry->second = new_tag();
  sip::Message relayed =
      sip::make_response(*call.uas.invite, response.status_code(), response.reason_phrase(), entry->second);
  relayed.add_header("Contact", contact(call.uas.microsoft));
  relayed.add_header("Allow", allow_value());
  relay_body(response, relayed, call.uas, call.number);
  return relayed;
}

void Sbc::relay_body(const sip::Message& from, sip::Message& to, Leg& toward, std::uint64_t call_number) {
  if (from.body().empty() || !is_sdp(from)) return;
  // The rewrite depends only on the body and the leg, and Microsoft's 183 and 200 carry the same
  // SDP: a body already rewritten for this leg is not rewritten again.
  if (from.body() != toward.sdp_source) {
    std::optional<std::string> sdp;
    if (toward.microsoft) {
      std::optional<IceCredentials> ice_lite;
      if (settings_.media_bypass) {
        ice_lite = IceCredentials{sip::lower_hex(call_number, 16).substr(8), "drsimsbc" + sip::lower_hex(call_number, 16)};
      }
      sdp = sdp_rewriter_.for_microsoft(from.body(), ice_lite);
    } else {
      sdp = sdp_rewriter_.for_trunk(from.body());
    }
    // SDP the SBC cannot parse goes through as it came: the far end may still make sense of it.
    toward.sdp = sdp ? std::move(*sdp) : std::string(from.body());
    toward.sdp_source = std::string(from.body());
  }
  to.set_body("application/sdp", toward.sdp);
}

// ---- answering the leg the call came on

void Sbc::answer_uas_with_failure(Call& call, int status_code, std::string_view reason_phrase) {
  respond_on_uas(call, sip::make_response(*call.uas.invite, status_code, reason_phrase, final_tag(call)));
  end(call);
}

void Sbc::respond_on_uas(Call& call, sip::Message response) {
  respond(*call.uas.invite_key, std::move(response), call.uas.microsoft ? call.uas.connection : std::nullopt);
}

const std::string& Sbc::final_tag(Call& call) {
  // §9.2: the 487 and the CANCEL's 200 SHOULD carry the same To tag.
  if (call.final_tag.empty()) call.final_tag = new_tag();
  return call.final_tag;
}

void Sbc::start_answer_retransmission(Call& call) {
  const std::uint64_t number = call.number;
  // §13.3.1.4: no ACK within 64*T1: "the session SHOULD be terminated" (a BYE on each leg).
  call.ack_deadline = start_timer(settings_.timers.t1 * 64, [this, number] {
    if (Call* late = find_call(number)) hang_up(*late);
  });
  // "independent of whatever transport protocols are used" (§13.3.1.4): over TLS too, since the
  // 2xx is end to end and a hop beyond Microsoft's proxy may lose it.
  call.answer_interval = settings_.timers.t1;
  call.answer_retransmission = start_timer(call.answer_interval, [this, number] { on_answer_retransmission(number); });
}

void Sbc::on_answer_retransmission(std::uint64_t number) {
  Call* call = find_call(number);
  if (call == nullptr || call->state != CallState::Answered) return;
  // §13.3.1.4: the 2xx again, at intervals doubling from T1 up to T2, until the ACK.
  respond_on_uas(*call, *call->answer);
  call->answer_interval = settings_.timers.doubled_up_to_t2(call->answer_interval);
  call->answer_retransmission =
      start_timer(call->answer_interval, [this, number] { on_answer_retransmission(number); });
}

void Sbc::on_ack_for_answer(const sip::Message& ack) {
  Call* call = call_of_call_id(ack.call_id());
  if (call == nullptr || call->uas.call_id != ack.call_id()) return;
  call->answer_retransmission.cancel();
  call->ack_deadline.cancel();
  call->answer.reset();  // acknowledged: never sent again
}

// ---- CANCEL, BYE and other requests from either side

void Sbc::on_cancel(const sip::TransactionKey& key, const sip::Message& cancel,
                    std::optional<net::ConnectionId> microsoft) {
  const auto invite_key = sip::invite_key_of_cancel(cancel);
  Call* call = invite_key ? call_of_transaction(*invite_key) : nullptr;
  if (call == nullptr || call->uas.invite_key != invite_key) {
    // §9.2: a CANCEL that matches no transaction is answered 481.
    return respond(key, sip::make_response(cancel, 481, "Call/Transaction Does Not Exist", new_tag()), microsoft);
  }
  respond(key, sip::make_response(cancel, 200, "OK", final_tag(*call)), microsoft);
  // §9.2: a CANCEL after the final response changes nothing.
  if (call->state == CallState::Answered || call->state == CallState::Ended) return;
  cancel_uac_leg(*call);
  answer_uas_with_failure(*call, 487, "Request Terminated");
}

void Sbc::cancel_uac_leg(Call& call) {
  switch (call.state) {
    case CallState::Routing:
      ++call.attempt;  // nothing was sent; the pending connection callback is now stale
      call.connection_wait.cancel();
      break;
    case CallState::Inviting:
    case CallState::Early:
      // §9.1: no CANCEL before a provisional; it then goes when one arrives.
      if (call.proceeding) send_cancel(call);
      else call.cancel_pending = true;
      break;
    case CallState::Answered:
    case CallState::Ended:
      break;
  }
}

void Sbc::send_cancel(Call& call) {
  // §9.1: the CANCEL goes where the INVITE went.
  layer_->send_request(sip::make_cancel(call.uac_dialogs->invite()), uac_flow(call));
}

void Sbc::on_bye(const sip::TransactionKey& key, const sip::Message& bye, std::optional<net::ConnectionId> microsoft) {
  sip::Dialog* dialog = dialogs_.match_request(bye);
  if (dialog == nullptr) {
    return respond(key, sip::make_response(bye, 481, "Call/Transaction Does Not Exist"), microsoft);
  }
  if (dialog->on_request_received(bye) == sip::Dialog::CSeqOrder::OutOfOrder) {
    return respond(key, sip::make_response(bye, 500, "Server Internal Error"), microsoft);  // §12.2.2
  }
  // The BYE is answered at once: this leg is over whatever the other leg says (§15.1.2).
  respond(key, sip::make_response(bye, 200, "OK"), microsoft);
  if (Call* call = call_of_call_id(bye.call_id())) hang_up(*call);
}

void Sbc::on_in_dialog_request(const sip::TransactionKey& key, const sip::Message& request,
                               std::optional<net::ConnectionId> microsoft) {
  sip::Dialog* dialog = dialogs_.match_request(request);
  if (dialog == nullptr) {
    return respond(key, sip::make_response(request, 481, "Call/Transaction Does Not Exist"), microsoft);
  }
  if (dialog->on_request_received(request) == sip::Dialog::CSeqOrder::OutOfOrder) {
    return respond(key, sip::make_response(request, 500, "Server Internal Error"), microsoft);
  }
  const sip::Method method = request.method();
  if (method != sip::Method::Invite && method != sip::Method::Update && method != sip::Method::Info &&
      method != sip::Method::Options) {
    return respond(key, sip::make_response(request, 501, "Not Implemented"), microsoft);
  }
  sip::Message ok = sip::make_response(request, 200, "OK");
  if (method == sip::Method::Invite || method == sip::Method::Update) {
    // A session refresh (RFC 4028 §7): the session stays as it is, so the answer repeats the
    // SDP this leg last got from the SBC.
    ok.add_header("Contact", contact(microsoft.has_value()));
    ok.add_header("Allow", allow_value());
    Call* call = call_of_call_id(request.call_id());
    const bool wants_sdp = method == sip::Method::Invite || !request.body().empty();
    if (call != nullptr && wants_sdp) {
      const Leg& leg = call->uas.call_id == request.call_id() ? call->uas : call->uac;
      if (!leg.sdp.empty()) ok.set_body("application/sdp", leg.sdp);
    }
  }
  respond(key, std::move(ok), microsoft);
}

// ---- requests inside the SBC's dialogs

sip::Transport& Sbc::uac_flow(Call& call) {
  return call.uac.microsoft ? microsoft_flow(*call.uac.connection) : trunk_flow(call.uac.trunk_peer);
}

sip::Message Sbc::ack_for(sip::Dialog& dialog, bool microsoft) {
  // §13.2.2.4: the ACK for a 2xx is built by the dialog and gets a branch of its own.
  sip::Message ack = dialog.build_request(sip::Method::Ack);
  ack.prepend_header("Via", via(microsoft));
  return ack;
}

void Sbc::send_bye(Leg& leg, sip::Dialog& dialog) {
  sip::Message bye = dialog.build_request(sip::Method::Bye);
  bye.prepend_header("Via", via(leg.microsoft));
  std::string next_hop(dialog.next_hop().host());
  // §15.1.1: this side's dialog ends with its BYE, whatever the answer.
  dialog.terminate();
  send_in_dialog(leg, std::move(next_hop), std::move(bye));
}

void Sbc::send_in_dialog(Leg& leg, std::string next_hop, sip::Message request) {
  if (!leg.microsoft) {
    layer_->send_request(std::move(request), trunk_flow(leg.trunk_peer));
    return;
  }
  // The connection the dialog was set up on while it lasts (Microsoft's own samples carry
  // Via ";alias", RFC 5923); after it, a connection to the dialog's next hop.
  if (leg.connection && endpoint_->connection_usable(*leg.connection)) {
    layer_->send_request(std::move(request), microsoft_flow(*leg.connection));
    return;
  }
  const std::size_t proxy = proxies_->entry_for(next_hop);
  proxies_->with_connection(proxy, [this, request = std::move(request)](std::optional<net::ConnectionId> connection) {
    if (connection) layer_->send_request(request, microsoft_flow(*connection));
  });
}

void Sbc::hang_up(Call& call) {
  for (Leg* leg : {&call.uas, &call.uac}) {
    if (!leg->dialog) continue;
    sip::Dialog* dialog = dialogs_.find(*leg->dialog);
    if (dialog != nullptr && dialog->state() != sip::Dialog::State::Terminated) send_bye(*leg, *dialog);
  }
  end(call);
}

// ---- bookkeeping

void Sbc::end(Call& call) {
  call.state = CallState::Ended;
  call.connection_wait.cancel();
  call.answer_retransmission.cancel();
  call.ack_deadline.cancel();
  forget_if_done(call);
}

void Sbc::forget_if_done(Call& call) {
  // Kept while an INVITE transaction lives: a late 2xx must still find its call to be ACKed.
  if (call.state != CallState::Ended || call.live_invites > 0) return;
  for (const std::string* call_id : {&call.uas.call_id, &call.uac.call_id}) {
    const auto found = call_by_call_id_.find(*call_id);
    if (found != call_by_call_id_.end() && found->second == call.number) call_by_call_id_.erase(found);
  }
  for (Leg* leg : {&call.uas, &call.uac}) {
    if (leg->dialog)
      if (sip::Dialog* dialog = dialogs_.find(*leg->dialog)) dialog->terminate();
  }
  dialogs_.remove_terminated(call.uas.call_id);
  dialogs_.remove_terminated(call.uac.call_id);
  const std::uint64_t number = call.number;  // erase() must not read the key from the node it frees
  calls_.erase(number);
}

Sbc::Call* Sbc::find_call(std::uint64_t number) {
  const auto found = calls_.find(number);
  return found == calls_.end() ? nullptr : &found->second;
}

Sbc::Call* Sbc::call_of_transaction(const sip::TransactionKey& key) {
  const auto found = call_by_invite_key_.find(key);
  return found == call_by_invite_key_.end() ? nullptr : find_call(found->second);
}

Sbc::Call* Sbc::call_of_call_id(std::string_view call_id) {
  const auto found = call_by_call_id_.find(call_id);
  return found == call_by_call_id_.end() ? nullptr : find_call(found->second);
}

std::string Sbc::caller_of(const sip::Message& invite) {
  const auto asserted = invite.p_asserted_identity();
  if (asserted.ok()) {
    for (const sip::NameAddr& identity : *asserted)
      if (identity.uri().is_sip() && !identity.uri().user().empty()) return std::string(identity.uri().user());
  }
  const std::string_view from = invite.from().uri().user();
  return from.empty() ? "anonymous" : std::string(from);
}

std::optional<std::string> Sbc::datacenter_of(net::ConnectionId connection) const {
  const auto found = settings_.datacenters.find(endpoint_->tcp().connection(connection).remote.ip);
  if (found == settings_.datacenters.end()) return std::nullopt;
  return found->second;
}

}  // namespace sbc
