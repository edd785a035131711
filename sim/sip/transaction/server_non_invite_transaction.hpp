#pragma once
// The non-INVITE server transaction: RFC 3261 §17.2.2 (Figure 8).
//
//   Trying --1xx from TU--> Proceeding --200-699 from TU--> Completed --Timer J--> Terminated
//   Trying --200-699 from TU--> Completed
//   Proceeding/Completed --transport error--> Terminated
#include <cstdint>

#include "sim/core/timer.hpp"
#include "sim/sip/message.hpp"
#include "sim/sip/transaction/transaction_user.hpp"
#include "sim/sip/transport.hpp"

namespace sip {

class ServerNonInviteTransaction {
 public:
  enum class State : std::uint8_t { Trying, Proceeding, Completed, Terminated };

  // §17.2.2: created in Trying for a request (not INVITE, not ACK) that matched no
  // transaction, on the flow it arrived on; the TU already has the request.
  ServerNonInviteTransaction(TransactionContext context, Transport& transport, Message request);
  // The same, with the key server_key_of_request(request) gives (see ServerInviteTransaction).
  ServerNonInviteTransaction(TransactionContext context, Transport& transport, const Message& request,
                             TransactionKey key);
  ServerNonInviteTransaction(const ServerNonInviteTransaction&) = delete;
  ServerNonInviteTransaction& operator=(const ServerNonInviteTransaction&) = delete;

  // A response from the TU (§17.2.2). Responses after the final one are discarded, as the RFC
  // says; a response after Terminated is a TU bug and aborts.
  void send_response(Message&& response);
  void send_response(const Message& response) { send_response(Message(response)); }
  // A retransmission of the request that matched this transaction (§17.2.3).
  void on_request(const Message& request);
  // §17.2.4: the transport could not send a response.
  void on_transport_error();

  State state() const { return state_; }
  const TransactionKey& key() const { return key_; }
  // The flow the transaction sends on (TransactionLayer::flow_failed matches it).
  const Transport& transport() const { return transport_; }
  const Message& request() const { return request_; }
  const Message& last_response() const { return last_response_; }

 private:
  void on_timer_j();
  void terminate();

  TransactionContext context_;
  Transport& transport_;
  Message request_;
  Message last_response_;
  TransactionKey key_;
  State state_ = State::Trying;
  sim::TimerHandle timer_j_;
};

}  // namespace sip
