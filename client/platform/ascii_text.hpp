// SPDX-License-Identifier: MIT
#pragma once
// Pure trimming and case-insensitive prefix helpers for the text Windows
// prints and stores (netsh, pfirewall.log, firewall rules). Case folding is
// common/ascii_case.hpp's: ASCII letters only, so a parser's answer never
// depends on the machine's locale.

#include <string_view>

#include "common/ascii_case.hpp"

namespace reachback::client::platform {

/// Whether `text` starts with `prefix`, but for the case of ASCII letters.
[[nodiscard]] constexpr bool istarts_with(std::string_view text, std::string_view prefix) noexcept {
  return text.size() >= prefix.size() && reachback::iequals(text.substr(0, prefix.size()), prefix);
}

/// `text` without the `blanks` at either end.
[[nodiscard]] constexpr std::string_view trim(std::string_view text,
                                              std::string_view blanks = " \t") noexcept {
  const auto first = text.find_first_not_of(blanks);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(blanks) - first + 1);
}

/// `line` without the CRs and LFs that end it: Windows tools end lines with
/// CRLF, and splitting on '\n' leaves the '\r'.
[[nodiscard]] constexpr std::string_view without_line_end(std::string_view line) noexcept {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  return line;
}

}  // namespace reachback::client::platform
