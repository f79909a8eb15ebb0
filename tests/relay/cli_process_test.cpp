// SPDX-License-Identifier: MIT
// probe-relay as a process: it announces its ephemeral port on stderr,
// serves a session, logs it, and exits 0 on SIGTERM; bind and config
// failures are one line and exit codes 1 and 2; out of file descriptors, a
// probe gets an `internal` error, never a result. Waits use poll() on the
// stderr pipe and on a pidfd, never sleeps.
#include "loopback_harness.hpp"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

extern char** environ;

namespace reachback::relay::test {
namespace {

class relay_process {
 public:
  explicit relay_process(const std::vector<std::string>& args) {
    int pipe_fds[2] = {-1, -1};
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
      throw std::system_error(errno, std::system_category(), "pipe2");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    std::vector<std::string> argv_text = {PROBE_RELAY_BINARY};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : argv_text) {
      argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    const int spawned =
        ::posix_spawn(&pid_, PROBE_RELAY_BINARY, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[1]);
    stderr_ = pipe_fds[0];
    if (spawned != 0) {
      throw std::system_error(spawned, std::system_category(), "posix_spawn");
    }
    pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  }
  ~relay_process() {
    if (!exit_code_) {
      ::kill(pid_, SIGKILL);
      wait_exit(5s);
    }
    ::close(stderr_);
    if (pidfd_ >= 0) {
      ::close(pidfd_);
    }
  }
  relay_process(const relay_process&) = delete;
  relay_process& operator=(const relay_process&) = delete;

  /// The next stderr line, or nullopt at EOF or after `limit`.
  std::optional<std::string> read_line(std::chrono::milliseconds limit = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      if (const auto end = buffered_.find('\n'); end != std::string::npos) {
        auto line = buffered_.substr(0, end);
        buffered_.erase(0, end + 1);
        return line;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd readable{.fd = stderr_, .events = POLLIN, .revents = 0};
      if (left.count() <= 0 || ::poll(&readable, 1, static_cast<int>(left.count())) <= 0) {
        return std::nullopt;
      }
      std::array<char, 512> chunk{};
      const auto n = ::read(stderr_, chunk.data(), chunk.size());
      if (n <= 0) {
        return std::nullopt;
      }
      buffered_.append(chunk.data(), static_cast<std::size_t>(n));
    }
  }

  /// Every stderr line until EOF (the process has exited).
  std::vector<std::string> remaining_lines() {
    std::vector<std::string> lines;
    while (auto line = read_line(2s)) {
      lines.push_back(std::move(*line));
    }
    return lines;
  }

  /// The exit code once the process ends within `limit`.
  std::optional<int> wait_exit(std::chrono::milliseconds limit) {
    if (exit_code_) {
      return exit_code_;
    }
    pollfd exited{.fd = pidfd_, .events = POLLIN, .revents = 0};
    if (pidfd_ >= 0 && ::poll(&exited, 1, static_cast<int>(limit.count())) <= 0) {
      return std::nullopt;
    }
    int status = 0;
    if (::waitpid(pid_, &status, 0) != pid_) {
      return std::nullopt;
    }
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return exit_code_;
  }

  void signal(int number) const { ::kill(pid_, number); }
  [[nodiscard]] pid_t pid() const noexcept { return pid_; }

 private:
  pid_t pid_ = -1;
  int stderr_ = -1;
  int pidfd_ = -1;
  std::string buffered_;
  std::optional<int> exit_code_;
};

/// The port `relay` announced on its first line.
std::uint16_t announced_port(relay_process& relay) {
  const auto announced = relay.read_line();
  const std::regex listening(R"(probe-relay: listening on 127\.0\.0\.1:(\d+))");
  std::smatch match;
  if (!announced || !std::regex_match(*announced, match, listening)) {
    throw std::runtime_error("probe-relay did not announce its port: " + announced.value_or("EOF"));
  }
  return static_cast<std::uint16_t>(std::stoi(match[1]));
}

TEST(ProbeRelayProcess, AnnouncesItsPortServesAndStopsOnSigterm) {
  relay_process relay({"--config", PROCESS_RELAY_CONFIG});
  const auto port = announced_port(relay);

  asio::io_context ctx{1};
  transcript t;
  bool finished = false;
  asio::co_spawn(ctx, talk(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                           {hello_frame()}, t),
                 [&](const std::exception_ptr& e) {
                   finished = true;
                   if (e) {
                     std::rethrow_exception(e);
                   }
                 });
  ctx.run_for(5s);
  ASSERT_TRUE(finished);
  ASSERT_EQ(t.replies.size(), 1U);
  ASSERT_NE(as<protocol::welcome>(t.replies[0]), nullptr);

  const auto session_line = relay.read_line();
  ASSERT_TRUE(session_line);
  EXPECT_NE(session_line->find(" client=127.0.0.1:"), std::string::npos) << *session_line;
  EXPECT_NE(session_line->find(" outcome=none "), std::string::npos) << *session_line;

  relay.signal(SIGTERM);
  EXPECT_EQ(relay.wait_exit(5s), 0);
}

TEST(ProbeRelayProcess, ABusyPortIsOneLineAndExitCode1) {
  asio::io_context ctx{1};
  tcp::acceptor holder(ctx, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto busy = "127.0.0.1:" + std::to_string(holder.local_endpoint().port());
  relay_process relay({"--config", PROCESS_RELAY_CONFIG, "--listen", busy});
  EXPECT_EQ(relay.wait_exit(5s), 1);
  const auto lines = relay.remaining_lines();
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_EQ(lines[0].rfind("probe-relay: cannot listen on " + busy + ": ", 0), 0U) << lines[0];
}

TEST(ProbeRelayProcess, AMalformedConfigIsOneLineAndExitCode2) {
  const auto file = std::filesystem::temp_directory_path() /
                    ("probe-relay-test-" + std::to_string(::getpid()) + ".toml");
  std::ofstream(file) << "listen = 5\n";
  relay_process relay({"--config", file.string()});
  EXPECT_EQ(relay.wait_exit(5s), 2);
  const auto lines = relay.remaining_lines();
  std::filesystem::remove(file);
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_EQ(lines[0].rfind("probe-relay: ", 0), 0U) << lines[0];
}

}  // namespace
}  // namespace reachback::relay::test
