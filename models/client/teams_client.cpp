#include "models/client/teams_client.hpp"

#include "sim/core/check.hpp"
#include "sim/sip/sdp.hpp"

namespace client {

TeamsClient::TeamsClient(sim::ActorContext context, ClientBehaviour behaviour, std::string sdp_address)
    : sim::Actor(std::move(context)), behaviour_(behaviour), sdp_address_(std::move(sdp_address)) {}

const std::string& TeamsClient::session_description() {
  // The controller replaces it in non-bypass mode.
  if (session_description_.empty()) {
    session_description_ = "v=0\r\no=- " + std::to_string(id()) + " 1 IN IP4 " + sdp_address_ + "\r\ns=-\r\nc=IN IP4 " +
                           sdp_address_ +
                           "\r\nt=0 0\r\nm=audio 50000 RTP/SAVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 "
                           "PCMA/8000\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" +
                           sip::sdes_inline_key(id()) + "\r\na=sendrecv\r\n";
  }
  return session_description_;
}

void TeamsClient::signal(sim::ActorId controller, ClientSignal message) {
  send(controller, behaviour_.signalling_latency, encode_signal(message));
}

void TeamsClient::dial(sim::ActorId controller, std::uint64_t call, std::string number, sim::Time holding,
                       OutboundCallListener* listener) {
  DRSIM_CHECK(!calls_.contains(call), "a call reference used twice by one client");
  Call& outbound = calls_[call];
  outbound.state = CallState::Dialling;
  outbound.controller = controller;
  outbound.holding = holding;
  outbound.listener = listener;
  signal(controller, ClientSignal{.kind = SignalKind::PlaceCall, .call = call, .number = std::move(number),
                                  .sdp = session_description()});
}

void TeamsClient::on_receive(const sim::Delivery& delivery) {
  const auto message = decode_signal(delivery.payload);
  DRSIM_CHECK(message.has_value(), "a Teams client received bytes that are not client signalling");
  if (message->kind == SignalKind::IncomingCall) return on_incoming_call(delivery.source, *message);
  const auto found = calls_.find(message->call);
  if (found == calls_.end()) return;  // a late message for a call this client already left
  Call& call = found->second;
  switch (message->kind) {
    case SignalKind::StopRinging:
    case SignalKind::HangUp:
      if (call.listener != nullptr && call.state == CallState::Connected)
        call.listener->on_outbound_ended(message->call, now());
      calls_.erase(found);  // the handles cancel every pending timer
      return;
    case SignalKind::CallProgress:
    case SignalKind::MediaAnswer:  // early media (a 183 from the far end) counts as progress too
      if (call.listener != nullptr && !call.progress_reported) call.listener->on_outbound_progress(message->call, now());
      call.progress_reported = true;
      return;
    case SignalKind::CallAccepted:
      return on_outbound_answer(*message, call);
    case SignalKind::CallFailed:
      if (call.listener != nullptr) call.listener->on_outbound_failed(message->call, now(), *message);
      calls_.erase(found);
      return;
    default:
      DRSIM_CHECK(false, "a Teams client received a message only clients send");
  }
}

void TeamsClient::on_incoming_call(sim::ActorId controller, const ClientSignal& signal_in) {
  const std::uint64_t reference = signal_in.call;
  DRSIM_CHECK(!calls_.contains(reference), "the controller offered one call twice");
  Call& call = calls_[reference];
  call.controller = controller;
  call.progress_timer = start_timer(behaviour_.ring_after, [this, reference, controller] {
    signal(controller, ClientSignal{.kind = SignalKind::CallProgress, .call = reference});
    if (behaviour_.media_answer)
      signal(controller, ClientSignal{.kind = SignalKind::MediaAnswer, .call = reference, .sdp = session_description()});
  });
  if (behaviour_.answer_after) {
    call.answer_timer = start_timer(*behaviour_.answer_after, [this, reference, controller] {
      calls_.at(reference).state = CallState::Answered;
      signal(controller, ClientSignal{.kind = SignalKind::CallAccepted, .call = reference, .sdp = session_description()});
    });
  }
}

void TeamsClient::on_outbound_answer(const ClientSignal& message, Call& call) {
  call.state = CallState::Connected;
  if (call.listener != nullptr) call.listener->on_outbound_answered(message.call, now());
  const std::uint64_t reference = message.call;
  call.hangup_timer = start_timer(call.holding, [this, reference] {
    const auto found = calls_.find(reference);
    signal(found->second.controller, ClientSignal{.kind = SignalKind::HangUp, .call = reference});
    if (found->second.listener != nullptr) found->second.listener->on_outbound_ended(reference, now());
    calls_.erase(found);
  });
}

}  // namespace client
