// SPDX-License-Identifier: MIT
#pragma once
// Pure helpers for the text tables the OS prints (/proc on Linux, netsh
// and the firewall log on Windows): lines, whitespace-separated fields and
// whole-field numbers.

#include <charconv>
#include <optional>
#include <string_view>
#include <vector>

namespace reachback::client::platform {

/// The whitespace-separated fields of one line.
[[nodiscard]] std::vector<std::string_view> split_fields(std::string_view line);

/// The lines of `text`, without their '\n'.
[[nodiscard]] std::vector<std::string_view> split_lines(std::string_view text);

/// `text` as a whole number in `base`; nullopt when empty, out of range, or
/// followed by anything else.
template <typename Unsigned>
[[nodiscard]] std::optional<Unsigned> parse_unsigned(std::string_view text, int base = 10) {
  Unsigned value{};
  const auto* last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), last, value, base);
  if (text.empty() || ec != std::errc{} || ptr != last) return std::nullopt;
  return value;
}

}  // namespace reachback::client::platform
