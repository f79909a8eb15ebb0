// SPDX-License-Identifier: MIT
#pragma once
// Pure parser for `netsh interface ipv4|ipv6 show excludedportrange
// protocol=tcp`: the ranges Windows keeps from every program (Hyper-V,
// WinNAT, WSL2, Docker Desktop), which netstat never shows.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "common/evidence.hpp"

namespace reachback::client::platform {

/// The ranges in netsh's output, in the order printed, each tagged with
/// `ip_version`. Only the numeric rows count ("  50000   50059     *": first
/// port, last port, and '*' for a range an administrator added), because
/// Windows translates every other line. Anything else is skipped.
[[nodiscard]] std::vector<excluded_port_range> parse_excluded_port_ranges(
    std::string_view netsh_output, int ip_version);

/// Whether the output has the table's rule line ("----------    --------"),
/// which no translation changes: it tells an empty table from output that is
/// not the table at all (an error message, a stub netsh).
[[nodiscard]] bool looks_like_excluded_port_table(std::string_view netsh_output);

/// The first range holding `port`, if any.
[[nodiscard]] std::optional<excluded_port_range> find_excluded(
    const std::vector<excluded_port_range>& ranges, std::uint16_t port);

}  // namespace reachback::client::platform
