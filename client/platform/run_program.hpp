// SPDX-License-Identifier: MIT
#pragma once
// Runs a system tool (netsh) and collects what it prints, within a deadline.

#include <chrono>
#include <string>
#include <vector>

namespace reachback::client::platform {

/// What one run of a program gave.
struct program_output {
  bool started = false;    ///< false: not found or could not start (see error)
  bool timed_out = false;  ///< killed at the deadline
  int exit_code = -1;     ///< the program's exit code; -1 when it did not finish
  std::string out;         ///< stdout, bounded (see max_output)
  std::string error;       ///< why it did not start or finish, one line
};

/// Bytes of output kept; netsh prints a few KiB.
inline constexpr std::size_t max_program_output = 1 << 20;

/// Runs `argv` (argv[0] a program name found on the system path) with no
/// input and no window, and waits at most `deadline`.
[[nodiscard]] program_output run_program(const std::vector<std::string>& argv,
                                         std::chrono::milliseconds deadline);

}  // namespace reachback::client::platform
