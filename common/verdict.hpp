// SPDX-License-Identifier: MIT
#pragma once
// The verdict: per-hop statuses, the cause, the blocking hop and the fix.
// Produced by the pure verdict engine (verdict_engine.hpp).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reachback {

/// Why the port is (not) reachable. Names are the report schema's.
enum class cause {
  reachable,
  bind_conflict,
  forbidden_port,
  loopback_only,
  no_listener,
  host_firewall,
  nat_no_forward,
  nat_wrong_target,
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
  bool operator==(const hop&) const = default;
};

struct verdict {
  cause why = cause::inconclusive;
  std::optional<std::size_t> blocking_hop;  ///< index into hops
  std::string summary;                      ///< one sentence
  std::vector<std::string> fix;             ///< numbered steps, device first
  std::vector<hop> hops;                    ///< internet first, this host last
  [[nodiscard]] bool reachable() const noexcept { return why == cause::reachable; }
  bool operator==(const verdict&) const = default;
};

/// Schema names, e.g. "nat_no_forward".
[[nodiscard]] std::string_view to_string(cause c) noexcept;
[[nodiscard]] std::string_view to_string(hop_role r) noexcept;
[[nodiscard]] std::string_view to_string(hop_status s) noexcept;

}  // namespace reachback
