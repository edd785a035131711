// Outbound calls (Teams → PSTN): the SBC sends an INVITE to one of the carrier's numbers and the
// carrier is the UAS (RFC 3261 §13.3). It answers 100 Trying at once (the switch has taken the
// call), 180 Ringing when the phone rings (ring_after) and 200 OK with its SDP answer when the
// phone is picked up (answer_after), both measured from the INVITE's arrival; it retransmits the
// 200 until the ACK (§13.3.1.4) and honours CANCEL (§9.2) and BYE (§15.1.2).
#include "models/pstn/carrier.hpp"

#include <algorithm>
#include <utility>

#include "sim/sip/sdp.hpp"
#include "sim/sip/sip_text.hpp"

namespace pstn {

void Carrier::on_new_invite(const sip::TransactionKey& key, const sip::Message& invite) {
  const std::string call_id(invite.call_id());
  if (const ReceivedCall* existing = received_call(call_id)) {
    // §8.2.2.2: the Call-ID of a live call on a new transaction without a To tag is a request
    // that reached us twice by different paths (a loop, or a fork through the SBC).
    if (existing->state != ReceivedCall::State::Ended) return respond(key, invite, 482);
    forget_received_call(call_id);  // a new attempt after that call ended
  }
  // §8.2.2.3: the carrier supports no extension, so any Require is refused (with Unsupported).
  if (const auto required = invite.require(); !required.empty()) {
    sip::Message refusal = sip::make_response(invite, 420, sip::default_reason_phrase(420), new_tag());
    for (const std::string_view option : required) refusal.add_header("Unsupported", option);
    layer_.respond(key, std::move(refusal));
    return;
  }
  // §8.1.1.8 and §12.1.1: no dialog can be made without the caller's Contact and route set.
  if (invite.contact_count() == 0 || !invite.record_route().ok()) return respond(key, invite, 400);
  // ISUP cause 1, "unallocated number", is 404 in SIP (RFC 3398's cause table): a number this
  // carrier does not serve does not exist as far as the SBC can learn.
  if (!serves_number(invite.request_uri().user_unescaped())) return respond(key, invite, 404);

  std::optional<sip::SessionDescription> offer;
  if (!invite.body().empty()) {
    // §8.2.3: a body the carrier cannot read is refused with 415 and what it accepts.
    if (!sip::iequals(invite.content_type().value_or(""), "application/sdp")) {
      sip::Message refusal = sip::make_response(invite, 415, sip::default_reason_phrase(415), new_tag());
      refusal.add_header("Accept", "application/sdp");
      layer_.respond(key, std::move(refusal));
      return;
    }
    auto parsed = sip::parse_sdp(invite.body());
    if (!parsed.ok()) return respond(key, invite, 400);
    offer = std::move(parsed).value();
  }
  const MediaEndpoint media = next_media_endpoint();
  std::string local_sdp;
  if (offer) {
    auto answer = make_g711_answer(*offer, media);
    if (!answer) return respond(key, invite, 488);  // RFC 3264 §6: no stream it can take
    local_sdp = sip::serialize_sdp(*answer);
  } else {
    // §13.2.1: an INVITE without an offer gets the offer in the 2xx; the answer comes in the ACK.
    local_sdp = g711_offer_text(media, ip_text_);
  }

  ReceivedCall& call = received_calls_[call_id];
  call.call_id = call_id;
  call.invite_key = key;
  call.invite = invite;
  call.local_tag = new_tag();
  call.local_sdp = std::move(local_sdp);
  received_invites_[key] = call_id;
  // §17.2.1 leaves 100 Trying to the transaction after 200 ms; a switch that has taken the call
  // says so at once, so the SBC stops retransmitting right away.
  respond(key, invite, 100);
  // A phone that answers before it would ring goes straight to 200 (§13.3.1.1: 18x are optional).
  if (settings_.ring_after < settings_.answer_after) {
    call.ring_timer = start_timer(settings_.ring_after, [this, call_id] { ring(call_id); });
  }
  call.answer_timer = start_timer(settings_.answer_after, [this, call_id] { answer(call_id); });
}

void Carrier::ring(const std::string& call_id) {
  ReceivedCall* call = received_call(call_id);
  if (call == nullptr || call->state != ReceivedCall::State::Trying) return;
  // §13.3.1.1: 180 Ringing with our tag and Contact opens the early dialog (§12.1.1).
  sip::Message ringing = sip::make_response(call->invite, 180, sip::default_reason_phrase(180), call->local_tag);
  ringing.add_header("Contact", contact(call->invite.request_uri().user()));
  auto dialog = sip::Dialog::create_as_uas(call->invite, ringing);
  if (dialog.ok()) call->dialog = dialogs_.insert(std::move(dialog).value()).id();
  call->state = ReceivedCall::State::Ringing;
  layer_.respond(call->invite_key, std::move(ringing));
}

void Carrier::answer(const std::string& call_id) {
  ReceivedCall* call = received_call(call_id);
  if (call == nullptr || (call->state != ReceivedCall::State::Trying && call->state != ReceivedCall::State::Ringing)) {
    return;
  }
  // §13.3.1.4: the 2xx carries Contact, our session description (the answer, or our offer when
  // the INVITE had none) and the dialog's tag.
  sip::Message ok = sip::make_response(call->invite, 200, sip::default_reason_phrase(200), call->local_tag);
  ok.add_header("Contact", contact(call->invite.request_uri().user()));
  ok.add_header("Allow", kAllow);
  ok.set_body("application/sdp", call->local_sdp);
  if (sip::Dialog* early = call->dialog ? dialogs_.find(*call->dialog) : nullptr) {
    early->on_response_sent(ok);
  } else if (auto dialog = sip::Dialog::create_as_uas(call->invite, ok); dialog.ok()) {
    call->dialog = dialogs_.insert(std::move(dialog).value()).id();
  }
  call->state = ReceivedCall::State::Answered;
  if (call->dialog) start_success_retransmissions(call->invite_key, *call->dialog, ok);
  layer_.respond(call->invite_key, std::move(ok));
  if (observer_ != nullptr) observer_->answered(call_id, "", now());
}

void Carrier::on_cancel(const sip::TransactionKey& key, const sip::Message& cancel) {
  const auto invite_key = sip::invite_key_of_cancel(cancel);
  const auto found = invite_key ? received_invites_.find(*invite_key) : received_invites_.end();
  ReceivedCall* call = found != received_invites_.end() ? received_call(found->second) : nullptr;
  const bool unanswered = call != nullptr && (call->state == ReceivedCall::State::Trying ||
                                              call->state == ReceivedCall::State::Ringing);
  if (!unanswered) {
    // §9.2: a CANCEL whose INVITE is still known is answered 200 and changes nothing once a
    // final response went out; one that matches nothing gets 481.
    const bool known = invite_key && layer_.find_server_invite(*invite_key) != nullptr;
    return respond(key, cancel, known ? 200 : 481);
  }
  // §9.2: 200 to the CANCEL, then 487 (Request Terminated) to the INVITE, with the same To tag.
  respond(key, cancel, 200, call->local_tag);
  sip::Message terminated = sip::make_response(call->invite, 487, sip::default_reason_phrase(487), call->local_tag);
  if (sip::Dialog* early = call->dialog ? dialogs_.find(*call->dialog) : nullptr) early->on_response_sent(terminated);
  call->ring_timer.cancel();
  call->answer_timer.cancel();
  call->state = ReceivedCall::State::Ended;
  layer_.respond(call->invite_key, std::move(terminated));
}

void Carrier::on_received_call_ack(ReceivedCall& call) {
  if (call.state == ReceivedCall::State::Answered) call.state = ReceivedCall::State::Confirmed;
}

void Carrier::on_received_call_bye(ReceivedCall& call) {
  // The Teams side hung up (or gave up before the ACK).
  call.ring_timer.cancel();
  call.answer_timer.cancel();
  call.state = ReceivedCall::State::Ended;
  forget_received_if_finished(call.call_id);
}

void Carrier::forget_received_if_finished(std::string call_id) {
  const ReceivedCall* call = received_call(call_id);
  if (call == nullptr || call->state != ReceivedCall::State::Ended || !call->invite_finished) return;
  forget_received_call(std::move(call_id));
}

void Carrier::forget_received_call(std::string call_id) {
  const auto found = received_calls_.find(call_id);
  const ReceivedCall& call = found->second;
  received_invites_.erase(call.invite_key);
  if (call.dialog) {
    unacknowledged_.erase(*call.dialog);
    if (sip::Dialog* dialog = dialogs_.find(*call.dialog)) dialog->terminate();
  }
  received_calls_.erase(found);
  dialogs_.remove_terminated(call_id);
}

bool Carrier::serves_number(std::string_view number) const {
  return std::find(settings_.numbers.begin(), settings_.numbers.end(), number) != settings_.numbers.end();
}

Carrier::ReceivedCall* Carrier::received_call(std::string_view call_id) {
  const auto found = received_calls_.find(call_id);
  return found == received_calls_.end() ? nullptr : &found->second;
}

}  // namespace pstn
