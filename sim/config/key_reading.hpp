#pragma once
// The vocabulary of reading topology and experiment files: where problems are reported
// (FileReader, KeyReading), the checks a key may carry, enumerations, and which structs are
// tables. Internal to sim/config (schema.hpp says how the pieces fit).
#include <toml++/toml.h>

#include <concepts>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "sim/config/diagnostic.hpp"
#include "sim/core/time.hpp"

namespace config {

// ---- Reporting ------------------------------------------------------------------------------

// Collects one file's diagnostics at TOML++ source positions.
class FileReader {
 public:
  FileReader(std::filesystem::path file, Diagnostics& diagnostics) : file_(std::move(file)), diagnostics_(diagnostics) {}
  const std::filesystem::path& file() const { return file_; }
  void report(const toml::source_region& where, std::string message);
  bool has_reported() const { return !diagnostics_.empty(); }

 private:
  std::filesystem::path file_;
  Diagnostics& diagnostics_;
};

// The key being read, so a value reader can word its error.
struct KeyReading {
  FileReader& file;
  std::string_view key;
  // key "port" must be an integer from 0 to 65535
  void wrong_type(const toml::node& node, std::string_view expected) const;
  // key "duration": duration "5 parsecs": unknown unit "parsecs" (...)
  void invalid(const toml::node& node, std::string_view why) const;
};

// A TOML basic string: "text" with quotes, backslashes and control characters escaped.
std::string toml_quoted(std::string_view text);
// "duration" -> "durations", "IP address" -> "IP addresses".
std::string plural(std::string_view noun);
// "a duration", "an integer".
std::string with_article(std::string_view noun);
// "1 site", "4 sites".
std::string count_of(std::size_t count, std::string_view singular, std::string_view plural_form);

// ---- Checks a key may carry (each returns why the value is refused) -------------------------

namespace checks {
std::optional<std::string> positive(const sim::Time& value);          // longer than 0s
std::optional<std::string> whole_seconds(const sim::Time& value);     // Retry-After granularity
std::optional<std::string> at_least_one(const std::int64_t& value);
std::optional<std::string> port_number(const std::uint16_t& value);   // 1..65535
std::optional<std::string> sip_status_code(const std::int64_t& value);  // 100..699
std::optional<std::string> mtu_bytes(const std::int64_t& value);      // 576..65535
std::optional<std::string> e164_number(const std::string& value);     // "+" and 1 to 15 digits
std::optional<std::string> not_empty(const std::string& value);
std::optional<std::string> host_name(const std::string& value);         // "sbc1.contoso.com"
std::optional<std::string> host_name_or_empty(const std::string& value);  // empty: "use the default"
std::optional<std::string> port_range_or_empty(const std::string& value);  // "5061", "5060-5061"
std::optional<std::string> certificate_name(const std::string& value);  // also "*.contoso.com"
std::optional<std::string> number_prefix(const std::string& value);     // "+", "+1425"
}  // namespace checks

// ---- Enumerations -----------------------------------------------------------------------------

template <class E>
struct EnumEntry {
  E value;
  std::string_view name;  // as files write it
  std::string_view help;
};

// Specialized for every enumeration a file holds: static std::span<const EnumEntry<E>> entries();
template <class E>
struct EnumNames;

template <class E>
std::string_view enum_name(E value) {
  for (const EnumEntry<E>& entry : EnumNames<E>::entries())
    if (entry.value == value) return entry.name;
  return {};
}

template <class E>
std::string enum_choices(std::string_view separator = ", ") {
  std::string text;
  for (const EnumEntry<E>& entry : EnumNames<E>::entries()) text += (text.empty() ? "" : std::string(separator)) + toml_quoted(entry.name);
  return text;
}

// ---- Tables -----------------------------------------------------------------------------------

template <class Record>
class Schema;

// Specialized for every struct a file holds as a table: static const Schema<Record>& get();
template <class Record>
struct TableSchema {};

template <class T>
concept TableRecord = requires { TableSchema<T>::get(); };

template <class T>
struct IsVector : std::false_type {};
template <class T>
struct IsVector<std::vector<T>> : std::true_type {};
template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};

template <class T>
concept TableArray = IsVector<T>::value && TableRecord<typename T::value_type>;

// The names a sweep path may use to pick an entry of an array of tables besides its index:
// its `name` key when it has one. Specialized where an entry is known by something else.
template <class Record>
std::vector<std::string> record_names(const Record& record) {
  if constexpr (requires { record.name; }) return {record.name};
  else return {};
}

}  // namespace config
