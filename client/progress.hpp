// SPDX-License-Identifier: MIT
#pragma once
// The one-line progress display on stderr while the client waits.

#include <iosfwd>
#include <string>

namespace reachback::client {

class progress_line {
 public:
  /// Draws only when `enabled` (stderr is a terminal).
  progress_line(std::ostream& out, bool enabled);
  ~progress_line();
  progress_line(const progress_line&) = delete;
  progress_line& operator=(const progress_line&) = delete;

  /// Replaces the line with the current stage.
  void stage(const std::string& text);
  /// Erases the line, before the report or an error is printed.
  void clear();

 private:
  std::ostream& out_;
  bool enabled_;
  bool drawn_ = false;
};

}  // namespace reachback::client
