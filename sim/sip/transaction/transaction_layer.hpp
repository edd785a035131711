#pragma once
// The transaction layer of one SIP element as its core sees it (RFC 3261 §17): it creates the
// client transactions the core asks for, matches what arrives to the transactions it holds
// (§17.1.3, §17.2.3), creates a server transaction for each new request (§17.2), and hands
// the core only what the RFC says reaches the TU. The four machines live in their own files;
// this is their table and dispatcher, so the SBC, the proxy and the carrier share one.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "sim/sip/transaction/client_invite_transaction.hpp"
#include "sim/sip/transaction/client_non_invite_transaction.hpp"
#include "sim/sip/transaction/server_invite_transaction.hpp"
#include "sim/sip/transaction/server_non_invite_transaction.hpp"
#include "sim/sip/transaction/transaction_table.hpp"
#include "sim/sip/transaction/transaction_user.hpp"
#include "sim/sip/transport.hpp"

namespace sip {

// The core (UA core or proxy core, §8, §16) above the transaction layer. Transaction events
// arrive through TransactionUser; on_terminated needs no action (the layer drops the
// transaction itself).
class SipCore : public TransactionUser {
 public:
  // A request that matched no transaction. For everything but ACK a server transaction now
  // exists under `key`; answer through TransactionLayer::respond. An ACK here acknowledges a
  // 2xx (§17.2.3: it never matches the INVITE's server transaction), so it belongs to the
  // core's dialog, as does a CANCEL's target, found by invite_key_of_cancel(). `flow` is the
  // one it arrived on and lives at least until the core returns.
  virtual void on_request(const TransactionKey& key, const Message& request, Transport& flow) = 0;
  // §17.1.1.2, RFC 6026 §8.4: a response that matched no client transaction, e.g. a 2xx
  // retransmitted after Timer M; a UAC core answers a retransmitted 2xx with its ACK again.
  virtual void on_stray_response(const Message& response, Transport& flow) {
    static_cast<void>(response);
    static_cast<void>(flow);
  }
  void on_terminated(const TransactionKey& key) override { static_cast<void>(key); }
};

class TransactionLayer final : private TransactionUser {
 public:
  // Timers fire as events of `owner`; `actor_name` seeds the branch generator (make_branch).
  TransactionLayer(sim::Simulation& simulation, sim::ActorId owner, std::string_view actor_name, TimerValues timers,
                   SipCore& core);
  TransactionLayer(const TransactionLayer&) = delete;
  TransactionLayer& operator=(const TransactionLayer&) = delete;
  ~TransactionLayer() override;

  // §8.1.1.7: a fresh branch for the top Via of a request this element starts.
  std::string new_branch();
  const TimerValues& timers() const { return timers_; }

  // §17.1: starts a client transaction for `request` (whose top Via carries a branch from
  // new_branch()) on `flow`, which must outlive it or be reported through flow_failed().
  // INVITE gets an INVITE client transaction (with Timer C for a proxy), the rest a
  // non-INVITE one; ACK and CANCEL's own rules are the core's (an ACK for a 2xx is sent
  // directly on a flow, §13.2.2.4). Returns the transaction's key.
  TransactionKey send_request(Message request, Transport& flow,
                              ClientInviteTransaction::TimerC timer_c = ClientInviteTransaction::TimerC::Off);
  // A response from the core for the server transaction `key`. False when that transaction is
  // gone (it timed out or terminated meanwhile): the response is not sent.
  bool respond(const TransactionKey& key, Message response);

  // A message that arrived on `flow`, parsed. Requests without a usable key (no Via, a branch
  // without the magic cookie, §17.2.3) are answered 400 when they are not ACKs.
  void receive(const Message& message, Transport& flow);
  // The flow broke (connection refused, reset or timed out, TLS failed, ICMP unreachable):
  // every transaction using it hears on_transport_error (§17.1.4, §17.2.4), in key order.
  void flow_failed(const Transport& flow);

  std::size_t client_transaction_count() const { return client_invites_.size() + client_non_invites_.size(); }
  std::size_t server_transaction_count() const { return server_invites_.size() + server_non_invites_.size(); }
  const ClientInviteTransaction* find_client_invite(const TransactionKey& key) const { return client_invites_.find(key); }
  const ServerInviteTransaction* find_server_invite(const TransactionKey& key) const { return server_invites_.find(key); }

 private:
  // TransactionUser: what the transactions report, passed on to the core.
  void on_response(const TransactionKey& key, const Message& response) override;
  void on_timeout(const TransactionKey& key, TimerName timer) override;
  void on_transport_error(const TransactionKey& key) override;
  void on_terminated(const TransactionKey& key) override;
  void on_ack(const TransactionKey& key, const Message& ack) override;
  void on_timer_c(const TransactionKey& key) override;

  void receive_response(const Message& response, Transport& flow);
  void receive_request(const Message& request, Transport& flow);
  TransactionContext context() { return TransactionContext{simulation_, owner_, timers_, *this}; }

  sim::Simulation& simulation_;
  sim::ActorId owner_;
  TimerValues timers_;
  SipCore& core_;
  std::uint32_t branch_sender_;
  std::uint64_t branch_counter_ = 0;
  TransactionTable<ClientInviteTransaction> client_invites_;
  TransactionTable<ClientNonInviteTransaction> client_non_invites_;
  TransactionTable<ServerInviteTransaction> server_invites_;
  TransactionTable<ServerNonInviteTransaction> server_non_invites_;
};

}  // namespace sip
