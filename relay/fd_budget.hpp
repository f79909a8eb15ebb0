// SPDX-License-Identifier: MIT
#pragma once
// The file descriptors the relay may need, and its limit on them
// (RLIMIT_NOFILE). A probe that finds none free fails as the relay's own
// failure (an `internal` error, probe_classify.hpp's local_failure), never
// as a network outcome; this is how an operator learns beforehand.

#include <cstdint>
#include <optional>
#include <string>

#include "config/relay_config.hpp"

namespace reachback::relay {

/// Descriptors the relay holds whatever its load: standard streams, epoll,
/// Asio's interrupter and timer, the signal pipe, with room to spare.
inline constexpr std::uint64_t fixed_fds = 16;

/// Descriptors one session may hold at once, with a sweep of `max_ttl` TTLs
/// when `sweep_enabled`: its control connection, the connect-back's two
/// attempts, the control probe's two, and one per TTL of a sweep round (a
/// round's probes are all in flight together). A UDP probe holds fewer.
[[nodiscard]] std::uint64_t fds_per_session(int max_ttl, bool sweep_enabled) noexcept;

/// Descriptors `config` may need: fixed_fds, one per listening address and
/// fds_per_session (the sweep after its hard bounds) for each of
/// limits.sessions_total.
[[nodiscard]] std::uint64_t fds_needed(const config::relay_config& config) noexcept;

/// Pure: one log line when `limit` is below `needed` for `sessions_total`
/// sessions, saying what to raise; nullopt when it is enough.
[[nodiscard]] std::optional<std::string> fd_limit_warning(std::uint64_t limit,
                                                          std::uint64_t needed,
                                                          int sessions_total);

/// Raises the soft RLIMIT_NOFILE to the hard one and returns the soft limit
/// now in force (the old one if raising failed); nullopt if unreadable.
[[nodiscard]] std::optional<std::uint64_t> raise_fd_limit() noexcept;

}  // namespace reachback::relay
