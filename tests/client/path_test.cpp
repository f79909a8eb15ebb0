// SPDX-License-Identifier: MIT
#include "client/platform/path.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "client/platform/posix_io.hpp"
#include "client/platform/proc_net_route.hpp"
#include "path_cases.hpp"

namespace reachback::client::platform {
namespace {

using namespace std::chrono_literals;
using test::expect_a_name_is_not_walked;
using test::expect_loopback_reached_at_once;
using test::expect_mapped_address_walks_as_ipv4;
using test::expect_no_loopback_or_link_local;

TEST(trace_path, ipv4_loopback_is_reached_at_once) {
  const auto took = expect_loopback_reached_at_once("127.0.0.1", 200ms);
  RecordProperty("trace_ms", static_cast<int>(took.count()));
}

TEST(trace_path, ipv6_loopback_is_reached_at_once) {
  expect_loopback_reached_at_once("::1", 200ms);
}

TEST(trace_path, mapped_address_walks_as_ipv4) { expect_mapped_address_walks_as_ipv4(); }

// Linux's own part: the gateway is the one /proc/net/route names.
TEST(trace_path, host_facts) {
  const auto evidence = trace_path("127.0.0.1", {.max_ttl = 1, .hop_timeout = 100ms, .probes_per_hop = 1, .heard = {}});
  expect_no_loopback_or_link_local(evidence.host_addresses);
  EXPECT_EQ(evidence.default_gateway,
            default_gateway_v4(read_small_file("/proc/net/route").value_or("")));
}

// The router query starts on each answer as it comes, not at the walk's end.
TEST(trace_path, tells_each_answer_as_it_comes) {
  std::vector<probe_reply> heard;
  const auto evidence = trace_path("127.0.0.1", {.max_ttl = 1, .hop_timeout = 500ms, .probes_per_hop = 1,
                                                 .heard = [&](const probe_reply& r) { heard.push_back(r); }});
  ASSERT_TRUE(evidence.reached_relay);
  ASSERT_EQ(heard.size(), 1U);
  EXPECT_EQ(heard[0].ttl, 1);
  EXPECT_EQ(heard[0].from, "127.0.0.1");
  EXPECT_EQ(heard[0].outcome, probe_outcome::unreachable);
}

TEST(trace_path, not_an_address) { expect_a_name_is_not_walked(); }

TEST(first_hop_toward, comes_from_the_routing_table) {
  test::expect_first_hop_from_the_routing_table();
  EXPECT_EQ(first_hop_toward("127.0.0.1").gateway, default_gateway_v4(read_small_file("/proc/net/route").value_or("")));
}

}  // namespace
}  // namespace reachback::client::platform
