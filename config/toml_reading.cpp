// SPDX-License-Identifier: MIT
#include "toml_reading.hpp"

#include <array>
#include <cerrno>
#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>
#include <type_traits>

#include "config_error.hpp"

namespace reachback::config::detail {
namespace {

constexpr int_range port_range{1, 65535};

void append_escaped(std::string& out, unsigned char byte) {
  constexpr std::string_view hex = "0123456789abcdef";
  if (byte == '\n') {
    out += "\\n";
  } else if (byte == '\t') {
    out += "\\t";
  } else {
    out += "\\x";
    out += hex[byte >> 4U];
    out += hex[byte & 0xfU];
  }
}

std::string location(std::string_view source, const toml::source_position& at) {
  return std::string(source) + ':' + std::to_string(at.line) + ':' + std::to_string(at.column);
}

std::string_view type_name(toml::node_type type) noexcept {
  switch (type) {
    case toml::node_type::none: return "nothing";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
  }
  return "nothing";
}

template <class T>
constexpr toml::node_type toml_type_of() noexcept {
  if constexpr (std::is_same_v<T, bool>) {
    return toml::node_type::boolean;
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    return toml::node_type::integer;
  } else {
    static_assert(std::is_same_v<T, std::string>);
    return toml::node_type::string;
  }
}

[[noreturn]] void fail_node(std::string_view source, const toml::node& node,
                            std::string_view message) {
  throw_config_error(location(source, node.source().begin) + ": " + std::string(message));
}

[[noreturn]] void fail_type(std::string_view source, const toml::node& node,
                            std::string_view expected, const std::string& name) {
  fail_node(source, node,
            "expected " + std::string(expected) + " for '" + name + "', got " +
                std::string(type_name(node.type())));
}

// value_exact, not value(): value() turns `enabled = 1` into true and
// `max_ttl = 16.0` into 16, and a wrong type must be reported instead.
template <class T>
T exact(std::string_view source, const toml::node& node, const std::string& name) {
  if (auto value = node.value_exact<T>()) return *std::move(value);
  fail_type(source, node, type_name(toml_type_of<T>()), name);
}

[[noreturn]] void fail_io(std::string_view what, const std::filesystem::path& file, int error) {
  throw_config_error(std::string(what) + file.string() + ": " +
                     std::generic_category().message(error));
}

std::string element_name(std::string_view array_name, std::size_t index) {
  return std::string(array_name) + '[' + std::to_string(index) + ']';
}

}  // namespace

std::string check_trimmed(std::string_view value) {
  constexpr std::string_view space = " \t\r\n\f\v";
  const bool padded = !value.empty() && (space.find(value.front()) != std::string_view::npos ||
                      space.find(value.back()) != std::string_view::npos);
  return padded ? "must not start or end with whitespace" : std::string();
}

void throw_config_error(std::string_view message) {
  std::string line;
  line.reserve(message.size());
  for (const char c : message) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20U || byte == 0x7fU) {
      append_escaped(line, byte);
    } else {
      line += c;
    }
  }
  throw config_error(line);
}

std::string read_text_file(const std::filesystem::path& file) {
  // A directory opens on Linux and fails only when read, while Windows
  // refuses to open it ("permission denied"): one reason for both.
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) fail_io("cannot read ", file, EISDIR);
  // ifstream opens a path in the OS's own encoding (UTF-16 on Windows, where
  // fopen(path.c_str()) would not compile); libstdc++ opens it with open() or
  // _wfopen(), which leave the reason in errno.
  errno = 0;
  std::ifstream stream(file, std::ios::binary);
  if (!stream) fail_io("cannot open ", file, errno != 0 ? errno : ENOENT);
  std::ostringstream text;
  text << stream.rdbuf();
  if (stream.bad()) fail_io("cannot read ", file, errno != 0 ? errno : EIO);
  return std::move(text).str();
}

toml::table parse_toml(std::string_view text, std::string_view source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& error) {
    throw_config_error(location(source, error.source().begin) + ": " +
                       std::string(error.description()));
  }
}

table_reader::table_reader(const toml::table& table, std::string_view source, std::string path)
    : table_(table), source_(source), path_(std::move(path)) {}

void table_reader::read(std::string_view key, bool& out) {
  if (const auto* node = take(key)) out = exact<bool>(source_, *node, name(key));
}

void table_reader::read(std::string_view key, std::string& out, string_check check) {
  if (const auto* node = take(key)) out = string_at(*node, name(key), check);
}

void table_reader::read(std::string_view key, std::optional<std::string>& out,
                        string_check check) {
  if (const auto* node = take(key)) out = string_at(*node, name(key), check);
}

template <class T, class ReadElement>
void table_reader::read_array(std::string_view key, std::vector<T>& out,
                              ReadElement read_element) {
  const auto* node = take(key);
  if (node == nullptr) return;
  const auto array_name = name(key);
  const auto& array = array_at(*node, array_name);
  std::vector<T> values;
  for (std::size_t i = 0; i < array.size(); ++i) {
    values.push_back(read_element(*array.get(i), element_name(array_name, i)));
  }
  out = std::move(values);
}

void table_reader::read(std::string_view key, std::vector<std::string>& out,
                        string_check check) {
  read_array(key, out, [&](const toml::node& element, const std::string& element_path) {
    return string_at(element, element_path, check);
  });
}

void table_reader::read(std::string_view key, int& out, int_range range) {
  if (const auto* node = take(key)) out = integer_at(*node, name(key), range);
}

void table_reader::read(std::string_view key, std::optional<int>& out, int_range range) {
  if (const auto* node = take(key)) out = integer_at(*node, name(key), range);
}

void table_reader::read(std::string_view key, std::vector<std::uint16_t>& out) {
  read_array(key, out, [&](const toml::node& element, const std::string& element_path) {
    return static_cast<std::uint16_t>(integer_at(element, element_path, port_range));
  });
}

void table_reader::read(std::string_view key, std::chrono::milliseconds& out, int_range range) {
  if (const auto* node = take(key)) {
    out = std::chrono::milliseconds(integer_at(*node, name(key), range));
  }
}

void table_reader::read_seconds(std::string_view key, std::chrono::milliseconds& out,
                                seconds_range range) {
  const auto* node = take(key);
  if (node == nullptr) return;
  // Both TOML number types are fine here: `timeout_seconds = 10` and `= 2.5`.
  const auto seconds = node->is_integer() ? static_cast<double>(*node->value_exact<std::int64_t>())
                                          : node->value_exact<double>();
  if (!seconds) fail_type(source_, *node, "a number", name(key));
  const auto milliseconds = range.to_milliseconds(*seconds);
  if (!milliseconds) {
    fail_at(*node, "'" + name(key) + "' must be " + range.between() + ", got " + number_text(*seconds));
  }
  out = *milliseconds;
}

void table_reader::read_table(std::string_view key,
                              const std::function<void(table_reader&)>& fields) {
  if (const auto* node = take(key)) read_fields(*node, name(key), fields);
}

void table_reader::read_tables(std::string_view key,
                               const std::function<void(table_reader&)>& fields) {
  const auto* node = take(key);
  if (node == nullptr) return;
  const auto array_name = name(key);
  const auto& array = array_at(*node, array_name);
  for (std::size_t i = 0; i < array.size(); ++i) {
    read_fields(*array.get(i), element_name(array_name, i), fields);
  }
}

void table_reader::read_fields(const toml::node& node, const std::string& table_path,
                               const std::function<void(table_reader&)>& fields) const {
  const auto* table = node.as_table();
  if (table == nullptr) fail_type(source_, node, type_name(toml::node_type::table), table_path);
  table_reader reader(*table, source_, table_path);
  fields(reader);
  reader.finish();
}

void table_reader::require(std::string_view key) {
  known_.emplace(key);
  if (!table_.contains(key)) fail_at(table_, "missing required key '" + name(key) + "'");
}

void table_reader::finish() const {
  for (const auto& [key, value] : table_) {
    if (known_.contains(key.str())) continue;
    std::string message = "unknown key '" + name(key.str()) + "'";
    const char* separator = " (expected one of: ";
    for (const auto& known : known_) {
      message += separator + known;
      separator = ", ";
    }
    if (!known_.empty()) message += ')';
    throw_config_error(location(source_, key.source().begin) + ": " + message);
  }
}

void table_reader::fail(std::string_view key, std::string_view problem) const {
  const auto* node = table_.get(key);
  fail_at(node != nullptr ? *node : table_, "'" + name(key) + "' " + std::string(problem));
}

const toml::node* table_reader::take(std::string_view key) {
  known_.emplace(key);
  return table_.get(key);
}

std::string table_reader::name(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + '.' + std::string(key);
}

std::string table_reader::string_at(const toml::node& node, const std::string& name,
                                    string_check check) const {
  auto value = exact<std::string>(source_, node, name);
  if (value.empty()) fail_at(node, "'" + name + "' must not be empty");
  if (check != nullptr) {
    if (const auto problem = check(value); !problem.empty()) {
      fail_at(node, "'" + name + "' " + problem + ", got \"" + value + '"');
    }
  }
  return value;
}

int table_reader::integer_at(const toml::node& node, const std::string& name,
                             int_range range) const {
  const auto value = exact<std::int64_t>(source_, node, name);
  if (value < range.min || value > range.max) {
    fail_at(node, "'" + name + "' must be between " + std::to_string(range.min) + " and " +
                      std::to_string(range.max) + ", got " + std::to_string(value));
  }
  return static_cast<int>(value);
}

const toml::array& table_reader::array_at(const toml::node& node, const std::string& name) const {
  const auto* array = node.as_array();
  if (array == nullptr) fail_type(source_, node, type_name(toml::node_type::array), name);
  return *array;
}

void table_reader::fail_at(const toml::node& node, std::string_view message) const {
  fail_node(source_, node, message);
}

}  // namespace reachback::config::detail
