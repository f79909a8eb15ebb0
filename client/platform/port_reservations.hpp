// SPDX-License-Identifier: MIT
#pragma once
// What the OS has set aside on a port besides listening sockets: Windows'
// portproxy rules (iphlpsvc listens for them) and excluded port ranges
// (Hyper-V / WinNAT keep them from every program, and netstat shows nothing).

#include <cstdint>
#include <optional>
#include <vector>

#include "common/evidence.hpp"

namespace reachback::client::platform {

/// Reservations that touch one port.
struct port_reservations {
  std::vector<portproxy_rule> portproxy;        ///< rules listening on the port
  std::optional<excluded_port_range> excluded;  ///< the range holding the port
  std::vector<missing_evidence> missing;        ///< what could not be read, and why
};

/// Reads them for `port`. portproxy relays TCP only, so a UDP port has no
/// rules; its excluded ranges are UDP's own (netsh ... protocol=udp). The excluded ranges are looked up only when
/// `bind_refused` (the bind test got WSAEACCES): that takes two runs of
/// netsh, and a range matters only when it refused the bind. Linux has
/// neither and returns nothing. Never throws: a registry key or program
/// that fails becomes a `missing` entry.
[[nodiscard]] port_reservations find_port_reservations(std::uint16_t port, bool bind_refused,
                                                        transport protocol = transport::tcp);

}  // namespace reachback::client::platform
