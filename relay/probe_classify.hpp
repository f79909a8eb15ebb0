// SPDX-License-Identifier: MIT
#pragma once
// What one TCP connect attempt means. Pure: a probe_attempt is the raw
// result (connected, errno, timed out, error-queue entry) and these functions
// turn it into evidence values, so the tests feed them fabricated attempts.

#include <optional>
#include <string_view>
#include <system_error>

#include "common/evidence.hpp"
#include "relay/icmp_errors.hpp"

namespace reachback::relay {

/// The raw result of one connect attempt (or one UDP datagram sent),
/// before any interpretation.
struct probe_attempt {
  /// The handshake completed (SYN-ACK); for UDP, a datagram came back
  /// from the target.
  bool connected = false;
  bool timed_out = false;  ///< nothing came back within the attempt's timeout
  std::error_code error;   ///< connect error (SO_ERROR) or a local failure
  std::optional<queued_error> queued;  ///< error-queue entry read afterwards
  double elapsed_ms = 0;  ///< from the SYN to the outcome
};

/// ICMPv4 time exceeded (11) or ICMPv6 time exceeded (3).
[[nodiscard]] bool is_time_exceeded(const queued_error& e) noexcept;

/// The icmp_info of an ICMP error-queue entry.
[[nodiscard]] icmp_info to_icmp_info(const queued_error& e);

/// One TTL of the sweep: an ICMP error wins (time exceeded, else
/// unreachable, with its offender and arrival TTL), then an answer from
/// `dialed` (`answered_as`: syn_ack for TCP, udp_reply for UDP) or a reset
/// (rst); a timeout is silence, and a local failure without ICMP is
/// unreachable without icmp.
[[nodiscard]] sweep_hop classify_sweep_probe(const probe_attempt& attempt, int ttl,
                                             std::string_view dialed,
                                             sweep_reply answered_as = sweep_reply::syn_ack);

/// How a connect-back that did not connect failed.
struct connect_failure {
  connect_outcome outcome = connect_outcome::timeout;  ///< refused, unreachable or timeout
  std::optional<icmp_info> icmp;  ///< the ICMP error, for unreachable
  bool operator==(const connect_failure&) const = default;
};

/// unreachable (ICMP entry, or a local routing failure), refused (RST),
/// or timeout. Not for attempts that connected.
[[nodiscard]] connect_failure classify_connect_failure(const probe_attempt& attempt);

}  // namespace reachback::relay
