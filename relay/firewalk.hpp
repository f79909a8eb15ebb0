// SPDX-License-Identifier: MIT
#pragma once
// The TTL sweep (a firewalk): probes to the client's public address and
// port with TTL 1..max_ttl (TCP connects, or UDP datagrams), all TTLs of a
// round in parallel so each router on the path is asked once per round,
// read through the kernel's ICMP error queue. No raw sockets, so the relay
// needs no privileges.

#include <functional>

#include "common/asio_compat.hpp"

#include "common/evidence.hpp"
#include "relay/dial.hpp"
#include "relay/sweep_plan.hpp"

namespace reachback::relay {

/// One probe of the sweep with a given TTL, waiting `clock`'s hop wait: its
/// hop, or the local_failure that kept it from being sent.
using ttl_probe = std::function<asio::awaitable<or_local_failure<sweep_hop>>(
    dial_route route, int ttl, probe_clock& clock)>;

/// A TCP connect with `ttl`: a SYN-ACK is answered and reset at once.
[[nodiscard]] asio::awaitable<or_local_failure<sweep_hop>> tcp_ttl_probe(dial_route route, int ttl,
                                                                         probe_clock& clock);

/// Sweeps toward `target` with `probe` (tcp_ttl_probe, or udp_ttl_probe):
/// one parallel round over every TTL, then up to `limits.retries` rounds for
/// TTLs that stayed silent below the first terminal answer (is_terminal),
/// each after `limits.retry_pause`. Each probe waits `clock`'s hop wait; a
/// round ends early, its other probes stopped, once a terminal answer is in
/// and every TTL below it has answered or timed out (round_settled). The
/// first local_failure stops the sweep, which then reports only that: a
/// sweep with a hole where the relay ran out is no evidence. Never throws
/// for network failures.
[[nodiscard]] asio::awaitable<or_local_failure<ttl_sweep>> run_firewalk(dial_route route,
                                                                        sweep_limits limits,
                                                                        probe_clock& clock,
                                                                        ttl_probe probe);

}  // namespace reachback::relay
