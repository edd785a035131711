#include "sim/experiment/sweep_run.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "sim/core/check.hpp"
#include "sim/core/fingerprint.hpp"
#include "sim/trace/call_record_writer.hpp"
#include "sim/trace/decimal_text.hpp"
#include "sim/trace/output_file.hpp"

namespace experiment {
namespace {

std::string zero_padded(std::size_t value, std::size_t count) {
  // As wide as the largest index, so folders sort in sweep order.
  const std::size_t width = std::to_string(count == 0 ? 0 : count - 1).size();
  std::string text = std::to_string(value);
  return std::string(width - std::min(width, text.size()), '0') + text;
}

std::string milliseconds_or_empty(const std::optional<sim::Time>& time) {
  return time ? trace::format_decimal(time->nanoseconds(), 6, 3) : std::string();
}

// What one worker reports back to the calling thread.
struct Finished {
  std::size_t index = 0;
  sim::Result<RunOutcome, RunError> result;
};

// Runs `runs` into `base`/<run folder> on `jobs` threads and returns each run's summary, in
// the order of `runs`, or the error of the first one (in that order) that failed.
//
// `jobs` workers take runs in order and hand results to this thread, which alone reports
// progress and keeps them. After a failure no run past it starts, but every run before it
// still does: the failure reported is the first in order, whatever the thread count, and the
// same as one thread would meet.
sim::Result<std::vector<trace::RunSummary>, RunError> run_all(const config::Scenario& scenario, const std::vector<SweepRun>& runs,
                                                                const std::filesystem::path& base, std::size_t jobs,
                                                                const std::function<void(const SweepProgress&)>& on_progress) {
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> first_failed{runs.size()};
  std::mutex mutex;
  std::condition_variable finished_one;
  std::deque<Finished> finished;
  const auto work = [&] {
    for (std::size_t index = next++; index < first_failed; index = next++) {
      config::Scenario point = scenario;
      config::apply_sweep_point(point, runs[index].point);
      point.experiment.seed = runs[index].seed;
      RunOptions run_options;
      run_options.output_dir = base / runs[index].folder;
      auto result = run_experiment(point, run_options);
      if (!result.ok()) {
        std::size_t current = first_failed;
        while (index < current && !first_failed.compare_exchange_weak(current, index)) {}
      }
      const std::lock_guard lock(mutex);
      finished.push_back(Finished{index, std::move(result)});
      finished_one.notify_one();
    }
  };
  std::vector<std::jthread> workers;
  for (std::size_t job = 0; job < std::clamp<std::size_t>(jobs, 1, std::max<std::size_t>(1, runs.size())); ++job)
    workers.emplace_back(work);

  std::vector<std::optional<trace::RunSummary>> summaries(runs.size());
  std::optional<RunError> failure;
  std::optional<std::size_t> failed_index;
  std::size_t succeeded = 0;
  const auto collect = [&](std::unique_lock<std::mutex>& lock) {
    while (!finished.empty()) {
      Finished done = std::move(finished.front());
      finished.pop_front();
      lock.unlock();
      if (done.result.ok()) {
        summaries[done.index] = std::move(done.result.value().summary);
        ++succeeded;
        if (on_progress) on_progress({succeeded, runs.size()});
      } else if (!failed_index || done.index < *failed_index) {
        failed_index = done.index;
        failure = done.result.error();
        failure->message = runs[done.index].folder + ": " + failure->message;
      }
      lock.lock();
    }
  };
  {
    std::unique_lock lock(mutex);
    while (succeeded < runs.size() && !failure) {
      finished_one.wait(lock, [&] { return !finished.empty(); });
      collect(lock);
    }
  }
  workers.clear();  // joins; after a failure, the runs still in flight finish first
  {
    std::unique_lock lock(mutex);
    collect(lock);
  }
  if (failure) return sim::Failure{std::move(*failure)};
  std::vector<trace::RunSummary> result;
  result.reserve(runs.size());
  for (std::optional<trace::RunSummary>& summary : summaries) result.push_back(std::move(*summary));
  return result;
}

RunError output_failure(const trace::OutputError& error) { return RunError{RunError::Kind::Output, error.format()}; }

}  // namespace

std::string shard_csv_name(const Shard& shard) {
  return "sweep-shard-" + std::to_string(shard.index) + "-of-" + std::to_string(shard.count) + ".csv";
}

std::string sweep_identity(const config::Scenario& scenario) {
  const auto bytes_of = [](const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  sim::Fingerprint identity;
  identity.add(0, 0, bytes_of(scenario.experiment.path));
  identity.add(1, 0, scenario.topology ? bytes_of(scenario.topology->path) : std::string());
  identity.add(2, 0, std::to_string(scenario.experiment.seed));
  // The grid as run (a program may set it in code), then the replications.
  std::string grid = std::to_string(scenario.experiment.sweep.replications);
  for (const config::SweepAxis& axis : scenario.experiment.sweep.grid) {
    grid += "\n" + axis.path;
    for (const config::SweepValue& value : axis.values) grid += "\t" + value.toml;
  }
  identity.add(3, 0, grid);
  return sim::format_fingerprint(identity.value());
}

std::uint64_t sweep_fingerprint(const std::vector<std::string>& run_fingerprints) {
  sim::Fingerprint fingerprint;
  for (std::size_t index = 0; index < run_fingerprints.size(); ++index)
    fingerprint.add(static_cast<std::int64_t>(index), 0, run_fingerprints[index]);
  return fingerprint.value();
}

std::vector<SweepRun> sweep_runs(const config::Sweep& sweep, std::uint64_t seed) {
  const std::size_t points = config::sweep_point_count(sweep);
  const auto replications = static_cast<std::size_t>(std::max<std::int64_t>(1, sweep.replications));
  std::vector<SweepRun> runs;
  runs.reserve(points * replications);
  for (std::size_t point = 0; point < points; ++point) {
    std::uint64_t point_seed = seed;
    const std::vector<const config::SweepValue*> values = config::sweep_point_values(sweep, point);
    for (std::size_t axis = 0; axis < sweep.grid.size(); ++axis)
      if (sweep.grid[axis].path == "experiment.seed") point_seed = std::stoull(values[axis]->text);  // an integer, checked at load
    for (std::size_t replication = 0; replication < replications; ++replication)
      runs.push_back(SweepRun{point, replication, point_seed + replication,
                              "point-" + zero_padded(point, points) + "-rep-" + zero_padded(replication, replications)});
  }
  return runs;
}

std::string sweep_csv_header(const config::Sweep& sweep) {
  std::string header = "point,replication,seed";
  for (const config::SweepAxis& axis : sweep.grid) header += "," + trace::csv_field(axis.path);
  for (const std::string_view column : kSweepSummaryColumns) header += "," + std::string(column);
  return header;
}

std::string sweep_csv_row(const config::Sweep& sweep, const SweepRowResult& row) {
  std::string text = std::to_string(row.run.point) + "," + std::to_string(row.run.replication) + "," + std::to_string(row.run.seed);
  for (const config::SweepValue* value : config::sweep_point_values(sweep, row.run.point)) text += "," + trace::csv_field(value->text);
  const trace::RunSummary& summary = row.summary;
  const trace::CallStatistics& statistics = summary.call_statistics;
  text += "," + sim::format_fingerprint(summary.fingerprint);
  text += "," + trace::format_decimal(summary.simulated.nanoseconds(), 9, 3);
  text += "," + std::to_string(summary.events);
  text += "," + std::to_string(statistics.calls.attempted);
  text += "," + std::to_string(statistics.calls.answered);
  text += "," + std::to_string(statistics.calls.failed);
  text += "," + milliseconds_or_empty(statistics.setup_delay.p50);
  text += "," + milliseconds_or_empty(statistics.setup_delay.p95);
  text += "," + milliseconds_or_empty(statistics.setup_delay.p99);
  text += "," + trace::csv_field(row.run.folder);
  return text;
}

sim::Result<SweepOutcome, RunError> run_sweep(const config::Scenario& scenario, const SweepOptions& options) {
  const config::Sweep& sweep = scenario.experiment.sweep;
  std::vector<SweepRun> runs = sweep_runs(sweep, scenario.experiment.seed);
  SweepOutcome outcome;
  outcome.output_dir = options.output_dir;

  // A shard shares the folder with the other shards: no stage for the whole; each run still
  // lands whole (run_experiment stages it), and the shard's file comes last.
  std::optional<trace::StagedOutputFolder> stage;
  std::filesystem::path base = options.output_dir;
  if (options.shard) {
    const Shard shard = *options.shard;
    DRSIM_CHECK(shard.count >= 1 && shard.index < shard.count, "shard index out of range");
    std::vector<SweepRun> mine;
    for (std::size_t index = shard.index; index < runs.size(); index += shard.count) mine.push_back(runs[index]);
    runs = std::move(mine);
    std::error_code error;
    std::filesystem::create_directories(base, error);
    if (error) return sim::Failure{output_failure({base, error.message()})};
    outcome.csv = base / shard_csv_name(shard);
  } else {
    auto staged = trace::StagedOutputFolder::create(options.output_dir);
    if (!staged.ok()) return sim::Failure{output_failure(staged.error())};
    stage.emplace(std::move(staged).value());
    base = stage->file("");
    outcome.csv = options.output_dir / "sweep.csv";
  }

  auto summaries = run_all(scenario, runs, base, options.jobs, options.on_progress);
  if (!summaries.ok()) return sim::Failure{std::move(summaries).error()};
  // A shard's file starts with the sweep's identity, which merge checks and leaves out.
  std::string csv = (options.shard ? "# sweep " + sweep_identity(scenario) + "\n" : std::string()) + sweep_csv_header(sweep) + "\n";
  std::vector<std::string> run_fingerprints;
  for (std::size_t index = 0; index < runs.size(); ++index) {
    SweepRowResult row{runs[index], std::move(summaries.value()[index])};
    csv += sweep_csv_row(sweep, row) + "\n";
    run_fingerprints.push_back(sim::format_fingerprint(row.summary.fingerprint));
    outcome.rows.push_back(std::move(row));
  }
  outcome.fingerprint = sweep_fingerprint(run_fingerprints);
  if (auto failed = trace::write_file_atomically(base / outcome.csv.filename(), csv)) return sim::Failure{output_failure(*failed)};
  if (stage) {
    if (auto failed = stage->commit()) return sim::Failure{output_failure(*failed)};
  }
  return outcome;
}

}  // namespace experiment
