// SPDX-License-Identifier: MIT
// trace_path on Windows, run under Wine: only loopback is a target, so no
// echo leaves this host; the walk's decisions are tested on fixtures in
// route_table_test.cpp.
#include "client/platform/path.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "client/platform/ip_literal.hpp"
#include "path_cases.hpp"
#include "windows_test_support.hpp"

namespace reachback::client::platform {
namespace {

using namespace std::chrono_literals;
using test::expect_a_name_is_not_walked;
using test::expect_loopback_reached_at_once;
using test::expect_mapped_address_walks_as_ipv4;
using test::expect_no_loopback_or_link_local;
using test::running_under_wine;

// Wine's forwarding table is the Linux host's, so the host's own
// /proc/net/route (Z: is the host's root) says which gateway must come out.
// Row fields: Iface Destination Gateway Flags RefCnt Use Metric Mask, with
// the addresses as little-endian hex words.
std::optional<std::string> host_default_gateway_v4() {
  std::ifstream file("Z:\\proc\\net\\route");
  std::string line;
  std::getline(file, line);  // the header
  std::optional<std::string> best;
  unsigned long best_metric = 0;
  while (std::getline(file, line)) {
    std::istringstream fields(line);
    std::string iface, destination, gateway, flags, refcnt, use, mask;
    unsigned long metric = 0;
    fields >> iface >> destination >> gateway >> flags >> refcnt >> use >> metric >> mask;
    if (!fields || destination != "00000000" || mask != "00000000" || gateway == "00000000") {
      continue;
    }
    const auto word = std::stoul(gateway, nullptr, 16);
    const std::array<std::uint8_t, 4> raw{
        static_cast<std::uint8_t>(word), static_cast<std::uint8_t>(word >> 8),
        static_cast<std::uint8_t>(word >> 16), static_cast<std::uint8_t>(word >> 24)};
    if (!best || metric < best_metric) {
      best = to_string(*ip_from_bytes(AF_INET, raw));
      best_metric = metric;
    }
  }
  return best;
}

TEST(trace_path_windows, ipv4_loopback_is_reached_at_once) {
  const auto took = expect_loopback_reached_at_once("127.0.0.1", 500ms);
  RecordProperty("trace_ms", static_cast<int>(took.count()));
}

TEST(trace_path_windows, ipv6_loopback_is_reached_at_once) {
  expect_loopback_reached_at_once("::1", 500ms);
}

TEST(trace_path_windows, mapped_address_walks_as_ipv4) { expect_mapped_address_walks_as_ipv4(); }

TEST(trace_path_windows, host_addresses_leave_out_loopback_and_link_local) {
  const auto evidence = trace_path("127.0.0.1");
  expect_no_loopback_or_link_local(evidence.host_addresses);
  for (const auto& address : evidence.host_addresses) EXPECT_TRUE(parse_ip(address)) << address;
  // A host with a default route has an address on that network.
  if (evidence.default_gateway) {
    EXPECT_FALSE(evidence.host_addresses.empty());
  }
}

TEST(trace_path_windows, ipv4_default_gateway) {
  const auto evidence = trace_path("127.0.0.1");
  if (running_under_wine()) {
    EXPECT_EQ(evidence.default_gateway, host_default_gateway_v4());
  } else if (evidence.default_gateway) {
    const auto gateway = parse_ip(*evidence.default_gateway);
    ASSERT_TRUE(gateway);
    EXPECT_EQ(gateway->family, AF_INET);
  }
}

TEST(trace_path_windows, ipv6_default_gateway_is_ipv6_or_none) {
  // Wine lists no IPv6 routes at all, which must simply give none.
  const auto evidence = trace_path("::1");
  if (evidence.default_gateway) {
    const auto gateway = parse_ip(*evidence.default_gateway);
    ASSERT_TRUE(gateway);
    EXPECT_EQ(gateway->family, AF_INET6);
  }
  if (running_under_wine()) {
    EXPECT_EQ(evidence.default_gateway, std::nullopt);
  }
}

TEST(first_hop_toward_windows, comes_from_the_routing_table) {
  test::expect_first_hop_from_the_routing_table();
  EXPECT_EQ(first_hop_toward("127.0.0.1").gateway, trace_path("127.0.0.1").default_gateway);
}

TEST(trace_path_windows, not_an_address) {
  const auto evidence = expect_a_name_is_not_walked();
  EXPECT_TRUE(evidence.host_addresses.empty());
}

}  // namespace
}  // namespace reachback::client::platform
