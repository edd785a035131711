#include "sim/config/schema.hpp"

#include <charconv>

#include "sim/net/port_range.hpp"

namespace config {

void FileReader::report(const toml::source_region& where, std::string message) {
  diagnostics_.add(Diagnostic{file_.string(), static_cast<int>(where.begin.line), static_cast<int>(where.begin.column), std::move(message)});
}

void KeyReading::wrong_type(const toml::node& node, std::string_view expected) const {
  file.report(node.source(), "key " + toml_quoted(key) + " must be " + std::string(expected));
}

void KeyReading::invalid(const toml::node& node, std::string_view why) const {
  file.report(node.source(), "key " + toml_quoted(key) + ": " + std::string(why));
}

std::string toml_quoted(std::string_view text) {
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      constexpr char kHex[] = "0123456789ABCDEF";
      quoted += "\\u00";
      quoted += kHex[(c >> 4) & 0xf];
      quoted += kHex[c & 0xf];
    } else {
      quoted += c;
    }
  }
  return quoted + "\"";
}

std::string plural(std::string_view noun) {
  if (noun.ends_with("s")) return std::string(noun) + "es";
  return std::string(noun) + "s";
}

std::string with_article(std::string_view noun) {
  const bool vowel = !noun.empty() && std::string_view("aeiouAEIOU").find(noun.front()) != std::string_view::npos;
  return (vowel ? "an " : "a ") + std::string(noun);
}

std::string count_of(std::size_t count, std::string_view singular, std::string_view plural_form) {
  return std::to_string(count) + " " + std::string(count == 1 ? singular : plural_form);
}

std::string unknown_key_message(std::string_view key, std::string_view table_label, const std::string& known_keys) {
  if (table_label.empty()) return "unknown table or key " + toml_quoted(key) + " (known: " + known_keys + ")";
  return "unknown key " + toml_quoted(key) + " in " + std::string(table_label) + " (known: " + known_keys + ")";
}

std::string missing_key_message(std::string_view key, std::string_view table_label) {
  if (table_label.empty()) return "missing [" + std::string(key) + "] table";
  return "missing key " + toml_quoted(key) + " in " + std::string(table_label);
}

std::string join_segments(PathSegments segments) {
  std::string joined;
  for (const std::string_view segment : segments) joined += (joined.empty() ? "" : ".") + std::string(segment);
  return joined;
}

std::optional<double> ValueType<double>::read(const toml::node& node, const KeyReading& reading) {
  std::optional<double> value;
  if (const auto* floating = node.as_floating_point()) value = floating->get();
  else if (const auto* integer = node.as_integer()) value = static_cast<double>(integer->get());
  if (!value || !(*value >= 0.0 && *value <= 1.0)) {
    reading.wrong_type(node, expected());
    return std::nullopt;
  }
  return value;
}

std::string ValueType<double>::format(double value) {
  // Shortest text that reads back as the same double; TOML wants a point in a float.
  char buffer[32];
  const auto written = std::to_chars(buffer, buffer + sizeof buffer, value);
  std::string text(buffer, written.ptr);
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

std::optional<net::IpAddress> ValueType<net::IpAddress>::read(const toml::node& node, const KeyReading& reading) {
  const auto* text = node.as_string();
  if (text == nullptr) {
    reading.wrong_type(node, expected());
    return std::nullopt;
  }
  auto address = net::IpAddress::parse(text->get());
  if (!address) reading.invalid(node, toml_quoted(text->get()) + " is not an IPv4 or IPv6 address");
  return address;
}

namespace checks {

std::optional<std::string> positive(const sim::Time& value) {
  if (value > sim::Time::zero()) return std::nullopt;
  return "must be longer than 0s";
}

std::optional<std::string> whole_seconds(const sim::Time& value) {
  // RFC 3261 §20.33: Retry-After carries delta-seconds.
  if (value.nanoseconds() % 1'000'000'000 == 0) return std::nullopt;
  return sim::format_duration(value) + " is not a whole number of seconds (Retry-After counts seconds)";
}

std::optional<std::string> at_least_one(const std::int64_t& value) {
  if (value >= 1) return std::nullopt;
  return "must be at least 1";
}

std::optional<std::string> port_number(const std::uint16_t& value) {
  if (value >= 1) return std::nullopt;
  return "port 0 is not a port a peer can reach (use 1 to 65535)";
}

std::optional<std::string> sip_status_code(const std::int64_t& value) {
  // RFC 3261 §7.2: status codes are three digits, classes 1xx to 6xx.
  if (value >= 100 && value <= 699) return std::nullopt;
  return std::to_string(value) + " is not a SIP status code (100 to 699)";
}

std::optional<std::string> mtu_bytes(const std::int64_t& value) {
  // RFC 791: every IPv4 host takes 576-byte datagrams; an IP packet is at most 65535 bytes.
  if (value >= 576 && value <= 65535) return std::nullopt;
  return "MTU " + std::to_string(value) + " is outside 576 to 65535 bytes";
}

std::optional<std::string> e164_number(const std::string& value) {
  // ITU-T E.164: at most 15 digits; Direct Routing wants them with a leading "+".
  const bool digits_only = value.size() >= 2 && value.find_first_not_of("0123456789", 1) == std::string::npos;
  if (value.starts_with('+') && digits_only && value.size() <= 16) return std::nullopt;
  return toml_quoted(value) + " is not an E.164 number (\"+\" and 1 to 15 digits, e.g. \"+14255550100\")";
}

std::optional<std::string> not_empty(const std::string& value) {
  if (!value.empty()) return std::nullopt;
  return "must not be empty";
}

std::optional<std::string> host_name(const std::string& value) {
  // RFC 1123 §2.1 labels; underscores too, for SRV owner names such as "_sip._tls.contoso.com".
  const bool characters_ok = value.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._") == std::string::npos;
  if (characters_ok && !value.empty() && !value.starts_with('.') && !value.ends_with('.') && value.find("..") == std::string::npos) return std::nullopt;
  return toml_quoted(value) + " is not a host name such as \"sbc1.contoso.com\"";
}

std::optional<std::string> host_name_or_empty(const std::string& value) {
  if (value.empty()) return std::nullopt;
  return host_name(value);
}

std::optional<std::string> port_range_or_empty(const std::string& value) {
  if (value.empty() || net::PortRange::parse(value)) return std::nullopt;
  return toml_quoted(value) + " is not a port (0 to 65535) or a range such as \"5060-5061\"";
}

std::optional<std::string> certificate_name(const std::string& value) {
  // RFC 2818 §3.1: "*" may stand for a label or part of one; the rest is a host name.
  std::string without_wildcards = value;
  for (char& c : without_wildcards)
    if (c == '*') c = 'x';
  if (!host_name(without_wildcards)) return std::nullopt;
  return toml_quoted(value) + " is not a host name such as \"sbc1.contoso.com\" or \"*.contoso.com\"";
}

std::optional<std::string> number_prefix(const std::string& value) {
  if (value.starts_with('+') && value.find_first_not_of("0123456789", 1) == std::string::npos) return std::nullopt;
  return toml_quoted(value) + " is not a number prefix: \"+\" and digits, e.g. \"+1425\" (\"+\" matches every number)";
}

}  // namespace checks

toml::source_region position_of(const toml::table& root, std::initializer_list<NodeStep> path) {
  const toml::node* found = &root;
  const toml::node* current = &root;
  for (const NodeStep& step : path) {
    if (current == nullptr) break;
    if (const auto* key = std::get_if<std::string_view>(&step)) {
      const auto* table = current->as_table();
      current = table != nullptr ? table->get(*key) : nullptr;
    } else {
      const auto* array = current->as_array();
      current = array != nullptr ? array->get(std::get<std::size_t>(step)) : nullptr;
    }
    if (current != nullptr) found = current;
  }
  return found->source();
}

}  // namespace config
