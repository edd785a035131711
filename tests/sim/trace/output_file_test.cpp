#include "sim/trace/output_file.hpp"

#include <doctest/doctest.h>

#include "trace_test_support.hpp"

namespace fs = std::filesystem;

TEST_CASE("a file written atomically replaces the old one and leaves no partial file") {
  trace_test::TemporaryFolder folder;
  trace_test::write_file(folder / "summary.json", "old");
  CHECK_FALSE(trace::write_file_atomically(folder / "summary.json", "{\"new\": true}\n").has_value());
  CHECK(trace_test::read_file(folder / "summary.json") == "{\"new\": true}\n");
  CHECK_FALSE(fs::exists(folder / "summary.json.partial"));
}

TEST_CASE("a file that cannot be written is reported and nothing is left behind") {
  trace_test::TemporaryFolder folder;
  const auto error = trace::write_file_atomically(folder / "missing" / "summary.json", "x");
  REQUIRE(error.has_value());
  CHECK(error->format().rfind("drsim: cannot write ", 0) == 0);
  CHECK(error->format().find("missing/summary.json") != std::string::npos);
  CHECK(fs::is_empty(folder.path()));
}

TEST_CASE("a staged output folder appears only at commit and replaces the previous run whole") {
  trace_test::TemporaryFolder folder;
  const fs::path run = folder / "results" / "cert-expiry";
  fs::create_directories(run);
  trace_test::write_file(run / "summary.json", "from the previous run");
  trace_test::write_file(run / "stale.csv", "from the previous run");

  auto stage = trace::StagedOutputFolder::create(run);
  REQUIRE(stage.ok());
  CHECK(stage->file("calls.csv") == folder / "results" / "cert-expiry.partial" / "calls.csv");
  trace_test::write_file(stage->file("calls.csv"), "call_id\n");
  trace_test::write_file(stage->file("summary.json"), "{}\n");
  CHECK_FALSE(fs::exists(run / "calls.csv"));  // not visible before the commit
  CHECK(fs::exists(run / "stale.csv"));

  CHECK_FALSE(stage->commit().has_value());
  CHECK(trace_test::read_file(run / "calls.csv") == "call_id\n");
  CHECK(trace_test::read_file(run / "summary.json") == "{}\n");
  CHECK_FALSE(fs::exists(run / "stale.csv"));
  CHECK_FALSE(fs::exists(folder / "results" / "cert-expiry.partial"));
  CHECK_FALSE(fs::exists(folder / "results" / "cert-expiry.replaced"));
  CHECK(stage->commit().has_value());  // a second commit is a mistake, reported
}

TEST_CASE("a stage never replaces what drsim did not write") {
  trace_test::TemporaryFolder folder;
  // A file, and a folder of the user's (the experiments, notes): refused, untouched.
  trace_test::write_file(folder / "experiment.toml", "[experiment]\n");
  fs::create_directories(folder / "notes");
  trace_test::write_file(folder / "notes" / "notes.txt", "mine");
  for (const fs::path& target : {folder / "experiment.toml", folder / "notes"}) {
    CAPTURE(target);
    const auto stage = trace::StagedOutputFolder::create(target);
    REQUIRE_FALSE(stage.ok());
    CHECK(stage.error().message.find("drsim replaces only folders it wrote") != std::string::npos);
    CHECK_FALSE(fs::exists(fs::path(target.string() + ".partial")));
  }
  CHECK(trace_test::read_file(folder / "experiment.toml") == "[experiment]\n");
  CHECK(trace_test::read_file(folder / "notes" / "notes.txt") == "mine");
  // Absent, empty, a run's folder, a sweep's folder, a shared shard folder: replaceable.
  fs::create_directories(folder / "empty");
  for (const char* mark : {"summary.json", "sweep.csv", "sweep-shard-0-of-4.csv"}) {
    fs::create_directories(folder / mark / "point-0-rep-0");
    trace_test::write_file(folder / mark / mark, "");
  }
  for (const char* name : {"absent", "empty", "summary.json", "sweep.csv", "sweep-shard-0-of-4.csv"}) {
    CAPTURE(name);
    CHECK_FALSE(trace::why_output_folder_is_not_replaceable(folder / name).has_value());
  }
}

TEST_CASE("an uncommitted stage vanishes and leaves the previous run untouched") {
  trace_test::TemporaryFolder folder;
  const fs::path run = folder / "run";
  fs::create_directories(run);
  trace_test::write_file(run / "summary.json", "previous");
  trace_test::write_file(folder / "run.partial", "left by a crashed run");  // even a stray file
  {
    auto stage = trace::StagedOutputFolder::create(run);
    REQUIRE(stage.ok());
    trace_test::write_file(stage->file("summary.json"), "half-done");
  }
  CHECK_FALSE(fs::exists(folder / "run.partial"));
  CHECK(trace_test::read_file(run / "summary.json") == "previous");
}

TEST_CASE("a trailing separator names the same output folder") {
  trace_test::TemporaryFolder folder;
  auto stage = trace::StagedOutputFolder::create((folder / "out").string() + "/");
  REQUIRE(stage.ok());
  trace_test::write_file(stage->file("a.txt"), "a");
  CHECK(fs::exists(folder / "out.partial" / "a.txt"));
  CHECK_FALSE(stage->commit().has_value());
  CHECK(trace_test::read_file(folder / "out" / "a.txt") == "a");
}
