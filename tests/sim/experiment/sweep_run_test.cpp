// Sweeps: every (point, replication) runs as its own experiment, sweep.csv lists them in order
// with the grid values, and the output does not depend on the number of threads.
#include "sim/experiment/sweep_run.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "sim/core/fingerprint.hpp"
#include "tests/sim/experiment/e2e_bed.hpp"

namespace {

using sim::Time;

// Every file under `folder`, by path relative to it, with its bytes.
std::map<std::string, std::string> files_under(const std::filesystem::path& folder) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    files[std::filesystem::relative(entry.path(), folder).string()] =
        std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return files;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// One inbound call (the mobile answers, as in the inbound e2e test), swept over the latency
// between the SBC's site and amer's, twice each.
const std::string kLatencySweep =
    "[[call]]\nat = \"10s\"\nfrom = \"+12065550100\"\nto = \"+14255550100\"\nhangup_after = \"5s\"\n"
    "[sweep]\nreplications = 2\n[sweep.grid]\n\"link.contoso-hq|ms-amer.latency\" = [\"10ms\", \"30ms\"]\n"
    "[output]\npcap = false\n";

experiment::SweepOptions sweep_options(const std::filesystem::path& folder, unsigned jobs,
                                       std::optional<experiment::Shard> shard = std::nullopt) {
  experiment::SweepOptions options;
  options.output_dir = folder;
  options.jobs = jobs;
  options.shard = shard;
  return options;
}

}  // namespace

TEST_CASE("a sweep's runs are named to sort in order and seeded from the seed up by replication") {
  config::Sweep sweep;
  sweep.replications = 2;
  sweep.grid.push_back(config::SweepAxis{"workload.0.rate", {}});
  for (int i = 0; i < 12; ++i) sweep.grid[0].values.push_back(config::SweepValue{std::to_string(i), std::to_string(i)});
  const auto runs = experiment::sweep_runs(sweep, 40);
  REQUIRE(runs.size() == 24);
  CHECK(runs[0].folder == "point-00-rep-0");
  CHECK(runs[1].folder == "point-00-rep-1");
  CHECK(runs[23].folder == "point-11-rep-1");
  CHECK(runs[23].point == 11);
  CHECK(runs[23].replication == 1);
  CHECK(runs[0].seed == 40);
  CHECK(runs[1].seed == 41);
  CHECK(runs[2].seed == 40);  // the next point starts again: the same random numbers per point
}

TEST_CASE("a swept experiment.seed is each point's seed, replications counting up from it") {
  config::Sweep sweep;
  sweep.replications = 2;
  sweep.grid.push_back(config::SweepAxis{"experiment.seed", {{"10", "10"}, {"20", "20"}}});
  sweep.grid.push_back(config::SweepAxis{"workload.0.rate", {{"\"1/s\"", "1/s"}, {"\"2/s\"", "2/s"}}});
  const auto runs = experiment::sweep_runs(sweep, 5);
  REQUIRE(runs.size() == 8);
  std::vector<std::uint64_t> seeds;
  for (const experiment::SweepRun& run : runs) seeds.push_back(run.seed);
  CHECK(seeds == std::vector<std::uint64_t>{10, 11, 10, 11, 20, 21, 20, 21});
}

TEST_CASE("a sweep runs each point and replication and lists them in sweep.csv") {
  e2e::Bed bed;
  const config::Scenario scenario = bed.load(kLatencySweep);
  const auto swept = experiment::run_sweep(scenario, sweep_options(bed.folder / "sweep", 2));
  REQUIRE(swept.ok());
  const experiment::SweepOutcome& outcome = swept.value();
  REQUIRE(outcome.rows.size() == 4);

  std::ifstream in(outcome.csv, std::ios::binary);
  const std::vector<std::string> csv = lines_of(std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()));
  REQUIRE(csv.size() == 5);
  CHECK(csv[0] ==
        "point,replication,seed,link.contoso-hq|ms-amer.latency,fingerprint,simulated_seconds,events,calls_attempted,"
        "calls_answered,calls_failed,setup_delay_p50_ms,setup_delay_p95_ms,setup_delay_p99_ms,folder");
  // The inbound e2e call's setup delay, 2 + 10 + 50 + 4000 + 50 + 10 + 2 ms; 20 ms more each
  // way over amer's link at the second point. The bed has no jitter, so replications agree.
  for (std::size_t row = 0; row < 4; ++row) {
    CAPTURE(row);
    const std::string point = row < 2 ? "0" : "1";
    const std::string replication = row % 2 == 0 ? "0" : "1";
    const std::string seed = row % 2 == 0 ? "7" : "8";
    const std::string latency = row < 2 ? "10ms" : "30ms";
    const std::string delay = row < 2 ? "4124.000" : "4164.000";
    const std::string prefix = point + "," + replication + "," + seed + "," + latency + ",";
    CHECK(csv[row + 1].starts_with(prefix));
    CHECK(csv[row + 1].ends_with(",1,1,0," + delay + "," + delay + "," + delay + ",point-" + point + "-rep-" + replication));
    // Each run's folder is a whole run, and its summary carries the row's fingerprint.
    const std::filesystem::path run = outcome.output_dir / ("point-" + point + "-rep-" + replication);
    std::ifstream summary(run / "summary.json", std::ios::binary);
    const std::string json(std::istreambuf_iterator<char>(summary), std::istreambuf_iterator<char>{});
    CHECK(json.find("\"fingerprint\": \"" + sim::format_fingerprint(outcome.rows[row].summary.fingerprint) + "\"") != std::string::npos);
    CHECK(csv[row + 1].find("," + sim::format_fingerprint(outcome.rows[row].summary.fingerprint) + ",") != std::string::npos);
    CHECK(std::filesystem::exists(run / "calls.csv"));
    CHECK(std::filesystem::exists(run / "events.pb"));
  }
  CHECK_FALSE(std::filesystem::exists(bed.folder / "sweep.partial"));
}

TEST_CASE("a sweep writes the same bytes on one thread as on three") {
  e2e::Bed bed;
  const config::Scenario scenario = bed.load(kLatencySweep);
  const auto one = experiment::run_sweep(scenario, sweep_options(bed.folder / "one", 1));
  const auto three = experiment::run_sweep(scenario, sweep_options(bed.folder / "three", 3));
  REQUIRE(one.ok());
  REQUIRE(three.ok());
  CHECK(one.value().fingerprint == three.value().fingerprint);
  const auto files = files_under(bed.folder / "one");
  CHECK(files.size() == 1 + 4 * 3);  // sweep.csv; summary.json, calls.csv, events.pb per run
  CHECK(files == files_under(bed.folder / "three"));
}

TEST_CASE("a sweep reports progress after each run from the calling thread") {
  e2e::Bed bed;
  const config::Scenario scenario = bed.load(kLatencySweep);
  std::vector<std::size_t> finished;
  experiment::SweepOptions options = sweep_options(bed.folder / "sweep", 2);
  options.on_progress = [&](const experiment::SweepProgress& progress) {
    CHECK(progress.total == 4);
    finished.push_back(progress.finished);
  };
  const auto swept = experiment::run_sweep(scenario, options);
  REQUIRE(swept.ok());
  CHECK(finished == std::vector<std::size_t>{1, 2, 3, 4});
}

TEST_CASE("a sweep whose run fails writes nothing and names the first failing run") {
  // dave is signed in nowhere, so a point where he places the outbound call cannot run; the
  // failure reported is the first in sweep order on any number of threads. (load_scenario
  // refuses such a grid: the points are added in code, as a program using the library might.)
  e2e::Bed bed;
  config::Scenario scenario = bed.load(
      "[[call]]\nat = \"10s\"\nfrom = \"+14255550100\"\nto = \"+12065550101\"\nhangup_after = \"5s\"\n"
      "[sweep]\n[sweep.grid]\n\"call.0.from\" = [\"+14255550100\"]\n");
  for (int twice = 0; twice < 2; ++twice) scenario.experiment.sweep.grid[0].values.push_back({"\"+14255550201\"", "+14255550201"});
  for (const unsigned jobs : {1u, 3u}) {
    CAPTURE(jobs);
    const auto swept = experiment::run_sweep(scenario, sweep_options(bed.folder / "sweep", jobs));
    REQUIRE_FALSE(swept.ok());
    CHECK(swept.error().kind == experiment::RunError::Kind::BadInput);
    CHECK(swept.error().message.starts_with("point-1-rep-0: "));
    CHECK(swept.error().message.find("+14255550201 places an outbound call but has no endpoints") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(bed.folder / "sweep"));
    CHECK_FALSE(std::filesystem::exists(bed.folder / "sweep.partial"));
  }
}

TEST_CASE("shards of a sweep merged from one shared folder or from their own are the whole sweep byte for byte") {
  e2e::Bed bed;
  const config::Scenario scenario = bed.load(kLatencySweep);
  const auto whole = experiment::run_sweep(scenario, sweep_options(bed.folder / "whole", 2));
  REQUIRE(whole.ok());
  // Three shards of four runs: shard 0 runs 0 and 3, shard 1 run 1, shard 2 run 2.
  for (std::size_t shard = 0; shard < 3; ++shard) {
    const auto ran = experiment::run_sweep(scenario, sweep_options(bed.folder / "shared", 1, experiment::Shard{shard, 3}));
    REQUIRE(ran.ok());
    CHECK(ran.value().rows.size() == (shard == 0 ? 2u : 1u));
    CHECK(ran.value().csv == bed.folder / "shared" / ("sweep-shard-" + std::to_string(shard) + "-of-3.csv"));
    const auto apart = experiment::run_sweep(scenario, sweep_options(bed.folder / ("apart-" + std::to_string(shard)), 1, experiment::Shard{shard, 3}));
    REQUIRE(apart.ok());
  }
  CHECK(files_under(bed.folder / "shared").contains("sweep-shard-1-of-3.csv"));
  const auto merged = experiment::merge_sweep_shards({bed.folder / "shared"});
  REQUIRE(merged.ok());
  CHECK(merged.value().shards == 3);
  CHECK(merged.value().runs == 4);
  CHECK(merged.value().fingerprint == whole.value().fingerprint);
  CHECK(files_under(bed.folder / "shared") == files_under(bed.folder / "whole"));
  CHECK(merged.value().strays.empty());

  const auto gathered = experiment::merge_sweep_shards({bed.folder / "apart-0", bed.folder / "apart-1", bed.folder / "apart-2"});
  REQUIRE(gathered.ok());
  CHECK(gathered.value().output_dir == bed.folder / "apart-0");
  CHECK(files_under(bed.folder / "apart-0") == files_under(bed.folder / "whole"));
  // The emptied shard folders are gone; one still holding a user's file stays.
  CHECK_FALSE(std::filesystem::exists(bed.folder / "apart-1"));
  CHECK_FALSE(std::filesystem::exists(bed.folder / "apart-2"));
}

TEST_CASE("merging keeps a shard's own folder that still holds something else") {
  e2e::Bed bed;
  const config::Scenario scenario = bed.load(kLatencySweep);
  for (std::size_t shard = 0; shard < 2; ++shard)
    REQUIRE(experiment::run_sweep(scenario, sweep_options(bed.folder / ("apart-" + std::to_string(shard)), 1, experiment::Shard{shard, 2})).ok());
  std::ofstream(bed.folder / "apart-1" / "job-1.log") << "slurm output\n";
  const auto gathered = experiment::merge_sweep_shards({bed.folder / "apart-0", bed.folder / "apart-1"});
  REQUIRE(gathered.ok());
  const auto left = files_under(bed.folder / "apart-1");
  CHECK(left.size() == 1);
  CHECK(left.contains("job-1.log"));
}

TEST_CASE("merging refuses shards that are not all of one sweep and changes nothing") {
  e2e::Bed bed;
  const config::Scenario scenario = bed.load(kLatencySweep);
  for (std::size_t shard = 0; shard < 2; ++shard)
    REQUIRE(experiment::run_sweep(scenario, sweep_options(bed.folder / "two", 1, experiment::Shard{shard, 3})).ok());
  const auto before = files_under(bed.folder / "two");
  const auto missing = experiment::merge_sweep_shards({bed.folder / "two"});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().kind == experiment::RunError::Kind::BadInput);
  CHECK(missing.error().message == "drsim merge: shard 2 of 3 is missing (sweep-shard-2-of-3.csv)");
  CHECK(files_under(bed.folder / "two") == before);

  // A shard of another split of the sweep.
  REQUIRE(experiment::run_sweep(scenario, sweep_options(bed.folder / "two", 1, experiment::Shard{1, 2})).ok());
  const auto mixed = experiment::merge_sweep_shards({bed.folder / "two"});
  REQUIRE_FALSE(mixed.ok());
  CHECK(mixed.error().message.find("not one sweep") != std::string::npos);

  // Shards run with another seed, or another grid, are another sweep: a user's review merged
  // them into one sweep.csv whose rows came from two experiments.
  for (const int change : {0, 1}) {
    CAPTURE(change);
    const std::filesystem::path folder = bed.folder / ("changed-" + std::to_string(change));
    config::Scenario other = scenario;
    if (change == 0) other.experiment.seed += 1;
    else other.experiment.sweep.grid[0].values[1] = config::SweepValue{"\"40ms\"", "40ms"};
    REQUIRE(experiment::run_sweep(scenario, sweep_options(folder, 1, experiment::Shard{0, 2})).ok());
    REQUIRE(experiment::run_sweep(other, sweep_options(folder, 1, experiment::Shard{1, 2})).ok());
    const auto changed = experiment::merge_sweep_shards({folder});
    REQUIRE_FALSE(changed.ok());
    CHECK(changed.error().message.find("come from different experiment or topology files, seeds or grids") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(folder / "sweep.csv"));
  }

  std::filesystem::create_directory(bed.folder / "empty");
  const auto empty = experiment::merge_sweep_shards({bed.folder / "empty"});
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().message.starts_with("drsim merge: no sweep-shard-K-of-N.csv in "));
}

TEST_CASE("merging names run folders an earlier sweep left in the shared folder") {
  e2e::Bed bed;
  const config::Scenario scenario = bed.load(kLatencySweep);
  std::filesystem::create_directories(bed.folder / "shared" / "point-7-rep-0");
  for (std::size_t shard = 0; shard < 2; ++shard)
    REQUIRE(experiment::run_sweep(scenario, sweep_options(bed.folder / "shared", 1, experiment::Shard{shard, 2})).ok());
  const auto merged = experiment::merge_sweep_shards({bed.folder / "shared"});
  REQUIRE(merged.ok());
  CHECK(merged.value().runs == 4);
  CHECK(merged.value().strays == std::vector<std::string>{"point-7-rep-0"});
}
