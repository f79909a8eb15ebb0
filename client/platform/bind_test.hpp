// SPDX-License-Identifier: MIT
#pragma once
// The bind test: bind the wildcard address of one family the way a server
// would, and close the socket again at once. Nothing goes on the wire.

#include <cstdint>

#include "common/evidence.hpp"

namespace reachback::client::platform {

/// What one bind test on the wildcard address of a family gave.
enum class bind_result {
  ok,           ///< bound, so nothing holds the port in this family
  in_use,       ///< EADDRINUSE / WSAEADDRINUSE (10048)
  forbidden,    ///< EACCES (privileged port) / WSAEACCES (10013: an excluded range, or a socket held exclusively)
  unavailable,  ///< the family is missing (IPv6 disabled) or another error
};

/// Binds a TCP or UDP socket to 0.0.0.0 (ip_version 4) or :: with
/// IPV6_V6ONLY (6) on `port`. The bind is exclusive where the OS lets a plain
/// bind share a held port: Windows' SO_REUSEADDR would take a port someone
/// else holds and say "free", so it uses SO_EXCLUSIVEADDRUSE; Linux uses
/// SO_REUSEADDR for TCP, so TIME_WAIT leftovers do not count, and nothing
/// for UDP, where SO_REUSEADDR would share the port with a holder that set it.
[[nodiscard]] bind_result try_bind_wildcard(int ip_version, std::uint16_t port,
                                            transport protocol = transport::tcp);

}  // namespace reachback::client::platform
