// SPDX-License-Identifier: MIT
#pragma once
// The relay's log: one line per session when it ends, e.g.
//   2026-11-24T21:50:00Z client=203.0.113.7:51234 port=3000 outcome=verified duration=812ms
// Formatting is pure; where the lines go is a log_sink.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reachback::relay {

/// Receives finished log lines, without the trailing newline.
using log_sink = std::function<void(std::string_view line)>;

/// A sink that writes each line to stderr.
[[nodiscard]] log_sink stderr_log();

/// What one session did, for its log line.
struct session_summary {
  std::chrono::system_clock::time_point ended;  ///< when the session closed
  std::string client;                  ///< "203.0.113.7:51234"
  std::vector<std::uint16_t> ports;    ///< one per probe request, in order
  std::vector<std::string> outcomes;   ///< "verified", "error:rate_limited", ...
  std::chrono::milliseconds duration{0};  ///< accept to close
  /// The control connection's RTT the last probe's waits came from, whole
  /// ms; shown as rtt=NNms when known.
  std::optional<long long> rtt_ms = std::nullopt;
};

/// "2026-11-24T21:50:00Z" (UTC, whole seconds).
[[nodiscard]] std::string utc_timestamp(std::chrono::system_clock::time_point t);

/// The session's line. Several probes list their distinct ports and all
/// outcomes comma-separated; a session without probes shows port=- and,
/// without any outcome, outcome=none. A known RTT follows the duration.
[[nodiscard]] std::string format_session_log(const session_summary& summary);

}  // namespace reachback::relay
