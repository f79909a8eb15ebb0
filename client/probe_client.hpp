// SPDX-License-Identifier: MIT
#pragma once
// The whole client run: local check, agent listener, relay session, path
// trace and capture gathered into evidence, then the verdict and the report.

#include <iosfwd>

#include "options.hpp"

namespace reachback::client {

/// How the run writes: the report on `out`, progress and errors on `err`.
struct output {
  std::ostream& out;
  std::ostream& err;
  bool colour = false;    ///< colour the text report
  bool progress = false;  ///< draw the progress line on `err`
};

/// Runs one diagnosis and returns the exit code (exit_codes.hpp).
[[nodiscard]] int run_probe_client(const client_options& options, const output& io);

}  // namespace reachback::client
