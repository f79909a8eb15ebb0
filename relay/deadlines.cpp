// SPDX-License-Identifier: MIT
#include "relay/deadlines.hpp"

#include <algorithm>

namespace reachback::relay {

namespace {

using std::chrono::ceil;
using std::chrono::microseconds;
using std::chrono::milliseconds;

milliseconds scaled(microseconds rtt, rtt_multiple k, milliseconds floor,
                    milliseconds cap) noexcept {
  // A cap below its floor is refused by the config; keep clamp's contract anyway.
  const auto high = std::max(floor, cap);
  // The RTT is capped before it is multiplied, so no value can overflow.
  const auto bounded_rtt = std::min(rtt, microseconds(high));
  const auto wait = ceil<milliseconds>(bounded_rtt * k.rtts_num / k.rtts_den) + k.slack;
  return std::clamp(wait, floor, high);
}

}  // namespace

deadlines wait_for(std::optional<microseconds> rtt, const deadline_limits& limits) noexcept {
  if (!rtt || rtt->count() <= 0) {
    return {.connect = limits.connect_unknown, .hop = limits.hop_unknown};
  }
  return {
      .connect = scaled(*rtt, connect_wait, limits.connect_floor, limits.connect_cap),
      .hop = scaled(*rtt, hop_wait, limits.hop_floor, limits.hop_cap),
  };
}

}  // namespace reachback::relay
