// SPDX-License-Identifier: MIT
#include "relay/session_log.hpp"

#include <gtest/gtest.h>

namespace reachback::relay {
namespace {

using namespace std::chrono;

const system_clock::time_point example_end =
    sys_days{year{2026} / November / 24} + hours{21} + minutes{50} + milliseconds{400};

session_summary summary(std::vector<std::uint16_t> ports, std::vector<std::string> outcomes) {
  return {.ended = example_end,
          .client = "203.0.113.7:51234",
          .ports = std::move(ports),
          .outcomes = std::move(outcomes),
          .duration = milliseconds{812}};
}

TEST(SessionLog, TimestampIsUtcToTheSecond) {
  EXPECT_EQ(utc_timestamp(example_end), "2026-11-24T21:50:00Z");
  EXPECT_EQ(utc_timestamp(system_clock::time_point{}), "1970-01-01T00:00:00Z");
}

TEST(SessionLog, AKnownRttFollowsTheDuration) {
  auto with_rtt = summary({3000}, {"timeout"});
  with_rtt.rtt_ms = 80;
  EXPECT_EQ(format_session_log(with_rtt),
            "2026-11-24T21:50:00Z client=203.0.113.7:51234 port=3000 outcome=timeout "
            "duration=812ms rtt=80ms");
}

TEST(SessionLog, OneProbe) {
  EXPECT_EQ(format_session_log(summary({3000}, {"verified"})),
            "2026-11-24T21:50:00Z client=203.0.113.7:51234 port=3000 outcome=verified "
            "duration=812ms");
}

TEST(SessionLog, SeveralProbesListTheirPortsAndOutcomes) {
  EXPECT_EQ(format_session_log(summary({3000, 3000, 8080}, {"refused", "verified", "timeout"})),
            "2026-11-24T21:50:00Z client=203.0.113.7:51234 port=3000,8080 "
            "outcome=refused,verified,timeout duration=812ms");
}

TEST(SessionLog, ErrorsAndEmptySessions) {
  EXPECT_EQ(format_session_log(summary({3000}, {"verified", "error:rate_limited"})),
            "2026-11-24T21:50:00Z client=203.0.113.7:51234 port=3000 "
            "outcome=verified,error:rate_limited duration=812ms");
  EXPECT_EQ(format_session_log(summary({}, {"error:too_many_sessions"})),
            "2026-11-24T21:50:00Z client=203.0.113.7:51234 port=- "
            "outcome=error:too_many_sessions duration=812ms");
  EXPECT_EQ(format_session_log(summary({}, {})),
            "2026-11-24T21:50:00Z client=203.0.113.7:51234 port=- outcome=none duration=812ms");
}

TEST(SessionLog, Ipv6Clients) {
  auto s = summary({443}, {"foreign"});
  s.client = "[2001:db8::7]:40000";
  EXPECT_EQ(format_session_log(s),
            "2026-11-24T21:50:00Z client=[2001:db8::7]:40000 port=443 outcome=foreign "
            "duration=812ms");
}

TEST(SessionLog, JsonKeepsEveryPortAndOutcomeInOrder) {
  auto s = summary({3000, 3000, 8080}, {"refused", "verified", "error:rate_limited"});
  s.rtt_ms = 80;
  EXPECT_EQ(format_session_log(s, log_format::json),
            R"({"time":"2026-11-24T21:50:00Z","event":"session","client":"203.0.113.7:51234",)"
            R"("ports":[3000,3000,8080],"outcomes":["refused","verified","error:rate_limited"],)"
            R"("duration_ms":812,"rtt_ms":80})");
}

TEST(SessionLog, JsonSessionWithoutProbesHasEmptyArraysAndNoRtt) {
  EXPECT_EQ(format_session_log(summary({}, {}), log_format::json),
            R"({"time":"2026-11-24T21:50:00Z","event":"session","client":"203.0.113.7:51234",)"
            R"("ports":[],"outcomes":[],"duration_ms":812})");
}

TEST(SessionLog, TextNoticesAreWrittenAsGiven) {
  EXPECT_EQ(format_notice("probe-relay: listening on 0.0.0.0:4750", example_end, log_format::text),
            "probe-relay: listening on 0.0.0.0:4750");
}

TEST(SessionLog, JsonNoticesDropThePrefixAndEscapeTheMessage) {
  EXPECT_EQ(format_notice("probe-relay: cannot \"x\"", example_end, log_format::json),
            R"({"time":"2026-11-24T21:50:00Z","event":"notice","message":"cannot \"x\""})");
}

TEST(SessionLog, TheSinkWritesSessionsInItsFormatAndShowsThemToTheObserver) {
  std::vector<std::string> lines;
  std::vector<std::string> observed;
  log_sink sink([&](std::string_view line) { lines.emplace_back(line); }, log_format::json);
  sink.observe_sessions([&](const session_summary& s) { observed.push_back(s.client); });
  sink.session(summary({3000}, {"verified"}));
  sink("probe-relay: stopping");
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_TRUE(lines[0].starts_with(R"({"time":"2026-11-24T21:50:00Z","event":"session")"));
  EXPECT_NE(lines[1].find(R"("event":"notice","message":"stopping")"), std::string::npos);
  EXPECT_EQ(observed, std::vector<std::string>{"203.0.113.7:51234"});
}

}  // namespace
}  // namespace reachback::relay
