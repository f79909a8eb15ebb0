// SPDX-License-Identifier: MIT
// probe-client: why can't anyone reach my server on this port?

#include <cstdlib>
#include <iostream>

#include "fix_command.hpp"
#include "options.hpp"
#include "platform/console.hpp"
#include "probe_client.hpp"

int main(int argc, char** argv) {
  using namespace reachback::client;
  const auto parsed = parse_options(argc, argv, std::cout, std::cerr);
  if (!parsed.options) return parsed.exit_code;
  const auto& options = *parsed.options;
  const auto console = platform::prepare_console();
  const char* no_color_env = std::getenv("NO_COLOR");
  const bool no_color = no_color_env != nullptr && *no_color_env != '\0';
  const output io{std::cout, std::cerr, console.ansi && !no_color, console.stderr_terminal};
  switch (options.action) {
    case client_action::diagnose: return run_probe_client(options, io);
    case client_action::fix:
      // The question goes to stderr, the answer comes from stdin; console.hpp
      // cannot tell whether stdin is a terminal yet, and an empty stdin
      // answers no.
      return run_fix(options, io, fix_console{std::cin, console.stderr_terminal},
                     system_backend(options, io));
    case client_action::unfix: return run_unfix(options, io, system_backend(options, io));
  }
  return run_probe_client(options, io);
}
