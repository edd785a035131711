// drsim run end to end: experiment files through the real models on the simulated network,
// checked the way a user reads the results (calls.csv rows, summary.json, events.pb, the pcap
// in tshark). The e2e topology has no jitter, so every expected instant is a sum of modelled
// delays: links (carrier–SBC 2 ms, SBC–amer 10 ms), client signalling (50 ms each way) and
// the endpoints' and phones' own timing.
#include "sim/experiment/experiment_run.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "sim/sip/parser.hpp"
#include "sim/trace/event_trace_writer.hpp"
#include "sim/trace/events.pb.h"
#include "tests/sim/experiment/e2e_bed.hpp"

namespace {

using sim::Time;

const std::string kInboundToAlice = R"([[call]]
at = "10s"
from = "+12065550100"
to = "+14255550100"
hangup_after = "30s"
)";

const std::string kOutboundFromAlice = R"([[call]]
at = "10s"
from = "+14255550100"
to = "+12065550101"
hangup_after = "20s"
)";

// The SIP messages one actor sent to another, parsed, in the order they left.
std::vector<sip::Message> sip_sent(const std::vector<drsim::trace::Event>& events, const std::string& actor,
                                   const std::string& peer) {
  std::vector<sip::Message> messages;
  for (const auto& event : events) {
    if (!event.has_sip_sent() || event.actor() != actor || event.sip_sent().peer() != peer) continue;
    auto parsed = sip::parse_message(event.sip_sent().message());
    REQUIRE(parsed.ok());
    messages.push_back(std::move(parsed).value());
  }
  return messages;
}

std::vector<std::string> to_tags_of(const std::vector<sip::Message>& messages, int status_code) {
  std::vector<std::string> tags;
  for (const sip::Message& message : messages)
    if (!message.is_request() && message.status_code() == status_code) tags.emplace_back(message.to().tag());
  return tags;
}

}  // namespace

TEST_CASE("an inbound call forks to alice's three clients and the first to answer takes it") {
  e2e::Bed bed;
  const auto outcome = bed.run(kInboundToAlice + "[output]\nladders = [1]\n");
  REQUIRE(outcome.calls.size() == 1);
  const trace::CallRecord& call = outcome.calls[0];
  CHECK(call.direction == trace::CallDirection::Inbound);
  CHECK(call.final_sip_code == 200);
  CHECK_FALSE(call.final_ms_code.has_value());
  // The mobile answers 4 s after it hears of the call, before the desktop's 6 s.
  CHECK(call.answered_by == "mobile");
  CHECK(call.datacenter == "amer");
  CHECK(call.failovers == 0);
  // INVITE 2 ms to sbc1 and 10 ms to amer, 50 ms to the clients, 4 s, 50 ms back, then the 200
  // 10 ms to sbc1 and 2 ms to the carrier.
  REQUIRE(call.setup_delay.has_value());
  CHECK(*call.setup_delay == Time::from_milliseconds(2 + 10 + 50 + 4000 + 50 + 10 + 2));
  // The caller hangs up 30 s after its 200 arrived.
  CHECK(call.end == call.start + *call.setup_delay + Time::from_seconds(30));

  auto events = trace::read_event_trace(outcome.output_dir / "events.pb");
  REQUIRE(events.ok());
  // One 180 per ringing endpoint, each on its own early dialog, relayed to the carrier on as
  // many early dialogs of the SBC's own.
  const auto from_microsoft = to_tags_of(sip_sent(events.value(), "amer", "sbc1"), 180);
  const auto to_carrier = to_tags_of(sip_sent(events.value(), "sbc1", "carrier1"), 180);
  CHECK(from_microsoft.size() == 3);
  CHECK(std::set<std::string>(from_microsoft.begin(), from_microsoft.end()).size() == 3);
  CHECK(to_carrier.size() == 3);
  CHECK(std::set<std::string>(to_carrier.begin(), to_carrier.end()).size() == 3);
  // The 200 to the carrier is on the dialog of the endpoint that answered: a To tag of a 180.
  const auto answered = to_tags_of(sip_sent(events.value(), "sbc1", "carrier1"), 200);
  REQUIRE_FALSE(answered.empty());
  CHECK(std::count(to_carrier.begin(), to_carrier.end(), answered.front()) == 1);
  // Every SIP message of the call carries the call's number in the trace.
  for (const auto& event : events.value())
    if (event.has_sip_sent() && event.sip_sent().message().find("INVITE sip:") == 0) CHECK(event.call_id() == "1");
  CHECK(outcome.ladders.size() == 1);
}

TEST_CASE("an outbound call reaches the PSTN through sbc1 and the carrier's phone answers") {
  e2e::Bed bed;
  const auto outcome = bed.run(kOutboundFromAlice);
  REQUIRE(outcome.calls.size() == 1);
  const trace::CallRecord& call = outcome.calls[0];
  CHECK(call.direction == trace::CallDirection::Outbound);
  CHECK(call.from == "+14255550100");
  CHECK(call.final_sip_code == 200);
  CHECK(call.answered_by.empty());  // a PSTN phone
  CHECK(call.datacenter == "amer");
  // PlaceCall 50 ms, INVITE 10 ms to sbc1 (over the connection of Microsoft's OPTIONS, the
  // FQDN still in the DNS cache), 2 ms to the carrier, whose phone answers 5 s after the
  // INVITE arrives; the 200 back 2 + 10 ms and CallAccepted 50 ms.
  REQUIRE(call.setup_delay.has_value());
  CHECK(*call.setup_delay == Time::from_milliseconds(50 + 10 + 2 + 5000 + 2 + 10 + 50));
  CHECK(call.end == call.start + *call.setup_delay + Time::from_seconds(20));
}

TEST_CASE("a number outside the SBC's tenant is not found: 404 with Microsoft code 511404") {
  e2e::Bed bed;
  // carol is fabrikam's; the call comes in on contoso's sbc1, and the reverse number lookup
  // only searches the SBC's tenant.
  const auto outcome = bed.run("[[call]]\nat = \"10s\"\nfrom = \"+12065550100\"\nto = \"+14255550200\"\n");
  REQUIRE(outcome.calls.size() == 1);
  CHECK(outcome.calls[0].final_sip_code == 404);
  CHECK(outcome.calls[0].final_ms_code == std::optional<std::uint32_t>(511404));
  CHECK_FALSE(outcome.calls[0].setup_delay.has_value());
  CHECK(outcome.summary.call_statistics.calls.failed == 1);
  CHECK(outcome.summary.call_statistics.by_final ==
        std::vector<trace::FinalCodeCount>{{404, std::optional<std::uint32_t>(511404), 1}});
}

TEST_CASE("an SBC no tenant registered is refused: 403 with Microsoft code 510532, then its proxies are down") {
  e2e::Bed bed;
  // +12065550200 is carrier2's, whose trunk is sbc2.unregistered.example. The first call
  // leaves with the SBC's first OPTIONS, before their answer: Microsoft refuses the INVITE.
  // The OPTIONS get 403 too, so the SBC marks the proxy down, and the second call never
  // leaves the SBC: the carrier hears 503.
  const auto outcome = bed.run(
      "[[call]]\nat = \"0s\"\nfrom = \"+12065550200\"\nto = \"+14255550100\"\n"
      "[[call]]\nat = \"30s\"\nfrom = \"+12065550200\"\nto = \"+14255550100\"\n");
  REQUIRE(outcome.calls.size() == 2);
  CHECK(outcome.calls[0].final_sip_code == 403);
  CHECK(outcome.calls[0].final_ms_code == std::optional<std::uint32_t>(510532));
  CHECK(outcome.calls[0].datacenter == "amer");
  CHECK(outcome.calls[1].final_sip_code == 503);
  CHECK_FALSE(outcome.calls[1].final_ms_code.has_value());
  CHECK(outcome.calls[1].datacenter.empty());
  // Answered by the SBC itself, 2 ms each way from the carrier.
  CHECK(outcome.calls[1].end == Time::from_seconds(30) + Time::from_milliseconds(4));
}

TEST_CASE("an inbound call nobody answers ends after Microsoft's 20 s ring timeout with 480") {
  e2e::Bed bed;
  const auto outcome = bed.run("[[call]]\nat = \"10s\"\nfrom = \"+12065550100\"\nto = \"+14255550101\"\n");
  REQUIRE(outcome.calls.size() == 1);
  CHECK(outcome.calls[0].final_sip_code == 480);
  CHECK(outcome.calls[0].answered_by.empty());
  // The ring timer starts when the INVITE reaches amer; the 480 takes 10 + 2 ms back.
  CHECK(outcome.calls[0].end == Time::from_seconds(30) + Time::from_milliseconds(2 + 10 + 10 + 2));
}

TEST_CASE("a Teams user signed in nowhere cannot place a call: bad input and nothing written") {
  // load_scenario refuses such a file at the call's line; a scenario built in code is refused
  // by the run itself.
  e2e::Bed bed;
  config::Scenario scenario = bed.load("[[call]]\nat = \"10s\"\nfrom = \"+14255550100\"\nto = \"+12065550100\"\n");
  scenario.experiment.calls[0].from = "+14255550201";
  const auto ran = experiment::run_experiment(scenario, {bed.folder / "dave", {}});
  REQUIRE_FALSE(ran.ok());
  CHECK(ran.error().kind == experiment::RunError::Kind::BadInput);
  CHECK(ran.error().message.find("+14255550201 places an outbound call but has no endpoints") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(bed.folder / "dave"));
}

TEST_CASE("two runs of one experiment write byte-identical output folders") {
  e2e::Bed bed;
  const std::string body = kInboundToAlice + kOutboundFromAlice +
                           "[[workload]]\ndirection = \"inbound\"\nrate = \"1/s\"\nholding = \"exp(20s)\"\n"
                           "[output]\nladders = [1, 2]\n";
  const auto first = bed.run(body, "first");
  const auto second = bed.run(body, "second");
  CHECK(first.summary.fingerprint == second.summary.fingerprint);
  for (const char* file : {"summary.json", "calls.csv", "events.pb", "trace.pcap", "ladder-1.svg", "ladder-2.svg"}) {
    CAPTURE(file);
    const std::string a = trace_test::read_file(first.output_dir / file);
    CHECK_FALSE(a.empty());
    CHECK(a == trace_test::read_file(second.output_dir / file));
  }
}

TEST_CASE("a Poisson workload draws its calls from its own streams") {
  e2e::Bed bed;
  const std::string workload = "[[workload]]\ndirection = \"inbound\"\nrate = \"2/s\"\nholding = \"10s\"\n";
  const auto alone = bed.run(workload + "[output]\npcap = false\nevents = false\n", "alone");
  // About 2/s over 120 s; the callees are alice and bob, every caller a carrier1 number.
  CHECK(alone.calls.size() > 180);
  CHECK(alone.calls.size() < 300);
  for (const auto& call : alone.calls) {
    CHECK((call.to == "+14255550100" || call.to == "+14255550101" || call.to == "+14255550200" ||
           call.to == "+14255550201"));
    CHECK(call.start < Time::from_seconds(120));
  }
  // A scripted call before it takes number 1 and shifts the workload's numbers, not its draws.
  const auto with_call =
      bed.run(kOutboundFromAlice + workload + "[output]\npcap = false\nevents = false\n", "with-call");
  REQUIRE(with_call.calls.size() == alone.calls.size() + 1);
  for (std::size_t i = 0; i < alone.calls.size(); ++i) {
    CHECK(with_call.calls[i + 1].start == alone.calls[i].start);
    CHECK(with_call.calls[i + 1].to == alone.calls[i].to);
  }
}

TEST_CASE("tshark reads every SIP message of a run's pcap and finds none malformed") {
  if (!trace_test::tool_present("tshark")) {
    std::printf("skipped: tshark not present\n");
    return;
  }
  e2e::Bed bed;
  const auto outcome = bed.run(kInboundToAlice + kOutboundFromAlice);
  REQUIRE(outcome.pcap.has_value());
  std::string decode_as;
  for (const std::string& spec : outcome.tshark_decode_as) decode_as += " -d " + spec;
  const std::string base = "tshark -n -2 -r '" + outcome.pcap->string() + "'" + decode_as;
  const auto sip = trace_test::run_command(base + " -Y sip -T fields -e sip.CSeq 2>/dev/null");
  const auto malformed = trace_test::run_command(base + " -Y '_ws.malformed || _ws.expert.severity == error' 2>/dev/null");
  REQUIRE(sip.exit_code == 0);
  CHECK(malformed.output.empty());
  // As many SIP messages as the event trace says were sent (each TCP segment carries one).
  auto events = trace::read_event_trace(outcome.output_dir / "events.pb");
  REQUIRE(events.ok());
  const auto sent = std::count_if(events.value().begin(), events.value().end(),
                                  [](const drsim::trace::Event& event) { return event.has_sip_sent(); });
  CHECK(std::count(sip.output.begin(), sip.output.end(), '\n') == sent);
  CHECK(sent > 40);
}
