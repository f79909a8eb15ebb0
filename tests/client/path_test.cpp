// SPDX-License-Identifier: MIT
#include "client/platform/path.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "client/platform/posix_io.hpp"
#include "client/platform/proc_net_route.hpp"
#include "common/address.hpp"

namespace reachback::client::platform {
namespace {

using namespace std::chrono_literals;

// Probes go to loopback only: the relay is this host, so the walk ends at
// once with port unreachable from the relay itself.
path_evidence timed_trace(const std::string& relay, std::chrono::milliseconds& took) {
  const auto start = std::chrono::steady_clock::now();
  auto evidence = trace_path(relay);
  took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  return evidence;
}

TEST(trace_path, ipv4_loopback_is_reached_at_once) {
  std::chrono::milliseconds took{};
  const auto evidence = timed_trace("127.0.0.1", took);
  EXPECT_TRUE(evidence.reached_relay);
  EXPECT_TRUE(evidence.hops.empty());
  EXPECT_EQ(evidence.source_address, "127.0.0.1");
  EXPECT_LT(took, 200ms);
  RecordProperty("trace_ms", static_cast<int>(took.count()));
}

TEST(trace_path, ipv6_loopback_is_reached_at_once) {
  std::chrono::milliseconds took{};
  const auto evidence = timed_trace("::1", took);
  EXPECT_TRUE(evidence.reached_relay);
  EXPECT_TRUE(evidence.hops.empty());
  EXPECT_EQ(evidence.source_address, "::1");
  EXPECT_LT(took, 200ms);
}

TEST(trace_path, mapped_address_walks_as_ipv4) {
  const auto evidence = trace_path("::ffff:127.0.0.1");
  EXPECT_TRUE(evidence.reached_relay);
  EXPECT_EQ(evidence.source_address, "127.0.0.1");
}

TEST(trace_path, host_facts) {
  const auto evidence = trace_path("127.0.0.1", {.max_ttl = 1, .hop_timeout = 100ms, .probes_per_hop = 1});
  for (const auto& address : evidence.host_addresses) {
    EXPECT_NE(classify_address(address), address_class::loopback) << address;
    EXPECT_FALSE(address.starts_with("fe80:")) << address;
  }
  EXPECT_EQ(evidence.default_gateway,
            default_gateway_v4(read_small_file("/proc/net/route").value_or("")));
}

TEST(trace_path, not_an_address) {
  const auto evidence = trace_path("relay.example");
  EXPECT_FALSE(evidence.reached_relay);
  EXPECT_TRUE(evidence.hops.empty());
  EXPECT_TRUE(evidence.source_address.empty());
}

}  // namespace
}  // namespace reachback::client::platform
