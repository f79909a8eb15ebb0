// SPDX-License-Identifier: MIT
#pragma once
// The relay's log: notices ("probe-relay: listening on ...") and one line per
// session when it ends, e.g.
//   2026-11-24T21:50:00Z client=203.0.113.7:51234 port=3000 outcome=verified duration=812ms
// or, with --log-format json, one JSON object per line for log collectors:
//   {"time":"2026-11-24T21:50:00Z","event":"session","client":"203.0.113.7:51234",...}
// Formatting is pure; where the lines go is the log_sink's writer.

#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "config/relay_config.hpp"

namespace reachback::relay {

using config::log_format;

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
/// In JSON the ports and outcomes are arrays, in order, every one kept.
[[nodiscard]] std::string format_session_log(const session_summary& summary,
                                             log_format format = log_format::text);

/// A notice as written: text notices as given; in JSON an object with the
/// time and the message, without the "probe-relay: " prefix.
[[nodiscard]] std::string format_notice(std::string_view notice,
                                        std::chrono::system_clock::time_point now,
                                        log_format format);

/// Where the relay's notices and session lines go. Built from any callable
/// that takes a finished line (without the newline), so a test collects
/// lines with a lambda; a session observer (the metrics) sees every
/// session summary the log does.
class log_sink {
 public:
  using line_writer = std::function<void(std::string_view line)>;
  using session_observer = std::function<void(const session_summary&)>;

  template <typename Writer>
    requires std::invocable<Writer&, std::string_view> &&
             (!std::same_as<std::remove_cvref_t<Writer>, log_sink>)
  // NOLINTNEXTLINE(google-explicit-constructor): any line writer is a text sink
  log_sink(Writer write, log_format format = log_format::text)
      : write_(std::move(write)), format_(format) {}

  /// Writes a notice such as "probe-relay: listening on 0.0.0.0:4750".
  void operator()(std::string_view notice) const;
  /// Writes the line of a session that ended, and shows it to the observer.
  void session(const session_summary& summary) const;
  /// Shows every later session summary to `observer` too (one observer).
  void observe_sessions(session_observer observer) { observer_ = std::move(observer); }
  /// The format lines are written in.
  [[nodiscard]] log_format format() const noexcept { return format_; }

 private:
  line_writer write_;
  log_format format_;
  session_observer observer_;
};

/// A sink that writes each line to stderr.
[[nodiscard]] log_sink stderr_log(log_format format = log_format::text);

}  // namespace reachback::relay
