// SPDX-License-Identifier: MIT
#pragma once
// The route from this host toward the relay, found with TTL-limited probes
// that need no privileges where the OS allows (Linux: UDP + IP_RECVERR).

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "client/platform/path_collate.hpp"
#include "common/evidence.hpp"

namespace reachback::client::platform {

struct path_options {
  int max_ttl = 16;
  std::chrono::milliseconds hop_timeout{600};
  int probes_per_hop = 2;  ///< a silent hop is asked again (ICMP rate limits)
  /// Called in the trace's thread with each router's answer as it arrives,
  /// long before the walk ends at the relay (the router query starts on them).
  std::function<void(const probe_reply&)> heard;
};

/// Walks TTL 1..max_ttl toward `relay_address` (a numeric address) and stops
/// at the relay. Also fills in the default gateway, this host's addresses and
/// the source address used toward the relay. Blocking: all TTLs of a round go
/// out together, so it takes at most probes_per_hop * hop_timeout and sends
/// at most max_ttl * probes_per_hop datagrams; against loopback it returns
/// at once.
[[nodiscard]] path_evidence trace_path(const std::string& relay_address,
                                       const path_options& options = {});

/// The first hop toward `relay_address` (a numeric address), from the
/// routing table alone: nothing is sent, so it is known at once, long
/// before the trace ends. The router query asks the gateway first.
struct first_hop {
  std::optional<std::string> gateway;  ///< the default gateway, if there is one
  std::string source_address;          ///< this host's address on the route, "" if none
};
[[nodiscard]] first_hop first_hop_toward(const std::string& relay_address);

}  // namespace reachback::client::platform
