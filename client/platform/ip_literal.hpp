// SPDX-License-Identifier: MIT
#pragma once
// A numeric IP address as bytes, for code that compares addresses with what
// the kernel reports (packet headers, /proc tables, ICMP offenders). Pure:
// inet_pton/inet_ntop only, no sockets.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace reachback::client::platform {

/// An IPv4 or IPv6 address in network byte order.
struct ip_literal {
  /// AF_INET or AF_INET6.
  int family = 0;
  /// First 4 bytes used for IPv4, all 16 for IPv6.
  std::array<std::uint8_t, 16> bytes{};

  /// The used bytes only: 4 for IPv4, 16 for IPv6.
  [[nodiscard]] std::span<const std::uint8_t> view() const noexcept;
  bool operator==(const ip_literal&) const = default;
};

/// Parses "1.2.3.4", "2001:db8::1" or "::ffff:1.2.3.4"; an IPv4-mapped IPv6
/// address becomes plain IPv4, because that is how the kernel routes and
/// sends it. nullopt for anything that is not a numeric address.
[[nodiscard]] std::optional<ip_literal> parse_ip(std::string_view text);

/// Builds an address from `family` and its raw network-order bytes (4 or 16).
/// nullopt when the size does not fit the family.
[[nodiscard]] std::optional<ip_literal> ip_from_bytes(int family,
                                                      std::span<const std::uint8_t> raw);

/// Canonical text: "1.2.3.4", "2001:db8::1", "::ffff:127.0.0.1".
[[nodiscard]] std::string to_string(const ip_literal& ip);

/// Whether `ip` is an IPv6 link-local address (fe80::/10), which no relay
/// ever sees as a source.
[[nodiscard]] bool is_link_local_v6(const ip_literal& ip) noexcept;

/// "1.2.3.4:80" or "[::1]:80".
[[nodiscard]] std::string to_endpoint(const ip_literal& ip, std::uint16_t port);

}  // namespace reachback::client::platform
