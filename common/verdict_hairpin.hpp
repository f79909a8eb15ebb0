// SPDX-License-Identifier: MIT
#pragma once
// The hairpin finding: whether, from inside the LAN, this host's own public
// address and port loop back to it (NAT loopback). A finding apart from the
// verdict: a port may be reachable from the internet and still fail from
// inside. Pure: the client makes the connection (client/hairpin_probe.hpp).

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "evidence.hpp"
#include "verdict.hpp"

namespace reachback {

struct hairpin_finding {
  /// The connection was made.
  bool tested = false;
  /// It came back to this host's port; nullopt when not tested or when
  /// nothing could show where it went.
  std::optional<bool> loops_back;
  /// Why it was not tested.
  std::optional<std::string> skipped_because;
  /// The hop (index into the verdict's hops) that holds the public address
  /// and would loop the connection back; nullopt when this host holds it.
  std::optional<std::size_t> router;
  std::string summary;            ///< the report's line
  std::vector<std::string> fix;   ///< when it does not loop back
  bool operator==(const hairpin_finding&) const = default;
};

/// Why the hairpin test is not worth making for `v`, or nullopt when it is:
/// only a port the internet reaches can show whether the LAN reaches it too.
[[nodiscard]] std::optional<std::string> hairpin_skip_reason(const evidence& ev, const verdict& v);

/// What `ev.hairpin` shows, in the words of the verdict's hops.
[[nodiscard]] hairpin_finding judge_hairpin(const evidence& ev, const verdict& v);

}  // namespace reachback
