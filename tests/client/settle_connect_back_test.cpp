// SPDX-License-Identifier: MIT
#include "client/settle_connect_back.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace reachback::client {
namespace {

connect_back_result handshake(connect_outcome outcome = connect_outcome::connected) {
  connect_back_result r;
  r.outcome = outcome;
  r.dialed_address = "198.51.100.2";
  r.port = 3000;
  r.connect_ms = 80;
  r.total_ms = 81;
  r.attempts = 1;
  return r;
}

connect_back_result answered(connect_outcome outcome, std::string banner) {
  auto r = handshake();
  r.outcome = outcome;
  r.banner = std::move(banner);
  r.silent = r.banner.empty() && outcome == connect_outcome::foreign;
  r.total_ms = 161;
  return r;
}

TEST(settle_connect_back, a_final_outcome_is_kept_as_reported) {
  for (const auto outcome : {connect_outcome::refused, connect_outcome::unreachable,
                             connect_outcome::timeout, connect_outcome::verified,
                             connect_outcome::foreign}) {
    const auto reported = handshake(outcome);
    EXPECT_EQ(settle_connect_back({.reported = reported, .answer = std::nullopt, .agent_greeted = true, .waited_ms = 5}),
              reported);
  }
}

TEST(settle_connect_back, a_udp_result_is_final_as_reported) {
  // UDP has no handshake: the relay's one probe_result already says who
  // answered (an echo server's copy of the probe), or which hop refused.
  auto echoed = handshake(connect_outcome::foreign);
  echoed.banner = "REACHBACK-UDP-PROBE 0123456789abcdef0123456789abcdef\\x0a";
  auto refused = handshake(connect_outcome::unreachable);
  refused.icmp = icmp_info{3, 3, "198.51.100.2"};
  refused.reply_ttl = 60;
  for (const auto& reported : {echoed, refused}) {
    EXPECT_EQ(settle_connect_back({.reported = reported, .answer = std::nullopt, .agent_greeted = false,
                                   .answer_awaited = true, .waited_ms = 0}),
              reported);
  }
}

TEST(settle_connect_back, the_greeting_alone_verifies) {
  const auto settled =
      settle_connect_back({.reported = handshake(), .answer = std::nullopt, .agent_greeted = true, .waited_ms = 0.5});
  EXPECT_EQ(settled.outcome, connect_outcome::verified);
  EXPECT_FALSE(settled.silent);
  EXPECT_DOUBLE_EQ(settled.total_ms, 81.5);
}

TEST(settle_connect_back, the_greeting_outweighs_an_answer_that_missed_the_proof) {
  const auto settled = settle_connect_back({.reported = handshake(),
                                            .answer = answered(connect_outcome::foreign, ""),
                                            .agent_greeted = true});
  EXPECT_EQ(settled.outcome, connect_outcome::verified);
  EXPECT_FALSE(settled.silent);
}

TEST(settle_connect_back, an_answer_in_time_is_taken_whole) {
  const auto answer = answered(connect_outcome::foreign, "SSH-2.0-desk\r\n");
  EXPECT_EQ(settle_connect_back({.reported = handshake(), .answer = answer, .waited_ms = 80}), answer);
}

TEST(settle_connect_back, no_answer_in_time_is_a_silent_foreign_peer_for_as_long_as_waited) {
  const auto settled = settle_connect_back({.reported = handshake(), .answer = std::nullopt, .agent_greeted = false, .waited_ms = 120});
  EXPECT_EQ(settled.outcome, connect_outcome::foreign);
  EXPECT_TRUE(settled.silent);
  EXPECT_EQ(settled.banner, "");
  EXPECT_DOUBLE_EQ(settled.total_ms, 201);
}

TEST(settle_connect_back, a_peer_not_waited_for_is_foreign_with_its_banner_skipped) {
  const auto settled = settle_connect_back({.reported = handshake(), .answer = std::nullopt, .answer_awaited = false});
  EXPECT_EQ(settled.outcome, connect_outcome::foreign);
  EXPECT_TRUE(settled.banner_skipped);
  EXPECT_FALSE(settled.silent);  // nobody listened, so nobody can say it was silent
  EXPECT_EQ(settled.banner, "");
  EXPECT_DOUBLE_EQ(settled.total_ms, 81);
}

TEST(settle_connect_back, a_waited_for_peer_is_never_marked_skipped) {
  EXPECT_FALSE(settle_connect_back({.reported = handshake(), .answer = std::nullopt, .waited_ms = 120}).banner_skipped);
  EXPECT_FALSE(settle_connect_back({.reported = handshake(), .answer = answered(connect_outcome::foreign, "x")})
                   .banner_skipped);
}

// ---------------------------------------------------------------------------
// answer_worth_waiting_for: a table.

capture_evidence no_capture() {
  capture_evidence c;
  c.unavailable_reason = "needs CAP_NET_RAW";
  return c;
}

capture_evidence no_syn_arrived() {
  capture_evidence c;
  c.available = true;
  return c;
}

capture_evidence syn_arrived_on(std::uint16_t port) {
  auto c = no_syn_arrived();
  c.probe_seen = true;
  c.arrived_port = port;
  c.answer = host_answer::syn_ack;
  c.probe_count = 1;
  return c;
}

struct wait_case {
  std::string name;
  handshake_news news;
  bool wait;
};

std::ostream& operator<<(std::ostream& os, const wait_case& c) { return os << c.name; }

class answer_worth_waiting : public ::testing::TestWithParam<wait_case> {};

TEST_P(answer_worth_waiting, as_the_evidence_says) {
  EXPECT_EQ(answer_worth_waiting_for(GetParam().news), GetParam().wait);
}

INSTANTIATE_TEST_SUITE_P(
    settle_connect_back, answer_worth_waiting,
    ::testing::Values(
        // Our agent or the user's own server got the SYN: the greeting, the
        // proof or the banner says which, and what it says.
        wait_case{"syn_reached_this_port", {3000, false, syn_arrived_on(3000)}, true},
        // Nothing else can tell our agent from a stranger.
        wait_case{"no_capture", {3000, false, no_capture()}, true},
        wait_case{"no_capture_even_with_a_holder_in_the_way", {3000, true, no_capture()}, true},
        // Another device answered: the banner could only name it.
        wait_case{"no_syn_reached_this_host", {3000, false, no_syn_arrived()}, false},
        // A forward to the wrong port of this host.
        wait_case{"syn_reached_another_port", {3000, false, syn_arrived_on(3001)}, false},
        // The local check has named the program in the way already.
        wait_case{"holder_in_the_way", {3000, true, syn_arrived_on(3000)}, false}),
    [](const testing::TestParamInfo<wait_case>& p) { return p.param.name; });

}  // namespace
}  // namespace reachback::client
