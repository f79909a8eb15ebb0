// SPDX-License-Identifier: MIT
#pragma once
// The report: the evidence and the verdict, rendered as text or as JSON
// (schema "reachback.report/1"). Pure: values in, a string out.

#include <string>

#include "common/evidence.hpp"
#include "common/verdict.hpp"
#include "common/verdict_hairpin.hpp"

namespace reachback::client {

struct run_timings {
  double local_ms = 0;    ///< local port check
  double session_ms = 0;  ///< relay session, including the probe
  double total_ms = 0;
};

struct report {
  evidence ev;
  verdict result;
  run_timings timings;
  /// Whether the public address loops back from inside the LAN.
  hairpin_finding hairpin;
};

/// The public JSON interface: fields are only ever added.
[[nodiscard]] std::string render_json(const report& r);

/// The human report: one line per hop, then the verdict and the fix.
[[nodiscard]] std::string render_text(const report& r, bool colour);

}  // namespace reachback::client
