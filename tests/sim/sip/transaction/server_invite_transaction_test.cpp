#include "sim/sip/transaction/server_invite_transaction.hpp"

#include <doctest/doctest.h>

#include "sim/sip/serializer.hpp"
#include "sim/sip/transaction/client_invite_transaction.hpp"
#include "tests/sim/sip/transaction/transaction_harness.hpp"

using namespace sim::time_literals;
using namespace transaction_harness;
using sip::ServerInviteTransaction;
using State = sip::ServerInviteTransaction::State;

namespace {

sip::Message answer(const sip::Message& request, int code) {
  return sip::make_response(request, code, "", "uas1");
}

// The ACK the caller's INVITE client transaction sends for our final response (§17.1.1.3).
sip::Message ack_for(const ServerInviteTransaction& transaction) {
  return sip::make_ack_for_non_2xx(transaction.request(), transaction.last_response());
}

}  // namespace

TEST_CASE("a silent TU gets 100 Trying sent for it at 200 ms and request retransmissions get it again") {
  Harness h(Wire::Udp);
  ServerInviteTransaction transaction(h.context(), h.transport, invite());
  h.at(500_ms, [&] { transaction.on_request(invite()); });
  h.run_until(1_s);
  CHECK(h.transport.log() == "0.2s 100 Trying, 0.5s 100 Trying");
  CHECK(transaction.state() == State::Proceeding);
  // §8.2.6.1: the 100 copies Via, From, To, Call-ID and CSeq; §8.2.6.2 makes a To tag optional
  // on a 100 and the transaction, which has no dialog, adds none.
  CHECK(sip::serialize(h.transport.sent().front().message) ==
        "SIP/2.0 100 Trying\r\n"
        "Via: SIP/2.0/UDP sbc1.contoso.com:5061;branch=z9hG4bK74bf9\r\n"
        "From: <sip:+17168712781@sbc1.contoso.com;user=phone>;tag=9fxced76sl\r\n"
        "To: <sip:+18338006777@sip.pstnhub.microsoft.com;user=phone>\r\n"
        "Call-ID: 3848276298220188511@sbc1.contoso.com\r\n"
        "CSeq: 1 INVITE\r\n"
        "Content-Length: 0\r\n"
        "\r\n");
}

TEST_CASE("a TU that rings within 200 ms sends no 100 Trying and retransmissions get its 180") {
  Harness h(Wire::Udp);
  ServerInviteTransaction transaction(h.context(), h.transport, invite());
  h.at(150_ms, [&] { transaction.send_response(answer(transaction.request(), 180)); });
  h.at(500_ms, [&] { transaction.on_request(invite()); });
  h.run_until(1_s);
  CHECK(h.transport.log() == "0.15s 180 Ringing, 0.5s 180 Ringing");
}

TEST_CASE("a retransmission before any provisional is absorbed") {
  sip::TimerValues timers;
  timers.trying_delay = 1_s;  // a TU known to answer within a second (§17.2.1's exception)
  Harness slow(Wire::Udp, timers);
  ServerInviteTransaction transaction(slow.context(), slow.transport, invite());
  slow.at(500_ms, [&] { transaction.on_request(invite()); });
  slow.run_until(2_s);
  CHECK(slow.transport.log() == "1s 100 Trying");
}

TEST_CASE("a 486 is retransmitted by Timer G at 0.5 1.5 3.5 7.5 and 11.5 s until the ACK and Timer I ends Confirmed") {
  Harness h(Wire::Udp);
  ServerInviteTransaction transaction(h.context(), h.transport, invite());
  transaction.send_response(answer(transaction.request(), 486));
  h.at(13_s, [&] { transaction.on_request(ack_for(transaction)); });
  h.at(14_s, [&] { transaction.on_request(ack_for(transaction)); });     // absorbed in Confirmed
  h.at(15_s, [&] { transaction.on_request(invite()); });                 // absorbed in Confirmed
  h.run_until(16_s);
  CHECK(transaction.state() == State::Confirmed);
  h.run();
  CHECK(h.transport.log() ==
        "0s 486 Busy Here, 0.5s 486 Busy Here, 1.5s 486 Busy Here, 3.5s 486 Busy Here, "
        "7.5s 486 Busy Here, 11.5s 486 Busy Here");
  // §17.2.1: Timer I = T4 = 5 s after the first ACK.
  CHECK(h.user.log() == "18s terminated");
}

TEST_CASE("without an ACK Timer G retransmits up to T2 and Timer H reports a timeout at 32 s") {
  Harness h(Wire::Udp);
  ServerInviteTransaction transaction(h.context(), h.transport, invite());
  transaction.send_response(answer(transaction.request(), 486));
  h.run();
  CHECK(h.transport.log() ==
        "0s 486 Busy Here, 0.5s 486 Busy Here, 1.5s 486 Busy Here, 3.5s 486 Busy Here, "
        "7.5s 486 Busy Here, 11.5s 486 Busy Here, 15.5s 486 Busy Here, 19.5s 486 Busy Here, "
        "23.5s 486 Busy Here, 27.5s 486 Busy Here, 31.5s 486 Busy Here");
  CHECK(h.user.log() == "32s timeout H, 32s terminated");
}

TEST_CASE("a retransmitted INVITE in Completed gets the final response again") {
  Harness h(Wire::Udp);
  ServerInviteTransaction transaction(h.context(), h.transport, invite());
  h.at(100_ms, [&] { transaction.send_response(answer(transaction.request(), 603)); });
  h.at(300_ms, [&] { transaction.on_request(invite()); });
  h.at(400_ms, [&] { transaction.on_request(ack_for(transaction)); });
  h.run_until(1_s);
  CHECK(h.transport.log() == "0.1s 603 Decline, 0.3s 603 Decline");
  CHECK(transaction.state() == State::Confirmed);
}

TEST_CASE("over TCP the 486 goes out once and the ACK ends the transaction at once because Timer I is zero") {
  Harness h(Wire::Tcp);
  ServerInviteTransaction transaction(h.context(), h.transport, invite("TCP"));
  transaction.send_response(answer(transaction.request(), 486));
  h.at(100_ms, [&] { transaction.on_request(ack_for(transaction)); });
  h.run();
  CHECK(h.transport.log() == "0s 486 Busy Here");
  CHECK(h.user.log() == "0.1s terminated");
}

TEST_CASE("over TLS a 486 without an ACK still waits for Timer H at 32 s") {
  Harness h(Wire::Tls);
  ServerInviteTransaction transaction(h.context(), h.transport, invite("TLS"));
  transaction.send_response(answer(transaction.request(), 486));
  h.run();
  CHECK(h.transport.log() == "0s 486 Busy Here");
  CHECK(h.user.log() == "32s timeout H, 32s terminated");
}

TEST_CASE("after a 2xx the transaction is Accepted: INVITE retransmissions are absorbed and ACKs reach the TU until Timer L") {
  Harness h(Wire::Udp);
  ServerInviteTransaction transaction(h.context(), h.transport, invite());
  const sip::Message ok = answer(transaction.request(), 200);
  h.at(1_s, [&] { transaction.send_response(ok); });
  h.at(1200_ms, [&] { transaction.on_request(invite()); });  // absorbed (RFC 6026 §8.7)
  h.at(1500_ms, [&] { transaction.send_response(ok); });     // the UAS core's own 2xx retransmission
  h.at(2_s, [&] { transaction.on_request(ack_for(transaction)); });
  h.run_until(20_s);
  CHECK(transaction.state() == State::Accepted);
  h.run();
  CHECK(h.transport.log() == "0.2s 100 Trying, 1s 200 OK, 1.5s 200 OK");
  CHECK(h.user.log() == "2s ACK, 33s terminated");
}

TEST_CASE("a transport error in Accepted is reported and the transaction stays until Timer L") {
  Harness h(Wire::Tls);
  ServerInviteTransaction transaction(h.context(), h.transport, invite("TLS"));
  transaction.send_response(answer(transaction.request(), 200));
  h.at(1_s, [&] { transaction.on_transport_error(); });
  h.run();
  CHECK(h.user.log() == "1s transport error, 32s terminated");
}

TEST_CASE("a transport error in Completed is reported and ends the transaction") {
  Harness h(Wire::Udp);
  ServerInviteTransaction transaction(h.context(), h.transport, invite());
  transaction.send_response(answer(transaction.request(), 486));
  h.at(1_s, [&] { transaction.on_transport_error(); });
  h.run();
  CHECK(h.transport.log() == "0s 486 Busy Here, 0.5s 486 Busy Here");
  CHECK(h.user.log() == "1s transport error, 1s terminated");
}

TEST_CASE("changing T1 to 1 s scales Timers G and H") {
  sip::TimerValues timers;
  timers.t1 = 1_s;
  Harness h(Wire::Udp, timers);
  ServerInviteTransaction transaction(h.context(), h.transport, invite());
  transaction.send_response(answer(transaction.request(), 480));
  h.at(10_s, [&] { transaction.on_request(ack_for(transaction)); });
  h.run();
  // G: 1 s, 2 s, then capped at T2 = 4 s.
  CHECK(h.transport.log() ==
        "0s 480 Temporarily Unavailable, 1s 480 Temporarily Unavailable, "
        "3s 480 Temporarily Unavailable, 7s 480 Temporarily Unavailable");
  CHECK(h.user.log() == "15s terminated");

  Harness unacknowledged(Wire::Udp, timers);
  ServerInviteTransaction lonely(unacknowledged.context(), unacknowledged.transport, invite());
  lonely.send_response(answer(lonely.request(), 480));
  unacknowledged.run();
  CHECK(unacknowledged.user.log() == "64s timeout H, 64s terminated");
}
