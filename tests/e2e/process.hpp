// SPDX-License-Identifier: MIT
#pragma once
// A child process for end-to-end tests: argv in, stdout and stderr captured,
// waits bounded by deadlines so a hung child fails the test, never the run.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace reachback::test {

class child_process {
 public:
  /// Starts `argv[0]` with the given arguments and a stdin pipe kept open
  /// until close_stdin() or destruction (fake-peer exits when it closes).
  explicit child_process(std::vector<std::string> argv);
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// Reads stdout (or stderr) until a line starting with `prefix` arrives.
  [[nodiscard]] std::optional<std::string> wait_for_line(const std::string& prefix, bool from_stderr,
                                                         std::chrono::milliseconds timeout);
  /// Waits for the exit and drains both pipes; nullopt on timeout (then kills).
  [[nodiscard]] std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  /// Everything read from stdout / stderr so far.
  [[nodiscard]] const std::string& out() const { return out_; }
  [[nodiscard]] const std::string& err() const { return err_; }
  /// Reads whatever is buffered without waiting.
  void drain();
  [[nodiscard]] pid_t pid() const { return pid_; }

 private:
  bool read_some(std::chrono::milliseconds timeout);
  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  int stderr_ = -1;
  std::string out_;
  std::string err_;
  std::optional<int> status_;
};

/// Runs to completion: exit code, stdout, stderr.
struct run_result {
  int exit_code = -1;
  std::string out;
  std::string err;
};
[[nodiscard]] run_result run(std::vector<std::string> argv, std::chrono::milliseconds timeout);

}  // namespace reachback::test
