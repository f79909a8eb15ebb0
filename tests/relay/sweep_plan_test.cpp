// SPDX-License-Identifier: MIT
#include "relay/sweep_plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace reachback::relay {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view home = "203.0.113.7";

sweep_hop hop(int ttl, sweep_reply reply, std::string from = {}) {
  sweep_hop h;
  h.ttl = ttl;
  h.reply = reply;
  h.from = std::move(from);
  h.attempts = 1;
  return h;
}

std::vector<int> ttls_of(const std::vector<sweep_hop>& hops) {
  std::vector<int> ttls;
  for (const auto& h : hops) {
    ttls.push_back(h.ttl);
  }
  return ttls;
}

TEST(SweepPlan, AUdpReplyEndsTheSweepAtTheTarget) {
  EXPECT_TRUE(is_terminal(sweep_reply::udp_reply));
  const auto sweep = finish_sweep({hop(1, sweep_reply::time_exceeded, "192.0.2.1"),
                                   hop(2, sweep_reply::udp_reply, std::string(home)),
                                   hop(3, sweep_reply::silence)},
                                  home);
  EXPECT_EQ(ttls_of(sweep.hops), (std::vector<int>{1, 2}));
  EXPECT_EQ(sweep.public_distance, 2);
}

TEST(SweepPlan, BoundsTheConfig) {
  config::sweep_settings wild;
  wild.max_ttl = 200;
  wild.retries = 10;
  wild.hop_timeout = 60'000ms;
  EXPECT_EQ(bounded(wild).max_ttl, 64);
  EXPECT_EQ(bounded(wild).retries, 3);
  EXPECT_EQ(bounded(wild).hop_timeout, 5'000ms);
  config::sweep_settings tiny;
  tiny.max_ttl = 0;
  tiny.retries = -1;
  tiny.hop_timeout = 1ms;
  EXPECT_EQ(bounded(tiny).max_ttl, 1);
  EXPECT_EQ(bounded(tiny).retries, 0);
  EXPECT_EQ(bounded(tiny).hop_timeout, 50ms);
  EXPECT_EQ(bounded(config::sweep_settings{}),
            (sweep_limits{
                .max_ttl = 16, .hop_timeout = 700ms, .retries = 1, .retry_pause = 250ms}));
}

TEST(SweepPlan, BoundsTheRttWaitsLikeTheFixedOne) {
  config::sweep_settings wild;
  wild.hop_timeout_min = 10ms;
  wild.hop_timeout_max = 60'000ms;
  EXPECT_EQ(bounded(wild).hop_timeout_min, 50ms);
  EXPECT_EQ(bounded(wild).hop_timeout_max, 5'000ms);
  EXPECT_EQ(bounding_notes(wild),
            (std::vector<std::string>{"sweep.hop_timeout_min_ms 10 is raised to 50",
                                      "sweep.hop_timeout_max_ms 60000 is capped at 5000"}));
  EXPECT_EQ(bounded(config::sweep_settings{}).hop_timeout_min, 200ms);
  EXPECT_EQ(bounded(config::sweep_settings{}).hop_timeout_max, 3'000ms);
}

TEST(SweepPlan, SaysWhatItBounded) {
  config::sweep_settings wild;
  wild.max_ttl = 200;
  wild.hop_timeout = 10ms;
  EXPECT_EQ(bounding_notes(wild),
            (std::vector<std::string>{"sweep.max_ttl 200 is capped at 64",
                                      "sweep.hop_timeout_ms 10 is raised to 50"}));
  EXPECT_TRUE(bounding_notes(config::sweep_settings{}).empty());
}

TEST(SweepPlan, WorstCaseIsOneHopTimeoutPerRound) {
  EXPECT_EQ(worst_case_duration(sweep_limits{}), 700ms * 2 + 250ms);
  EXPECT_EQ(worst_case_duration(sweep_limits{.retries = 0}), 700ms);
}

TEST(SweepPlan, ReachesTheClientAndAFewHopsMoreWhenItsDistanceIsKnown) {
  const sweep_limits limits{.max_ttl = 16};
  // The lab's laptop: 3 routers to the relay, so TTL 4 reaches it.
  EXPECT_EQ(max_ttl_toward(limits, 3), 4 + path_asymmetry_slack);
  EXPECT_EQ(max_ttl_toward(limits, 0), 1 + path_asymmetry_slack) << "loopback";
  EXPECT_EQ(max_ttl_toward(limits, 30), 16) << "never past the configured max_ttl";
  EXPECT_EQ(max_ttl_toward(limits, std::nullopt), 16) << "no SYN kept: every TTL";
  EXPECT_EQ(max_ttl_toward(limits, -1), 16);
}

TEST(SweepPlan, StartsWithEveryTtlUnprobed) {
  const auto hops = unprobed_hops(3);
  EXPECT_EQ(ttls_of(hops), (std::vector<int>{1, 2, 3}));
  EXPECT_TRUE(std::ranges::all_of(
      hops, [](const sweep_hop& h) { return h.reply == sweep_reply::silence && h.attempts == 0; }));
  EXPECT_TRUE(unprobed_hops(0).empty());
}

TEST(SweepPlan, ARoundIsSettledWhenOnlyTtlsPastTheTerminalOneArePending) {
  const std::vector<sweep_hop> hops = {hop(1, sweep_reply::time_exceeded, "192.0.2.1"),
                                       hop(2, sweep_reply::silence),
                                       hop(3, sweep_reply::unreachable, std::string(home))};
  EXPECT_TRUE(round_settled(hops, {4, 5, 16}));
  EXPECT_TRUE(round_settled(hops, {})) << "nothing pending";
  EXPECT_FALSE(round_settled(hops, {2, 4})) << "TTL 2 may still answer";
  EXPECT_FALSE(round_settled(hops, {3})) << "the terminal TTL's own retry";
}

TEST(SweepPlan, ARoundWithoutATerminalAnswerIsNeverSettled) {
  const std::vector<sweep_hop> hops = {hop(1, sweep_reply::time_exceeded, "192.0.2.1"),
                                       hop(2, sweep_reply::silence)};
  EXPECT_FALSE(round_settled(hops, {3}));
  EXPECT_FALSE(round_settled(hops, {}));
}

TEST(SweepPlan, RetriesSilenceBelowTheFirstTerminalAnswer) {
  const std::vector<sweep_hop> hops = {
      hop(1, sweep_reply::time_exceeded, "192.0.2.1"), hop(2, sweep_reply::silence),
      hop(3, sweep_reply::silence), hop(4, sweep_reply::rst, std::string(home)),
      hop(5, sweep_reply::silence)};
  EXPECT_EQ(ttls_to_retry(hops), (std::vector<int>{2, 3}));
}

TEST(SweepPlan, RetriesAllSilenceWhenNothingTerminalCame) {
  const std::vector<sweep_hop> hops = {hop(1, sweep_reply::silence),
                                       hop(2, sweep_reply::time_exceeded, "192.0.2.1"),
                                       hop(3, sweep_reply::silence)};
  EXPECT_EQ(ttls_to_retry(hops), (std::vector<int>{1, 3}));
}

TEST(SweepPlan, AnAnswerReplacesSilenceAndAttemptsAddUp) {
  auto known = hop(2, sweep_reply::silence);
  merge_retry(known, hop(2, sweep_reply::time_exceeded, "192.0.2.2"));
  EXPECT_EQ(known.reply, sweep_reply::time_exceeded);
  EXPECT_EQ(known.from, "192.0.2.2");
  EXPECT_EQ(known.attempts, 2);
  merge_retry(known, hop(2, sweep_reply::silence));
  EXPECT_EQ(known.reply, sweep_reply::time_exceeded) << "silence never overwrites an answer";
  EXPECT_EQ(known.attempts, 3);
}

TEST(SweepPlan, PublicDistanceIsTheFirstAnswerFromThePublicAddress) {
  // ISP hub NAT at TTL 3 answers as the public address; the room router
  // behind it at TTL 4 does too (the NAT rewrites its errors); host at 5.
  const std::vector<sweep_hop> hops = {
      hop(1, sweep_reply::time_exceeded, "198.51.100.1"), hop(2, sweep_reply::silence),
      hop(3, sweep_reply::time_exceeded, std::string(home)),
      hop(4, sweep_reply::time_exceeded, std::string(home)),
      hop(5, sweep_reply::syn_ack, std::string(home))};
  EXPECT_EQ(public_distance(hops, home), 3);
}

TEST(SweepPlan, PublicDistanceCountsResetsAndUnreachables) {
  EXPECT_EQ(public_distance({hop(1, sweep_reply::time_exceeded, "192.0.2.1"),
                             hop(2, sweep_reply::rst, std::string(home))},
                            home),
            2);
  EXPECT_EQ(public_distance({hop(1, sweep_reply::unreachable, std::string(home))}, home), 1);
  EXPECT_EQ(public_distance({hop(1, sweep_reply::unreachable, "192.0.2.1")}, home), std::nullopt);
  EXPECT_EQ(public_distance({hop(1, sweep_reply::silence)}, home), std::nullopt);
}

TEST(SweepPlan, FinishingDropsTheTtlsPastTheFirstTerminalOne) {
  const auto sweep = finish_sweep({hop(3, sweep_reply::syn_ack, std::string(home)),
                                   hop(1, sweep_reply::time_exceeded, "192.0.2.1"),
                                   hop(2, sweep_reply::rst, std::string(home)),
                                   hop(4, sweep_reply::syn_ack, std::string(home))},
                                  home);
  EXPECT_EQ(ttls_of(sweep.hops), (std::vector<int>{1, 2}));
  EXPECT_EQ(sweep.public_distance, 2);
}

TEST(SweepPlan, LoopbackAnswersAtTtlOne) {
  std::vector<sweep_hop> hops;
  for (int ttl = 1; ttl <= 4; ++ttl) {
    hops.push_back(hop(ttl, sweep_reply::syn_ack, "127.0.0.1"));
  }
  const auto sweep = finish_sweep(hops, "127.0.0.1");
  EXPECT_EQ(sweep.hops.size(), 1U);
  EXPECT_EQ(sweep.public_distance, 1);
}

TEST(SweepPlan, KeepsEverythingWhenNothingIsTerminal) {
  const auto sweep = finish_sweep(
      {hop(1, sweep_reply::time_exceeded, "192.0.2.1"), hop(2, sweep_reply::silence)}, home);
  EXPECT_EQ(ttls_of(sweep.hops), (std::vector<int>{1, 2}));
  EXPECT_EQ(sweep.public_distance, std::nullopt);
}

}  // namespace
}  // namespace reachback::relay
