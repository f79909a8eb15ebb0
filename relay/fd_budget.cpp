// SPDX-License-Identifier: MIT
#include "relay/fd_budget.hpp"

#include <sys/resource.h>

#include "relay/sweep_plan.hpp"

namespace reachback::relay {

namespace {

constexpr std::uint64_t control_connection = 1;
constexpr std::uint64_t connect_back_attempts = 2;
constexpr std::uint64_t control_probe_attempts = 2;

}  // namespace

std::uint64_t fds_per_session(int max_ttl, bool sweep_enabled) noexcept {
  const auto sweep = sweep_enabled ? static_cast<std::uint64_t>(max_ttl) : 0;
  return control_connection + connect_back_attempts + control_probe_attempts + sweep;
}

std::uint64_t fds_needed(const config::relay_config& config) noexcept {
  const auto per_session = fds_per_session(bounded(config.sweep).max_ttl, config.sweep.enabled);
  const auto sessions = static_cast<std::uint64_t>(config.limits.sessions_total);
  return fixed_fds + config.listen.size() + sessions * per_session;
}

std::optional<std::string> fd_limit_warning(std::uint64_t limit, std::uint64_t needed,
                                            int sessions_total) {
  if (limit >= needed) return std::nullopt;
  return "probe-relay: warning: the open file limit (" + std::to_string(limit) +
         ") is below the " + std::to_string(needed) + " that " + std::to_string(sessions_total) +
         " sessions (limits.sessions_total) may need; raise it (LimitNOFILE=, ulimit -n) or "
         "lower sessions_total: a probe that finds no descriptor free gets an internal error";
}

std::optional<std::uint64_t> raise_fd_limit() noexcept {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return std::nullopt;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return static_cast<std::uint64_t>(limit.rlim_cur);
}

}  // namespace reachback::relay
