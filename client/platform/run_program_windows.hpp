// SPDX-License-Identifier: MIT
#pragma once
// How the Windows platform files word a run of a system tool (netsh) that
// gave nothing to read, so every such report line says it the same way.

#include <chrono>
#include <string>

#include "client/platform/run_program.hpp"

namespace reachback::client::platform {

/// How long a netsh query may run: netsh answers within a second, and a
/// hung one must not hold the report.
inline constexpr std::chrono::seconds netsh_deadline{5};

/// Why `result` has no output worth parsing: "could not run: <error>",
/// "did not finish within 2 s" (`deadline` is what the run was given) or
/// "failed with exit code 1". "" when the program ran and exited with 0.
[[nodiscard]] std::string run_failure(const program_output& result, std::chrono::seconds deadline);

}  // namespace reachback::client::platform
