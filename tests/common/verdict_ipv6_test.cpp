// SPDX-License-Identifier: MIT
// The engine on an IPv6 home: nothing translates this host's address, and
// the home's routers only route and filter (allow replies, drop new inbound).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/verdict_engine.hpp"
#include "common/verdict_hairpin.hpp"
#include "config/fixes.hpp"

namespace reachback::verdict_ipv6_test {
namespace {

constexpr const char* relay_ip = "2001:db8:ff::7";
constexpr const char* laptop = "2001:db8:100:1::23";
constexpr const char* room_lan = "2001:db8:100:1::1";
constexpr const char* hub_lan = "2001:db8:100::1";
constexpr const char* isp_router = "2001:db8:20::1";
constexpr const char* internet_router = "2001:db8:10::1";

path_hop router(int ttl, std::string address) { return {ttl, std::move(address), address_class::public_net, 1.0}; }
path_hop silent_router(int ttl) { return {ttl, std::nullopt, address_class::unknown, 0.0}; }

sweep_hop expired(int ttl, std::string from) {
  return {ttl, sweep_reply::time_exceeded, std::move(from), icmp_info{3, 0, ""}, 64 - ttl, 5.0, 1};
}
sweep_hop accepted(int ttl) { return {ttl, sweep_reply::syn_ack, laptop, {}, {}, 5.0, 1}; }

/// A laptop behind a room router and an ISP hub that route IPv6: four
/// routers to the relay, the two inner ones inside the home's /56.
evidence ipv6_double_router() {
  evidence ev;
  ev.port = 3000;
  ev.relay = "[2001:db8:ff::7]:4750";
  ev.relay_address = relay_ip;
  ev.public_address = laptop;
  ev.client_hops = 4;
  ev.local.port = 3000;
  ev.agent_listening = true;
  path_evidence path;
  path.hops = {router(1, room_lan), router(2, hub_lan), router(3, isp_router), router(4, internet_router)};
  path.reached_relay = true;
  path.source_address = laptop;
  path.host_addresses = {"192.168.1.23", laptop};
  ev.path = path;
  ev.connect_back = {connect_outcome::verified, laptop, 3000, 40000, 80, 81, 1, "", false, {}, std::nullopt};
  ev.sweep = ttl_sweep{{expired(1, "2001:db8:ff::1"), expired(2, "2001:db8:10::2"), expired(3, "2001:db8:20::2"),
                        expired(4, "2001:db8:100::2"), accepted(5)},
                       5};
  ev.capture.available = true;
  return ev;
}

struct hop_view {
  hop_role role;
  std::string name;
  std::optional<std::string> address;
  bool operator==(const hop_view&) const = default;
};

std::vector<hop_view> hops_of(const verdict& v) {
  std::vector<hop_view> view;
  for (const auto& h : v.hops) view.push_back({h.role, h.name, h.address});
  return view;
}

TEST(ipv6_layout, the_homes_routers_filter_and_translate_nothing) {
  const auto v = diagnose(ipv6_double_router(), config::builtin_fixes());
  EXPECT_EQ(v.why, cause::reachable) << v.summary;
  const std::vector<hop_view> expected = {{hop_role::internet, "internet", laptop},
                                          {hop_role::router, "ISP hub", hub_lan},
                                          {hop_role::router, "room router", room_lan},
                                          {hop_role::host, "this host", laptop}};
  EXPECT_EQ(hops_of(v), expected);
}

TEST(ipv6_layout, nothing_claims_a_nat_rewrote_this_hosts_own_answer) {
  const auto v = diagnose(ipv6_double_router(), config::builtin_fixes());
  for (const auto& h : v.hops)
    for (const auto& line : h.evidence) EXPECT_EQ(line.find("NAT"), std::string::npos) << line;
}

TEST(ipv6_hairpin, is_not_tested_where_nothing_translates_the_address) {
  const auto ev = ipv6_double_router();
  const auto v = diagnose(ev, config::builtin_fixes());
  const auto reason = hairpin_skip_reason(ev, v);
  ASSERT_TRUE(reason.has_value());
  EXPECT_NE(reason->find("no NAT in between"), std::string::npos) << *reason;
}

TEST(ipv6_layout, routers_outside_the_delegated_prefix_are_the_isps) {
  auto ev = ipv6_double_router();
  ev.path->hops[1].address = "2001:db8:21::1";  // the hub hands out another /56: the ISP's router
  const auto v = diagnose(ev, config::builtin_fixes());
  ASSERT_EQ(v.hops.size(), 3U);
  EXPECT_EQ(v.hops[1].name, "router");
  EXPECT_EQ(v.hops[1].address, room_lan);
}

TEST(ipv6_layout, a_silent_gateway_is_still_the_homes_router) {
  auto ev = ipv6_double_router();
  ev.path->hops[0] = silent_router(1);
  ev.path->hops[1].address = "2001:db8:21::1";
  const auto v = diagnose(ev, config::builtin_fixes());
  ASSERT_EQ(v.hops.size(), 3U);
  EXPECT_EQ(v.hops[1].role, hop_role::router);
  EXPECT_EQ(v.hops[1].address, std::nullopt);
}

TEST(ipv6_layout, a_silent_router_between_home_routers_counts) {
  auto ev = ipv6_double_router();
  ev.path->hops.insert(ev.path->hops.begin() + 1, silent_router(2));
  for (std::size_t i = 2; i < ev.path->hops.size(); ++i) ev.path->hops[i].ttl = static_cast<int>(i) + 1;
  ev.client_hops = 5;
  const auto v = diagnose(ev, config::builtin_fixes());
  ASSERT_EQ(v.hops.size(), 5U);
  EXPECT_EQ(v.hops[2].address, std::nullopt);
}


sweep_hop silent(int ttl) { return {ttl, sweep_reply::silence, "", {}, {}, 700.0, 2}; }

/// The room router's filter drops new inbound connections: the sweep hears
/// every router's expiry, and nothing past the room router.
evidence room_router_drops() {
  auto ev = ipv6_double_router();
  ev.connect_back.outcome = connect_outcome::timeout;
  ev.sweep->hops.back() = silent(5);
  ev.sweep->public_distance.reset();
  return ev;
}

std::vector<std::string> candidate_names(const verdict& v) {
  std::vector<std::string> names;
  for (const auto i : v.candidates) names.push_back(v.hops[i].name);
  return names;
}

TEST(ipv6_router_firewall, the_room_router_that_passed_no_probe_on_is_named_alone_with_a_capture) {
  const auto v = diagnose(room_router_drops(), config::builtin_fixes());
  EXPECT_EQ(v.why, cause::router_firewall) << v.summary;
  EXPECT_EQ(candidate_names(v), std::vector<std::string>{"room router"}) << v.summary;
  EXPECT_NE(v.summary.find("IPv6 firewall"), std::string::npos) << v.summary;
  ASSERT_FALSE(v.fix.empty());
  EXPECT_NE(v.fix.front().find("allow inbound TCP 3000 to 2001:db8:100:1::23"), std::string::npos) << v.fix.front();
}

TEST(ipv6_router_firewall, without_a_capture_this_hosts_firewall_stays_named) {
  auto ev = room_router_drops();
  ev.capture = {};
  const auto v = diagnose(ev, config::builtin_fixes());
  EXPECT_EQ(v.why, cause::router_firewall) << v.summary;
  EXPECT_EQ(candidate_names(v), (std::vector<std::string>{"room router", "this host"})) << v.summary;
  EXPECT_NE(v.summary.find("Most likely the room router"), std::string::npos) << v.summary;
}

TEST(ipv6_router_firewall, the_hub_that_passed_no_probe_on_is_named_first) {
  auto ev = room_router_drops();
  ev.sweep->hops[3] = silent(4);
  const auto v = diagnose(ev, config::builtin_fixes());
  EXPECT_EQ(v.why, cause::router_firewall) << v.summary;
  EXPECT_EQ(candidate_names(v), (std::vector<std::string>{"ISP hub", "room router"})) << v.summary;
}

TEST(ipv6_router_firewall, a_rejecting_router_is_placed_by_its_own_address) {
  auto ev = room_router_drops();
  ev.connect_back.outcome = connect_outcome::unreachable;
  ev.connect_back.icmp = icmp_info{1, 1, "2001:db8:100::2"};
  const auto v = diagnose(ev, config::builtin_fixes());
  EXPECT_EQ(v.why, cause::router_firewall) << v.summary;
  EXPECT_EQ(candidate_names(v), std::vector<std::string>{"room router"}) << v.summary;
  EXPECT_NE(v.summary.find("administratively prohibited"), std::string::npos) << v.summary;
}

TEST(ipv6_router_firewall, a_probe_seen_arriving_is_this_hosts_business) {
  auto ev = room_router_drops();
  ev.capture.probe_seen = true;
  ev.capture.probe_count = 1;
  ev.capture.arrived_port = 3000;
  const auto v = diagnose(ev, config::builtin_fixes());
  EXPECT_EQ(v.why, cause::host_firewall) << v.summary;
}

// ICMPv6 codes are not ICMP's: type 1 code 1 is "administratively
// prohibited" (a filter), where ICMP type 3 code 1 is "host unreachable".
TEST(ipv6_router_firewall, this_hosts_own_icmpv6_rejection_is_its_firewall) {
  auto ev = ipv6_double_router();
  const icmp_info prohibited{1, 1, laptop};
  ev.connect_back.outcome = connect_outcome::unreachable;
  ev.connect_back.icmp = prohibited;
  ev.sweep->hops.back() = {5, sweep_reply::unreachable, laptop, prohibited, 60, 5.0, 1};
  ev.capture.probe_seen = true;
  ev.capture.probe_count = 1;
  ev.capture.arrived_port = 3000;
  const auto v = diagnose(ev, config::builtin_fixes());
  EXPECT_EQ(v.why, cause::host_firewall) << v.summary;
  EXPECT_EQ(candidate_names(v), std::vector<std::string>{"this host"}) << v.summary;
}

TEST(ipv6_router_firewall, a_udp_probe_names_udp_in_the_rule) {
  auto ev = room_router_drops();
  ev.protocol = transport::udp;
  const auto v = diagnose(ev, config::builtin_fixes());
  EXPECT_EQ(v.why, cause::router_firewall) << v.summary;
  EXPECT_NE(v.fix.front().find("allow inbound UDP 3000"), std::string::npos) << v.fix.front();
  EXPECT_EQ(v.summary.find("SYN"), std::string::npos) << v.summary;
}

}  // namespace
}  // namespace reachback::verdict_ipv6_test
