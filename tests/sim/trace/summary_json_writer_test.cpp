#include "sim/trace/summary_json_writer.hpp"

#include <doctest/doctest.h>

using namespace sim::time_literals;
using trace::CallRecord;
using trace::JsonValue;

namespace {

CallRecord call(int sip_code, std::optional<std::uint32_t> ms_code, std::optional<sim::Time> setup_delay) {
  CallRecord record;
  record.final_sip_code = sip_code;
  record.final_ms_code = ms_code;
  record.setup_delay = setup_delay;
  return record;
}

}  // namespace

TEST_CASE("summary.json has the spec's fields in order then the extra ones") {
  trace::RunSummary summary;
  summary.experiment = "cert-expiry";
  summary.seed = 42;
  summary.fingerprint = 0x3f9a0c1d77e2b410;
  summary.simulated = 3600_s;
  summary.events = 123456;
  summary.call_statistics.calls = {10, 7, 3};
  summary.call_statistics.by_final = {{200, std::nullopt, 7}, {504, 569008, 3}};
  summary.call_statistics.setup_delay = {6_s + 1_ms, 6_s + 420_ms, 7_s + sim::Time::from_nanoseconds(1'500)};
  summary.extra = {{"kernel_demo", JsonValue::object({{"options_sent", JsonValue::number(180)},
                                                      {"options_answered", JsonValue::number(179)}})},
                   {"note", JsonValue::text("first run")}};
  CHECK(trace::render_summary_json(summary) ==
        "{\n"
        "  \"experiment\": \"cert-expiry\",\n"
        "  \"seed\": 42,\n"
        "  \"fingerprint\": \"3f9a0c1d77e2b410\",\n"
        "  \"simulated_seconds\": 3600.000,\n"
        "  \"events\": 123456,\n"
        "  \"calls\": {\"attempted\": 10, \"answered\": 7, \"failed\": 3},\n"
        "  \"by_final\": [\n"
        "    {\"sip_code\": 200, \"ms_code\": null, \"count\": 7},\n"
        "    {\"sip_code\": 504, \"ms_code\": 569008, \"count\": 3}\n"
        "  ],\n"
        "  \"setup_delay_ms\": {\"p50\": 6001.000, \"p95\": 6420.000, \"p99\": 7000.002},\n"
        "  \"kernel_demo\": {\"options_sent\": 180, \"options_answered\": 179},\n"
        "  \"note\": \"first run\"\n"
        "}\n");
}

TEST_CASE("a run without calls writes an empty by_final and null percentiles") {
  trace::RunSummary summary;
  summary.experiment = "quickstart";
  summary.seed = 1;
  summary.fingerprint = 0xab;
  summary.simulated = 60_s + 1_ms;
  const std::string json = trace::render_summary_json(summary);
  CHECK(json.find("  \"fingerprint\": \"00000000000000ab\",\n") != std::string::npos);
  CHECK(json.find("  \"simulated_seconds\": 60.001,\n") != std::string::npos);
  CHECK(json.find("  \"by_final\": [],\n") != std::string::npos);
  CHECK(json.find("  \"setup_delay_ms\": {\"p50\": null, \"p95\": null, \"p99\": null}\n}\n") != std::string::npos);
}

TEST_CASE("experiment names and extra texts are escaped as JSON strings") {
  CHECK(trace::json_string("say \"hi\"\\now") == "\"say \\\"hi\\\"\\\\now\"");
  CHECK(trace::json_string("a\nb\tc\r\x01\x1f") == "\"a\\nb\\tc\\r\\u0001\\u001f\"");
  CHECK(trace::json_string("Zürich \xe2\x86\x92 Dublin") == "\"Zürich \xe2\x86\x92 Dublin\"");
  trace::RunSummary summary;
  summary.experiment = "lab \"3\"\n";
  CHECK(trace::render_summary_json(summary).find("  \"experiment\": \"lab \\\"3\\\"\\n\",\n") != std::string::npos);
}

TEST_CASE("JSON values render keys in the order given and numbers without floating point") {
  const JsonValue value = JsonValue::object({
      {"z", JsonValue::number(-3)},
      {"a", JsonValue::array({JsonValue::boolean(true), JsonValue::null(), JsonValue::decimal(-1'500, 3, 1)})},
      {"big", JsonValue::number(std::uint64_t{18'446'744'073'709'551'615ULL})},
  });
  CHECK(value.render() == "{\"z\": -3, \"a\": [true, null, -1.5], \"big\": 18446744073709551615}");
  CHECK(JsonValue::array({}).render_document() == "[]\n");
}

TEST_CASE("call records reduce to attempted answered failed and by_final in code order") {
  const std::vector<CallRecord> records = {
      call(200, std::nullopt, 6_s),     call(504, 569008, std::nullopt), call(200, std::nullopt, 2_s),
      call(487, std::nullopt, std::nullopt), call(504, 569002, std::nullopt), call(504, 569008, std::nullopt),
      call(0, std::nullopt, std::nullopt),  // still ringing when the run ended
      call(200, std::nullopt, 4_s),
  };
  const trace::CallStatistics statistics = trace::summarize_calls(records);
  CHECK(statistics.calls.attempted == 8);
  CHECK(statistics.calls.answered == 3);
  CHECK(statistics.calls.failed == 4);
  CHECK(statistics.by_final == std::vector<trace::FinalCodeCount>{{0, std::nullopt, 1},
                                                                  {200, std::nullopt, 3},
                                                                  {487, std::nullopt, 1},
                                                                  {504, 569002, 1},
                                                                  {504, 569008, 2}});
  CHECK(statistics.setup_delay.p50 == 4_s);
  CHECK(statistics.setup_delay.p95 == 6_s);
  CHECK(statistics.setup_delay.p99 == 6_s);
}
