// The shipped fault experiments show what their opening comments promise (their fingerprints
// are pinned separately, in tests/experiments).
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/config/experiment_file.hpp"
#include "sim/experiment/experiment_run.hpp"
#include "tests/sim/trace/trace_test_support.hpp"

namespace {

using sim::Time;

experiment::RunOutcome run_shipped(const std::string& name, const trace_test::TemporaryFolder& folder) {
  auto loaded = config::load_scenario(std::string(DRSIM_SOURCE_DIR) + "/experiments/" + name + ".toml");
  if (!loaded.ok()) FAIL(loaded.error().format());
  auto ran = experiment::run_experiment(loaded.value(), {folder / name, {}});
  if (!ran.ok()) FAIL(ran.error().message);
  return std::move(ran).value();
}

bool during(const trace::CallRecord& call, std::int64_t from_s, std::int64_t to_s) {
  return call.start >= Time::from_seconds(from_s) && call.start < Time::from_seconds(to_s);
}

// One run of a shipped sweep: grid point `point`, replication `replication` (seed + replication).
experiment::RunOutcome run_shipped_point(const std::string& name, std::size_t point, std::uint64_t replication,
                                         const trace_test::TemporaryFolder& folder) {
  auto loaded = config::load_scenario(std::string(DRSIM_SOURCE_DIR) + "/experiments/" + name + ".toml");
  if (!loaded.ok()) FAIL(loaded.error().format());
  config::Scenario scenario = std::move(loaded).value();
  config::apply_sweep_point(scenario, point);
  scenario.experiment.seed += replication;
  auto ran = experiment::run_experiment(scenario, {folder / name, {}});
  if (!ran.ok()) FAIL(ran.error().message);
  return std::move(ran).value();
}

}  // namespace

TEST_CASE("options-demotion: sbc2 serves the route until 5 min without OPTIONS, then sbc1 does") {
  trace_test::TemporaryFolder folder;
  const auto outcome = run_shipped("options-demotion", folder);
  int before = 0;
  int after = 0;
  for (const auto& call : outcome.calls) {
    // sbc2's only OPTIONS leave at 0 s; its trunk's carrier2 does not serve the number.
    if (call.start < Time::from_seconds(299)) {
      CHECK(call.final_sip_code == 404);
      CHECK(call.final_ms_code == std::optional<std::uint32_t>(560404));
      ++before;
    } else if (call.start > Time::from_seconds(301)) {
      CHECK(call.final_sip_code == 200);
      ++after;
    }
  }
  CHECK(before > 0);
  CHECK(after > 0);
}

TEST_CASE("datacenter-down: while AMER is down every call is served by EMEA") {
  trace_test::TemporaryFolder folder;
  const auto outcome = run_shipped("datacenter-down", folder);
  int moved = 0;
  for (const auto& call : outcome.calls) {
    // From a minute after the fault (the SBC's OPTIONS have found AMER down) to the heal.
    if (!during(call, 6 * 60, 15 * 60)) continue;
    CHECK(call.final_sip_code == 200);
    CHECK(call.datacenter == "emea");
    ++moved;
  }
  CHECK(moved > 10);
  // Calls caught at the moment it went down left AMER after Timer B.
  bool failed_over = false;
  for (const auto& call : outcome.calls) failed_over = failed_over || (call.failovers == 1 && call.datacenter == "emea");
  CHECK(failed_over);
  // AMER lost its connections when it went down: the SBC's retransmissions of requests from
  // before the outage meet a RST after it is back instead of being served as new calls, and
  // no call fails once it is up (two ended 408 when they were replayed).
  for (const auto& call : outcome.calls) {
    CAPTURE(call.call_id);
    CHECK(call.final_sip_code == 200);
  }
}

TEST_CASE("name-mismatch: a TLS session keeps its certificate; the wrong one counts from the restart to the next") {
  trace_test::TemporaryFolder folder;
  const auto outcome = run_shipped("name-mismatch", folder);
  int forbidden = 0;
  int refused_by_the_sbc = 0;
  for (const auto& call : outcome.calls) {
    CAPTURE(call.call_id);
    if (during(call, 0, 600) || during(call, 1202, 1800)) {
      CHECK(call.final_sip_code == 200);  // before the wrong certificate, and from the next TLS restart
    } else if (call.direction == trace::CallDirection::Inbound && during(call, 602, 660)) {
      // New connections carry the wrong certificate: Microsoft refuses the SBC's INVITEs.
      CHECK(call.final_sip_code == 403);
      ++forbidden;
    } else if (call.direction == trace::CallDirection::Inbound && during(call, 661, 1200)) {
      // The OPTIONS round at 660 s got 403 too: the SBC marked the proxies down.
      CHECK(call.final_sip_code == 503);
      ++refused_by_the_sbc;
    } else if (call.direction == trace::CallDirection::Outbound && during(call, 660, 1200)) {
      // Microsoft's own connections fail the handshake (the first request after the restart
      // meets the reset pooled connection: 549002, see the README).
      CHECK(call.final_ms_code == std::optional<std::uint32_t>(569002));
    }
  }
  CHECK(forbidden > 0);
  CHECK(refused_by_the_sbc > 5);
}

TEST_CASE("firewall-drop-vs-reject: a reject fails Microsoft's connect at once, a drop after 21 s") {
  trace_test::TemporaryFolder folder;
  const auto outcome = run_shipped("firewall-drop-vs-reject", folder);
  int rejected = 0;
  int dropped = 0;
  bool waited_out_a_whole_connect = false;
  for (const auto& call : outcome.calls) {
    if (call.direction != trace::CallDirection::Outbound || call.final_ms_code != std::optional<std::uint32_t>(569002))
      continue;
    const Time lasted = call.end - call.start;
    // facts §1.5: amer hands each such call to emea, which tries sbc1 again and fails the same way.
    CHECK(call.datacenter == "emea");
    CHECK(call.failovers == 1);
    if (during(call, 5 * 60, 10 * 60)) {
      CHECK(call.final_sip_phrase.find("actively refused") != std::string::npos);
      CHECK(lasted < Time::from_seconds(1));
      ++rejected;
    } else if (during(call, 15 * 60, 20 * 60)) {
      CHECK(call.final_sip_phrase.find("did not properly respond") != std::string::npos);
      // Calls arriving while a connect is under way wait for that one (one connection per SBC
      // and datacenter): PlaceCall, DNS and at most 21 s of SYNs at amer, the hand-over to emea
      // (8 + 75 ms through contoso-hq), DNS and at most 21 s of SYNs there.
      CHECK(lasted <= Time::from_milliseconds(50 + 5 + 21'000 + 83 + 5 + 21'000));
      waited_out_a_whole_connect = waited_out_a_whole_connect || lasted >= Time::from_seconds(21);
      ++dropped;
    }
  }
  CHECK(rejected > 0);
  CHECK(dropped > 0);
  CHECK(waited_out_a_whole_connect);
}

TEST_CASE("options-interval-sweep: calls wait for Timer B until the SBC's next OPTIONS to AMER times out") {
  // The interval of each grid point, and when the OPTIONS sent at the first round after 301 s
  // times out (round + 32 s): from then on the SBC sends calls to EMEA at once.
  const std::int64_t detected_s[] = {310 + 32, 330 + 32, 360 + 32, 360 + 32};
  trace_test::TemporaryFolder folder;
  for (std::uint64_t replication = 0; replication < 5; ++replication) {
    std::vector<int> waited(4);
    for (std::size_t point = 0; point < 4; ++point) {
      CAPTURE(replication);
      CAPTURE(point);
      const auto outcome = run_shipped_point("options-interval-sweep", point, replication, folder);
      for (const auto& call : outcome.calls) {
        // (Calls still ringing at 301 s lose AMER's answer: neither window holds them.)
        if (during(call, 301, detected_s[point])) {
          REQUIRE(call.setup_delay.has_value());
          // Sent to AMER, moved to EMEA by the INVITE's Timer B (64 * T1 = 32 s).
          CHECK(call.failovers == 1);
          CHECK(call.datacenter == "emea");
          CHECK(*call.setup_delay > Time::from_seconds(32));
          ++waited[point];
        } else if (during(call, detected_s[point], 900)) {
          REQUIRE(call.setup_delay.has_value());
          CHECK(call.failovers == 0);
          CHECK(call.datacenter == "emea");
          CHECK(*call.setup_delay < Time::from_seconds(6));
        }
      }
    }
    // The same calls at every interval: a longer interval never delays fewer, and 60 s and
    // 180 s ping at the same moment after the fault.
    CHECK(waited[0] <= waited[1]);
    CHECK(waited[1] <= waited[2]);
    CHECK(waited[2] == waited[3]);
    CHECK(waited[2] > 0);
  }
}
