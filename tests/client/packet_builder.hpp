// SPDX-License-Identifier: MIT
#pragma once
// Handcrafted IPv4 / IPv6 TCP packets for the packet parser and BPF tests.

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

}  // namespace reachback::client::test
