#include "models/client/teams_client.hpp"

#include <doctest/doctest.h>

#include "sim/sip/sdp.hpp"

#include <vector>

#include "sim/core/simulation.hpp"

using namespace sim::time_literals;
using client::ClientSignal;
using client::SignalKind;

namespace {

// Stands in for the call controller: records what reaches it, answers nothing by itself.
class RecordingController : public sim::Actor {
 public:
  using sim::Actor::Actor;
  struct Received {
    sim::Time at;
    ClientSignal signal;
  };
  std::vector<Received> received;
  void on_receive(const sim::Delivery& delivery) override {
    received.push_back({now(), *client::decode_signal(delivery.payload)});
  }
  void tell(sim::ActorId client_id, const ClientSignal& message) { send(client_id, 0_ms, client::encode_signal(message)); }
};

class RecordingListener : public client::OutboundCallListener {
 public:
  std::vector<std::string> events;
  void on_outbound_progress(std::uint64_t call, sim::Time at) override { note("progress", call, at); }
  void on_outbound_answered(std::uint64_t call, sim::Time at) override { note("answered", call, at); }
  void on_outbound_failed(std::uint64_t call, sim::Time at, const ClientSignal& failure) override {
    note("failed " + std::to_string(failure.ms_code), call, at);
  }
  void on_outbound_ended(std::uint64_t call, sim::Time at) override { note("ended", call, at); }

 private:
  void note(const std::string& what, std::uint64_t call, sim::Time at) {
    events.push_back(what + " call " + std::to_string(call) + " at " + sim::format_duration(at));
  }
};

struct Fixture {
  sim::Simulation simulation{42};
  RecordingController& controller = simulation.add_actor<RecordingController>("emea-ams");
  client::TeamsClient& desktop;
  explicit Fixture(client::ClientBehaviour behaviour)
      : desktop(simulation.add_actor<client::TeamsClient>("alice/desktop", behaviour, "10.1.0.5")) {}
};

client::ClientBehaviour desktop_behaviour() {
  return client::ClientBehaviour{.ring_after = 300_ms, .answer_after = 6_s, .media_answer = true, .signalling_latency = 50_ms};
}

}  // namespace

TEST_CASE("client signals survive encoding") {
  const ClientSignal failure{.kind = SignalKind::CallFailed, .call = 7, .sip_code = 504, .ms_code = 569008,
                             .phrase = "Unable to deliver INVITE: No such host is known"};
  CHECK(client::encode_signal(failure) ==
        "CallFailed call=7 sip=504 ms=569008\r\nphrase: Unable to deliver INVITE: No such host is known\r\n\r\n");
  CHECK(client::decode_signal(client::encode_signal(failure)) == failure);
  const ClientSignal offer{.kind = SignalKind::IncomingCall, .call = 12, .number = "+12065550100", .sdp = "v=0\r\n"};
  CHECK(client::decode_signal(client::encode_signal(offer)) == offer);
  CHECK_FALSE(client::decode_signal("Ring call=1\r\n\r\n"));
  CHECK_FALSE(client::decode_signal("HangUp\r\n\r\n"));           // no call reference
  CHECK_FALSE(client::decode_signal("HangUp call=x1\r\n\r\n"));
  CHECK_FALSE(client::decode_signal("HangUp call=1\r\n"));        // no blank line
}

TEST_CASE("encoded signals are the text the field-by-field format gives") {
  // encode_signal appends into one buffer; the bytes are what the fingerprint hashes.
  const ClientSignal offer{.kind = SignalKind::IncomingCall, .call = 9223372036854775809ULL, .number = "+12065550100",
                           .sdp = "v=0\r\n"};
  CHECK(client::encode_signal(offer) == "IncomingCall call=9223372036854775809 number=+12065550100\r\n\r\nv=0\r\n");
  CHECK(client::encode_signal(ClientSignal{.kind = SignalKind::HangUp, .call = 0}) == "HangUp call=0\r\n\r\n");
  CHECK(client::encode_signal(ClientSignal{.kind = SignalKind::CallFailed, .call = 3, .sip_code = -1}) ==
        "CallFailed call=3 sip=-1\r\n\r\n");
  CHECK(client::encode_signal(ClientSignal{.kind = SignalKind::CallFailed, .call = 3, .ms_code = 4294967295U}) ==
        "CallFailed call=3 ms=4294967295\r\n\r\n");
}

TEST_CASE("call references are written and read as std::to_string and std::from_chars do") {
  // The reference has its own digit loops: inbound references have 19 or 20 digits.
  for (const std::uint64_t call : {0ULL, 9ULL, 10ULL, 99ULL, 100ULL, 12345ULL, 9223372036854775808ULL,
                                   9223372041149743105ULL, 9999999999999999999ULL, 10000000000000000000ULL,
                                   18446744073709551615ULL}) {
    const ClientSignal signal{.kind = SignalKind::HangUp, .call = call};
    const std::string bytes = client::encode_signal(signal);
    CHECK(bytes == "HangUp call=" + std::to_string(call) + "\r\n\r\n");
    CHECK(client::decode_signal(bytes) == signal);
  }
  CHECK(client::decode_signal("HangUp call=00012\r\n\r\n")->call == 12);
  CHECK_FALSE(client::decode_signal("HangUp call=18446744073709551616\r\n\r\n"));  // overflows
  CHECK_FALSE(client::decode_signal("HangUp call=99999999999999999999\r\n\r\n"));
  CHECK_FALSE(client::decode_signal("HangUp call=-1\r\n\r\n"));
  CHECK_FALSE(client::decode_signal("HangUp call=+1\r\n\r\n"));
  CHECK_FALSE(client::decode_signal("HangUp call=\r\n\r\n"));
  CHECK_FALSE(client::decode_signal("HangUp call=12a\r\n\r\n"));
  CHECK_FALSE(client::decode_signal("HangUp call=1/2\r\n\r\n"));
}

TEST_CASE("an endpoint rings at ring_after and answers at answer_after plus the signalling latency") {
  Fixture fixture(desktop_behaviour());
  fixture.simulation.schedule_timer(1_s, fixture.controller.id(), [&] {
    fixture.controller.tell(fixture.desktop.id(), {.kind = SignalKind::IncomingCall, .call = 3, .number = "+12065550100"});
  }).release();
  fixture.simulation.run();
  const auto& received = fixture.controller.received;
  REQUIRE(received.size() == 3);
  CHECK(received[0].signal.kind == SignalKind::CallProgress);
  CHECK(received[0].at == 1_s + 300_ms + 50_ms);
  CHECK(received[1].signal.kind == SignalKind::MediaAnswer);
  CHECK(received[1].signal.sdp.find("c=IN IP4 10.1.0.5\r\n") != std::string::npos);
  CHECK(received[2].signal.kind == SignalKind::CallAccepted);
  CHECK(received[2].at == 1_s + 6_s + 50_ms);
  CHECK(received[2].signal.call == 3);
  CHECK(fixture.desktop.calls_in_progress() == 1);  // answered: up until someone hangs up
}

TEST_CASE("every call of a client carries the same SDP, written once") {
  Fixture fixture(desktop_behaviour());
  for (const std::uint64_t call : {std::uint64_t{3}, std::uint64_t{4}}) {
    fixture.simulation.schedule_timer(1_s * static_cast<std::int64_t>(call), fixture.controller.id(), [&fixture, call] {
      fixture.controller.tell(fixture.desktop.id(), {.kind = SignalKind::IncomingCall, .call = call});
    }).release();
  }
  fixture.simulation.run();
  const std::string expected = "v=0\r\no=- " + std::to_string(fixture.desktop.id()) +
                               " 1 IN IP4 10.1.0.5\r\ns=-\r\nc=IN IP4 10.1.0.5\r\nt=0 0\r\n"
                               "m=audio 50000 RTP/SAVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
                               "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" +
                               sip::sdes_inline_key(fixture.desktop.id()) + "\r\na=sendrecv\r\n";
  std::size_t with_sdp = 0;
  for (const auto& received : fixture.controller.received) {
    if (received.signal.kind != SignalKind::MediaAnswer && received.signal.kind != SignalKind::CallAccepted) continue;
    CHECK(received.signal.sdp == expected);
    ++with_sdp;
  }
  CHECK(with_sdp == 4);  // a MediaAnswer and a CallAccepted per call
}

TEST_CASE("stop ringing before the answer cancels the answer") {
  Fixture fixture(desktop_behaviour());
  fixture.controller.tell(fixture.desktop.id(), {.kind = SignalKind::IncomingCall, .call = 3});
  fixture.simulation.schedule_timer(2_s, fixture.controller.id(), [&] {
    fixture.controller.tell(fixture.desktop.id(), {.kind = SignalKind::StopRinging, .call = 3});
  }).release();
  fixture.simulation.run();
  REQUIRE(fixture.controller.received.size() == 2);  // progress and media answer only
  CHECK(fixture.controller.received.back().signal.kind == SignalKind::MediaAnswer);
  CHECK(fixture.desktop.calls_in_progress() == 0);
}

TEST_CASE("an endpoint that never answers only rings") {
  auto behaviour = desktop_behaviour();
  behaviour.answer_after.reset();
  behaviour.media_answer = false;
  Fixture fixture(behaviour);
  fixture.controller.tell(fixture.desktop.id(), {.kind = SignalKind::IncomingCall, .call = 9});
  fixture.simulation.run();
  REQUIRE(fixture.controller.received.size() == 1);
  CHECK(fixture.controller.received[0].signal.kind == SignalKind::CallProgress);
}

TEST_CASE("an outbound call hangs up after the holding time once answered") {
  Fixture fixture(desktop_behaviour());
  RecordingListener listener;
  fixture.desktop.dial(fixture.controller.id(), 21, "+12065550100", 30_s, &listener);
  fixture.simulation.schedule_timer(2_s, fixture.controller.id(), [&] {
    fixture.controller.tell(fixture.desktop.id(), {.kind = SignalKind::CallProgress, .call = 21});
  }).release();
  fixture.simulation.schedule_timer(7_s, fixture.controller.id(), [&] {
    fixture.controller.tell(fixture.desktop.id(), {.kind = SignalKind::CallAccepted, .call = 21});
  }).release();
  fixture.simulation.run();
  const auto& received = fixture.controller.received;
  REQUIRE(received.size() == 2);
  CHECK(received[0].signal.kind == SignalKind::PlaceCall);
  CHECK(received[0].signal.number == "+12065550100");
  CHECK(received[0].at == 50_ms);
  CHECK(received[1].signal.kind == SignalKind::HangUp);
  CHECK(received[1].at == 7_s + 30_s + 50_ms);
  CHECK(listener.events ==
        std::vector<std::string>{"progress call 21 at 2s", "answered call 21 at 7s", "ended call 21 at 37s"});
}

TEST_CASE("a failed outbound call reports Microsoft's codes to the originator") {
  Fixture fixture(desktop_behaviour());
  RecordingListener listener;
  fixture.desktop.dial(fixture.controller.id(), 5, "+12065550100", 30_s, &listener);
  fixture.simulation.schedule_timer(1_s, fixture.controller.id(), [&] {
    fixture.controller.tell(fixture.desktop.id(), {.kind = SignalKind::CallFailed, .call = 5, .sip_code = 504, .ms_code = 569015});
  }).release();
  fixture.simulation.run();
  CHECK(listener.events == std::vector<std::string>{"failed 569015 call 5 at 1s"});
  CHECK(fixture.desktop.calls_in_progress() == 0);
}

TEST_CASE("early media on an outbound call counts as progress once") {
  Fixture fixture(desktop_behaviour());
  RecordingListener listener;
  fixture.desktop.dial(fixture.controller.id(), 8, "+12065550100", 10_s, &listener);
  fixture.simulation.schedule_timer(1_s, fixture.controller.id(), [&] {
    fixture.controller.tell(fixture.desktop.id(), {.kind = SignalKind::MediaAnswer, .call = 8, .sdp = "v=0\r\n"});
  }).release();
  fixture.simulation.schedule_timer(2_s, fixture.controller.id(), [&] {
    fixture.controller.tell(fixture.desktop.id(), {.kind = SignalKind::CallProgress, .call = 8});
  }).release();
  fixture.simulation.schedule_timer(3_s, fixture.controller.id(), [&] {
    fixture.controller.tell(fixture.desktop.id(), {.kind = SignalKind::CallAccepted, .call = 8});
  }).release();
  fixture.simulation.run();
  CHECK(listener.events ==
        std::vector<std::string>{"progress call 8 at 1s", "answered call 8 at 3s", "ended call 8 at 13s"});
}
