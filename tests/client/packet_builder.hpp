// SPDX-License-Identifier: MIT
#pragma once
// Handcrafted IPv4 / IPv6 TCP and UDP packets, and ICMP port unreachables,
// for the packet parser and BPF tests.

#include <cstdint>
#include <vector>

#include "client/platform/ip_literal.hpp"

namespace reachback::client::test {

/// An IPv4 header (with `ip_options` bytes of NOP options: a multiple of 4,
/// at most 40) and a 20-byte TCP header.
[[nodiscard]] std::vector<std::uint8_t> ipv4_tcp(const platform::ip_literal& src,
                                                 const platform::ip_literal& dst,
                                                 std::uint16_t sport, std::uint16_t dport,
                                                 std::uint8_t flags, std::size_t ip_options = 0);

/// An IPv6 header (next header TCP) and a 20-byte TCP header.
[[nodiscard]] std::vector<std::uint8_t> ipv6_tcp(const platform::ip_literal& src,
                                                 const platform::ip_literal& dst,
                                                 std::uint16_t sport, std::uint16_t dport,
                                                 std::uint8_t flags);

/// An IPv4 header (with `ip_options` bytes of NOP options) and an 8-byte UDP
/// header, followed by `payload` bytes of zeros.
[[nodiscard]] std::vector<std::uint8_t> ipv4_udp(const platform::ip_literal& src, const platform::ip_literal& dst,
                                                 std::uint16_t sport, std::uint16_t dport,
                                                 std::size_t ip_options = 0, std::size_t payload = 0);

/// An IPv6 header (next header UDP) and an 8-byte UDP header.
[[nodiscard]] std::vector<std::uint8_t> ipv6_udp(const platform::ip_literal& src, const platform::ip_literal& dst,
                                                 std::uint16_t sport, std::uint16_t dport);

/// An ICMP error from `src` to `dst` (ICMPv4 over IPv4, ICMPv6 over IPv6,
/// by the addresses' family) of `type` and `code`, quoting `quoted` as a
/// kernel does: the offending packet's IP header and its first bytes.
[[nodiscard]] std::vector<std::uint8_t> icmp_error(const platform::ip_literal& src, const platform::ip_literal& dst,
                                                   std::uint8_t type, std::uint8_t code,
                                                   const std::vector<std::uint8_t>& quoted);

}  // namespace reachback::client::test
