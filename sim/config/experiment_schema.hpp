#pragma once
// The experiment file's schema, for the sim/config files that read or walk it. Internal to
// sim/config.
#include "sim/config/experiment_file.hpp"
#include "sim/config/schema.hpp"
#include "sim/config/topology_schema.hpp"

namespace config {

template <>
struct EnumNames<CallDirection> {
  static std::span<const EnumEntry<CallDirection>> entries();
};
template <>
struct EnumNames<FaultKind> {
  static std::span<const EnumEntry<FaultKind>> entries();
  static std::string_view type_name() { return "fault kind (see Fault kinds)"; }
};

// The sweep grid is a table of dotted paths rather than declared keys.
template <>
struct ValueType<std::vector<SweepAxis>> {
  static std::string name() { return "table of paths"; }
  static std::string expected() { return "a table of dotted key paths, each with an array of values"; }
  static std::optional<std::vector<SweepAxis>> read(const toml::node& node, const KeyReading& reading);
  static std::string format(const std::vector<SweepAxis>&) { return {}; }
};

// clang-format off
template <> struct TableSchema<ScriptedCall> { static const Schema<ScriptedCall>& get(); };
template <> struct TableSchema<Workload> { static const Schema<Workload>& get(); };
template <> struct TableSchema<Fault> { static const Schema<Fault>& get(); };
template <> struct TableSchema<Sweep> { static const Schema<Sweep>& get(); };
// clang-format on

const Schema<ExperimentFile>& experiment_schema();

// One entry of [sweep.grid], whether written "a.b.c" = [...] or as nested tables, in file order.
struct GridEntry {
  std::string path;
  const toml::key* key = nullptr;
  const toml::node* values = nullptr;
};
std::vector<GridEntry> flatten_grid(const toml::table& grid);

// Sets `value` at a sweep path of the scenario (experiment keys first, then topology keys).
// Returns why the path names no key that a sweep may change, or an empty string.
std::string apply_in_scenario(Scenario& scenario, const std::string& path, const toml::node& value, const KeyReading& reading);

// Checks that need the experiment and its topology together; those that need the topology are
// skipped when it is missing or did not load (its own diagnostics say why).
void check_experiment(Scenario& scenario, const toml::table& document, FileReader& file);

// Sets each scripted call's direction from who owns its numbers (when both are known).
void infer_call_directions(Scenario& scenario);

}  // namespace config
