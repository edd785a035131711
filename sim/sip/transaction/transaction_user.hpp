#pragma once
// What a transaction needs from its owner: the simulation its timers run in, the actor they
// run as, the timer values, and the transaction user (TU, RFC 3261 §5) it reports to.
#include "sim/core/simulation.hpp"
#include "sim/sip/message.hpp"
#include "sim/sip/transaction/timer_values.hpp"
#include "sim/sip/transaction/transaction_key.hpp"

namespace sip {

// The TU's side of the transaction layer: typed events, each naming the transaction by its
// key. A transaction calls one of these as the last thing it does in a handler, except that
// on_timeout and on_transport_error are followed by on_terminated. So the TU may destroy the
// transaction from on_terminated (or from on_timer_c), and from no other callback.
class TransactionUser {
 public:
  virtual ~TransactionUser() = default;

  // Client side: a response for the TU. §17.1.1.2/§17.1.2.2: every provisional and the first
  // final; RFC 6026 §8.4: every further 2xx of an INVITE (retransmissions, forked answers).
  // Retransmitted non-2xx finals are absorbed.
  virtual void on_response(const TransactionKey& key, const Message& response) = 0;

  // Timer B or F (client, §17.1.1.2, §17.1.2.2) or Timer H (server, §17.2.1) fired: the peer
  // never answered, or never acknowledged. A client TU treats it as a 408 (§8.1.3.1).
  virtual void on_timeout(const TransactionKey& key, TimerName timer) = 0;

  // The transport failed to deliver this transaction's message (§17.1.4, §17.2.4). A client
  // TU treats it as a 503 (§8.1.3.1).
  virtual void on_transport_error(const TransactionKey& key) = 0;

  // The transaction reached Terminated: the TU drops it from its table (§17.1.1.2: "MUST be
  // destroyed immediately").
  virtual void on_terminated(const TransactionKey& key) = 0;

  // Server side, RFC 6026 §8.7: an ACK that matched an INVITE server transaction in Accepted,
  // i.e. one acknowledging the TU's 2xx; the 2xx and its ACK belong to the TU.
  virtual void on_ack(const TransactionKey& key, const Message& ack) {
    static_cast<void>(key);
    static_cast<void>(ack);
  }

  // §16.8: Timer C fired on a proxy's INVITE client transaction. The proxy CANCELs the branch
  // if it saw a provisional response, and otherwise acts as if it received a 408.
  virtual void on_timer_c(const TransactionKey& key) { static_cast<void>(key); }
};

struct TransactionContext {
  sim::Simulation& simulation;
  sim::ActorId owner;   // timers fire as this actor's events
  TimerValues timers;   // the owner's T1, T2, T4 and what derives from them
  TransactionUser& user;

  sim::Time now() const { return simulation.now(); }
  sim::TimerHandle start_timer(sim::Time delay, sim::TimerCallback callback) const {
    return simulation.schedule_timer(simulation.now() + delay, owner, std::move(callback));
  }
};

}  // namespace sip
