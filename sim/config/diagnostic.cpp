#include "sim/config/diagnostic.hpp"

namespace config {

std::string format_diagnostic(const Diagnostic& diagnostic) {
  std::string text = diagnostic.file;
  if (diagnostic.line > 0) text += ":" + std::to_string(diagnostic.line) + ":" + std::to_string(diagnostic.column);
  return text + ": error: " + diagnostic.message;
}

std::string Diagnostics::format() const {
  std::string text;
  for (const Diagnostic& diagnostic : list_) text += format_diagnostic(diagnostic) + "\n";
  return text;
}

}  // namespace config
