#include "sim/trace/json_value.hpp"

#include "sim/trace/decimal_text.hpp"

namespace trace {

std::string json_string(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string quoted = "\"";
  for (const char c : text) {
    switch (c) {
      case '"': quoted += "\\\""; break;
      case '\\': quoted += "\\\\"; break;
      case '\n': quoted += "\\n"; break;
      case '\r': quoted += "\\r"; break;
      case '\t': quoted += "\\t"; break;
      case '\b': quoted += "\\b"; break;
      case '\f': quoted += "\\f"; break;
      default: {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20) {
          quoted += "\\u00";
          quoted += kHex[byte >> 4];
          quoted += kHex[byte & 0xf];
        } else {
          quoted += c;
        }
      }
    }
  }
  return quoted + '"';
}

JsonValue JsonValue::scalar(std::string json_text) {
  JsonValue value;
  value.scalar_ = std::move(json_text);
  return value;
}

JsonValue JsonValue::decimal(std::int64_t value, int unit_digits, int decimals) {
  return scalar(format_decimal(value, unit_digits, decimals));
}

JsonValue JsonValue::text(std::string_view value) { return scalar(json_string(value)); }

JsonValue JsonValue::array(Array elements) {
  JsonValue value;
  value.kind_ = Kind::Array;
  value.elements_ = std::move(elements);
  return value;
}

JsonValue JsonValue::object(Object members) {
  JsonValue value;
  value.kind_ = Kind::Object;
  value.members_ = std::move(members);
  return value;
}

void JsonValue::render_into(std::string& out) const {
  switch (kind_) {
    case Kind::Scalar: out += scalar_; return;
    case Kind::Array:
      out += '[';
      for (std::size_t i = 0; i < elements_.size(); ++i) {
        if (i > 0) out += ", ";
        elements_[i].render_into(out);
      }
      out += ']';
      return;
    case Kind::Object:
      out += '{';
      for (std::size_t i = 0; i < members_.size(); ++i) {
        if (i > 0) out += ", ";
        out += json_string(members_[i].first) + ": ";
        members_[i].second.render_into(out);
      }
      out += '}';
      return;
  }
}

std::string JsonValue::render() const {
  std::string out;
  render_into(out);
  return out;
}

std::string JsonValue::render_document() const {
  if (kind_ != Kind::Object || members_.empty()) return render() + "\n";
  std::string out = "{\n";
  for (std::size_t i = 0; i < members_.size(); ++i) {
    const auto& [key, value] = members_[i];
    out += "  " + json_string(key) + ": ";
    if (value.kind_ == Kind::Array && !value.elements_.empty()) {
      out += "[\n";
      for (std::size_t j = 0; j < value.elements_.size(); ++j) {
        out += "    ";
        value.elements_[j].render_into(out);
        out += j + 1 < value.elements_.size() ? ",\n" : "\n";
      }
      out += "  ]";
    } else {
      value.render_into(out);
    }
    out += i + 1 < members_.size() ? ",\n" : "\n";
  }
  return out + "}\n";
}

}  // namespace trace
