// SPDX-License-Identifier: MIT
#include "relay/source_limiter.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace reachback::relay {

source_limiter::source_limiter(config::relay_limits limits, std::size_t max_sources)
    : limits_(limits), max_sources_(std::max<std::size_t>(max_sources, 1)) {}

std::variant<source_limiter::admitted, protocol::error> source_limiter::begin_session(
    const std::string& source, clock::time_point now) {
  forget_idle_sources(now);
  if (auto refused = refusal(source, sessions(source))) {
    return *std::move(refused);
  }
  std::optional<session_id> shed;
  if (sessions() >= limits_.sessions_total) {
    shed = oldest_idle();
    if (!shed) {
      return protocol::error{protocol::wire_error::too_many_sessions,
                             "the relay is at its limit of " +
                                 std::to_string(limits_.sessions_total) +
                                 " sessions; try again shortly"};
    }
    release(sessions_.find(*shed));
  }
  auto& state = sources_[source];
  if (state.sessions++ == 0) {
    ++holders_;
  }
  const auto id = next_id_++;
  sessions_.emplace(id, session_state{source, true});
  bound_tracked_sources();
  return admitted{id, shed};
}

std::optional<protocol::error> source_limiter::refusal(const std::string& source,
                                                       int held) const {
  if (held >= limits_.sessions_per_ip) {
    return protocol::error{protocol::wire_error::too_many_sessions,
                           std::to_string(held) + " sessions already open from " + source +
                               " (limit " + std::to_string(limits_.sessions_per_ip) + ")"};
  }
  // int64: sessions_total may be up to a million.
  const bool nearly_full = static_cast<long long>(sessions()) * 4 >=
                           static_cast<long long>(limits_.sessions_total) * 3;
  if (nearly_full && held >= fair_share(held)) {
    return protocol::error{protocol::wire_error::too_many_sessions,
                           "the relay is near its limit of " +
                               std::to_string(limits_.sessions_total) + " sessions and " +
                               std::to_string(held) + " are open from " + source +
                               ", its fair share; try again shortly"};
  }
  return std::nullopt;
}

int source_limiter::fair_share(int held) const noexcept {
  const int holders = holders_ + (held == 0 ? 1 : 0);
  return std::max(1, limits_.sessions_total / holders);
}

std::optional<source_limiter::session_id> source_limiter::oldest_idle() const noexcept {
  const auto it = std::ranges::find_if(sessions_, [](const auto& s) { return s.second.idle; });
  if (it == sessions_.end()) {
    return std::nullopt;
  }
  return it->first;
}

void source_limiter::end_session(session_id id) noexcept {
  const auto it = sessions_.find(id);
  if (it != sessions_.end()) {
    release(it);
  }
}

void source_limiter::set_idle(session_id id, bool idle) noexcept {
  const auto it = sessions_.find(id);
  if (it != sessions_.end()) {
    it->second.idle = idle;
  }
}

void source_limiter::release(std::map<session_id, session_state>::iterator session) noexcept {
  const auto source = sources_.find(session->second.source);
  sessions_.erase(session);
  if (source == sources_.end()) {
    return;
  }
  if (--source->second.sessions == 0) {
    --holders_;
    // The probe history stays: reconnecting must not reset the rate limit.
    if (source->second.probes.empty()) {
      sources_.erase(source);
    }
  }
}

bool source_limiter::allow_probe(const std::string& source, clock::time_point now) {
  auto& state = sources_[source];
  expire(state, now);
  if (std::cmp_greater_equal(state.probes.size(), limits_.probes_per_minute)) {
    return false;
  }
  state.probes.push_back(now);
  bound_tracked_sources();
  return true;
}

int source_limiter::sessions(const std::string& source) const noexcept {
  const auto it = sources_.find(source);
  return it == sources_.end() ? 0 : it->second.sessions;
}

void source_limiter::expire(source_state& state, clock::time_point now) {
  const auto inside = std::ranges::find_if(state.probes, [&](auto t) { return now - t < window; });
  state.probes.erase(state.probes.begin(), inside);
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

void source_limiter::bound_tracked_sources() {
  if (sources_.size() <= max_sources_) {
    return;
  }
  // Forget a quarter at once, so a flood of new sources costs one scan per
  // max_sources / 4 of them, not one per source.
  using entry = std::pair<clock::time_point, std::string>;
  std::vector<entry> forgettable;
  for (const auto& [key, state] : sources_) {
    if (state.sessions == 0) {
      forgettable.emplace_back(state.probes.empty() ? clock::time_point{} : state.probes.back(),
                               key);
    }
  }
  const auto keep = max_sources_ - max_sources_ / 4;
  const auto excess = std::min(forgettable.size(), sources_.size() - std::min(sources_.size(), keep));
  std::ranges::nth_element(forgettable, forgettable.begin() + static_cast<std::ptrdiff_t>(excess));
  for (std::size_t i = 0; i < excess; ++i) {
    sources_.erase(forgettable[i].second);
  }
}

}  // namespace reachback::relay
