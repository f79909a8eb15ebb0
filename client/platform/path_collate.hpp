// SPDX-License-Identifier: MIT
#pragma once
// Pure bookkeeping for the TTL walk: which TTLs still need a probe, when the
// walk is done, and how the replies become path_evidence hops.

#include <optional>
#include <string>
#include <vector>

#include "common/evidence.hpp"

namespace reachback::client::platform {

/// The ICMP answer a probe got.
enum class probe_outcome {
  time_exceeded,  ///< a router on the way dropped it at TTL 0
  unreachable,    ///< destination unreachable (port unreachable from the relay itself)
};

/// One ICMP error matched to the probe that caused it.
struct probe_reply {
  int ttl = 0;
  std::string from;  ///< offender address, canonical text
  probe_outcome outcome = probe_outcome::time_exceeded;
  double rtt_ms = 0;
  bool operator==(const probe_reply&) const = default;
};

/// The TTL at which the walk ends: the lowest TTL the target itself answered,
/// or the lowest at which a router said the destination is unreachable.
[[nodiscard]] std::optional<int> walk_end(const std::vector<probe_reply>& replies,
                                          const std::string& target);

/// TTLs from 1 that got no reply yet: below walk_end() when the end is known,
/// else up to max_ttl. These are the ones worth asking again.
[[nodiscard]] std::vector<int> silent_ttls(const std::vector<probe_reply>& replies,
                                           const std::string& target, int max_ttl);

/// The walk as path_evidence wants it.
struct walk_result {
  std::vector<path_hop> hops;  ///< routers only, in TTL order; silent TTLs have no address
  bool reached = false;        ///< the target itself answered
  bool operator==(const walk_result&) const = default;
};

/// Pure: the replies of every round, in any order, as hops. Several replies
/// for one TTL keep the fastest; anything beyond the end is dropped, and so
/// are silent TTLs after the last router when the target never answered.
[[nodiscard]] walk_result collate_walk(const std::vector<probe_reply>& replies,
                                       const std::string& target);

}  // namespace reachback::client::platform
