// SPDX-License-Identifier: MIT
#pragma once
// The key of the relay's per-source limits: the peer's address cut to its
// prefix (relay.toml limits.ipv4_prefix and ipv6_prefix). A host reaching
// the relay over IPv4 and over a dual-stack socket (::ffff:a.b.c.d) is one
// source, and a host with a whole IPv6 /64 is one source too. Pure.

#include <string>

#include "common/asio_compat.hpp"

#include "config/relay_config.hpp"

namespace reachback::relay {

/// The source `address` counts as: "192.0.2.7" at the default /32,
/// "192.0.2.0/24" with ipv4_prefix 24, "2001:db8:1:2::/64" at the default
/// IPv6 /64, "2001:db8::1" with ipv6_prefix 128. IPv4-mapped IPv6 is
/// unmapped first; a scope id is dropped.
[[nodiscard]] std::string source_prefix(const asio::ip::address& address,
                                        const config::relay_limits& limits);

}  // namespace reachback::relay
