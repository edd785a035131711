#pragma once
// A JSON value for the files drsim writes (summary.json, and whatever a model adds to it).
// Object members keep the order they were given in, numbers are formatted from integers or
// fixed-point decimals when the value is built, so the rendered text is the same bytes on
// every machine and in every locale. Writing only: drsim never needs to read JSON back.
#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace trace {

class JsonValue {
 public:
  using Array = std::vector<JsonValue>;
  using Object = std::vector<std::pair<std::string, JsonValue>>;

  JsonValue() = default;  // null
  static JsonValue null() { return JsonValue(); }
  static JsonValue boolean(bool value) { return scalar(value ? "true" : "false"); }
  template <std::integral T>
  static JsonValue number(T value) { return scalar(std::to_string(value)); }
  // A fixed-point number: see format_decimal (decimal_text.hpp), e.g. decimal(1500, 3, 3) = 1.500.
  static JsonValue decimal(std::int64_t value, int unit_digits, int decimals);
  static JsonValue text(std::string_view value);
  static JsonValue array(Array elements);
  static JsonValue object(Object members);

  // One line: {"a": 1, "b": [2, 3]}.
  std::string render() const;
  // For files: an object puts each member on its own line, and a member holding a non-empty
  // array puts each element on its own line; anything deeper stays on one line.
  std::string render_document() const;

 private:
  enum class Kind { Scalar, Array, Object };
  static JsonValue scalar(std::string json_text);
  void render_into(std::string& out) const;

  Kind kind_ = Kind::Scalar;
  std::string scalar_ = "null";  // the JSON text of a scalar
  Array elements_;
  Object members_;
};

// `text` as a JSON string literal with quotes: RFC 8259 §7 escapes for '"', '\\' and control
// characters; other bytes (UTF-8) pass through.
std::string json_string(std::string_view text);

}  // namespace trace
