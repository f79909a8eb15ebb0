// SPDX-License-Identifier: MIT
#pragma once
// The verdict engine: a pure function from the evidence to the verdict.
// It never claims more than the evidence shows: where two hops cannot be
// told apart it names both and says why, and every hop lists its evidence.

#include "evidence.hpp"
#include "verdict.hpp"

namespace reachback {

[[nodiscard]] verdict diagnose(const evidence& ev);

/// Whether the program holding the port on this host is in the way of the
/// user's server (a known squatter, or --listen was asked for) rather than
/// being that server: the verdict is then a bind conflict at this host.
[[nodiscard]] bool holder_in_the_way(const evidence& ev);

}  // namespace reachback
