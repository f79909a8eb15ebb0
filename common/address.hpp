// SPDX-License-Identifier: MIT
#pragma once
// Address helpers shared by client and relay: classification and
// "HOST[:PORT]" handling. Pure string work; no resolution.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "evidence.hpp"

namespace reachback {

/// The first 12 bytes of an IPv4-mapped IPv6 address: ::ffff:0:0/96.
inline constexpr std::array<std::uint8_t, 12> v4_mapped_prefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/// Loopback, RFC 1918 / ULA / link-local, RFC 6598 carrier-grade, or public.
/// IPv4-mapped IPv6 addresses are classified as their IPv4 address.
[[nodiscard]] address_class classify_address(std::string_view address) noexcept;

struct host_port {
  std::string host;
  std::uint16_t port = 0;
  bool operator==(const host_port&) const = default;
};

/// Parses "host", "host:port", "1.2.3.4:port", "[v6]:port" or a bare "v6".
/// Returns nullopt for an empty host or a port outside 1..65535.
[[nodiscard]] std::optional<host_port> parse_host_port(std::string_view text,
                                                       std::uint16_t default_port);

/// "1.2.3.4:80" or "[::1]:80".
[[nodiscard]] std::string format_endpoint(std::string_view address, std::uint16_t port);

/// Whether two IPv6 addresses share their first `bits` bits; false when
/// either is not IPv6 (a zone, "%eth0", is ignored).
[[nodiscard]] bool same_ipv6_prefix(std::string_view a, std::string_view b, int bits) noexcept;

/// "::ffff:1.2.3.4" -> "1.2.3.4"; anything else unchanged.
[[nodiscard]] std::string unmap_v4(std::string_view address);

}  // namespace reachback
