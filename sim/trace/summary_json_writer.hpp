#pragma once
// summary.json: a run's aggregates and fingerprint, with the fields of
// spec/experiment-format.md in that order, then any extra fields the caller adds.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/time.hpp"
#include "sim/trace/call_record_writer.hpp"
#include "sim/trace/json_value.hpp"

namespace trace {

struct CallCounts {
  std::uint64_t attempted = 0;
  std::uint64_t answered = 0;
  std::uint64_t failed = 0;
};

struct FinalCodeCount {
  int sip_code = 0;
  std::optional<std::uint32_t> ms_code;
  std::uint64_t count = 0;
  bool operator==(const FinalCodeCount&) const = default;
};

// Nearest-rank percentiles (percentile.hpp); absent when no call was answered.
struct SetupDelayPercentiles {
  std::optional<sim::Time> p50;
  std::optional<sim::Time> p95;
  std::optional<sim::Time> p99;
};

struct CallStatistics {
  CallCounts calls;
  std::vector<FinalCodeCount> by_final;  // ascending sip_code, then ms_code (none first)
  SetupDelayPercentiles setup_delay;
};

// Reduces call records to summary figures. A call is answered when it has a setup delay and
// failed when it was not answered and ended with a final code of 300 or more; a call still
// in progress when the run ended (final code below 300, unanswered) is only attempted.
CallStatistics summarize_calls(const std::vector<CallRecord>& records);

struct RunSummary {
  std::string experiment;
  std::uint64_t seed = 0;
  std::uint64_t fingerprint = 0;  // printed as 16 hex digits
  sim::Time simulated;            // printed as simulated_seconds, millisecond precision
  std::uint64_t events = 0;
  CallStatistics call_statistics;
  JsonValue::Object extra;  // appended after the spec's fields, in this order
};

// The whole file, ending in a newline: two runs with equal summaries give equal bytes.
std::string render_summary_json(const RunSummary& summary);

}  // namespace trace
