#include "sim/trace/output_file.hpp"

#include <fstream>
#include <system_error>

namespace trace {
namespace {

std::filesystem::path with_suffix(const std::filesystem::path& path, std::string_view suffix) {
  std::filesystem::path result = path;
  result += suffix;
  return result;
}

// A trailing separator ("results/run/") names the same folder; without it the suffix lands
// on the folder's name, not inside it.
std::filesystem::path without_trailing_separator(const std::filesystem::path& folder) {
  return folder.has_filename() ? folder : folder.parent_path();
}

}  // namespace

std::string OutputError::format() const { return "drsim: cannot write " + path.string() + ": " + message; }

std::optional<OutputError> write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  const std::filesystem::path temporary = with_suffix(path, ".partial");
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) return OutputError{path, "cannot create " + temporary.string()};
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      return OutputError{path, "write failed (disk full?)"};
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    return OutputError{path, error.message()};
  }
  return std::nullopt;
}

std::optional<std::string> why_output_folder_is_not_replaceable(const std::filesystem::path& folder) {
  const std::filesystem::path target = without_trailing_separator(folder);
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::symlink_status(target, error);
  if (status.type() == std::filesystem::file_type::not_found) return std::nullopt;
  if (error) return error.message();
  if (status.type() != std::filesystem::file_type::directory)
    return "it exists and is not a folder; drsim replaces only folders it wrote (name another --out)";
  for (const auto& entry : std::filesystem::directory_iterator(target, error)) {
    const std::string name = entry.path().filename().string();
    if (name == "summary.json" || name == "sweep.csv" || (name.starts_with("sweep-shard-") && name.ends_with(".csv"))) return std::nullopt;
  }
  if (error) return error.message();
  if (std::filesystem::is_empty(target, error)) return std::nullopt;
  return "the folder holds files drsim did not write (no summary.json or sweep.csv); drsim replaces only folders it wrote "
         "(name another --out, or empty it)";
}

sim::Result<StagedOutputFolder, OutputError> StagedOutputFolder::create(const std::filesystem::path& folder) {
  const std::filesystem::path target = without_trailing_separator(folder);
  if (auto refused = why_output_folder_is_not_replaceable(target)) return sim::Failure{OutputError{target, *refused}};
  const std::filesystem::path staging = with_suffix(target, ".partial");
  std::error_code error;
  std::filesystem::remove_all(staging, error);
  if (!error) std::filesystem::create_directories(staging, error);
  if (error) return sim::Failure{OutputError{staging, error.message()}};
  return StagedOutputFolder(target, staging);
}

StagedOutputFolder::StagedOutputFolder(std::filesystem::path folder, std::filesystem::path staging)
    : folder_(std::move(folder)), staging_(std::move(staging)) {}

StagedOutputFolder::StagedOutputFolder(StagedOutputFolder&& other) noexcept
    : folder_(std::move(other.folder_)), staging_(std::move(other.staging_)) {
  other.staging_.clear();
}

StagedOutputFolder::~StagedOutputFolder() {
  if (staging_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(staging_, ignored);
}

std::optional<OutputError> StagedOutputFolder::commit() {
  if (staging_.empty()) return OutputError{folder_, "the output folder was already committed"};
  std::error_code error;
  // The previous run's folder steps aside first, so a failure here leaves it in place.
  const std::filesystem::path replaced = with_suffix(folder_, ".replaced");
  const bool had_previous = std::filesystem::exists(folder_, error);
  if (had_previous) {
    std::filesystem::remove_all(replaced, error);
    if (!error) std::filesystem::rename(folder_, replaced, error);
    if (error) return OutputError{folder_, error.message()};
  }
  std::filesystem::rename(staging_, folder_, error);
  if (error) {
    std::error_code ignored;
    if (had_previous) std::filesystem::rename(replaced, folder_, ignored);
    return OutputError{folder_, error.message()};
  }
  staging_.clear();
  if (had_previous) std::filesystem::remove_all(replaced, error);
  return std::nullopt;
}

}  // namespace trace
