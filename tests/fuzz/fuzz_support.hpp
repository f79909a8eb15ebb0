// SPDX-License-Identifier: MIT
#pragma once
// What the fuzz targets share: failing loudly with the input, and the check
// that text from a router or a Windows tool is safe to print and send.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace reachback::fuzz {

/// Prints `target: what` and the input as hex bytes, then aborts: libFuzzer
/// and the replay both keep the input that made it.
[[noreturn]] inline void fail(const char* target, const char* what, std::string_view input) {
  std::fprintf(stderr, "%s: %s; input (%zu bytes):", target, what, input.size());
  for (const char c : input) std::fprintf(stderr, " %02x", static_cast<unsigned char>(c));
  std::fputc('\n', stderr);
  std::abort();
}

/// Whether `text` holds a control character (tab included).
inline bool has_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

}  // namespace reachback::fuzz
