// SPDX-License-Identifier: MIT
// probe-client: why can't anyone reach my server on this port?

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "options.hpp"
#include "probe_client.hpp"

int main(int argc, char** argv) {
  using namespace reachback::client;
  const auto parsed = parse_options(argc, argv, std::cout, std::cerr);
  if (!parsed.options) return parsed.exit_code;
  const bool stdout_tty = isatty(STDOUT_FILENO) == 1;
  const bool no_color = std::getenv("NO_COLOR") != nullptr && *std::getenv("NO_COLOR") != '\0';
  const output io{std::cout, std::cerr, stdout_tty && !no_color, isatty(STDERR_FILENO) == 1};
  return run_probe_client(*parsed.options, io);
}
