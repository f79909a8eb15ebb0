// SPDX-License-Identifier: MIT
#pragma once
// The relay's counters, fed by the session summaries the log writes (so a
// number on the dashboard and a line in the log never disagree), and their
// Prometheus text exposition (format 0.0.4). Pure: no sockets, no clock.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "relay/session_log.hpp"

namespace reachback::relay {

/// Upper bounds of the session duration histogram's buckets, in seconds;
/// +Inf is implied. A session lasts from a few ms (a refusal) to the 30 s
/// session limit.
inline constexpr std::array<double, 9> session_duration_buckets{0.05, 0.1, 0.25, 0.5, 1,
                                                                2.5,  5,   10,   30};

class relay_metrics {
 public:
  /// Counts one ended session: its probe outcomes, its error frames (limits
  /// hit apart from other errors) and its duration.
  void record(const session_summary& summary);

  /// The exposition, with `open_sessions` as the gauge of sessions open now.
  [[nodiscard]] std::string prometheus_text(int open_sessions) const;

  /// Sessions recorded so far.
  [[nodiscard]] std::uint64_t sessions() const noexcept { return sessions_; }

 private:
  std::uint64_t sessions_ = 0;
  std::map<std::string, std::uint64_t> outcomes_;    ///< probe outcome -> count
  std::map<std::string, std::uint64_t> limits_hit_;  ///< wire error -> count
  std::map<std::string, std::uint64_t> errors_;      ///< other wire errors -> count
  std::array<std::uint64_t, session_duration_buckets.size()> duration_buckets_{};
  double duration_sum_seconds_ = 0;
};

}  // namespace reachback::relay
