#include "sim/sip/transaction/server_non_invite_transaction.hpp"

#include <doctest/doctest.h>

#include "tests/sim/sip/transaction/transaction_harness.hpp"

using namespace sim::time_literals;
using namespace transaction_harness;
using sip::ServerNonInviteTransaction;
using State = sip::ServerNonInviteTransaction::State;

namespace {

sip::Message answer(const sip::Message& request, int code) {
  return sip::make_response(request, code, "", "proxy1");
}

}  // namespace

TEST_CASE("a retransmitted request gets the last response again and Timer J ends Completed at 32 s over UDP") {
  Harness h(Wire::Udp);
  ServerNonInviteTransaction transaction(h.context(), h.transport, options());
  h.at(500_ms, [&] { transaction.on_request(options()); });  // Trying: nothing to repeat yet
  h.at(1_s, [&] { transaction.send_response(answer(transaction.request(), 200)); });
  h.at(1500_ms, [&] { transaction.on_request(options()); });
  h.at(3500_ms, [&] { transaction.on_request(options()); });
  h.run_until(30_s);
  CHECK(transaction.state() == State::Completed);
  h.run();
  CHECK(h.transport.log() == "1s 200 OK, 1.5s 200 OK, 3.5s 200 OK");
  // §17.2.2: Timer J = 64*T1 after the final response.
  CHECK(h.user.log() == "33s terminated");
}

TEST_CASE("in Proceeding a retransmitted request gets the last provisional") {
  Harness h(Wire::Udp);
  ServerNonInviteTransaction transaction(h.context(), h.transport, options());
  h.at(300_ms, [&] { transaction.send_response(answer(transaction.request(), 100)); });
  h.at(500_ms, [&] { transaction.on_request(options()); });
  h.run_until(1_s);
  CHECK(h.transport.log() == "0.3s 100 Trying, 0.5s 100 Trying");
  CHECK(transaction.state() == State::Proceeding);
}

TEST_CASE("over TCP Timer J is zero so the final response ends the transaction") {
  Harness h(Wire::Tcp);
  ServerNonInviteTransaction transaction(h.context(), h.transport, options("TCP"));
  h.at(1_s, [&] { transaction.send_response(answer(transaction.request(), 200)); });
  h.run();
  CHECK(h.transport.log() == "1s 200 OK");
  CHECK(h.user.log() == "1s terminated");
}

TEST_CASE("final responses from the TU after the first are discarded") {
  Harness h(Wire::Udp);
  ServerNonInviteTransaction transaction(h.context(), h.transport, options());
  transaction.send_response(answer(transaction.request(), 200));
  transaction.send_response(answer(transaction.request(), 500));
  h.at(1_s, [&] { transaction.on_request(options()); });
  h.run();
  CHECK(h.transport.log() == "0s 200 OK, 1s 200 OK");
}

TEST_CASE("a transport error in Completed is reported and ends the transaction") {
  Harness h(Wire::Udp);
  ServerNonInviteTransaction transaction(h.context(), h.transport, options());
  transaction.send_response(answer(transaction.request(), 200));
  h.at(2_s, [&] { transaction.on_transport_error(); });
  h.run();
  CHECK(h.user.log() == "2s transport error, 2s terminated");
  CHECK(transaction.state() == State::Terminated);
}
