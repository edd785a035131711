#pragma once
// User-input errors (TOML, CLI): collected with their position and reported together; the CLI
// exits 2 and writes nothing. Never used for the modelled world failing (those are events).
#include <string>
#include <vector>

namespace config {

struct Diagnostic {
  std::string file;
  int line = 0;    // 1-based; 0 when the problem has no position (a missing file)
  int column = 0;  // 1-based
  std::string message;
};

// "file:line:column: error: message", the format editors and CI annotate.
std::string format_diagnostic(const Diagnostic& diagnostic);

class Diagnostics {
 public:
  void add(Diagnostic diagnostic) { list_.push_back(std::move(diagnostic)); }
  bool empty() const { return list_.empty(); }
  const std::vector<Diagnostic>& list() const { return list_; }
  std::string format() const;
  // File order: toml++ walks a table's keys alphabetically, a reader reads top to bottom.
  void sort_by_position();

 private:
  std::vector<Diagnostic> list_;
};

}  // namespace config
