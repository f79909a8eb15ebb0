// SPDX-License-Identifier: MIT
#pragma once
// The one place that speaks to the kernel about ICMP errors on TCP sockets:
// IP_RECVERR / IPV6_RECVERR make a failed connect leave the ICMP error (type,
// code, offender) on the socket's error queue, and IP_RECVTTL /
// IPV6_RECVHOPLIMIT add the TTL the ICMP packet itself arrived with. Used by
// both the connect-back and the TTL sweep.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <system_error>

namespace reachback::relay {

/// One entry of a socket's error queue, as plain data.
struct queued_error {
  int origin = 0;  ///< SO_EE_ORIGIN_LOCAL, _ICMP or _ICMP6
  int error = 0;   ///< ee_errno, e.g. EHOSTUNREACH
  int type = 0;    ///< ICMP or ICMPv6 type
  int code = 0;    ///< ICMP or ICMPv6 code
  std::string offender;  ///< who sent the ICMP error; empty when unknown
  /// TTL (IPv4) or hop limit (IPv6) of the ICMP error on arrival.
  std::optional<int> arrival_ttl;

  /// True when a router or host sent this as ICMP, not a local failure.
  [[nodiscard]] bool from_icmp() const noexcept;
  /// True for ICMPv6 (the type numbers differ from ICMPv4).
  [[nodiscard]] bool is_icmp6() const noexcept;
  bool operator==(const queued_error&) const = default;
};

/// Decodes the control messages of one recvmsg(MSG_ERRQUEUE) call. Pure: the
/// tests hand it fabricated buffers. nullopt when no extended error is there.
[[nodiscard]] std::optional<queued_error> decode_error_queue(
    std::span<const std::byte> control) noexcept;

/// Turns on IP_RECVERR + IP_RECVTTL (IPv6: IPV6_RECVERR + IPV6_RECVHOPLIMIT).
[[nodiscard]] std::error_code enable_icmp_errors(int fd, bool ipv6) noexcept;

/// Sets the TTL (IPv6: unicast hop limit) of the packets the socket sends.
[[nodiscard]] std::error_code set_hop_limit(int fd, bool ipv6, int ttl) noexcept;

/// Drains the socket's error queue without blocking and returns the first
/// ICMP entry, else the first local one, else nullopt.
[[nodiscard]] std::optional<queued_error> read_icmp_error(int fd);

}  // namespace reachback::relay
