#include "sim/config/experiment_file.hpp"

#include <doctest/doctest.h>

#include <fstream>

using namespace config;
using namespace sim::time_literals;

namespace {
std::filesystem::path write_temporary(const std::string& name, const std::string& content) {
  const auto path = std::filesystem::temp_directory_path() / ("drsim-config-test-" + name);
  std::ofstream(path) << content;
  return path;
}
}  // namespace

TEST_CASE("an experiment file's keys load with their units and defaults") {
  const auto path = write_temporary("ok.toml", "[experiment]\nname = \"cert-expiry\"\nseed = 7\n"
                                               "start = \"2026-12-31T23:30:00Z\"\nduration = \"90m\"\n[output]\ndir = \"out/x\"\npcap = false\n");
  const auto loaded = load_experiment_file(path);
  REQUIRE(loaded.ok());
  CHECK(loaded->name == "cert-expiry");
  CHECK(loaded->seed == 7);
  CHECK(loaded->start == "2026-12-31T23:30:00Z");
  CHECK(loaded->duration == 90_min);
  CHECK(loaded->output_dir == "out/x");
  CHECK_FALSE(loaded->pcap);

  const auto defaults = load_experiment_file(write_temporary("defaults.toml", "[experiment]\nname = \"q\"\n"));
  REQUIRE(defaults.ok());
  CHECK(defaults->duration == 1_h);
  CHECK(defaults->output_dir == std::filesystem::path("results") / "q");
}

TEST_CASE("every problem in a file is reported at once with its line and column") {
  const auto path = write_temporary("bad.toml", "[experiment]\nname = \"x\"\nseed = -1\nduration = \"1 hour\"\ncolour = \"red\"\n[output]\npcap = \"yes\"\n");
  const auto loaded = load_experiment_file(path);
  REQUIRE_FALSE(loaded.ok());
  const auto& list = loaded.error().list();
  REQUIRE(list.size() == 4);
  CHECK(list[0].line == 3);
  CHECK(list[0].column == 8);
  CHECK(list[1].line == 4);
  CHECK(list[1].message.find("\"1 hour\"") != std::string::npos);
  CHECK(list[2].line == 5);
  CHECK(list[2].column == 1);
  CHECK(list[2].message.find("unknown key \"colour\"") != std::string::npos);
  CHECK(list[3].line == 7);
  CHECK(format_diagnostic(list[2]).rfind(path.string() + ":5:1: error: unknown key", 0) == 0);
}
