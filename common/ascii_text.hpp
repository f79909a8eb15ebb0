// SPDX-License-Identifier: MIT
#pragma once
// Pure ASCII text helpers for what the parsers read: router replies (HTTP,
// SOAP, XML), the text Windows prints and stores (netsh, pfirewall.log,
// firewall rules), the data tables. ASCII only, with no locale, so a
// parser's answer is the same on every host: "iphlpsvc" and "IpHlpSvc" are
// one service wherever the report is made.

#include <algorithm>
#include <string_view>

namespace reachback {

/// `c` in lower case if it is an ASCII capital letter, else `c`.
[[nodiscard]] constexpr char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

/// Whether `a` and `b` are equal but for the case of ASCII letters.
[[nodiscard]] constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

/// Whether `text` starts with `prefix`, but for the case of ASCII letters.
[[nodiscard]] constexpr bool istarts_with(std::string_view text, std::string_view prefix) noexcept {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

/// Whether `c` is one of the ASCII digits 0-9 (std::isdigit depends on the locale).
[[nodiscard]] constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

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

}  // namespace reachback
