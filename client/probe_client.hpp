// SPDX-License-Identifier: MIT
#pragma once
// The whole client run: local check, agent listener, relay session, path
// trace and capture gathered into evidence, then the verdict and the report.

#include <chrono>
#include <iosfwd>
#include <string>
#include <variant>

#include "options.hpp"
#include "report.hpp"

namespace reachback::client {

/// How the run writes: the report on `out`, progress and errors on `err`.
struct output {
  std::ostream& out;
  std::ostream& err;
  bool colour = false;    ///< colour the text report
  bool progress = false;  ///< draw the progress line on `err`
};

/// Why a diagnosis could not be made: one line, and the exit code for it.
struct diagnosis_failure {
  std::string message;
  int exit_code = 0;
};

/// How one diagnosis is gathered.
struct diagnosis_settings {
  /// Wait until every question to the routers has its answer (or the
  /// query's cap), instead of router_query's short budget after the relay:
  /// --fix acts on their answers.
  bool complete_router_answers = false;
};

/// Tests every family options.families allows and both ends have, at the
/// same time, as run_probe_client does, and returns the reports unprinted
/// (progress goes to `io.err`); a failure when no family could be
/// diagnosed. Used by --fix's before and after.
[[nodiscard]] std::variant<run_report, diagnosis_failure> diagnose_run(const client_options& options, const output& io,
                                                                      const diagnosis_settings& settings = {});

/// Tests every family options.families allows and both ends have, at the
/// same time, prints the run's report and returns its exit code
/// (run_exit_code in report.hpp).
[[nodiscard]] int run_probe_client(const client_options& options, const output& io);

}  // namespace reachback::client
