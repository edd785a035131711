// drsim: the command-line front end. Exit codes (spec/experiment-format.md): 0 success, 1 the
// run or check found problems, 2 bad input (file, syntax, schema), named at file:line:column.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "models/teams/direct_routing_rules.hpp"
#include "models/teams/microsoft_response_codes.hpp"
#include "sim/config/config_file.hpp"
#include "sim/config/experiment_file.hpp"
#include "sim/config/key_reading.hpp"
#include "sim/core/fingerprint.hpp"
#include "sim/core/simulation.hpp"
#include "sim/experiment/experiment_run.hpp"
#include "sim/experiment/sweep_run.hpp"
#include "sim/trace/output_file.hpp"

namespace {

constexpr int kExitProblems = 1;
constexpr int kExitBadInput = 2;

struct RunOptions {
  std::string experiment;
  std::optional<std::string> out;
  std::optional<std::uint64_t> seed;
  std::optional<unsigned> jobs;
  bool progress = false;
  std::optional<experiment::Shard> shard;  // `drsim sweep --shard K/N`
};

using config::count_of;

// --seed: digits only, at most 2^64 - 1. CLI11 alone would read "-1" as 2^64 - 1 and clamp
// larger numbers to it, so two different seeds would run the same.
CLI::Validator seed_check() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
        const bool fits = text.size() < 20 || (text.size() == 20 && text <= "18446744073709551615");
        if (digits && fits) return {};
        return "a seed is a whole number from 0 to 18446744073709551615, not \"" + text + "\"";
      },
      "SEED");
}

// --jobs: how many runs at once.
CLI::Validator jobs_check() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const bool digits = !text.empty() && text.size() <= 4 && text.find_first_not_of("0123456789") == std::string::npos;
        if (digits && std::stoi(text) >= 1) return {};
        return "a whole number of runs at once, at least 1 (at most 9999), not \"" + text + "\"";
      },
      "N");
}

// "K/N" with 0 <= K < N, as `--shard` takes it.
std::optional<experiment::Shard> parse_shard(std::string_view text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  return experiment::shard_of(text.substr(0, slash), text.substr(slash + 1));
}

// The progress line on stderr: only for work longer than about two seconds, and only on a
// terminal unless asked for (--progress). The wall clock measures the program, never the
// simulation.
class ProgressLine {
 public:
  explicit ProgressLine(bool wanted) : wanted_(wanted) {}
  double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count(); }
  // Whether show() would print now.
  bool due() const { return wanted_ && seconds() >= 2.0; }
  // Overwrites the line with `text`.
  void show(const std::string& text) {
    std::fprintf(stderr, "\r%s   ", text.c_str());
    printed_ = true;
  }
  // Ends the line, if one was printed, so what follows starts on its own.
  void finish() const {
    if (printed_) std::fprintf(stderr, "\n");
  }

 private:
  bool wanted_;
  bool printed_ = false;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

// A failed run or sweep: its message on stderr, exit 2 for bad input, 1 otherwise.
int report_run_error(const experiment::RunError& error) {
  std::cerr << error.message << "\n";
  return error.kind == experiment::RunError::Kind::BadInput ? kExitBadInput : kExitProblems;
}

// A sweep's runs (or a shard's share) on `jobs` threads (default: one per core); sweep.csv (or
// the shard's file) and a folder per run.
int sweep_command(const config::Scenario& scenario, const RunOptions& options, const std::filesystem::path& output_dir,
                  bool show_progress) {
  const config::ExperimentFile& experiment = scenario.experiment;
  experiment::SweepOptions sweep_options;
  sweep_options.output_dir = output_dir;
  sweep_options.jobs = options.jobs.value_or(std::max(1u, std::thread::hardware_concurrency()));
  sweep_options.shard = options.shard;
  ProgressLine progress_line(show_progress);
  sweep_options.on_progress = [&](const experiment::SweepProgress& progress) {
    if (!progress_line.due()) return;
    progress_line.show(experiment.name + ": " + std::to_string(progress.finished) + " of " + std::to_string(progress.total) +
                       " runs done, " + std::to_string(static_cast<long long>(progress_line.seconds())) + " s");
  };
  auto ran = experiment::run_sweep(scenario, sweep_options);
  progress_line.finish();
  if (!ran.ok()) return report_run_error(ran.error());
  const experiment::SweepOutcome& outcome = ran.value();
  const std::size_t points = config::sweep_point_count(experiment.sweep);
  const auto replications = static_cast<std::size_t>(experiment.sweep.replications);
  const std::size_t jobs = std::max<std::size_t>(1, std::min<std::size_t>(sweep_options.jobs, outcome.rows.size()));
  const std::string of_sweep = "sweep of " + count_of(points, "point", "points") + " x " + count_of(replications, "replication", "replications");
  const std::string runs = count_of(outcome.rows.size(), "run", "runs") + " on " + count_of(jobs, "thread", "threads");
  const std::string run_folders =
      outcome.rows.empty() ? std::string("no runs") : outcome.rows.front().run.folder + " ... " + outcome.rows.back().run.folder;
  if (options.shard) {
    std::printf("%s: shard %zu of %zu of a %s: %s\n", experiment.name.c_str(), options.shard->index, options.shard->count,
                of_sweep.c_str(), runs.c_str());
    std::printf("outputs: %s (%s, %s)\n", outcome.output_dir.string().c_str(), outcome.csv.filename().string().c_str(), run_folders.c_str());
    std::printf("fingerprint: %s (of this shard's runs; drsim merge gives the sweep's)\n", sim::format_fingerprint(outcome.fingerprint).c_str());
    return 0;
  }
  std::printf("%s: %s: %s\n", experiment.name.c_str(), of_sweep.c_str(), runs.c_str());
  std::printf("outputs: %s (sweep.csv, %s)\n", outcome.output_dir.string().c_str(), run_folders.c_str());
  std::printf("fingerprint: %s (of the runs' fingerprints, in sweep.csv order)\n", sim::format_fingerprint(outcome.fingerprint).c_str());
  return 0;
}

// `drsim merge DIR...`: the shard files of one sweep into sweep.csv, in the first folder.
int merge_command(const std::vector<std::string>& folders) {
  const auto merged = experiment::merge_sweep_shards(std::vector<std::filesystem::path>(folders.begin(), folders.end()));
  if (!merged.ok()) return report_run_error(merged.error());
  const experiment::MergeOutcome& outcome = merged.value();
  for (const std::string& stray : outcome.strays)
    std::fprintf(stderr, "drsim merge: warning: %s is not a run of this sweep (left by an earlier one?)\n",
                 (outcome.output_dir / stray).string().c_str());
  std::printf("merged %s: %s\n", count_of(outcome.shards, "shard", "shards").c_str(), count_of(outcome.runs, "run", "runs").c_str());
  std::printf("outputs: %s (sweep.csv and the run folders)\n", outcome.output_dir.string().c_str());
  std::printf("fingerprint: %s (of the runs' fingerprints, in sweep.csv order)\n", sim::format_fingerprint(outcome.fingerprint).c_str());
  return 0;
}

// `drsim run` (whole sweeps included) and `drsim sweep --shard K/N`.
int run_command(const RunOptions& options) {
  auto loaded = config::load_scenario(options.experiment);
  if (!loaded.ok()) {
    std::cerr << loaded.error().format();
    return kExitBadInput;
  }
  config::Scenario scenario = std::move(loaded).value();
  config::ExperimentFile& experiment = scenario.experiment;
  if (options.seed) experiment.seed = *options.seed;

  const std::filesystem::path output_dir = options.out ? std::filesystem::path(*options.out) : experiment.output_dir;
  const bool show_progress = options.progress || isatty(STDERR_FILENO);
  // A wrong --out is bad input, refused before anything runs (a shard's folder is shared and
  // only ever added to, so it need only be a folder).
  std::optional<std::string> refused;
  if (!options.shard) refused = trace::why_output_folder_is_not_replaceable(output_dir);
  else if (std::filesystem::exists(output_dir) && !std::filesystem::is_directory(output_dir)) refused = "it exists and is not a folder";
  if (refused) {
    std::cerr << trace::OutputError{output_dir, *refused}.format() << "\n";
    return kExitBadInput;
  }
  // spec: `drsim run` runs the whole sweep when the experiment has one, even of one point.
  if (options.shard || experiment.sweep.declared)
    return sweep_command(scenario, options, output_dir, show_progress);

  experiment::RunOptions run_options;
  run_options.output_dir = output_dir;
  ProgressLine progress_line(show_progress);
  run_options.on_progress = [&](const experiment::RunProgress& progress) {
    if (!progress_line.due()) return;
    char rate[32];
    std::snprintf(rate, sizeof rate, "%.0f", static_cast<double>(progress.events) / progress_line.seconds());
    progress_line.show(experiment.name + ": simulated " + sim::format_duration(progress.simulated) + " of " +
                       sim::format_duration(progress.duration) + ", " + std::to_string(progress.calls_started) + " calls, " +
                       std::to_string(progress.events) + " events, " + rate + " events/s");
  };
  auto ran = experiment::run_experiment(scenario, run_options);
  progress_line.finish();
  if (!ran.ok()) return report_run_error(ran.error());
  const experiment::RunOutcome& outcome = ran.value();
  const trace::CallCounts& calls = outcome.summary.call_statistics.calls;
  std::printf("%s: %s simulated, %llu events, %llu calls (%llu answered, %llu failed)\n", experiment.name.c_str(),
              sim::format_duration(outcome.summary.simulated).c_str(), static_cast<unsigned long long>(outcome.summary.events),
              static_cast<unsigned long long>(calls.attempted), static_cast<unsigned long long>(calls.answered),
              static_cast<unsigned long long>(calls.failed));
  std::printf("outputs: %s (summary.json, calls.csv%s%s)\n", outcome.output_dir.string().c_str(),
              experiment.events ? ", events.pb" : "", outcome.pcap ? ", trace.pcap" : "");
  for (const auto& ladder : outcome.ladders) std::printf("ladder: %s\n", ladder.string().c_str());
  if (outcome.pcap) {
    std::string decode_as;
    for (const std::string& spec : outcome.tshark_decode_as) decode_as += " -d " + spec;
    std::printf("pcap: %s (tshark -r %s%s -Y sip)\n", outcome.pcap->string().c_str(), outcome.pcap->string().c_str(),
                decode_as.c_str());
  }
  std::printf("fingerprint: %s\n", sim::format_fingerprint(outcome.summary.fingerprint).c_str());
  return 0;
}

// A topology or an experiment (with its topology): "ok: <what it holds>", or every problem
// at file:line:column and exit 2. With --keys, the key reference instead.
int validate_command(const std::optional<std::string>& file, bool keys) {
  if (keys) {
    std::printf("%s", config::key_reference_markdown().c_str());
    return 0;
  }
  if (!file) {
    std::cerr << "drsim validate: name a topology or experiment file, or ask for --keys\n";
    return kExitBadInput;
  }
  const auto checked = config::validate_config_file(*file);
  if (!checked.ok()) {
    std::cerr << checked.error().format();
    return kExitBadInput;
  }
  std::printf("ok: %s\n", checked.value().c_str());
  return 0;
}

// spec: exit 0 when every message parses and follows the Direct Routing rules, 1 when one
// breaks a rule (each on its own line with Microsoft's answer), 2 when one is not well-formed.
int lint_command(const std::string& file) {
  std::error_code ignored;
  if (std::filesystem::is_directory(file, ignored)) {
    std::cerr << file << ": error: a folder, not a file of SIP messages\n";
    return kExitBadInput;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::cerr << file << ": error: cannot open the file\n";
    return kExitBadInput;
  }
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto results = teams::lint_stream(bytes);
  if (results.empty()) {
    std::cerr << file << ": error: holds no SIP message (empty, or only blank lines)\n";
    return kExitBadInput;
  }
  for (const std::string& line : teams::format_lint_lines(results)) std::printf("%s: %s\n", file.c_str(), line.c_str());
  return teams::lint_exit_code(results);
}

// spec: `drsim explain 569008` prints what a Microsoft code means in drsim and what to do;
// a code drsim never produces is bad input (exit 2), not an empty answer.
int explain_command(const std::string& code_text) {
  std::uint32_t code = 0;
  const bool digits = !code_text.empty() && code_text.size() <= 9 &&
                      code_text.find_first_not_of("0123456789") == std::string::npos;
  if (digits) code = static_cast<std::uint32_t>(std::stoul(code_text));
  const auto explanation = digits ? teams::explain_microsoft_code(code) : std::nullopt;
  if (!explanation) {
    std::cerr << "drsim explain: error: \"" << code_text
              << "\" is not a Microsoft response code drsim produces (known: ";
    std::uint32_t previous = 0;
    for (const auto& row : teams::microsoft_response_codes()) {
      if (row.ms_code != previous) std::cerr << (previous == 0 ? "" : ", ") << row.ms_code;
      previous = row.ms_code;
    }
    std::cerr << ", and 560300-560699 for the SBC's own answers)\n";
    return kExitBadInput;
  }
  std::fputs(explanation->c_str(), stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"drsim: a deterministic simulator of Microsoft Teams Direct Routing deployments"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "drsim 0.1.0");

  RunOptions run;
  auto* run_app = app.add_subcommand("run", "run an experiment (every run of its sweep when it has one) and write its outputs");
  run_app->add_option("EXPERIMENT", run.experiment, "experiment file (.toml)")->required();
  run_app->add_option("--out", run.out, "output folder (default: the experiment's [output].dir, else results/<name>)");
  run_app->add_option("--seed", run.seed, "override the experiment's seed (0 to 2^64 - 1)")->check(seed_check());
  run_app->add_option("--jobs", run.jobs, "a sweep's runs at once (default: one per core); results do not depend on it")
      ->check(jobs_check());
  run_app->add_flag("--progress", run.progress, "print progress on stderr even when it is not a terminal");

  RunOptions sweep;
  std::string shard_text;
  auto* sweep_app = app.add_subcommand("sweep", "run shard K of N of an experiment's sweep (one Slurm array task each); drsim merge combines them");
  sweep_app->add_option("EXPERIMENT", sweep.experiment, "experiment file (.toml)")->required();
  sweep_app->add_option("--shard", shard_text, "K/N: this shard's number (0-based) and the number of shards; runs K, K+N, K+2N, ... in sweep order")
      ->required();
  sweep_app->add_option("--out", sweep.out, "the sweep's folder, shared by every shard, empty or absent at the start (default: the experiment's [output].dir)");
  sweep_app->add_option("--seed", sweep.seed, "override the experiment's seed (0 to 2^64 - 1; give every shard the same)")->check(seed_check());
  sweep_app->add_option("--jobs", sweep.jobs, "this shard's runs at once (default: one per core)")->check(jobs_check());
  sweep_app->add_flag("--progress", sweep.progress, "print progress on stderr even when it is not a terminal");

  std::vector<std::string> merge_folders;
  auto* merge_app = app.add_subcommand("merge", "combine the shards of a sweep (drsim sweep --shard) into sweep.csv, in the first folder");
  merge_app->add_option("DIR", merge_folders, "the folder(s) the shards wrote: one shared folder, or one per shard")->required();

  std::optional<std::string> validate_file;
  bool validate_keys = false;
  auto* validate_app = app.add_subcommand("validate", "check a topology or experiment file; exit 2 with file:line:column on errors");
  validate_app->add_option("FILE", validate_file, "topology or experiment file (.toml)");
  validate_app->add_flag("--keys", validate_keys, "print every key of both files (type, default, meaning) as Markdown");

  std::string lint_file;
  auto* lint_app = app.add_subcommand("lint", "check SIP messages (one, or a TCP stream of several) against the Direct Routing rules");
  lint_app->add_option("MESSAGE", lint_file, "file holding one SIP message or several back to back")->required();

  std::string explain_code;
  auto* explain_app = app.add_subcommand("explain", "what a Microsoft response code (e.g. 569008) means and what to do");
  explain_app->add_option("CODE", explain_code, "Microsoft response code (CallEndSubReason), e.g. 569008")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : kExitBadInput;
  }
  if (*run_app) return run_command(run);
  if (*sweep_app) {
    sweep.shard = parse_shard(shard_text);
    if (!sweep.shard) {
      std::cerr << "drsim sweep: --shard wants K/N with 0 <= K < N, not \"" << shard_text << "\"\n";
      return kExitBadInput;
    }
    return run_command(sweep);
  }
  if (*merge_app) return merge_command(merge_folders);
  if (*validate_app) return validate_command(validate_file, validate_keys);
  if (*lint_app) return lint_command(lint_file);
  if (*explain_app) return explain_command(explain_code);
  return kExitBadInput;
}
