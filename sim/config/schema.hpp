#pragma once
// The schema of topology and experiment files. Every key is declared once, as a Field that
// binds the key to a member of a plain struct, with its help text, unit and checks:
//
//   key("options_interval", &Sbc::options_interval, "time between the SBC's OPTIONS pings", {.check = positive})
//
// The member's type says how the value is read and written (ValueType<T>), and the struct's
// default member initializer is the key's default. The same declarations read files, word the
// errors ("known keys: ..."), resolve sweep paths ("sbc.sbc1.options_interval") and print the
// key reference (drsim validate --keys). Internal to sim/config: only its .cpp files include
// this header and TOML++.
//
// key_reading.hpp holds the vocabulary (reporting, checks, enumerations), value_types.hpp how
// each member type reads and prints, and this file the fields, schemas and sweep paths.
#include <charconv>
#include <functional>
#include <variant>

#include "sim/config/value_types.hpp"

namespace config {

// ---- Documentation (what drsim validate --keys prints) -------------------------------------

struct TableDescription;

struct KeyDescription {
  std::string key;
  std::string type;          // "duration", "array of strings", "integer (bytes)"
  std::string default_text;  // a TOML literal; empty when required or when there is none
  std::string help;
  bool required = false;
  const TableDescription* table = nullptr;  // for keys whose value is a table or array of tables
};

struct TableDescription {
  std::string heading;  // "[[sbc]]"
  std::string help;
  std::vector<KeyDescription> keys;
};

// ---- Fields and schemas -----------------------------------------------------------------------

// What a sweep path leads to below a key: the remaining segments and the value to set.
using PathSegments = std::span<const std::string_view>;

template <class Record>
struct Field {
  std::string_view key;
  std::string_view help;
  bool required = false;
  std::string type;
  std::function<std::string()> default_text;
  std::function<const TableDescription*()> table;
  std::function<void(const toml::node&, Record&, const KeyReading&)> read;
  // Sets `value` at `below` (empty: this key itself). Returns why the path names no key, or
  // an empty string; a value of the wrong type is reported through the KeyReading instead.
  std::function<std::string(Record&, PathSegments below, const toml::node& value, const KeyReading&)> apply;
};

template <class Record>
class Schema {
 public:
  // `label` names the table in messages ("[[sbc]]"; empty for a file's top level); `heading`
  // titles it in the key reference when that should read differently.
  Schema(std::string_view label, std::string_view help, std::vector<Field<Record>> fields, std::string_view heading = {})
      : label_(label), fields_(std::move(fields)) {
    description_.heading = std::string(heading.empty() ? label : heading);
    description_.help = std::string(help);
    for (const Field<Record>& field : fields_) {
      description_.keys.push_back(KeyDescription{std::string(field.key), field.type, field.required ? std::string() : field.default_text(),
                                                 std::string(field.help), field.required, field.table ? field.table() : nullptr});
      known_keys_ += (known_keys_.empty() ? "" : ", ") + std::string(field.key);
    }
  }

  std::string_view label() const { return label_; }
  const std::vector<Field<Record>>& fields() const { return fields_; }
  const std::string& known_keys() const { return known_keys_; }
  const TableDescription& description() const { return description_; }
  const Field<Record>* find(std::string_view key) const {
    for (const Field<Record>& field : fields_)
      if (field.key == key) return &field;
    return nullptr;
  }

 private:
  std::string_view label_;
  std::vector<Field<Record>> fields_;
  std::string known_keys_;
  TableDescription description_;
};

std::string unknown_key_message(std::string_view key, std::string_view table_label, const std::string& known_keys);
std::string missing_key_message(std::string_view key, std::string_view table_label);

// Reads every key of `table` into `record`: unknown keys, wrong types, bad values and missing
// required keys become diagnostics; the keys that read well are set even when others did not.
template <class Record>
void read_table(const toml::table& table, const Schema<Record>& schema, Record& record, FileReader& file) {
  for (const auto& [key, node] : table) {
    if (const Field<Record>* field = schema.find(key.str())) field->read(node, record, KeyReading{file, field->key});
    else file.report(key.source(), unknown_key_message(key.str(), schema.label(), schema.known_keys()));
  }
  for (const Field<Record>& field : schema.fields())
    if (field.required && !table.contains(field.key)) file.report(table.source(), missing_key_message(field.key, schema.label()));
}

template <class Record>
std::optional<Record> read_table_value(const toml::node& node, const KeyReading& reading) {
  const auto* table = node.as_table();
  if (table == nullptr) {
    reading.wrong_type(node, ValueType<Record>::expected());
    return std::nullopt;
  }
  Record record{};
  read_table(*table, TableSchema<Record>::get(), record, reading.file);
  return record;
}

// Sets `value` at the dotted `path` below `record` ("sbc", "sbc1", "options_interval").
template <class Record>
std::string apply_path(const Schema<Record>& schema, Record& record, PathSegments path, const toml::node& value, const KeyReading& reading) {
  const Field<Record>* field = schema.find(path.front());
  if (field == nullptr) {
    const std::string where = schema.label().empty() ? std::string("the file") : std::string(schema.label());
    return "no key " + toml_quoted(path.front()) + " in " + where + " (known: " + schema.known_keys() + ")";
  }
  return field->apply(record, path.subspan(1), value, reading);
}

std::string join_segments(PathSegments segments);

// An entry of an array of tables picked by index ("0") or by one of its record_names (which
// may contain dots, so longer joins of the segments are tried too), then the rest of the path.
template <class Record>
std::string apply_to_entry(std::vector<Record>& entries, PathSegments path, const toml::node& value, const KeyReading& reading) {
  const Schema<Record>& schema = TableSchema<Record>::get();
  const std::string_view first = path.front();
  std::size_t index = 0;
  if (const auto [end, error] = std::from_chars(first.data(), first.data() + first.size(), index);
      error != std::errc::invalid_argument && end == first.data() + first.size()) {
    if (error == std::errc::result_out_of_range || index >= entries.size())
      return "there is no entry " + std::string(first) + " in " + std::string(schema.label()) + " (it has " + std::to_string(entries.size()) + ")";
    if (path.size() < 2) return "name a key after the entry, e.g. " + std::string(first) + "." + std::string(schema.fields().front().key);
    return apply_path(schema, entries[index], path.subspan(1), value, reading);
  }
  for (std::size_t length = 1; length <= path.size(); ++length) {
    const std::string name = join_segments(path.first(length));
    for (Record& entry : entries)
      for (const std::string& entry_name : record_names(entry)) {
        if (entry_name != name) continue;
        if (length == path.size()) return "name a key after the entry, e.g. " + name + "." + std::string(schema.fields().front().key);
        return apply_path(schema, entry, path.subspan(length), value, reading);
      }
  }
  return "no entry of " + std::string(schema.label()) + " is named or numbered " + toml_quoted(first);
}

template <class T>
struct ElementOf {
  using type = T;
};
template <class T>
struct ElementOf<std::vector<T>> {
  using type = T;
};
template <class T>
struct ElementOf<std::optional<T>> {
  using type = T;
};

// A check on a key's value; on an array it checks each element, on an optional the value if any.
template <class T>
using Check = std::optional<std::string> (*)(const typename ElementOf<T>::type&);

template <class T>
struct KeyOptions {
  bool required = false;
  bool non_empty = false;  // arrays: at least one element
  std::string_view unit = {};
  Check<T> check = nullptr;
};

template <class T>
bool passes_checks(const T& value, const toml::node& node, const KeyOptions<T>& options, const KeyReading& reading) {
  if constexpr (IsVector<T>::value) {
    if (options.non_empty && value.empty()) {
      reading.invalid(node, "needs at least one entry");
      return false;
    }
    bool passed = true;
    if (options.check != nullptr)
      for (std::size_t i = 0; i < value.size(); ++i)
        if (const auto problem = options.check(value[i])) {
          reading.invalid(*node.as_array()->get(i), *problem);
          passed = false;
        }
    return passed;
  } else if constexpr (IsOptional<T>::value) {
    if (options.check == nullptr || !value) return true;
    const auto problem = options.check(*value);
    if (problem) reading.invalid(node, *problem);
    return !problem;
  } else {
    if (options.check == nullptr) return true;
    const auto problem = options.check(value);
    if (problem) reading.invalid(node, *problem);
    return !problem;
  }
}

// A sweep path either ends at a key (the value replaces it whole, tables included) or goes on
// into the table or the entry of the array of tables the key holds.
template <class T>
std::string apply_below(T& target, std::string_view key, const KeyOptions<T>& options, PathSegments below, const toml::node& value,
                        const KeyReading& reading) {
  if (below.empty()) {
    std::optional<T> parsed = ValueType<T>::read(value, reading);
    if (parsed && passes_checks(*parsed, value, options, reading)) target = std::move(*parsed);
    return {};
  }
  if constexpr (TableRecord<T>) return apply_path(TableSchema<T>::get(), target, below, value, reading);
  else if constexpr (TableArray<T>) return apply_to_entry(target, below, value, reading);
  else return toml_quoted(key) + " holds a single value (" + ValueType<T>::name() + "), not a table";
}

// The general form of key(): `access` returns the member a record keeps the value in.
template <class Record, class T, class Access>
Field<Record> make_field(std::string_view name, std::string_view help, KeyOptions<T> options, Access access) {
  Field<Record> field;
  field.key = name;
  field.help = help;
  field.required = options.required;
  field.type = ValueType<T>::name() + (options.unit.empty() ? "" : " (" + std::string(options.unit) + ")");
  field.default_text = [access] {
    Record defaults{};
    return ValueType<T>::format(access(defaults));
  };
  if constexpr (TableRecord<T>) field.table = [] { return &TableSchema<T>::get().description(); };
  if constexpr (TableArray<T>) field.table = [] { return &TableSchema<typename T::value_type>::get().description(); };
  field.read = [access, options](const toml::node& node, Record& record, const KeyReading& reading) {
    std::optional<T> value = ValueType<T>::read(node, reading);
    if (value && passes_checks(*value, node, options, reading)) access(record) = std::move(*value);
  };
  field.apply = [access, options, name](Record& record, PathSegments below, const toml::node& value, const KeyReading& reading) {
    return apply_below(access(record), name, options, below, value, reading);
  };
  return field;
}

// A key bound to a member of the record.
template <class Record, class T>
Field<Record> key(std::string_view name, T Record::*member, std::string_view help, KeyOptions<std::type_identity_t<T>> options = {}) {
  return make_field<Record, T>(name, help, options, [member](Record& record) -> T& { return record.*member; });
}

// A key bound to a member of a member, for settings several records share (HostSettings).
template <class Record, class Inner, class T>
Field<Record> key(std::string_view name, Inner Record::*outer, T Inner::*member, std::string_view help,
                  KeyOptions<std::type_identity_t<T>> options = {}) {
  return make_field<Record, T>(name, help, options, [outer, member](Record& record) -> T& { return (record.*outer).*member; });
}

// A table whose keys land in the same record: [experiment] and [output] fill one ExperimentFile.
template <class Record>
Field<Record> section(std::string_view name, const Schema<Record>& (*schema)(), std::string_view help, bool required = false) {
  Field<Record> field;
  field.key = name;
  field.help = help;
  field.required = required;
  field.type = "table";
  field.default_text = [] { return std::string(); };
  field.table = [schema] { return &schema().description(); };
  field.read = [schema](const toml::node& node, Record& record, const KeyReading& reading) {
    if (const auto* table = node.as_table()) read_table(*table, schema(), record, reading.file);
    else reading.wrong_type(node, "a table");
  };
  field.apply = [schema, name](Record& record, PathSegments below, const toml::node& value, const KeyReading& reading) -> std::string {
    if (below.empty()) return toml_quoted(name) + " is a table: name one of its keys";
    return apply_path(schema(), record, below, value, reading);
  };
  return field;
}

// ---- Positions for checks made after reading ---------------------------------------------------

// One step of a path into a parsed document: a key or an array index.
using NodeStep = std::variant<std::string_view, std::size_t>;

// Where the node at `path` starts; when a key was left out (a default), where its nearest
// present ancestor starts.
toml::source_region position_of(const toml::table& root, std::initializer_list<NodeStep> path);

}  // namespace config
