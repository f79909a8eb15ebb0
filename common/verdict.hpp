// SPDX-License-Identifier: MIT
#pragma once
// The verdict: per-hop statuses, the cause, the blocking hop and the fix.
// Produced by the pure verdict engine (verdict_engine.hpp).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "evidence.hpp"

namespace reachback {

/// Why the port is (not) reachable. Names are the report schema's.
enum class cause {
  reachable,
  bind_conflict,
  forbidden_port,
  loopback_only,
  wrong_family,
  no_listener,
  host_firewall,
  nat_no_forward,
  nat_wrong_target,
  router_firewall,
  filtered,
  cgnat,
  inconclusive,
};

enum class hop_role { internet, nat, router, host };
enum class hop_status { pass, blocked, not_reached, unknown };

/// One hop of the report, from the internet inward.
struct hop {
  hop_role role = hop_role::host;
  /// Human name: "internet", "ISP hub", "room router", "carrier NAT", "this host".
  std::string name;
  /// The hop's address as seen from this host; for this host, its own.
  std::optional<std::string> address;
  hop_status status = hop_status::unknown;
  std::vector<std::string> evidence;
  /// What the router at this hop said about itself and the port, when asked.
  std::optional<router_evidence> router;
  bool operator==(const hop&) const = default;
};

struct verdict {
  cause why = cause::inconclusive;
  /// Every hop (index into hops) the evidence cannot rule out as the
  /// blocking point, most likely first; empty when nothing blocks or the
  /// evidence places the block nowhere.
  std::vector<std::size_t> candidates;
  std::string summary;                      ///< what blocks, and with several candidates what tells them apart
  std::vector<std::string> fix;             ///< numbered steps, device first
  std::vector<hop> hops;                    ///< internet first, this host last
  [[nodiscard]] bool reachable() const noexcept { return why == cause::reachable; }
  /// The most likely blocking hop: candidates[0], so the two never disagree.
  [[nodiscard]] std::optional<std::size_t> blocking_hop() const noexcept {
    if (candidates.empty()) return std::nullopt;
    return candidates.front();
  }
  bool operator==(const verdict&) const = default;
};

/// Schema names, e.g. "nat_no_forward".
[[nodiscard]] std::string_view to_string(cause c) noexcept;
[[nodiscard]] std::string_view to_string(hop_role r) noexcept;
[[nodiscard]] std::string_view to_string(hop_status s) noexcept;

}  // namespace reachback
