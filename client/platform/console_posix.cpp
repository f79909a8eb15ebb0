// SPDX-License-Identifier: MIT
#include "client/platform/console.hpp"

#include <unistd.h>

namespace reachback::client::platform {

// Every terminal a POSIX user meets understands ANSI colour; nothing needs
// switching on.
console_caps prepare_console() {
  console_caps caps;
  caps.stdout_terminal = ::isatty(STDOUT_FILENO) == 1;
  caps.stderr_terminal = ::isatty(STDERR_FILENO) == 1;
  caps.ansi = caps.stdout_terminal;
  return caps;
}

}  // namespace reachback::client::platform
