// SPDX-License-Identifier: MIT
#include "client/platform/console.hpp"

#include <windows.h>

#include <cstdlib>

namespace reachback::client::platform {

namespace {

UINT output_code_page_before = 0;

void restore_output_code_page() { ::SetConsoleOutputCP(output_code_page_before); }

// GetConsoleMode fails for a file, a pipe or no handle at all: that is how
// Windows tells a console from anything else.
bool is_console(HANDLE stream, DWORD& mode) {
  return stream != nullptr && stream != INVALID_HANDLE_VALUE &&
         ::GetConsoleMode(stream, &mode) != 0;
}

// Windows 10's conhost and Windows Terminal draw ANSI sequences once asked;
// older consoles refuse the flag and would print them as text.
bool enable_virtual_terminal(HANDLE stream, DWORD mode) {
  return (mode & ENABLE_VIRTUAL_TERMINAL_PROCESSING) != 0 ||
         ::SetConsoleMode(stream, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING) != 0;
}

// The report is UTF-8 ("→", "…"), and a console decodes what a program
// writes with its output code page, which is the OEM one (437, 850, ...)
// by default: the arrows would come out as "â†'". The console is shared
// with the shell that started us, so its code page is put back at exit.
void use_utf8_output() {
  const UINT before = ::GetConsoleOutputCP();
  if (before == 0 || before == CP_UTF8 || ::SetConsoleOutputCP(CP_UTF8) == 0) return;
  output_code_page_before = before;
  std::atexit(restore_output_code_page);
}

}  // namespace

console_caps prepare_console() {
  console_caps caps;
  const HANDLE out = ::GetStdHandle(STD_OUTPUT_HANDLE);
  const HANDLE err = ::GetStdHandle(STD_ERROR_HANDLE);
  DWORD out_mode = 0;
  DWORD err_mode = 0;
  caps.stdout_terminal = is_console(out, out_mode);
  const bool err_console = is_console(err, err_mode);
  caps.ansi = caps.stdout_terminal && enable_virtual_terminal(out, out_mode);
  // The progress line on stderr redraws itself with ANSI sequences: a
  // console that refuses them gets no progress line rather than garbage.
  caps.stderr_terminal = err_console && enable_virtual_terminal(err, err_mode);
  if (caps.stdout_terminal || err_console) use_utf8_output();
  return caps;
}

}  // namespace reachback::client::platform
