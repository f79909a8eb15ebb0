// SPDX-License-Identifier: MIT
// probe-client: why can't anyone reach my server on this port?

#include <cstdlib>
#include <iostream>

#include "options.hpp"
#include "platform/console.hpp"
#include "probe_client.hpp"

int main(int argc, char** argv) {
  using namespace reachback::client;
  const auto parsed = parse_options(argc, argv, std::cout, std::cerr);
  if (!parsed.options) return parsed.exit_code;
  const auto console = platform::prepare_console();
  const char* no_color_env = std::getenv("NO_COLOR");
  const bool no_color = no_color_env != nullptr && *no_color_env != '\0';
  const output io{std::cout, std::cerr, console.ansi && !no_color, console.stderr_terminal};
  return run_probe_client(*parsed.options, io);
}
