#pragma once
// Output files are written completely or not at all (spec/experiment-format.md, Outputs): a
// script that finds summary.json, or a run folder, can trust it is whole. Both helpers stage
// under a ".partial" name and rename into place; a rename within one file system is atomic.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "sim/core/result.hpp"

namespace trace {

struct OutputError {
  std::filesystem::path path;
  std::string message;
  // "drsim: cannot write PATH: MESSAGE", for the command line.
  std::string format() const;
};

// Writes `content` to `path` through `path.partial` and a rename. Returns nullopt when the
// file is in place; on failure the old file (if any) is untouched and no .partial is left.
[[nodiscard]] std::optional<OutputError> write_file_atomically(const std::filesystem::path& path, std::string_view content);

// Why `folder` may not be replaced by a run's outputs, or nullopt when it may: it is absent,
// an empty folder, or one drsim wrote (it holds summary.json, sweep.csv or a sweep's shard
// file). Anything else — a file, the experiments folder, the user's notes — is never deleted.
std::optional<std::string> why_output_folder_is_not_replaceable(const std::filesystem::path& folder);

// A run's output folder, built in `<folder>.partial` and moved into place by commit(): until
// then the folder a user asked for is absent (or still holds the previous run, whole). An
// uncommitted stage is removed when the object goes away, so a failed run leaves nothing.
class StagedOutputFolder {
 public:
  // Creates an empty `<folder>.partial` (removing one a crashed run left behind). Fails, with
  // nothing touched, when `folder` is not replaceable (above).
  static sim::Result<StagedOutputFolder, OutputError> create(const std::filesystem::path& folder);

  StagedOutputFolder(StagedOutputFolder&& other) noexcept;
  StagedOutputFolder& operator=(StagedOutputFolder&&) = delete;
  StagedOutputFolder(const StagedOutputFolder&) = delete;
  StagedOutputFolder& operator=(const StagedOutputFolder&) = delete;
  ~StagedOutputFolder();

  // Where writers put a file now, e.g. file("calls.csv") = "<folder>.partial/calls.csv".
  std::filesystem::path file(std::string_view name) const { return staging_ / name; }
  const std::filesystem::path& folder() const { return folder_; }

  // Moves the stage to `folder`, replacing a previous folder of that name whole. After a
  // successful commit the object owns nothing.
  [[nodiscard]] std::optional<OutputError> commit();

 private:
  StagedOutputFolder(std::filesystem::path folder, std::filesystem::path staging);

  std::filesystem::path folder_;
  std::filesystem::path staging_;  // empty once committed or moved from
};

}  // namespace trace
