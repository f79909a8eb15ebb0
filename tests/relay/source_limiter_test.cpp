// SPDX-License-Identifier: MIT
#include "relay/source_limiter.hpp"

#include <gtest/gtest.h>

namespace reachback::relay {
namespace {

using namespace std::chrono_literals;
using clock_type = source_limiter::clock;

const clock_type::time_point t0 = clock_type::time_point{} + 1000h;

config::relay_limits limits(int per_ip, int per_minute, int total) {
  config::relay_limits l;
  l.sessions_per_ip = per_ip;
  l.probes_per_minute = per_minute;
  l.sessions_total = total;
  return l;
}

TEST(SourceLimiter, AdmitsUpToTheSessionsPerIp) {
  source_limiter limiter(limits(2, 20, 100));
  EXPECT_FALSE(limiter.begin_session("192.0.2.1", t0));
  EXPECT_FALSE(limiter.begin_session("192.0.2.1", t0));
  const auto refused = limiter.begin_session("192.0.2.1", t0);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, protocol::wire_error::too_many_sessions);
  EXPECT_NE(refused->text.find("192.0.2.1"), std::string::npos) << refused->text;
  EXPECT_FALSE(limiter.begin_session("192.0.2.2", t0)) << "another source is not affected";
  EXPECT_EQ(limiter.sessions("192.0.2.1"), 2);
  EXPECT_EQ(limiter.sessions(), 3);
}

TEST(SourceLimiter, EndingASessionFreesItsSlot) {
  source_limiter limiter(limits(1, 20, 100));
  ASSERT_FALSE(limiter.begin_session("192.0.2.1", t0));
  ASSERT_TRUE(limiter.begin_session("192.0.2.1", t0));
  limiter.end_session("192.0.2.1");
  EXPECT_FALSE(limiter.begin_session("192.0.2.1", t0));
}

TEST(SourceLimiter, EndingAnUnknownSessionChangesNothing) {
  source_limiter limiter(limits(1, 20, 100));
  limiter.end_session("192.0.2.9");
  EXPECT_EQ(limiter.sessions(), 0);
  EXPECT_EQ(limiter.tracked_sources(), 0U);
}

TEST(SourceLimiter, CapsSessionsOverall) {
  source_limiter limiter(limits(10, 20, 2));
  EXPECT_FALSE(limiter.begin_session("192.0.2.1", t0));
  EXPECT_FALSE(limiter.begin_session("192.0.2.2", t0));
  const auto refused = limiter.begin_session("192.0.2.3", t0);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, protocol::wire_error::too_many_sessions);
  EXPECT_NE(refused->text.find("limit of 2"), std::string::npos) << refused->text;
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
  ASSERT_FALSE(limiter.begin_session("192.0.2.1", t0));
  EXPECT_TRUE(limiter.allow_probe("192.0.2.1", t0));
  EXPECT_TRUE(limiter.allow_probe("192.0.2.1", t0));
  limiter.end_session("192.0.2.1");
  ASSERT_FALSE(limiter.begin_session("192.0.2.1", t0 + 1s));
  EXPECT_FALSE(limiter.allow_probe("192.0.2.1", t0 + 1s));
}

TEST(SourceLimiter, ForgetsSourcesOnceIdleAndOutOfTheWindow) {
  source_limiter limiter(limits(4, 20, 100));
  ASSERT_FALSE(limiter.begin_session("192.0.2.1", t0));
  limiter.end_session("192.0.2.1");
  EXPECT_EQ(limiter.tracked_sources(), 0U) << "no probes: nothing to remember";

  ASSERT_FALSE(limiter.begin_session("192.0.2.2", t0));
  ASSERT_TRUE(limiter.allow_probe("192.0.2.2", t0));
  limiter.end_session("192.0.2.2");
  EXPECT_EQ(limiter.tracked_sources(), 1U) << "its probe still counts";

  ASSERT_FALSE(limiter.begin_session("192.0.2.3", t0 + 2 * source_limiter::window));
  EXPECT_EQ(limiter.tracked_sources(), 1U) << "only the new source is left";
}

TEST(SourceLimiter, AdmissionEndsItsSessionWhenDestroyed) {
  source_limiter limiter(limits(1, 20, 100));
  ASSERT_FALSE(limiter.begin_session("192.0.2.1", t0));
  {
    const session_admission admitted(limiter, "192.0.2.1");
    EXPECT_EQ(limiter.sessions(), 1);
  }
  EXPECT_EQ(limiter.sessions(), 0);
}

}  // namespace
}  // namespace reachback::relay
