// SPDX-License-Identifier: MIT
// The relay out of file descriptors, end to end: probe-relay starts under a
// low hard limit (it warns that sessions_total needs more), then its soft
// limit is cut to what it holds plus two, so the control connection is accepted
// but the probe's sockets cannot all open. probe-client must exit 3 with
// the one line that says the relay is overloaded, never a verdict; once the
// limit is back, the same relay gives a verdict again.

#include <sys/resource.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <string>

#include "process.hpp"
#include "tests/support/reserved_port.hpp"

namespace reachback::test {
namespace {

using namespace std::chrono_literals;

constexpr rlim_t start_limit = 64;

/// Descriptors `pid` holds open now.
rlim_t open_fds(pid_t pid) {
  const std::filesystem::path dir = "/proc/" + std::to_string(pid) + "/fd";
  return static_cast<rlim_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
}

/// Sets the soft limit of `pid`, which needs no privilege up to the hard one.
bool set_soft_fd_limit(pid_t pid, rlim_t soft) {
  rlimit limit{};
  if (::prlimit(pid, RLIMIT_NOFILE, nullptr, &limit) != 0) return false;
  limit.rlim_cur = soft;
  return ::prlimit(pid, RLIMIT_NOFILE, &limit, nullptr) == 0;
}

std::size_t line_count(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

run_result probe_through(const std::string& relay) {
  return run({PROBE_CLIENT, "--relay", relay, "--port", reserved_tcp_port().text(), "--timeout", "10"}, 30s);
}

TEST(relay_out_of_fds, the_client_says_overloaded_and_gives_no_verdict) {
  child_process relay({"/usr/bin/prlimit", "--nofile=" + std::to_string(start_limit), PROBE_RELAY, "--config",
                       E2E_RELAY_CONFIG, "--listen", "127.0.0.1:0"});
  const auto listening = relay.wait_for_line("probe-relay: listening on ", true, 10s);
  ASSERT_TRUE(listening) << relay.err();
  const auto endpoint = listening->substr(listening->rfind(' ') + 1);
  // prlimit execs the relay: same pid.
  EXPECT_TRUE(relay.wait_for_line("probe-relay: warning: the open file limit (64) is below the ", true, 1s))
      << relay.err();

  // Room for the control connection and one probe socket, not for the
  // connect-back, the control probe and the sweep's TTLs at once.
  ASSERT_TRUE(set_soft_fd_limit(relay.pid(), open_fds(relay.pid()) + 2));
  const auto starved = probe_through(endpoint);
  EXPECT_EQ(starved.exit_code, 3) << starved.err << starved.out;
  EXPECT_EQ(line_count(starved.err), 1U) << starved.err;
  EXPECT_NE(starved.err.find(": the relay is overloaded; try again (the relay failed: "), std::string::npos)
      << starved.err;
  EXPECT_NE(starved.err.find("out of file descriptors (EMFILE)"), std::string::npos) << starved.err;
  EXPECT_TRUE(starved.out.empty()) << "a verdict from a starved relay: " << starved.out;
  const auto logged = relay.wait_for_line("probe-relay: session with 127.0.0.1:", true, 5s);
  ASSERT_TRUE(logged) << relay.err();
  EXPECT_NE(logged->find(" failed: "), std::string::npos) << *logged;
  EXPECT_NE(logged->find("(EMFILE)"), std::string::npos) << *logged;

  ASSERT_TRUE(set_soft_fd_limit(relay.pid(), start_limit));
  const auto recovered = probe_through(endpoint);
  EXPECT_EQ(recovered.exit_code, 0) << recovered.err << recovered.out;
}

}  // namespace
}  // namespace reachback::test
