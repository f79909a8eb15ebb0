// SPDX-License-Identifier: MIT
#pragma once
// Per-source admission: concurrent sessions per IP, sessions overall, and
// probe requests per IP per minute. Pure: time comes in as arguments, so the
// tests drive it without a clock or a socket.

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/messages.hpp"
#include "config/relay_config.hpp"

namespace reachback::relay {

class source_limiter {
 public:
  using clock = std::chrono::steady_clock;
  /// Probe requests are counted over this sliding window.
  static constexpr std::chrono::seconds window{60};

  explicit source_limiter(config::relay_limits limits);

  /// Admits one more session from `source`, or returns the too_many_sessions
  /// error that names the limit it is over. An admitted session must be ended.
  [[nodiscard]] std::optional<protocol::error> begin_session(const std::string& source,
                                                             clock::time_point now);
  /// Releases a session admitted by begin_session.
  void end_session(const std::string& source) noexcept;

  /// Records a probe request from `source` at `now` if it is within the
  /// per-minute budget; false (and nothing recorded) when it is over.
  [[nodiscard]] bool allow_probe(const std::string& source, clock::time_point now);

  /// Sessions open now, from every source.
  [[nodiscard]] int sessions() const noexcept { return sessions_total_; }
  /// Sessions open now from `source`.
  [[nodiscard]] int sessions(const std::string& source) const noexcept;
  /// Sources remembered (open sessions or probes inside the window).
  [[nodiscard]] std::size_t tracked_sources() const noexcept { return sources_.size(); }
  /// The limits in force.
  [[nodiscard]] const config::relay_limits& limits() const noexcept { return limits_; }

 private:
  struct source_state {
    int sessions = 0;
    std::deque<clock::time_point> probes;  ///< oldest first, all inside the window
  };

  static void expire(source_state& state, clock::time_point now);
  void forget_idle_sources(clock::time_point now);

  config::relay_limits limits_;
  int sessions_total_ = 0;
  std::unordered_map<std::string, source_state> sources_;
  clock::time_point last_cleanup_{};
};

/// Holds one admitted session and ends it when destroyed.
class session_admission {
 public:
  session_admission(source_limiter& limiter, std::string source) noexcept
      : limiter_(&limiter), source_(std::move(source)) {}
  ~session_admission() { limiter_->end_session(source_); }
  session_admission(const session_admission&) = delete;
  session_admission& operator=(const session_admission&) = delete;

 private:
  source_limiter* limiter_;
  std::string source_;
};

}  // namespace reachback::relay
