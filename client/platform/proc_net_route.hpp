// SPDX-License-Identifier: MIT
#pragma once
// Pure parsers for the default gateway in /proc/net/route (IPv4) and
// /proc/net/ipv6_route (IPv6).

#include <optional>
#include <string>
#include <string_view>

namespace reachback::client::platform {

/// The gateway of the lowest-metric usable default route (destination
/// 0.0.0.0, mask 0, flags UP|GATEWAY) in /proc/net/route; nullopt if none.
[[nodiscard]] std::optional<std::string> default_gateway_v4(std::string_view proc_net_route);

/// The next hop of the lowest-metric usable ::/0 route in /proc/net/ipv6_route
/// (reject routes such as the kernel's unreachable default on lo are skipped).
[[nodiscard]] std::optional<std::string> default_gateway_v6(std::string_view proc_net_ipv6_route);

}  // namespace reachback::client::platform
