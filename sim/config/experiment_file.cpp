#include "sim/config/experiment_file.hpp"

#include <toml++/toml.h>

#include <functional>
#include <map>
#include <string_view>

namespace config {
namespace {

Diagnostic at(const std::filesystem::path& file, const toml::source_region& where, std::string message) {
  return Diagnostic{file.string(), static_cast<int>(where.begin.line), static_cast<int>(where.begin.column), std::move(message)};
}

// One declaration per key: how to read it, and the help text the error messages quote.
struct KeyRule {
  std::string_view help;
  std::function<void(const toml::node&, ExperimentFile&, Diagnostics&, const std::filesystem::path&)> read;
};

template <class Value>
const Value* typed(const toml::node& node, std::string_view key, std::string_view type_name, Diagnostics& diagnostics,
                   const std::filesystem::path& file) {
  if (const auto* value = node.as<Value>()) return &value->get();
  diagnostics.add(at(file, node.source(), "key \"" + std::string(key) + "\" must be " + std::string(type_name)));
  return nullptr;
}

bool rfc3339_utc(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SSZ, digits where digits go.
  if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != 'Z') return false;
  for (const std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u, 11u, 12u, 14u, 15u, 17u, 18u})
    if (text[i] < '0' || text[i] > '9') return false;
  return true;
}

const std::map<std::string_view, KeyRule>& experiment_rules() {
  static const std::map<std::string_view, KeyRule> rules{
      {"name", {"experiment name (string)", [](const toml::node& node, ExperimentFile& file, Diagnostics& diagnostics, const std::filesystem::path& path) {
                  if (const auto* value = typed<std::string>(node, "name", "a string", diagnostics, path)) file.name = *value;
                }}},
      {"topology", {"topology file, relative to this file", [](const toml::node& node, ExperimentFile& file, Diagnostics& diagnostics, const std::filesystem::path& path) {
                      if (const auto* value = typed<std::string>(node, "topology", "a string (a path)", diagnostics, path))
                        file.topology = path.parent_path() / *value;
                    }}},
      {"seed", {"random seed (non-negative integer)", [](const toml::node& node, ExperimentFile& file, Diagnostics& diagnostics, const std::filesystem::path& path) {
                  if (const auto* value = typed<std::int64_t>(node, "seed", "a non-negative integer", diagnostics, path)) {
                    if (*value < 0) diagnostics.add(at(path, node.source(), "key \"seed\" must be a non-negative integer"));
                    else file.seed = static_cast<std::uint64_t>(*value);
                  }
                }}},
      {"start", {"simulated wall clock at t=0, RFC 3339 UTC", [](const toml::node& node, ExperimentFile& file, Diagnostics& diagnostics, const std::filesystem::path& path) {
                   if (const auto* value = typed<std::string>(node, "start", "an RFC 3339 UTC timestamp string", diagnostics, path)) {
                     if (!rfc3339_utc(*value)) diagnostics.add(at(path, node.source(), "key \"start\": \"" + *value + "\" is not an RFC 3339 UTC timestamp like \"2026-12-31T23:30:00Z\""));
                     else file.start = *value;
                   }
                 }}},
      {"duration", {"simulated duration, e.g. \"1h\"", [](const toml::node& node, ExperimentFile& file, Diagnostics& diagnostics, const std::filesystem::path& path) {
                      if (const auto* value = typed<std::string>(node, "duration", "a duration string such as \"1h\"", diagnostics, path)) {
                        const auto parsed = sim::parse_duration(*value);
                        if (!parsed.ok()) diagnostics.add(at(path, node.source(), "key \"duration\": " + parsed.error().message));
                        else if (parsed.value() == sim::Time::zero()) diagnostics.add(at(path, node.source(), "key \"duration\" must be longer than 0s"));
                        else file.duration = parsed.value();
                      }
                    }}},
  };
  return rules;
}

const std::map<std::string_view, KeyRule>& output_rules() {
  static const std::map<std::string_view, KeyRule> rules{
      {"dir", {"output folder, relative to the working directory", [](const toml::node& node, ExperimentFile& file, Diagnostics& diagnostics, const std::filesystem::path& path) {
                 if (const auto* value = typed<std::string>(node, "dir", "a string (a path)", diagnostics, path)) file.output_dir = *value;
               }}},
      {"pcap", {"write trace.pcap (boolean)", [](const toml::node& node, ExperimentFile& file, Diagnostics& diagnostics, const std::filesystem::path& path) {
                  if (const auto* value = typed<bool>(node, "pcap", "true or false", diagnostics, path)) file.pcap = *value;
                }}},
      {"ladders", {"scripted call numbers to draw", [](const toml::node& node, ExperimentFile&, Diagnostics& diagnostics, const std::filesystem::path& path) {
                     if (!node.is_array()) diagnostics.add(at(path, node.source(), "key \"ladders\" must be an array of call numbers"));
                   }}},
  };
  return rules;
}

void read_table(const toml::table& table, std::string_view table_name, const std::map<std::string_view, KeyRule>& rules,
                ExperimentFile& file, Diagnostics& diagnostics, const std::filesystem::path& path) {
  for (const auto& [key, node] : table) {
    const auto rule = rules.find(key.str());
    if (rule == rules.end()) {
      std::string known;
      for (const auto& [name, unused] : rules) known += (known.empty() ? "" : ", ") + std::string(name);
      diagnostics.add(at(path, key.source(), "unknown key \"" + std::string(key.str()) + "\" in [" + std::string(table_name) + "] (known: " + known + ")"));
      continue;
    }
    rule->second.read(node, file, diagnostics, path);
  }
}

}  // namespace

sim::Result<ExperimentFile, Diagnostics> load_experiment_file(const std::filesystem::path& path) {
  Diagnostics diagnostics;
  toml::table document;
  try {
    document = toml::parse_file(path.string());
  } catch (const toml::parse_error& error) {
    const auto& where = error.source();
    if (where.begin.line == 0) diagnostics.add(Diagnostic{path.string(), 0, 0, std::string(error.description())});
    else diagnostics.add(at(path, where, std::string(error.description())));
    return sim::Failure{std::move(diagnostics)};
  }
  ExperimentFile file;
  file.path = path;
  for (const auto& [key, node] : document) {
    if (key == "experiment" && node.is_table()) read_table(*node.as_table(), "experiment", experiment_rules(), file, diagnostics, path);
    else if (key == "output" && node.is_table()) read_table(*node.as_table(), "output", output_rules(), file, diagnostics, path);
    else diagnostics.add(at(path, key.source(), "unknown table or key \"" + std::string(key.str()) + "\" (this version reads [experiment] and [output])"));
  }
  if (!document.contains("experiment")) diagnostics.add(Diagnostic{path.string(), 1, 1, "missing [experiment] table"});
  else if (file.name.empty()) diagnostics.add(at(path, document["experiment"].node()->source(), "[experiment] needs a name"));
  if (file.topology && !std::filesystem::exists(*file.topology))
    diagnostics.add(at(path, document["experiment"]["topology"].node()->source(), "topology file " + file.topology->string() + " does not exist"));
  if (!diagnostics.empty()) {
    diagnostics.sort_by_position();
    return sim::Failure{std::move(diagnostics)};
  }
  if (file.output_dir.empty()) file.output_dir = std::filesystem::path("results") / file.name;
  return file;
}

}  // namespace config
