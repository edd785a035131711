#pragma once
// The non-INVITE client transaction: RFC 3261 §17.1.2 (Figure 6).
//
//   Trying --1xx--> Proceeding --200-699--> Completed --Timer K--> Terminated
//   Trying --200-699--> Completed
//   Trying/Proceeding --Timer F or transport error--> Terminated
#include <cstdint>

#include "sim/core/timer.hpp"
#include "sim/sip/message.hpp"
#include "sim/sip/transaction/transaction_user.hpp"
#include "sim/sip/transport.hpp"

namespace sip {

class ClientNonInviteTransaction {
 public:
  enum class State : std::uint8_t { Trying, Proceeding, Completed, Terminated };

  // Any request but INVITE and ACK (an ACK is never a transaction of its own, §17).
  ClientNonInviteTransaction(TransactionContext context, Transport& transport, Message&& request);
  ClientNonInviteTransaction(TransactionContext context, Transport& transport, const Message& request)
      : ClientNonInviteTransaction(context, transport, Message(request)) {}
  ClientNonInviteTransaction(const ClientNonInviteTransaction&) = delete;
  ClientNonInviteTransaction& operator=(const ClientNonInviteTransaction&) = delete;

  // §17.1.2.2: enter Trying, send the request, start Timer F and (unreliable only) Timer E.
  void start();
  // A response that matched this transaction (§17.1.3).
  void on_response(const Message& response);
  // §17.1.2.2, Figure 6: the transport could not send the request.
  void on_transport_error();

  State state() const { return state_; }
  const TransactionKey& key() const { return key_; }
  // The flow the transaction sends on (TransactionLayer::flow_failed matches it).
  const Transport& transport() const { return transport_; }
  const Message& request() const { return request_; }

 private:
  void on_timer_e();
  void on_timer_f();
  void on_timer_k();
  void terminate();

  TransactionContext context_;
  Transport& transport_;
  Message request_;
  TransactionKey key_;
  State state_ = State::Trying;
  sim::Time timer_e_interval_;
  sim::TimerHandle timer_e_;
  sim::TimerHandle timer_f_;
  sim::TimerHandle timer_k_;
};

}  // namespace sip
