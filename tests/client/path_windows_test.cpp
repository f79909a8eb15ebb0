// SPDX-License-Identifier: MIT
// trace_path on Windows, run under Wine: only loopback is a target, so no
// echo leaves this host; the walk's decisions are tested on fixtures in
// route_table_test.cpp.
#include "client/platform/path.hpp"

#include <winsock2.h>
#include <windows.h>

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "client/platform/ip_literal.hpp"
#include "common/address.hpp"

namespace reachback::client::platform {
namespace {

using namespace std::chrono_literals;

path_evidence timed_trace(const std::string& relay, std::chrono::milliseconds& took) {
  const auto start = std::chrono::steady_clock::now();
  auto evidence = trace_path(relay);
  took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start);
  return evidence;
}

bool under_wine() {
  const HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && ::GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

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
  std::chrono::milliseconds took{};
  const auto evidence = timed_trace("127.0.0.1", took);
  EXPECT_TRUE(evidence.reached_relay);
  EXPECT_TRUE(evidence.hops.empty());
  EXPECT_EQ(evidence.source_address, "127.0.0.1");
  EXPECT_LT(took, 500ms);
  RecordProperty("trace_ms", static_cast<int>(took.count()));
}

TEST(trace_path_windows, ipv6_loopback_is_reached_at_once) {
  std::chrono::milliseconds took{};
  const auto evidence = timed_trace("::1", took);
  EXPECT_TRUE(evidence.reached_relay);
  EXPECT_TRUE(evidence.hops.empty());
  EXPECT_EQ(evidence.source_address, "::1");
  EXPECT_LT(took, 500ms);
}

TEST(trace_path_windows, mapped_address_walks_as_ipv4) {
  const auto evidence = trace_path("::ffff:127.0.0.1");
  EXPECT_TRUE(evidence.reached_relay);
  EXPECT_EQ(evidence.source_address, "127.0.0.1");
}

TEST(trace_path_windows, host_addresses_leave_out_loopback_and_link_local) {
  const auto evidence = trace_path("127.0.0.1");
  for (const auto& address : evidence.host_addresses) {
    EXPECT_NE(classify_address(address), address_class::loopback) << address;
    EXPECT_FALSE(address.starts_with("fe80:")) << address;
    EXPECT_TRUE(parse_ip(address)) << address;
  }
  // A host with a default route has an address on that network.
  if (evidence.default_gateway) {
    EXPECT_FALSE(evidence.host_addresses.empty());
  }
}

TEST(trace_path_windows, ipv4_default_gateway) {
  const auto evidence = trace_path("127.0.0.1");
  if (under_wine()) {
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
  if (under_wine()) {
    EXPECT_EQ(evidence.default_gateway, std::nullopt);
  }
}

TEST(trace_path_windows, not_an_address) {
  const auto evidence = trace_path("relay.example");
  EXPECT_FALSE(evidence.reached_relay);
  EXPECT_TRUE(evidence.hops.empty());
  EXPECT_TRUE(evidence.source_address.empty());
  EXPECT_TRUE(evidence.host_addresses.empty());
}

}  // namespace
}  // namespace reachback::client::platform
