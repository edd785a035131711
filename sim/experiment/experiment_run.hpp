#pragma once
// One run of an experiment (`drsim run`): the deployment of its topology, its callers, the
// simulation up to the experiment's duration, then the output folder of
// spec/experiment-format.md — summary.json, calls.csv, events.pb, trace.pcap and
// ladder-<call>.svg — written into a staging folder and moved into place only when complete,
// so a failed run leaves no half-written folder behind.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/config/experiment_file.hpp"
#include "sim/core/result.hpp"
#include "sim/core/time.hpp"
#include "sim/trace/call_record_writer.hpp"
#include "sim/trace/summary_json_writer.hpp"

namespace experiment {

struct RunProgress {
  sim::Time simulated;
  sim::Time duration;
  std::uint64_t calls_started = 0;
  std::uint64_t events = 0;
};

struct RunOptions {
  std::filesystem::path output_dir;  // the folder to (re)create
  // Called about 200 times over the run, between events; never steers it.
  std::function<void(const RunProgress&)> on_progress;
};

struct RunOutcome {
  trace::RunSummary summary;
  std::vector<trace::CallRecord> calls;
  std::filesystem::path output_dir;
  std::vector<std::filesystem::path> ladders;  // in the order of [output].ladders
  std::optional<std::filesystem::path> pcap;
  std::vector<std::string> tshark_decode_as;  // for `tshark -d` on the pcap
};

struct RunError {
  enum class Kind : std::uint8_t { BadInput, Output };
  Kind kind = Kind::BadInput;
  std::string message;
};

// The scenario must have a topology (load_scenario checked the rest).
sim::Result<RunOutcome, RunError> run_experiment(const config::Scenario& scenario, const RunOptions& options);

}  // namespace experiment
