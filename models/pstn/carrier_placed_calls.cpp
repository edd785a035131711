// Inbound calls (PSTN → Teams): the carrier places them and is the UAC (RFC 3261 §13.2). It
// sends the INVITE with a G.711 offer to its SBC, follows every early dialog the responses open
// (a DialogSet, §12.1.2), ACKs the 2xx (§13.2.2.4) and hangs up with a BYE `holding` after the
// answer. An unanswered call is ended by the Teams side (ring timeout, 480 or 487); the carrier
// only waits, with Timer B before any provisional and Timer C's value as its longest ring.
#include "models/pstn/carrier.hpp"

#include <utility>

#include "sim/core/check.hpp"
#include "sim/sip/sdp.hpp"

namespace pstn {

std::string Carrier::place_call(std::uint64_t call_number, std::string_view from, std::string_view to, sim::Time holding) {
  DRSIM_CHECK(endpoint_ != nullptr, "place_call() before attach()");
  const std::string call_id = std::to_string(++call_counter_) + "@" + ip_text_;
  // Wire contract: sip:+E164@<peer ip>:5060;user=phone, so the SBC reads the number as a phone
  // number (spec "user=phone"); From and To name the numbers the same way.
  std::string request_uri;
  request_uri.reserve(5 + to.size() + request_uri_host_.size());
  request_uri.append("sip:").append(to).append("@").append(request_uri_host_);

  PlacedCall& call = placed_calls_[call_id];
  call.call_id = call_id;
  call.holding = holding;
  call.local_sdp = g711_offer_text(next_media_endpoint(), ip_text_);

  sip::Message invite = sip::Message::request("INVITE", request_uri);
  invite.add_header("Via", new_via());
  invite.add_header("Max-Forwards", "70");  // §8.1.1.6
  std::string from_value;
  from_value.reserve(40 + from.size() + host_.size());
  from_value.append("<sip:").append(from).append("@").append(host_).append(";user=phone>;tag=").append(new_tag());
  invite.add_header("From", from_value);
  std::string to_value;
  to_value.reserve(24 + to.size() + sbc_host_.size());
  to_value.append("<sip:").append(to).append("@").append(sbc_host_).append(";user=phone>");
  invite.add_header("To", to_value);
  invite.add_header("Call-ID", call_id);
  invite.add_header("CSeq", "1 INVITE");
  invite.add_header("Contact", contact(from));
  invite.add_header("Allow", kAllow);
  invite.set_body("application/sdp", call.local_sdp);
  call.dialog_set = std::make_unique<sip::DialogSet>(dialogs_, invite);

  if (observer_ != nullptr) observer_->call_started(call_id, call_number, trace::CallDirection::Inbound, from, to, now());
  call.invite = layer_.send_request(std::move(invite), trunk_flow(), sip::ClientInviteTransaction::TimerC::On);
  placed_invites_[call.invite] = &call;
  return call_id;
}

void Carrier::on_placed_call_response(PlacedCall& call, const sip::Message& response) {
  const sip::DialogSet::Event event = call.dialog_set->on_response_received(response);
  const int code = response.status_code();
  if (code >= 300) return on_placed_call_failed(call, code, response.reason_phrase());
  if (code < 200) {
    if (call.state == PlacedCall::State::Calling) call.state = PlacedCall::State::Proceeding;
    return;
  }
  switch (event.outcome) {
    case sip::DialogSet::Outcome::DialogConfirmed:
      return on_placed_call_answered(call, *event.dialog, response);
    case sip::DialogSet::Outcome::Repeated2xx: {
      // §13.2.2.4: a retransmitted 2xx means our ACK was lost: send it again.
      const auto ack = call.acks.find(event.dialog->id().remote_tag);
      if (ack != call.acks.end()) send_ack(ack->second, *event.dialog);
      return;
    }
    case sip::DialogSet::Outcome::Additional2xx:
      // §13.2.2.4: a second branch answered too: ACK it, then end that dialog with a BYE.
      acknowledge_2xx(call, *event.dialog);
      return send_bye(*event.dialog);
    case sip::DialogSet::Outcome::Unusable:
      // A 2xx that forms no dialog (no Contact) cannot be ACKed or hung up: the call is lost.
      return on_placed_call_failed(call, code, response.reason_phrase());
    default:
      return;
  }
}

void Carrier::on_placed_call_answered(PlacedCall& call, sip::Dialog& dialog, const sip::Message& response) {
  acknowledge_2xx(call, dialog);
  call.answered_dialog = dialog.id();
  call.cancel_deadline.cancel();
  // §9.1: a CANCEL that crossed the 2xx changes nothing; the caller, who had given up, hangs up.
  const sim::Time holding = call.state == PlacedCall::State::Cancelling ? sim::Time::zero() : call.holding;
  call.state = PlacedCall::State::Answered;
  if (observer_ != nullptr) {
    observer_->final_response(call.call_id, response.status_code(), std::nullopt, response.reason_phrase(), now());
    observer_->answered(call.call_id, "", now());
  }
  call.hangup_timer = start_timer(holding, [this, call_id = call.call_id] {
    if (PlacedCall* answered = placed_call(call_id)) hang_up(*answered);
  });
}

void Carrier::on_placed_call_failed(PlacedCall& call, int status_code, std::string_view phrase) {
  if (call.state == PlacedCall::State::Ended || call.state == PlacedCall::State::Answered) return;
  call.state = PlacedCall::State::Ended;
  call.cancel_deadline.cancel();
  if (observer_ == nullptr) return;
  observer_->final_response(call.call_id, status_code, std::nullopt, phrase, now());
  observer_->ended(call.call_id, now());
}

void Carrier::on_placed_call_bye(PlacedCall& call) {
  // The Teams side hung up first.
  if (call.state != PlacedCall::State::Answered) return;
  call.hangup_timer.cancel();
  call.state = PlacedCall::State::Ended;
  if (observer_ != nullptr) observer_->ended(call.call_id, now());
  forget_if_finished(call.call_id);
}

void Carrier::hang_up(PlacedCall& call) {
  if (call.state != PlacedCall::State::Answered) return;
  sip::Dialog* dialog = dialogs_.find(*call.answered_dialog);
  if (dialog != nullptr && dialog->state() != sip::Dialog::State::Terminated) send_bye(*dialog);
  unacknowledged_.erase(*call.answered_dialog);
  call.state = PlacedCall::State::Ended;
  if (observer_ != nullptr) observer_->ended(call.call_id, now());
  forget_if_finished(call.call_id);
}

void Carrier::cancel(PlacedCall& call) {
  // §9.1: the CANCEL goes where the INVITE went.
  layer_.send_request(sip::make_cancel(call.dialog_set->invite()), trunk_flow());
  call.state = PlacedCall::State::Cancelling;
  // §9.1: no final response 64*T1 after the CANCEL: the INVITE is considered cancelled.
  call.cancel_deadline = start_timer(layer_.timers().timer_b(), [this, call_id = call.call_id] {
    PlacedCall* cancelled = placed_call(call_id);
    if (cancelled == nullptr || cancelled->state != PlacedCall::State::Cancelling) return;
    on_placed_call_failed(*cancelled, 408, sip::default_reason_phrase(408));
    // The INVITE client transaction waits in Proceeding for a final response that will not
    // come; the call is forgotten without it.
    placed_invites_.erase(cancelled->invite);
    cancelled->invite_finished = true;
    forget_if_finished(call_id);
  });
}

void Carrier::acknowledge_2xx(PlacedCall& call, sip::Dialog& dialog) {
  // §13.2.2.4: the ACK is built from the dialog (CSeq number of the INVITE) and, being a
  // transaction of its own, gets a new branch.
  sip::Message ack = dialog.build_request(sip::Method::Ack);
  ack.prepend_header("Via", new_via());
  send_ack(ack, dialog);
  call.acks.insert_or_assign(dialog.id().remote_tag, std::move(ack));
}

void Carrier::forget_if_finished(std::string call_id) {
  const auto found = placed_calls_.find(call_id);
  if (found == placed_calls_.end()) return;
  PlacedCall& call = found->second;
  if (call.state != PlacedCall::State::Ended || !call.invite_finished) return;
  for (sip::Dialog* dialog : call.dialog_set->dialogs()) {
    unacknowledged_.erase(dialog->id());
    dialog->terminate();
  }
  placed_calls_.erase(found);
  dialogs_.remove_terminated(call_id);
}

Carrier::PlacedCall* Carrier::placed_call(std::string_view call_id) {
  const auto found = placed_calls_.find(call_id);
  return found == placed_calls_.end() ? nullptr : &found->second;
}

}  // namespace pstn
