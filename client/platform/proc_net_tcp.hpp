// SPDX-License-Identifier: MIT
#pragma once
// Pure parser for the lines of /proc/net/tcp and /proc/net/tcp6.

#include <cstdint>
#include <optional>
#include <string_view>

#include "client/platform/ip_literal.hpp"

namespace reachback::client::platform {

/// The kernel's TCP state number for a listening socket ("0A").
inline constexpr std::uint8_t tcp_state_listen = 0x0A;

/// One socket from /proc/net/tcp{,6}.
struct proc_tcp_entry {
  /// Local address as bound: IPv4 from tcp, IPv6 (possibly ::ffff:a.b.c.d) from tcp6.
  ip_literal local;
  std::uint16_t local_port = 0;
  /// TCP state number; tcp_state_listen for listeners.
  std::uint8_t state = 0;
  std::uint32_t uid = 0;
  /// Socket inode, matched against /proc/PID/fd links "socket:[INODE]".
  std::uint64_t inode = 0;
  bool operator==(const proc_tcp_entry&) const = default;
};

/// Parses one line; nullopt for the header line or anything malformed.
/// The family follows from the address width (8 or 32 hex digits).
[[nodiscard]] std::optional<proc_tcp_entry> parse_proc_net_tcp_line(std::string_view line);

}  // namespace reachback::client::platform
