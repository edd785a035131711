#pragma once
// Helpers for the sim/config tests: files written to a private temporary folder (removed when
// the test process ends), and diagnostics as the text a user reads.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace config_test {

class ScratchFolder {
 public:
  ScratchFolder() : path_(std::filesystem::temp_directory_path() / ("drsim-config-tests-" + std::to_string(getpid()))) {
    std::filesystem::create_directories(path_);
  }
  ~ScratchFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::filesystem::path write_file(const std::string& name, const std::string& content) {
  static const ScratchFolder folder;
  const std::filesystem::path path = folder.path() / name;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  return path;
}

// "file:line:column: error: message" lines, or "" when the load succeeded.
template <class Loaded>
std::string diagnostics_of(const Loaded& loaded) {
  return loaded.ok() ? std::string() : loaded.error().format();
}

// A small complete topology (40 lines); error tests append to it.
inline const std::string kValidTopology = R"([topology]
name = "small"
[[site]]
name = "hq"
[[site]]
name = "ms"
[[link]]
a = "hq"
b = "ms"
latency = "10ms"
[[ca]]
name = "Root"
[[certificate]]
name = "c1"
subject_cn = "sbc1.contoso.com"
issuer = "Root"
not_before = "2026-01-01T00:00:00Z"
not_after = "2027-01-01T00:00:00Z"
[[datacenter]]
name = "dc1"
site = "ms"
ip = "52.114.76.76"
fqdns = ["sip.pstnhub.microsoft.com"]
[[sbc]]
name = "sbc1"
site = "hq"
fqdn = "sbc1.contoso.com"
ip = "203.0.113.10"
certificate = "c1"
trunk = "carrier1"
[[tenant]]
name = "contoso"
domains = ["contoso.com"]
[[tenant.user]]
name = "alice"
number = "+14255550100"
[[carrier]]
name = "carrier1"
site = "hq"
numbers = ["+12065550100"]
)";
constexpr int kValidTopologyLines = 40;

// `text` with every `path` written as `name`, so expectations read like what a user sees.
inline std::string with_name(std::string text, const std::filesystem::path& path, const std::string& name) {
  const std::string spelled = path.string();
  for (std::size_t at = text.find(spelled); at != std::string::npos; at = text.find(spelled, at + name.size())) text.replace(at, spelled.size(), name);
  return text;
}

inline std::filesystem::path source_path(const std::string& relative) { return std::filesystem::path(DRSIM_SOURCE_DIR) / relative; }

}  // namespace config_test
