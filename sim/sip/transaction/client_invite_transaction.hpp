#pragma once
// The INVITE client transaction: RFC 3261 §17.1.1 (Figure 5) as amended by RFC 6026 §8.4
// (Figure 3), which adds the Accepted state so that 2xx retransmissions and forked 2xx
// responses still find the transaction and reach the TU.
//
//   Calling --1xx--> Proceeding --300-699 (send ACK)--> Completed --Timer D--> Terminated
//   Calling/Proceeding --2xx--> Accepted --Timer M--> Terminated
//   Calling --Timer B or transport error--> Terminated
#include <cstdint>

#include "sim/core/timer.hpp"
#include "sim/sip/message.hpp"
#include "sim/sip/transaction/transaction_user.hpp"
#include "sim/sip/transport.hpp"

namespace sip {

class ClientInviteTransaction {
 public:
  enum class State : std::uint8_t { Calling, Proceeding, Completed, Accepted, Terminated };
  // §16.6 step 11: only a proxy's INVITE client transactions run Timer C.
  enum class TimerC : std::uint8_t { Off, On };

  // `invite` carries the top Via with this transaction's branch. Nothing is sent until start().
  ClientInviteTransaction(TransactionContext context, Transport& transport, Message&& invite,
                          TimerC timer_c = TimerC::Off);
  ClientInviteTransaction(TransactionContext context, Transport& transport, const Message& invite,
                          TimerC timer_c = TimerC::Off)
      : ClientInviteTransaction(context, transport, Message(invite), timer_c) {}
  ClientInviteTransaction(const ClientInviteTransaction&) = delete;
  ClientInviteTransaction& operator=(const ClientInviteTransaction&) = delete;

  // §17.1.1.2: enter Calling, send the INVITE, start Timer A (unreliable only) and Timer B.
  void start();
  // A response that matched this transaction (§17.1.3).
  void on_response(const Message& response);
  // §17.1.1.2, Figure 5: the transport could not send the INVITE or the ACK.
  void on_transport_error();

  State state() const { return state_; }
  const TransactionKey& key() const { return key_; }
  // The flow the transaction sends on (TransactionLayer::flow_failed matches it).
  const Transport& transport() const { return transport_; }
  const Message& request() const { return invite_; }
  // The ACK sent for a non-2xx final response (empty before one arrived).
  const Message& ack() const { return ack_; }

 private:
  void on_provisional(const Message& response);
  void on_success(const Message& response);
  void on_failure(const Message& response);
  void on_timer_a();
  void on_timer_b();
  void on_timer_c();
  void on_timer_d();
  void on_timer_m();
  void stop_calling_timers();
  void terminate();

  TransactionContext context_;
  Transport& transport_;
  Message invite_;
  Message ack_;
  TransactionKey key_;
  State state_ = State::Calling;
  bool runs_timer_c_ = false;
  sim::Time timer_a_interval_;
  sim::TimerHandle timer_a_;
  sim::TimerHandle timer_b_;
  sim::TimerHandle timer_c_;
  sim::TimerHandle timer_d_;
  sim::TimerHandle timer_m_;
};

// §17.1.1.3: the ACK for a non-2xx final response: the INVITE's Request-URI, Call-ID, From, top
// Via (the only Via) and Route headers, the response's To (with its tag), and the INVITE's CSeq
// number with the method ACK. Max-Forwards is the INVITE's, as the ACK takes the same path.
Message make_ack_for_non_2xx(const Message& invite, const Message& response);

// §9.1: the CANCEL of an INVITE: its Request-URI, top Via (same branch, so it reaches the same
// server transaction's element), Max-Forwards, Route headers, From, To (no tag added), Call-ID
// and CSeq number with the method CANCEL. The caller sends it where the INVITE went, as a
// non-INVITE client transaction of its own.
Message make_cancel(const Message& invite);

}  // namespace sip
