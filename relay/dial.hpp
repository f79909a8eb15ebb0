// SPDX-License-Identifier: MIT
#pragma once
// One TCP connect attempt with ICMP error reporting on, optionally with a
// limited TTL, bounded by its own timeout. Shared by the connect-back and
// every TTL of the sweep; what the result means is probe_classify's job.

#include <chrono>
#include <cstdint>
#include <optional>

#include "common/asio_compat.hpp"

#include "relay/probe_classify.hpp"
#include "relay/probe_clock.hpp"

namespace reachback::relay {

/// Where a probe goes and from which local address: the one the client's
/// control connection reached, so that on a relay with several addresses
/// (a floating IP, IPv6 privacy addresses) the client's capture, which
/// watches for that address, still sees the probes.
struct dial_route {
  asio::ip::tcp::endpoint target;
  asio::ip::address source;  ///< unspecified: the kernel chooses
};

/// A finished attempt, and the socket when it connected.
struct dial_result {
  probe_attempt attempt;         ///< what came back
  asio::ip::tcp::socket socket;  ///< open and connected only if attempt.connected
  std::uint16_t source_port = 0; ///< the SYN's source port; 0 if none was sent
};

/// How a dialled socket ends when it is closed or dropped.
enum class dial_close {
  graceful,  ///< FIN: the peer reads to the end
  /// RST (SO_LINGER 0): for probes whose connection only proves a handshake.
  /// A FIN to a peer that never closes (a port that never accepts) would
  /// hold the relay's port in FIN-WAIT-2 for a minute.
  reset,
};

/// Connects to `target` before `deadline`, which follows its probe clock.
/// `ttl` limits the SYN's TTL (hop limit for IPv6); nullopt keeps the
/// system default. Never throws for network failures: they are in the
/// result, and so are local ones (local_failure_of tells them apart).
[[nodiscard]] asio::awaitable<dial_result> dial(dial_route route,
                                                std::optional<int> ttl,
                                                probe_deadline deadline,
                                                dial_close close);

}  // namespace reachback::relay
