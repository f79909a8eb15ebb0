// SPDX-License-Identifier: MIT
#include "client/settle_connect_back.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace reachback::client
