#include "sim/sip/transaction/server_invite_transaction.hpp"

#include <utility>

#include "sim/core/check.hpp"
#include "sim/core/prefetch.hpp"

namespace sip {

ServerInviteTransaction::ServerInviteTransaction(TransactionContext context, Transport& transport,
                                                 Message invite)
    : context_(context),
      transport_(transport),
      invite_(std::move(invite)),
      timer_g_interval_(context_.timers.timer_g()) {
  DRSIM_CHECK(invite_.is_request() && invite_.method() == Method::Invite,
              "an INVITE server transaction needs an INVITE");
  auto key = server_key_of_request(invite_);
  DRSIM_CHECK(key.has_value(), "an INVITE without an RFC 3261 branch or a CSeq");
  key_ = std::move(*key);
  start_trying_deadline();
}

ServerInviteTransaction::ServerInviteTransaction(TransactionContext context, Transport& transport,
                                                 const Message& invite, TransactionKey key)
    : context_(context),
      transport_(transport),
      invite_(invite),
      key_(std::move(key)),
      timer_g_interval_(context_.timers.timer_g()) {
  DRSIM_CHECK(invite_.is_request() && invite_.method() == Method::Invite,
              "an INVITE server transaction needs an INVITE");
  start_trying_deadline();
}

void ServerInviteTransaction::start_trying_deadline() {
  // §17.2.1: the transaction MUST send 100 Trying unless it knows the TU answers within
  // 200 ms. It cannot know, so it waits trying_delay and sends one if the TU stayed silent.
  trying_deadline_ = context_.start_timer(context_.timers.trying_delay, [this] { on_trying_deadline(); });
}

void ServerInviteTransaction::send_response(Message&& response) {
  DRSIM_CHECK(response.is_response(), "send_response() needs a response");
  const int code = response.status_code();
  if (state_ == State::Accepted) {
    // RFC 6026 §8.7: a 2xx from the TU in Accepted is passed to the transport.
    DRSIM_CHECK(code >= 200 && code < 300, "only a 2xx may follow a 2xx");
    return transport_.send(response);
  }
  DRSIM_CHECK(state_ == State::Proceeding, "a response from the TU after the final response");
  // Every path below moves the response into last_response_, 1,360 bytes of a transaction last
  // touched when its request arrived: request the lines together (sim/core/prefetch.hpp).
  sim::prefetch_lines<sim::PrefetchFor::Write>(&last_response_, sizeof last_response_);
  trying_deadline_.cancel();
  if (code >= 300) return send_final_failure(std::move(response));
  if (code >= 200) return send_success(std::move(response));
  // §17.2.1: a provisional from the TU is sent and kept for request retransmissions.
  last_response_ = std::move(response);
  transport_.send(last_response_);
}

void ServerInviteTransaction::send_final_failure(Message&& response) {
  // §17.2.1: a 300-699 from the TU is sent; Completed retransmits it on Timer G (unreliable
  // only) until the ACK, and gives up on the ACK at Timer H.
  state_ = State::Completed;
  last_response_ = std::move(response);
  transport_.send(last_response_);
  if (!transport_.reliable()) timer_g_ = context_.start_timer(timer_g_interval_, [this] { on_timer_g(); });
  timer_h_ = context_.start_timer(context_.timers.timer_h(), [this] { on_timer_h(); });
}

void ServerInviteTransaction::send_success(Message&& response) {
  // RFC 6026 §8.7: a 2xx from the TU is sent and the transaction enters Accepted with Timer L;
  // the UAS core, not the transaction, retransmits the 2xx until its ACK (§13.3.1.4).
  state_ = State::Accepted;
  last_response_ = std::move(response);
  transport_.send(last_response_);
  timer_l_ = context_.start_timer(context_.timers.timer_l(), [this] { on_timer_l(); });
}

void ServerInviteTransaction::on_request(const Message& request) {
  DRSIM_CHECK(request.method() == Method::Invite || request.method() == Method::Ack,
              "only an INVITE or an ACK matches an INVITE server transaction");
  if (request.method() == Method::Invite) return on_retransmitted_invite();
  on_ack(request);
}

void ServerInviteTransaction::on_retransmitted_invite() {
  // §17.2.1: Proceeding answers a retransmission with the latest provisional (if the TU or the
  // 100 Trying deadline produced one), Completed with the final response. RFC 6026 §8.7:
  // Accepted absorbs it, as does Confirmed.
  if (state_ == State::Proceeding && last_response_.status_code() != 0) transport_.send(last_response_);
  if (state_ == State::Completed) transport_.send(last_response_);
}

void ServerInviteTransaction::on_ack(const Message& ack) {
  if (state_ == State::Accepted) return context_.user.on_ack(key_, ack);  // RFC 6026 §8.7
  // §17.2.1: the ACK for the non-2xx ends retransmissions; Confirmed absorbs further ACKs
  // until Timer I.
  if (state_ != State::Completed) return;
  timer_g_.cancel();
  timer_h_.cancel();
  state_ = State::Confirmed;
  timer_i_ = context_.start_timer(context_.timers.timer_i(transport_.reliable()), [this] { on_timer_i(); });
}

void ServerInviteTransaction::on_transport_error() {
  // RFC 6026 Figure 5: in Accepted the TU hears of it and the transaction stays, because the
  // 2xx and its retransmissions are the TU's.
  if (state_ == State::Accepted) return context_.user.on_transport_error(key_);
  // §17.2.4 and Figure 7: Proceeding and Completed send responses; inform the TU.
  if (state_ != State::Proceeding && state_ != State::Completed) return;
  state_ = State::Terminated;
  context_.user.on_transport_error(key_);
  terminate();
}

void ServerInviteTransaction::on_trying_deadline() {
  // §17.2.1: the TU sent nothing within trying_delay: send 100 Trying, which request
  // retransmissions then get again.
  last_response_ = make_response(invite_, 100, "Trying");
  transport_.send(last_response_);
}

void ServerInviteTransaction::on_timer_g() {
  // §17.2.1: retransmit the final response; the interval doubles up to T2.
  transport_.send(last_response_);
  timer_g_interval_ = context_.timers.doubled_up_to_t2(timer_g_interval_);
  timer_g_ = context_.start_timer(timer_g_interval_, [this] { on_timer_g(); });
}

void ServerInviteTransaction::on_timer_h() {
  // §17.2.1: "it implies that the ACK was never received": Terminated, and the TU is told.
  state_ = State::Terminated;
  context_.user.on_timeout(key_, TimerName::H);
  terminate();
}

void ServerInviteTransaction::on_timer_i() {
  // §17.2.1: Timer I fires in Confirmed: move to Terminated.
  terminate();
}

void ServerInviteTransaction::on_timer_l() {
  // RFC 6026 §8.7: Timer L fires in Accepted: move to Terminated.
  terminate();
}

void ServerInviteTransaction::terminate() {
  state_ = State::Terminated;
  trying_deadline_.cancel();
  timer_g_.cancel();
  timer_h_.cancel();
  timer_i_.cancel();
  timer_l_.cancel();
  // A copy: the TU may destroy this transaction, key_ with it, while it handles the event.
  const TransactionKey key = key_;
  context_.user.on_terminated(key);
}

}  // namespace sip
