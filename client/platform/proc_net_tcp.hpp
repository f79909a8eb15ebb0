// SPDX-License-Identifier: MIT
#pragma once
// Pure parser for the lines of /proc/net/tcp{,6} and /proc/net/udp{,6}, which
// share their columns.

#include <cstdint>
#include <optional>
#include <string_view>

#include "client/platform/ip_literal.hpp"

namespace reachback::client::platform {

/// The kernel's TCP state number for a listening socket ("0A").
inline constexpr std::uint8_t tcp_state_listen = 0x0A;
/// The state of an unconnected UDP socket ("07", TCP_CLOSE): bound and
/// receiving from anyone, a UDP server's "listening".
inline constexpr std::uint8_t udp_state_unconnected = 0x07;

/// One socket from /proc/net/tcp{,6} or /proc/net/udp{,6}.
struct proc_socket_entry {
  /// Local address as bound: IPv4 from tcp and udp, IPv6 (possibly ::ffff:a.b.c.d) from tcp6 and udp6.
  ip_literal local;
  std::uint16_t local_port = 0;
  /// State number: tcp_state_listen for TCP listeners, udp_state_unconnected for UDP servers.
  std::uint8_t state = 0;
  std::uint32_t uid = 0;
  /// Socket inode, matched against /proc/PID/fd links "socket:[INODE]".
  std::uint64_t inode = 0;
  bool operator==(const proc_socket_entry&) const = default;
};

/// Parses one line; nullopt for the header line or anything malformed.
/// The family follows from the address width (8 or 32 hex digits).
[[nodiscard]] std::optional<proc_socket_entry> parse_proc_net_socket_line(std::string_view line);

}  // namespace reachback::client::platform
