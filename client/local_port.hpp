// SPDX-License-Identifier: MIT
#pragma once
// The local port check: bind tests on IPv4 and IPv6 plus the owners of any
// listening socket. Nothing goes on the wire.

#include <cstdint>

#include "common/evidence.hpp"
#include "config/squatters.hpp"

namespace reachback::client {

/// free / held / loopback_only / forbidden, with every owner the OS shows,
/// and the known squatter among them if any.
[[nodiscard]] local_port_evidence check_local_port(std::uint16_t port,
                                                   const config::squatter_table& squatters);

}  // namespace reachback::client
