// SPDX-License-Identifier: MIT
#pragma once
// The verdict engine: a pure function from the evidence to the verdict.
// It never claims more than the evidence shows: where two hops cannot be
// told apart it names both and says why, and every hop lists its evidence.

#include <vector>

#include "evidence.hpp"
#include "fix_book.hpp"
#include "verdict.hpp"

namespace reachback {

/// The verdict for `ev`. Fixes that depend on the host OS (ev.os) come from
/// `fixes` (config::builtin_fixes() in the client); the rest are the engine's.
[[nodiscard]] verdict diagnose(const evidence& ev, const fix_book& fixes);

/// Whether the program holding the port on this host is in the way of the
/// user's server (a known squatter, a portproxy rule outside --service, or
/// --listen was asked for) rather than being that server: the verdict is
/// then a bind conflict at this host.
[[nodiscard]] bool holder_in_the_way(const evidence& ev);

/// Every fix diagnose() asks the fix book for, with the placeholders it
/// fills in: a fix book must hold exactly these (config/fixes.toml).
[[nodiscard]] const std::vector<fix_spec>& fix_catalogue();

}  // namespace reachback
