// SPDX-License-Identifier: MIT
#pragma once
// The TTL sweep's decisions, apart from its sockets: how far and how often
// to probe, which TTLs deserve another try, how a retry merges into what is
// known, and where the public address sits on the path. Pure.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/evidence.hpp"
#include "config/relay_config.hpp"

namespace reachback::relay {

/// Hard bounds whatever the config says, so one sweep stays small.
inline constexpr int max_sweep_ttl = 64;
inline constexpr int max_sweep_retries = 3;
inline constexpr std::chrono::milliseconds min_hop_timeout{50};
inline constexpr std::chrono::milliseconds max_hop_timeout{5'000};

/// The sweep's settings after the hard bounds.
struct sweep_limits {
  int max_ttl = 16;                            ///< TTLs 1..max_ttl are probed
  /// Per probe, before silence, while the control connection's RTT is unknown.
  std::chrono::milliseconds hop_timeout{700};
  /// Floor and cap of the per-probe wait derived from a known RTT.
  std::chrono::milliseconds hop_timeout_min{200};
  std::chrono::milliseconds hop_timeout_max{3'000};
  int retries = 1;                             ///< extra rounds for silent TTLs
  /// Pause before a retry round, so routers' ICMP rate limits refill a little.
  std::chrono::milliseconds retry_pause{250};
  bool operator==(const sweep_limits&) const = default;
};

/// Routers the path toward the client may have beyond the ones its SYN
/// passed (client_hops): routes differ in length from one direction to the
/// other, by a hop or two.
inline constexpr int path_asymmetry_slack = 2;

/// The highest TTL worth a probe: `limits.max_ttl`, or the client's own
/// distance (client_hops + 1) plus path_asymmetry_slack when that is lower.
/// A probe with a larger TTL gets no further than the client.
[[nodiscard]] int max_ttl_toward(const sweep_limits& limits,
                                 std::optional<int> client_hops) noexcept;

/// Clamps the config to 1..64 TTLs, 0..3 retries and 50..5000 ms per hop
/// (each of the three hop waits).
[[nodiscard]] sweep_limits bounded(const config::sweep_settings& settings) noexcept;

/// One line per setting that bounded() changed, e.g. "sweep.max_ttl 100 is
/// capped at 64", so the operator learns why the sweep differs from the file.
[[nodiscard]] std::vector<std::string> bounding_notes(const config::sweep_settings& settings);

/// The longest a sweep under `limits` can take, pauses included.
[[nodiscard]] std::chrono::milliseconds worst_case_duration(const sweep_limits& limits) noexcept;

/// rst, syn_ack, udp_reply and unreachable: a probe with a larger TTL
/// cannot get further.
[[nodiscard]] bool is_terminal(sweep_reply reply) noexcept;

/// The smallest TTL with a terminal reply.
[[nodiscard]] std::optional<int> first_terminal_ttl(const std::vector<sweep_hop>& hops) noexcept;

/// TTLs 1..max_ttl as a sweep starts: silence after no attempt, so that
/// every round, the first too, folds its answers in with merge_retry.
[[nodiscard]] std::vector<sweep_hop> unprobed_hops(int max_ttl);

/// The round whose probes for `pending` are still out can stop: a terminal
/// TTL is known and every pending TTL lies past it, so whatever those probes
/// find, finish_sweep drops. A pending TTL below it keeps the round open.
/// This is what keeps a UDP sweep from waiting out the TTLs past a router
/// that answers port unreachable: their answers are lost to its ICMP rate
/// limit (Linux: 6 at once, then 1 a second per destination).
[[nodiscard]] bool round_settled(const std::vector<sweep_hop>& hops,
                                 const std::vector<int>& pending) noexcept;

/// Silent TTLs below the first terminal one (all silent TTLs if none).
[[nodiscard]] std::vector<int> ttls_to_retry(const std::vector<sweep_hop>& hops);

/// Folds a retry into the hop it repeats: attempts add up, and any answer
/// replaces silence.
void merge_retry(sweep_hop& known, const sweep_hop& retry);

/// The smallest TTL whose answer came from `dialed` itself: its time
/// exceeded or unreachable, a TCP reset or handshake, or a UDP reply.
[[nodiscard]] std::optional<int> public_distance(const std::vector<sweep_hop>& hops,
                                                 std::string_view dialed) noexcept;

/// How a sweep probe's local_failure names its part: "sweep TTL 3".
[[nodiscard]] std::string sweep_part(int ttl);

/// Drops the TTLs after the first terminal one and computes public_distance.
[[nodiscard]] ttl_sweep finish_sweep(std::vector<sweep_hop> hops, std::string_view dialed);

}  // namespace reachback::relay
