// SPDX-License-Identifier: MIT
#pragma once
// The control probe: one SYN (and one retry) to a second port of the same
// public address, picked at random from the dynamic range. An answer there
// (refused, unreachable, connected) while the asked port stays silent says
// the silence is about that port (an ISP block, a per-port rule); silence
// on both says a router drops every unsolicited packet.
//
// It dials the control connection's source address only, like every probe
// (see probe.hpp), once per probe request.

#include <cstdint>
#include <functional>

#include "common/asio_compat.hpp"

#include "common/evidence.hpp"
#include "relay/dial.hpp"
#include "relay/probe_clock.hpp"

namespace reachback::relay {

/// The dynamic (ephemeral) port range of RFC 6335, where the control port is picked.
inline constexpr std::uint16_t control_port_first = 49152;
inline constexpr std::uint16_t control_port_last = 65535;

/// The control port for `random`, a uniformly random number: uniform over
/// control_port_first..control_port_last, never `asked`. Pure.
[[nodiscard]] std::uint16_t pick_control_port(std::uint16_t asked, std::uint32_t random) noexcept;

/// Picks the control port for a probe of port `asked`.
using control_port_picker = std::function<std::uint16_t(std::uint16_t asked)>;

/// pick_control_port with a number from std::random_device.
[[nodiscard]] std::uint16_t random_control_port(std::uint16_t asked);

/// Dials `route` (the control peer's address, the control port) with
/// dial_with_retry and reports refused, unreachable, timeout or connected,
/// or the local_failure that kept the relay from dialling; a connection is
/// reset at once and nothing is sent on it. Never throws for network failures.
[[nodiscard]] asio::awaitable<or_local_failure<control_probe_result>> run_control_probe(
    dial_route route, probe_clock& clock);

}  // namespace reachback::relay
