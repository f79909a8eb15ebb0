// SPDX-License-Identifier: MIT
#pragma once
// What one TCP connect attempt means. Pure: a probe_attempt is the raw
// result (connected, errno, timed out, error-queue entry) and these functions
// turn it into evidence values, so the tests feed them fabricated attempts.
// An attempt that failed for want of the relay's own resources is no
// evidence at all: it becomes a local_failure, which no classifier accepts.

#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>

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
  /// The socket could not be opened (error says why): nothing was sent, so
  /// whatever the error, the failure is the relay's own.
  bool open_failed = false;
  std::optional<queued_error> queued;  ///< error-queue entry read afterwards
  double elapsed_ms = 0;  ///< from the SYN to the outcome
};

/// Why the relay itself could not probe, for the errors only its own
/// shortage causes: out of file descriptors (EMFILE, ENFILE), of local ports
/// (EADDRNOTAVAIL, EADDRINUSE; EAGAIN when UDP picks its port at the first
/// send), of buffers or memory (ENOBUFS, ENOMEM). E.g. "out of file
/// descriptors (EMFILE)". nullopt for every other error, which the network
/// (or the lack of a route to it) may explain.
[[nodiscard]] std::optional<std::string> local_cause(const std::error_code& ec);

/// A part of a probe that the relay could not carry out for want of its own
/// resources: never a network outcome, so never a probe_result either (the
/// client gets an `internal` error instead).
struct local_failure {
  std::string what;  ///< the part and its local_cause, e.g. "sweep TTL 3: out of file descriptors (EMFILE)"
  bool operator==(const local_failure&) const = default;
};

/// A part's network outcome, or why the relay could not run it.
template <typename T>
using or_local_failure = std::variant<T, local_failure>;

/// The local_failure of `part` (e.g. "connect-back") when `attempt` failed
/// for a local_cause, or could not open its socket; nullopt when what
/// happened is the network's.
[[nodiscard]] std::optional<local_failure> local_failure_of(const probe_attempt& attempt,
                                                            std::string_view part);

/// ICMPv4 time exceeded (11) or ICMPv6 time exceeded (3).
[[nodiscard]] bool is_time_exceeded(const queued_error& e) noexcept;

/// The icmp_info of an ICMP error-queue entry.
[[nodiscard]] icmp_info to_icmp_info(const queued_error& e);

/// One TTL of the sweep, for an attempt with no local_failure_of: an ICMP error wins (time exceeded, else
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

/// unreachable (ICMP entry, or no route), refused (RST), or timeout. Not for
/// attempts that connected, nor for those with a local_failure_of.
[[nodiscard]] connect_failure classify_connect_failure(const probe_attempt& attempt);

}  // namespace reachback::relay
