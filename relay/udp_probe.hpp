// SPDX-License-Identifier: MIT
#pragma once
// The UDP probe: the probe datagram (common/messages.hpp udp_probe_line)
// to the client's public address and port, from a fresh socket on an
// ephemeral port, never the relay's listening port: a NAT mapping the
// client already holds toward the relay must not let the probe in (libp2p
// AutoNAT v2 dials back from another port for the same reason). What comes
// back is a datagram from that address and port (datagram_answer.hpp), an
// ICMP error read from the socket's error queue, or nothing.
//
// It sends only to `route.target`, which probe.cpp builds from the control
// connection's own source address (see the invariant in probe.hpp).

#include <array>
#include <string>

#include "common/asio_compat.hpp"

#include "common/evidence.hpp"
#include "relay/dial.hpp"
#include "relay/probe_clock.hpp"

namespace reachback::relay {

/// Datagrams the UDP connect-back sends in all.
inline constexpr int udp_probe_datagrams = 3;

/// Datagram i listens until the probe's start + the connect wait divided by
/// this, then the next one leaves: the second at a quarter of the wait (as
/// the TCP retry), the third at half, so its answer is still due 0.5 RTT +
/// 100 ms before the wait ends (deadlines.hpp).
inline constexpr std::array<int, udp_probe_datagrams> udp_listen_until_divisor = {4, 2, 1};

/// Sends the probe datagram for `nonce` to `route.target` up to
/// udp_probe_datagrams times within `clock`'s connect wait and stops at the
/// first answer: verified, foreign (with the datagram as the banner),
/// unreachable (with the ICMP error and its arrival TTL), or timeout; or
/// the local_failure that kept the relay from sending (no socket, no port,
/// no buffer). Never throws for network failures.
[[nodiscard]] asio::awaitable<or_local_failure<connect_back_result>> udp_probe_back(
    dial_route route, std::string nonce, probe_clock& clock);

/// One TTL of the UDP sweep: the probe datagram for `nonce` with `ttl`, from
/// its own fresh socket, waiting `clock`'s hop wait: time_exceeded or
/// unreachable (ICMP), udp_reply (any datagram from the target), or silence;
/// or its local_failure.
[[nodiscard]] asio::awaitable<or_local_failure<sweep_hop>> udp_ttl_probe(dial_route route, int ttl,
                                                                         probe_clock& clock,
                                                                         std::string nonce);

}  // namespace reachback::relay
