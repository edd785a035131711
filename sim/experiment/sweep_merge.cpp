// `drsim merge`: the shard files of one sweep into its sweep.csv (sweep_run.hpp).
#include <algorithm>
#include <charconv>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "sim/experiment/sweep_run.hpp"
#include "sim/trace/output_file.hpp"

namespace experiment {
namespace {

RunError bad_input(std::string message) { return RunError{RunError::Kind::BadInput, "drsim merge: " + std::move(message)}; }

std::optional<std::size_t> parse_index(std::string_view text) {
  std::size_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// "sweep-shard-K-of-N.csv" -> {K, N}.
std::optional<Shard> shard_of_file_name(std::string_view name) {
  constexpr std::string_view kPrefix = "sweep-shard-";
  constexpr std::string_view kSuffix = ".csv";
  if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix)) return std::nullopt;
  const std::string_view middle = name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
  const std::size_t of = middle.find("-of-");
  if (of == std::string_view::npos) return std::nullopt;
  return shard_of(middle.substr(0, of), middle.substr(of + 4));
}

// The fields of one CSV line as trace::csv_field writes them (quoted when holding a comma or
// a quote, inner quotes doubled); nullopt for an unterminated quote.
std::optional<std::vector<std::string>> csv_fields(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c != '"') {
        fields.back() += c;
      } else if (i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  if (quoted) return std::nullopt;
  return fields;
}

struct ShardRow {
  std::size_t point = 0;
  std::size_t replication = 0;
  std::string line;         // as the shard wrote it
  std::string fingerprint;  // 16 hex digits
  std::string run_folder;   // "point-3-rep-0"
  std::size_t shard_file = 0;
};

struct ShardFile {
  std::filesystem::path path;
  std::filesystem::path folder;  // the one it was found in
  Shard shard;
  std::string identity;  // sweep_identity(), from the "# sweep" line
  std::string header;
};

}  // namespace

std::optional<Shard> shard_of(std::string_view index, std::string_view count) {
  const auto shard = parse_index(index);
  const auto shards = parse_index(count);
  if (!shard || !shards || *shards == 0 || *shard >= *shards) return std::nullopt;
  return Shard{*shard, *shards};
}

sim::Result<MergeOutcome, RunError> merge_sweep_shards(const std::vector<std::filesystem::path>& folders) {
  if (folders.empty()) return sim::Failure{bad_input("name the folder(s) the shards wrote")};
  // ---- Find and read every shard file; nothing is changed until all of it checks out.
  std::vector<ShardFile> files;
  std::vector<ShardRow> rows;
  for (const std::filesystem::path& folder : folders) {
    std::error_code error;
    if (!std::filesystem::is_directory(folder, error)) return sim::Failure{bad_input(folder.string() + ": no such folder")};
    std::vector<std::filesystem::path> names;
    for (const auto& entry : std::filesystem::directory_iterator(folder, error))
      if (entry.is_regular_file() && shard_of_file_name(entry.path().filename().string())) names.push_back(entry.path());
    if (error) return sim::Failure{bad_input(folder.string() + ": " + error.message())};
    std::sort(names.begin(), names.end());  // directory order is the file system's
    for (const std::filesystem::path& path : names) {
      std::ifstream in(path, std::ios::binary);
      const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (!in && !in.eof()) return sim::Failure{bad_input(path.string() + ": cannot read it")};
      ShardFile file{path, folder, *shard_of_file_name(path.filename().string()), {}, {}};
      std::size_t line_start = 0;
      for (std::size_t line_number = 1; line_start < text.size(); ++line_number) {
        const std::size_t line_end = text.find('\n', line_start);
        if (line_end == std::string::npos) return sim::Failure{bad_input(path.string() + ": the last line is not complete")};
        const std::string line = text.substr(line_start, line_end - line_start);
        line_start = line_end + 1;
        constexpr std::string_view kIdentity = "# sweep ";
        if (line_number == 1) {
          if (!line.starts_with(kIdentity))
            return sim::Failure{bad_input(path.string() + ": no \"# sweep\" line first: not written by this drsim's sweep --shard")};
          file.identity = line.substr(kIdentity.size());
          continue;
        }
        if (line_number == 2) {
          file.header = line;
          continue;
        }
        const auto fields = csv_fields(line);
        const std::size_t header_columns = csv_fields(file.header).value_or(std::vector<std::string>{}).size();
        const std::size_t summary_columns = kSweepSummaryColumns.size();
        const auto point = fields && fields->size() == header_columns ? parse_index((*fields)[0]) : std::nullopt;
        const auto replication = point ? parse_index((*fields)[1]) : std::nullopt;
        if (!replication || header_columns < 3 + summary_columns)
          return sim::Failure{bad_input(path.string() + ":" + std::to_string(line_number) + ": not a row of sweep.csv")};
        rows.push_back(ShardRow{*point, *replication, line, (*fields)[header_columns - summary_columns], fields->back(), files.size()});
      }
      if (file.header.empty()) return sim::Failure{bad_input(path.string() + ": empty, not a shard's file")};
      files.push_back(std::move(file));
    }
  }
  if (files.empty()) {
    std::string named;
    for (const auto& folder : folders) named += (named.empty() ? "" : ", ") + folder.string();
    return sim::Failure{bad_input("no sweep-shard-K-of-N.csv in " + named + " (written by drsim sweep --shard K/N)")};
  }

  // ---- The N shards of one sweep, each once, holding every run of it once.
  const std::size_t count = files.front().shard.count;
  std::vector<const ShardFile*> by_index(count, nullptr);
  for (const ShardFile& file : files) {
    if (file.shard.count != count)
      return sim::Failure{bad_input(file.path.string() + " is a shard of " + std::to_string(file.shard.count) + ", " +
                                    files.front().path.string() + " of " + std::to_string(count) + ": not one sweep")};
    if (file.header != files.front().header)
      return sim::Failure{bad_input(file.path.string() + " and " + files.front().path.string() + " have different columns: not one sweep")};
    if (file.identity != files.front().identity)
      return sim::Failure{bad_input(file.path.string() + " and " + files.front().path.string() +
                                    " come from different experiment or topology files, seeds or grids (sweep " + file.identity + " and " +
                                    files.front().identity + "): not one sweep")};
    if (by_index[file.shard.index] != nullptr)
      return sim::Failure{bad_input("shard " + std::to_string(file.shard.index) + " of " + std::to_string(count) + " twice: " +
                                    by_index[file.shard.index]->path.string() + " and " + file.path.string())};
    by_index[file.shard.index] = &file;
  }
  for (std::size_t index = 0; index < count; ++index)
    if (by_index[index] == nullptr)
      return sim::Failure{bad_input("shard " + std::to_string(index) + " of " + std::to_string(count) +
                                    " is missing (sweep-shard-" + std::to_string(index) + "-of-" + std::to_string(count) + ".csv)")};
  std::size_t points = 0;
  std::size_t replications = 0;
  for (const ShardRow& row : rows) {
    points = std::max(points, row.point + 1);
    replications = std::max(replications, row.replication + 1);
  }
  std::vector<const ShardRow*> in_order(points * replications, nullptr);
  for (const ShardRow& row : rows) {
    const std::size_t index = row.point * replications + row.replication;
    const ShardFile& file = files[row.shard_file];
    if (in_order[index] != nullptr) return sim::Failure{bad_input(row.run_folder + " appears twice (" + file.path.string() + ")")};
    if (index % count != file.shard.index)
      return sim::Failure{bad_input(file.path.string() + " holds " + row.run_folder + ", which belongs to shard " +
                                    std::to_string(index % count) + ": not one sweep")};
    if (!std::filesystem::is_directory(file.folder / row.run_folder))
      return sim::Failure{bad_input((file.folder / row.run_folder).string() + ": the run's folder is missing")};
    in_order[index] = &row;
  }
  for (std::size_t index = 0; index < in_order.size(); ++index)
    if (in_order[index] == nullptr)
      return sim::Failure{bad_input("point " + std::to_string(index / replications) + " replication " +
                                    std::to_string(index % replications) + " is in no shard's file")};

  // ---- Gather the run folders in the first folder, then sweep.csv, then drop the shard files.
  const std::filesystem::path& target = folders.front();
  for (const ShardRow* row : in_order) {
    const std::filesystem::path& from = files[row->shard_file].folder;
    std::error_code same_error;
    if (std::filesystem::equivalent(from, target, same_error)) continue;
    std::error_code error;
    if (std::filesystem::exists(target / row->run_folder, error))
      return sim::Failure{RunError{RunError::Kind::Output, "drsim merge: " + (target / row->run_folder).string() +
                                                               " exists already; " + (from / row->run_folder).string() + " was not moved"}};
    std::filesystem::rename(from / row->run_folder, target / row->run_folder, error);
    if (error) {
      // Another file system: copy, then remove the original.
      error.clear();
      std::filesystem::copy(from / row->run_folder, target / row->run_folder, std::filesystem::copy_options::recursive, error);
      if (!error) std::filesystem::remove_all(from / row->run_folder, error);
      if (error) return sim::Failure{RunError{RunError::Kind::Output, "drsim merge: cannot move " + (from / row->run_folder).string() + ": " + error.message()}};
    }
  }
  std::string csv = files.front().header + "\n";
  std::vector<std::string> run_fingerprints;
  for (const ShardRow* row : in_order) {
    csv += row->line + "\n";
    run_fingerprints.push_back(row->fingerprint);
  }
  if (auto failed = trace::write_file_atomically(target / "sweep.csv", csv))
    return sim::Failure{RunError{RunError::Kind::Output, failed->format()}};
  for (const ShardFile& file : files) {
    std::error_code ignored;
    std::filesystem::remove(file.path, ignored);
  }
  // A shard's own folder, emptied by the gathering, goes too; remove() leaves one that still
  // holds anything (a file the user put there, an earlier sweep's runs).
  for (std::size_t index = 1; index < folders.size(); ++index) {
    std::error_code same_error;
    if (std::filesystem::equivalent(folders[index], target, same_error)) continue;
    std::error_code ignored;
    if (std::filesystem::is_empty(folders[index], ignored)) std::filesystem::remove(folders[index], ignored);
  }
  MergeOutcome outcome{target, count, in_order.size(), sweep_fingerprint(run_fingerprints), {}};
  // Shards cannot clear a folder they share, so runs of an earlier sweep there stay: say so.
  std::vector<std::string> listed;
  for (const ShardRow* row : in_order) listed.push_back(row->run_folder);
  std::sort(listed.begin(), listed.end());
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(target, error)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && name.starts_with("point-") && !std::binary_search(listed.begin(), listed.end(), name))
      outcome.strays.push_back(name);
  }
  std::sort(outcome.strays.begin(), outcome.strays.end());
  return outcome;
}

}  // namespace experiment
