// SPDX-License-Identifier: MIT
#pragma once
// The relay's side of ICMP errors on TCP sockets: IP_RECVERR / IPV6_RECVERR
// make a failed connect leave the ICMP error (type, code, offender) on the
// socket's error queue, and IP_RECVTTL / IPV6_RECVHOPLIMIT add the TTL the
// ICMP packet itself arrived with. Used by both the connect-back and the TTL
// sweep; the queue itself is decoded by common/icmp_error_queue.hpp, which
// the client's path walk shares.

#include <optional>
#include <system_error>

#include "common/icmp_error_queue.hpp"

namespace reachback::relay {

/// Turns on IP_RECVERR + IP_RECVTTL (IPv6: IPV6_RECVERR + IPV6_RECVHOPLIMIT).
[[nodiscard]] std::error_code enable_icmp_errors(int fd, bool ipv6) noexcept;

/// Sets the TTL (IPv6: unicast hop limit) of the packets the socket sends.
[[nodiscard]] std::error_code set_hop_limit(int fd, bool ipv6, int ttl) noexcept;

/// Drains the socket's error queue without blocking and returns the first
/// ICMP entry, else the first local one, else nullopt.
[[nodiscard]] std::optional<queued_error> read_icmp_error(int fd);

}  // namespace reachback::relay
