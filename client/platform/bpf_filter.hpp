// SPDX-License-Identifier: MIT
#pragma once
// The classic BPF program the capture socket runs in the kernel: keep only
// TCP (or UDP and ICMP) between the relay and anyone, drop everything else
// before it is copied.

#include <linux/filter.h>

#include <cstdint>
#include <vector>

#include "client/platform/ip_literal.hpp"
#include "common/evidence.hpp"

namespace reachback::client::platform {

/// Bytes kept of each matching packet: enough for an ICMP error quoting a
/// datagram, two IPv4 headers of up to 60 bytes, the ICMP header and the UDP
/// header (136), which also covers any IP header and the start of TCP's.
inline constexpr std::uint32_t capture_snap_length = 160;

/// Pure: a filter for a cooked (SOCK_DGRAM) packet socket, whose data starts
/// at the IP header. Accepts packets from or to `relay` (IPv4, or IPv6
/// without extension headers), truncated to capture_snap_length: for TCP,
/// TCP segments; for UDP, UDP datagrams and ICMP (ICMPv6 over IPv6), where
/// a port unreachable from this host would be.
[[nodiscard]] std::vector<sock_filter> relay_filter(const ip_literal& relay, transport protocol);

}  // namespace reachback::client::platform
