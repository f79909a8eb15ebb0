// SPDX-License-Identifier: MIT
#include "client/platform/route_table.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace reachback::client::platform {
namespace {

// A laptop as `route print` shows it: Ethernet (interface metric 25) and
// Wi-Fi (35) both with a default route, the loopback and on-link rows
// Windows always adds, and an OpenVPN tunnel that covers the internet with
// two /1 routes instead of a default.
const std::vector<route_row> laptop_v4 = {
    {"0.0.0.0", 0, "192.168.1.1", 0, 35},     {"0.0.0.0", 0, "10.0.0.1", 0, 25},
    {"10.0.0.0", 24, "0.0.0.0", 256, 25},     {"127.0.0.0", 8, "0.0.0.0", 256, 75},
    {"192.168.1.0", 24, "0.0.0.0", 256, 35},  {"0.0.0.0", 1, "10.8.0.1", 0, 5},
    {"128.0.0.0", 1, "10.8.0.1", 0, 5},
};

TEST(default_gateway, takes_the_lowest_route_plus_interface_metric) {
  EXPECT_EQ(default_gateway(laptop_v4, ip_version::v4), "10.0.0.1");
}

TEST(default_gateway, route_metric_offset_can_outweigh_the_interface) {
  // Same interface metric: the row's own offset decides (route -p add ... metric 50).
  const std::vector<route_row> rows = {{"0.0.0.0", 0, "192.168.1.1", 0, 25},
                                       {"0.0.0.0", 0, "192.168.2.1", 50, 5},
                                       {"0.0.0.0", 0, "192.168.3.1", 10, 25}};
  EXPECT_EQ(default_gateway(rows, ip_version::v4), "192.168.1.1");
}

TEST(default_gateway, first_row_wins_a_tie) {
  const std::vector<route_row> rows = {{"0.0.0.0", 0, "192.168.1.1", 0, 25},
                                       {"0.0.0.0", 0, "192.168.2.1", 0, 25}};
  EXPECT_EQ(default_gateway(rows, ip_version::v4), "192.168.1.1");
}

TEST(default_gateway, metrics_near_the_limit_do_not_wrap) {
  constexpr auto max = std::numeric_limits<std::uint32_t>::max();
  const std::vector<route_row> rows = {{"0.0.0.0", 0, "192.168.1.1", max, max},
                                       {"0.0.0.0", 0, "192.168.2.1", max, 0}};
  EXPECT_EQ(default_gateway(rows, ip_version::v4), "192.168.2.1");
}

TEST(default_gateway, skips_on_link_defaults) {
  // A VPN adapter's default route has no next hop; the real router still counts.
  const std::vector<route_row> rows = {{"0.0.0.0", 0, "0.0.0.0", 0, 1},
                                       {"0.0.0.0", 0, "192.168.1.1", 0, 35}};
  EXPECT_EQ(default_gateway(rows, ip_version::v4), "192.168.1.1");
  EXPECT_EQ(default_gateway({rows[0]}, ip_version::v4), std::nullopt);
}

TEST(default_gateway, ipv6_link_local_router_and_teredo) {
  // Router advertisements give fe80:: next hops; Teredo's default is on-link.
  const std::vector<route_row> rows = {{"::", 0, "::", 256, 45},
                                       {"::", 0, "fe80::1", 256, 25},
                                       {"2001:db8:1::", 64, "::", 256, 25},
                                       {"fe80::", 64, "::", 256, 25}};
  EXPECT_EQ(default_gateway(rows, ip_version::v6), "fe80::1");
}

TEST(default_gateway, none_without_rows_of_the_family) {
  EXPECT_EQ(default_gateway({}, ip_version::v6), std::nullopt);  // Wine's IPv6 table
  EXPECT_EQ(default_gateway(laptop_v4, ip_version::v6), std::nullopt);
  const std::vector<route_row> v6 = {{"::", 0, "fe80::1", 256, 25}};
  EXPECT_EQ(default_gateway(v6, ip_version::v4), std::nullopt);
}

TEST(default_gateway, skips_rows_that_do_not_parse) {
  const std::vector<route_row> rows = {{"", 0, "", 0, 0},
                                       {"default", 0, "192.168.1.1", 0, 0},
                                       {"0.0.0.0", 0, "router", 0, 0},
                                       {"0.0.0.0", -1, "192.168.9.1", 0, 0},
                                       {"0.0.0.0", 0, "192.168.1.1%3", 0, 0},
                                       {"0.0.0.0", 0, "10.0.0.1", 9, 9}};
  EXPECT_EQ(default_gateway(rows, ip_version::v4), "10.0.0.1");
}

TEST(host_addresses_of, keeps_up_adapters_without_loopback_or_link_local) {
  const std::vector<adapter_row> adapters = {
      // Loopback Pseudo-Interface 1
      {true, true, {"::1", "127.0.0.1"}},
      // Wi-Fi
      {true, false, {"fe80::1c2b:3a4d:5e6f:7081", "192.168.1.20", "2001:db8:1::20"}},
      // Ethernet, cable out
      {false, false, {"169.254.3.4"}},
      // vEthernet (WSL), which Windows also lists the Wi-Fi address under
      {true, false, {"172.28.160.1", "192.168.1.20"}},
  };
  EXPECT_EQ(host_addresses_of(adapters),
            (std::vector<std::string>{"192.168.1.20", "2001:db8:1::20", "172.28.160.1"}));
}

TEST(host_addresses_of, canonical_text_and_garbage_dropped) {
  const std::vector<adapter_row> adapters = {
      {true, false, {"2001:DB8:0:0::20", "", "not an address", "0.0.0.0", "127.0.0.2", "::"}}};
  EXPECT_EQ(host_addresses_of(adapters), (std::vector<std::string>{"2001:db8::20"}));
  EXPECT_TRUE(host_addresses_of({}).empty());
}

struct status_case {
  std::string name;
  std::uint32_t status;
  std::optional<probe_outcome> outcome;
  friend void PrintTo(const status_case& c, std::ostream* os) { *os << c.name; }
};

const std::vector<status_case> status_cases = {
    {"ttl_expired_transit", 11013, probe_outcome::time_exceeded},
    {"dest_net_unreachable", 11002, probe_outcome::unreachable},
    {"dest_host_unreachable", 11003, probe_outcome::unreachable},
    {"dest_prohibited", 11004, probe_outcome::unreachable},
    {"dest_port_unreachable", 11005, probe_outcome::unreachable},
    {"dest_unreachable_v6", 11040, probe_outcome::unreachable},
    {"dest_scope_mismatch", 11045, probe_outcome::unreachable},
    {"success_is_no_error", 0, std::nullopt},
    {"timed_out", 11010, std::nullopt},
    {"reassembly_expiry", 11014, std::nullopt},
    {"buffer_too_small", 11001, std::nullopt},
    {"general_failure", 11050, std::nullopt},
    {"win32_error_code", 1231, std::nullopt},
};

class ip_status_table : public testing::TestWithParam<status_case> {};

TEST_P(ip_status_table, gives_the_outcome) {
  EXPECT_EQ(outcome_of_ip_status(GetParam().status), GetParam().outcome);
}

INSTANTIATE_TEST_SUITE_P(cases, ip_status_table, testing::ValuesIn(status_cases),
                         [](const auto& test_info) { return test_info.param.name; });

const std::string relay = "203.0.113.9";
const std::vector<std::string> this_host = {"192.168.1.20", "2001:db8:1::20"};

struct answer_case {
  std::string name;
  echo_answer answer;
  std::string target;
  std::optional<probe_reply> reply;
  friend void PrintTo(const answer_case& c, std::ostream* os) { *os << c.name; }
};

const std::vector<answer_case> answer_cases = {
    {"router_time_exceeded", {2, 11013, "100.64.0.1", 9}, relay,
     probe_reply{2, "100.64.0.1", probe_outcome::time_exceeded, 9.0}},
    {"relay_echo_reply_ends_the_walk", {6, 0, relay, 31}, relay,
     probe_reply{6, relay, probe_outcome::unreachable, 31.0}},
    {"relay_firewall_prohibits", {6, 11004, relay, 30}, relay,
     probe_reply{6, relay, probe_outcome::unreachable, 30.0}},
    {"router_has_no_route", {4, 11002, "198.51.100.1", 20}, relay,
     probe_reply{4, "198.51.100.1", probe_outcome::unreachable, 20.0}},
    {"ipv6_hop_limit_exceeded", {1, 11013, "FE80::1", 1}, "2001:db8:ffff::9",
     probe_reply{1, "fe80::1", probe_outcome::time_exceeded, 1.0}},
    {"echo_reply_from_someone_else", {6, 0, "198.51.100.7", 31}, relay, std::nullopt},
    {"local_failure_from_this_host", {1, 11003, "192.168.1.20", 3000}, relay, std::nullopt},
    {"local_failure_from_this_host_v6", {1, 11002, "2001:db8:1::20", 0}, "2001:db8:ffff::9",
     std::nullopt},
    {"relay_on_this_host_answers", {1, 0, "192.168.1.20", 0}, "192.168.1.20",
     probe_reply{1, "192.168.1.20", probe_outcome::unreachable, 0.0}},
    {"timed_out", {3, 11010, "0.0.0.0", 0}, relay, std::nullopt},
    {"ttl_expired_without_address", {3, 11013, "0.0.0.0", 5}, relay, std::nullopt},
    {"garbage_address", {3, 11013, "10.0.0.300", 5}, relay, std::nullopt},
    {"empty_address", {3, 11013, "", 5}, relay, std::nullopt},
    {"ttl_zero", {0, 11013, "100.64.0.1", 5}, relay, std::nullopt},
    {"unknown_status", {3, 99999, "100.64.0.1", 5}, relay, std::nullopt},
};

class echo_answer_table : public testing::TestWithParam<answer_case> {};

TEST_P(echo_answer_table, gives_the_probe_reply) {
  const auto& c = GetParam();
  EXPECT_EQ(probe_reply_of(c.answer, c.target, this_host), c.reply);
}

INSTANTIATE_TEST_SUITE_P(cases, echo_answer_table, testing::ValuesIn(answer_cases),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(probe_reply_of, a_whole_walk_collates_like_linux) {
  // Two rounds as IcmpSendEcho2 reports them: TTL 3 stays silent once and
  // answers in round two; TTLs past the relay get its echo reply; TTL 1
  // first failed locally (ARP still resolving).
  const std::vector<echo_answer> answers = {
      {1, 11003, "192.168.1.20", 3000}, {2, 11013, "100.64.0.1", 9},
      {3, 11010, "0.0.0.0", 0},         {4, 0, relay, 30},
      {5, 0, relay, 31},                {1, 11013, "192.168.1.1", 1},
      {3, 11013, "198.51.100.1", 15}};
  std::vector<probe_reply> replies;
  for (const auto& answer : answers) {
    if (auto reply = probe_reply_of(answer, relay, this_host)) replies.push_back(*reply);
  }
  EXPECT_TRUE(silent_ttls(replies, relay, 16).empty());
  const auto walk = collate_walk(replies, relay);
  EXPECT_TRUE(walk.reached);
  ASSERT_EQ(walk.hops.size(), 3u);
  EXPECT_EQ(walk.hops[0], (path_hop{1, "192.168.1.1", address_class::private_net, 1.0}));
  EXPECT_EQ(walk.hops[1], (path_hop{2, "100.64.0.1", address_class::carrier_nat, 9.0}));
  EXPECT_EQ(walk.hops[2], (path_hop{3, "198.51.100.1", address_class::public_net, 15.0}));
}

}  // namespace
}  // namespace reachback::client::platform
