// SPDX-License-Identifier: MIT
// Excluded port ranges fuzz target: the netsh parser must never crash, and
// every range it returns must be well formed and findable.
// Built for libFuzzer with clang, and driven by fuzz_replay.cpp otherwise.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "client/platform/excluded_ports.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace reachback::client::platform;

[[noreturn]] void fail(const char* what, std::string_view input) {
  reachback::fuzz::fail("excluded_ports_fuzz", what, input);
}

void check(std::string_view input, int ip_version) {
  const auto ranges = parse_excluded_port_ranges(input, ip_version);
  // One row a line at most.
  const auto lines = static_cast<std::size_t>(std::count(input.begin(), input.end(), '\n')) + 1;
  if (ranges.size() > lines) fail("more ranges than lines", input);
  for (const auto& range : ranges) {
    if (range.ip_version != ip_version) fail("wrong ip_version", input);
    if (range.first > range.last) fail("reversed range", input);
    for (const auto port : {range.first, range.last}) {
      const auto found = find_excluded(ranges, port);
      if (!found || found->first > port || port > found->last) fail("range not found", input);
    }
  }
  static_cast<void>(looks_like_excluded_port_table(input));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The parser reads chars; the fuzzer hands out bytes of the same size.
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check(input, 4);
  check(input, 6);
  return 0;
}
