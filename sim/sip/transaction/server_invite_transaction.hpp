#pragma once
// The INVITE server transaction: RFC 3261 §17.2.1 (Figure 7) as amended by RFC 6026 §8.7
// (Figure 5), which keeps the transaction in Accepted after a 2xx so that INVITE
// retransmissions are absorbed and the 2xx and its ACK stay with the TU.
//
//   Proceeding --300-699 from TU--> Completed --ACK--> Confirmed --Timer I--> Terminated
//   Proceeding --2xx from TU--> Accepted --Timer L--> Terminated
//   Completed --Timer H--> Terminated (the TU hears of the timeout)
#include <cstdint>

#include "sim/core/timer.hpp"
#include "sim/sip/message.hpp"
#include "sim/sip/transaction/transaction_user.hpp"
#include "sim/sip/transport.hpp"

namespace sip {

class ServerInviteTransaction {
 public:
  enum class State : std::uint8_t { Proceeding, Completed, Confirmed, Accepted, Terminated };

  // §17.2.1: created in Proceeding for an INVITE that matched no transaction, on the flow it
  // arrived on; the TU already has the INVITE. Starts the 100 Trying deadline (trying_delay).
  ServerInviteTransaction(TransactionContext context, Transport& transport, Message invite);
  // The same, with the key server_key_of_request(invite) gives, which the TransactionLayer has
  // already computed to look the INVITE up: it is neither computed again nor the INVITE moved.
  ServerInviteTransaction(TransactionContext context, Transport& transport, const Message& invite,
                          TransactionKey key);
  ServerInviteTransaction(const ServerInviteTransaction&) = delete;
  ServerInviteTransaction& operator=(const ServerInviteTransaction&) = delete;

  // A response from the TU. Any 1xx or final in Proceeding; further 2xx in Accepted (RFC 6026
  // §8.7: retransmissions by the UAS core, or a proxy's forked answers). Anything else is a TU
  // bug and aborts.
  void send_response(Message&& response);
  void send_response(const Message& response) { send_response(Message(response)); }
  // A request that matched this transaction (§17.2.3): a retransmitted INVITE or an ACK.
  void on_request(const Message& request);
  // §17.2.4: the transport could not send a response.
  void on_transport_error();

  State state() const { return state_; }
  const TransactionKey& key() const { return key_; }
  // The flow the transaction sends on (TransactionLayer::flow_failed matches it).
  const Transport& transport() const { return transport_; }
  const Message& request() const { return invite_; }
  // The response retransmitted on a request retransmission or Timer G (empty before one).
  const Message& last_response() const { return last_response_; }

 private:
  void start_trying_deadline();
  void send_final_failure(Message&& response);
  void send_success(Message&& response);
  void on_retransmitted_invite();
  void on_ack(const Message& ack);
  void on_trying_deadline();
  void on_timer_g();
  void on_timer_h();
  void on_timer_i();
  void on_timer_l();
  void terminate();

  TransactionContext context_;
  Transport& transport_;
  Message invite_;
  Message last_response_;
  TransactionKey key_;
  State state_ = State::Proceeding;
  sim::Time timer_g_interval_;
  sim::TimerHandle trying_deadline_;
  sim::TimerHandle timer_g_;
  sim::TimerHandle timer_h_;
  sim::TimerHandle timer_i_;
  sim::TimerHandle timer_l_;
};

}  // namespace sip
