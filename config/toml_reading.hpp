// SPDX-License-Identifier: MIT
#pragma once
// Internal to reachback::config: reading a file, parsing TOML and typed,
// range-checked reads out of a table, all failing with a one-line
// config_error that names the file, the line, the column and the key.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "seconds_range.hpp"

namespace reachback::config::detail {

/// Inclusive bounds for an integer setting.
struct int_range {
  int min = 0;
  int max = 0;
};

/// Returns why a string setting is unacceptable ("must be ..."), or "" when it is fine.
using string_check = std::string (*)(std::string_view value);

/// string_check: no leading or trailing whitespace (a pasted token's newline).
[[nodiscard]] std::string check_trimmed(std::string_view value);

/// Throws config_error with `message`, control characters escaped so it stays one line.
[[noreturn]] void throw_config_error(std::string_view message);

/// Reads a whole file. Throws config_error "cannot open FILE: REASON" or "cannot read ...".
[[nodiscard]] std::string read_text_file(const std::filesystem::path& file);

/// Parses TOML text. Throws config_error "SOURCE:LINE:COLUMN: DESCRIPTION".
[[nodiscard]] toml::table parse_toml(std::string_view text, std::string_view source);

/// Reads settings from one TOML table. Absent keys leave the output untouched
/// (the default, or the base being overlaid); present keys must have the exact
/// TOML type and be in range. Every key asked for is remembered, so finish()
/// can reject the rest: a misspelt key must not be silently ignored.
class table_reader {
 public:
  /// `path` is the table's dotted name in the document, "" for the root.
  table_reader(const toml::table& table, std::string_view source, std::string path = {});

  /// A TOML boolean.
  void read(std::string_view key, bool& out);
  /// A non-empty TOML string that passes `check`.
  void read(std::string_view key, std::string& out, string_check check = nullptr);
  /// As above, for a setting that has no default.
  void read(std::string_view key, std::optional<std::string>& out, string_check check = nullptr);
  /// An array of non-empty strings that each pass `check`.
  void read(std::string_view key, std::vector<std::string>& out, string_check check = nullptr);
  /// A TOML integer within `range`.
  void read(std::string_view key, int& out, int_range range);
  /// As above, for a setting that has no default.
  void read(std::string_view key, std::optional<int>& out, int_range range);
  /// An array of port numbers, 1..65535.
  void read(std::string_view key, std::vector<std::uint16_t>& out);
  /// An integer number of milliseconds within `range`.
  void read(std::string_view key, std::chrono::milliseconds& out, int_range range);
  /// A number of seconds, integer or fractional, within `range`, rounded as it rounds.
  void read_seconds(std::string_view key, std::chrono::milliseconds& out, seconds_range range);

  /// Calls `fields` with a reader for the sub-table `key`, if present, then finishes it.
  void read_table(std::string_view key, const std::function<void(table_reader&)>& fields);
  /// Calls `fields` for each table of the array of tables `key` ("[[key]]"), if present.
  void read_tables(std::string_view key, const std::function<void(table_reader&)>& fields);

  /// Throws unless `key` is present.
  void require(std::string_view key);
  /// Throws config_error for the first key that no read asked for.
  void finish() const;

  /// Throws "SOURCE:L:C: 'PATH.KEY' PROBLEM", located at the key's value, or
  /// at this table when the key is absent.
  [[noreturn]] void fail(std::string_view key, std::string_view problem) const;

 private:
  template <class T, class ReadElement>
  void read_array(std::string_view key, std::vector<T>& out, ReadElement read_element);
  void read_fields(const toml::node& node, const std::string& table_path,
                   const std::function<void(table_reader&)>& fields) const;
  [[nodiscard]] const toml::node* take(std::string_view key);
  [[nodiscard]] std::string name(std::string_view key) const;
  [[nodiscard]] std::string string_at(const toml::node& node, const std::string& name,
                                      string_check check) const;
  [[nodiscard]] int integer_at(const toml::node& node, const std::string& name,
                               int_range range) const;
  [[nodiscard]] const toml::array& array_at(const toml::node& node,
                                            const std::string& name) const;
  [[noreturn]] void fail_at(const toml::node& node, std::string_view message) const;

  const toml::table& table_;
  std::string source_;
  std::string path_;
  std::set<std::string, std::less<>> known_;
};

}  // namespace reachback::config::detail
