// SPDX-License-Identifier: MIT
#include "relay/source_limiter.hpp"

#include <gtest/gtest.h>

namespace reachback::relay {
namespace {

using namespace std::chrono_literals;
using clock_type = source_limiter::clock;
using session_id = source_limiter::session_id;

const clock_type::time_point t0 = clock_type::time_point{} + 1000h;

config::relay_limits limits(int per_ip, int per_minute, int total) {
  config::relay_limits l;
  l.sessions_per_ip = per_ip;
  l.probes_per_minute = per_minute;
  l.sessions_total = total;
  return l;
}

// The admission, or a test failure naming the refusal.
source_limiter::admitted admit(source_limiter& limiter, const std::string& source,
                               clock_type::time_point now = t0) {
  auto result = limiter.begin_session(source, now);
  if (const auto* refused = std::get_if<protocol::error>(&result)) {
    ADD_FAILURE() << source << " was refused: " << refused->text;
    return {};
  }
  return std::get<source_limiter::admitted>(result);
}

// The refusal, or a test failure when the session was admitted.
protocol::error refuse(source_limiter& limiter, const std::string& source,
                       clock_type::time_point now = t0) {
  auto result = limiter.begin_session(source, now);
  if (const auto* refused = std::get_if<protocol::error>(&result)) {
    EXPECT_EQ(refused->code, protocol::wire_error::too_many_sessions);
    return *refused;
  }
  ADD_FAILURE() << source << " was admitted";
  return {};
}

TEST(SourceLimiter, AdmitsUpToTheSessionsPerSource) {
  source_limiter limiter(limits(2, 20, 100));
  admit(limiter, "192.0.2.1");
  admit(limiter, "192.0.2.1");
  const auto refused = refuse(limiter, "192.0.2.1");
  EXPECT_EQ(refused.text, "2 sessions already open from 192.0.2.1 (limit 2)");
  admit(limiter, "192.0.2.2");
  EXPECT_EQ(limiter.sessions("192.0.2.1"), 2);
  EXPECT_EQ(limiter.sessions(), 3);
}

TEST(SourceLimiter, NumbersSessionsInOrder) {
  source_limiter limiter(limits(4, 20, 100));
  const auto first = admit(limiter, "192.0.2.1");
  const auto second = admit(limiter, "192.0.2.1");
  EXPECT_LT(first.id, second.id);
  EXPECT_FALSE(first.shed);
}

TEST(SourceLimiter, EndingASessionFreesItsSlot) {
  source_limiter limiter(limits(1, 20, 100));
  const auto first = admit(limiter, "192.0.2.1");
  refuse(limiter, "192.0.2.1");
  limiter.end_session(first.id);
  admit(limiter, "192.0.2.1");
}

TEST(SourceLimiter, EndingAnUnknownSessionChangesNothing) {
  source_limiter limiter(limits(1, 20, 100));
  const auto kept = admit(limiter, "192.0.2.1");
  limiter.end_session(kept.id + 1);
  EXPECT_EQ(limiter.sessions(), 1);
  EXPECT_EQ(limiter.tracked_sources(), 1U);
}

TEST(SourceLimiter, CapsSessionsOverallWhenNoneIsIdle) {
  source_limiter limiter(limits(10, 20, 2));
  limiter.set_idle(admit(limiter, "192.0.2.1").id, false);
  limiter.set_idle(admit(limiter, "192.0.2.2").id, false);
  const auto refused = refuse(limiter, "192.0.2.3");
  EXPECT_EQ(refused.text, "the relay is at its limit of 2 sessions; try again shortly");
}

TEST(SourceLimiter, AFullPoolShedsTheOldestIdleSessionForANewcomer) {
  source_limiter limiter(limits(4, 20, 4));
  const auto busy = admit(limiter, "192.0.2.1");
  limiter.set_idle(busy.id, false);
  const auto oldest_idle = admit(limiter, "192.0.2.2");
  const auto younger_idle = admit(limiter, "192.0.2.3");
  admit(limiter, "192.0.2.4");
  const auto newcomer = admit(limiter, "198.51.100.9");
  ASSERT_TRUE(newcomer.shed);
  EXPECT_EQ(*newcomer.shed, oldest_idle.id) << "the busy one is older but is working";
  EXPECT_EQ(limiter.sessions(), 4);
  EXPECT_EQ(limiter.sessions("192.0.2.2"), 0);
  limiter.end_session(oldest_idle.id);  // the shed session ends later: no double count
  EXPECT_EQ(limiter.sessions(), 4);
  EXPECT_EQ(limiter.sessions("192.0.2.3"), 1) << younger_idle.id;
}

TEST(SourceLimiter, ANearlyFullPoolRefusesSourcesAtTheirFairShare) {
  // 8 sessions; from 6 open (3/4) on, the fair share is 8 / holders.
  source_limiter limiter(limits(4, 20, 8));
  for (int i = 0; i < 4; ++i) {
    admit(limiter, "192.0.2.1");
  }
  admit(limiter, "192.0.2.2");
  admit(limiter, "192.0.2.2");
  // 6 open, 2 holders: a third source's share is 8 / 3 = 2.
  admit(limiter, "192.0.2.3");
  admit(limiter, "192.0.2.3");
  EXPECT_EQ(refuse(limiter, "192.0.2.3").text,
            "the relay is near its limit of 8 sessions and 2 are open from 192.0.2.3, its fair "
            "share; try again shortly");
  EXPECT_EQ(limiter.sessions(), 8);
  // Full: a new source is below its share and displaces an idle session.
  EXPECT_TRUE(admit(limiter, "192.0.2.4").shed);
}

TEST(SourceLimiter, AFloodOfIdleSourcesStillAdmitsANewOne) {
  // 250 sources x 4 idle sessions against a pool of 256.
  source_limiter limiter(limits(4, 20, 256));
  int refused = 0;
  for (int source = 0; source < 250; ++source) {
    for (int i = 0; i < 4; ++i) {
      const auto name = "10.0." + std::to_string(source) + ".1";
      refused += std::holds_alternative<protocol::error>(limiter.begin_session(name, t0)) ? 1 : 0;
    }
  }
  EXPECT_GT(refused, 0);
  EXPECT_EQ(limiter.sessions(), 256);
  const auto genuine = admit(limiter, "198.51.100.7");
  EXPECT_TRUE(genuine.shed);
  EXPECT_EQ(limiter.sessions("198.51.100.7"), 1);
}

TEST(SourceLimiter, AllowsProbesPerMinuteInASlidingWindow) {
  source_limiter limiter(limits(4, 3, 100));
  EXPECT_TRUE(limiter.allow_probe("192.0.2.1", t0));
  EXPECT_TRUE(limiter.allow_probe("192.0.2.1", t0 + 1s));
  EXPECT_TRUE(limiter.allow_probe("192.0.2.1", t0 + 2s));
  EXPECT_FALSE(limiter.allow_probe("192.0.2.1", t0 + 10s));
  EXPECT_TRUE(limiter.allow_probe("192.0.2.2", t0 + 10s)) << "budgets are per source";
  EXPECT_FALSE(limiter.allow_probe("192.0.2.1", t0 + 59s));
  EXPECT_TRUE(limiter.allow_probe("192.0.2.1", t0 + 60s)) << "the first probe left the window";
  EXPECT_FALSE(limiter.allow_probe("192.0.2.1", t0 + 60s));
  EXPECT_TRUE(limiter.allow_probe("192.0.2.1", t0 + 61s));
}

TEST(SourceLimiter, RefusedProbesDoNotExtendTheLockout) {
  source_limiter limiter(limits(4, 1, 100));
  ASSERT_TRUE(limiter.allow_probe("192.0.2.1", t0));
  for (int i = 1; i < 60; ++i) {
    ASSERT_FALSE(limiter.allow_probe("192.0.2.1", t0 + std::chrono::seconds(i)));
  }
  EXPECT_TRUE(limiter.allow_probe("192.0.2.1", t0 + 60s));
}

TEST(SourceLimiter, ReconnectingDoesNotResetTheProbeBudget) {
  source_limiter limiter(limits(4, 2, 100));
  const auto first = admit(limiter, "192.0.2.1");
  EXPECT_TRUE(limiter.allow_probe("192.0.2.1", t0));
  EXPECT_TRUE(limiter.allow_probe("192.0.2.1", t0));
  limiter.end_session(first.id);
  admit(limiter, "192.0.2.1", t0 + 1s);
  EXPECT_FALSE(limiter.allow_probe("192.0.2.1", t0 + 1s));
}

TEST(SourceLimiter, ForgetsSourcesOnceIdleAndOutOfTheWindow) {
  source_limiter limiter(limits(4, 20, 100));
  limiter.end_session(admit(limiter, "192.0.2.1").id);
  EXPECT_EQ(limiter.tracked_sources(), 0U) << "no probes: nothing to remember";

  const auto second = admit(limiter, "192.0.2.2");
  ASSERT_TRUE(limiter.allow_probe("192.0.2.2", t0));
  limiter.end_session(second.id);
  EXPECT_EQ(limiter.tracked_sources(), 1U) << "its probe still counts";

  admit(limiter, "192.0.2.3", t0 + 2 * source_limiter::window);
  EXPECT_EQ(limiter.tracked_sources(), 1U) << "only the new source is left";
}

TEST(SourceLimiter, RemembersAtMostItsBoundOfSources) {
  constexpr std::size_t bound = 8;
  source_limiter limiter(limits(4, 20, 100), bound);
  admit(limiter, "192.0.2.200");  // the oldest, but it holds a session
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(limiter.allow_probe("192.0.2." + std::to_string(i), t0 + std::chrono::seconds(i)));
    ASSERT_LE(limiter.tracked_sources(), bound) << "after source " << i;
  }
  EXPECT_EQ(limiter.sessions("192.0.2.200"), 1) << "a source with a session is never forgotten";
}

TEST(SourceLimiter, ForgetsTheSourceWhoseLastProbeIsOldestFirst) {
  constexpr std::size_t bound = 8;
  source_limiter limiter(limits(4, 1, 100), bound);
  for (int i = 0; i <= static_cast<int>(bound); ++i) {
    ASSERT_TRUE(limiter.allow_probe("192.0.2." + std::to_string(i), t0 + std::chrono::seconds(i)));
  }
  const auto later = t0 + 20s;
  EXPECT_FALSE(limiter.allow_probe("192.0.2.8", later)) << "the newest is remembered";
  EXPECT_TRUE(limiter.allow_probe("192.0.2.0", later)) << "the oldest was forgotten";
}

}  // namespace
}  // namespace reachback::relay
