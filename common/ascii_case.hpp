// SPDX-License-Identifier: MIT
#pragma once
// ASCII case folding, for names that Windows and the OS tables compare
// without case ("iphlpsvc" and "IpHlpSvc" are the same service). Bytes
// outside A-Z compare as they are: no locale, so the same on every host.

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

}  // namespace reachback
