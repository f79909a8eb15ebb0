// SPDX-License-Identifier: MIT
#pragma once
// How long the relay waits for an answer, from the control connection's
// round trip: a probe toward the client's public address crosses the same
// path as the control connection, so an answer, when there is one, comes
// back in about one RTT. Pure.

#include <chrono>
#include <optional>

namespace reachback::relay {

/// The waits when the RTT is unknown, and the floor and cap of the waits
/// derived from a known RTT (relay.toml: timeouts.connect_*, sweep.hop_timeout_*).
struct deadline_limits {
  std::chrono::milliseconds connect_unknown{1'800};  ///< timeouts.connect_ms
  std::chrono::milliseconds connect_floor{500};      ///< timeouts.connect_min_ms
  std::chrono::milliseconds connect_cap{5'000};      ///< timeouts.connect_max_ms
  std::chrono::milliseconds hop_unknown{700};        ///< sweep.hop_timeout_ms
  std::chrono::milliseconds hop_floor{200};          ///< sweep.hop_timeout_min_ms
  std::chrono::milliseconds hop_cap{3'000};          ///< sweep.hop_timeout_max_ms
  bool operator==(const deadline_limits&) const = default;
};

/// The waits of one probe.
struct deadlines {
  /// Connect-back and control probe: first SYN to the last answer
  /// accepted; the second attempt starts at a quarter of it.
  std::chrono::milliseconds connect{1'800};
  /// One TTL of the sweep, before it counts as silent.
  std::chrono::milliseconds hop{700};
  bool operator==(const deadlines&) const = default;
};

/// A wait of (rtts_num / rtts_den) RTT + slack, before its floor and cap.
struct rtt_multiple {
  int rtts_num = 1;
  int rtts_den = 1;
  std::chrono::milliseconds slack{0};
};

/// connect = 3 RTT + 200 ms: the second attempt starts at a quarter of it
/// and its answer is still due 1.25 RTT + 150 ms before the wait ends.
inline constexpr rtt_multiple connect_wait{3, 1, std::chrono::milliseconds{200}};
/// hop = 1.5 RTT + 50 ms: a router on the path answers within one RTT to
/// the public address, plus the time its slow path takes to build the ICMP
/// error, plus jitter.
inline constexpr rtt_multiple hop_wait{3, 2, std::chrono::milliseconds{50}};

/// The waits for a control connection whose smoothed RTT is `rtt`: each
/// k RTT + slack (connect_wait, hop_wait), rounded up to the millisecond and
/// held between its floor and cap. Without an RTT, the configured fixed waits.
[[nodiscard]] deadlines wait_for(std::optional<std::chrono::microseconds> rtt,
                                 const deadline_limits& limits) noexcept;

}  // namespace reachback::relay
