// SPDX-License-Identifier: MIT
#include "unprivileged.hpp"

#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>

#include "client/platform/posix_io.hpp"

namespace reachback::client::test {

namespace {

constexpr int child_timeout_ms = 5000;
constexpr unsigned nobody = 65534;

[[noreturn]] void child(int out, const std::function<std::string()>& body) {
  // Keep only stdio and the pipe: sockets inherited from the test would
  // otherwise belong to this child, and it would see itself as their owner.
  constexpr int pipe_fd = 3;
  if (::dup2(out, pipe_fd) != pipe_fd || ::close_range(pipe_fd + 1, ~0U, 0) != 0) _exit(2);
  // Dropping the uid from root clears every capability as well.
  if (::setgroups(0, nullptr) != 0 || ::setgid(nobody) != 0 || ::setuid(nobody) != 0) _exit(2);
  const auto text = body();
  const bool written =
      ::write(pipe_fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  _exit(written ? 0 : 3);  // _exit: no gtest or static teardown in the child
}

std::optional<std::string> read_until_eof(int fd) {
  std::string text;
  for (;;) {
    pollfd readable{fd, POLLIN, 0};
    if (::poll(&readable, 1, child_timeout_ms) != 1) return std::nullopt;
    std::array<char, 512> chunk{};
    const ssize_t n = ::read(fd, chunk.data(), chunk.size());
    if (n < 0) return std::nullopt;
    if (n == 0) return text;
    text.append(chunk.data(), static_cast<std::size_t>(n));
  }
}

}  // namespace

std::optional<std::string> run_unprivileged(const std::function<std::string()>& body) {
  std::array<int, 2> pipe_fds{};
  if (::pipe(pipe_fds.data()) != 0) return std::nullopt;
  platform::unique_fd read_end(pipe_fds[0]);
  platform::unique_fd write_end(pipe_fds[1]);
  const pid_t pid = ::fork();
  if (pid < 0) return std::nullopt;
  if (pid == 0) {
    read_end.reset();
    child(write_end.get(), body);
  }
  write_end.reset();
  auto text = read_until_eof(read_end.get());
  if (!text) ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  return text;
}

}  // namespace reachback::client::test
