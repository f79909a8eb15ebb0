// SPDX-License-Identifier: MIT
#include "relay/sweep_plan.hpp"

#include <algorithm>
#include <string_view>

namespace reachback::relay {

sweep_limits bounded(const config::sweep_settings& settings) noexcept {
  return sweep_limits{
      .max_ttl = std::clamp(settings.max_ttl, 1, max_sweep_ttl),
      .hop_timeout = std::clamp(settings.hop_timeout, min_hop_timeout, max_hop_timeout),
      .hop_timeout_min = std::clamp(settings.hop_timeout_min, min_hop_timeout, max_hop_timeout),
      .hop_timeout_max = std::clamp(settings.hop_timeout_max, min_hop_timeout, max_hop_timeout),
      .retries = std::clamp(settings.retries, 0, max_sweep_retries),
      .retry_pause = sweep_limits{}.retry_pause,
  };
}

int max_ttl_toward(const sweep_limits& limits, std::optional<int> client_hops) noexcept {
  if (!client_hops || *client_hops < 0) return limits.max_ttl;
  return std::min(limits.max_ttl, *client_hops + 1 + path_asymmetry_slack);
}

std::vector<std::string> bounding_notes(const config::sweep_settings& settings) {
  const auto limits = bounded(settings);
  std::vector<std::string> notes;
  const auto note = [&](std::string_view key, long long given, long long used) {
    if (given != used) {
      notes.push_back("sweep." + std::string(key) + " " + std::to_string(given) + " is " +
                      (given < used ? "raised to " : "capped at ") + std::to_string(used));
    }
  };
  note("max_ttl", settings.max_ttl, limits.max_ttl);
  note("hop_timeout_ms", settings.hop_timeout.count(), limits.hop_timeout.count());
  note("hop_timeout_min_ms", settings.hop_timeout_min.count(), limits.hop_timeout_min.count());
  note("hop_timeout_max_ms", settings.hop_timeout_max.count(), limits.hop_timeout_max.count());
  note("retries", settings.retries, limits.retries);
  return notes;
}

std::chrono::milliseconds worst_case_duration(const sweep_limits& limits) noexcept {
  // Every round probes its TTLs in parallel, so a round costs one hop timeout.
  return limits.hop_timeout * (limits.retries + 1) + limits.retry_pause * limits.retries;
}

bool is_terminal(sweep_reply reply) noexcept {
  return reply == sweep_reply::rst || reply == sweep_reply::syn_ack ||
         reply == sweep_reply::udp_reply || reply == sweep_reply::unreachable;
}

std::optional<int> first_terminal_ttl(const std::vector<sweep_hop>& hops) noexcept {
  std::optional<int> first;
  for (const auto& hop : hops) {
    if (is_terminal(hop.reply) && (!first || hop.ttl < *first)) {
      first = hop.ttl;
    }
  }
  return first;
}

std::vector<sweep_hop> unprobed_hops(int max_ttl) {
  std::vector<sweep_hop> hops(static_cast<std::size_t>(std::max(max_ttl, 0)));
  for (std::size_t i = 0; i < hops.size(); ++i) {
    hops[i].ttl = static_cast<int>(i) + 1;  // the rest: silence, no attempt
  }
  return hops;
}

bool round_settled(const std::vector<sweep_hop>& hops, const std::vector<int>& pending) noexcept {
  const auto last = first_terminal_ttl(hops);
  return last && std::ranges::all_of(pending, [&](int ttl) { return ttl > *last; });
}

std::vector<int> ttls_to_retry(const std::vector<sweep_hop>& hops) {
  const auto limit = first_terminal_ttl(hops);
  std::vector<int> ttls;
  for (const auto& hop : hops) {
    if (hop.reply == sweep_reply::silence && (!limit || hop.ttl < *limit)) {
      ttls.push_back(hop.ttl);
    }
  }
  return ttls;
}

void merge_retry(sweep_hop& known, const sweep_hop& retry) {
  const int attempts = known.attempts + retry.attempts;
  if (known.reply == sweep_reply::silence && retry.reply != sweep_reply::silence) {
    known = retry;
  }
  known.attempts = attempts;
}

std::optional<int> public_distance(const std::vector<sweep_hop>& hops,
                                   std::string_view dialed) noexcept {
  std::optional<int> distance;
  for (const auto& hop : hops) {
    if (hop.reply != sweep_reply::silence && hop.from == dialed &&
        (!distance || hop.ttl < *distance)) {
      distance = hop.ttl;
    }
  }
  return distance;
}

ttl_sweep finish_sweep(std::vector<sweep_hop> hops, std::string_view dialed) {
  std::ranges::sort(hops, {}, &sweep_hop::ttl);
  if (const auto last = first_terminal_ttl(hops)) {
    std::erase_if(hops, [&](const sweep_hop& hop) { return hop.ttl > *last; });
  }
  ttl_sweep sweep;
  sweep.public_distance = public_distance(hops, dialed);
  sweep.hops = std::move(hops);
  return sweep;
}

std::string sweep_part(int ttl) { return "sweep TTL " + std::to_string(ttl); }

}  // namespace reachback::relay
