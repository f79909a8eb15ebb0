// SPDX-License-Identifier: MIT
#pragma once
// client_hops: how many routers lie between the client and the relay, read
// from the TTL (IPv4) or hop limit (IPv6) of the client's SYN, which Linux
// keeps for an accepted connection when the listener has TCP_SAVE_SYN.

#include <cstddef>
#include <optional>
#include <span>
#include <system_error>
#include <vector>

namespace reachback::relay {

/// The TTL or hop limit in the network header that starts `headers` (as
/// TCP_SAVED_SYN returns them: IP header, then TCP header). nullopt when the
/// bytes are too short or not IPv4/IPv6.
[[nodiscard]] std::optional<int> syn_ttl(std::span<const std::byte> headers) noexcept;

/// Routers passed: the nearest common initial TTL (64, 128, 255) at or above
/// `ttl`, minus `ttl`. nullopt for a TTL outside 1..255.
[[nodiscard]] std::optional<int> hops_from_ttl(int ttl) noexcept;

/// syn_ttl then hops_from_ttl.
[[nodiscard]] std::optional<int> client_hops(std::span<const std::byte> headers) noexcept;

/// Asks the kernel to keep the SYN of every connection `listener_fd` accepts.
[[nodiscard]] std::error_code enable_save_syn(int listener_fd) noexcept;

/// The saved SYN headers of an accepted connection; empty when none were
/// kept. The kernel hands them out once.
[[nodiscard]] std::vector<std::byte> read_saved_syn(int connection_fd);

}  // namespace reachback::relay
