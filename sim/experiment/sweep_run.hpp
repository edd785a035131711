#pragma once
// A parameter sweep (`drsim run` on an experiment with a [sweep], spec/experiment-format.md):
// every grid point, each `replications` times, as independent runs of run_experiment in
// parallel on a few threads (DESIGN.md rule 5: parallelism between runs, never inside one),
// then sweep.csv, one row per (point, replication) in that order. Replication r of every point
// runs with the experiment's seed + r, so points compare under the same random numbers.
//
// Output folder: sweep.csv and one run folder per (point, replication), named
// point-<p>-rep-<r> (zero-padded to sort), each exactly what `drsim run` writes for one run.
// The whole folder is staged and moved into place at the end: a failed sweep writes nothing.
// The bytes do not depend on the number of threads.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "sim/config/experiment_file.hpp"
#include "sim/core/result.hpp"
#include "sim/experiment/experiment_run.hpp"
#include "sim/trace/summary_json_writer.hpp"

namespace experiment {

// One (point, replication) of a sweep, before it runs.
struct SweepRun {
  std::size_t point = 0;        // 0-based grid point, the last axis varying fastest
  std::size_t replication = 0;  // 0-based
  std::uint64_t seed = 0;
  std::string folder;           // "point-03-rep-1", relative to the sweep's folder
};

// Every run of `sweep` in sweep.csv order, with seeds from `seed`.
std::vector<SweepRun> sweep_runs(const config::Sweep& sweep, std::uint64_t seed);

struct SweepProgress {
  std::size_t finished = 0;
  std::size_t total = 0;
};

struct SweepOptions {
  std::filesystem::path output_dir;  // the sweep's folder, (re)created
  unsigned jobs = 1;                 // runs at once; at least 1
  // Called after each run finishes, from the thread that called run_sweep, in finishing order.
  std::function<void(const SweepProgress&)> on_progress;
};

struct SweepRowResult {
  SweepRun run;
  trace::RunSummary summary;
};

struct SweepOutcome {
  std::vector<SweepRowResult> rows;  // sweep.csv order
  std::uint64_t fingerprint = 0;     // of the runs' fingerprints in that order
  std::filesystem::path output_dir;
  std::filesystem::path csv;
};

// sweep.csv's header: point,replication,seed, the axis paths, then the summary figures.
std::string sweep_csv_header(const config::Sweep& sweep);
// One row without its line end.
std::string sweep_csv_row(const config::Sweep& sweep, const SweepRowResult& row);

// Runs every point of `scenario.experiment.sweep` (the scenario as loaded: no point applied).
// The first run that fails fails the sweep (RunError names its folder); nothing is written.
sim::Result<SweepOutcome, RunError> run_sweep(const config::Scenario& scenario, const SweepOptions& options);

}  // namespace experiment
