#include "sim/sip/transaction/transaction_layer.hpp"

#include <algorithm>
#include <vector>

namespace sip {
namespace {

bool is_invite_key(const TransactionKey& key) { return key.method == "INVITE"; }

}  // namespace

TransactionLayer::TransactionLayer(sim::Simulation& simulation, sim::ActorId owner, std::string_view actor_name,
                                   TimerValues timers, SipCore& core)
    : simulation_(simulation), owner_(owner), timers_(timers), core_(core), branch_sender_(branch_sender_id(actor_name)) {}

TransactionLayer::~TransactionLayer() = default;

std::string TransactionLayer::new_branch() { return make_branch(branch_sender_, ++branch_counter_); }

TransactionKey TransactionLayer::send_request(Message request, Transport& flow, ClientInviteTransaction::TimerC timer_c) {
  const auto key = client_key_of_request(request);
  DRSIM_CHECK(key.has_value(), "a request sent without a top Via branch (use new_branch())");
  DRSIM_CHECK(request.method() != Method::Ack, "an ACK is not a transaction: send it on its flow (§13.2.2.4)");
  if (request.method() == Method::Invite)
    client_invites_.add(std::make_unique<ClientInviteTransaction>(context(), flow, std::move(request), timer_c)).start();
  else
    client_non_invites_.add(std::make_unique<ClientNonInviteTransaction>(context(), flow, std::move(request))).start();
  return *key;
}

bool TransactionLayer::respond(const TransactionKey& key, Message response) {
  if (is_invite_key(key)) {
    ServerInviteTransaction* transaction = server_invites_.find(key);
    if (transaction == nullptr) return false;
    transaction->send_response(std::move(response));
    return true;
  }
  ServerNonInviteTransaction* transaction = server_non_invites_.find(key);
  if (transaction == nullptr) return false;
  transaction->send_response(std::move(response));
  return true;
}

void TransactionLayer::receive(const Message& message, Transport& flow) {
  if (message.is_request()) receive_request(message, flow);
  else receive_response(message, flow);
}

void TransactionLayer::receive_response(const Message& response, Transport& flow) {
  const auto key = client_key_view_of_response(response);
  if (!key) return;  // §18.1.2: a response no transaction can own is discarded
  if (key->method == "INVITE") {
    if (ClientInviteTransaction* transaction = client_invites_.find(*key)) return transaction->on_response(response);
  } else if (ClientNonInviteTransaction* transaction = client_non_invites_.find(*key)) {
    return transaction->on_response(response);
  }
  core_.on_stray_response(response, flow);
}

void TransactionLayer::receive_request(const Message& request, Transport& flow) {
  const auto key = server_key_of_request(request);
  if (!key) {
    // §8.2: a request the stack cannot place is answered 400, except an ACK (§17.2.1).
    if (request.method() != Method::Ack) flow.send(make_response(request, 400, "Bad Request", ""));
    return;
  }
  if (request.method() == Method::Ack) {
    // §17.2.3: an ACK for a non-2xx matches the INVITE's transaction; one for a 2xx does not
    // (RFC 6026 §8.7 passes it up from Accepted), and without a transaction it is the core's.
    if (ServerInviteTransaction* transaction = server_invites_.find(*key)) return transaction->on_request(request);
    return core_.on_request(*key, request, flow);
  }
  if (request.method() == Method::Invite) {
    if (ServerInviteTransaction* transaction = server_invites_.find(*key)) return transaction->on_request(request);
    server_invites_.add(std::make_unique<ServerInviteTransaction>(context(), flow, request, *key));
  } else {
    if (ServerNonInviteTransaction* transaction = server_non_invites_.find(*key)) return transaction->on_request(request);
    server_non_invites_.add(std::make_unique<ServerNonInviteTransaction>(context(), flow, request, *key));
  }
  core_.on_request(*key, request, flow);
}

void TransactionLayer::flow_failed(const Transport& flow) {
  // Each transaction knows its flow, so no second table maps keys to flows; a flow failing is
  // rare, and sorting the affected keys gives the one order across the four tables.
  std::vector<TransactionKey> affected;
  const auto collect = [&](const auto& transaction) {
    if (&transaction.transport() == &flow) affected.push_back(transaction.key());
  };
  client_invites_.for_each(collect);
  client_non_invites_.for_each(collect);
  server_invites_.for_each(collect);
  server_non_invites_.for_each(collect);
  std::sort(affected.begin(), affected.end());
  // Each report may terminate and erase its transaction (and the core may start others), so
  // look every key up again.
  for (const TransactionKey& key : affected) {
    const bool invite = is_invite_key(key);
    if (key.side == TransactionSide::Client) {
      if (invite) {
        if (auto* transaction = client_invites_.find(key)) transaction->on_transport_error();
      } else if (auto* transaction = client_non_invites_.find(key)) {
        transaction->on_transport_error();
      }
    } else if (invite) {
      if (auto* transaction = server_invites_.find(key)) transaction->on_transport_error();
    } else if (auto* transaction = server_non_invites_.find(key)) {
      transaction->on_transport_error();
    }
  }
}

void TransactionLayer::on_response(const TransactionKey& key, const Message& response) { core_.on_response(key, response); }

void TransactionLayer::on_timeout(const TransactionKey& key, TimerName timer) { core_.on_timeout(key, timer); }

void TransactionLayer::on_transport_error(const TransactionKey& key) { core_.on_transport_error(key); }

void TransactionLayer::on_ack(const TransactionKey& key, const Message& ack) { core_.on_ack(key, ack); }

void TransactionLayer::on_timer_c(const TransactionKey& key) { core_.on_timer_c(key); }

void TransactionLayer::on_terminated(const TransactionKey& key) {
  const bool invite = is_invite_key(key);
  if (key.side == TransactionSide::Client) {
    if (invite) client_invites_.erase(key);
    else client_non_invites_.erase(key);
  } else if (invite) {
    server_invites_.erase(key);
  } else {
    server_non_invites_.erase(key);
  }
  core_.on_terminated(key);
}

}  // namespace sip
