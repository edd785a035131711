#include "sim/sip/transaction/server_non_invite_transaction.hpp"

#include <utility>

#include "sim/core/check.hpp"

namespace sip {

ServerNonInviteTransaction::ServerNonInviteTransaction(TransactionContext context,
                                                       Transport& transport, Message request)
    : context_(context), transport_(transport), request_(std::move(request)) {
  DRSIM_CHECK(request_.is_request() && request_.method() != Method::Invite &&
                  request_.method() != Method::Ack,
              "a non-INVITE server transaction needs a request other than INVITE and ACK");
  auto key = server_key_of_request(request_);
  DRSIM_CHECK(key.has_value(), "a request without an RFC 3261 branch or a CSeq");
  key_ = std::move(*key);
}

ServerNonInviteTransaction::ServerNonInviteTransaction(TransactionContext context, Transport& transport,
                                                       const Message& request, TransactionKey key)
    : context_(context), transport_(transport), request_(request), key_(std::move(key)) {
  DRSIM_CHECK(request_.is_request() && request_.method() != Method::Invite &&
                  request_.method() != Method::Ack,
              "a non-INVITE server transaction needs a request other than INVITE and ACK");
}

void ServerNonInviteTransaction::send_response(Message&& response) {
  DRSIM_CHECK(response.is_response(), "send_response() needs a response");
  DRSIM_CHECK(state_ != State::Terminated, "a response from the TU after Terminated");
  // §17.2.2: "Any other final responses passed by the TU to the server transaction MUST be
  // discarded while in the Completed state."
  if (state_ == State::Completed) return;
  last_response_ = std::move(response);
  transport_.send(last_response_);
  if (last_response_.status_code() < 200) {
    state_ = State::Proceeding;  // §17.2.2: a 1xx moves Trying to Proceeding
    return;
  }
  // §17.2.2: a final response moves to Completed, which answers retransmissions until Timer J.
  state_ = State::Completed;
  timer_j_ = context_.start_timer(context_.timers.timer_j(transport_.reliable()), [this] { on_timer_j(); });
}

void ServerNonInviteTransaction::on_request(const Message& /*retransmission*/) {
  // §17.2.2: Trying discards retransmissions (the TU has not answered yet); Proceeding and
  // Completed send the latest response again.
  if (state_ == State::Proceeding || state_ == State::Completed) transport_.send(last_response_);
}

void ServerNonInviteTransaction::on_transport_error() {
  // §17.2.4 and Figure 8: Proceeding and Completed send responses; inform the TU.
  if (state_ != State::Proceeding && state_ != State::Completed) return;
  state_ = State::Terminated;
  context_.user.on_transport_error(key_);
  terminate();
}

void ServerNonInviteTransaction::on_timer_j() {
  // §17.2.2: Timer J fires in Completed: move to Terminated.
  terminate();
}

void ServerNonInviteTransaction::terminate() {
  state_ = State::Terminated;
  timer_j_.cancel();
  // A copy: the TU may destroy this transaction, key_ with it, while it handles the event.
  const TransactionKey key = key_;
  context_.user.on_terminated(key);
}

}  // namespace sip
