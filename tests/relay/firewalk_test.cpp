// SPDX-License-Identifier: MIT
// run_firewalk's rounds against a scripted path: the probe is a fake that
// answers each TTL after a set delay, or stays silent for longer than the
// test may run, so a sweep that finishes proves that its silent probes were
// stopped; or fails locally, which ends the sweep. No sockets, no traffic.
#include "relay/firewalk.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "relay/io_timeouts.hpp"

namespace reachback::relay {
namespace {

using namespace std::chrono_literals;

const std::string home = "203.0.113.7";
const std::string isp = "192.0.2.1";

// Longer than the test's bound (run_for below): a probe that waits this
// long must have been stopped for the sweep to finish.
constexpr auto never = 60s;
constexpr auto soon = 5ms;

// What one probe of one TTL gets: `reply` from `from` after `after`, or
// the relay's own failure when `local` is set.
struct step {
  std::chrono::milliseconds after = soon;
  sweep_reply reply = sweep_reply::silence;
  std::string from;
  std::optional<std::string> local;
};

step answer(sweep_reply reply, std::string from) { return {soon, reply, std::move(from), {}}; }
step silent_for(std::chrono::milliseconds after) { return {after, sweep_reply::silence, "", {}}; }
step fails_locally(std::string what) { return {soon, sweep_reply::silence, "", std::move(what)}; }

// The path: per TTL, the steps of its first, second, ... probe. A TTL
// without a step left hangs (silent for `never`).
struct scripted_path {
  std::map<int, std::vector<step>> script;
  std::map<int, int> sent;  ///< probes per TTL
  std::vector<int> stopped;  ///< TTLs whose probe was cancelled
};

asio::awaitable<or_local_failure<sweep_hop>> scripted_probe(scripted_path& path, int ttl) {
  const auto attempt = static_cast<std::size_t>(path.sent[ttl]++);
  const auto& steps = path.script[ttl];
  const step what = attempt < steps.size() ? steps[attempt] : step{never, {}, "", {}};
  asio::steady_timer timer(co_await asio::this_coro::executor, what.after);
  const auto [ec] = co_await timer.async_wait(use_nothrow);
  sweep_hop hop;
  hop.ttl = ttl;
  hop.attempts = 1;
  if (ec) {
    path.stopped.push_back(ttl);
  } else if (what.local) {
    co_return local_failure{*what.local};
  } else {
    hop.reply = what.reply;
    hop.from = what.from;
  }
  co_return hop;
}

struct swept {
  bool finished = false;
  ttl_sweep sweep;
  std::optional<local_failure> failure;
};

swept sweep_over(scripted_path& path, int max_ttl, int retries) {
  asio::io_context ctx;
  swept out;
  probe_clock clock(deadlines{});
  const dial_route route{asio::ip::tcp::endpoint(asio::ip::make_address(home), 3000), {}};
  const sweep_limits limits{.max_ttl = max_ttl, .retries = retries, .retry_pause = soon};
  ttl_probe probe = [&path](dial_route, int ttl, probe_clock&) {
    return scripted_probe(path, ttl);
  };
  asio::co_spawn(ctx, run_firewalk(route, limits, clock, probe),
                 [&](std::exception_ptr e, or_local_failure<ttl_sweep> sweep) {
                   if (e) std::rethrow_exception(e);
                   out.finished = true;
                   if (auto* failed = std::get_if<local_failure>(&sweep)) {
                     out.failure = std::move(*failed);
                   } else {
                     out.sweep = std::get<ttl_sweep>(std::move(sweep));
                   }
                 });
  ctx.run_for(5s);
  return out;
}

std::vector<int> ttls_of(const ttl_sweep& sweep) {
  std::vector<int> ttls;
  for (const auto& hop : sweep.hops) ttls.push_back(hop.ttl);
  return ttls;
}

std::vector<int> sorted(std::vector<int> ttls) {
  std::ranges::sort(ttls);
  return ttls;
}

// udp-room-no-forward in the lab: the room router at TTL 3 answers port
// unreachable for the first few datagrams that reach it, then its ICMP rate
// limit keeps it silent.
TEST(Firewalk, StopsTheProbesPastTheFirstUnreachable) {
  scripted_path path;
  path.script[1] = {answer(sweep_reply::time_exceeded, isp)};
  path.script[2] = {answer(sweep_reply::time_exceeded, home)};
  for (int ttl = 3; ttl <= 7; ++ttl) path.script[ttl] = {answer(sweep_reply::unreachable, home)};
  const auto out = sweep_over(path, 16, 1);
  ASSERT_TRUE(out.finished) << "the sweep waited for the silent TTLs past the answer";
  EXPECT_EQ(ttls_of(out.sweep), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(out.sweep.hops[2].reply, sweep_reply::unreachable);
  EXPECT_EQ(out.sweep.public_distance, 2);
  // TTLs 4 to 7 answer as soon as TTL 3 does: on a busy machine some are
  // stopped before their answer is in, the rest are answered and dropped.
  const auto stopped = sorted(path.stopped);
  EXPECT_TRUE(std::ranges::includes(stopped, std::vector<int>{8, 9, 10, 11, 12, 13, 14, 15, 16}))
      << testing::PrintToString(stopped);
  EXPECT_GT(stopped.front(), 3) << "a probe at or below the terminal TTL was stopped";
  EXPECT_EQ(path.sent[3], 1) << "no retry round: nothing below TTL 3 was silent";
}

TEST(Firewalk, ATtlBelowTheTerminalOneKeepsTheRoundOpen) {
  scripted_path path;
  path.script[1] = {{100ms, sweep_reply::time_exceeded, isp, {}}};  // a slow router
  path.script[2] = {answer(sweep_reply::unreachable, home)};
  const auto out = sweep_over(path, 4, 0);
  ASSERT_TRUE(out.finished);
  EXPECT_EQ(ttls_of(out.sweep), (std::vector<int>{1, 2}));
  EXPECT_EQ(out.sweep.hops[0].reply, sweep_reply::time_exceeded) << "TTL 1 was waited for";
  EXPECT_EQ(sorted(path.stopped), (std::vector<int>{3, 4}));
}

// The rate limit took the first round's answers past TTL 1; the retry
// round finds the terminal TTL and stops its own probes past it.
TEST(Firewalk, ARetryRoundStopsPastItsTerminalAnswerToo) {
  scripted_path path;
  path.script[1] = {answer(sweep_reply::time_exceeded, isp)};
  for (int ttl = 2; ttl <= 5; ++ttl) path.script[ttl] = {silent_for(20ms)};
  path.script[2].push_back(answer(sweep_reply::unreachable, home));
  const auto out = sweep_over(path, 5, 1);
  ASSERT_TRUE(out.finished);
  EXPECT_EQ(ttls_of(out.sweep), (std::vector<int>{1, 2}));
  EXPECT_EQ(out.sweep.hops[1].reply, sweep_reply::unreachable);
  EXPECT_EQ(out.sweep.hops[1].attempts, 2);
  EXPECT_EQ(sorted(path.stopped), (std::vector<int>{3, 4, 5}));
}

TEST(Firewalk, WithoutATerminalAnswerEveryProbeRunsItsCourse) {
  scripted_path path;
  path.script[1] = {answer(sweep_reply::time_exceeded, isp)};
  path.script[2] = {silent_for(20ms), silent_for(20ms)};
  path.script[3] = {silent_for(20ms), silent_for(20ms)};
  const auto out = sweep_over(path, 3, 1);
  ASSERT_TRUE(out.finished);
  EXPECT_EQ(ttls_of(out.sweep), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(out.sweep.hops[2].attempts, 2) << "silence is retried";
  EXPECT_TRUE(path.stopped.empty());
}

// Out of descriptors at TTL 2: the sweep says so and nothing else, stops
// the probes still out and retries nothing, though TTL 3 stayed silent.
TEST(Firewalk, ALocalFailureEndsTheSweepWithItAlone) {
  scripted_path path;
  path.script[1] = {answer(sweep_reply::time_exceeded, isp)};
  path.script[2] = {fails_locally("sweep TTL 2: out of file descriptors (EMFILE)")};
  const auto out = sweep_over(path, 3, 1);
  ASSERT_TRUE(out.finished) << "the sweep waited for TTL 3 after failing";
  ASSERT_TRUE(out.failure);
  EXPECT_EQ(out.failure->what, "sweep TTL 2: out of file descriptors (EMFILE)");
  EXPECT_EQ(path.stopped, (std::vector<int>{3}));
  EXPECT_EQ(path.sent[3], 1) << "no retry round after a local failure";
}

}  // namespace
}  // namespace reachback::relay
