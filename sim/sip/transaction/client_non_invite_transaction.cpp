#include "sim/sip/transaction/client_non_invite_transaction.hpp"

#include <utility>

#include "sim/core/check.hpp"

namespace sip {

ClientNonInviteTransaction::ClientNonInviteTransaction(TransactionContext context,
                                                       Transport& transport, Message&& request)
    : context_(context),
      transport_(transport),
      request_(std::move(request)),
      timer_e_interval_(context_.timers.timer_e()) {
  DRSIM_CHECK(request_.is_request() && request_.method() != Method::Invite &&
                  request_.method() != Method::Ack,
              "a non-INVITE client transaction needs a request other than INVITE and ACK");
  auto key = client_key_of_request(request_);
  DRSIM_CHECK(key.has_value(), "a request without a top Via branch or CSeq");
  key_ = std::move(*key);
}

void ClientNonInviteTransaction::start() {
  // §17.1.2.2: "The Trying state is entered when the TU initiates a new client transaction."
  DRSIM_CHECK(state_ == State::Trying && !timer_f_.pending(), "start() called twice");
  transport_.send(request_);
  if (!transport_.reliable()) timer_e_ = context_.start_timer(timer_e_interval_, [this] { on_timer_e(); });
  timer_f_ = context_.start_timer(context_.timers.timer_f(), [this] { on_timer_f(); });
}

void ClientNonInviteTransaction::on_response(const Message& response) {
  // §17.1.2.2: Completed absorbs retransmitted finals until Timer K.
  if (state_ != State::Trying && state_ != State::Proceeding) return;
  if (response.status_code() < 200) {
    // §17.1.2.2: a 1xx moves Trying to Proceeding; Timer E keeps running (at T2 from its
    // next firing) because a non-INVITE request is retransmitted until a final response.
    state_ = State::Proceeding;
    return context_.user.on_response(key_, response);
  }
  // §17.1.2.2: a 200-699 goes to the TU and the transaction waits in Completed for Timer K.
  timer_e_.cancel();
  timer_f_.cancel();
  state_ = State::Completed;
  timer_k_ = context_.start_timer(context_.timers.timer_k(transport_.reliable()), [this] { on_timer_k(); });
  context_.user.on_response(key_, response);
}

void ClientNonInviteTransaction::on_transport_error() {
  // §17.1.2.2, Figure 6: Trying and Proceeding send the request; inform the TU.
  if (state_ != State::Trying && state_ != State::Proceeding) return;
  state_ = State::Terminated;
  context_.user.on_transport_error(key_);
  terminate();
}

void ClientNonInviteTransaction::on_timer_e() {
  // §17.1.2.2: retransmit; in Trying the interval doubles up to T2, in Proceeding it is T2.
  transport_.send(request_);
  timer_e_interval_ = state_ == State::Proceeding ? context_.timers.t2
                                                  : context_.timers.doubled_up_to_t2(timer_e_interval_);
  timer_e_ = context_.start_timer(timer_e_interval_, [this] { on_timer_e(); });
}

void ClientNonInviteTransaction::on_timer_f() {
  // §17.1.2.2: Timer F fires in Trying or Proceeding: inform the TU of the timeout.
  state_ = State::Terminated;
  context_.user.on_timeout(key_, TimerName::F);
  terminate();
}

void ClientNonInviteTransaction::on_timer_k() {
  // §17.1.2.2: Timer K fires in Completed: move to Terminated.
  terminate();
}

void ClientNonInviteTransaction::terminate() {
  state_ = State::Terminated;
  timer_e_.cancel();
  timer_f_.cancel();
  timer_k_.cancel();
  // A copy: the TU may destroy this transaction, key_ with it, while it handles the event.
  const TransactionKey key = key_;
  context_.user.on_terminated(key);
}

}  // namespace sip
