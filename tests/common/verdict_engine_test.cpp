// SPDX-License-Identifier: MIT
#include "common/verdict_engine.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <iostream>
#include <optional>
#include <string>

#include "config/fixes.hpp"
#include "config/squatters.hpp"

namespace reachback {
namespace {

const fix_book& fixes() { return config::builtin_fixes(); }

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
  ev.connect_back = {connect_outcome::timeout, public_ip, 3000, 40000, 3000, 3000, 1, "", false, {}, std::nullopt};
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
  ev.capture.probe_seen = true;
  ev.capture.probe_count = 1;
  ev.capture.arrived_port = port;
  ev.capture.answer = answer;
}
void no_capture(evidence& ev) {
  ev.capture = {};
  ev.capture.unavailable_reason = "needs CAP_NET_RAW";
}
void held_by(evidence& ev, bind_state state, std::string address) {
  ev.local.state = state;
  port_owner socat;
  socat.pid = 4242;
  socat.name = "socat";
  socat.cmdline = "socat TCP-LISTEN:3000";
  socat.addresses = {std::move(address)};
  ev.local.owners = {socat};
  ev.agent_listening = false;
}

/// A server that listens on one family only, `held` ("[::]:3000" with
/// IPV6_V6ONLY, say), whose reset answered the relay's SYN at this host.
evidence one_family_server_resets(held_families held, std::string address) {
  auto ev = double_nat();
  held_by(ev, bind_state::held, std::move(address));
  ev.local.held_in = held;
  outcome(ev, connect_outcome::refused);
  add_sweep(ev, reset(4));
  captured(ev, host_answer::rst);
  return ev;
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
    {"ipv6_only_server_probed_over_ipv4_is_wrong_family",
     [] { return one_family_server_resets(held_families::ipv6_only, "[::]:3000"); },
     cause::wrong_family, "192.168.1.23"},
    {"ipv6_only_server_in_service_mode_is_wrong_family",
     [] {
       auto ev = one_family_server_resets(held_families::ipv6_only, "[2001:db8::23]:3000");
       ev.mode = probe_mode::service;
       return ev;
     },
     cause::wrong_family, "192.168.1.23"},
    {"ipv6_only_server_without_capture_is_wrong_family",
     [] {
       auto ev = one_family_server_resets(held_families::ipv6_only, "[::]:3000");
       no_capture(ev);
       return ev;
     },
     cause::wrong_family, "192.168.1.23"},
    {"ipv4_only_server_probed_over_ipv6_is_wrong_family",
     [] {
       auto ev = one_family_server_resets(held_families::ipv4_only, "0.0.0.0:3000");
       ev.connect_back.dialed_address = "2001:db8::2";
       return ev;
     },
     cause::wrong_family, "192.168.1.23"},
    {"ipv4_only_server_probed_over_ipv4_resets_through_the_firewall",
     [] { return one_family_server_resets(held_families::ipv4_only, "0.0.0.0:3000"); },
     cause::host_firewall, "192.168.1.23"},
    {"dual_stack_server_resets_through_the_firewall",
     [] { return one_family_server_resets(held_families::both, "[::]:3000"); },
     cause::host_firewall, "192.168.1.23"},
    {"families_unknown_server_resets_through_the_firewall",
     [] { return one_family_server_resets(held_families::unknown, "[::]:3000"); },
     cause::host_firewall, "192.168.1.23"},
    {"ipv6_only_server_but_the_reset_came_from_another_device",
     [] {
       auto ev = one_family_server_resets(held_families::ipv6_only, "[::]:3000");
       ev.capture.probe_seen = false;
       ev.capture.answer = host_answer::none;
       return ev;
     },
     cause::nat_wrong_target, "192.168.1.1"},
    {"ipv6_only_holder_under_listen_is_a_bind_conflict",
     [] {
       auto ev = one_family_server_resets(held_families::ipv6_only, "[::]:3000");
       ev.mode = probe_mode::listen;
       return ev;
     },
     cause::bind_conflict, "192.168.1.23"},
    {"ipv6_only_server_behind_a_router_without_forward_is_the_router",
     [] {
       auto ev = one_family_server_resets(held_families::ipv6_only, "[::]:3000");
       ev.sweep->hops.resize(2);
       add_sweep(ev, reset(3));
       ev.capture = {};
       ev.capture.available = true;
       return ev;
     },
     cause::nat_no_forward, "192.168.1.1"},
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
  const auto v = diagnose(c.make(), fixes());
  EXPECT_EQ(to_string(v.why), to_string(c.expected)) << v.summary;
  if (c.blocking_address) {
    ASSERT_TRUE(v.blocking_hop().has_value()) << v.summary;
    ASSERT_LT(*v.blocking_hop(), v.hops.size());
    EXPECT_EQ(v.hops[*v.blocking_hop()].address, c.blocking_address) << v.summary;
    EXPECT_EQ(v.hops[*v.blocking_hop()].status, hop_status::blocked);
  } else {
    EXPECT_FALSE(v.blocking_hop().has_value()) << v.summary;
  }
}

TEST_P(engine_table, report_is_complete) {
  const auto v = diagnose(GetParam().make(), fixes());
  ASSERT_GE(v.hops.size(), 2U);
  EXPECT_EQ(v.hops.front().role, hop_role::internet);
  EXPECT_EQ(v.hops.back().role, hop_role::host);
  EXPECT_FALSE(v.summary.empty());
  if (!v.reachable() && v.why != cause::inconclusive && v.why != cause::filtered) {
    EXPECT_FALSE(v.fix.empty());
  }
  if (v.blocking_hop()) {
    for (std::size_t i = *v.blocking_hop() + 1; i < v.hops.size(); ++i) {
      EXPECT_EQ(v.hops[i].status, hop_status::not_reached) << "hop " << i;
    }
  }
  for (const auto& h : v.hops) {
    if (h.status == hop_status::pass || h.status == hop_status::blocked) {
      EXPECT_FALSE(h.evidence.empty()) << h.name << " has a status without evidence";
    }
  }
}

/// A "{name}" left in a step: the engine filled in too little.
bool has_placeholder(const std::string& step) {
  for (auto open = step.find('{'); open != std::string::npos; open = step.find('{', open + 1)) {
    const auto close = step.find('}', open);
    if (close == std::string::npos) return false;
    const auto name = step.substr(open + 1, close - open - 1);
    if (!name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; }))
      return true;
  }
  return false;
}

bool contains_any(const std::string& text, std::initializer_list<const char*> words) {
  return std::any_of(words.begin(), words.end(), [&](const char* w) { return text.find(w) != std::string::npos; });
}

TEST_P(engine_table, fixes_are_filled_in_and_in_the_host_os_commands) {
  const auto ev = GetParam().make();
  const auto v = diagnose(ev, fixes());
  for (const auto& step : v.fix) {
    EXPECT_FALSE(has_placeholder(step)) << step;
    EXPECT_EQ(step.find("(the fix book has no fix"), std::string::npos) << step;
    if (ev.os == host_os::windows_host) {
      EXPECT_FALSE(contains_any(step, {"sudo", "systemctl", "setcap", "ufw", "CAP_NET_RAW", "nft ", "iptables",
                                       "as root", "launchctl"}))
          << step;
    } else {
      EXPECT_FALSE(contains_any(step, {"PowerShell", "New-NetFirewallRule", "Stop-Service", "winnat"})) << step;
    }
  }
}

/// "room router 192.168.1.1", as the report names a hop.
std::string label(const hop& h) { return h.address ? h.name + " " + *h.address : h.name; }

std::vector<std::string> candidate_labels(const verdict& v) {
  std::vector<std::string> labels;
  for (const auto i : v.candidates) labels.push_back(i < v.hops.size() ? label(v.hops[i]) : "out of range");
  return labels;
}

/// How the summary names a candidate: by address, or the words for the ISP or this host.
bool summary_names(const verdict& v, std::size_t index) {
  const auto& h = v.hops[index];
  if (h.role == hop_role::internet) return v.summary.find("your ISP") != std::string::npos;
  if (h.role == hop_role::host && v.summary.find("this host") != std::string::npos) return true;
  return v.summary.find(h.address ? *h.address : h.name) != std::string::npos;
}

TEST_P(engine_table, candidates_start_with_the_blocking_hop_and_are_all_named) {
  const auto v = diagnose(GetParam().make(), fixes());
  for (std::size_t i = 0; i < v.candidates.size(); ++i) {
    ASSERT_LT(v.candidates[i], v.hops.size());
    EXPECT_EQ(std::count(v.candidates.begin(), v.candidates.end(), v.candidates[i]), 1) << v.candidates[i];
    if (v.candidates.size() > 1) {
      EXPECT_TRUE(summary_names(v, v.candidates[i])) << label(v.hops[v.candidates[i]]) << ": " << v.summary;
    }
  }
  if (v.reachable()) {
    EXPECT_TRUE(v.candidates.empty());
  }
  if (v.candidates.size() > 1) {
    EXPECT_NE(v.summary.find("tell"), std::string::npos) << v.summary;
  }
}

INSTANTIATE_TEST_SUITE_P(causes, engine_table, testing::ValuesIn(cases),
                         [](const testing::TestParamInfo<engine_case>& p) { return p.param.name; });

// ---------------------------------------------------------------------------
// Windows: the evidence as probe-client.exe gathers it. No packet capture;
// instead the firewall's own evaluation and log, portproxy rules, excluded
// port ranges, and the services inside svchost.exe.

port_owner svchost_running_ip_helper() {
  port_owner o;
  o.pid = 1234;
  o.name = "svchost.exe";
  o.unit = "iphlpsvc";  // the owner module of the listening socket
  o.addresses = {"0.0.0.0:3000"};
  o.image_path = R"(C:\Windows\System32\svchost.exe)";
  o.services = {{"iphlpsvc", "IP Helper"}, {"Dnscache", "DNS Client"}, {"nsi", "Network Store Interface Service"}};
  return o;
}

port_owner windows_process(int pid, std::string name) {
  port_owner o;
  o.pid = pid;
  o.name = std::move(name);
  o.addresses = {"0.0.0.0:3000"};
  return o;
}

portproxy_rule wsl_rule() { return {"v4tov4", "0.0.0.0", 3000, "172.28.160.1", 3000}; }

host_firewall_evidence firewall(firewall_decision decision,
                                firewall_block_reason reason = firewall_block_reason::none) {
  host_firewall_evidence fw;
  fw.available = true;
  fw.active_profiles = {firewall_profile::public_profile};
  fw.network_name = "Wi-Fi";
  fw.decision = decision;
  fw.reason = reason;
  fw.rule = "Node 3000";
  fw.log_unavailable_reason = "dropped packets are not logged for the Public profile";
  return fw;
}

evidence on_windows(evidence ev) {
  ev.os = host_os::windows_host;
  ev.capture = {};
  ev.capture.unavailable_reason = "Windows gives no AF_PACKET capture";
  ev.firewall = firewall(firewall_decision::allowed);
  return ev;
}

/// The story behind reachback: port 3000 forwarded on both routers, a
/// firewall rule that allows it, and still unreachable, because the IP
/// Helper service in an svchost.exe holds the port for a portproxy rule.
evidence seed_story(connect_outcome o) {
  auto ev = on_windows(double_nat());
  ev.agent_listening = false;  // probe-client could not bind the port
  ev.local.state = bind_state::held;
  ev.local.owners = {svchost_running_ip_helper()};
  ev.local.squatter = config::match_squatter(config::builtin_squatters(), ev.local.owners, 3000);
  ev.local.portproxy = {wsl_rule()};
  outcome(ev, o);
  if (o == connect_outcome::foreign) {
    ev.connect_back.silent = true;
    add_sweep(ev, accepted(4));
  } else {
    add_sweep(ev, reset(4));
  }
  return ev;
}

evidence proxy_under_service(std::optional<bool> target_accepts) {
  auto ev = seed_story(connect_outcome::foreign);
  ev.mode = probe_mode::service;
  ev.local.proxy_target_accepts = target_accepts;
  return ev;
}

evidence excluded_port(bool administered) {
  auto ev = on_windows(double_nat());
  ev.agent_listening = false;
  ev.local.state = bind_state::forbidden;
  ev.local.excluded = administered ? excluded_port_range{4, 3000, 3009, true} : excluded_port_range{4, 2951, 3050, false};
  outcome(ev, connect_outcome::refused);
  add_sweep(ev, reset(4));
  return ev;
}

evidence windows_silence(host_firewall_evidence fw) {
  auto ev = on_windows(double_nat());
  ev.firewall = std::move(fw);
  add_sweep(ev, silent(4));
  return ev;
}

const std::vector<engine_case> windows_cases = {
    {"seed_story_connect_back_refused", [] { return seed_story(connect_outcome::refused); }, cause::bind_conflict,
     "192.168.1.23"},
    {"seed_story_connect_back_foreign", [] { return seed_story(connect_outcome::foreign); }, cause::bind_conflict,
     "192.168.1.23"},
    {"portproxy_held_by_a_service_host_without_a_squatter_match",
     [] {
       auto ev = seed_story(connect_outcome::foreign);
       ev.local.owners.front().unit.clear();
       ev.local.squatter.reset();
       return ev;
     },
     cause::bind_conflict, "192.168.1.23"},
    {"portproxy_held_by_an_owner_nobody_could_see",
     [] {
       auto ev = seed_story(connect_outcome::foreign);
       ev.local.owners = {windows_process(0, "")};
       ev.local.squatter.reset();
       return ev;
     },
     cause::bind_conflict, "192.168.1.23"},
    {"portproxy_under_listen",
     [] {
       auto ev = seed_story(connect_outcome::foreign);
       ev.mode = probe_mode::listen;
       return ev;
     },
     cause::bind_conflict, "192.168.1.23"},
    {"portproxy_under_service_target_refuses", [] { return proxy_under_service(false); }, cause::no_listener,
     "192.168.1.23"},
    {"portproxy_under_service_target_accepts", [] { return proxy_under_service(true); }, cause::reachable,
     std::nullopt},
    {"portproxy_under_service_target_untried_follows_the_network",
     [] {
       auto ev = proxy_under_service(std::nullopt);
       ev.sweep->hops.pop_back();
       outcome(ev, connect_outcome::refused);
       add_sweep(ev, reset(3));
       return ev;
     },
     cause::nat_no_forward, "192.168.1.1"},
    {"portproxy_rule_while_another_program_holds_the_port",
     [] {
       auto ev = seed_story(connect_outcome::foreign);
       ev.local.owners = {windows_process(77, "node.exe")};
       ev.local.squatter.reset();
       return ev;
     },
     cause::reachable, std::nullopt},
    {"excluded_range_of_hyper_v", [] { return excluded_port(false); }, cause::forbidden_port, "192.168.1.23"},
    {"excluded_range_of_an_administrator", [] { return excluded_port(true); }, cause::forbidden_port,
     "192.168.1.23"},
    {"forbidden_without_a_known_range",
     [] {
       auto ev = excluded_port(false);
       ev.local.excluded.reset();
       ev.local.missing = {{"excluded port ranges", "netsh printed something unexpected"}};
       return ev;
     },
     cause::forbidden_port, "192.168.1.23"},
    {"firewall_profile_mismatch_drops_the_syn",
     [] { return windows_silence(firewall(firewall_decision::blocked, firewall_block_reason::profile_mismatch)); },
     cause::host_firewall, "192.168.1.23"},
    {"firewall_blocks_all_inbound",
     [] { return windows_silence(firewall(firewall_decision::blocked, firewall_block_reason::block_all_inbound)); },
     cause::host_firewall, "192.168.1.23"},
    {"firewall_blocks_while_something_resets",
     [] {
       auto ev = on_windows(double_nat());
       ev.firewall = firewall(firewall_decision::blocked, firewall_block_reason::block_rule);
       outcome(ev, connect_outcome::refused);
       add_sweep(ev, reset(4));
       return ev;
     },
     cause::host_firewall, "192.168.1.23"},
    {"firewall_log_shows_the_drop_behind_a_silent_router",
     [] {
       auto fw = firewall(firewall_decision::allowed);
       fw.logging_dropped = true;
       fw.log_path = R"(C:\Windows\system32\LogFiles\Firewall\pfirewall.log)";
       fw.log_shows_drop = true;
       fw.log_unavailable_reason.clear();
       auto ev = windows_silence(fw);
       ev.sweep->hops = {expired(1, "203.0.113.1", 64), expired(2, public_ip, 63), silent(3), silent(4)};
       return ev;
     },
     cause::host_firewall, "192.168.1.23"},
    {"firewall_allows_a_silent_drop_names_router_and_other_firewall",
     [] { return windows_silence(firewall(firewall_decision::allowed)); }, cause::filtered, "192.168.1.23"},
    {"firewall_allows_a_reset",
     [] {
       auto ev = on_windows(double_nat());
       outcome(ev, connect_outcome::refused);
       add_sweep(ev, reset(4));
       return ev;
     },
     cause::filtered, "192.168.1.23"},
    {"firewall_off_is_not_the_cause",
     [] { return windows_silence(firewall(firewall_decision::firewall_off)); }, cause::filtered, "192.168.1.23"},
    {"firewall_undecided_keeps_the_hedged_verdict",
     [] { return windows_silence(firewall(firewall_decision::unknown)); }, cause::filtered, "192.168.1.23"},
    {"firewall_unreadable_keeps_the_hedged_verdict",
     [] {
       host_firewall_evidence fw;
       fw.unavailable_reason = "COM failed to initialise (0x800401f0)";
       return windows_silence(fw);
     },
     cause::filtered, "192.168.1.23"},
    {"firewall_blocks_without_the_sweep",
     [] {
       auto ev = windows_silence(firewall(firewall_decision::blocked, firewall_block_reason::no_allow_rule));
       ev.sweep.reset();
       return ev;
     },
     cause::host_firewall, "192.168.1.23"},
    {"silent_room_router_while_the_firewall_blocks_too",
     [] {
       auto ev = windows_silence(firewall(firewall_decision::blocked, firewall_block_reason::local_subnet_only));
       ev.sweep->hops = {expired(1, "203.0.113.1", 64), expired(2, public_ip, 63), silent(3), silent(4)};
       return ev;
     },
     cause::nat_no_forward, "192.168.1.1"},
    {"public_host_with_the_firewall_allowing_a_reset",
     [] {
       auto ev = on_windows(double_nat());
       ev.path->hops = {router(1, "198.51.100.1", address_class::public_net)};
       ev.path->source_address = public_ip;
       ev.client_hops = 1;
       ev.sweep = ttl_sweep{{expired(1, "203.0.113.1", 64), reset(2)}, {}};
       outcome(ev, connect_outcome::refused);
       return ev;
     },
     cause::host_firewall, public_ip},
    {"windows_reachable_verified",
     [] {
       auto ev = on_windows(double_nat());
       outcome(ev, connect_outcome::verified);
       add_sweep(ev, accepted(4));
       return ev;
     },
     cause::reachable, std::nullopt},
    {"windows_listen_conflict_with_a_plain_process",
     [] {
       auto ev = on_windows(double_nat());
       ev.mode = probe_mode::listen;
       ev.agent_listening = false;
       ev.local.state = bind_state::held;
       ev.local.owners = {windows_process(77, "node.exe")};
       outcome(ev, connect_outcome::foreign);
       add_sweep(ev, accepted(4));
       return ev;
     },
     cause::bind_conflict, "192.168.1.23"},
};

INSTANTIATE_TEST_SUITE_P(windows, engine_table, testing::ValuesIn(windows_cases),
                         [](const testing::TestParamInfo<engine_case>& p) { return p.param.name; });

std::vector<std::string> host_evidence(const verdict& v) { return v.hops.back().evidence; }

bool has_line(const std::vector<std::string>& lines, const std::string& text) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(text) != std::string::npos; });
}

std::string all_of(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  return text;
}

TEST(verdict_engine_windows, seed_story_names_rule_pid_service_and_the_delete_command) {
  const auto v = diagnose(seed_story(connect_outcome::refused), fixes());
  ASSERT_EQ(v.why, cause::bind_conflict) << v.summary;
  EXPECT_NE(v.summary.find("portproxy v4tov4 0.0.0.0:3000 → 172.28.160.1:3000"), std::string::npos) << v.summary;
  EXPECT_NE(v.summary.find("svchost.exe (pid 1234)"), std::string::npos) << v.summary;
  EXPECT_NE(v.summary.find("IP Helper service (iphlpsvc)"), std::string::npos) << v.summary;
  ASSERT_FALSE(v.fix.empty());
  EXPECT_NE(v.fix.front().find("`netsh interface portproxy delete v4tov4 listenport=3000 listenaddress=0.0.0.0`"),
            std::string::npos)
      << v.fix.front();
  ASSERT_GE(v.fix.size(), 2U);
  EXPECT_NE(v.fix[1].find("WSL2 and Docker helper scripts often add such rules back"), std::string::npos) << v.fix[1];
  // The exact command once, not again among the squatter's generic steps.
  const auto deletes = std::count_if(v.fix.begin(), v.fix.end(), [](const std::string& step) {
    return step.find("portproxy delete v4tov4") != std::string::npos;
  });
  EXPECT_EQ(deletes, 1) << all_of(v.fix);
  const auto lines = host_evidence(v);
  EXPECT_TRUE(has_line(lines, "svchost.exe (pid 1234) running iphlpsvc (IP Helper), Dnscache (DNS Client)"))
      << all_of(lines);
  EXPECT_TRUE(has_line(lines, R"(svchost.exe (pid 1234): image C:\Windows\System32\svchost.exe)")) << all_of(lines);
  EXPECT_TRUE(has_line(lines, "port 3000 held by svchost.exe (pid 1234) 0.0.0.0:3000, service iphlpsvc"))
      << all_of(lines);
  EXPECT_TRUE(has_line(lines, "portproxy rule v4tov4 0.0.0.0:3000 → 172.28.160.1:3000 listens on port 3000"))
      << all_of(lines);
}

TEST(verdict_engine_windows, every_portproxy_rule_on_the_port_gets_its_delete_command) {
  auto ev = seed_story(connect_outcome::foreign);
  ev.local.portproxy.push_back({"v6tov4", "::", 3000, "172.28.160.1", 3000});
  ev.local.portproxy.push_back({"v4tov4", "0.0.0.0", 8080, "172.28.160.1", 8080});  // another port: not ours
  const auto v = diagnose(ev, fixes());
  EXPECT_NE(v.summary.find("portproxy v6tov4 [::]:3000 → 172.28.160.1:3000"), std::string::npos) << v.summary;
  const auto text = all_of(v.fix);
  EXPECT_NE(text.find("netsh interface portproxy delete v6tov4 listenport=3000 listenaddress=::"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("listenport=8080"), std::string::npos) << text;
}

TEST(verdict_engine_windows, the_ip_helper_holds_the_port_for_a_rule_only_outside_service_mode) {
  auto ev = seed_story(connect_outcome::foreign);
  ev.local.squatter.reset();
  EXPECT_TRUE(holder_in_the_way(ev));
  ev.mode = probe_mode::service;
  EXPECT_FALSE(holder_in_the_way(ev));
  ev.mode = probe_mode::listen;
  EXPECT_TRUE(holder_in_the_way(ev));
}

TEST(verdict_engine_windows, service_mode_says_the_relay_probes_the_proxy_and_where_it_stops) {
  const auto v = diagnose(proxy_under_service(false), fixes());
  EXPECT_NE(v.summary.find("the portproxy forwards to 172.28.160.1:3000, where nothing accepts: is the server in WSL2 "
                           "running, and has WSL's address changed?"),
            std::string::npos)
      << v.summary;
  const auto lines = host_evidence(v);
  EXPECT_TRUE(has_line(lines, "--service: the relay probes the portproxy, which relays to 172.28.160.1:3000"))
      << all_of(lines);
  EXPECT_TRUE(has_line(lines, "the portproxy's target 172.28.160.1:3000 refused a connection from this host"))
      << all_of(lines);
  EXPECT_TRUE(has_line(v.fix, "netsh interface portproxy set v4tov4 listenport=3000 listenaddress=0.0.0.0"))
      << all_of(v.fix);

  const auto accepted = diagnose(proxy_under_service(true), fixes());
  EXPECT_TRUE(has_line(host_evidence(accepted), "the portproxy's target 172.28.160.1:3000 accepted"));
  const auto untried = diagnose(proxy_under_service(std::nullopt), fixes());
  EXPECT_TRUE(has_line(host_evidence(untried), "the portproxy's target 172.28.160.1:3000 was not tried"));
}

TEST(verdict_engine_windows, a_proxy_to_a_local_port_does_not_blame_wsl) {
  auto ev = proxy_under_service(false);
  ev.local.portproxy = {{"v4tov4", "0.0.0.0", 3000, "127.0.0.1", 8080}};
  const auto v = diagnose(ev, fixes());
  EXPECT_EQ(v.summary.find("WSL"), std::string::npos) << v.summary;
  EXPECT_NE(v.summary.find("is your server on port 8080 running?"), std::string::npos) << v.summary;
}

TEST(verdict_engine_windows, excluded_range_is_named_with_both_fixes) {
  const auto v = diagnose(excluded_port(false), fixes());
  EXPECT_NE(v.summary.find("3000 lies in the excluded range 2951-3050 that Windows reserves for Hyper-V / WinNAT "
                           "(used by WSL2, Docker Desktop); netstat shows nothing for it"),
            std::string::npos)
      << v.summary;
  const auto text = all_of(v.fix);
  EXPECT_NE(text.find("Pick a port outside the excluded ranges"), std::string::npos) << text;
  EXPECT_NE(text.find("`net stop winnat`, then `netsh int ipv4 add excludedportrange protocol=tcp startport=3000 "
                      "numberofports=1`, then `net start winnat`"),
            std::string::npos)
      << text;
}

TEST(verdict_engine_windows, an_administered_range_is_an_administrators_own) {
  const auto v = diagnose(excluded_port(true), fixes());
  EXPECT_NE(v.summary.find("that an administrator added"), std::string::npos) << v.summary;
  EXPECT_TRUE(has_line(v.fix, "netsh int ipv4 delete excludedportrange protocol=tcp startport=3000 numberofports=10"))
      << all_of(v.fix);
}

TEST(verdict_engine_windows, a_refused_bind_is_never_a_privileged_port_on_windows) {
  auto ev = excluded_port(false);
  ev.port = 80;
  ev.local.excluded.reset();
  const auto v = diagnose(ev, fixes());
  EXPECT_EQ(v.why, cause::forbidden_port);
  EXPECT_EQ(v.summary.find("privileged"), std::string::npos) << v.summary;
  EXPECT_NE(v.summary.find("WSAEACCES"), std::string::npos) << v.summary;
  EXPECT_TRUE(has_line(v.fix, "netsh interface ipv4 show excludedportrange protocol=tcp")) << all_of(v.fix);
  for (const auto& line : host_evidence(v)) EXPECT_EQ(line.find("privileged"), std::string::npos) << line;

  ev.os = host_os::linux_host;  // the same evidence on Linux keeps its meaning
  const auto on_linux = diagnose(ev, fixes());
  EXPECT_NE(on_linux.summary.find("privileged"), std::string::npos) << on_linux.summary;
  EXPECT_TRUE(has_line(on_linux.fix, "setcap cap_net_bind_service+ep")) << all_of(on_linux.fix);
}

TEST(verdict_engine_windows, evidence_that_could_not_be_read_is_a_line_each) {
  auto ev = seed_story(connect_outcome::foreign);
  ev.local.missing = {{"portproxy rules", "registry key unreadable: access denied"},
                      {"excluded port ranges", "netsh not found"}};
  const auto lines = host_evidence(diagnose(ev, fixes()));
  EXPECT_TRUE(has_line(lines, "not read: portproxy rules: registry key unreadable: access denied")) << all_of(lines);
  EXPECT_TRUE(has_line(lines, "not read: excluded port ranges: netsh not found")) << all_of(lines);
}

struct firewall_reason_case {
  std::string name;
  firewall_block_reason reason;
  std::string in_summary;
  std::string in_fix;
  friend std::ostream& operator<<(std::ostream& os, const firewall_reason_case& c) { return os << c.name; }
};

class firewall_reasons : public testing::TestWithParam<firewall_reason_case> {};

TEST_P(firewall_reasons, spell_out_the_reason_and_its_fix) {
  const auto& c = GetParam();
  const auto v = diagnose(windows_silence(firewall(firewall_decision::blocked, c.reason)), fixes());
  EXPECT_EQ(v.why, cause::host_firewall) << v.summary;
  EXPECT_NE(v.summary.find("Windows Defender Firewall on this host blocks port 3000: " + c.in_summary),
            std::string::npos)
      << v.summary;
  EXPECT_TRUE(has_line(v.fix, c.in_fix)) << all_of(v.fix);
}

INSTANTIATE_TEST_SUITE_P(
    windows, firewall_reasons,
    testing::Values(
        firewall_reason_case{"no_allow_rule", firewall_block_reason::no_allow_rule, "no enabled inbound rule allows it",
                             R"(`New-NetFirewallRule -DisplayName "reachback 3000" -Direction Inbound -Protocol TCP )"
                             R"(-LocalPort 3000 -Action Allow -Profile Any`)"},
        firewall_reason_case{"profile_mismatch", firewall_block_reason::profile_mismatch,
                             R"(the rule "Node 3000" allows it only on another profile, and the network "Wi-Fi" is )"
                             "Public",
                             R"(`Set-NetConnectionProfile -InterfaceAlias "Wi-Fi" -NetworkCategory Private`)"},
        firewall_reason_case{"other_program", firewall_block_reason::other_program,
                             R"(the rule "Node 3000" allows it only for another program)",
                             R"(`Set-NetFirewallRule -DisplayName "Node 3000" -Program )"},
        firewall_reason_case{"block_rule", firewall_block_reason::block_rule,
                             R"(the block rule "Node 3000" overrides every allow rule)",
                             R"(`Disable-NetFirewallRule -DisplayName "Node 3000"`)"},
        firewall_reason_case{"local_subnet_only", firewall_block_reason::local_subnet_only,
                             R"(the rule "Node 3000" admits only remote addresses on the local subnet)",
                             R"(`Set-NetFirewallRule -DisplayName "Node 3000" -RemoteAddress Any`)"},
        firewall_reason_case{"block_all_inbound", firewall_block_reason::block_all_inbound,
                             R"("Block all incoming connections" is on for the Public profile)",
                             "`Set-NetFirewallProfile -Profile Public -AllowInboundRules True`"}),
    [](const testing::TestParamInfo<firewall_reason_case>& p) { return p.param.name; });

TEST(verdict_engine_windows, profile_mismatch_says_which_fix_is_safer) {
  const auto v =
      diagnose(windows_silence(firewall(firewall_decision::blocked, firewall_block_reason::profile_mismatch)), fixes());
  ASSERT_GE(v.fix.size(), 2U);
  EXPECT_EQ(v.fix[0].rfind("Safer: extend only the rule \"Node 3000\"", 0), 0U) << v.fix[0];
  EXPECT_NE(v.fix[1].find("Settings > Network & internet > Wi-Fi > Network profile type > Private network"),
            std::string::npos)
      << v.fix[1];
}

TEST(verdict_engine_windows, a_firewall_that_allows_is_not_the_cause_and_both_candidates_are_named) {
  for (const auto decision : {firewall_decision::allowed, firewall_decision::firewall_off}) {
    const auto v = diagnose(windows_silence(firewall(decision)), fixes());
    EXPECT_NE(v.summary.find("Windows Defender Firewall is not the cause"), std::string::npos) << v.summary;
    EXPECT_NE(v.summary.find("room router 192.168.1.1"), std::string::npos) << v.summary;
    EXPECT_NE(v.summary.find("third-party firewall"), std::string::npos) << v.summary;
    EXPECT_NE(v.summary.find("port-forward page tells them apart"), std::string::npos) << v.summary;
  }
}

TEST(verdict_engine_windows, the_log_confirms_a_drop) {
  auto fw = firewall(firewall_decision::unknown);
  fw.log_path = R"(C:\Windows\system32\LogFiles\Firewall\pfirewall.log)";
  fw.log_shows_drop = true;
  const auto v = diagnose(windows_silence(fw), fixes());
  EXPECT_EQ(v.why, cause::host_firewall) << v.summary;
  EXPECT_NE(v.summary.find(R"(its log (C:\Windows\system32\LogFiles\Firewall\pfirewall.log) shows a DROP of the )"
                           "relay's SYN"),
            std::string::npos)
      << v.summary;
}

TEST(verdict_engine_windows, without_a_decision_it_says_how_to_get_the_evidence) {
  host_firewall_evidence unreadable;
  unreadable.unavailable_reason = "COM failed to initialise (0x800401f0)";
  unreadable.log_unavailable_reason = "the log is readable by administrators only: run as administrator";
  const auto v = diagnose(windows_silence(unreadable), fixes());
  EXPECT_NE(v.summary.find("this host's firewall, or the room router 192.168.1.1"), std::string::npos) << v.summary;
  EXPECT_TRUE(has_line(v.fix, "Set-NetFirewallProfile -Profile Domain,Private,Public -LogBlocked True"))
      << all_of(v.fix);
  EXPECT_TRUE(has_line(v.fix, "The firewall's rules were not read: COM failed to initialise (0x800401f0)"))
      << all_of(v.fix);
  EXPECT_TRUE(has_line(v.fix, "The firewall log was not read: the log is readable by administrators only"))
      << all_of(v.fix);
}

TEST(verdict_engine_windows, a_log_already_read_asks_for_no_second_run) {
  auto fw = firewall(firewall_decision::unknown);
  fw.logging_dropped = true;
  fw.log_shows_drop = false;
  fw.log_unavailable_reason.clear();
  const auto v = diagnose(windows_silence(fw), fixes());
  EXPECT_EQ(v.why, cause::filtered) << v.summary;
  EXPECT_FALSE(has_line(v.fix, "-LogBlocked True")) << all_of(v.fix);
  EXPECT_TRUE(has_line(host_evidence(v), "firewall log: no DROP of the relay's SYN to port 3000")) << all_of(v.fix);
}

TEST(verdict_engine_windows, firewall_facts_always_show_on_the_host) {
  auto ev = on_windows(double_nat());
  outcome(ev, connect_outcome::verified);
  add_sweep(ev, accepted(4));
  const auto lines = host_evidence(diagnose(ev, fixes()));
  EXPECT_TRUE(has_line(lines, R"(firewall: active profile Public on the network "Wi-Fi")")) << all_of(lines);
  EXPECT_TRUE(has_line(lines, R"(firewall: inbound TCP 3000 from the internet is allowed by the rule "Node 3000")"))
      << all_of(lines);
  EXPECT_TRUE(has_line(lines, "firewall log not read: dropped packets are not logged for the Public profile"))
      << all_of(lines);
}

TEST(verdict_engine_windows, owners_show_access_denied_and_http_sys_urls) {
  auto ev = on_windows(double_nat());
  ev.mode = probe_mode::listen;
  ev.local.state = bind_state::held;
  auto system = windows_process(4, "System");
  system.urls = {"http://+:3000/ (registered by w3wp.exe, pid 5120)"};
  auto hidden = windows_process(880, "");
  hidden.access_denied = true;
  ev.local.owners = {system, hidden};
  const auto lines = host_evidence(diagnose(ev, fixes()));
  EXPECT_TRUE(has_line(lines, "System (pid 4): http.sys URL http://+:3000/ (registered by w3wp.exe, pid 5120)"))
      << all_of(lines);
  EXPECT_TRUE(has_line(lines, "an unknown process (pid 880): image path not readable: access denied")) << all_of(lines);
}

TEST(verdict_engine_windows, holder_fixes_use_windows_commands) {
  auto ev = diagnose(windows_cases.back().make(), fixes());
  EXPECT_TRUE(has_line(ev.fix, "`Stop-Process -Id 77`")) << all_of(ev.fix);

  auto service = windows_cases.back().make();
  service.local.owners.front().unit = "W3SVC";
  EXPECT_TRUE(has_line(diagnose(service, fixes()).fix, "`Stop-Service -Name W3SVC`"));

  auto host = windows_cases.back().make();
  host.local.owners = {svchost_running_ip_helper()};
  host.local.owners.front().unit.clear();
  const auto several = diagnose(host, fixes());
  EXPECT_TRUE(has_line(several.fix, "svchost.exe (pid 1234) hosts several services (iphlpsvc (IP Helper), Dnscache"))
      << all_of(several.fix);
}

TEST(verdict_engine, linux_fixes_keep_their_commands) {
  auto ev = double_nat();
  add_sweep(ev, silent(4));
  captured(ev, host_answer::none);
  const auto v = diagnose(ev, fixes());
  ASSERT_EQ(v.fix.size(), 1U);
  EXPECT_EQ(v.fix.front(),
            "Allow inbound TCP 3000 in this host's firewall: `sudo ufw allow 3000/tcp`, or `sudo firewall-cmd "
            "--add-port=3000/tcp --permanent && sudo firewall-cmd --reload`, or an nftables rule `tcp dport 3000 "
            "accept` before the drop.");

  auto unit = double_nat();
  unit.mode = probe_mode::listen;
  held_by(unit, bind_state::held, "0.0.0.0:3000");
  unit.local.owners.front().unit = "socat-3000.service";
  EXPECT_TRUE(has_line(diagnose(unit, fixes()).fix, "`sudo systemctl stop socat-3000.service`"));

  no_capture(ev);
  EXPECT_TRUE(has_line(diagnose(ev, fixes()).fix, "Run probe-client as root (or with CAP_NET_RAW)"));
}

TEST(verdict_engine, a_fix_missing_from_the_book_is_named_not_dropped) {
  auto ev = double_nat();
  add_sweep(ev, silent(4));
  captured(ev, host_answer::none);
  const auto v = diagnose(ev, fix_book{});
  ASSERT_EQ(v.fix.size(), 1U);
  EXPECT_EQ(v.fix.front(), "(the fix book has no fix \"firewall_allow\")");
}

TEST(verdict_engine, every_fix_of_the_catalogue_is_in_the_builtin_book) {
  for (const auto& spec : fix_catalogue()) EXPECT_TRUE(fixes().fixes.contains(spec.id)) << spec.id;
  EXPECT_EQ(fixes().fixes.size(), fix_catalogue().size());
}

TEST(verdict_engine, fix_names_device_and_exact_forward) {
  auto ev = double_nat();
  ev.sweep->hops.pop_back();
  outcome(ev, connect_outcome::refused);
  add_sweep(ev, reset(3));
  const auto v = diagnose(ev, fixes());
  ASSERT_FALSE(v.fix.empty());
  EXPECT_EQ(v.fix.front(), "room router 192.168.1.1: add a port forward TCP WAN 3000 → 192.168.1.23:3000.");
}

TEST(verdict_engine, outer_nat_forward_points_at_next_router) {
  auto ev = double_nat();
  ev.sweep->hops = {expired(1, "203.0.113.1", 64), reset(2)};
  outcome(ev, connect_outcome::refused);
  const auto v = diagnose(ev, fixes());
  ASSERT_FALSE(v.fix.empty());
  EXPECT_NE(v.fix.front().find("ISP hub 192.168.0.1: add a port forward TCP WAN 3000 → the room router's WAN"),
            std::string::npos)
      << v.fix.front();
}

TEST(verdict_engine, names_both_candidates_when_capture_is_missing) {
  auto ev = double_nat();
  add_sweep(ev, silent(4));
  no_capture(ev);
  const auto v = diagnose(ev, fixes());
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
  const auto v = diagnose(ev, fixes());
  EXPECT_NE(v.summary.find("socat (pid 4242)"), std::string::npos) << v.summary;
}

TEST(verdict_engine, wrong_family_names_the_program_its_addresses_and_both_binds) {
  const auto v = diagnose(one_family_server_resets(held_families::ipv6_only, "[::]:3000"), fixes());
  EXPECT_NE(v.summary.find("socat (pid 4242) listens on port 3000 on IPv6 only ([::]:3000)"), std::string::npos)
      << v.summary;
  EXPECT_NE(v.summary.find("came over IPv4"), std::string::npos) << v.summary;
  ASSERT_FALSE(v.fix.empty());
  EXPECT_NE(v.fix.front().find("Make socat (pid 4242) listen on IPv4 as well"), std::string::npos) << v.fix.front();
  EXPECT_NE(v.fix.front().find("`0.0.0.0:3000`"), std::string::npos) << v.fix.front();
  EXPECT_NE(v.fix.front().find("IPV6_V6ONLY off"), std::string::npos) << v.fix.front();
  EXPECT_NE(v.hops.back().evidence.end(),
            std::find(v.hops.back().evidence.begin(), v.hops.back().evidence.end(),
                      "port 3000 is held on IPv6 only: IPv4 is free on it"));
}

TEST(verdict_engine, wrong_family_without_a_visible_owner_says_your_server) {
  auto ev = one_family_server_resets(held_families::ipv6_only, "[::]:3000");
  ev.local.owners.clear();
  ev.local.owners_hidden = true;
  const auto v = diagnose(ev, fixes());
  EXPECT_EQ(v.why, cause::wrong_family) << v.summary;
  ASSERT_FALSE(v.fix.empty());
  EXPECT_EQ(v.fix.front().find("Make your server listen on IPv4 as well"), 0U) << v.fix.front();
}

TEST(verdict_engine, wrong_family_fix_uses_the_host_os_setting) {
  auto ev = one_family_server_resets(held_families::ipv6_only, "[::]:3000");
  const auto on_linux = diagnose(ev, fixes());
  ev.os = host_os::windows_host;
  const auto on_windows = diagnose(ev, fixes());
  EXPECT_TRUE(has_line(on_linux.fix, "`sysctl net.ipv6.bindv6only` shows 1"));
  EXPECT_FALSE(has_line(on_windows.fix, "sysctl"));
  EXPECT_TRUE(has_line(on_windows.fix, "Windows makes every IPv6 socket IPv6-only"));
}

TEST(verdict_engine, a_skipped_banner_is_said_never_invented) {
  auto ev = double_nat();
  outcome(ev, connect_outcome::foreign);
  ev.connect_back.banner_skipped = true;
  add_sweep(ev, accepted(4));
  const auto v = diagnose(ev, fixes());
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
  const auto v = diagnose(ev, fixes());
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
  const auto v = diagnose(ev, fixes());
  EXPECT_EQ(v.why, cause::nat_no_forward) << v.summary;
  ASSERT_TRUE(v.blocking_hop().has_value());
  EXPECT_EQ(v.hops[*v.blocking_hop()].address, "10.0.0.1");
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
  const auto v = diagnose(ev, fixes());
  EXPECT_EQ(v.why, cause::nat_no_forward) << v.summary;
  ASSERT_TRUE(v.blocking_hop().has_value());
  EXPECT_EQ(v.hops[*v.blocking_hop()].role, hop_role::nat);
  EXPECT_FALSE(v.hops[*v.blocking_hop()].address.has_value());
}

TEST(verdict_engine, loopback_relay_gives_internet_then_host) {
  evidence ev;
  ev.port = 3000;
  ev.public_address = "127.0.0.1";
  ev.relay_address = "127.0.0.1";
  ev.client_hops = 0;
  ev.agent_listening = true;
  ev.connect_back.outcome = connect_outcome::verified;
  const auto v = diagnose(ev, fixes());
  ASSERT_EQ(v.hops.size(), 2U);
  EXPECT_TRUE(v.reachable());
}

// ---------------------------------------------------------------------------
// Every pattern of silence: the candidates, exactly. A confident wrong
// verdict is the worst bug: when the evidence allows two hops, both are named.

constexpr const char* internet = "internet 198.51.100.2";
constexpr const char* hub = "ISP hub 192.168.0.1";
constexpr const char* room = "room router 192.168.1.1";
constexpr const char* host = "this host 192.168.1.23";

struct candidate_case {
  std::string name;
  std::function<evidence()> make;
  cause expected;
  std::vector<std::string> candidates;  ///< hop labels, most likely first
  friend std::ostream& operator<<(std::ostream& os, const candidate_case& c) { return os << c.name; }
};

/// Nothing answers behind the relay's last router outside: the hub is silent
/// at its own TTL, and so is everything behind it.
evidence silent_from_the_hub() {
  auto ev = double_nat();
  ev.sweep->hops = {expired(1, "203.0.113.1", 64), silent(2), silent(3), silent(4)};
  ev.sweep->public_distance.reset();
  return ev;
}

/// The hub forwarded (its TTL answered), then silence.
evidence silent_from_the_room_router() {
  auto ev = double_nat();
  ev.sweep->hops = {expired(1, "203.0.113.1", 64), expired(2, public_ip, 63), silent(3), silent(4)};
  return ev;
}

/// Both routers forwarded, then silence at this host's depth.
evidence silent_at_this_hosts_depth() {
  auto ev = double_nat();
  add_sweep(ev, silent(4));
  return ev;
}

/// The hub's time exceeded was lost to its ICMP rate limit; the room
/// router's came back, so the probes got past the hub.
evidence hub_rate_limited_room_forwarded() {
  auto ev = double_nat();
  ev.sweep = ttl_sweep{{expired(1, "203.0.113.1", 64), silent(2), expired(3, public_ip, 62), silent(4)}, 3};
  return ev;
}

/// Neither router answers the path trace: the routers send no ICMP errors.
evidence routers_without_icmp() {
  auto ev = silent_from_the_hub();
  ev.path->hops = {{1, std::nullopt, address_class::unknown, 0}, {2, std::nullopt, address_class::unknown, 0},
                   router(3, "198.51.100.1", address_class::public_net)};
  ev.path->default_gateway = "192.168.1.1";
  return ev;
}

evidence public_host() {
  auto ev = double_nat();
  ev.path->hops = {router(1, "198.51.100.1", address_class::public_net)};
  ev.path->source_address = public_ip;
  ev.path->host_addresses = {public_ip};
  ev.client_hops = 1;
  ev.sweep = ttl_sweep{{expired(1, "203.0.113.1", 64), silent(2)}, {}};
  return ev;
}

template <typename F>
std::function<evidence()> with(evidence (*base)(), F change) {
  return [base, change] {
    auto ev = base();
    change(ev);
    return ev;
  };
}

const std::vector<candidate_case> silence_cases = {
    {"silent_from_the_hub_with_capture", silent_from_the_hub, cause::nat_no_forward, {hub, room, internet}},
    {"silent_from_the_hub_without_capture", with(silent_from_the_hub, no_capture), cause::nat_no_forward,
     {hub, room, host, internet}},
    {"silent_from_the_room_router_with_capture", silent_from_the_room_router, cause::nat_no_forward, {room, hub}},
    {"silent_from_the_room_router_without_capture", with(silent_from_the_room_router, no_capture),
     cause::nat_no_forward, {room, host, hub}},
    {"silent_at_this_hosts_depth_without_capture", with(silent_at_this_hosts_depth, no_capture), cause::filtered,
     {host, room}},
    {"silent_at_this_hosts_depth_capture_saw_nothing", silent_at_this_hosts_depth, cause::nat_wrong_target, {room}},
    {"capture_saw_the_syn_arrive", with(silent_at_this_hosts_depth, [](evidence& ev) { captured(ev, host_answer::none); }),
     cause::host_firewall, {host}},
    {"capture_saw_the_syn_arrive_behind_silent_routers",
     with(silent_from_the_hub, [](evidence& ev) { captured(ev, host_answer::none); }), cause::host_firewall, {host}},
    {"capture_saw_the_answer_leave", with(silent_from_the_hub, [](evidence& ev) { captured(ev, host_answer::syn_ack); }),
     cause::filtered, {host}},
    {"hub_icmp_rate_limited_without_capture", with(hub_rate_limited_room_forwarded, no_capture), cause::filtered,
     {host, room}},
    {"hub_icmp_rate_limited_capture_saw_nothing", hub_rate_limited_room_forwarded, cause::nat_wrong_target, {room}},
    {"routers_without_icmp_room_router_is_the_gateway", routers_without_icmp, cause::nat_no_forward,
     {"ISP hub", room, internet}},
    {"routers_without_icmp_without_capture", with(routers_without_icmp, no_capture), cause::nat_no_forward,
     {"ISP hub", room, host, internet}},
    {"no_sweep", with(silent_at_this_hosts_depth, [](evidence& ev) {
       ev.sweep.reset();
       no_capture(ev);
     }),
     cause::filtered, {}},
    {"no_sweep_firewall_blocks",
     [] {
       auto ev = windows_silence(firewall(firewall_decision::blocked, firewall_block_reason::no_allow_rule));
       ev.sweep.reset();
       return ev;
     },
     cause::host_firewall, {host, room, hub, internet}},
    {"public_host_silent_without_capture", with(public_host, no_capture), cause::filtered,
     {"this host 198.51.100.2", internet}},
    // Today's verdict places this block nowhere (inconclusive, no blocking hop):
    // no hop is claimed, so none is wrongly.
    {"public_host_capture_saw_nothing", public_host, cause::inconclusive, {}},
    {"firewall_log_shows_the_drop_behind_silent_routers",
     [] {
       auto fw = firewall(firewall_decision::allowed);
       fw.log_shows_drop = true;
       auto ev = windows_silence(fw);
       ev.sweep->hops = {expired(1, "203.0.113.1", 64), silent(2), silent(3), silent(4)};
       ev.sweep->public_distance.reset();
       return ev;
     },
     cause::host_firewall, {host}},
    {"firewall_allows_silent_at_this_hosts_depth", [] { return windows_silence(firewall(firewall_decision::allowed)); },
     cause::filtered, {host, room}},
    {"firewall_blocks_silent_at_this_hosts_depth",
     [] { return windows_silence(firewall(firewall_decision::blocked, firewall_block_reason::no_allow_rule)); },
     cause::host_firewall, {host, room}},
    {"firewall_unread_silent_at_this_hosts_depth", [] { return windows_silence(host_firewall_evidence{}); },
     cause::filtered, {host, room}},
    {"carrier_nat_silent",
     [] {
       auto ev = silent_from_the_hub();
       ev.path->hops = {router(1, "192.168.1.1", address_class::private_net),
                        router(2, "100.64.0.1", address_class::carrier_nat),
                        router(3, "198.51.100.1", address_class::public_net)};
       return ev;
     },
     cause::cgnat, {"carrier NAT 100.64.0.1"}},
    {"router_reset_is_certain",
     [] {
       auto ev = double_nat();
       ev.sweep->hops = {expired(1, "203.0.113.1", 64), reset(2)};
       outcome(ev, connect_outcome::refused);
       no_capture(ev);
       return ev;
     },
     cause::nat_no_forward, {hub}},
    {"host_unreachable_may_come_from_the_hubs_stale_forward",
     [] {
       auto ev = double_nat();
       ev.sweep->hops = {expired(1, "203.0.113.1", 64), expired(2, public_ip, 63), rejected(3, 1)};
       outcome(ev, connect_outcome::unreachable);
       ev.connect_back.icmp = icmp_info{3, 1, public_ip};
       return ev;
     },
     cause::nat_wrong_target, {room, hub}},
};

class silence_table : public testing::TestWithParam<candidate_case> {};

TEST_P(silence_table, names_every_candidate_most_likely_first) {
  const auto& c = GetParam();
  const auto v = diagnose(c.make(), fixes());
  EXPECT_EQ(to_string(v.why), to_string(c.expected)) << v.summary;
  EXPECT_EQ(candidate_labels(v), c.candidates) << v.summary;
  EXPECT_EQ(v.blocking_hop(), v.candidates.empty() ? std::nullopt : std::optional<std::size_t>(v.candidates.front()));
  if (v.candidates.size() > 1) {
    for (const auto i : v.candidates) EXPECT_TRUE(summary_names(v, i)) << label(v.hops[i]) << ": " << v.summary;
    EXPECT_NE(v.summary.find("tells them apart"), std::string::npos) << v.summary;
  }
}

INSTANTIATE_TEST_SUITE_P(candidates, silence_table, testing::ValuesIn(silence_cases),
                         [](const testing::TestParamInfo<candidate_case>& p) { return p.param.name; });

TEST(verdict_engine, a_silent_gateway_still_gives_the_room_routers_address) {
  const auto v = diagnose(routers_without_icmp(), fixes());
  ASSERT_EQ(v.hops.size(), 4U);
  EXPECT_EQ(v.hops[2].address, "192.168.1.1");
  EXPECT_TRUE(has_line(v.hops[2].evidence, "its address is this host's default gateway, 192.168.1.1"));
  EXPECT_FALSE(v.hops[1].address.has_value());  // the hub is no gateway of ours: it stays unnamed
}

TEST(verdict_engine, a_silent_hub_names_an_isp_block_and_the_second_port_test) {
  const auto v = diagnose(silent_from_the_hub(), fixes());
  EXPECT_NE(v.summary.find("the room router 192.168.1.1 or your ISP upstream"), std::string::npos) << v.summary;
  EXPECT_NE(v.summary.find("a second port"), std::string::npos) << v.summary;
  EXPECT_TRUE(has_line(v.fix, "ask your ISP whether it blocks inbound TCP 3000")) << all_of(v.fix);
}

TEST(verdict_engine, a_forwarding_hub_before_silence_may_hold_a_stale_forward) {
  const auto v = diagnose(silent_from_the_room_router(), fixes());
  EXPECT_NE(v.summary.find("ISP hub 192.168.0.1 (it forwards the port, but maybe to a stale address"),
            std::string::npos)
      << v.summary;
  EXPECT_TRUE(has_line(v.fix, "ISP hub 192.168.0.1: make sure its forward for TCP WAN 3000 targets the room router's "
                              "WAN address"))
      << all_of(v.fix);
}

// ---------------------------------------------------------------------------
// The routers' own answers (UPnP, NAT-PMP, PCP) and the relay's control probe.

/// A router that answered UPnP IGD:2 and read its mapping table.
router_evidence upnp_router(std::string address, std::optional<std::string> external = std::nullopt) {
  router_evidence r;
  r.address = std::move(address);
  r.answered = {router_protocol::upnp_igd2, router_protocol::nat_pmp};
  r.friendly_name = "MiniUPnPd";
  if (external) r.external_address = router_text_fact{*external, router_protocol::upnp_igd2};
  r.mappings_read = true;
  return r;
}

router_evidence mapping_to(router_evidence r, std::string client, std::uint16_t port = 3000) {
  port_mapping m;
  m.external_port = 3000;
  m.internal_client = std::move(client);
  m.internal_port = port;
  r.mapping = m;
  r.mapping_source = router_protocol::upnp_igd2;
  return r;
}

/// The room router reports its WAN address, as consumer routers behind another NAT do.
constexpr const char* room_wan = "192.168.0.9";

void routers(evidence& ev, std::vector<router_evidence> answers) { ev.routers = std::move(answers); }

void control(evidence& ev, connect_outcome o) { ev.control_probe = control_probe_result{51234, o, {}, 4.0, 1}; }

const std::vector<candidate_case> router_cases = {
    {"room_maps_the_port_to_the_desk",
     with(silent_at_this_hosts_depth,
          [](evidence& ev) { routers(ev, {mapping_to(upnp_router("192.168.1.1"), "192.168.1.24")}); }),
     cause::nat_wrong_target, {room}},
    {"room_maps_the_right_host_but_another_port",
     with(silent_at_this_hosts_depth,
          [](evidence& ev) { routers(ev, {mapping_to(upnp_router("192.168.1.1"), "192.168.1.23", 3001)}); }),
     cause::nat_wrong_target, {room}},
    {"hub_forwards_to_a_stale_wan_address",
     with(silent_from_the_room_router,
          [](evidence& ev) {
            routers(ev, {mapping_to(upnp_router("192.168.1.1", room_wan), "192.168.1.23"),
                         mapping_to(upnp_router("192.168.0.1"), "192.168.0.99")});
          }),
     cause::nat_wrong_target, {hub}},
    {"hub_forwards_past_the_room_router_to_this_host",
     with(silent_from_the_room_router,
          [](evidence& ev) { routers(ev, {mapping_to(upnp_router("192.168.0.1"), "192.168.1.23")}); }),
     cause::nat_wrong_target, {hub}},
    {"both_forwards_listed_right_then_silence_points_at_the_hubs_firewall",
     with(silent_from_the_room_router,
          [](evidence& ev) {
            routers(ev, {mapping_to(upnp_router("192.168.1.1", room_wan), "192.168.1.23"),
                         mapping_to(upnp_router("192.168.0.1"), room_wan)});
          }),
     cause::filtered, {hub, room}},
    {"both_forwards_listed_right_and_the_hub_silent_points_at_the_isp",
     with(silent_from_the_hub,
          [](evidence& ev) {
            routers(ev, {mapping_to(upnp_router("192.168.1.1", room_wan), "192.168.1.23"),
                         mapping_to(upnp_router("192.168.0.1"), room_wan)});
          }),
     cause::filtered, {internet, hub, room}},
    {"another_port_answered_so_the_isp_blocks_this_one",
     with(silent_from_the_hub, [](evidence& ev) { control(ev, connect_outcome::refused); }), cause::filtered,
     {internet, hub, room}},
    {"a_control_probe_the_relay_could_not_send_is_no_answer",
     with(silent_from_the_hub,
          [](evidence& ev) {
            control(ev, connect_outcome::unreachable);  // no ICMP: the relay's own socket failed
          }),
     cause::nat_no_forward, {hub, room, internet}},
    {"no_port_answers_so_the_hub_stays_most_likely",
     with(silent_from_the_hub, [](evidence& ev) { control(ev, connect_outcome::timeout); }), cause::nat_no_forward,
     {hub, room, internet}},
    {"unlisted_mappings_are_weak_and_change_nothing",
     with(silent_from_the_hub,
          [](evidence& ev) { routers(ev, {upnp_router("192.168.1.1"), upnp_router("192.168.0.1")}); }),
     cause::nat_no_forward, {hub, room, internet}},
    {"routers_without_upnp_keep_the_old_verdict",
     with(silent_from_the_hub,
          [](evidence& ev) {
            router_evidence none;
            none.address = "192.168.1.1";
            routers(ev, {none});
          }),
     cause::nat_no_forward, {hub, room, internet}},
    {"a_right_forward_on_the_silent_room_router_puts_the_hub_in_front",
     with(silent_from_the_room_router,
          [](evidence& ev) {
            no_capture(ev);
            routers(ev, {mapping_to(upnp_router("192.168.1.1"), "192.168.1.23")});
          }),
     cause::filtered, {hub, host, room}},
};

class router_table : public testing::TestWithParam<candidate_case> {};

TEST_P(router_table, weighs_the_routers_own_answers) {
  const auto& c = GetParam();
  const auto v = diagnose(c.make(), fixes());
  EXPECT_EQ(to_string(v.why), to_string(c.expected)) << v.summary;
  EXPECT_EQ(candidate_labels(v), c.candidates) << v.summary;
  if (v.candidates.size() > 1) {
    for (const auto i : v.candidates) EXPECT_TRUE(summary_names(v, i)) << label(v.hops[i]) << ": " << v.summary;
    EXPECT_NE(v.summary.find("tells them apart"), std::string::npos) << v.summary;
  }
}

INSTANTIATE_TEST_SUITE_P(routers, router_table, testing::ValuesIn(router_cases),
                         [](const testing::TestParamInfo<candidate_case>& p) { return p.param.name; });

TEST(verdict_engine_routers, a_wrong_target_is_named_exactly) {
  auto ev = silent_from_the_room_router();
  routers(ev, {mapping_to(upnp_router("192.168.1.1", room_wan), "192.168.1.23"),
               mapping_to(upnp_router("192.168.0.1"), "192.168.0.99")});
  const auto v = diagnose(ev, fixes());
  EXPECT_NE(v.summary.find("forwards port 3000 to 192.168.0.99:3000, but the room router's WAN address (as the room "
                           "router itself reports it) is 192.168.0.9:3000"),
            std::string::npos)
      << v.summary;
  EXPECT_TRUE(has_line(v.fix, "ISP hub 192.168.0.1: change the port forward for TCP WAN 3000 so its target is "
                              "192.168.0.9:3000"))
      << all_of(v.fix);
}

TEST(verdict_engine_routers, each_fact_shows_under_its_router_with_its_source) {
  auto ev = silent_from_the_hub();
  auto room_router = upnp_router("192.168.1.1", "");
  room_router.wan_connected = false;
  room_router.missing = {{"UPnP mapping table", "GetGenericPortMappingEntry failed: 501 Action Failed"}};
  routers(ev, {room_router, mapping_to(upnp_router("192.168.0.1", "100.64.3.7"), "192.168.0.9")});
  control(ev, connect_outcome::timeout);
  ev.relay_rtt_ms = 80.0;
  const auto v = diagnose(ev, fixes());
  ASSERT_EQ(v.hops.size(), 4U);
  const auto& room_lines = v.hops[2].evidence;
  EXPECT_TRUE(has_line(room_lines, "answered UPnP IGD:2 and NAT-PMP: MiniUPnPd")) << all_of(room_lines);
  EXPECT_TRUE(has_line(room_lines, "reports no external address (UPnP): it is itself behind a NAT, and refuses mappings"))
      << all_of(room_lines);
  EXPECT_TRUE(has_line(room_lines, "says its WAN connection is down (UPnP)")) << all_of(room_lines);
  EXPECT_TRUE(has_line(room_lines, "its UPnP table lists no mapping for TCP 3000 (weak evidence")) << all_of(room_lines);
  EXPECT_TRUE(has_line(room_lines, "UPnP mapping table not read: GetGenericPortMappingEntry failed")) << all_of(room_lines);
  const auto& hub_lines = v.hops[1].evidence;
  EXPECT_TRUE(has_line(hub_lines, "reports its external address as 100.64.3.7 (UPnP): a carrier-grade NAT address"))
      << all_of(hub_lines);
  EXPECT_TRUE(has_line(hub_lines, "its UPnP table maps TCP 3000 to 192.168.0.9:3000")) << all_of(hub_lines);
  ASSERT_TRUE(v.hops[1].router.has_value());
  EXPECT_EQ(v.hops[1].router->address, "192.168.0.1");
  const auto& internet_lines = v.hops[0].evidence;
  EXPECT_TRUE(has_line(internet_lines, "control probe: the relay's SYN to port 51234 of 198.51.100.2 got no answer"))
      << all_of(internet_lines);
  EXPECT_TRUE(has_line(internet_lines, "the relay measured a round trip of 80 ms")) << all_of(internet_lines);
}

TEST(verdict_engine_routers, a_control_probe_the_relay_could_not_send_says_so) {
  auto ev = silent_from_the_hub();
  control(ev, connect_outcome::unreachable);
  const auto v = diagnose(ev, fixes());
  EXPECT_TRUE(has_line(v.hops[0].evidence, "control probe: the relay's SYN to port 51234 of 198.51.100.2 could not be "
                                           "sent (a failure on the relay's side"))
      << all_of(v.hops[0].evidence);
  EXPECT_EQ(v.summary.find("control probe"), std::string::npos) << v.summary;
}

TEST(verdict_engine_routers, a_configured_public_address_behind_a_nat_is_not_taken_for_its_wan) {
  auto ev = silent_from_the_room_router();
  // The lab's lenient miniupnpd: ext_ip=11.22.33.44 on a router behind the hub.
  routers(ev, {mapping_to(upnp_router("192.168.1.1", "11.22.33.44"), "192.168.1.23"),
               mapping_to(upnp_router("192.168.0.1"), "192.168.0.99")});
  const auto v = diagnose(ev, fixes());
  EXPECT_NE(v.why, cause::nat_wrong_target) << v.summary;  // the hub's target cannot be checked
  EXPECT_TRUE(has_line(v.hops[2].evidence, "reports its external address as 11.22.33.44 (UPnP): set in its "
                                           "configuration, not what the ISP hub sees"))
      << all_of(v.hops[2].evidence);
}

TEST(verdict_engine_routers, a_router_behind_the_block_that_lists_no_mapping_gets_its_step_too) {
  auto ev = double_nat();
  ev.sweep->hops = {expired(1, "203.0.113.1", 64), reset(2)};
  outcome(ev, connect_outcome::refused);
  routers(ev, {upnp_router("192.168.1.1"), upnp_router("192.168.0.1")});
  const auto v = diagnose(ev, fixes());
  EXPECT_EQ(v.why, cause::nat_no_forward);
  EXPECT_EQ(candidate_labels(v), (std::vector<std::string>{hub}));
  EXPECT_TRUE(has_line(v.fix, "Then room router 192.168.1.1: its UPnP table lists no mapping for TCP 3000 either; add a "
                              "port forward TCP WAN 3000 → 192.168.1.23:3000"))
      << all_of(v.fix);
}

TEST(verdict_engine_routers, a_router_without_upnp_behind_the_block_gets_no_guessed_step) {
  auto ev = double_nat();
  ev.sweep->hops = {expired(1, "203.0.113.1", 64), reset(2)};
  outcome(ev, connect_outcome::refused);
  const auto v = diagnose(ev, fixes());
  for (const auto& step : v.fix) EXPECT_EQ(step.find("Then room router"), std::string::npos) << step;
}

TEST(verdict_engine_routers, a_reachable_port_stays_reachable_whatever_the_tables_say) {
  auto ev = double_nat();
  outcome(ev, connect_outcome::verified);
  routers(ev, {mapping_to(upnp_router("192.168.1.1"), "192.168.1.24")});
  EXPECT_EQ(diagnose(ev, fixes()).why, cause::reachable);
}

// ---------------------------------------------------------------------------
// UDP (probe-client --udp): the relay's datagram, its answers mapped onto the
// same causes. A datagram that expires answers as a SYN does; a closed port
// answers ICMP port unreachable instead of a reset.

sweep_hop answered_udp(int ttl) { return {ttl, sweep_reply::udp_reply, public_ip, {}, {}, 5.0, 1}; }
sweep_hop port_unreachable_v6(int ttl) {
  return {ttl, sweep_reply::unreachable, public_ip, icmp_info{1, 4, public_ip}, 61, 5.0, 1};
}

/// The lab's double NAT probed over UDP: the connect-back timed out, and
/// the sweep's datagrams expired at both routers as the SYNs did.
evidence udp_double_nat() {
  auto ev = double_nat();
  ev.protocol = transport::udp;
  ev.connect_back.silent = false;  // never true for UDP
  return ev;
}

/// The connect-back got ICMP port unreachable (type 3 code 3), which
/// arrived at the relay with `reply_ttl`.
void port_unreachable(evidence& ev, std::optional<int> reply_ttl = 61, icmp_info icmp = {3, 3, public_ip}) {
  outcome(ev, connect_outcome::unreachable);
  ev.connect_back.icmp = std::move(icmp);
  ev.connect_back.reply_ttl = reply_ttl;
}

/// --service --udp: the user's program holds the port; probe-client does not listen.
void udp_program(evidence& ev) {
  held_by(ev, bind_state::held, "0.0.0.0:3000");
  ev.local.owners.front().cmdline = "socat UDP-RECVFROM:3000,fork -";
  ev.mode = probe_mode::service;
}

/// --service --udp with nothing on the port.
void udp_service_nothing_listening(evidence& ev) {
  ev.mode = probe_mode::service;
  ev.agent_listening = false;
}

/// The sweep's datagrams expired at the hub only; nothing came back for
/// the room router's TTL or this host's.
void hub_forwarded_then_silence(evidence& ev) {
  ev.sweep->hops = {expired(1, "203.0.113.1", 64), expired(2, public_ip, 63), silent(3), silent(4)};
}

const std::vector<engine_case> udp_cases = {
    {"udp_verified_is_reachable",
     [] {
       auto ev = udp_double_nat();
       outcome(ev, connect_outcome::verified);
       add_sweep(ev, answered_udp(4));
       captured(ev, host_answer::udp_reply);
       return ev;
     },
     cause::reachable, std::nullopt},
    {"udp_port_unreachable_from_this_host_with_nothing_listening",
     [] {
       auto ev = udp_double_nat();
       udp_service_nothing_listening(ev);
       port_unreachable(ev);
       add_sweep(ev, rejected(4, 3));
       captured(ev, host_answer::port_unreachable);
       return ev;
     },
     cause::no_listener, "192.168.1.23"},
    {"udp_icmpv6_port_unreachable_is_a_refusal_too",
     [] {
       auto ev = udp_double_nat();
       udp_service_nothing_listening(ev);
       port_unreachable(ev, 61, {1, 4, public_ip});
       add_sweep(ev, port_unreachable_v6(4));
       captured(ev, host_answer::port_unreachable);
       return ev;
     },
     cause::no_listener, "192.168.1.23"},
    {"udp_port_unreachable_while_probe_client_listened_is_a_reject_rule",
     [] {
       auto ev = udp_double_nat();
       port_unreachable(ev);
       add_sweep(ev, rejected(4, 3));
       captured(ev, host_answer::port_unreachable);
       return ev;
     },
     cause::host_firewall, "192.168.1.23"},
    {"udp_port_unreachable_from_the_room_router_per_the_sweep",
     [] {
       auto ev = udp_double_nat();
       ev.sweep->hops = {expired(1, "203.0.113.1", 64), expired(2, public_ip, 63), rejected(3, 3)};
       port_unreachable(ev, 62);
       return ev;
     },
     cause::nat_no_forward, "192.168.1.1"},
    {"udp_port_unreachable_placed_by_its_arrival_ttl",
     [] {
       auto ev = udp_double_nat();
       hub_forwarded_then_silence(ev);
       port_unreachable(ev, 62);  // the hub's ICMP arrived with 63: one hop further in
       no_capture(ev);
       return ev;
     },
     cause::nat_no_forward, "192.168.1.1"},
    {"udp_port_unreachable_with_mixed_arrival_ttls_is_not_placed",
     [] {
       auto ev = udp_double_nat();
       // The room router starts its TTLs at 255: the sweep's TTLs no longer
       // give one series, so 62 places nothing.
       ev.sweep->hops = {expired(1, "203.0.113.1", 64), expired(2, public_ip, 63), expired(3, public_ip, 253),
                         silent(4)};
       port_unreachable(ev, 62);
       no_capture(ev);
       return ev;
     },
     cause::host_firewall, "192.168.1.23"},
    {"udp_unplaced_port_unreachable_keeps_the_routers_in_front_candidates",
     [] {
       auto ev = udp_double_nat();
       ev.sweep->hops = {expired(1, "203.0.113.1", 64), silent(2), silent(3), silent(4)};
       port_unreachable(ev, std::nullopt);
       no_capture(ev);
       return ev;
     },
     cause::host_firewall, "192.168.1.23"},
    {"udp_other_icmp_codes_keep_the_unreachable_logic",
     [] {
       auto ev = udp_double_nat();
       port_unreachable(ev, 61, {3, 13, public_ip});
       add_sweep(ev, rejected(4, 13));
       captured(ev, host_answer::none);
       return ev;
     },
     cause::host_firewall, "192.168.1.23"},
    {"udp_an_echo_server_answered_instead_of_probe_client",
     [] {
       auto ev = udp_double_nat();
       outcome(ev, connect_outcome::foreign);
       ev.connect_back.banner = "REACHBACK-UDP-PROBE 0123456789abcdef\n";
       add_sweep(ev, answered_udp(4));
       return ev;
     },
     cause::nat_wrong_target, "192.168.1.1"},
    {"udp_capture_saw_the_datagram_dropped_while_probe_client_listened",
     [] {
       auto ev = udp_double_nat();
       add_sweep(ev, silent(4));
       captured(ev, host_answer::none);
       return ev;
     },
     cause::host_firewall, "192.168.1.23"},
    {"udp_silence_without_capture",
     [] {
       auto ev = udp_double_nat();
       add_sweep(ev, silent(4));
       no_capture(ev);
       return ev;
     },
     cause::filtered, "192.168.1.23"},
    {"udp_service_the_program_answered",
     [] {
       auto ev = udp_double_nat();
       udp_program(ev);
       outcome(ev, connect_outcome::foreign);
       ev.connect_back.banner = "\x01\x02";
       add_sweep(ev, answered_udp(4));
       captured(ev, host_answer::udp_reply);
       return ev;
     },
     cause::reachable, std::nullopt},
    {"udp_service_an_answer_without_capture",
     [] {
       auto ev = udp_double_nat();
       udp_program(ev);
       outcome(ev, connect_outcome::foreign);
       ev.connect_back.banner = "pong";
       add_sweep(ev, answered_udp(4));
       no_capture(ev);
       return ev;
     },
     cause::reachable, std::nullopt},
    {"udp_service_silence_after_arrival_is_firewall_or_program",
     [] {
       auto ev = udp_double_nat();
       udp_program(ev);
       add_sweep(ev, silent(4));
       captured(ev, host_answer::none);
       return ev;
     },
     cause::inconclusive, "192.168.1.23"},
    {"udp_service_silence_without_capture",
     [] {
       auto ev = udp_double_nat();
       udp_program(ev);
       add_sweep(ev, silent(4));
       no_capture(ev);
       return ev;
     },
     cause::filtered, "192.168.1.23"},
    {"udp_service_the_programs_answer_never_got_back",
     [] {
       auto ev = udp_double_nat();
       udp_program(ev);
       add_sweep(ev, silent(4));
       captured(ev, host_answer::udp_reply);
       return ev;
     },
     cause::filtered, "192.168.1.23"},
    {"udp_service_nothing_listening_and_the_icmp_was_lost",
     [] {
       auto ev = udp_double_nat();
       udp_service_nothing_listening(ev);
       add_sweep(ev, silent(4));
       captured(ev, host_answer::port_unreachable);
       return ev;
     },
     cause::no_listener, "192.168.1.23"},
    {"udp_windows_service_silence_with_the_firewall_allowing",
     [] {
       auto ev = windows_silence(firewall(firewall_decision::allowed));
       ev.protocol = transport::udp;
       udp_program(ev);
       ev.local.owners.front().name = "bedrock_server.exe";
       return ev;
     },
     cause::filtered, "192.168.1.23"},
};

INSTANTIATE_TEST_SUITE_P(udp, engine_table, testing::ValuesIn(udp_cases),
                         [](const testing::TestParamInfo<engine_case>& p) { return p.param.name; });

/// Every word of a verdict: its summary, its fix and each hop's evidence.
std::string every_word(const verdict& v) {
  std::string text = v.summary + "\n" + all_of(v.fix);
  for (const auto& h : v.hops) text += all_of(h.evidence);
  return text;
}

class udp_words : public testing::TestWithParam<engine_case> {};

TEST_P(udp_words, a_udp_report_never_speaks_of_syns_resets_or_tcp) {
  const auto text = every_word(diagnose(GetParam().make(), fixes()));
  for (const auto* tcp_word : {"SYN", "TCP", "tcp", "RST", "reset", "connection"})
    EXPECT_EQ(text.find(tcp_word), std::string::npos) << tcp_word << " in:\n" << text;
}

INSTANTIATE_TEST_SUITE_P(udp, udp_words, testing::ValuesIn(udp_cases),
                         [](const testing::TestParamInfo<engine_case>& p) { return p.param.name; });

class tcp_words : public testing::TestWithParam<engine_case> {};

TEST_P(tcp_words, a_tcp_report_never_speaks_of_datagrams_or_udp) {
  const auto text = every_word(diagnose(GetParam().make(), fixes()));
  for (const auto* udp_word : {"datagram", "UDP", "udp"})
    EXPECT_EQ(text.find(udp_word), std::string::npos) << udp_word << " in:\n" << text;
}

INSTANTIATE_TEST_SUITE_P(causes, tcp_words, testing::ValuesIn(cases),
                         [](const testing::TestParamInfo<engine_case>& p) { return p.param.name; });
INSTANTIATE_TEST_SUITE_P(windows, tcp_words, testing::ValuesIn(windows_cases),
                         [](const testing::TestParamInfo<engine_case>& p) { return p.param.name; });

/// The verdict for the UDP case `name`.
verdict udp_verdict(const std::string& name) {
  const auto found = std::find_if(udp_cases.begin(), udp_cases.end(), [&](const engine_case& c) { return c.name == name; });
  EXPECT_NE(found, udp_cases.end()) << name;
  return found == udp_cases.end() ? verdict{} : diagnose(found->make(), fixes());
}

TEST(verdict_engine_udp, verified_says_the_datagram_came_back_with_the_proof) {
  const auto v = udp_verdict("udp_verified_is_reachable");
  EXPECT_EQ(v.summary, "Port 3000 is reachable from the internet: the relay's datagram reached probe-client here, and "
                       "it answered with the proof.");
  EXPECT_TRUE(has_line(v.hops.back().evidence, "capture: 1 relay datagram(s) arrived on port 3000; this host answered "
                                               "with a datagram"))
      << all_of(v.hops.back().evidence);
  EXPECT_TRUE(has_line(v.hops.back().evidence, "relay datagram with TTL 4: UDP reply from 198.51.100.2"))
      << all_of(v.hops.back().evidence);
}

TEST(verdict_engine_udp, nothing_listening_answers_icmp_port_unreachable) {
  const auto v = udp_verdict("udp_port_unreachable_from_this_host_with_nothing_listening");
  EXPECT_EQ(v.summary, "Nothing listens on port 3000 on this host.");
  EXPECT_TRUE(has_line(v.hops.back().evidence, "this host answered ICMP port unreachable"))
      << all_of(v.hops.back().evidence);
  EXPECT_TRUE(has_line(v.hops.back().evidence, "connect-back to 198.51.100.2:3000: unreachable (ICMP type 3 code 3"))
      << all_of(v.hops.back().evidence);
  EXPECT_EQ(v.candidates.size(), 1U) << v.summary;  // the sweep placed it at this host
}

TEST(verdict_engine_udp, a_reject_rule_is_named_against_probe_clients_listener) {
  const auto v = udp_verdict("udp_port_unreachable_while_probe_client_listened_is_a_reject_rule");
  EXPECT_NE(v.summary.find("the relay's datagram was refused (ICMP port unreachable) although probe-client was "
                           "listening"),
            std::string::npos)
      << v.summary;
  ASSERT_FALSE(v.fix.empty());
  EXPECT_EQ(v.fix.front(),
            "Allow inbound UDP 3000 in this host's firewall: `sudo ufw allow 3000/udp`, or `sudo firewall-cmd "
            "--add-port=3000/udp --permanent && sudo firewall-cmd --reload`, or an nftables rule `udp dport 3000 "
            "accept` before the drop.");
}

TEST(verdict_engine_udp, a_router_that_answers_itself_gets_a_udp_forward) {
  for (const auto* name : {"udp_port_unreachable_from_the_room_router_per_the_sweep",
                           "udp_port_unreachable_placed_by_its_arrival_ttl"}) {
    const auto v = udp_verdict(name);
    EXPECT_NE(v.summary.find("it answered ICMP port unreachable itself"), std::string::npos) << name << ": " << v.summary;
    ASSERT_FALSE(v.fix.empty()) << name;
    EXPECT_EQ(v.fix.front(), "room router 192.168.1.1: add a port forward UDP WAN 3000 → 192.168.1.23:3000.") << name;
  }
  EXPECT_NE(udp_verdict("udp_port_unreachable_placed_by_its_arrival_ttl").summary.find("the ICMP's arrival TTL, 62, "
                                                                                       "places it there"),
            std::string::npos);
}

TEST(verdict_engine_udp, an_unplaced_refusal_names_the_routers_that_may_have_sent_it) {
  const auto v = udp_verdict("udp_unplaced_port_unreachable_keeps_the_routers_in_front_candidates");
  EXPECT_EQ(candidate_labels(v), (std::vector<std::string>{host, room, hub})) << v.summary;
  EXPECT_NE(v.summary.find("the ISP hub 192.168.0.1 answering it itself (no forward)"), std::string::npos)
      << v.summary;
  EXPECT_NE(v.summary.find("Neither the sweep nor the ICMP's arrival TTL places the ICMP port unreachable"),
            std::string::npos)
      << v.summary;
  EXPECT_TRUE(has_line(v.fix, "If that is not it: ISP hub 192.168.0.1: add a port forward UDP WAN 3000 → the room "
                              "router's WAN address:3000"))
      << all_of(v.fix);
}

TEST(verdict_engine_udp, mixed_arrival_ttls_leave_the_room_router_a_candidate_not_the_cause) {
  const auto v = udp_verdict("udp_port_unreachable_with_mixed_arrival_ttls_is_not_placed");
  EXPECT_EQ(v.summary.find("arrival TTL, 62"), std::string::npos) << v.summary;
  EXPECT_NE(std::find(v.candidates.begin(), v.candidates.end(), 2U), v.candidates.end()) << v.summary;
}

TEST(verdict_engine_udp, the_users_program_answering_is_reachable_in_its_own_words) {
  EXPECT_EQ(udp_verdict("udp_service_the_program_answered").summary,
            "Port 3000 is reachable from the internet: your program answered the relay's datagram.");
  EXPECT_EQ(udp_verdict("udp_service_an_answer_without_capture").summary,
            "Port 3000 is reachable: a program at this host's depth answered the relay's datagram (without a capture "
            "it could not confirm the program is on this host).");
}

TEST(verdict_engine_udp, silence_after_arrival_names_the_firewall_and_the_program_and_what_tells_them_apart) {
  const auto v = udp_verdict("udp_service_silence_after_arrival_is_firewall_or_program");
  EXPECT_NE(v.summary.find("this host's firewall dropped it, or your program ignored it"), std::string::npos)
      << v.summary;
  EXPECT_NE(v.summary.find("What tells them apart: stopping your program and running probe-client without --service"),
            std::string::npos)
      << v.summary;
  ASSERT_GE(v.fix.size(), 2U);
  EXPECT_NE(v.fix[0].find("without --service"), std::string::npos) << v.fix[0];
  EXPECT_EQ(v.fix[1].rfind("If it is this host's firewall: Allow inbound UDP 3000", 0), 0U) << v.fix[1];
}

TEST(verdict_engine_udp, silence_without_capture_says_udp_gives_no_more_and_how_to_get_it) {
  const auto v = udp_verdict("udp_service_silence_without_capture");
  EXPECT_NE(v.summary.find("Your program may also have ignored the relay's datagram"), std::string::npos) << v.summary;
  EXPECT_NE(v.summary.find("without a packet capture UDP gives no further evidence"), std::string::npos) << v.summary;
  EXPECT_EQ(candidate_labels(v), (std::vector<std::string>{host, room})) << v.summary;
  EXPECT_TRUE(has_line(v.fix, "Run probe-client as root (or with CAP_NET_RAW) to see whether the relay's datagram "
                              "reaches this host."))
      << all_of(v.fix);
  EXPECT_TRUE(has_line(v.fix, "Stop your program and run probe-client again without --service")) << all_of(v.fix);
}

TEST(verdict_engine_udp, without_the_program_silence_stays_a_block) {
  // probe-client's own listener answers every proof, so its silence is a block.
  const auto v = udp_verdict("udp_silence_without_capture");
  EXPECT_EQ(v.summary.find("program"), std::string::npos) << v.summary;
  EXPECT_NE(v.summary.find("The relay's datagram reached this host's depth and was dropped silently"), std::string::npos)
      << v.summary;
}

TEST(verdict_engine_udp, windows_fixes_and_firewall_lines_say_udp) {
  const auto v = udp_verdict("udp_windows_service_silence_with_the_firewall_allowing");
  EXPECT_TRUE(has_line(v.hops.back().evidence, "firewall: inbound UDP 3000 from the internet is allowed"))
      << all_of(v.hops.back().evidence);
  EXPECT_NE(v.summary.find("Your program may also have ignored the relay's datagram"), std::string::npos) << v.summary;
  auto blocked = windows_silence(firewall(firewall_decision::blocked, firewall_block_reason::no_allow_rule));
  blocked.protocol = transport::udp;
  const auto b = diagnose(blocked, fixes());
  EXPECT_TRUE(has_line(b.fix, "-Direction Inbound -Protocol UDP -LocalPort 3000")) << all_of(b.fix);
}

}  // namespace
}  // namespace reachback
