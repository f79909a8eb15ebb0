// SPDX-License-Identifier: MIT
#pragma once
// TCP Fast Open on the control listener: a client that holds a cookie from
// an earlier session sends its hello and probe in the SYN, so the relay
// starts connecting back half a round trip after the client starts instead
// of one and a half. The cookie is bound to the client's address, so the
// control connection's source is still proven before the relay dials it.
// The kernel issues cookies only when net.ipv4.tcp_fastopen has bit 2 set
// (deploy/sysctl/60-reachback-relay.conf); without it this changes nothing.

#include <system_error>

namespace reachback::relay {

/// Room for connections whose SYN carried data but whose handshake is not
/// done yet; past it, such SYNs fall back to the ordinary handshake.
inline constexpr int fast_open_queue = 256;

/// Lets `listener_fd` accept data in the SYN.
[[nodiscard]] std::error_code enable_fast_open(int listener_fd) noexcept;

}  // namespace reachback::relay
