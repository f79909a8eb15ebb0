// SPDX-License-Identifier: MIT
#pragma once
// Who listens on a TCP port, or holds a UDP port: pid, name, command line,
// unit or container, and the addresses. Linux reads /proc/net/{tcp,udp}{,6}
// and /proc/PID/fd; no ss/netstat.

#include <cstdint>
#include <vector>

#include "common/evidence.hpp"

namespace reachback::client::platform {

/// Everything listening on one port.
struct listeners {
  std::vector<port_owner> owners;         ///< one per process
  std::vector<std::string> addresses;     ///< every listening address, owners or not
  bool owners_hidden = false;             ///< some sockets had no visible process
  std::vector<missing_evidence> missing;  ///< what the OS would not tell, and why
};

/// The LISTEN sockets on TCP `port` (for UDP: the unconnected bound
/// sockets), IPv4 and IPv6, and the processes holding them (a socket shared
/// after fork() lists every process that has it).
[[nodiscard]] listeners find_listeners(std::uint16_t port, transport protocol = transport::tcp);

}  // namespace reachback::client::platform
