// SPDX-License-Identifier: MIT
#pragma once
// The local port check: bind tests on IPv4 and IPv6 plus the owners of any
// listening (TCP) or bound (UDP) socket. Nothing goes on the wire.

#include <cstdint>
#include <string>
#include <vector>

#include "client/platform/bind_test.hpp"
#include "common/evidence.hpp"
#include "config/squatters.hpp"

namespace reachback::client {

using platform::bind_result;

/// Pure: the bind state from the two bind tests and every listening address
/// on the port ("127.0.0.1:3000", "[::1]:3000"). Listening sockets count even
/// when the bind test could not see them (EACCES comes before EADDRINUSE), and
/// listeners only on loopback are loopback_only: on Linux a listener on
/// 127.0.0.1:P makes binding 0.0.0.0:P fail, and that is not a conflict with
/// another server but a server nobody outside can reach.
[[nodiscard]] bind_state classify_bind(bind_result v4, bind_result v6,
                                       const std::vector<std::string>& listening_addresses);

/// Pure: the families the port is held in. The bind tests decide: a wildcard
/// bind conflicts with every listener of its family, so one that succeeds
/// while the other family's fails means the port is held in that other
/// family only (a `[::]` listener with IPV6_V6ONLY leaves 0.0.0.0 free). When
/// a bind test could not say (EACCES comes before EADDRINUSE), only addresses
/// that belong to one family decide; `[::]` may be either. A listening address
/// that contradicts the bind tests gives unknown.
[[nodiscard]] held_families classify_families(bind_result v4, bind_result v6,
                                              const std::vector<std::string>& listening_addresses);

/// free / held / loopback_only / forbidden, with every owner the OS shows,
/// and the known squatter among them if any, for the TCP or the UDP port.
/// A UDP port is held by any unconnected bound socket; one bound to loopback
/// alone is loopback_only, as for TCP.
[[nodiscard]] local_port_evidence check_local_port(std::uint16_t port,
                                                   const config::squatter_table& squatters,
                                                   transport protocol = transport::tcp);

}  // namespace reachback::client
