#pragma once
// Loads an experiment file's [experiment] and [output] tables (spec/experiment-format.md).
// Every key is declared once with its type and default; unknown keys, wrong types and bad
// durations are diagnostics at file:line:column. The topology, workload, fault and sweep
// tables arrive with the models that use them.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "sim/config/diagnostic.hpp"
#include "sim/core/result.hpp"
#include "sim/core/time.hpp"

namespace config {

struct ExperimentFile {
  std::filesystem::path path;
  std::string name;
  std::optional<std::filesystem::path> topology;  // resolved against the experiment's folder
  std::uint64_t seed = 1;
  std::string start = "2026-01-01T00:00:00Z";  // simulated wall clock, RFC 3339 UTC
  sim::Time duration = sim::Time::from_seconds(3600);
  std::filesystem::path output_dir;  // relative to the working directory; default results/<name>
  bool pcap = true;
};

sim::Result<ExperimentFile, Diagnostics> load_experiment_file(const std::filesystem::path& path);

}  // namespace config
