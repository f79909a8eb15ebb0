// SPDX-License-Identifier: MIT
// What a whole run, one report per IP family, exits with.
#include "exit_codes.hpp"
#include "report.hpp"

namespace reachback::client {

int run_exit_code(const run_report& run) {
  bool diagnosed = false;
  bool failed = false;
  for (const auto& f : run.families) {
    if (const auto* r = std::get_if<report>(&f.outcome)) {
      if (!r->result.reachable()) return exit_unreachable;
      diagnosed = true;
    } else {
      failed = true;
    }
  }
  return diagnosed && !failed ? exit_reachable : exit_relay;
}

}  // namespace reachback::client
