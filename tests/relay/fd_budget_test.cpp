// SPDX-License-Identifier: MIT
// What the relay's descriptors are counted as, and when it warns.
#include "relay/fd_budget.hpp"

#include <gtest/gtest.h>

namespace reachback::relay {
namespace {

TEST(FdsPerSession, CountsEverySocketASessionHoldsAtOnce) {
  // Control connection 1, connect-back 2, control probe 2, one per TTL.
  EXPECT_EQ(fds_per_session(16, true), 21U);
  EXPECT_EQ(fds_per_session(16, false), 5U);
}

TEST(FdsNeeded, TheDefaultsNeedMoreThanTheCommon1024) {
  const config::relay_config defaults;
  // 16 fixed, 2 listeners, 256 sessions of 21.
  EXPECT_EQ(fds_needed(defaults), 16U + 2U + 256U * 21U);
  EXPECT_GT(fds_needed(defaults), 1024U);
}

TEST(FdsNeeded, TheSweepCountsAfterItsHardBounds) {
  config::relay_config config;
  config.listen = {"127.0.0.1:4750"};
  config.limits.sessions_total = 10;
  config.sweep.max_ttl = 1000;  // capped at 64
  EXPECT_EQ(fds_needed(config), 16U + 1U + 10U * (5U + 64U));
}

TEST(FdLimitWarning, SaysWhatToRaiseWhenTheLimitIsShort) {
  const auto warning = fd_limit_warning(1024, 5400, 256);
  ASSERT_TRUE(warning);
  EXPECT_EQ(*warning,
            "probe-relay: warning: the open file limit (1024) is below the 5400 that 256 sessions "
            "(limits.sessions_total) may need; raise it (LimitNOFILE=, ulimit -n) or lower "
            "sessions_total: a probe that finds no descriptor free gets an internal error");
}

TEST(FdLimitWarning, IsQuietWhenTheLimitIsEnough) {
  EXPECT_EQ(fd_limit_warning(5400, 5400, 256), std::nullopt);
  EXPECT_EQ(fd_limit_warning(1048576, 5400, 256), std::nullopt);
}

}  // namespace
}  // namespace reachback::relay
