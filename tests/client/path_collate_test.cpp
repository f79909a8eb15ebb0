// SPDX-License-Identifier: MIT
#include "client/platform/path_collate.hpp"

#include <gtest/gtest.h>

namespace reachback::client::platform {
namespace {

const std::string relay = "203.0.113.9";

probe_reply te(int ttl, std::string from, double rtt = 1.0) {
  return {ttl, std::move(from), probe_outcome::time_exceeded, rtt};
}
probe_reply unreach(int ttl, std::string from, double rtt = 1.0) {
  return {ttl, std::move(from), probe_outcome::unreachable, rtt};
}

TEST(path_collate, loopback_relay_answers_at_ttl_one) {
  const std::vector<probe_reply> replies{unreach(1, "127.0.0.1"), unreach(2, "127.0.0.1")};
  EXPECT_EQ(walk_end(replies, "127.0.0.1"), 1);
  EXPECT_TRUE(silent_ttls(replies, "127.0.0.1", 16).empty());
  const auto walk = collate_walk(replies, "127.0.0.1");
  EXPECT_TRUE(walk.reached);
  EXPECT_TRUE(walk.hops.empty());
}

TEST(path_collate, orders_hops_and_excludes_the_relay) {
  // Replies arrive in any order; TTLs past the relay answer too.
  const std::vector<probe_reply> replies{unreach(5, relay), te(2, "100.64.0.1", 9.5),
                                         unreach(4, relay, 20.0), te(1, "192.168.1.1", 0.4),
                                         te(3, "198.51.100.1", 15.0)};
  const auto walk = collate_walk(replies, relay);
  EXPECT_TRUE(walk.reached);
  ASSERT_EQ(walk.hops.size(), 3u);
  EXPECT_EQ(walk.hops[0], (path_hop{1, "192.168.1.1", address_class::private_net, 0.4}));
  EXPECT_EQ(walk.hops[1], (path_hop{2, "100.64.0.1", address_class::carrier_nat, 9.5}));
  EXPECT_EQ(walk.hops[2], (path_hop{3, "198.51.100.1", address_class::public_net, 15.0}));
}

TEST(path_collate, silent_routers_stay_as_gaps_below_the_relay) {
  const std::vector<probe_reply> replies{te(1, "192.168.1.1"), unreach(4, relay)};
  EXPECT_EQ(silent_ttls(replies, relay, 16), (std::vector<int>{2, 3}));
  const auto walk = collate_walk(replies, relay);
  EXPECT_TRUE(walk.reached);
  ASSERT_EQ(walk.hops.size(), 3u);
  EXPECT_FALSE(walk.hops[1].address);
  EXPECT_EQ(walk.hops[1].ttl, 2);
  EXPECT_EQ(walk.hops[1].cls, address_class::unknown);
  EXPECT_FALSE(walk.hops[2].address);
}

TEST(path_collate, keeps_the_fastest_of_several_replies) {
  const std::vector<probe_reply> replies{te(1, "10.0.0.1", 5.0), te(1, "10.0.0.2", 2.0),
                                         unreach(2, relay)};
  const auto walk = collate_walk(replies, relay);
  ASSERT_EQ(walk.hops.size(), 1u);
  EXPECT_EQ(walk.hops[0].address, "10.0.0.2");
  EXPECT_EQ(walk.hops[0].rtt_ms, 2.0);
}

TEST(path_collate, unreached_relay_drops_trailing_silence) {
  // The relay drops UDP: routers answer, then nothing up to max_ttl.
  const std::vector<probe_reply> replies{te(1, "192.168.1.1"), te(3, "198.51.100.1")};
  EXPECT_FALSE(walk_end(replies, relay));
  EXPECT_EQ(silent_ttls(replies, relay, 5), (std::vector<int>{2, 4, 5}));
  const auto walk = collate_walk(replies, relay);
  EXPECT_FALSE(walk.reached);
  ASSERT_EQ(walk.hops.size(), 3u);
  EXPECT_EQ(walk.hops[2].address, "198.51.100.1");
}

TEST(path_collate, router_refusing_the_destination_ends_the_walk_as_a_hop) {
  const std::vector<probe_reply> replies{te(1, "192.168.1.1"), unreach(2, "198.51.100.1"),
                                         unreach(3, "198.51.100.1")};
  EXPECT_EQ(walk_end(replies, relay), 2);
  const auto walk = collate_walk(replies, relay);
  EXPECT_FALSE(walk.reached);
  ASSERT_EQ(walk.hops.size(), 2u);
  EXPECT_EQ(walk.hops[1].address, "198.51.100.1");
}

TEST(path_collate, nothing_came_back) {
  EXPECT_EQ(silent_ttls({}, relay, 3), (std::vector<int>{1, 2, 3}));
  const auto walk = collate_walk({}, relay);
  EXPECT_FALSE(walk.reached);
  EXPECT_TRUE(walk.hops.empty());
}

}  // namespace
}  // namespace reachback::client::platform
