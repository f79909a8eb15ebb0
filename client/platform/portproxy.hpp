// SPDX-License-Identifier: MIT
#pragma once
// Pure parsing of Windows' portproxy rules as the registry stores them, and
// the netsh command that deletes one. The registry reading itself is in
// port_reservations_windows.cpp.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/evidence.hpp"

namespace reachback::client::platform {

/// The four rule tables, each a key
/// HKLM\SYSTEM\CurrentControlSet\Services\PortProxy\<kind>\tcp.
inline constexpr std::string_view portproxy_kinds[] = {"v4tov4", "v4tov6", "v6tov4", "v6tov6"};

/// One registry value of a rule table: the name is "LISTENADDRESS/LISTENPORT"
/// (e.g. "0.0.0.0/3000", "*/3000", "::/3000") and the REG_SZ data is
/// "CONNECTADDRESS/CONNECTPORT" (e.g. "172.28.160.1/3000"). An address is an
/// IP literal or a host name. nullopt for an unknown kind, a missing '/', a
/// port outside 1..65535, or an address with characters netsh never stores
/// (an IPv6 literal on an IPv4 side included).
[[nodiscard]] std::optional<portproxy_rule> parse_portproxy_value(std::string_view kind,
                                                                  std::string_view value_name,
                                                                  std::string_view value_data);

/// The rules whose listen port is `port`, in their original order.
[[nodiscard]] std::vector<portproxy_rule> rules_on_port(const std::vector<portproxy_rule>& rules,
                                                        std::uint16_t port);

/// The command that removes `rule`, run as administrator, e.g.
/// "netsh interface portproxy delete v4tov4 listenport=3000 listenaddress=0.0.0.0".
/// `rule` must come from parse_portproxy_value, so nothing in it needs quoting.
[[nodiscard]] std::string portproxy_delete_command(const portproxy_rule& rule);

}  // namespace reachback::client::platform
