// SPDX-License-Identifier: MIT
#pragma once
// The terminal the client writes to: whether stdout and stderr are consoles,
// and whether ANSI colour works there.

namespace reachback::client::platform {

/// What the client may draw on its standard streams.
struct console_caps {
  bool stdout_terminal = false;  ///< stdout is a console, not a file or pipe
  bool stderr_terminal = false;  ///< stderr is a console: the progress line may draw
  bool ansi = false;             ///< ANSI escape sequences work on stdout
};

/// Looks at stdout and stderr once. On Windows it also turns on virtual
/// terminal processing for the console (Windows Terminal, conhost on
/// Windows 10 and later); a console that refuses gets no colour.
[[nodiscard]] console_caps prepare_console();

}  // namespace reachback::client::platform
