// SPDX-License-Identifier: MIT
#include "relay/source_limiter.hpp"

#include <iterator>
#include <utility>

namespace reachback::relay {

source_limiter::source_limiter(config::relay_limits limits) : limits_(limits) {}

std::optional<protocol::error> source_limiter::begin_session(const std::string& source,
                                                             clock::time_point now) {
  forget_idle_sources(now);
  if (sessions_total_ >= limits_.sessions_total) {
    return protocol::error{protocol::wire_error::too_many_sessions,
                           "the relay is at its limit of " +
                               std::to_string(limits_.sessions_total) +
                               " sessions; try again shortly"};
  }
  auto& state = sources_[source];
  if (state.sessions >= limits_.sessions_per_ip) {
    return protocol::error{protocol::wire_error::too_many_sessions,
                           std::to_string(state.sessions) + " sessions already open from " +
                               source + " (limit " + std::to_string(limits_.sessions_per_ip) +
                               ")"};
  }
  ++state.sessions;
  ++sessions_total_;
  return std::nullopt;
}

void source_limiter::end_session(const std::string& source) noexcept {
  const auto it = sources_.find(source);
  if (it == sources_.end() || it->second.sessions == 0) {
    return;
  }
  --it->second.sessions;
  --sessions_total_;
  // The probe history stays: reconnecting must not reset the rate limit.
  if (it->second.sessions == 0 && it->second.probes.empty()) {
    sources_.erase(it);
  }
}

bool source_limiter::allow_probe(const std::string& source, clock::time_point now) {
  auto& state = sources_[source];
  expire(state, now);
  if (std::cmp_greater_equal(state.probes.size(), limits_.probes_per_minute)) {
    return false;
  }
  state.probes.push_back(now);
  return true;
}

int source_limiter::sessions(const std::string& source) const noexcept {
  const auto it = sources_.find(source);
  return it == sources_.end() ? 0 : it->second.sessions;
}

void source_limiter::expire(source_state& state, clock::time_point now) {
  while (!state.probes.empty() && now - state.probes.front() >= window) {
    state.probes.pop_front();
  }
}

void source_limiter::forget_idle_sources(clock::time_point now) {
  // A full scan once per window keeps memory bounded by the sources seen in
  // about two windows without scanning on every accept.
  if (now - last_cleanup_ < window) {
    return;
  }
  last_cleanup_ = now;
  for (auto it = sources_.begin(); it != sources_.end();) {
    expire(it->second, now);
    const bool idle = it->second.sessions == 0 && it->second.probes.empty();
    it = idle ? sources_.erase(it) : std::next(it);
  }
}

}  // namespace reachback::relay
