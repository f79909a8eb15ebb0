// SPDX-License-Identifier: MIT
#pragma once
// The classic BPF program the capture socket runs in the kernel: keep only
// TCP between the relay and anyone, drop everything else before it is copied.

#include <linux/filter.h>

#include <cstdint>
#include <vector>

#include "client/platform/ip_literal.hpp"

namespace reachback::client::platform {

/// Bytes kept of each matching packet: the largest IPv4 header (60) or the
/// IPv6 header (40) plus the start of the TCP header, with room to spare.
inline constexpr std::uint32_t capture_snap_length = 128;

/// Pure: a filter for a cooked (SOCK_DGRAM) packet socket, whose data starts
/// at the IP header. Accepts TCP packets from or to `relay` (IPv4, or IPv6
/// without extension headers), truncated to capture_snap_length.
[[nodiscard]] std::vector<sock_filter> relay_tcp_filter(const ip_literal& relay);

}  // namespace reachback::client::platform
