// SPDX-License-Identifier: MIT
#include "client/platform/excluded_ports.hpp"

#include <algorithm>

#include "common/ascii_text.hpp"
#include "client/platform/text_fields.hpp"

namespace reachback::client::platform {

namespace {

std::optional<excluded_port_range> parse_row(std::string_view line, int ip_version) {
  const auto fields = split_fields(without_line_end(line));
  if (fields.size() != 2 && fields.size() != 3) return std::nullopt;
  const auto first = parse_unsigned<std::uint16_t>(fields[0]);
  const auto last = parse_unsigned<std::uint16_t>(fields[1]);
  if (!first || !last || *first > *last) return std::nullopt;
  const bool administered = fields.size() == 3;
  if (administered && fields[2] != "*") return std::nullopt;
  return excluded_port_range{ip_version, *first, *last, administered};
}

bool is_rule_line(std::string_view line) {
  const auto fields = split_fields(without_line_end(line));
  // Two dash runs under the two column titles; a translation may widen
  // them, or a narrow console may join them, so any count of runs will do.
  return !fields.empty() && std::all_of(fields.begin(), fields.end(), [](std::string_view f) {
    return f.size() >= 2 && f.find_first_not_of('-') == std::string_view::npos;
  });
}

}  // namespace

std::vector<excluded_port_range> parse_excluded_port_ranges(std::string_view netsh_output,
                                                            int ip_version) {
  std::vector<excluded_port_range> ranges;
  for (const auto line : split_lines(netsh_output)) {
    if (auto range = parse_row(line, ip_version)) ranges.push_back(*range);
  }
  return ranges;
}

bool looks_like_excluded_port_table(std::string_view netsh_output) {
  const auto lines = split_lines(netsh_output);
  return std::any_of(lines.begin(), lines.end(), is_rule_line);
}

std::optional<excluded_port_range> find_excluded(const std::vector<excluded_port_range>& ranges,
                                                 std::uint16_t port) {
  const auto found = std::find_if(ranges.begin(), ranges.end(), [port](const auto& range) {
    return range.first <= port && port <= range.last;
  });
  if (found == ranges.end()) return std::nullopt;
  return *found;
}

}  // namespace reachback::client::platform
