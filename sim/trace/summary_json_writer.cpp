#include "sim/trace/summary_json_writer.hpp"

#include <map>
#include <utility>

#include "sim/core/check.hpp"
#include "sim/core/fingerprint.hpp"
#include "sim/trace/percentile.hpp"

namespace trace {
namespace {

JsonValue milliseconds_or_null(const std::optional<sim::Time>& time) {
  return time ? JsonValue::decimal(time->nanoseconds(), 6, 3) : JsonValue::null();
}

JsonValue final_code_entry(const FinalCodeCount& entry) {
  return JsonValue::object({
      {"sip_code", JsonValue::number(entry.sip_code)},
      {"ms_code", entry.ms_code ? JsonValue::number(*entry.ms_code) : JsonValue::null()},
      {"count", JsonValue::number(entry.count)},
  });
}

}  // namespace

CallStatistics summarize_calls(const std::vector<CallRecord>& records) {
  CallStatistics statistics;
  // An ordered map: the by_final order is part of the output (DESIGN.md rule 3).
  std::map<std::pair<int, std::optional<std::uint32_t>>, std::uint64_t> by_final;
  std::vector<sim::Time> setup_delays;
  for (const CallRecord& record : records) {
    ++statistics.calls.attempted;
    if (record.setup_delay) {
      ++statistics.calls.answered;
      setup_delays.push_back(*record.setup_delay);
    } else if (record.final_sip_code >= 300) {
      ++statistics.calls.failed;
    }
    ++by_final[{record.final_sip_code, record.final_ms_code}];
  }
  for (const auto& [codes, count] : by_final) statistics.by_final.push_back({codes.first, codes.second, count});
  statistics.setup_delay = {nearest_rank_percentile(setup_delays, 50), nearest_rank_percentile(setup_delays, 95),
                            nearest_rank_percentile(setup_delays, 99)};
  return statistics;
}

std::string render_summary_json(const RunSummary& summary) {
  const CallStatistics& statistics = summary.call_statistics;
  JsonValue::Array by_final;
  for (const FinalCodeCount& entry : statistics.by_final) by_final.push_back(final_code_entry(entry));
  JsonValue::Object members = {
      {"experiment", JsonValue::text(summary.experiment)},
      {"seed", JsonValue::number(summary.seed)},
      {"fingerprint", JsonValue::text(sim::format_fingerprint(summary.fingerprint))},
      {"simulated_seconds", JsonValue::decimal(summary.simulated.nanoseconds(), 9, 3)},
      {"events", JsonValue::number(summary.events)},
      {"calls", JsonValue::object({{"attempted", JsonValue::number(statistics.calls.attempted)},
                                   {"answered", JsonValue::number(statistics.calls.answered)},
                                   {"failed", JsonValue::number(statistics.calls.failed)}})},
      {"by_final", JsonValue::array(std::move(by_final))},
      {"setup_delay_ms", JsonValue::object({{"p50", milliseconds_or_null(statistics.setup_delay.p50)},
                                            {"p95", milliseconds_or_null(statistics.setup_delay.p95)},
                                            {"p99", milliseconds_or_null(statistics.setup_delay.p99)}})},
  };
  for (const auto& [key, value] : summary.extra) {
    // A JSON object with a repeated key reads differently in different tools (RFC 8259 §4).
    for (const auto& member : members) DRSIM_CHECK(member.first != key, "render_summary_json: an extra field repeats a key");
    members.emplace_back(key, value);
  }
  return JsonValue::object(std::move(members)).render_document();
}

}  // namespace trace
