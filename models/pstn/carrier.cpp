// The carrier's SIP core: the network, the dispatch of what the transaction layer hands up, and
// what both call directions share (in-dialog requests, BYE, ACK, the 2xx retransmissions of
// §13.3.1.4). The two directions live in carrier_placed_calls.cpp and carrier_received_calls.cpp.
#include "models/pstn/carrier.hpp"

#include <algorithm>
#include <utility>

#include "sim/core/check.hpp"
#include "sim/sip/hex_text.hpp"

namespace pstn {
namespace {

// §21: sip::default_reason_phrase lacks 482, which only the carrier sends so far.
std::string_view reason_phrase(int status_code) {
  return status_code == 482 ? "Loop Detected" : sip::default_reason_phrase(status_code);
}

}  // namespace

std::string Carrier::uri_host(const net::IpAddress& address) {
  // §19.1.1, RFC 3986 §3.2.2: an IPv6 literal is bracketed in a URI and in a Via sent-by.
  return address.family() == net::IpFamily::V6 ? "[" + address.text() + "]" : address.text();
}

Carrier::Carrier(sim::ActorContext context, CarrierSettings settings, trace::CallObserver* observer)
    : sim::Actor(std::move(context)),
      settings_(std::move(settings)),
      observer_(observer),
      local_{settings_.ip, kSipPort},
      layer_(simulation(), id(), name(), settings_.timers, *this),
      tag_sender_(sip::branch_sender_id(name())),
      tag_prefix_(sip::lower_hex(tag_sender_, 8)) {
  DRSIM_CHECK(!check_carrier_settings(name(), settings_), "carrier settings that check_carrier_settings refuses");
  ip_text_ = settings_.ip.text();
  host_ = uri_host(settings_.ip);
  via_prefix_ = "SIP/2.0/UDP " + host_ + ":" + std::to_string(kSipPort) + ";branch=";
  contact_host_ = host_ + ":" + std::to_string(kSipPort) + ">";
  sbc_host_ = uri_host(settings_.sbc.ip);
  request_uri_host_ = sbc_host_ + ":" + std::to_string(settings_.sbc.port) + ";user=phone";
}

Carrier::~Carrier() = default;

void Carrier::attach(net::UdpTransport& udp, net::TcpTransport& tcp, net::HostId host) {
  net::SipEndpointEvents& events = *this;
  endpoint_ = std::make_unique<net::SipEndpoint>(udp, tcp, host, layer_, events);
  endpoint_->listen_udp(local_);
}

void Carrier::on_receive(const sim::Delivery& delivery) {
  DRSIM_CHECK(endpoint_ != nullptr, "a carrier received bytes before attach()");
  endpoint_->receive(delivery);
}

// ---- sip::SipCore

void Carrier::on_request(const sip::TransactionKey& key, const sip::Message& request, sip::Transport& flow) {
  static_cast<void>(flow);  // the transaction answers on it; the carrier's only peer is its SBC
  switch (request.method()) {
    case sip::Method::Ack: return on_ack_received(request);
    case sip::Method::Cancel: return on_cancel(key, request);
    default: break;
  }
  if (request.to().has_tag()) return on_in_dialog_request(key, request);
  switch (request.method()) {
    case sip::Method::Invite: return on_new_invite(key, request);
    case sip::Method::Options: return on_options(key, request);
    case sip::Method::Bye: return respond(key, request, 481);  // §15.1.2: no dialog to end
    default: return respond(key, request, 405);               // §8.2.1
  }
}

void Carrier::on_response(const sip::TransactionKey& key, const sip::Message& response) {
  const sip::Method method = sip::method_from_text(response.cseq().method);
  if (method == sip::Method::Invite) {
    const auto found = placed_invites_.find(key);
    if (found != placed_invites_.end()) on_placed_call_response(*found->second, response);
    return;
  }
  if (method == sip::Method::Bye) {
    // §15.1.1: any final response to a BYE ends the dialog.
    if (sip::Dialog* dialog = dialogs_.match_response(response)) dialog->on_response_received(response);
  }
  // A CANCEL's 200 says only that the SBC got it: the INVITE's 487 ends the call (§9.1).
}

void Carrier::on_stray_response(const sip::Message& response, sip::Transport& flow) {
  static_cast<void>(flow);
  // RFC 6026 §8.4: a 2xx retransmitted after Timer M still gets its ACK from the UAC core.
  const bool invite_2xx = response.status_code() >= 200 && response.status_code() < 300 &&
                          sip::method_from_text(response.cseq().method) == sip::Method::Invite;
  PlacedCall* call = invite_2xx ? placed_call(response.call_id()) : nullptr;
  if (call == nullptr) return;
  const auto ack = call->acks.find(std::string(response.to().tag()));
  sip::Dialog* dialog = dialogs_.match_response(response);
  if (ack != call->acks.end() && dialog != nullptr) send_ack(ack->second, *dialog);
}

void Carrier::on_timeout(const sip::TransactionKey& key, sip::TimerName timer) {
  static_cast<void>(timer);
  if (const auto found = placed_invites_.find(key); found != placed_invites_.end()) {
    // §8.1.3.1: Timer B is a 408 (Request Timeout) for the TU.
    return on_placed_call_failed(*found->second, 408, sip::default_reason_phrase(408));
  }
  if (const auto found = byes_.find(key); found != byes_.end()) {
    // §15.1.1: a BYE that gets no answer still ends the dialog.
    if (sip::Dialog* dialog = dialogs_.find(found->second)) dialog->terminate();
  }
  // Timer H on a received INVITE: our non-2xx was never ACKed; the call is already over.
}

void Carrier::on_transport_error(const sip::TransactionKey& key) {
  if (const auto found = placed_invites_.find(key); found != placed_invites_.end()) {
    // §8.1.3.1: a transport failure is a 503 (Service Unavailable) for the TU.
    return on_placed_call_failed(*found->second, 503, sip::default_reason_phrase(503));
  }
  if (const auto found = byes_.find(key); found != byes_.end()) {
    if (sip::Dialog* dialog = dialogs_.find(found->second)) dialog->terminate();
  }
}

void Carrier::on_terminated(const sip::TransactionKey& key) {
  if (const auto found = placed_invites_.find(key); found != placed_invites_.end()) {
    PlacedCall& call = *found->second;
    const std::string call_id = call.call_id;
    placed_invites_.erase(found);
    call.invite_finished = true;
    // §13.2.2.4: early dialogs no 2xx confirmed end with the INVITE transaction.
    call.dialog_set->on_invite_transaction_ended();
    return forget_if_finished(call_id);
  }
  if (const auto found = received_invites_.find(key); found != received_invites_.end()) {
    const std::string call_id = found->second;
    received_invites_.erase(found);
    received_calls_.at(call_id).invite_finished = true;
    return forget_received_if_finished(call_id);
  }
  byes_.erase(key);
}

void Carrier::on_ack(const sip::TransactionKey& key, const sip::Message& ack) {
  static_cast<void>(key);
  on_ack_received(ack);  // RFC 6026 §8.7: the ACK of our 2xx, passed up from Accepted
}

void Carrier::on_timer_c(const sip::TransactionKey& key) {
  // A UA has no Timer C (§16.6 gives it to proxies); the carrier borrows its value as the
  // longest a caller lets the far end ring, and then gives up with a CANCEL (§9.1).
  const auto found = placed_invites_.find(key);
  if (found == placed_invites_.end()) return;
  PlacedCall& call = *found->second;
  // §9.1: no CANCEL before a provisional; in Calling, Timer B ends the call instead.
  if (call.state == PlacedCall::State::Proceeding) cancel(call);
}

// ---- requests inside a dialog, either direction

void Carrier::on_in_dialog_request(const sip::TransactionKey& key, const sip::Message& request) {
  const sip::Method method = request.method();
  // §8.2.1: a method the carrier lacks is refused before it can touch the dialog (an UPDATE
  // would otherwise move the remote target of a dialog that then refuses it).
  if (method != sip::Method::Bye && method != sip::Method::Invite && method != sip::Method::Options) {
    return respond(key, request, 405);
  }
  sip::Dialog* dialog = dialogs_.match_request(request);
  if (dialog == nullptr) return respond(key, request, 481);  // §12.2.2
  if (dialog->on_request_received(request) == sip::Dialog::CSeqOrder::OutOfOrder) {
    return respond(key, request, 500);  // §12.2.2: a lower CSeq than the last one
  }
  if (method == sip::Method::Bye) return on_bye(key, request, *dialog);
  if (method == sip::Method::Invite) return on_reinvite(key, request, *dialog);
  on_options(key, request);
}

void Carrier::on_bye(const sip::TransactionKey& key, const sip::Message& bye, sip::Dialog& dialog) {
  // §15.1.2: answer 200; the dialog is over (on_request_received terminated it), and so is any
  // wait for the ACK of our last 2xx.
  respond(key, bye, 200);
  unacknowledged_.erase(dialog.id());
  const std::string call_id = dialog.id().call_id;
  if (dialog.role() == sip::Dialog::Role::Uac) {
    if (PlacedCall* call = placed_call(call_id); call != nullptr && call->answered_dialog == dialog.id()) {
      on_placed_call_bye(*call);
    }
  } else if (ReceivedCall* call = received_call(call_id)) {
    on_received_call_bye(*call);
  }
}

void Carrier::on_reinvite(const sip::TransactionKey& key, const sip::Message& invite, sip::Dialog& dialog) {
  // A session refresh (RFC 4028) or a re-offer: the gateway's media stay as they are, so the
  // answer is the session description already agreed (RFC 3264 §8: unchanged, same version).
  const std::string* sdp = nullptr;
  if (PlacedCall* call = placed_call(dialog.id().call_id)) sdp = &call->local_sdp;
  if (ReceivedCall* call = received_call(dialog.id().call_id)) sdp = &call->local_sdp;
  if (sdp == nullptr) return respond(key, invite, 481);
  sip::Message ok = sip::make_response(invite, 200, sip::default_reason_phrase(200));
  ok.add_header("Contact", contact(invite.request_uri().user()));
  ok.add_header("Allow", kAllow);
  ok.set_body("application/sdp", *sdp);
  start_success_retransmissions(key, dialog.id(), ok);
  layer_.respond(key, std::move(ok));
}

void Carrier::on_options(const sip::TransactionKey& key, const sip::Message& options) {
  // §11.2: the capabilities a call would meet, answered as an INVITE would be (200 here).
  const std::string tag = options.to().has_tag() ? std::string() : new_tag();
  sip::Message ok = sip::make_response(options, 200, sip::default_reason_phrase(200), tag);
  ok.add_header("Allow", kAllow);
  ok.add_header("Accept", "application/sdp");
  layer_.respond(key, std::move(ok));
}

void Carrier::on_ack_received(const sip::Message& ack) {
  sip::Dialog* dialog = dialogs_.match_request(ack);
  if (dialog == nullptr) return;  // an ACK of a dialog already forgotten
  const auto waiting = unacknowledged_.find(dialog->id());
  // §13.3.1.4: the ACK with the 2xx's CSeq number ends its retransmissions.
  if (waiting != unacknowledged_.end() && waiting->second.response.cseq().number == ack.cseq().number) {
    unacknowledged_.erase(waiting);
  }
  if (dialog->role() != sip::Dialog::Role::Uas) return;
  if (ReceivedCall* call = received_call(dialog->id().call_id)) on_received_call_ack(*call);
}

void Carrier::respond(const sip::TransactionKey& key, const sip::Message& request, int status_code,
                      std::string_view to_tag) {
  // §8.2.6.2: every response but 100 carries a To tag; one the request lacks is made here.
  const std::string tag = to_tag.empty() && status_code != 100 && !request.to().has_tag() ? new_tag() : std::string(to_tag);
  sip::Message response = sip::make_response(request, status_code, reason_phrase(status_code), tag);
  if (status_code == 405) response.add_header("Allow", kAllow);  // §8.2.1: 405 MUST list them
  layer_.respond(key, std::move(response));
}

// ---- sending inside a dialog

void Carrier::send_bye(sip::Dialog& dialog) {
  sip::Message bye = dialog.build_request(sip::Method::Bye);
  bye.prepend_header("Via", new_via());
  sip::Transport& flow = flow_toward(dialog.next_hop());
  byes_[layer_.send_request(std::move(bye), flow)] = dialog.id();
}

void Carrier::send_ack(const sip::Message& ack, const sip::Dialog& dialog) {
  // §13.2.2.4: the ACK of a 2xx is the UAC core's, sent straight to the transport.
  flow_toward(dialog.next_hop()).send(ack);
}

void Carrier::start_success_retransmissions(const sip::TransactionKey& invite_key, const sip::DialogId& dialog,
                                            const sip::Message& response) {
  const sip::TimerValues& timers = layer_.timers();
  UnacknowledgedSuccess& waiting = unacknowledged_[dialog];
  waiting.invite_key = invite_key;
  waiting.response = response;
  waiting.interval = timers.t1;
  waiting.give_up_at = now() + timers.t1 * 64;
  waiting.retransmit_timer = start_timer(timers.t1, [this, dialog] { retransmit_success(dialog); });
}

void Carrier::retransmit_success(const sip::DialogId& dialog_id) {
  UnacknowledgedSuccess& waiting = unacknowledged_.at(dialog_id);
  if (now() >= waiting.give_up_at) {
    // §13.3.1.4: no ACK within 64*T1: "the dialog is confirmed, but the session SHOULD be
    // terminated", with a BYE.
    unacknowledged_.erase(dialog_id);
    return on_ack_never_came(dialog_id);
  }
  // RFC 6026 §8.7: the server transaction, in Accepted, passes each 2xx to the transport.
  layer_.respond(waiting.invite_key, waiting.response);
  waiting.interval = layer_.timers().doubled_up_to_t2(waiting.interval);
  const sim::Time next = std::min(now() + waiting.interval, waiting.give_up_at);
  waiting.retransmit_timer = start_timer(next - now(), [this, dialog_id] { retransmit_success(dialog_id); });
}

void Carrier::on_ack_never_came(const sip::DialogId& dialog_id) {
  sip::Dialog* dialog = dialogs_.find(dialog_id);
  if (dialog == nullptr || dialog->state() == sip::Dialog::State::Terminated) return;
  send_bye(*dialog);
  if (observer_ != nullptr) observer_->ended(dialog_id.call_id, now());
  if (PlacedCall* call = placed_call(dialog_id.call_id); call != nullptr && call->answered_dialog == dialog_id) {
    call->hangup_timer.cancel();
    call->state = PlacedCall::State::Ended;
    return forget_if_finished(dialog_id.call_id);
  }
  if (ReceivedCall* call = received_call(dialog_id.call_id)) {
    call->state = ReceivedCall::State::Ended;
    forget_received_if_finished(dialog_id.call_id);
  }
}

// ---- addressing and naming

sip::Transport& Carrier::trunk_flow() { return endpoint_->datagram_flow(local_, settings_.sbc); }

sip::Transport& Carrier::flow_toward(const sip::Uri& next_hop) {
  // §8.1.2: the next hop is the dialog's first route or remote target. The carrier has no DNS:
  // a host that is not an address literal can only mean its one peer, the SBC's trunk.
  if (!next_hop.host_is_ip()) return trunk_flow();
  const auto address = net::IpAddress::parse(next_hop.host());
  if (!address) return trunk_flow();
  return endpoint_->datagram_flow(local_, net::SocketAddress{*address, next_hop.port().value_or(kSipPort)});
}

std::string Carrier::new_via() {
  // §18.1.1, §20.42: sent-by is where responses come back: this host's UDP 5060.
  return via_prefix_ + layer_.new_branch();
}

std::string Carrier::contact(std::string_view user) const {
  std::string value;
  value.reserve(6 + user.size() + contact_host_.size());
  value.append("<sip:");
  if (!user.empty()) value.append(user).push_back('@');
  return value.append(contact_host_);
}

std::string Carrier::new_tag() {
  // §19.3: tags need only be unique; the actor's id in the high half keeps two carriers apart.
  return tag_prefix_ + sip::lower_hex(++tag_counter_, 8);
}

MediaEndpoint Carrier::next_media_endpoint() {
  // One RTP/RTCP port pair per call from 16384 on (RFC 3550 §11: RTP on the even port), reused
  // after 16384 calls, by which time the earlier call has long ended.
  const std::uint64_t session = ++session_counter_;
  const auto port = static_cast<std::uint16_t>(16384 + 2 * ((session - 1) % 16384));
  return MediaEndpoint{settings_.ip, port, session};
}

}  // namespace pstn
