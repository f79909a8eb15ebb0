// SPDX-License-Identifier: MIT
#pragma once
// Admission: concurrent sessions per source, a fair share of the pool of
// sessions, and probe requests per source per minute. A source is an
// address prefix (source_prefix.hpp). Pure: time comes in as arguments, and
// the limiter only names a session to shed; closing it is the caller's job.
//
// The pool: while under 3/4 of sessions_total is open, any source may
// hold up to sessions_per_ip. From 3/4 on, a source already holding its
// fair share (sessions_total / the sources holding sessions, the newcomer's
// included) is refused. When the pool is full, a newcomer below its share
// takes the slot of the oldest idle session (one waiting for a frame), so
// idle connections from many sources cannot lock everyone else out.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "common/messages.hpp"
#include "config/relay_config.hpp"

namespace reachback::relay {

class source_limiter {
 public:
  using clock = std::chrono::steady_clock;
  /// Numbers sessions in the order they were admitted, from 1.
  using session_id = std::uint64_t;
  /// Probe requests are counted over this sliding window.
  static constexpr std::chrono::seconds window{60};
  /// Sources remembered at most, by default. A source costs about 100 bytes
  /// plus 8 per probe inside the window; past the bound, the sources without
  /// sessions whose last probe is oldest are forgotten first, down to 3/4 of
  /// it, and their probe budgets start afresh.
  static constexpr std::size_t default_max_sources = 65'536;

  /// An admitted session, and the idle one it displaced, if any: the caller
  /// closes that one (its slot is already given away).
  struct admitted {
    session_id id = 0;
    std::optional<session_id> shed;
  };

  explicit source_limiter(config::relay_limits limits,
                          std::size_t max_sources = default_max_sources);

  /// Admits one more session from `source` (idle, as it waits for its
  /// hello), or returns the too_many_sessions error that says why not.
  /// An admitted session must be ended with end_session.
  [[nodiscard]] std::variant<admitted, protocol::error> begin_session(const std::string& source,
                                                                      clock::time_point now);
  /// Releases a session; a shed or unknown id changes nothing.
  void end_session(session_id id) noexcept;
  /// Whether a session waits for the client (idle, may be shed) or works on
  /// a request (never shed).
  void set_idle(session_id id, bool idle) noexcept;

  /// Records a probe request from `source` at `now` if it is within the
  /// per-minute budget; false (and nothing recorded) when it is over.
  [[nodiscard]] bool allow_probe(const std::string& source, clock::time_point now);

  /// Sessions open now, from every source.
  [[nodiscard]] int sessions() const noexcept { return static_cast<int>(sessions_.size()); }
  /// Sessions open now from `source`.
  [[nodiscard]] int sessions(const std::string& source) const noexcept;
  /// Sources remembered (open sessions or probes inside the window).
  [[nodiscard]] std::size_t tracked_sources() const noexcept { return sources_.size(); }
  /// The limits in force.
  [[nodiscard]] const config::relay_limits& limits() const noexcept { return limits_; }

 private:
  struct source_state {
    int sessions = 0;
    /// Oldest first, all inside the window; at most probes_per_minute.
    std::vector<clock::time_point> probes;
  };
  struct session_state {
    std::string source;
    bool idle = true;
  };

  [[nodiscard]] std::optional<protocol::error> refusal(const std::string& source,
                                                       int held) const;
  [[nodiscard]] int fair_share(int held) const noexcept;
  [[nodiscard]] std::optional<session_id> oldest_idle() const noexcept;
  void release(std::map<session_id, session_state>::iterator session) noexcept;
  static void expire(source_state& state, clock::time_point now);
  void forget_idle_sources(clock::time_point now);
  void bound_tracked_sources();

  config::relay_limits limits_;
  std::size_t max_sources_;
  /// Open sessions by id: oldest first.
  std::map<session_id, session_state> sessions_;
  session_id next_id_ = 1;
  int holders_ = 0;  ///< sources with at least one open session
  std::unordered_map<std::string, source_state> sources_;
  clock::time_point last_cleanup_{};
};

}  // namespace reachback::relay
