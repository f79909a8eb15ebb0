// SPDX-License-Identifier: MIT
#include "client/platform/proc_net_route.hpp"

#include <gtest/gtest.h>

namespace reachback::client::platform {
namespace {

// Captured from a host with 192.0.2.2/24 via 192.0.2.1 and fd00::2/64 via fd00::1.
constexpr std::string_view route_v4 =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT                                                       \n"
    "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0                                                                               \n"
    "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0                                                                               \n";

constexpr std::string_view route_v6 =
    "fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n"
    "fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000002 00000000 00000001     eth0\n"
    "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0\n"
    "00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001       lo\n"
    "ff000000000000000000000000000000 08 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000003 00000000 00000001     eth0\n"
    "00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n";

TEST(default_gateway_v4, reads_the_default_route) {
  EXPECT_EQ(default_gateway_v4(route_v4), "192.0.2.1");
}

TEST(default_gateway_v4, takes_the_lowest_metric) {
  // Wi-Fi (metric 600) and Ethernet (metric 100) both up, as NetworkManager sets them.
  constexpr std::string_view two_defaults =
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
      "wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
      "eth0\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n";
  EXPECT_EQ(default_gateway_v4(two_defaults), "10.0.0.1");
}

TEST(default_gateway_v4, ignores_routes_without_gateway_or_down) {
  constexpr std::string_view no_default =
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
      "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
      "wg0\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0\n"   // device route, no gateway
      "eth1\t00000000\t0101A8C0\t0002\t0\t0\t0\t00000000\t0\t0\t0\n";  // not UP
  EXPECT_FALSE(default_gateway_v4(no_default));
  EXPECT_FALSE(default_gateway_v4(""));
}

TEST(default_gateway_v6, reads_the_default_route_and_skips_reject_routes) {
  EXPECT_EQ(default_gateway_v6(route_v6), "fd00::1");
}

TEST(default_gateway_v6, link_local_next_hop) {
  // Router advertisements install fe80:: next hops.
  constexpr std::string_view ra =
      "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe80000000000000022233fffe445566 00000400 00000001 00000000 00450003    wlan0\n";
  EXPECT_EQ(default_gateway_v6(ra), "fe80::222:33ff:fe44:5566");
}

TEST(default_gateway_v6, none_without_a_default) {
  EXPECT_FALSE(default_gateway_v6(route_v6.substr(0, route_v6.find("00000000000000000000000000000000 00"))));
  EXPECT_FALSE(default_gateway_v6(""));
}

}  // namespace
}  // namespace reachback::client::platform
