#pragma once
// How each member type of a config struct is read from TOML and written back as a TOML literal:
// ValueType<T> gives name() for the key reference, expected() for wrong-type errors, read() and
// format(). Internal to sim/config.
#include <limits>

#include "sim/config/holding_time.hpp"
#include "sim/config/key_reading.hpp"
#include "sim/config/rate.hpp"
#include "sim/core/utc_time.hpp"
#include "sim/net/ip_address.hpp"

namespace config {

template <class T>
struct ValueType;  // name() for the docs, expected() for errors, read(), format() a TOML literal

// A value written as a string and parsed by `parse` (a function returning Result<T, E>).
template <class T, class Parse>
std::optional<T> read_text(const toml::node& node, const KeyReading& reading, std::string_view expected, Parse parse) {
  const auto* text = node.as_string();
  if (text == nullptr) {
    reading.wrong_type(node, expected);
    return std::nullopt;
  }
  auto parsed = parse(text->get());
  if (!parsed.ok()) {
    if constexpr (requires { parsed.error().message; }) reading.invalid(node, parsed.error().message);
    else reading.invalid(node, parsed.error());
    return std::nullopt;
  }
  return std::move(parsed).value();
}

template <>
struct ValueType<std::string> {
  static std::string name() { return "string"; }
  static std::string expected() { return "a string"; }
  static std::optional<std::string> read(const toml::node& node, const KeyReading& reading) {
    if (const auto* value = node.as_string()) return value->get();
    reading.wrong_type(node, expected());
    return std::nullopt;
  }
  static std::string format(const std::string& value) { return toml_quoted(value); }
};

template <>
struct ValueType<std::filesystem::path> {
  static std::string name() { return "path"; }
  static std::string expected() { return "a string (a path)"; }
  static std::optional<std::filesystem::path> read(const toml::node& node, const KeyReading& reading) {
    if (const auto* value = node.as_string()) return std::filesystem::path(value->get());
    reading.wrong_type(node, expected());
    return std::nullopt;
  }
  static std::string format(const std::filesystem::path& value) { return value.empty() ? std::string() : toml_quoted(value.string()); }
};

template <>
struct ValueType<bool> {
  static std::string name() { return "boolean"; }
  static std::string expected() { return "true or false"; }
  static std::optional<bool> read(const toml::node& node, const KeyReading& reading) {
    if (const auto* value = node.as_boolean()) return value->get();
    reading.wrong_type(node, expected());
    return std::nullopt;
  }
  static std::string format(bool value) { return value ? "true" : "false"; }
};

template <std::integral T>
  requires(!std::same_as<T, bool>)
struct ValueType<T> {
  // TOML integers are 64-bit signed: that bounds the unsigned types too.
  static constexpr std::int64_t kLowest = std::is_signed_v<T> ? static_cast<std::int64_t>(std::numeric_limits<T>::min()) : 0;
  static constexpr std::int64_t kHighest = sizeof(T) >= sizeof(std::int64_t) ? std::numeric_limits<std::int64_t>::max()
                                                                              : static_cast<std::int64_t>(std::numeric_limits<T>::max());
  static std::string name() { return kLowest == 0 ? "non-negative integer" : "integer"; }
  static std::string expected() {
    if (kHighest == std::numeric_limits<std::int64_t>::max()) return with_article(name());
    return "an integer from " + std::to_string(kLowest) + " to " + std::to_string(kHighest);
  }
  static std::optional<T> read(const toml::node& node, const KeyReading& reading) {
    const auto* value = node.as_integer();
    if (value == nullptr || value->get() < kLowest || value->get() > kHighest) {
      reading.wrong_type(node, expected());
      return std::nullopt;
    }
    return static_cast<T>(value->get());
  }
  static std::string format(T value) { return std::to_string(value); }
};

// Every fractional key in these files is a probability (a loss rate), so double means 0..1.
template <>
struct ValueType<double> {
  static std::string name() { return "probability"; }
  static std::string expected() { return "a number from 0 to 1"; }
  static std::optional<double> read(const toml::node& node, const KeyReading& reading);
  static std::string format(double value);
};

template <>
struct ValueType<sim::Time> {
  static std::string name() { return "duration"; }
  static std::string expected() { return "a duration string such as \"60s\""; }
  static std::optional<sim::Time> read(const toml::node& node, const KeyReading& reading) {
    return read_text<sim::Time>(node, reading, expected(), sim::parse_duration);
  }
  static std::string format(sim::Time value) { return toml_quoted(sim::format_duration(value)); }
};

template <>
struct ValueType<sim::UtcTime> {
  static std::string name() { return "timestamp"; }
  static std::string expected() { return "an RFC 3339 UTC timestamp string such as \"2026-12-31T23:30:00Z\""; }
  static std::optional<sim::UtcTime> read(const toml::node& node, const KeyReading& reading) {
    return read_text<sim::UtcTime>(node, reading, expected(), sim::parse_rfc3339_utc);
  }
  static std::string format(sim::UtcTime value) { return toml_quoted(sim::format_rfc3339_utc(value)); }
};

template <>
struct ValueType<net::IpAddress> {
  static std::string name() { return "IP address"; }
  static std::string expected() { return "an IP address string such as \"203.0.113.10\""; }
  static std::optional<net::IpAddress> read(const toml::node& node, const KeyReading& reading);
  static std::string format(const net::IpAddress& value) { return toml_quoted(value.text()); }
};

template <>
struct ValueType<Rate> {
  static std::string name() { return "rate"; }
  static std::string expected() { return "a rate string such as \"2/s\", \"30/min\" or \"100/h\""; }
  static std::optional<Rate> read(const toml::node& node, const KeyReading& reading) {
    return read_text<Rate>(node, reading, expected(), parse_rate);
  }
  static std::string format(const Rate& value) { return toml_quoted(format_rate(value)); }
};

template <>
struct ValueType<HoldingTime> {
  static std::string name() { return "holding time"; }
  static std::string expected() { return "a holding time string such as \"180s\", \"exp(180s)\" or \"lognormal(180s,60s)\""; }
  static std::optional<HoldingTime> read(const toml::node& node, const KeyReading& reading) {
    return read_text<HoldingTime>(node, reading, expected(), parse_holding_time);
  }
  static std::string format(const HoldingTime& value) { return toml_quoted(format_holding_time(value)); }
};

template <class E>
  requires std::is_enum_v<E>
struct ValueType<E> {
  // The key reference lists long enumerations in a table of their own (type_name says which).
  static std::string name() {
    if constexpr (requires { EnumNames<E>::type_name(); }) return std::string(EnumNames<E>::type_name());
    else return "one of " + enum_choices<E>();
  }
  static std::string expected() { return "one of " + enum_choices<E>(); }
  static std::optional<E> read(const toml::node& node, const KeyReading& reading) {
    const auto* text = node.as_string();
    if (text == nullptr) {
      reading.wrong_type(node, expected());
      return std::nullopt;
    }
    for (const EnumEntry<E>& entry : EnumNames<E>::entries())
      if (entry.name == text->get()) return entry.value;
    reading.invalid(node, toml_quoted(text->get()) + " is not " + expected());
    return std::nullopt;
  }
  static std::string format(E value) { return toml_quoted(enum_name(value)); }
};

template <class T>
struct ValueType<std::optional<T>> {
  static std::string name() { return ValueType<T>::name(); }
  static std::string expected() { return ValueType<T>::expected(); }
  static std::optional<std::optional<T>> read(const toml::node& node, const KeyReading& reading) {
    auto value = ValueType<T>::read(node, reading);
    if (!value) return std::nullopt;
    return std::optional<T>(std::move(*value));
  }
  static std::string format(const std::optional<T>& value) { return value ? ValueType<T>::format(*value) : std::string(); }
};

template <class T>
struct ValueType<std::vector<T>> {
  static std::string name() { return "array of " + plural(ValueType<T>::name()); }
  static std::string expected() { return "an " + name(); }
  // Entries of an array of tables are kept even when one of their keys was wrong, so later
  // checks still see them; an array of plain values with a wrong element is not used at all.
  static std::optional<std::vector<T>> read(const toml::node& node, const KeyReading& reading) {
    const auto* array = node.as_array();
    if (array == nullptr) {
      reading.wrong_type(node, expected());
      return std::nullopt;
    }
    std::vector<T> values;
    bool complete = true;
    for (const toml::node& element : *array) {
      auto value = ValueType<T>::read(element, reading);
      if (value) values.push_back(std::move(*value));
      else complete = false;
    }
    if (!complete && !TableRecord<T>) return std::nullopt;
    return values;
  }
  static std::string format(const std::vector<T>& values) {
    if constexpr (TableRecord<T>) return {};
    std::string text = "[";
    for (const T& value : values) text += (text.size() > 1 ? ", " : "") + ValueType<T>::format(value);
    return text + "]";
  }
};

// Defined in schema.hpp, where the reading of tables is.
template <class Record>
std::optional<Record> read_table_value(const toml::node& node, const KeyReading& reading);

template <TableRecord Record>
struct ValueType<Record> {
  static std::string name() { return "table"; }
  static std::string expected() { return "a table"; }
  static std::optional<Record> read(const toml::node& node, const KeyReading& reading) { return read_table_value<Record>(node, reading); }
  static std::string format(const Record&) { return {}; }
};

}  // namespace config
