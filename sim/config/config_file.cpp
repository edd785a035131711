#include "sim/config/config_file.hpp"

#include <algorithm>
#include <vector>

#include "sim/config/experiment_schema.hpp"

namespace config {

sim::Result<ConfigFileKind, Diagnostics> detect_config_file_kind(const std::filesystem::path& path) {
  Diagnostics diagnostics;
  const std::optional<toml::table> document = parse_toml_file(path, diagnostics);
  if (!document) return sim::Failure{std::move(diagnostics)};
  if (document->contains("experiment")) return ConfigFileKind::Experiment;
  if (document->contains("topology")) return ConfigFileKind::Topology;
  diagnostics.add(Diagnostic{path.string(), 1, 1, "neither a topology file (it would have a [topology] table) nor an experiment file ([experiment])"});
  return sim::Failure{std::move(diagnostics)};
}

sim::Result<std::string, Diagnostics> validate_config_file(const std::filesystem::path& path) {
  const auto kind = detect_config_file_kind(path);
  if (!kind.ok()) return sim::Failure{kind.error()};
  if (kind.value() == ConfigFileKind::Topology) {
    const auto topology = load_topology_file(path);
    if (!topology.ok()) return sim::Failure{topology.error()};
    return summarize(topology.value());
  }
  const auto scenario = load_scenario(path);
  if (!scenario.ok()) return sim::Failure{scenario.error()};
  return summarize(scenario.value());
}

// ---- Key reference -----------------------------------------------------------------------------

namespace {

std::string table_cell(std::string_view text) {
  std::string cell;
  for (const char c : text) {
    if (c == '|') cell += '\\';
    cell += c;
  }
  return cell;
}

class ReferenceWriter {
 public:
  // The tables below a file's top level, each once, in declaration order with nested tables
  // right after the table that holds them.
  void write_file(std::string_view title, const TableDescription& file) {
    text_ += "## " + std::string(title) + "\n\n" + file.help + "\n\n";
    for (const KeyDescription& key : file.keys)
      if (key.table != nullptr) write_table(*key.table);
  }

  void write_fault_kinds() {
    text_ += "## Fault kinds\n\nEvery fault takes `at`, `kind`, `target` and optionally `duration`.\n\n| kind | target | what happens |\n|---|---|---|\n";
    for (const EnumEntry<FaultKind>& entry : EnumNames<FaultKind>::entries())
      text_ += "| `" + std::string(entry.name) + "` | " + table_cell(target_text(fault_target(entry.value))) + " | " + table_cell(entry.help) + " |\n";
    text_ += "\n";
  }

  const std::string& text() const { return text_; }

 private:
  static std::string_view target_text(FaultTarget target) {
    switch (target) {
      case FaultTarget::Sbc:
        return "an SBC";
      case FaultTarget::SbcOrCertificate:
        return "an SBC (its certificate) or a certificate";
      case FaultTarget::Host:
        return "an SBC, datacenter or carrier (the firewall in front of it)";
      case FaultTarget::DnsName:
        return "a DNS name: a [[dns]] name, an SBC or datacenter FQDN";
      case FaultTarget::Datacenter:
        return "a datacenter";
      case FaultTarget::Link:
        return "a link, \"a|b\"";
    }
    return {};
  }

  void write_table(const TableDescription& table) {
    if (std::find(written_.begin(), written_.end(), &table) != written_.end()) return;
    written_.push_back(&table);
    text_ += "### " + table.heading + "\n\n" + table.help + "\n\n| key | type | default | meaning |\n|---|---|---|---|\n";
    for (const KeyDescription& key : table.keys) {
      const std::string default_text = key.required ? "required" : key.default_text.empty() ? "none" : "`" + key.default_text + "`";
      const std::string meaning = key.table != nullptr ? key.help + " (see " + key.table->heading + ")" : key.help;
      text_ += "| `" + key.key + "` | " + table_cell(key.type) + " | " + table_cell(default_text) + " | " + table_cell(meaning) + " |\n";
    }
    text_ += "\n";
    for (const KeyDescription& key : table.keys)
      if (key.table != nullptr) write_table(*key.table);
  }

  std::string text_;
  std::vector<const TableDescription*> written_;
};

}  // namespace

std::string key_reference_markdown() {
  ReferenceWriter writer;
  writer.write_file("Topology file keys", topology_schema().description());
  writer.write_file("Experiment file keys", experiment_schema().description());
  writer.write_fault_kinds();
  return writer.text();
}

}  // namespace config
