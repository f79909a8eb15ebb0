// SPDX-License-Identifier: MIT
#include "process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

extern char** environ;

namespace reachback::test {
namespace {

using clock = std::chrono::steady_clock;

void make_pipe(int fds[2]) {
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
}

std::chrono::milliseconds left(clock::time_point deadline) {
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()));
}

}  // namespace

child_process::child_process(std::vector<std::string> argv) {
  int in[2], out[2], err[2];
  make_pipe(in);
  make_pipe(out);
  make_pipe(err);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  const int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  stdin_ = in[1];
  stdout_ = out[0];
  stderr_ = err[0];
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
}

child_process::~child_process() {
  if (stdin_ >= 0) close(stdin_);
  if (!status_) {
    kill(pid_, SIGTERM);
    if (!wait_exit(std::chrono::seconds(2))) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  close(stdout_);
  close(stderr_);
}

bool child_process::read_some(std::chrono::milliseconds timeout) {
  pollfd fds[2] = {{stdout_, POLLIN, 0}, {stderr_, POLLIN, 0}};
  if (poll(fds, 2, static_cast<int>(timeout.count())) <= 0) return false;
  bool any = false;
  char buffer[4096];
  for (int i = 0; i < 2; ++i) {
    if (fds[i].revents == 0) continue;
    const auto n = read(fds[i].fd, buffer, sizeof buffer);
    if (n > 0) {
      (i == 0 ? out_ : err_).append(buffer, static_cast<std::size_t>(n));
      any = true;
    }
  }
  return any;
}

void child_process::drain() {
  while (read_some(std::chrono::milliseconds(0))) {
  }
}

std::optional<std::string> child_process::wait_for_line(const std::string& prefix, bool from_stderr,
                                                        std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  std::size_t scanned = 0;
  for (;;) {
    const auto& text = from_stderr ? err_ : out_;
    for (auto end = text.find('\n', scanned); end != std::string::npos; end = text.find('\n', scanned)) {
      auto line = text.substr(scanned, end - scanned);
      scanned = end + 1;
      if (line.rfind(prefix, 0) == 0) return line;
    }
    if (left(deadline).count() == 0) return std::nullopt;
    read_some(left(deadline));
  }
}

std::optional<int> child_process::wait_exit(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  const auto deadline = clock::now() + timeout;
  for (;;) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      drain();
      status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return status_;
    }
    if (left(deadline).count() == 0) return std::nullopt;
    // Output arriving or 20 ms passing both wake us: the child's exit closes
    // its pipes, which poll reports at once.
    read_some(std::min(left(deadline), std::chrono::milliseconds(20)));
  }
}

run_result run(std::vector<std::string> argv, std::chrono::milliseconds timeout) {
  child_process p(std::move(argv));
  const auto code = p.wait_exit(timeout);
  return {code.value_or(-1), p.out(), p.err()};
}

}  // namespace reachback::test
