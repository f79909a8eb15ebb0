// SPDX-License-Identifier: MIT
#pragma once
// The report: the evidence and the verdict, rendered as text or as JSON
// (schema "reachback.report/1"). Pure: values in, a string out.

#include <string>
#include <variant>
#include <vector>

#include "client/family_plan.hpp"
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

/// One IP family's report, or the line that says why it could not be made
/// (the relay could not be reached over that family, say).
struct family_report {
  ip_family family = ip_family::ipv4;
  std::variant<report, std::string> outcome;
};

/// A whole run: each family tested, IPv4 first, and those left out.
struct run_report {
  std::vector<family_report> families;
  std::vector<family_skipped> skipped;
};

/// The public JSON interface: fields are only ever added.
[[nodiscard]] std::string render_json(const report& r);

/// A run as JSON: the IPv4 report (or the only family's) at the top level,
/// as before; the IPv6 report beside it under "ipv6"; and "families": which
/// were tested, which failed and which were left out, and why.
[[nodiscard]] std::string render_json(const run_report& run);

/// The human report: one line per hop, then the verdict and the fix.
[[nodiscard]] std::string render_text(const report& r, bool colour);

/// A run as text: one block per family (headed when there are several),
/// then the families that failed or were left out.
[[nodiscard]] std::string render_text(const run_report& run, bool colour);

/// The exit code of a run (exit_codes.hpp): reachable only when every tested
/// family is; unreachable when a family's verdict says so; the relay's code
/// when no family could be diagnosed, or one failed beside reachable ones.
[[nodiscard]] int run_exit_code(const run_report& run);

}  // namespace reachback::client
