// SPDX-License-Identifier: MIT
#include "relay/deadlines.hpp"

#include <gtest/gtest.h>

#include "relay/probe.hpp"

#include <optional>
#include <ostream>
#include <string>

namespace reachback::relay {

// Failures print the waits rather than a byte dump.
void PrintTo(const deadlines& d, std::ostream* os) {
  *os << "{connect " << d.connect.count() << " ms, hop " << d.hop.count() << " ms}";
}

namespace {

using namespace std::chrono_literals;
using std::chrono::microseconds;
using std::chrono::milliseconds;

struct wait_case {
  std::string name;
  std::optional<microseconds> rtt;
  milliseconds connect;
  milliseconds hop;
  friend void PrintTo(const wait_case& c, std::ostream* os) { *os << c.name; }
};

class Deadlines : public testing::TestWithParam<wait_case> {};

TEST_P(Deadlines, FollowTheRtt) {
  const auto& c = GetParam();
  EXPECT_EQ(wait_for(c.rtt, deadline_limits{}), (deadlines{.connect = c.connect, .hop = c.hop}));
}

// With the default limits: connect 3 RTT + 200 ms in 500..5000 ms, hop
// 1.5 RTT + 50 ms in 200..3000 ms; unknown keeps 1800 and 700 ms.
INSTANTIATE_TEST_SUITE_P(
    Table, Deadlines,
    testing::Values(
        wait_case{"unknown_keeps_the_fixed_waits", std::nullopt, 1'800ms, 700ms},
        wait_case{"zero_is_unknown", 0us, 1'800ms, 700ms},
        wait_case{"loopback_gets_the_floors", 50us, 500ms, 200ms},
        wait_case{"lan_1ms", 1'000us, 500ms, 200ms},
        wait_case{"city_20ms", 20'000us, 500ms, 200ms},
        wait_case{"lab_80ms", 80'000us, 500ms, 200ms},
        wait_case{"continent_150ms", 150'000us, 650ms, 275ms},
        wait_case{"satellite_geo_600ms", 600'000us, 2'000ms, 950ms},
        wait_case{"bad_satellite_900ms", 900'000us, 2'900ms, 1'400ms},
        wait_case{"sub_millisecond_rounds_up", 100'001us, 501ms, 201ms},
        wait_case{"very_long_hits_the_caps", 2'000'000us, 5'000ms, 3'000ms},
        wait_case{"absurd_does_not_overflow", microseconds::max(), 5'000ms, 3'000ms}),
    [](const auto& p) { return p.param.name; });

TEST(Deadlines, A600MsSatelliteIsNotSilence) {
  // Both attempts of the connect-back must have their answer inside the
  // wait with room to spare: the second starts at a quarter of it.
  const auto rtt = 600ms;
  const auto waits = wait_for(microseconds(rtt), deadline_limits{});
  EXPECT_GE(waits.connect, waits.connect / 4 + rtt + rtt / 2);
  EXPECT_GE(waits.hop, rtt + rtt / 2);
}

TEST(Deadlines, An80MsLineIsNotHeldForTheFixedWaits) {
  const auto waits = wait_for(microseconds(80ms), deadline_limits{});
  EXPECT_LE(waits.connect, 500ms);
  EXPECT_LE(waits.hop, 300ms);
}

TEST(Deadlines, TheRetryAlwaysFitsBelowTheCap) {
  // For every RTT whose wait is not capped, the second attempt's answer is
  // due at least 1.25 RTT + 150 ms before the wait ends.
  for (auto rtt = 0ms; rtt <= 1'600ms; rtt += 10ms) {
    const auto waits = wait_for(microseconds(rtt) + 1us, deadline_limits{});
    EXPECT_GE(waits.connect - (waits.connect / 4 + rtt), rtt + rtt / 4 + 140ms)
        << rtt.count() << " ms";
  }
}

TEST(Deadlines, FloorsAndCapsComeFromTheLimits) {
  const deadline_limits limits{.connect_unknown = 3'000ms,
                               .connect_floor = 1'000ms,
                               .connect_cap = 1'200ms,
                               .hop_unknown = 900ms,
                               .hop_floor = 50ms,
                               .hop_cap = 100ms};
  EXPECT_EQ(wait_for(std::nullopt, limits), (deadlines{.connect = 3'000ms, .hop = 900ms}));
  EXPECT_EQ(wait_for(microseconds(1ms), limits), (deadlines{.connect = 1'000ms, .hop = 52ms}));
  EXPECT_EQ(wait_for(microseconds(500ms), limits), (deadlines{.connect = 1'200ms, .hop = 100ms}));
  const deadline_limits fixed{.connect_unknown = 1'800ms,
                              .connect_floor = 700ms,
                              .connect_cap = 700ms,
                              .hop_unknown = 700ms,
                              .hop_floor = 300ms,
                              .hop_cap = 300ms};
  EXPECT_EQ(wait_for(microseconds(80ms), fixed), (deadlines{.connect = 700ms, .hop = 300ms}));
}

TEST(Deadlines, TheConfigSetsTheLimits) {
  config::relay_config config;
  config.timeouts.connect = 2'500ms;
  config.timeouts.connect_min = 600ms;
  config.timeouts.connect_max = 4'000ms;
  config.sweep.hop_timeout = 800ms;
  config.sweep.hop_timeout_min = 10ms;  // the sweep's hard bounds still apply
  config.sweep.hop_timeout_max = 2'000ms;
  EXPECT_EQ(probe_settings_from(config).deadlines, (deadline_limits{.connect_unknown = 2'500ms,
                                                                    .connect_floor = 600ms,
                                                                    .connect_cap = 4'000ms,
                                                                    .hop_unknown = 800ms,
                                                                    .hop_floor = 50ms,
                                                                    .hop_cap = 2'000ms}));
  EXPECT_EQ(probe_settings_from(config::relay_config{}).deadlines, deadline_limits{});
}

}  // namespace
}  // namespace reachback::relay
