#include "sim/sip/transaction/client_invite_transaction.hpp"

#include <doctest/doctest.h>

#include "sim/sip/serializer.hpp"
#include "tests/sim/sip/transaction/transaction_harness.hpp"

using namespace sim::time_literals;
using namespace transaction_harness;
using sip::ClientInviteTransaction;
using State = sip::ClientInviteTransaction::State;

namespace {

sip::Message answer(const sip::Message& request, int code, std::string_view to_tag = "callee1") {
  return sip::make_response(request, code, "", to_tag);
}

}  // namespace

TEST_CASE("an unanswered INVITE over UDP goes out at 0 0.5 1.5 3.5 7.5 15.5 and 31.5 s and Timer B fires at 32 s") {
  Harness h(Wire::Udp);
  ClientInviteTransaction transaction(h.context(), h.transport, invite());
  transaction.start();
  h.run();
  CHECK(h.transport.log() ==
        "0s INVITE, 0.5s INVITE, 1.5s INVITE, 3.5s INVITE, 7.5s INVITE, 15.5s INVITE, 31.5s INVITE");
  CHECK(h.user.log() == "32s timeout B, 32s terminated");
  CHECK(h.user.terminated_key == transaction.key());
  CHECK(transaction.state() == State::Terminated);

  // Nothing leaves a Terminated transaction and nothing more reaches the TU.
  transaction.on_response(answer(transaction.request(), 180));
  transaction.on_response(answer(transaction.request(), 486));
  CHECK(h.transport.sent().size() == 7);
  CHECK(h.user.log() == "32s timeout B, 32s terminated");
}

TEST_CASE("an unanswered INVITE over TLS or TCP goes out once and Timer B still fires at 32 s") {
  for (const Wire wire : {Wire::Tls, Wire::Tcp}) {
    Harness h(wire);
    ClientInviteTransaction transaction(h.context(), h.transport, invite("TLS"));
    transaction.start();
    h.run();
    CHECK(h.transport.log() == "0s INVITE");
    CHECK(h.user.log() == "32s timeout B, 32s terminated");
  }
}

TEST_CASE("a provisional response stops INVITE retransmissions and Timer B") {
  Harness h(Wire::Udp);
  ClientInviteTransaction transaction(h.context(), h.transport, invite());
  transaction.start();
  h.at(1_s, [&] { transaction.on_response(answer(transaction.request(), 180)); });
  h.at(40_s, [&] { transaction.on_response(answer(transaction.request(), 183)); });
  h.run();
  CHECK(h.transport.log() == "0s INVITE, 0.5s INVITE");
  // §17.1.1.2: Proceeding has no timer of its own; it waits for the final response.
  CHECK(h.user.log() == "1s response 180 Ringing, 40s response 183 Session Progress");
  CHECK(transaction.state() == State::Proceeding);
}

TEST_CASE("a 486 gets exactly one ACK built from the INVITE and the transaction ends at Timer D 32 s later") {
  Harness h(Wire::Udp);
  // A proxied INVITE: two Vias in one field, a Route set and a decremented Max-Forwards.
  const sip::Message request = parse(
      "INVITE sip:+17168712781@sbc1.contoso.com:5061;transport=tls SIP/2.0\r\n"
      "Via: SIP/2.0/UDP proxy.example.net:5060;branch=z9hG4bKp1, SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKuac;received=192.0.2.10\r\n"
      "Max-Forwards: 69\r\n"
      "Route: <sip:edge1.example.net;lr>, <sip:edge2.example.net;lr>\r\n"
      "Route: <sip:sbc1.contoso.com:5061;transport=tls;lr>\r\n"
      "From: \"Alice\" <sip:alice@example.net>;tag=a73kszlfl\r\n"
      "To: <sip:+17168712781@sbc1.contoso.com;user=phone>\r\n"
      "Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.10\r\n"
      "CSeq: 314 INVITE\r\n"
      "Contact: <sip:alice@192.0.2.10>\r\n"
      "Content-Type: application/sdp\r\n"
      "Content-Length: 4\r\n"
      "\r\n"
      "v=0\n");
  ClientInviteTransaction transaction(h.context(), h.transport, request);
  transaction.start();
  h.at(1_s, [&] { transaction.on_response(answer(request, 180, "busy1")); });
  h.at(2_s, [&] { transaction.on_response(answer(request, 486, "busy1")); });
  h.run_until(2500_ms);
  CHECK(transaction.state() == State::Completed);
  h.run();

  CHECK(h.transport.log() == "0s INVITE, 0.5s INVITE, 2s ACK");
  CHECK(h.user.log() == "1s response 180 Ringing, 2s response 486 Busy Here, 34s terminated");
  // §17.1.1.3: same Request-URI, Call-ID, From, the top Via only, the Route headers, To with
  // the response's tag, and the CSeq number with the method ACK; no body.
  CHECK(sip::serialize(h.transport.sent().back().message) ==
        "ACK sip:+17168712781@sbc1.contoso.com:5061;transport=tls SIP/2.0\r\n"
        "Via: SIP/2.0/UDP proxy.example.net:5060;branch=z9hG4bKp1\r\n"
        "Max-Forwards: 69\r\n"
        "Route: <sip:edge1.example.net;lr>, <sip:edge2.example.net;lr>\r\n"
        "Route: <sip:sbc1.contoso.com:5061;transport=tls;lr>\r\n"
        "From: \"Alice\" <sip:alice@example.net>;tag=a73kszlfl\r\n"
        "To: <sip:+17168712781@sbc1.contoso.com;user=phone>;tag=busy1\r\n"
        "Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.10\r\n"
        "CSeq: 314 ACK\r\n"
        "Content-Length: 0\r\n"
        "\r\n");
}

TEST_CASE("a CANCEL copies the INVITE's Request-URI top Via Route From To Call-ID and CSeq number") {
  const sip::Message invite = parse(
      "INVITE sip:+17168712781@sbc1.contoso.com:5061;transport=tls SIP/2.0\r\n"
      "Via: SIP/2.0/TLS proxy.example.net:5061;branch=z9hG4bKp1, SIP/2.0/TLS 192.0.2.10:5061;branch=z9hG4bKuac\r\n"
      "Max-Forwards: 69\r\n"
      "Route: <sip:edge1.example.net;lr>\r\n"
      "From: <sip:+14255550100@example.net;user=phone>;tag=a73kszlfl\r\n"
      "To: <sip:+17168712781@sbc1.contoso.com;user=phone>\r\n"
      "Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.10\r\n"
      "CSeq: 314 INVITE\r\n"
      "Contact: <sip:alice@192.0.2.10>\r\n"
      "Content-Length: 0\r\n"
      "\r\n");
  // §9.1: same branch, so the CANCEL reaches the element holding the INVITE's transaction; no
  // To tag even if early dialogs exist; no Contact and no body.
  CHECK(sip::serialize(sip::make_cancel(invite)) ==
        "CANCEL sip:+17168712781@sbc1.contoso.com:5061;transport=tls SIP/2.0\r\n"
        "Via: SIP/2.0/TLS proxy.example.net:5061;branch=z9hG4bKp1\r\n"
        "Max-Forwards: 69\r\n"
        "Route: <sip:edge1.example.net;lr>\r\n"
        "From: <sip:+14255550100@example.net;user=phone>;tag=a73kszlfl\r\n"
        "To: <sip:+17168712781@sbc1.contoso.com;user=phone>\r\n"
        "Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.10\r\n"
        "CSeq: 314 CANCEL\r\n"
        "Content-Length: 0\r\n"
        "\r\n");
  CHECK(sip::invite_key_of_cancel(sip::make_cancel(invite)) == sip::server_key_of_request(invite));
}

TEST_CASE("a retransmitted 486 in Completed gets the ACK again and is not passed to the TU") {
  Harness h(Wire::Udp);
  ClientInviteTransaction transaction(h.context(), h.transport, invite());
  transaction.start();
  const sip::Message busy = answer(transaction.request(), 486);
  h.at(2_s, [&] { transaction.on_response(busy); });
  h.at(2500_ms, [&] { transaction.on_response(busy); });
  h.at(3500_ms, [&] { transaction.on_response(busy); });
  h.run();
  CHECK(h.transport.log() == "0s INVITE, 0.5s INVITE, 1.5s INVITE, 2s ACK, 2.5s ACK, 3.5s ACK");
  CHECK(h.user.log() == "2s response 486 Busy Here, 34s terminated");
  CHECK(sip::serialize(h.transport.sent()[4].message) == sip::serialize(h.transport.sent()[3].message));
}

TEST_CASE("over TLS a 486 ends the transaction at once because Timer D is zero") {
  Harness h(Wire::Tls);
  ClientInviteTransaction transaction(h.context(), h.transport, invite("TLS"));
  transaction.start();
  h.at(2_s, [&] { transaction.on_response(answer(transaction.request(), 486)); });
  h.run();
  CHECK(h.transport.log() == "0s INVITE, 2s ACK");
  CHECK(h.user.log() == "2s response 486 Busy Here, 2s terminated");
}

TEST_CASE("a 2xx moves to Accepted and a forked 2xx before Timer M also reaches the TU") {
  Harness h(Wire::Udp);
  ClientInviteTransaction transaction(h.context(), h.transport, invite());
  transaction.start();
  h.at(3_s, [&] { transaction.on_response(answer(transaction.request(), 200, "desktop")); });
  h.at(3200_ms, [&] { transaction.on_response(answer(transaction.request(), 200, "desktop")); });
  h.at(4_s, [&] { transaction.on_response(answer(transaction.request(), 200, "mobile")); });
  h.run_until(10_s);
  CHECK(transaction.state() == State::Accepted);
  h.run();
  // The transaction never ACKs a 2xx: that ACK is the TU's, end to end (§13.2.2.4).
  CHECK(h.transport.log() == "0s INVITE, 0.5s INVITE, 1.5s INVITE");
  // RFC 6026 §8.4: retransmissions and forked answers alike go up; Timer M = 64*T1 after the first.
  CHECK(h.user.log() == "3s response 200 OK, 3.2s response 200 OK, 4s response 200 OK, 35s terminated");
  REQUIRE(h.user.responses.size() == 3);
  CHECK(h.user.responses[2].to().tag() == "mobile");
}

TEST_CASE("a transport error in Calling is reported to the TU and ends the transaction") {
  Harness h(Wire::Tls);
  ClientInviteTransaction transaction(h.context(), h.transport, invite("TLS"));
  transaction.start();
  h.at(150_ms, [&] { transaction.on_transport_error(); });
  h.run();
  CHECK(h.transport.log() == "0s INVITE");
  CHECK(h.user.log() == "0.15s transport error, 0.15s terminated");
  CHECK(transaction.state() == State::Terminated);
}

TEST_CASE("Timer C on a proxy transaction is reset by every provisional above 100 and reported when it fires") {
  Harness h(Wire::Tls);
  ClientInviteTransaction transaction(h.context(), h.transport, invite("TLS"),
                                      ClientInviteTransaction::TimerC::On);
  transaction.start();
  const sip::Message& request = transaction.request();
  h.at(1_s, [&] { transaction.on_response(answer(request, 100)); });     // does not reset C
  h.at(60_s, [&] { transaction.on_response(answer(request, 180)); });    // C now fires at 241 s
  h.at(120_s, [&] { transaction.on_response(answer(request, 183)); });   // C now fires at 301 s
  h.at(200_s, [&] { transaction.on_response(answer(request, 100)); });   // does not reset C
  h.at(310_s, [&] { transaction.on_response(answer(request, 487)); });   // after the proxy's CANCEL
  h.run();
  CHECK(h.user.log() ==
        "1s response 100 Trying, 60s response 180 Ringing, 120s response 183 Session Progress, "
        "200s response 100 Trying, 301s timer C, 310s response 487 Request Terminated, 310s terminated");
  CHECK(h.transport.log() == "0s INVITE, 310s ACK");
}

TEST_CASE("Timer C fires 181 s after the INVITE when no provisional above 100 arrives") {
  Harness h(Wire::Tls);
  ClientInviteTransaction transaction(h.context(), h.transport, invite("TLS"),
                                      ClientInviteTransaction::TimerC::On);
  transaction.start();
  h.at(1_s, [&] { transaction.on_response(answer(transaction.request(), 100)); });
  h.run_until(200_s);
  CHECK(h.user.log() == "1s response 100 Trying, 181s timer C");
  CHECK(transaction.state() == State::Proceeding);
}

TEST_CASE("a user agent transaction runs no Timer C") {
  Harness h(Wire::Tls);
  ClientInviteTransaction transaction(h.context(), h.transport, invite("TLS"));
  transaction.start();
  h.at(1_s, [&] { transaction.on_response(answer(transaction.request(), 180)); });
  h.run();
  CHECK(h.user.log() == "1s response 180 Ringing");
}

TEST_CASE("changing T1 to 1 s scales Timers A B and D") {
  sip::TimerValues timers;
  timers.t1 = 1_s;
  {
    Harness h(Wire::Udp, timers);
    ClientInviteTransaction transaction(h.context(), h.transport, invite());
    transaction.start();
    h.run();
    CHECK(h.transport.log() == "0s INVITE, 1s INVITE, 3s INVITE, 7s INVITE, 15s INVITE, 31s INVITE, 63s INVITE");
    CHECK(h.user.log() == "64s timeout B, 64s terminated");
  }
  {
    Harness h(Wire::Udp, timers);
    ClientInviteTransaction transaction(h.context(), h.transport, invite());
    transaction.start();
    h.at(2_s, [&] { transaction.on_response(answer(transaction.request(), 486)); });
    h.run();
    // Timer D covers the server's Timer H, 64*T1, when that exceeds the RFC's 32 s floor.
    CHECK(h.user.log() == "2s response 486 Busy Here, 66s terminated");
  }
}
