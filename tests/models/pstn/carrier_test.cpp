#include "models/pstn/carrier.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/simulation.hpp"
#include "sim/net/network.hpp"
#include "sim/net/tcp_transport.hpp"
#include "sim/net/udp_transport.hpp"
#include "sim/sip/dialog/dialog.hpp"
#include "sim/sip/parser.hpp"
#include "sim/sip/sdp.hpp"

using namespace sim::time_literals;

namespace {

const net::SocketAddress kCarrierSip{*net::IpAddress::parse("198.51.100.20"), 5060};
const net::SocketAddress kSbcTrunk{*net::IpAddress::parse("203.0.113.10"), 5060};
constexpr net::LinkId kTrunkLink = 0;  // pstn-pop - contoso-hq, 5 ms one way
constexpr const char* kSbcContact = "<sip:+14255550100@203.0.113.10:5060>";

sip::Message parse(const std::string& text) {
  auto message = sip::parse_message(text);
  REQUIRE(message.ok());
  return std::move(message).value();
}

// The SBC end of the trunk, as small as these tests need and built like every SIP element (an
// actor with a transaction layer and an endpoint). It answers the carrier's INVITEs by a script,
// ACKs the 2xx of its own INVITEs, answers BYE 200 and CANCEL 200 + 487, and places calls.
class FakeSbc final : public sim::Actor, public sip::SipCore, public net::SipEndpointEvents {
 public:
  struct Step {
    sim::Time after;  // from the INVITE's arrival
    int code = 0;
    std::string to_tag;  // empty for 100
    bool with_sdp = false;
  };

  explicit FakeSbc(sim::ActorContext context) : sim::Actor(std::move(context)) {}

  void attach(net::UdpTransport& udp, net::TcpTransport& tcp, net::HostId host) {
    layer = std::make_unique<sip::TransactionLayer>(simulation(), id(), name(), sip::TimerValues{}, *this);
    endpoint = std::make_unique<net::SipEndpoint>(udp, tcp, host, *layer, *this);
    endpoint->listen_udp(kSbcTrunk);
  }
  void on_receive(const sim::Delivery& delivery) override {
    if (answering) endpoint->receive(delivery);  // a silent SBC's host takes the bytes, nothing more
  }

  // ---- as UAS, toward the carrier's INVITEs
  void on_request(const sip::TransactionKey& key, const sip::Message& request, sip::Transport&) override {
    switch (request.method()) {
      case sip::Method::Invite:
        if (request.to().has_tag()) return;
        carrier_invite = request;
        carrier_invite_key = key;
        for (const Step& step : script) {
          start_timer(step.after, [this, step] { respond_to_carrier(step); }).release();
        }
        return;
      case sip::Method::Cancel:
        layer->respond(key, sip::make_response(request, 200, "OK", "sbc-cancel"));
        layer->respond(carrier_invite_key, sip::make_response(carrier_invite, 487, "Request Terminated", "sbc-cancel"));
        return;
      case sip::Method::Ack:
        return;
      default:
        layer->respond(key, sip::make_response(request, 200, "OK"));
    }
  }
  void respond_to_carrier(const Step& step) {
    sip::Message response =
        sip::make_response(carrier_invite, step.code, sip::default_reason_phrase(step.code), step.to_tag);
    if (step.code > 100 && step.code < 300) response.add_header("Contact", kSbcContact);
    if (step.with_sdp) response.set_body("application/sdp", kSbcSdp);
    if (step.code >= 200 && step.code < 300) answered = response;
    layer->respond(carrier_invite_key, std::move(response));
  }
  // The Teams side hangs up a call the carrier placed and the SBC answered.
  void hang_up_carrier_call() {
    auto dialog = sip::Dialog::create_as_uas(carrier_invite, answered);
    REQUIRE(dialog.ok());
    send_in_dialog(dialog.value(), sip::Method::Bye);
  }

  // ---- as UAC: calls toward the carrier's numbers
  static sip::Message outbound_invite(const std::string& number, const std::string& branch,
                                     const std::string& sdp = kSbcSdp) {
    const std::string body = sdp.empty() ? "\r\n" : "Content-Type: application/sdp\r\n\r\n" + sdp;
    return parse("INVITE sip:" + number + "@198.51.100.20:5060;user=phone SIP/2.0\r\n"
                 "Via: SIP/2.0/UDP 203.0.113.10:5060;branch=" + branch + "\r\n"
                 "Max-Forwards: 70\r\n"
                 "From: <sip:+14255550100@203.0.113.10;user=phone>;tag=sbc-out\r\n"
                 "To: <sip:" + number + "@198.51.100.20;user=phone>\r\n"
                 "Call-ID: out-1@203.0.113.10\r\n"
                 "CSeq: 1 INVITE\r\n"
                 "Contact: " + kSbcContact + "\r\n" + body);
  }
  void invite_carrier(const std::string& number, const std::string& sdp = kSbcSdp) {
    invite = outbound_invite(number, layer->new_branch(), sdp);
    layer->send_request(invite, trunk());
  }
  // A session refresh (RFC 4028) on the outbound call, with the same offer.
  void reinvite_outbound_call() {
    sip::Message reinvite = outbound_dialog->build_request(sip::Method::Invite);
    reinvite.prepend_header("Via", "SIP/2.0/UDP 203.0.113.10:5060;branch=" + layer->new_branch());
    reinvite.set_body("application/sdp", kSbcSdp);
    layer->send_request(std::move(reinvite), trunk());
  }
  void cancel_invite() {
    sip::Message cancel = sip::Message::request("CANCEL", invite.request_uri().text());
    cancel.add_header("Via", invite.top_via().text());
    cancel.add_header("Max-Forwards", "70");
    cancel.add_header("From", *invite.header(sip::HeaderId::From));
    cancel.add_header("To", *invite.header(sip::HeaderId::To));
    cancel.add_header("Call-ID", invite.call_id());
    cancel.add_header("CSeq", "1 CANCEL");
    layer->send_request(std::move(cancel), trunk());
  }
  void hang_up_outbound_call() { send_in_dialog(*outbound_dialog, sip::Method::Bye); }
  void send_options() {
    layer->send_request(parse("OPTIONS sip:198.51.100.20:5060 SIP/2.0\r\n"
                              "Via: SIP/2.0/UDP 203.0.113.10:5060;branch=" + layer->new_branch() + "\r\n"
                              "Max-Forwards: 70\r\nFrom: <sip:203.0.113.10>;tag=ping\r\nTo: <sip:198.51.100.20>\r\n"
                              "Call-ID: ping-1@203.0.113.10\r\nCSeq: 1 OPTIONS\r\n\r\n"),
                        trunk());
  }
  void on_response(const sip::TransactionKey&, const sip::Message& response) override {
    responses.push_back(response);
    const int code = response.status_code();
    const bool invite_2xx = response.cseq().method == "INVITE" && code >= 200 && code < 300;
    if (!invite_2xx) return;
    if (!outbound_dialog) outbound_dialog = sip::Dialog::create_as_uac(invite, response).value();
    if (++copies_of_2xx <= ignored_2xx) return;  // as if our ACK had been lost
    sip::Message ack = outbound_dialog->build_request(sip::Method::Ack);
    ack.prepend_header("Via", "SIP/2.0/UDP 203.0.113.10:5060;branch=" + layer->new_branch());
    trunk().send(ack);
  }
  void on_timeout(const sip::TransactionKey&, sip::TimerName) override {}
  void on_transport_error(const sip::TransactionKey&) override {}
  void on_connection_event(const net::ConnectionEvent&) override {}

  static inline const std::string kSbcSdp =
      "v=0\r\no=- 9 9 IN IP4 203.0.113.10\r\ns=-\r\nc=IN IP4 203.0.113.10\r\nt=0 0\r\n"
      "m=audio 40000 RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n"
      "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n";

  std::vector<Step> script;
  bool answering = true;
  int ignored_2xx = 0;  // copies of a 2xx to leave unacknowledged
  int copies_of_2xx = 0;
  std::unique_ptr<sip::TransactionLayer> layer;
  std::unique_ptr<net::SipEndpoint> endpoint;
  sip::Message carrier_invite;
  sip::TransactionKey carrier_invite_key;
  sip::Message answered;
  sip::Message invite;
  std::optional<sip::Dialog> outbound_dialog;
  std::vector<sip::Message> responses;

 private:
  sip::Transport& trunk() { return endpoint->datagram_flow(kSbcTrunk, kCarrierSip); }
  void send_in_dialog(sip::Dialog& dialog, sip::Method method) {
    sip::Message request = dialog.build_request(method);
    request.prepend_header("Via", "SIP/2.0/UDP 203.0.113.10:5060;branch=" + layer->new_branch());
    layer->send_request(std::move(request), trunk());
  }
};

// What the carrier reports, one line per call fact.
class CallLog final : public trace::CallObserver {
 public:
  void call_started(std::string_view leg, std::uint64_t call_number, trace::CallDirection direction,
                    std::string_view from, std::string_view to, sim::Time at) override {
    note("call_started " + std::string(leg) + " #" + std::to_string(call_number) +
         (direction == trace::CallDirection::Inbound ? " inbound " : " outbound ") + std::string(from) + " -> " +
         std::string(to), at);
  }
  void legs_joined(std::string_view earlier, std::string_view later) override {
    lines.push_back("legs_joined " + std::string(earlier) + " " + std::string(later));
  }
  void datacenter_used(std::string_view leg, std::string_view datacenter) override {
    lines.push_back("datacenter_used " + std::string(leg) + " " + std::string(datacenter));
  }
  void failed_over(std::string_view leg, sim::Time at) override { note("failed_over " + std::string(leg), at); }
  void answered(std::string_view leg, std::string_view answered_by, sim::Time at) override {
    note("answered " + std::string(leg) + " by '" + std::string(answered_by) + "'", at);
  }
  void final_response(std::string_view leg, int sip_code, std::optional<std::uint32_t> ms_code,
                      std::string_view phrase, sim::Time at) override {
    note("final_response " + std::string(leg) + " " + std::to_string(sip_code) + " " + std::string(phrase) +
         (ms_code ? " ms " + std::to_string(*ms_code) : ""), at);
  }
  void ended(std::string_view leg, sim::Time at) override { note("ended " + std::string(leg), at); }

  std::vector<std::string> lines;

 private:
  void note(const std::string& what, sim::Time at) { lines.push_back(what + " @" + sim::format_duration(at)); }
};

// Every datagram delivered, as "<instant> <sender> -> <receiver> <start line>" (responses with
// their CSeq method): the ladder of the calls.
class Ladder final : public sim::DeliveryObserver {
 public:
  void on_delivery(sim::Time time, const sim::Actor& destination, const sim::Delivery& delivery) override {
    messages.push_back({time, destination.name(), delivery.payload});
    const sip::Message message = parse(delivery.payload);
    const std::string& sender = destination.simulation().actor_name(delivery.source);
    std::string line = sim::format_duration(time) + " " + sender + " -> " + destination.name() + " ";
    if (message.is_request()) {
      line += std::string(message.method_text()) + " " + std::string(message.request_uri().text());
    } else {
      line += std::to_string(message.status_code()) + " " + std::string(message.reason_phrase()) + " (" +
              std::string(message.cseq().method) + ")";
    }
    lines.push_back(line);
  }
  struct Delivered {
    sim::Time at;
    std::string receiver;
    std::string bytes;
    bool operator==(const Delivered&) const = default;
  };
  // The messages `receiver` got with this method (requests) or CSeq method (responses).
  std::vector<Delivered> received(const std::string& receiver, std::string_view method) const {
    std::vector<Delivered> out;
    for (const Delivered& delivered : messages) {
      const sip::Message message = parse(delivered.bytes);
      const std::string_view seen = message.is_request() ? message.method_text() : message.cseq().method;
      if (delivered.receiver == receiver && seen == method) out.push_back(delivered);
    }
    return out;
  }
  std::vector<std::string> lines;
  std::vector<Delivered> messages;
};

pstn::CarrierSettings carrier_settings() {
  pstn::CarrierSettings settings;
  settings.ip = kCarrierSip.ip;
  settings.sbc = kSbcTrunk;
  settings.numbers = {"+12065550100", "+12065550101"};
  settings.ring_after = 2_s;
  settings.answer_after = 5_s;
  return settings;
}

net::Topology trunk_topology(sim::Time jitter) {
  auto topology = net::Topology::create({{"pstn-pop"}, {"contoso-hq"}}, {{"pstn-pop", "contoso-hq", 5_ms, jitter, 0.0}});
  REQUIRE(topology.ok());
  return std::move(topology).value();
}

// A carrier and a fake SBC at two sites joined by one 5 ms link.
struct TrunkBed {
  explicit TrunkBed(std::uint64_t seed = 1, sim::Time jitter = sim::Time::zero(),
                    pstn::CarrierSettings settings = carrier_settings())
      : simulation(seed),
        sbc(simulation.add_actor<FakeSbc>("sbc1")),
        carrier(simulation.add_actor<pstn::Carrier>("carrier1", std::move(settings), &calls)),
        network(simulation, trunk_topology(jitter)),
        udp(network),
        tcp(network) {
    const auto sbc_host = network.add_host({"sbc1", "contoso-hq", {kSbcTrunk.ip}, sbc.id()});
    const auto carrier_host = network.add_host({"carrier1", "pstn-pop", {kCarrierSip.ip}, carrier.id()});
    REQUIRE(sbc_host.ok());
    REQUIRE(carrier_host.ok());
    sbc.attach(udp, tcp, sbc_host.value());
    carrier.attach(udp, tcp, carrier_host.value());
    simulation.add_observer(ladder);
  }
  // Runs `action` at `when` as an event of the carrier.
  void at(sim::Time when, std::function<void()> action) {
    simulation.schedule_timer(when, carrier.id(), std::move(action)).release();
  }
  void place_call(sim::Time when, sim::Time holding) {
    at(when, [this, holding] { carrier.place_call(1, "+12065550100", "+14255550100", holding); });
  }

  sim::Simulation simulation;
  CallLog calls;
  Ladder ladder;
  FakeSbc& sbc;
  pstn::Carrier& carrier;
  net::Network network;
  net::UdpTransport udp;
  net::TcpTransport tcp;
};

// The carrier's tags: its actor id and a counter, in hex (§19.3 asks only for uniqueness).
std::string expected_tag(unsigned counter) {
  char text[17];
  std::snprintf(text, sizeof text, "%08x%08x", sip::branch_sender_id("carrier1"), counter);
  return text;
}

std::vector<FakeSbc::Step> ring_then_answer() {
  return {{0_ms, 100, "", false}, {1_s, 180, "fork-a", false}, {3_s, 200, "fork-a", true}};
}

}  // namespace

TEST_CASE("an inbound call leaves as a UDP INVITE with user=phone numbers and a G.711 offer") {
  TrunkBed bed;
  bed.sbc.answering = false;
  bed.place_call(0_ms, 30_s);
  bed.simulation.run_until(6_ms);
  REQUIRE(bed.ladder.messages.size() == 1);
  const std::string branch = sip::make_branch(sip::branch_sender_id("carrier1"), 1);
  const std::string tag = expected_tag(1);
  CHECK(bed.ladder.messages[0].at == 5_ms);
  const std::string offer =
      "v=0\r\n"
      "o=- 1 1 IN IP4 198.51.100.20\r\n"
      "s=-\r\n"
      "c=IN IP4 198.51.100.20\r\n"
      "t=0 0\r\n"
      "m=audio 16384 RTP/AVP 0 8 101\r\n"
      "a=rtpmap:0 PCMU/8000\r\n"
      "a=rtpmap:8 PCMA/8000\r\n"
      "a=rtpmap:101 telephone-event/8000\r\n"
      "a=fmtp:101 0-16\r\n"
      "a=ptime:20\r\n"
      "a=sendrecv\r\n";
  CHECK(bed.ladder.messages[0].bytes ==
        "INVITE sip:+14255550100@203.0.113.10:5060;user=phone SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 198.51.100.20:5060;branch=" + branch + "\r\n"
        "Max-Forwards: 70\r\n"
        "From: <sip:+12065550100@198.51.100.20;user=phone>;tag=" + tag + "\r\n"
        "To: <sip:+14255550100@203.0.113.10;user=phone>\r\n"
        "Call-ID: 1@198.51.100.20\r\n"
        "CSeq: 1 INVITE\r\n"
        "Contact: <sip:+12065550100@198.51.100.20:5060>\r\n"
        "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n"
        "Content-Type: application/sdp\r\n"
        "Content-Length: 222\r\n"
        "\r\n" + offer);
  CHECK(offer.size() == 222);
  // Far below the 1500-byte MTU: no fragmentation on the trunk (RFC 3261 §18.1.1).
  CHECK(bed.ladder.messages[0].bytes.size() < 1300);
  CHECK(bed.calls.lines ==
        std::vector<std::string>{"call_started 1@198.51.100.20 #1 inbound +12065550100 -> +14255550100 @0s"});
}

TEST_CASE("the carrier ACKs the 200 and hangs up with a BYE holding after the answer") {
  TrunkBed bed;
  bed.sbc.script = ring_then_answer();
  bed.place_call(0_ms, 30_s);
  bed.simulation.run_until(80_s);
  CHECK(bed.ladder.lines == std::vector<std::string>{
                                "5ms carrier1 -> sbc1 INVITE sip:+14255550100@203.0.113.10:5060;user=phone",
                                "10ms sbc1 -> carrier1 100 Trying (INVITE)",
                                "1010ms sbc1 -> carrier1 180 Ringing (INVITE)",
                                "3010ms sbc1 -> carrier1 200 OK (INVITE)",
                                "3015ms carrier1 -> sbc1 ACK sip:+14255550100@203.0.113.10:5060",
                                "33015ms carrier1 -> sbc1 BYE sip:+14255550100@203.0.113.10:5060",
                                "33020ms sbc1 -> carrier1 200 OK (BYE)",
                            });
  const sip::Message invite = parse(bed.ladder.received("sbc1", "INVITE").at(0).bytes);
  const sip::Message ack = parse(bed.ladder.received("sbc1", "ACK").at(0).bytes);
  const sip::Message bye = parse(bed.ladder.received("sbc1", "BYE").at(0).bytes);
  // §13.2.2.4: the ACK of a 2xx is a transaction of its own (new branch), with the INVITE's
  // CSeq number and the answering dialog's tags; the BYE takes the next CSeq number.
  CHECK(ack.top_via().branch() != invite.top_via().branch());
  CHECK(ack.cseq().number == 1);
  CHECK(ack.to().tag() == "fork-a");
  CHECK(ack.from().tag() == invite.from().tag());
  CHECK(bye.cseq().number == 2);
  CHECK(bye.to().tag() == "fork-a");
  CHECK(bye.call_id() == "1@198.51.100.20");
  CHECK(bed.calls.lines == std::vector<std::string>{
                               "call_started 1@198.51.100.20 #1 inbound +12065550100 -> +14255550100 @0s",
                               "final_response 1@198.51.100.20 200 OK @3010ms",
                               "answered 1@198.51.100.20 by '' @3010ms",
                               "ended 1@198.51.100.20 @33010ms",
                           });
  // Timer M (64*T1 after the 2xx) has ended the INVITE transaction and the BYE is answered.
  CHECK(bed.carrier.calls_in_progress() == 0);
  CHECK(bed.carrier.dialogs().size() == 0);
}

TEST_CASE("each forked 180 is its own early dialog and the unanswered one ends with the INVITE") {
  TrunkBed bed;
  bed.sbc.script = {{0_ms, 100, "", false}, {1_s, 180, "fork-a", false}, {1500_ms, 180, "fork-b", false},
                    {3_s, 200, "fork-b", true}};
  bed.place_call(0_ms, 60_s);
  const auto state_of = [&bed](const char* tag) {
    const sip::DialogId id{"1@198.51.100.20", expected_tag(1), tag};
    const sip::Dialog* dialog = bed.carrier.dialogs().find(id);
    REQUIRE(dialog != nullptr);
    return dialog->state();
  };
  bed.simulation.run_until(2_s);
  CHECK(bed.carrier.dialogs().size() == 2);
  CHECK(state_of("fork-a") == sip::Dialog::State::Early);
  CHECK(state_of("fork-b") == sip::Dialog::State::Early);
  bed.simulation.run_until(4_s);
  CHECK(state_of("fork-a") == sip::Dialog::State::Early);
  CHECK(state_of("fork-b") == sip::Dialog::State::Confirmed);
  CHECK(parse(bed.ladder.received("sbc1", "ACK").at(0).bytes).to().tag() == "fork-b");
  // §13.2.2.4: Timer M ends the INVITE transaction 64*T1 after the 2xx; the early dialog
  // nothing confirmed ends with it.
  bed.simulation.run_until(35_s + 11_ms);
  CHECK(state_of("fork-a") == sip::Dialog::State::Terminated);
  CHECK(state_of("fork-b") == sip::Dialog::State::Confirmed);
  CHECK(bed.calls.lines.size() == 3);  // started, one final response, one answer
}

TEST_CASE("a second branch that answers too is ACKed and then hung up at once") {
  TrunkBed bed;
  bed.sbc.script = {{0_ms, 100, "", false}, {1_s, 180, "fork-a", false}, {1500_ms, 180, "fork-b", false},
                    {3_s, 200, "fork-b", true}, {3100_ms, 200, "fork-a", true}};
  bed.place_call(0_ms, 30_s);
  bed.simulation.run_until(80_s);
  CHECK(bed.ladder.lines == std::vector<std::string>{
                                "5ms carrier1 -> sbc1 INVITE sip:+14255550100@203.0.113.10:5060;user=phone",
                                "10ms sbc1 -> carrier1 100 Trying (INVITE)",
                                "1010ms sbc1 -> carrier1 180 Ringing (INVITE)",
                                "1510ms sbc1 -> carrier1 180 Ringing (INVITE)",
                                "3010ms sbc1 -> carrier1 200 OK (INVITE)",
                                "3015ms carrier1 -> sbc1 ACK sip:+14255550100@203.0.113.10:5060",
                                "3110ms sbc1 -> carrier1 200 OK (INVITE)",
                                "3115ms carrier1 -> sbc1 ACK sip:+14255550100@203.0.113.10:5060",
                                "3115ms carrier1 -> sbc1 BYE sip:+14255550100@203.0.113.10:5060",
                                "3120ms sbc1 -> carrier1 200 OK (BYE)",
                                "33015ms carrier1 -> sbc1 BYE sip:+14255550100@203.0.113.10:5060",
                                "33020ms sbc1 -> carrier1 200 OK (BYE)",
                            });
  const auto byes = bed.ladder.received("sbc1", "BYE");
  CHECK(parse(byes.at(0).bytes).to().tag() == "fork-a");
  CHECK(parse(byes.at(1).bytes).to().tag() == "fork-b");
  // The call is the first answer's: one answer, one final response.
  CHECK(bed.calls.lines == std::vector<std::string>{
                               "call_started 1@198.51.100.20 #1 inbound +12065550100 -> +14255550100 @0s",
                               "final_response 1@198.51.100.20 200 OK @3010ms",
                               "answered 1@198.51.100.20 by '' @3010ms",
                               "ended 1@198.51.100.20 @33010ms",
                           });
}

TEST_CASE("a call the Teams side refuses reports the SBC's final code and sends no BYE") {
  TrunkBed bed;
  bed.sbc.script = {{0_ms, 100, "", false}, {1_s, 180, "fork-a", false}, {20_s, 480, "fork-a", false}};
  bed.place_call(0_ms, 30_s);
  bed.simulation.run_until(100_s);
  CHECK(bed.ladder.lines == std::vector<std::string>{
                                "5ms carrier1 -> sbc1 INVITE sip:+14255550100@203.0.113.10:5060;user=phone",
                                "10ms sbc1 -> carrier1 100 Trying (INVITE)",
                                "1010ms sbc1 -> carrier1 180 Ringing (INVITE)",
                                "20010ms sbc1 -> carrier1 480 Temporarily Unavailable (INVITE)",
                                "20015ms carrier1 -> sbc1 ACK sip:+14255550100@203.0.113.10:5060;user=phone",
                            });
  // §17.1.1.3: the transaction's ACK of a non-2xx shares the INVITE's branch.
  CHECK(parse(bed.ladder.received("sbc1", "ACK").at(0).bytes).top_via().branch() ==
        parse(bed.ladder.received("sbc1", "INVITE").at(0).bytes).top_via().branch());
  CHECK(bed.calls.lines == std::vector<std::string>{
                               "call_started 1@198.51.100.20 #1 inbound +12065550100 -> +14255550100 @0s",
                               "final_response 1@198.51.100.20 480 Temporarily Unavailable @20010ms",
                               "ended 1@198.51.100.20 @20010ms",
                           });
  CHECK(bed.carrier.calls_in_progress() == 0);
  CHECK(bed.carrier.dialogs().size() == 0);
}

TEST_CASE("an INVITE nobody answers is resent on Timer A and fails as 408 at Timer B") {
  TrunkBed bed;
  bed.sbc.answering = false;
  bed.place_call(0_ms, 30_s);
  bed.simulation.run_until(60_s);
  std::vector<sim::Time> arrivals;
  for (const auto& delivered : bed.ladder.received("sbc1", "INVITE")) arrivals.push_back(delivered.at);
  // §17.1.1.2: sent at 0, then after 0.5, 1, 2, 4, 8 and 16 s; Timer B at 64*T1 = 32 s.
  CHECK(arrivals == std::vector<sim::Time>{5_ms, 505_ms, 1505_ms, 3505_ms, 7505_ms, 15505_ms, 31505_ms});
  // §8.1.3.1: the TU treats Timer B as a 408.
  CHECK(bed.calls.lines == std::vector<std::string>{
                               "call_started 1@198.51.100.20 #1 inbound +12065550100 -> +14255550100 @0s",
                               "final_response 1@198.51.100.20 408 Request Timeout @32s",
                               "ended 1@198.51.100.20 @32s",
                           });
  CHECK(bed.carrier.calls_in_progress() == 0);
}

TEST_CASE("an INVITE lost on the trunk is sent again and the call goes through") {
  TrunkBed bed;
  bed.sbc.script = {{0_ms, 100, "", false}, {2_s, 200, "fork-a", true}};
  bed.network.set_link_loss(kTrunkLink, 1.0);
  bed.place_call(0_ms, 10_s);
  bed.simulation.run_until(1_s);  // the INVITE at 0 s and its copy at 0.5 s are lost
  bed.network.restore_link(kTrunkLink);
  bed.simulation.run_until(60_s);
  CHECK(bed.ladder.lines == std::vector<std::string>{
                                "1505ms carrier1 -> sbc1 INVITE sip:+14255550100@203.0.113.10:5060;user=phone",
                                "1510ms sbc1 -> carrier1 100 Trying (INVITE)",
                                "3510ms sbc1 -> carrier1 200 OK (INVITE)",
                                "3515ms carrier1 -> sbc1 ACK sip:+14255550100@203.0.113.10:5060",
                                "13515ms carrier1 -> sbc1 BYE sip:+14255550100@203.0.113.10:5060",
                                "13520ms sbc1 -> carrier1 200 OK (BYE)",
                            });
  // The copy that got through is the first transaction's (same branch), not a new call.
  CHECK(parse(bed.ladder.messages.at(0).bytes).top_via().branch() == sip::make_branch(sip::branch_sender_id("carrier1"), 1));
  CHECK(bed.calls.lines.at(1) == "final_response 1@198.51.100.20 200 OK @3510ms");
}

TEST_CASE("the Teams side hanging up first gets a 200 and the carrier sends no BYE") {
  TrunkBed bed;
  bed.sbc.script = ring_then_answer();
  bed.place_call(0_ms, 30_s);
  bed.simulation.run_until(10_s);
  bed.sbc.hang_up_carrier_call();
  bed.simulation.run_until(80_s);
  CHECK(bed.ladder.lines == std::vector<std::string>{
                                "5ms carrier1 -> sbc1 INVITE sip:+14255550100@203.0.113.10:5060;user=phone",
                                "10ms sbc1 -> carrier1 100 Trying (INVITE)",
                                "1010ms sbc1 -> carrier1 180 Ringing (INVITE)",
                                "3010ms sbc1 -> carrier1 200 OK (INVITE)",
                                "3015ms carrier1 -> sbc1 ACK sip:+14255550100@203.0.113.10:5060",
                                "10005ms sbc1 -> carrier1 BYE sip:+12065550100@198.51.100.20:5060",
                                "10010ms carrier1 -> sbc1 200 OK (BYE)",
                            });
  CHECK(bed.calls.lines.back() == "ended 1@198.51.100.20 @10005ms");
  CHECK(bed.carrier.calls_in_progress() == 0);
}

TEST_CASE("a call left ringing past Timer C's value is cancelled and ends with the 487") {
  TrunkBed bed;
  bed.sbc.script = {{0_ms, 100, "", false}, {1_s, 180, "fork-a", false}};
  bed.place_call(0_ms, 30_s);
  bed.simulation.run_until(300_s);
  // Timer C (181 s) runs from the INVITE and restarts on the 180 at 1.010 s.
  CHECK(bed.ladder.lines == std::vector<std::string>{
                                "5ms carrier1 -> sbc1 INVITE sip:+14255550100@203.0.113.10:5060;user=phone",
                                "10ms sbc1 -> carrier1 100 Trying (INVITE)",
                                "1010ms sbc1 -> carrier1 180 Ringing (INVITE)",
                                "182015ms carrier1 -> sbc1 CANCEL sip:+14255550100@203.0.113.10:5060;user=phone",
                                "182020ms sbc1 -> carrier1 200 OK (CANCEL)",
                                "182020ms sbc1 -> carrier1 487 Request Terminated (INVITE)",
                                "182025ms carrier1 -> sbc1 ACK sip:+14255550100@203.0.113.10:5060;user=phone",
                            });
  // §9.1: the CANCEL names the INVITE's transaction.
  const sip::Message cancel = parse(bed.ladder.received("sbc1", "CANCEL").at(0).bytes);
  const sip::Message invite = parse(bed.ladder.received("sbc1", "INVITE").at(0).bytes);
  CHECK(cancel.top_via().branch() == invite.top_via().branch());
  CHECK(cancel.cseq().number == 1);
  CHECK_FALSE(cancel.to().has_tag());
  CHECK(bed.calls.lines.at(1) == "final_response 1@198.51.100.20 487 Request Terminated @182020ms");
  CHECK(bed.carrier.calls_in_progress() == 0);
}

TEST_CASE("an outbound call rings at ring_after and is answered at answer_after with a G.711 answer") {
  TrunkBed bed;
  bed.at(0_ms, [&bed] { bed.sbc.invite_carrier("+12065550100"); });
  bed.simulation.run_until(20_s);
  bed.sbc.hang_up_outbound_call();
  bed.simulation.run_until(80_s);
  CHECK(bed.ladder.lines == std::vector<std::string>{
                                "5ms sbc1 -> carrier1 INVITE sip:+12065550100@198.51.100.20:5060;user=phone",
                                "10ms carrier1 -> sbc1 100 Trying (INVITE)",
                                "2010ms carrier1 -> sbc1 180 Ringing (INVITE)",
                                "5010ms carrier1 -> sbc1 200 OK (INVITE)",
                                "5015ms sbc1 -> carrier1 ACK sip:+12065550100@198.51.100.20:5060",
                                "20005ms sbc1 -> carrier1 BYE sip:+12065550100@198.51.100.20:5060",
                                "20010ms carrier1 -> sbc1 200 OK (BYE)",
                            });
  const sip::Message& ringing = bed.sbc.responses.at(1);
  const sip::Message& ok = bed.sbc.responses.at(2);
  CHECK_FALSE(bed.sbc.responses.at(0).to().has_tag());
  CHECK(ringing.to().tag() == expected_tag(1));
  CHECK(ok.to().tag() == expected_tag(1));
  CHECK(ok.contact(0).text() == "<sip:+12065550100@198.51.100.20:5060>");
  CHECK(ok.header("Allow") == std::optional<std::string_view>("INVITE, ACK, CANCEL, BYE, OPTIONS"));
  // The SBC offered PCMA first: the answer takes it, with telephone-event.
  CHECK(ok.body() ==
        "v=0\r\no=- 1 1 IN IP4 198.51.100.20\r\ns=-\r\nc=IN IP4 198.51.100.20\r\nt=0 0\r\n"
        "m=audio 16384 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
        "a=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n");
  // The carrier reports only what it alone knows: a PSTN phone answered.
  CHECK(bed.calls.lines == std::vector<std::string>{"answered out-1@203.0.113.10 by '' @5005ms"});
  CHECK(bed.carrier.calls_in_progress() == 0);
  CHECK(bed.carrier.dialogs().size() == 0);
}

TEST_CASE("a phone that answers before it would ring sends no 180") {
  pstn::CarrierSettings settings = carrier_settings();
  settings.ring_after = 3_s;
  settings.answer_after = 1_s;
  TrunkBed bed(1, sim::Time::zero(), settings);
  bed.at(0_ms, [&bed] { bed.sbc.invite_carrier("+12065550101"); });
  bed.simulation.run_until(10_s);
  CHECK(bed.ladder.lines == std::vector<std::string>{
                                "5ms sbc1 -> carrier1 INVITE sip:+12065550101@198.51.100.20:5060;user=phone",
                                "10ms carrier1 -> sbc1 100 Trying (INVITE)",
                                "1010ms carrier1 -> sbc1 200 OK (INVITE)",
                                "1015ms sbc1 -> carrier1 ACK sip:+12065550101@198.51.100.20:5060",
                            });
}

TEST_CASE("a number the carrier does not serve is refused with 404") {
  TrunkBed bed;
  bed.at(0_ms, [&bed] { bed.sbc.invite_carrier("+12065559999"); });
  bed.simulation.run_until(60_s);
  CHECK(bed.ladder.lines == std::vector<std::string>{
                                "5ms sbc1 -> carrier1 INVITE sip:+12065559999@198.51.100.20:5060;user=phone",
                                "10ms carrier1 -> sbc1 404 Not Found (INVITE)",
                                "15ms sbc1 -> carrier1 ACK sip:+12065559999@198.51.100.20:5060;user=phone",
                            });
  CHECK(bed.sbc.responses.at(0).to().has_tag());
  CHECK(bed.calls.lines.empty());
  CHECK(bed.carrier.calls_in_progress() == 0);
}

TEST_CASE("a CANCEL before the answer gets 200 and the INVITE 487 and the phone stops") {
  TrunkBed bed;
  bed.at(0_ms, [&bed] { bed.sbc.invite_carrier("+12065550100"); });
  bed.at(1_s, [&bed] { bed.sbc.cancel_invite(); });
  bed.simulation.run_until(60_s);
  CHECK(bed.ladder.lines == std::vector<std::string>{
                                "5ms sbc1 -> carrier1 INVITE sip:+12065550100@198.51.100.20:5060;user=phone",
                                "10ms carrier1 -> sbc1 100 Trying (INVITE)",
                                "1005ms sbc1 -> carrier1 CANCEL sip:+12065550100@198.51.100.20:5060;user=phone",
                                "1010ms carrier1 -> sbc1 200 OK (CANCEL)",
                                "1010ms carrier1 -> sbc1 487 Request Terminated (INVITE)",
                                "1015ms sbc1 -> carrier1 ACK sip:+12065550100@198.51.100.20:5060;user=phone",
                            });
  // §9.2: the CANCEL's 200 and the INVITE's 487 carry the same To tag.
  CHECK(bed.sbc.responses.at(1).to().tag() == bed.sbc.responses.at(2).to().tag());
  CHECK(bed.calls.lines.empty());
  CHECK(bed.carrier.calls_in_progress() == 0);
}

TEST_CASE("a CANCEL for an INVITE the carrier never saw gets 481") {
  TrunkBed bed;
  bed.at(0_ms, [&bed] {
    bed.sbc.invite = FakeSbc::outbound_invite("+12065550100", "z9hG4bKnever-sent");
    bed.sbc.cancel_invite();
  });
  bed.simulation.run_until(1_s);
  // §9.2: nothing matches the CANCEL.
  CHECK(bed.ladder.lines == std::vector<std::string>{
                                "5ms sbc1 -> carrier1 CANCEL sip:+12065550100@198.51.100.20:5060;user=phone",
                                "10ms carrier1 -> sbc1 481 Call/Transaction Does Not Exist (CANCEL)",
                            });
}

TEST_CASE("the 200 is sent again until the ACK arrives") {
  TrunkBed bed;
  bed.sbc.ignored_2xx = 1;
  bed.at(0_ms, [&bed] { bed.sbc.invite_carrier("+12065550100"); });
  bed.simulation.run_until(60_s);
  std::vector<sim::Time> arrivals;
  for (const auto& delivered : bed.ladder.received("sbc1", "INVITE")) arrivals.push_back(delivered.at);
  // §13.3.1.4: the first copy's ACK is "lost"; the second copy, T1 later, is ACKed.
  CHECK(arrivals == std::vector<sim::Time>{10_ms, 2010_ms, 5010_ms, 5510_ms});
  CHECK(bed.ladder.received("carrier1", "ACK").size() == 1);
  CHECK(bed.ladder.received("carrier1", "ACK").at(0).at == 5515_ms);
}

TEST_CASE("a 200 never ACKed is sent for 64 T1 and the call is then hung up with a BYE") {
  TrunkBed bed;
  bed.sbc.ignored_2xx = 1000;
  bed.at(0_ms, [&bed] { bed.sbc.invite_carrier("+12065550100"); });
  bed.simulation.run_until(60_s);
  std::vector<sim::Time> ok_arrivals;
  for (const auto& delivered : bed.ladder.received("sbc1", "INVITE")) {
    if (parse(delivered.bytes).status_code() == 200) ok_arrivals.push_back(delivered.at);
  }
  // §13.3.1.4: after T1, doubling up to T2 (0.5, 1, 2, 4, 4, ... s) until 64*T1 = 32 s.
  CHECK(ok_arrivals == std::vector<sim::Time>{5010_ms, 5510_ms, 6510_ms, 8510_ms, 12510_ms, 16510_ms, 20510_ms,
                                              24510_ms, 28510_ms, 32510_ms, 36510_ms});
  const auto byes = bed.ladder.received("sbc1", "BYE");
  REQUIRE(byes.size() == 1);
  CHECK(byes[0].at == 37010_ms);
  CHECK(bed.calls.lines == std::vector<std::string>{"answered out-1@203.0.113.10 by '' @5005ms",
                                                    "ended out-1@203.0.113.10 @37005ms"});
}

TEST_CASE("an OPTIONS from the SBC is answered 200 with what the carrier allows") {
  TrunkBed bed;
  bed.at(0_ms, [&bed] { bed.sbc.send_options(); });
  bed.simulation.run_until(1_s);
  REQUIRE(bed.sbc.responses.size() == 1);
  CHECK(bed.sbc.responses[0].status_code() == 200);
  CHECK(bed.sbc.responses[0].header("Allow") == std::optional<std::string_view>("INVITE, ACK, CANCEL, BYE, OPTIONS"));
  CHECK(bed.ladder.lines.at(1) == "10ms carrier1 -> sbc1 200 OK (OPTIONS)");
}

TEST_CASE("the same seed gives the same bytes at the same instants and another seed does not") {
  // A jittery, lossy trunk carrying a call each way.
  const auto run = [](std::uint64_t seed) {
    TrunkBed bed(seed, 3_ms);
    bed.network.set_link_loss(kTrunkLink, 0.2);
    bed.sbc.script = ring_then_answer();
    bed.place_call(0_ms, 20_s);
    bed.at(100_ms, [&bed] { bed.sbc.invite_carrier("+12065550101"); });
    bed.simulation.run_until(120_s);
    return std::make_pair(bed.ladder.messages, bed.simulation.fingerprint());
  };
  const auto first = run(7);
  const auto again = run(7);
  const auto other = run(8);
  CHECK(first.first.size() > 10);
  CHECK(first.first == again.first);
  CHECK(first.second == again.second);
  CHECK(first.first != other.first);
  CHECK(first.second != other.second);
}

TEST_CASE("an outbound offer without G.711 is refused with 488") {
  TrunkBed bed;
  bed.at(0_ms, [&bed] {
    bed.sbc.invite_carrier("+12065550100",
                           "v=0\r\no=- 9 9 IN IP4 203.0.113.10\r\ns=-\r\nc=IN IP4 203.0.113.10\r\nt=0 0\r\n"
                           "m=audio 40000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n");
  });
  bed.simulation.run_until(10_s);
  CHECK(bed.ladder.lines.at(1) == "10ms carrier1 -> sbc1 488 Not Acceptable Here (INVITE)");
  CHECK(bed.ladder.lines.size() == 3);  // and the SBC's ACK
  CHECK(bed.carrier.calls_in_progress() == 0);
}

TEST_CASE("an outbound INVITE without an offer gets the carrier's offer in the 200") {
  TrunkBed bed;
  bed.at(0_ms, [&bed] { bed.sbc.invite_carrier("+12065550100", ""); });
  bed.simulation.run_until(10_s);
  // §13.2.1: the 2xx carries the offer, the ACK would carry the answer.
  REQUIRE(bed.sbc.responses.size() == 3);
  const auto offer = sip::parse_sdp(bed.sbc.responses[2].body());
  REQUIRE(offer.ok());
  REQUIRE(offer->media.size() == 1);
  CHECK(offer->media[0].formats == std::vector<std::string>{"0", "8", "101"});
}

TEST_CASE("a re-INVITE in an answered call gets the same session description back") {
  TrunkBed bed;
  bed.at(0_ms, [&bed] { bed.sbc.invite_carrier("+12065550100"); });
  bed.simulation.run_until(10_s);
  bed.sbc.reinvite_outbound_call();
  bed.simulation.run_until(60_s);
  CHECK(std::vector<std::string>(bed.ladder.lines.begin() + 5, bed.ladder.lines.end()) ==
        std::vector<std::string>{
            "10005ms sbc1 -> carrier1 INVITE sip:+12065550100@198.51.100.20:5060",
            "10010ms carrier1 -> sbc1 200 OK (INVITE)",
            "10015ms sbc1 -> carrier1 ACK sip:+12065550100@198.51.100.20:5060",
        });
  REQUIRE(bed.sbc.responses.size() == 4);
  // RFC 3264 §8: nothing changed, so the same description, version and all.
  CHECK(bed.sbc.responses[3].body() == bed.sbc.responses[2].body());
  CHECK(bed.sbc.responses[3].cseq().number == 2);
}

TEST_CASE("a second INVITE with the Call-ID of a ringing call is refused as a loop") {
  TrunkBed bed;
  bed.at(0_ms, [&bed] { bed.sbc.invite_carrier("+12065550100"); });
  bed.at(1_s, [&bed] { bed.sbc.invite_carrier("+12065550101"); });  // new branch, same Call-ID
  bed.simulation.run_until(1500_ms);
  // §8.2.2.2: the first call rings on; the copy is answered 482.
  CHECK(bed.ladder.lines == std::vector<std::string>{
                                "5ms sbc1 -> carrier1 INVITE sip:+12065550100@198.51.100.20:5060;user=phone",
                                "10ms carrier1 -> sbc1 100 Trying (INVITE)",
                                "1005ms sbc1 -> carrier1 INVITE sip:+12065550101@198.51.100.20:5060;user=phone",
                                "1010ms carrier1 -> sbc1 482 Loop Detected (INVITE)",
                                "1015ms sbc1 -> carrier1 ACK sip:+12065550101@198.51.100.20:5060;user=phone",
                            });
  CHECK(bed.carrier.calls_in_progress() == 1);
}

TEST_CASE("an INVITE to an SBC port nobody listens on fails as 503") {
  TrunkBed bed;
  bed.udp.unbind(kSbcTrunk);
  bed.place_call(0_ms, 30_s);
  bed.simulation.run_until(60_s);
  // The ICMP port unreachable is back after the round trip; §8.1.3.1 makes it a 503.
  CHECK(bed.calls.lines == std::vector<std::string>{
                               "call_started 1@198.51.100.20 #1 inbound +12065550100 -> +14255550100 @0s",
                               "final_response 1@198.51.100.20 503 Service Unavailable @10ms",
                               "ended 1@198.51.100.20 @10ms",
                           });
  CHECK(bed.ladder.lines.empty());
  CHECK(bed.carrier.calls_in_progress() == 0);
}

TEST_CASE("a retransmitted 200 gets the same ACK again") {
  TrunkBed bed;
  bed.sbc.script = ring_then_answer();
  bed.sbc.script.push_back({3500_ms, 200, "fork-a", true});  // as if the first ACK were lost
  bed.place_call(0_ms, 30_s);
  bed.simulation.run_until(10_s);
  const auto acks = bed.ladder.received("sbc1", "ACK");
  REQUIRE(acks.size() == 2);
  CHECK(acks[0].at == 3015_ms);
  CHECK(acks[1].at == 3515_ms);
  // §13.2.2.4: the same ACK, byte for byte (same branch, same CSeq).
  CHECK(acks[0].bytes == acks[1].bytes);
  CHECK(bed.calls.lines.size() == 3);  // one answer, not two
}
