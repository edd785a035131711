// The call recorder's merge rules, report by report, as the models send them.
#include "sim/experiment/call_recorder.hpp"

#include <doctest/doctest.h>

using experiment::CallRecorder;
using sim::Time;

namespace {

Time ms(std::int64_t value) { return Time::from_milliseconds(value); }

// An inbound call as the carrier, the SBC and Microsoft report it: carrier leg "c1", SBC
// leg "s1", client legs under "client:".
CallRecorder inbound_call() {
  CallRecorder recorder;
  recorder.call_started("c1", 1, trace::CallDirection::Inbound, "+12065550100", "+14255550100", ms(10'000));
  recorder.legs_joined("c1", "s1");
  recorder.datacenter_used("s1", "amer");
  recorder.legs_joined("s1", "client:alice/desktop:9");
  return recorder;
}

}  // namespace

TEST_CASE("an endpoint's answer keeps its kind when the carrier later reports an empty one") {
  CallRecorder recorder = inbound_call();
  recorder.answered("s1", "desktop", ms(16'110));
  recorder.final_response("c1", 200, std::nullopt, "OK", ms(16'122));
  recorder.answered("c1", "", ms(16'122));
  const auto records = recorder.records(ms(60'000));
  REQUIRE(records.size() == 1);
  CHECK(records[0].answered_by == "desktop");
  CHECK(records[0].datacenter == "amer");
  CHECK(records[0].call_id == "1");
  // The caller's own answer decides the setup delay.
  CHECK(records[0].setup_delay == ms(6'122));
  CHECK(records[0].end == ms(60'000));  // still up when the run ended
}

TEST_CASE("Microsoft's code and phrase survive the carrier's later report of the same failure") {
  CallRecorder recorder = inbound_call();
  recorder.final_response("s1", 404, 511404, "Not Found", ms(10'020));
  recorder.ended("s1", ms(10'020));
  recorder.final_response("c1", 404, std::nullopt, "Not Found (relayed)", ms(10'024));
  recorder.ended("c1", ms(10'024));
  const auto records = recorder.records(ms(60'000));
  CHECK(records[0].final_sip_code == 404);
  CHECK(records[0].final_ms_code == std::optional<std::uint32_t>(511404));
  CHECK(records[0].final_sip_phrase == "Not Found");
  CHECK(records[0].end == ms(10'024));  // the caller's end, not Microsoft's
}

TEST_CASE("a failover forgets the failure the call moved past") {
  CallRecorder recorder = inbound_call();
  recorder.final_response("s1", 503, 560503, "Service Unavailable", ms(10'020));
  recorder.failed_over("c1", ms(10'022));
  recorder.final_response("c1", 200, std::nullopt, "OK", ms(16'000));
  const auto records = recorder.records(ms(60'000));
  CHECK(records[0].failovers == 1);
  CHECK(records[0].final_sip_code == 200);
  CHECK_FALSE(records[0].final_ms_code.has_value());
}

TEST_CASE("a leg joined before its parent is known still finds its call") {
  CallRecorder recorder;
  recorder.legs_joined("s1", "client:alice/web:3");  // the SBC's leg is not yet known
  recorder.legs_joined("c1", "s1");
  recorder.call_started("c1", 4, trace::CallDirection::Inbound, "+12065550100", "+14255550100", ms(0));
  CHECK(recorder.call_of_leg("client:alice/web:3") == std::optional<std::uint64_t>(4));
  CHECK_FALSE(recorder.call_of_leg("unknown").has_value());
}

TEST_CASE("a datacenter that hears of a call after its caller was answered did not serve it") {
  CallRecorder recorder = inbound_call();
  recorder.datacenter_used("s1", "emea");
  recorder.answered("c1", "", ms(14'000));
  recorder.datacenter_used("s1", "amer");  // a stale INVITE delivered after amer came back
  CHECK(recorder.records(ms(60'000))[0].datacenter == "emea");
}

TEST_CASE("reports find their call by number whatever order the calls started in, and after a move") {
  // The recorder indexes its calls by number; scripted calls may start after workload ones,
  // and a leg joined before its parent is known resolves on its first report.
  CallRecorder recorder;
  recorder.legs_joined("s5", "client:bob/desktop:1");  // parent unknown yet
  recorder.call_started("c7", 7, trace::CallDirection::Inbound, "+1", "+2", ms(1'000));
  recorder.call_started("c5", 5, trace::CallDirection::Inbound, "+3", "+4", ms(2'000));
  recorder.legs_joined("c5", "s5");
  CallRecorder moved = std::move(recorder);
  moved.answered("client:bob/desktop:1", "desktop", ms(3'000));
  moved.answered("c7", "", ms(4'000));
  moved.ended("no-such-leg", ms(5'000));
  CHECK(moved.call_of_leg("client:bob/desktop:1") == std::optional<std::uint64_t>(5));
  const auto records = moved.records(ms(60'000));
  REQUIRE(records.size() == 2);
  CHECK(records[0].call_id == "5");
  CHECK(records[0].answered_by == "desktop");
  CHECK(records[1].call_id == "7");
  CHECK(records[1].setup_delay == ms(3'000));
}

TEST_CASE("the caller's own reports decide its row whatever the length of its Call-ID") {
  // Call-IDs are free text: short ones and long ones are stored apart.
  for (const std::string& carrier_leg : {std::string("7@a"), std::string(80, 'x') + "@carrier.example.com"}) {
    CallRecorder recorder;
    recorder.call_started(carrier_leg, 1, trace::CallDirection::Inbound, "+1", "+2", ms(1'000));
    recorder.legs_joined(carrier_leg, "s1");
    recorder.final_response(carrier_leg, 486, std::nullopt, "Busy Here", ms(2'000));
    recorder.final_response("s1", 480, std::nullopt, "Temporarily Unavailable", ms(2'500));
    recorder.ended("s1", ms(2'500));
    recorder.ended(carrier_leg, ms(3'000));
    const auto records = recorder.records(ms(60'000));
    CHECK(records[0].final_sip_code == 486);
    CHECK(records[0].end == ms(3'000));
  }
}
