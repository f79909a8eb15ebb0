// SPDX-License-Identifier: MIT
#include "fixes.hpp"

#include <algorithm>
#include <string>

#include "common/verdict_engine.hpp"
#include "fixes_text.hpp"
#include "toml_reading.hpp"

namespace reachback::config {
namespace {

using detail::table_reader;

bool is_name_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/// The "{name}" placeholders in `step`. Braces around anything else (a
/// PowerShell script block, say) are text. Capitals count as names, so a
/// misspelt "{Port}" is caught rather than printed.
std::vector<std::string> placeholders_in(std::string_view step) {
  std::vector<std::string> names;
  for (auto open = step.find('{'); open != std::string_view::npos; open = step.find('{', open + 1)) {
    const auto close = step.find('}', open);
    if (close == std::string_view::npos) break;
    const auto name = step.substr(open + 1, close - open - 1);
    if (!name.empty() && std::all_of(name.begin(), name.end(), is_name_char)) names.emplace_back(name);
  }
  return names;
}

std::string names_text(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

void check_steps(const table_reader& reader, std::string_view key, const std::vector<std::string>& steps,
                 const fix_spec& spec) {
  if (steps.empty()) reader.fail(key, "must list at least one step");
  for (std::size_t i = 0; i < steps.size(); ++i) {
    for (const auto& name : placeholders_in(steps[i])) {
      if (std::find(spec.placeholders.begin(), spec.placeholders.end(), name) != spec.placeholders.end()) continue;
      reader.fail(key, "step " + std::to_string(i + 1) + " uses {" + name + "}, which this fix does not fill in (it fills in: " +
                           names_text(spec.placeholders) + ")");
    }
  }
}

os_steps read_fix(table_reader& reader, const fix_spec& spec) {
  os_steps steps;
  for (const auto key : {"linux", "windows", "macos"}) reader.require(key);
  reader.read("linux", steps.linux_steps);
  reader.read("windows", steps.windows_steps);
  reader.read("macos", steps.macos_steps);
  check_steps(reader, "linux", steps.linux_steps, spec);
  check_steps(reader, "windows", steps.windows_steps, spec);
  check_steps(reader, "macos", steps.macos_steps, spec);
  return steps;
}

}  // namespace

fix_book parse_fixes(std::string_view toml_text, std::string_view source, const std::vector<fix_spec>& catalogue) {
  const auto document = detail::parse_toml(toml_text, source);
  table_reader reader(document, source);
  fix_book book;
  for (const auto& spec : catalogue) {
    reader.read_table(spec.id, [&](table_reader& fix_reader) { book.fixes[spec.id] = read_fix(fix_reader, spec); });
  }
  // A misspelt id is reported as such, before the id it should have been.
  reader.finish();
  for (const auto& spec : catalogue) reader.require(spec.id);
  return book;
}

const fix_book& builtin_fixes() {
  static const fix_book book = parse_fixes(detail::builtin_fixes_toml(), "fixes.toml (built in)", fix_catalogue());
  return book;
}

}  // namespace reachback::config
