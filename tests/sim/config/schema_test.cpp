// The schema itself: a default declared in a struct initializer is a value its key accepts
// (a default that fails its own key's check would never be caught by reading files).
#include "sim/config/schema.hpp"

#include <doctest/doctest.h>

#include "sim/config/experiment_schema.hpp"
#include "sim/config/topology_schema.hpp"
#include "tests/sim/config/config_test_support.hpp"

using namespace config;

namespace {

// Reads each key's documented default through the key itself (type and checks); returns the
// keys whose default the key refuses.
std::vector<std::string> refused_defaults(const TableDescription& table, const std::function<void(const std::string&, const toml::node&, const KeyReading&)>& read) {
  std::vector<std::string> refused;
  for (const KeyDescription& key : table.keys) {
    if (key.required || key.default_text.empty()) continue;
    const toml::table parsed = toml::parse("value = " + key.default_text);
    Diagnostics problems;
    FileReader file("default", problems);
    read(key.key, *parsed.get("value"), KeyReading{file, key.key});
    if (!problems.empty()) refused.push_back(key.key);
  }
  return refused;
}

template <class Record>
std::vector<std::string> refused_defaults(const Schema<Record>& schema) {
  return refused_defaults(schema.description(), [&schema](const std::string& key, const toml::node& value, const KeyReading& reading) {
    Record record{};
    schema.find(key)->read(value, record, reading);
  });
}

// The keys of a section such as [experiment], reached through the file's top level.
template <class Record>
std::vector<std::string> refused_section_defaults(const Schema<Record>& root, std::string_view section) {
  return refused_defaults(*root.find(section)->table(), [&root, section](const std::string& key, const toml::node& value, const KeyReading& reading) {
    Record record{};
    const std::vector<std::string_view> path{section, key};
    CHECK(apply_path(root, record, path, value, reading).empty());
  });
}

}  // namespace

TEST_CASE("every declared default is a value its own key accepts") {
  CHECK(refused_section_defaults(topology_schema(), "topology").empty());
  CHECK(refused_section_defaults(experiment_schema(), "experiment").empty());
  CHECK(refused_section_defaults(experiment_schema(), "output").empty());
  CHECK(refused_defaults(TableSchema<Link>::get()).empty());
  CHECK(refused_defaults(TableSchema<DnsRecord>::get()).empty());
  CHECK(refused_defaults(TableSchema<CertificateAuthority>::get()).empty());
  CHECK(refused_defaults(TableSchema<Certificate>::get()).empty());
  CHECK(refused_defaults(TableSchema<Datacenter>::get()).empty());
  CHECK(refused_defaults(TableSchema<Sbc>::get()).empty());
  CHECK(refused_defaults(TableSchema<Endpoint>::get()).empty());
  CHECK(refused_defaults(TableSchema<UserBlock>::get()).empty());
  CHECK(refused_defaults(TableSchema<VoiceRoute>::get()).empty());
  CHECK(refused_defaults(TableSchema<Carrier>::get()).empty());
  CHECK(refused_defaults(TableSchema<MicrosoftSettings>::get()).empty());
  CHECK(refused_defaults(TableSchema<ResolverSettings>::get()).empty());
  CHECK(refused_defaults(TableSchema<ScriptedCall>::get()).empty());
  CHECK(refused_defaults(TableSchema<Workload>::get()).empty());
  CHECK(refused_defaults(TableSchema<Fault>::get()).empty());
  CHECK(refused_defaults(TableSchema<Sweep>::get()).empty());
}
