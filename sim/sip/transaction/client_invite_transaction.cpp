#include "sim/sip/transaction/client_invite_transaction.hpp"

#include <string>
#include <string_view>
#include <utility>

#include "sim/core/check.hpp"

namespace sip {

ClientInviteTransaction::ClientInviteTransaction(TransactionContext context, Transport& transport,
                                                 Message&& invite, TimerC timer_c)
    : context_(context),
      transport_(transport),
      invite_(std::move(invite)),
      runs_timer_c_(timer_c == TimerC::On),
      timer_a_interval_(context_.timers.timer_a()) {
  DRSIM_CHECK(invite_.is_request() && invite_.method() == Method::Invite,
              "an INVITE client transaction needs an INVITE");
  auto key = client_key_of_request(invite_);
  DRSIM_CHECK(key.has_value(), "an INVITE without a top Via branch or CSeq");
  key_ = std::move(*key);
}

void ClientInviteTransaction::start() {
  // §17.1.1.2: "The initial state, Calling, MUST be entered when the TU initiates a new client
  // transaction with an INVITE request."
  DRSIM_CHECK(state_ == State::Calling && !timer_b_.pending(), "start() called twice");
  transport_.send(invite_);
  if (!transport_.reliable()) timer_a_ = context_.start_timer(timer_a_interval_, [this] { on_timer_a(); });
  timer_b_ = context_.start_timer(context_.timers.timer_b(), [this] { on_timer_b(); });
  // §16.6 step 11: a proxy sets Timer C when it forwards the INVITE.
  if (runs_timer_c_) timer_c_ = context_.start_timer(context_.timers.timer_c, [this] { on_timer_c(); });
}

void ClientInviteTransaction::on_response(const Message& response) {
  const int code = response.status_code();
  if (code < 200) return on_provisional(response);
  if (code < 300) return on_success(response);
  on_failure(response);
}

void ClientInviteTransaction::on_provisional(const Message& response) {
  // §17.1.1.2: a 1xx in Calling moves to Proceeding; in Proceeding it goes to the TU too. No
  // request retransmissions after a provisional: Timer A stops, and Timer B only guards Calling.
  if (state_ != State::Calling && state_ != State::Proceeding) return;
  if (state_ == State::Calling) {
    timer_a_.cancel();
    timer_b_.cancel();
    state_ = State::Proceeding;
  }
  // §16.7 step 2: every provisional but 100 resets Timer C.
  if (runs_timer_c_ && response.status_code() > 100) {
    timer_c_ = context_.start_timer(context_.timers.timer_c, [this] { on_timer_c(); });
  }
  context_.user.on_response(key_, response);
}

void ClientInviteTransaction::on_success(const Message& response) {
  // RFC 6026 §8.4: a 2xx in Calling or Proceeding goes to the TU (which ACKs it end to end) and
  // the transaction waits in Accepted for Timer M; every further 2xx goes to the TU as well.
  if (state_ == State::Accepted) return context_.user.on_response(key_, response);
  if (state_ != State::Calling && state_ != State::Proceeding) return;
  stop_calling_timers();
  state_ = State::Accepted;
  timer_m_ = context_.start_timer(context_.timers.timer_m(), [this] { on_timer_m(); });
  context_.user.on_response(key_, response);
}

void ClientInviteTransaction::on_failure(const Message& response) {
  // §17.1.1.2: in Completed, a retransmitted final response gets the ACK again and stays here.
  if (state_ == State::Completed) return transport_.send(ack_);
  if (state_ != State::Calling && state_ != State::Proceeding) return;
  // §17.1.1.2: a 300-699 in Calling or Proceeding is ACKed by the transaction, passed up, and
  // the transaction waits in Completed for Timer D.
  stop_calling_timers();
  state_ = State::Completed;
  ack_ = make_ack_for_non_2xx(invite_, response);
  transport_.send(ack_);
  timer_d_ = context_.start_timer(context_.timers.timer_d(transport_.reliable()), [this] { on_timer_d(); });
  context_.user.on_response(key_, response);
}

void ClientInviteTransaction::on_transport_error() {
  // §17.1.1.2, Figure 5: only Calling (INVITE) and Completed (ACK) send; inform the TU.
  if (state_ != State::Calling && state_ != State::Completed) return;
  state_ = State::Terminated;
  context_.user.on_transport_error(key_);
  terminate();
}

void ClientInviteTransaction::on_timer_a() {
  // §17.1.1.2: "When timer A fires, the client transaction MUST retransmit the request ... and
  // MUST reset the timer with a value of 2*T1", doubling again on each firing.
  transport_.send(invite_);
  timer_a_interval_ = timer_a_interval_ * 2;
  timer_a_ = context_.start_timer(timer_a_interval_, [this] { on_timer_a(); });
}

void ClientInviteTransaction::on_timer_b() {
  // §17.1.1.2: still in Calling when Timer B fires: inform the TU of the timeout.
  state_ = State::Terminated;
  context_.user.on_timeout(key_, TimerName::B);
  terminate();
}

void ClientInviteTransaction::on_timer_c() {
  // §16.8: the proxy decides (CANCEL or a synthetic 408); the transaction keeps its state.
  context_.user.on_timer_c(key_);
}

void ClientInviteTransaction::on_timer_d() {
  // §17.1.1.2: Timer D fires in Completed: move to Terminated.
  terminate();
}

void ClientInviteTransaction::on_timer_m() {
  // RFC 6026 §8.4: Timer M fires in Accepted: move to Terminated.
  terminate();
}

void ClientInviteTransaction::stop_calling_timers() {
  timer_a_.cancel();
  timer_b_.cancel();
  timer_c_.cancel();
}

void ClientInviteTransaction::terminate() {
  state_ = State::Terminated;
  timer_a_.cancel();
  timer_b_.cancel();
  timer_c_.cancel();
  timer_d_.cancel();
  timer_m_.cancel();
  // A copy: the TU may destroy this transaction, key_ with it, while it handles the event.
  const TransactionKey key = key_;
  context_.user.on_terminated(key);
}

namespace {

// §17.1.1.3 (ACK for a non-2xx) and §9.1 (CANCEL) build the same request from the INVITE: its
// Request-URI, top Via (so its branch), Max-Forwards, Route headers, From, Call-ID and CSeq
// number; only the method and the To differ.
Message request_copying_invite(const Message& invite, std::string_view method, std::string_view to) {
  Message request = Message::request(method, invite.request_uri().text());
  request.add_header("Via", invite.top_via().text());
  request.add_header("Max-Forwards", std::to_string(invite.max_forwards().value_or(70)));
  for (std::size_t i = 0; i < invite.header_count(); ++i) {
    const HeaderView field = invite.header_at(i);
    if (field.id == HeaderId::Route) request.add_header("Route", field.value);
  }
  request.add_header("From", invite.header(HeaderId::From).value_or(""));
  request.add_header("To", to);
  request.add_header("Call-ID", invite.call_id());
  request.add_header("CSeq", std::to_string(invite.cseq().number) + " " + std::string(method));
  return request;
}

}  // namespace

Message make_ack_for_non_2xx(const Message& invite, const Message& response) {
  DRSIM_CHECK(invite.method() == Method::Invite && response.is_response(),
              "an ACK needs the INVITE and its response");
  return request_copying_invite(invite, "ACK", response.header(HeaderId::To).value_or(""));
}

Message make_cancel(const Message& invite) {
  DRSIM_CHECK(invite.method() == Method::Invite, "a CANCEL copies an INVITE");
  return request_copying_invite(invite, "CANCEL", invite.header(HeaderId::To).value_or(""));
}

}  // namespace sip
