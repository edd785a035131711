#include "sim/sip/transaction/client_non_invite_transaction.hpp"

#include <doctest/doctest.h>

#include "tests/sim/sip/transaction/transaction_harness.hpp"

using namespace sim::time_literals;
using namespace transaction_harness;
using sip::ClientNonInviteTransaction;
using State = sip::ClientNonInviteTransaction::State;

namespace {

sip::Message answer(const sip::Message& request, int code) {
  return sip::make_response(request, code, "", "proxy1");
}

}  // namespace

TEST_CASE("an unanswered OPTIONS over UDP is retransmitted by Timer E doubling up to T2 and Timer F fires at 32 s") {
  Harness h(Wire::Udp);
  ClientNonInviteTransaction transaction(h.context(), h.transport, options());
  transaction.start();
  h.run();
  CHECK(h.transport.log() ==
        "0s OPTIONS, 0.5s OPTIONS, 1.5s OPTIONS, 3.5s OPTIONS, 7.5s OPTIONS, 11.5s OPTIONS, "
        "15.5s OPTIONS, 19.5s OPTIONS, 23.5s OPTIONS, 27.5s OPTIONS, 31.5s OPTIONS");
  CHECK(h.user.log() == "32s timeout F, 32s terminated");
  CHECK(transaction.state() == State::Terminated);
}

TEST_CASE("after a provisional response Timer E retransmits every T2") {
  Harness h(Wire::Udp);
  ClientNonInviteTransaction transaction(h.context(), h.transport, options());
  transaction.start();
  h.at(1_s, [&] { transaction.on_response(answer(transaction.request(), 100)); });
  h.run();
  // The Timer E armed in Trying still fires at 1.5 s; from then on the interval is T2 (4 s)
  // where Trying would have used 2 s.
  CHECK(h.transport.log() ==
        "0s OPTIONS, 0.5s OPTIONS, 1.5s OPTIONS, 5.5s OPTIONS, 9.5s OPTIONS, 13.5s OPTIONS, "
        "17.5s OPTIONS, 21.5s OPTIONS, 25.5s OPTIONS, 29.5s OPTIONS");
  CHECK(h.user.log() == "1s response 100 Trying, 32s timeout F, 32s terminated");
}

TEST_CASE("a final response stops Timer E and Timer K ends the transaction T4 later over UDP") {
  Harness h(Wire::Udp);
  ClientNonInviteTransaction transaction(h.context(), h.transport, options());
  transaction.start();
  const sip::Message ok = answer(transaction.request(), 200);
  h.at(2_s, [&] { transaction.on_response(ok); });
  h.at(3_s, [&] { transaction.on_response(ok); });  // a retransmission: absorbed in Completed
  h.run_until(6_s);
  CHECK(transaction.state() == State::Completed);
  h.run();
  CHECK(h.transport.log() == "0s OPTIONS, 0.5s OPTIONS, 1.5s OPTIONS");
  CHECK(h.user.log() == "2s response 200 OK, 7s terminated");
}

TEST_CASE("over TCP the request goes out once and Timer K is zero") {
  Harness h(Wire::Tcp);
  ClientNonInviteTransaction transaction(h.context(), h.transport, options("TCP"));
  transaction.start();
  h.at(2_s, [&] { transaction.on_response(answer(transaction.request(), 200)); });
  h.run();
  CHECK(h.transport.log() == "0s OPTIONS");
  CHECK(h.user.log() == "2s response 200 OK, 2s terminated");
}

TEST_CASE("over TLS an unanswered request still times out with Timer F at 32 s") {
  Harness h(Wire::Tls);
  ClientNonInviteTransaction transaction(h.context(), h.transport, options("TLS"));
  transaction.start();
  h.run();
  CHECK(h.transport.log() == "0s OPTIONS");
  CHECK(h.user.log() == "32s timeout F, 32s terminated");
}

TEST_CASE("a transport error in Proceeding is reported and ends the transaction") {
  Harness h(Wire::Udp);
  ClientNonInviteTransaction transaction(h.context(), h.transport, options());
  transaction.start();
  h.at(1_s, [&] { transaction.on_response(answer(transaction.request(), 100)); });
  h.at(2_s, [&] { transaction.on_transport_error(); });
  h.run();
  CHECK(h.transport.log() == "0s OPTIONS, 0.5s OPTIONS, 1.5s OPTIONS");
  CHECK(h.user.log() == "1s response 100 Trying, 2s transport error, 2s terminated");
}

TEST_CASE("changing T1 to 1 s scales Timers E and F but T2 still caps E") {
  sip::TimerValues timers;
  timers.t1 = 1_s;
  Harness h(Wire::Udp, timers);
  ClientNonInviteTransaction transaction(h.context(), h.transport, options());
  transaction.start();
  h.run();
  CHECK(h.transport.log() ==
        "0s OPTIONS, 1s OPTIONS, 3s OPTIONS, 7s OPTIONS, 11s OPTIONS, 15s OPTIONS, 19s OPTIONS, "
        "23s OPTIONS, 27s OPTIONS, 31s OPTIONS, 35s OPTIONS, 39s OPTIONS, 43s OPTIONS, "
        "47s OPTIONS, 51s OPTIONS, 55s OPTIONS, 59s OPTIONS, 63s OPTIONS");
  CHECK(h.user.log() == "64s timeout F, 64s terminated");
}
