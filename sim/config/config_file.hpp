#pragma once
// What `drsim validate` needs: tell a topology file from an experiment file by its top table,
// load it with every check, and say in one line what it holds; and the key reference that
// `drsim validate --keys` prints, generated from the schema declarations.
#include <filesystem>
#include <string>

#include "sim/config/diagnostic.hpp"
#include "sim/core/result.hpp"

namespace config {

enum class ConfigFileKind { Topology, Experiment };

// [experiment] makes an experiment file, else [topology] a topology file.
sim::Result<ConfigFileKind, Diagnostics> detect_config_file_kind(const std::filesystem::path& path);

// Loads a topology or experiment file (an experiment with its topology) and returns what it
// holds, e.g. "topology contoso-basic: 4 sites, ...", or every diagnostic.
sim::Result<std::string, Diagnostics> validate_config_file(const std::filesystem::path& path);

// Markdown tables of every key of both files (type, default, meaning) and of the fault kinds.
std::string key_reference_markdown();

}  // namespace config
