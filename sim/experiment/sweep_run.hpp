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
//
// On a cluster (`drsim sweep --shard K/N`, one Slurm array task each) shard K runs the runs
// whose index in sweep order is K modulo N into the folder, which every shard shares and none
// stages whole, each run still committed whole, then writes sweep-shard-K-of-N.csv with its
// rows. merge_sweep_shards (`drsim merge`) turns the N shard files into sweep.csv: the folder
// is then byte for byte what one `drsim run` of the sweep writes.
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
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

// Every run of `sweep` in sweep.csv order. Replication r of a point runs with seed + r, where
// seed is the point's experiment.seed when the grid sweeps it, else `seed`.
std::vector<SweepRun> sweep_runs(const config::Sweep& sweep, std::uint64_t seed);

struct SweepProgress {
  std::size_t finished = 0;
  std::size_t total = 0;
};

// Shard `index` of `count` (0-based): the runs whose sweep-order index is index modulo count.
struct Shard {
  std::size_t index = 0;
  std::size_t count = 1;
};
// "sweep-shard-2-of-8.csv".
std::string shard_csv_name(const Shard& shard);
// What makes two shards parts of one sweep: the experiment and topology files' bytes, the seed
// the sweep ran with (after --seed), its grid and replications. Written first in each shard's file as
// "# sweep <16 hex digits>"; merge refuses shards whose identities differ.
std::string sweep_identity(const config::Scenario& scenario);
// The shard whose number and count are written `index` and `count` (decimal digits); nullopt
// unless 0 <= index < count. For `--shard K/N` and the shard files' names alike.
std::optional<Shard> shard_of(std::string_view index, std::string_view count);
// A sweep's fingerprint: of its runs' fingerprints (16 hex digits each), in sweep.csv order.
// run_sweep and merge_sweep_shards both print it, so a merged sweep shows the same one.
std::uint64_t sweep_fingerprint(const std::vector<std::string>& run_fingerprints);

struct SweepOptions {
  std::filesystem::path output_dir;  // the sweep's folder, (re)created; with a shard, shared
  unsigned jobs = 1;                 // runs at once; at least 1
  // Called after each run finishes, from the thread that called run_sweep, in finishing order.
  std::function<void(const SweepProgress&)> on_progress;
  std::optional<Shard> shard;  // none: the whole sweep
};

struct SweepRowResult {
  SweepRun run;
  trace::RunSummary summary;
};

struct SweepOutcome {
  std::vector<SweepRowResult> rows;  // sweep.csv order (a shard's only)
  std::uint64_t fingerprint = 0;     // of the runs' fingerprints in that order
  std::filesystem::path output_dir;
  std::filesystem::path csv;         // sweep.csv, or the shard's file
};

// sweep.csv's columns after the swept paths: the run's fingerprint first, its folder last.
inline constexpr std::array<std::string_view, 10> kSweepSummaryColumns = {
    "fingerprint",    "simulated_seconds",  "events",             "calls_attempted",    "calls_answered",
    "calls_failed", "setup_delay_p50_ms", "setup_delay_p95_ms", "setup_delay_p99_ms", "folder"};

// sweep.csv's header: point,replication,seed, the axis paths, then kSweepSummaryColumns.
std::string sweep_csv_header(const config::Sweep& sweep);
// One row without its line end.
std::string sweep_csv_row(const config::Sweep& sweep, const SweepRowResult& row);

// Runs every point of `scenario.experiment.sweep` (the scenario as loaded: no point applied),
// or the shard's share of them. The first run that fails fails the sweep (RunError names its
// folder); nothing is written, except the runs of a shard that were already whole.
sim::Result<SweepOutcome, RunError> run_sweep(const config::Scenario& scenario, const SweepOptions& options);

struct MergeOutcome {
  std::filesystem::path output_dir;  // the first folder given, now holding the whole sweep
  std::size_t shards = 0;
  std::size_t runs = 0;
  std::uint64_t fingerprint = 0;  // as run_sweep's for the whole sweep
  // point-* folders in the output folder that no shard listed: left by an earlier sweep.
  std::vector<std::string> strays;
};

// Combines the shard files of one sweep found in `folders` (all shards in one shared folder,
// or spread over several) into the first folder: the other folders' run folders move there,
// sweep.csv is written and the shard files are removed. Checks that the shards are the N of
// one sweep, each once, with every run of it: BadInput names what is wrong and nothing moves.
sim::Result<MergeOutcome, RunError> merge_sweep_shards(const std::vector<std::filesystem::path>& folders);

}  // namespace experiment
