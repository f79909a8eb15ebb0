// SPDX-License-Identifier: MIT
#include "common/verdict_engine.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace reachback {
namespace {

// ---------------------------------------------------------------------------
// Evidence builders. The default is a laptop behind two NATs, as in the
// README's lab, but the tests also vary topology, addresses and ports.

constexpr const char* relay_ip = "203.0.113.10";
constexpr const char* public_ip = "198.51.100.2";

path_hop router(int ttl, std::string address, address_class cls) { return {ttl, std::move(address), cls, 1.0}; }

sweep_hop expired(int ttl, std::string from, int reply_ttl) {
  return {ttl, sweep_reply::time_exceeded, std::move(from), icmp_info{11, 0, ""}, reply_ttl, 5.0, 1};
}
sweep_hop reset(int ttl, std::string from = public_ip) { return {ttl, sweep_reply::rst, std::move(from), {}, {}, 5.0, 1}; }
sweep_hop accepted(int ttl) { return {ttl, sweep_reply::syn_ack, public_ip, {}, {}, 5.0, 1}; }
sweep_hop silent(int ttl) { return {ttl, sweep_reply::silence, "", {}, {}, 700.0, 2}; }
sweep_hop rejected(int ttl, int code) {
  return {ttl, sweep_reply::unreachable, public_ip, icmp_info{3, code, public_ip}, 61, 5.0, 1};
}

evidence double_nat() {
  evidence ev;
  ev.port = 3000;
  ev.relay = "203.0.113.10:4750";
  ev.relay_address = relay_ip;
  ev.public_address = public_ip;
  ev.client_hops = 3;
  ev.local.port = 3000;
  ev.agent_listening = true;
  path_evidence path;
  path.hops = {router(1, "192.168.1.1", address_class::private_net),
               router(2, "192.168.0.1", address_class::private_net),
               router(3, "198.51.100.1", address_class::public_net)};
  path.reached_relay = true;
  path.source_address = "192.168.1.23";
  path.host_addresses = {"192.168.1.23"};
  ev.path = path;
  ev.connect_back = {connect_outcome::timeout, public_ip, 3000, 40000, 3000, 3000, 1, "", false, {}};
  ev.sweep = ttl_sweep{{expired(1, "203.0.113.1", 64), expired(2, public_ip, 63), expired(3, public_ip, 62)}, 2};
  ev.capture.available = true;
  return ev;
}

/// The hub's WAN has the public address, but its gateway, the ISP's
/// PPPoE router, answers from a private one: 10.0.0.1 toward the home,
/// 10.255.0.2 toward the relay.
evidence isp_gateway_behind_hub() {
  auto ev = double_nat();
  ev.path->hops = {router(1, "192.168.1.1", address_class::private_net),
                   router(2, "192.168.0.1", address_class::private_net),
                   router(3, "10.0.0.1", address_class::private_net),
                   router(4, "198.51.100.1", address_class::public_net)};
  ev.client_hops = 4;
  return ev;
}

void outcome(evidence& ev, connect_outcome o) { ev.connect_back.outcome = o; }
void add_sweep(evidence& ev, sweep_hop h) { ev.sweep->hops.push_back(std::move(h)); }
void captured(evidence& ev, host_answer answer, std::uint16_t port = 3000) {
  ev.capture.syn_seen = true;
  ev.capture.syn_count = 1;
  ev.capture.arrived_port = port;
  ev.capture.answer = answer;
}
void no_capture(evidence& ev) {
  ev.capture = {};
  ev.capture.unavailable_reason = "needs CAP_NET_RAW";
}
void held_by(evidence& ev, bind_state state, std::string address) {
  ev.local.state = state;
  ev.local.owners = {{4242, "socat", "socat TCP-LISTEN:3000", "", "", {std::move(address)}}};
  ev.agent_listening = false;
}

// ---------------------------------------------------------------------------
// Table: scenario name, evidence, expected cause and blocking hop address.

struct engine_case {
  std::string name;
  std::function<evidence()> make;
  cause expected;
  std::optional<std::string> blocking_address;  ///< nullopt: no blocking hop
};

std::ostream& operator<<(std::ostream& os, const engine_case& c) { return os << c.name; }

const std::vector<engine_case> cases = {
    {"reachable_verified",
     [] {
       auto ev = double_nat();
       outcome(ev, connect_outcome::verified);
       add_sweep(ev, accepted(4));
       captured(ev, host_answer::syn_ack);
       return ev;
     },
     cause::reachable, std::nullopt},
    {"reachable_without_capture_or_sweep",
     [] {
       auto ev = double_nat();
       outcome(ev, connect_outcome::verified);
       ev.sweep.reset();
       no_capture(ev);
       return ev;
     },
     cause::reachable, std::nullopt},
    {"service_reachable_confirmed_by_capture",
     [] {
       auto ev = double_nat();
       held_by(ev, bind_state::held, "0.0.0.0:3000");
       ev.mode = probe_mode::service;
       outcome(ev, connect_outcome::foreign);
       ev.connect_back.banner = "HTTP/1.1 200 OK";
       add_sweep(ev, accepted(4));
       captured(ev, host_answer::syn_ack);
       return ev;
     },
     cause::reachable, std::nullopt},
    {"no_listener_in_service_mode",
     [] {
       auto ev = double_nat();
       ev.mode = probe_mode::service;
       ev.agent_listening = false;
       outcome(ev, connect_outcome::refused);
       add_sweep(ev, reset(4));
       captured(ev, host_answer::rst);
       return ev;
     },
     cause::no_listener, "192.168.1.23"},
    {"host_firewall_drop_seen_by_capture",
     [] {
       auto ev = double_nat();
       add_sweep(ev, silent(4));
       captured(ev, host_answer::none);
       return ev;
     },
     cause::host_firewall, "192.168.1.23"},
    {"host_drop_without_capture_is_filtered_at_host",
     [] {
       auto ev = double_nat();
       add_sweep(ev, silent(4));
       no_capture(ev);
       return ev;
     },
     cause::filtered, "192.168.1.23"},
    {"host_firewall_reset",
     [] {
       auto ev = double_nat();
       outcome(ev, connect_outcome::refused);
       add_sweep(ev, reset(4));
       captured(ev, host_answer::rst);
       return ev;
     },
     cause::host_firewall, "192.168.1.23"},
    {"host_firewall_reset_without_capture",
     [] {
       auto ev = double_nat();
       outcome(ev, connect_outcome::refused);
       add_sweep(ev, reset(4));
       no_capture(ev);
       return ev;
     },
     cause::host_firewall, "192.168.1.23"},
    {"host_firewall_icmp_admin_prohibited",
     [] {
       auto ev = double_nat();
       outcome(ev, connect_outcome::unreachable);
       ev.connect_back.icmp = icmp_info{3, 13, public_ip};
       add_sweep(ev, rejected(4, 13));
       captured(ev, host_answer::none);
       return ev;
     },
     cause::host_firewall, "192.168.1.23"},
    {"room_router_no_forward_resets",
     [] {
       auto ev = double_nat();
       ev.sweep->hops.pop_back();
       outcome(ev, connect_outcome::refused);
       add_sweep(ev, reset(3));
       return ev;
     },
     cause::nat_no_forward, "192.168.1.1"},
    {"room_router_no_forward_without_capture",
     [] {
       auto ev = double_nat();
       ev.sweep->hops.pop_back();
       outcome(ev, connect_outcome::refused);
       add_sweep(ev, reset(3));
       no_capture(ev);
       return ev;
     },
     cause::nat_no_forward, "192.168.1.1"},
    {"room_router_no_forward_hub_icmp_rate_limited",
     [] {
       auto ev = double_nat();
       ev.sweep->hops = {expired(1, "203.0.113.1", 64), silent(2), reset(3)};
       ev.sweep->public_distance = 3;  // the relay saw the public address first at TTL 3
       outcome(ev, connect_outcome::refused);
       return ev;
     },
     cause::nat_no_forward, "192.168.1.1"},
    {"room_router_no_forward_route_longer_toward_the_relay",
     [] {
       // Internet routes are often longer one way: the SYN TTL counts four
       // routers more than the relay's way in. The sweep measures the way in.
       auto ev = double_nat();
       ev.client_hops = 7;
       ev.sweep->hops = {expired(1, "203.0.113.1", 64), expired(2, public_ip, 63), reset(3)};
       outcome(ev, connect_outcome::refused);
       return ev;
     },
     cause::nat_no_forward, "192.168.1.1"},
    {"room_router_no_forward_route_longer_toward_the_home",
     [] {
       auto ev = double_nat();
       ev.sweep = ttl_sweep{{expired(1, "203.0.113.1", 64), expired(2, "203.0.113.254", 63),
                             expired(3, public_ip, 62), reset(4)},
                            3};
       outcome(ev, connect_outcome::refused);
       return ev;
     },
     cause::nat_no_forward, "192.168.1.1"},
    {"isp_gateway_with_a_private_address_is_not_a_nat_hub_no_forward",
     [] {
       auto ev = isp_gateway_behind_hub();
       ev.sweep = ttl_sweep{{expired(1, "203.0.113.1", 64), expired(2, "10.255.0.2", 63), reset(3)}, 3};
       outcome(ev, connect_outcome::refused);
       return ev;
     },
     cause::nat_no_forward, "192.168.0.1"},
    {"isp_gateway_with_a_private_address_is_not_a_nat_room_no_forward",
     [] {
       auto ev = isp_gateway_behind_hub();
       ev.sweep = ttl_sweep{
           {expired(1, "203.0.113.1", 64), expired(2, "10.255.0.2", 63), expired(3, public_ip, 62), reset(4)}, 3};
       outcome(ev, connect_outcome::refused);
       return ev;
     },
     cause::nat_no_forward, "192.168.1.1"},
    {"isp_routers_private_on_both_sides_are_not_nats",
     [] {
       // The internet router's interface toward the gateway is private too.
       auto ev = isp_gateway_behind_hub();
       ev.path->hops.back() = router(4, "10.255.0.1", address_class::private_net);
       ev.path->reached_relay = true;
       ev.sweep = ttl_sweep{{expired(1, "203.0.113.1", 64), expired(2, "10.255.0.2", 63), reset(3)}, 3};
       outcome(ev, connect_outcome::refused);
       return ev;
     },
     cause::nat_no_forward, "192.168.0.1"},
    {"isp_router_private_only_toward_the_relay_takes_no_nat_away",
     [] {
       auto ev = double_nat();
       ev.client_hops = 4;
       ev.sweep = ttl_sweep{{expired(1, "203.0.113.1", 64), expired(2, "10.255.0.2", 63), reset(3)}, 3};
       outcome(ev, connect_outcome::refused);
       return ev;
     },
     cause::nat_no_forward, "192.168.0.1"},
    {"room_router_silently_drops",
     [] {
       auto ev = double_nat();
       ev.sweep->hops = {expired(1, "203.0.113.1", 64), expired(2, public_ip, 63), silent(3), silent(4)};
       return ev;
     },
     cause::nat_no_forward, "192.168.1.1"},
    {"silent_router_with_forward_hides_host_drop_without_capture",
     [] {
       // The room router forwards but sends no time exceeded: it and the
       // host cannot be told apart, and the report must say both.
       auto ev = double_nat();
       ev.sweep->hops = {expired(1, "203.0.113.1", 64), expired(2, public_ip, 63), silent(3), silent(4)};
       no_capture(ev);
       return ev;
     },
     cause::nat_no_forward, "192.168.1.1"},
    {"nat_that_does_not_translate_icmp",
     [] {
       auto ev = double_nat();
       ev.sweep->hops = {expired(1, "203.0.113.1", 64), expired(2, public_ip, 63), expired(3, "192.168.0.2", 62),
                         silent(4)};
       captured(ev, host_answer::none);
       return ev;
     },
     cause::host_firewall, "192.168.1.23"},
    {"isp_hub_no_forward",
     [] {
       auto ev = double_nat();
       ev.sweep->hops = {expired(1, "203.0.113.1", 64), reset(2)};
       outcome(ev, connect_outcome::refused);
       return ev;
     },
     cause::nat_no_forward, "192.168.0.1"},
    {"isp_hub_silent_without_forward",
     [] {
       auto ev = double_nat();
       ev.sweep->hops = {expired(1, "203.0.113.1", 64), silent(2), silent(3), silent(4)};
       ev.sweep->public_distance.reset();
       return ev;
     },
     cause::nat_no_forward, "192.168.0.1"},
    {"room_router_forwards_to_other_device",
     [] {
       auto ev = double_nat();
       outcome(ev, connect_outcome::foreign);
       ev.connect_back.banner = "SSH-2.0-desk";
       add_sweep(ev, accepted(4));
       return ev;
     },
     cause::nat_wrong_target, "192.168.1.1"},
    {"wrong_target_settled_without_the_banner",
     [] {
       auto ev = double_nat();
       outcome(ev, connect_outcome::foreign);
       ev.connect_back.banner_skipped = true;
       add_sweep(ev, accepted(4));
       return ev;
     },
     cause::nat_wrong_target, "192.168.1.1"},
    {"wrong_target_without_capture",
     [] {
       auto ev = double_nat();
       outcome(ev, connect_outcome::foreign);
       ev.connect_back.silent = true;
       add_sweep(ev, accepted(4));
       no_capture(ev);
       return ev;
     },
     cause::nat_wrong_target, "192.168.1.1"},
    {"forward_to_wrong_port",
     [] {
       auto ev = double_nat();
       outcome(ev, connect_outcome::refused);
       add_sweep(ev, reset(4));
       captured(ev, host_answer::rst, 3001);
       return ev;
     },
     cause::nat_wrong_target, "192.168.1.1"},
    {"forward_to_dead_address",
     [] {
       auto ev = double_nat();
       outcome(ev, connect_outcome::unreachable);
       ev.connect_back.icmp = icmp_info{3, 1, public_ip};
       add_sweep(ev, rejected(4, 1));
       no_capture(ev);
       return ev;
     },
     cause::nat_wrong_target, "192.168.1.1"},
    {"router_answers_port_itself",
     [] {
       auto ev = double_nat();
       ev.sweep->hops = {expired(1, "203.0.113.1", 64), expired(2, public_ip, 63), accepted(3)};
       outcome(ev, connect_outcome::foreign);
       ev.connect_back.banner = "HTTP/1.0 401 Unauthorized";
       return ev;
     },
     cause::nat_no_forward, "192.168.1.1"},
    {"bind_conflict_with_listen",
     [] {
       auto ev = double_nat();
       ev.mode = probe_mode::listen;
       held_by(ev, bind_state::held, "0.0.0.0:3000");
       outcome(ev, connect_outcome::foreign);
       add_sweep(ev, accepted(4));
       captured(ev, host_answer::syn_ack);
       return ev;
     },
     cause::bind_conflict, "192.168.1.23"},
    {"bind_conflict_settled_without_the_banner",
     [] {
       auto ev = double_nat();
       ev.mode = probe_mode::listen;
       held_by(ev, bind_state::held, "0.0.0.0:3000");
       outcome(ev, connect_outcome::foreign);
       ev.connect_back.banner_skipped = true;
       add_sweep(ev, accepted(4));
       captured(ev, host_answer::syn_ack);
       return ev;
     },
     cause::bind_conflict, "192.168.1.23"},
    {"bind_conflict_known_squatter",
     [] {
       auto ev = double_nat();
       held_by(ev, bind_state::held, "0.0.0.0:3000");
       ev.local.squatter = squatter_match{"iphlpsvc", "the Windows IP Helper service", {"netsh interface portproxy show all"}};
       outcome(ev, connect_outcome::foreign);
       add_sweep(ev, accepted(4));
       captured(ev, host_answer::syn_ack);
       return ev;
     },
     cause::bind_conflict, "192.168.1.23"},
    {"loopback_only_server",
     [] {
       auto ev = double_nat();
       held_by(ev, bind_state::loopback_only, "127.0.0.1:3000");
       outcome(ev, connect_outcome::refused);
       add_sweep(ev, reset(4));
       captured(ev, host_answer::rst);
       return ev;
     },
     cause::loopback_only, "192.168.1.23"},
    {"forbidden_port",
     [] {
       auto ev = double_nat();
       ev.port = 80;
       ev.local.state = bind_state::forbidden;
       ev.agent_listening = false;
       outcome(ev, connect_outcome::refused);
       add_sweep(ev, reset(4));
       captured(ev, host_answer::rst, 80);
       return ev;
     },
     cause::forbidden_port, "192.168.1.23"},
    {"carrier_nat_resets",
     [] {
       auto ev = double_nat();
       ev.path->hops = {router(1, "192.168.1.1", address_class::private_net),
                        router(2, "192.168.0.1", address_class::private_net),
                        router(3, "100.64.0.1", address_class::carrier_nat),
                        router(4, "198.51.100.1", address_class::public_net)};
       ev.client_hops = 4;
       ev.sweep->hops = {expired(1, "203.0.113.1", 64), reset(2)};
       outcome(ev, connect_outcome::refused);
       return ev;
     },
     cause::cgnat, "100.64.0.1"},
    {"carrier_nat_silent",
     [] {
       auto ev = double_nat();
       ev.path->hops = {router(1, "192.168.1.1", address_class::private_net),
                        router(2, "100.64.0.1", address_class::carrier_nat),
                        router(3, "198.51.100.1", address_class::public_net)};
       ev.sweep->hops = {expired(1, "203.0.113.1", 64), silent(2), silent(3)};
       ev.sweep->public_distance.reset();
       return ev;
     },
     cause::cgnat, "100.64.0.1"},
    {"carrier_nat_is_not_blamed_once_a_syn_got_past_it",
     [] {
       auto ev = double_nat();
       ev.path->hops = {router(1, "192.168.1.1", address_class::private_net),
                        router(2, "100.64.0.1", address_class::carrier_nat),
                        router(3, "198.51.100.1", address_class::public_net)};
       add_sweep(ev, silent(4));
       captured(ev, host_answer::syn_ack);  // the answer got lost on the way back
       return ev;
     },
     cause::filtered, "192.168.1.23"},
    {"relay_failing_to_send_is_inconclusive",
     [] {
       auto ev = double_nat();
       outcome(ev, connect_outcome::unreachable);  // no ICMP: the relay's own error
       ev.sweep->hops = {{1, sweep_reply::unreachable, "", {}, {}, 0.1, 1}};
       ev.sweep->public_distance.reset();
       no_capture(ev);
       return ev;
     },
     cause::inconclusive, std::nullopt},
    {"single_nat_other_addresses_no_forward",
     [] {
       auto ev = double_nat();
       ev.port = 25565;
       ev.public_address = "192.0.2.77";
       ev.path->hops = {router(1, "10.0.0.1", address_class::private_net),
                        router(2, "192.0.2.1", address_class::public_net)};
       ev.path->source_address = "10.0.0.5";
       ev.client_hops = 2;
       ev.sweep = ttl_sweep{{expired(1, "203.0.113.1", 64), reset(2, "192.0.2.77")}, 2};
       outcome(ev, connect_outcome::refused);
       return ev;
     },
     cause::nat_no_forward, "10.0.0.1"},
    {"three_nats_middle_one_missing",
     [] {
       auto ev = double_nat();
       ev.path->hops = {router(1, "10.1.1.1", address_class::private_net),
                        router(2, "192.168.1.1", address_class::private_net),
                        router(3, "192.168.0.1", address_class::private_net),
                        router(4, "198.51.100.1", address_class::public_net)};
       ev.client_hops = 4;
       ev.sweep->hops = {expired(1, "203.0.113.1", 64), expired(2, public_ip, 63), reset(3)};
       outcome(ev, connect_outcome::refused);
       return ev;
     },
     cause::nat_no_forward, "192.168.1.1"},
    {"no_nat_public_host_firewall",
     [] {
       auto ev = double_nat();
       ev.path->hops = {router(1, "198.51.100.1", address_class::public_net)};
       ev.path->source_address = public_ip;
       ev.client_hops = 1;
       ev.sweep = ttl_sweep{{expired(1, "203.0.113.1", 64), silent(2)}, {}};
       captured(ev, host_answer::none);
       return ev;
     },
     cause::host_firewall, public_ip},
    {"network_block_outranks_local_conflict",
     [] {
       auto ev = double_nat();
       ev.mode = probe_mode::listen;
       held_by(ev, bind_state::held, "0.0.0.0:3000");
       ev.sweep->hops = {expired(1, "203.0.113.1", 64), reset(2)};
       outcome(ev, connect_outcome::refused);
       return ev;
     },
     cause::nat_no_forward, "192.168.0.1"},
    {"timeout_without_sweep_is_filtered",
     [] {
       auto ev = double_nat();
       ev.sweep.reset();
       ev.client_hops.reset();
       ev.path.reset();
       no_capture(ev);
       return ev;
     },
     cause::filtered, std::nullopt},
    {"relay_ran_nothing_is_inconclusive",
     [] {
       auto ev = double_nat();
       outcome(ev, connect_outcome::not_run);
       ev.sweep.reset();
       return ev;
     },
     cause::inconclusive, std::nullopt},
};

class engine_table : public testing::TestWithParam<engine_case> {};

TEST_P(engine_table, names_cause_and_blocking_hop) {
  const auto& c = GetParam();
  const auto v = diagnose(c.make());
  EXPECT_EQ(to_string(v.why), to_string(c.expected)) << v.summary;
  if (c.blocking_address) {
    ASSERT_TRUE(v.blocking_hop.has_value()) << v.summary;
    ASSERT_LT(*v.blocking_hop, v.hops.size());
    EXPECT_EQ(v.hops[*v.blocking_hop].address, c.blocking_address) << v.summary;
    EXPECT_EQ(v.hops[*v.blocking_hop].status, hop_status::blocked);
  } else {
    EXPECT_FALSE(v.blocking_hop.has_value()) << v.summary;
  }
}

TEST_P(engine_table, report_is_complete) {
  const auto v = diagnose(GetParam().make());
  ASSERT_GE(v.hops.size(), 2U);
  EXPECT_EQ(v.hops.front().role, hop_role::internet);
  EXPECT_EQ(v.hops.back().role, hop_role::host);
  EXPECT_FALSE(v.summary.empty());
  if (!v.reachable() && v.why != cause::inconclusive && v.why != cause::filtered) {
    EXPECT_FALSE(v.fix.empty());
  }
  if (v.blocking_hop) {
    for (std::size_t i = *v.blocking_hop + 1; i < v.hops.size(); ++i) {
      EXPECT_EQ(v.hops[i].status, hop_status::not_reached) << "hop " << i;
    }
  }
  for (const auto& h : v.hops) {
    if (h.status == hop_status::pass || h.status == hop_status::blocked) {
      EXPECT_FALSE(h.evidence.empty()) << h.name << " has a status without evidence";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(causes, engine_table, testing::ValuesIn(cases),
                         [](const testing::TestParamInfo<engine_case>& p) { return p.param.name; });

TEST(verdict_engine, fix_names_device_and_exact_forward) {
  auto ev = double_nat();
  ev.sweep->hops.pop_back();
  outcome(ev, connect_outcome::refused);
  add_sweep(ev, reset(3));
  const auto v = diagnose(ev);
  ASSERT_FALSE(v.fix.empty());
  EXPECT_EQ(v.fix.front(), "room router 192.168.1.1: add a port forward TCP WAN 3000 → 192.168.1.23:3000.");
}

TEST(verdict_engine, outer_nat_forward_points_at_next_router) {
  auto ev = double_nat();
  ev.sweep->hops = {expired(1, "203.0.113.1", 64), reset(2)};
  outcome(ev, connect_outcome::refused);
  const auto v = diagnose(ev);
  ASSERT_FALSE(v.fix.empty());
  EXPECT_NE(v.fix.front().find("ISP hub 192.168.0.1: add a port forward TCP WAN 3000 → the room router's WAN"),
            std::string::npos)
      << v.fix.front();
}

TEST(verdict_engine, names_both_candidates_when_capture_is_missing) {
  auto ev = double_nat();
  add_sweep(ev, silent(4));
  no_capture(ev);
  const auto v = diagnose(ev);
  EXPECT_NE(v.summary.find("firewall"), std::string::npos) << v.summary;
  EXPECT_NE(v.summary.find("room router 192.168.1.1"), std::string::npos) << v.summary;
}

TEST(verdict_engine, bind_conflict_names_the_holder) {
  auto ev = double_nat();
  ev.mode = probe_mode::listen;
  held_by(ev, bind_state::held, "0.0.0.0:3000");
  outcome(ev, connect_outcome::foreign);
  add_sweep(ev, accepted(4));
  captured(ev, host_answer::syn_ack);
  const auto v = diagnose(ev);
  EXPECT_NE(v.summary.find("socat (pid 4242)"), std::string::npos) << v.summary;
}

TEST(verdict_engine, a_skipped_banner_is_said_never_invented) {
  auto ev = double_nat();
  outcome(ev, connect_outcome::foreign);
  ev.connect_back.banner_skipped = true;
  add_sweep(ev, accepted(4));
  const auto v = diagnose(ev);
  EXPECT_NE(v.summary.find("reached another server instead of probe-client"), std::string::npos) << v.summary;
  bool said = false;
  for (const auto& h : v.hops) {
    for (const auto& line : h.evidence) {
      EXPECT_EQ(line.find("sent nothing"), std::string::npos) << line;
      said = said || line.find("banner was not waited for") != std::string::npos;
    }
  }
  EXPECT_TRUE(said);
}

TEST(verdict_engine, an_isp_router_is_named_as_such_and_not_listed_as_a_nat) {
  auto ev = isp_gateway_behind_hub();
  ev.sweep = ttl_sweep{{expired(1, "203.0.113.1", 64), expired(2, "10.255.0.2", 63), reset(3)}, 3};
  outcome(ev, connect_outcome::refused);
  const auto v = diagnose(ev);
  ASSERT_EQ(v.hops.size(), 4u);  // internet, hub, room router, this host
  EXPECT_EQ(v.hops[1].address, "192.168.0.1");
  EXPECT_EQ(v.hops[1].name, "ISP hub");
  EXPECT_EQ(v.hops[2].name, "room router");
  bool named = false;
  for (const auto& line : v.hops[0].evidence) named = named || line.find("10.0.0.1") != std::string::npos;
  EXPECT_TRUE(named);
}

TEST(verdict_engine, private_routers_the_relay_met_never_take_the_last_nat) {
  auto ev = double_nat();
  ev.path->hops = {router(1, "10.0.0.1", address_class::private_net),
                   router(2, "198.51.100.1", address_class::public_net)};
  ev.client_hops = 2;
  ev.sweep = ttl_sweep{{expired(1, "10.255.0.9", 64), expired(2, "10.255.0.2", 63), reset(3)}, 3};
  outcome(ev, connect_outcome::refused);
  const auto v = diagnose(ev);
  EXPECT_EQ(v.why, cause::nat_no_forward) << v.summary;
  ASSERT_TRUE(v.blocking_hop.has_value());
  EXPECT_EQ(v.hops[*v.blocking_hop].address, "10.0.0.1");
}

TEST(verdict_engine, the_holder_is_in_the_way_only_as_a_squatter_or_under_listen) {
  auto ev = double_nat();
  EXPECT_FALSE(holder_in_the_way(ev));  // free
  held_by(ev, bind_state::held, "0.0.0.0:3000");
  EXPECT_FALSE(holder_in_the_way(ev));  // the user's own server
  ev.mode = probe_mode::service;
  EXPECT_FALSE(holder_in_the_way(ev));
  ev.mode = probe_mode::listen;
  EXPECT_TRUE(holder_in_the_way(ev));
  ev.local.state = bind_state::loopback_only;
  EXPECT_TRUE(holder_in_the_way(ev));
  ev.mode = probe_mode::automatic;
  EXPECT_FALSE(holder_in_the_way(ev));
  ev.local.squatter = squatter_match{"iphlpsvc", "the Windows IP Helper service", {}};
  EXPECT_TRUE(holder_in_the_way(ev));
  ev.local.state = bind_state::free;
  EXPECT_FALSE(holder_in_the_way(ev));
}

TEST(verdict_engine, a_nat_the_path_trace_missed_is_still_a_hop) {
  auto ev = double_nat();
  ev.path.reset();  // no trace, but the relay saw another address than ours
  ev.client_hops.reset();
  ev.sweep = ttl_sweep{{expired(1, "203.0.113.1", 64), reset(2)}, 2};
  outcome(ev, connect_outcome::refused);
  no_capture(ev);
  const auto v = diagnose(ev);
  EXPECT_EQ(v.why, cause::nat_no_forward) << v.summary;
  ASSERT_TRUE(v.blocking_hop.has_value());
  EXPECT_EQ(v.hops[*v.blocking_hop].role, hop_role::nat);
  EXPECT_FALSE(v.hops[*v.blocking_hop].address.has_value());
}

TEST(verdict_engine, loopback_relay_gives_internet_then_host) {
  evidence ev;
  ev.port = 3000;
  ev.public_address = "127.0.0.1";
  ev.relay_address = "127.0.0.1";
  ev.client_hops = 0;
  ev.agent_listening = true;
  ev.connect_back.outcome = connect_outcome::verified;
  const auto v = diagnose(ev);
  ASSERT_EQ(v.hops.size(), 2U);
  EXPECT_TRUE(v.reachable());
}

}  // namespace
}  // namespace reachback
