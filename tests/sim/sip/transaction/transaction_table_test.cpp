#include "sim/sip/transaction/transaction_table.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "sim/sip/transaction/client_invite_transaction.hpp"
#include "sim/sip/transaction/client_non_invite_transaction.hpp"
#include "sim/sip/transaction/server_invite_transaction.hpp"
#include "sim/sip/transaction/server_non_invite_transaction.hpp"
#include "tests/sim/sip/transaction/transaction_harness.hpp"

using namespace sim::time_literals;
using namespace transaction_harness;

namespace {

// A TU that keeps its transactions in tables and drops each one from on_terminated, as the
// transaction layer allows: the transaction is destroyed inside its own event.
class TableUser final : public sip::TransactionUser {
 public:
  void on_response(const sip::TransactionKey&, const sip::Message& response) override {
    log += "response " + std::to_string(response.status_code()) + "; ";
  }
  void on_timeout(const sip::TransactionKey&, sip::TimerName timer) override {
    log += std::string("timeout ") + static_cast<char>(timer) + "; ";
  }
  void on_transport_error(const sip::TransactionKey&) override { log += "transport error; "; }
  void on_terminated(const sip::TransactionKey& key) override {
    log += "dropped " + sip::describe(key) + "; ";
    client_invites.erase(key);
    client_non_invites.erase(key);
    server_invites.erase(key);
    server_non_invites.erase(key);
  }

  // Routes a response the way a transaction layer does (§17.1.3).
  void receive_response(const sip::Message& response) {
    const auto key = sip::client_key_of_response(response);
    REQUIRE(key);
    if (auto* invite = client_invites.find(*key)) return invite->on_response(response);
    if (auto* other = client_non_invites.find(*key)) return other->on_response(response);
    log += "stray response; ";  // §18.1.2: no transaction matched
  }

  sip::TransactionTable<sip::ClientInviteTransaction> client_invites;
  sip::TransactionTable<sip::ClientNonInviteTransaction> client_non_invites;
  sip::TransactionTable<sip::ServerInviteTransaction> server_invites;
  sip::TransactionTable<sip::ServerNonInviteTransaction> server_non_invites;
  std::string log;
};

}  // namespace

TEST_CASE("a TU can drop client transactions from on_terminated and later responses are strays") {
  Harness h(Wire::Udp);
  TableUser user;
  const sip::TransactionContext context{h.simulation, h.element.id(), h.timers, user};
  auto& invite_transaction = user.client_invites.add(
      std::make_unique<sip::ClientInviteTransaction>(context, h.transport, invite()));
  auto& options_transaction = user.client_non_invites.add(
      std::make_unique<sip::ClientNonInviteTransaction>(context, h.transport, options()));
  invite_transaction.start();
  options_transaction.start();
  const sip::Message busy = sip::make_response(invite_transaction.request(), 486, "", "b");
  const sip::Message ok = sip::make_response(options_transaction.request(), 200, "", "c");
  h.at(1_s, [&] { user.receive_response(busy); });
  h.at(2_s, [&] { user.receive_response(ok); });
  h.at(40_s, [&] { user.receive_response(busy); });  // after Timer D: no transaction left
  h.run();
  CHECK(user.log ==
        "response 486; response 200; dropped client z9hG4bKopt1 OPTIONS; "
        "dropped client z9hG4bK74bf9 INVITE; stray response; ");
  CHECK(user.client_invites.empty());
  CHECK(user.client_non_invites.empty());
}

TEST_CASE("a TU can drop server transactions from on_terminated after a timeout or a transport error") {
  Harness h(Wire::Udp);
  TableUser user;
  const sip::TransactionContext context{h.simulation, h.element.id(), h.timers, user};
  auto& invite_transaction = user.server_invites.add(
      std::make_unique<sip::ServerInviteTransaction>(context, h.transport, invite()));
  auto& options_transaction = user.server_non_invites.add(
      std::make_unique<sip::ServerNonInviteTransaction>(context, h.transport, options()));
  invite_transaction.send_response(sip::make_response(invite_transaction.request(), 486, "", "b"));
  options_transaction.send_response(sip::make_response(options_transaction.request(), 200, "", "c"));
  const sip::TransactionKey options_key = options_transaction.key();
  h.at(5_s, [&] {
    if (auto* found = user.server_non_invites.find(options_key)) found->on_transport_error();
  });
  h.run();
  CHECK(user.log ==
        "transport error; dropped server z9hG4bKopt1 sbc1.contoso.com:5061 OPTIONS; "
        "timeout H; dropped server z9hG4bK74bf9 sbc1.contoso.com:5061 INVITE; ");
  CHECK(user.server_invites.empty());
  CHECK(user.server_non_invites.empty());
}
