// SPDX-License-Identifier: MIT
#pragma once
// The TTL sweep (a firewalk): TCP connects to the client's public address
// and port with TTL 1..max_ttl, all TTLs of a round in parallel so each
// router on the path is asked once per round, read through the kernel's
// ICMP error queue. No raw sockets, so the relay needs no privileges.

#include "common/asio_compat.hpp"

#include "common/evidence.hpp"
#include "relay/dial.hpp"
#include "relay/sweep_plan.hpp"

namespace reachback::relay {

/// Sweeps toward `target`: one parallel round over every TTL, then up to
/// `limits.retries` rounds for TTLs that stayed silent below the first TCP
/// or unreachable answer, each after `limits.retry_pause`. Each probe waits
/// `clock`'s hop wait. Never throws for network failures.
[[nodiscard]] asio::awaitable<ttl_sweep> run_firewalk(dial_route route, sweep_limits limits,
                                                      probe_clock& clock);

}  // namespace reachback::relay
