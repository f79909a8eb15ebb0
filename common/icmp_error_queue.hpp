// SPDX-License-Identifier: MIT
#pragma once
// A socket's error queue as plain data. With IP_RECVERR / IPV6_RECVERR on, an
// ICMP error for a packet the socket sent (type, code, offender) is queued on
// the socket; with IP_RECVTTL / IPV6_RECVHOPLIMIT on, the TTL the ICMP packet
// arrived with comes along. The relay (connect-back, TTL sweep) and the
// client (UDP path walk) read it through this one decoder.
//
// Linux only, like MSG_ERRQUEUE itself: common/CMakeLists.txt builds the _linux.cpp
// on Linux alone. This header needs no system header, so callers stay clean.

#include <cstddef>
#include <optional>
#include <span>
#include <string>

namespace reachback {

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
/// The offender prints as text, an IPv4-mapped IPv6 address as plain IPv4.
[[nodiscard]] std::optional<queued_error> decode_error_queue(
    std::span<const std::byte> control) noexcept;

/// What one read of a socket's error queue returned.
struct error_queue_read {
  /// False when nothing was read: the queue is empty, or recvmsg failed.
  bool received = false;
  /// The message's extended error; nullopt when it carried none.
  std::optional<queued_error> entry;
};

/// One recvmsg(MSG_ERRQUEUE | MSG_DONTWAIT) on `fd`, decoded. Never blocks;
/// the only system call in this file, shared so relay and client read the
/// queue the same way. Callers loop while `received` to drain the queue.
[[nodiscard]] error_queue_read read_error_queue(int fd);

}  // namespace reachback
