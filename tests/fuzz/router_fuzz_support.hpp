// SPDX-License-Identifier: MIT
#pragma once
// What the router codec fuzz targets share: failing loudly with the input,
// and the checks that text from a router is safe to print and send.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace reachback::router::fuzz {

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

}  // namespace reachback::router::fuzz
