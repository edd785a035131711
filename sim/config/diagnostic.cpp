#include "sim/config/diagnostic.hpp"

#include <algorithm>
#include <tuple>

namespace config {

std::string format_diagnostic(const Diagnostic& diagnostic) {
  std::string text = diagnostic.file;
  if (diagnostic.line > 0) text += ":" + std::to_string(diagnostic.line) + ":" + std::to_string(diagnostic.column);
  return text + ": error: " + diagnostic.message;
}

void Diagnostics::sort_by_position() {
  std::stable_sort(list_.begin(), list_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
  });
}

std::string Diagnostics::format() const {
  std::string text;
  for (const Diagnostic& diagnostic : list_) text += format_diagnostic(diagnostic) + "\n";
  return text;
}

}  // namespace config
