// SPDX-License-Identifier: MIT
// --fix's plan from a double NAT's evidence and verdict: which routers get
// which mapping, in which order, and every reason for changing nothing.
#include "client/fix_plan.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace reachback::client::fix_plan_test {
namespace {

constexpr const char* host = "192.168.1.23";
constexpr const char* room_lan = "192.168.1.1";
constexpr const char* room_wan = "192.168.0.2";
constexpr const char* hub_lan = "192.168.0.1";
constexpr const char* public_address = "203.0.113.7";

router_evidence upnp_router(const std::string& address, const std::string& external) {
  router_evidence r;
  r.address = address;
  r.answered = {router_protocol::upnp_igd1};
  r.external_address = router_text_fact{external, router_protocol::upnp_igd1};
  r.wan_connected = true;
  r.mappings_read = true;
  r.upnp_control_url = "http://" + address + ":5000/ctl/IPConn";
  r.upnp_service_type = "urn:schemas-upnp-org:service:WANIPConnection:1";
  return r;
}

port_mapping mapping_to(const std::string& client, std::uint16_t port = 3000) {
  port_mapping m;
  m.external_port = 3000;
  m.internal_client = client;
  m.internal_port = port;
  return m;
}

/// A double NAT without forwards: the ISP hub in front of the room router,
/// both answering UPnP, the room router reporting its private WAN address.
struct double_nat {
  evidence ev;
  verdict v;

  double_nat() {
    ev.port = 3000;
    ev.public_address = public_address;
    path_evidence path;
    path.source_address = host;
    path.default_gateway = room_lan;
    path.host_addresses = {host};
    ev.path = path;
    ev.routers = std::vector<router_evidence>{upnp_router(room_lan, room_wan), upnp_router(hub_lan, public_address)};
    v.why = cause::nat_no_forward;
    v.candidates = {2};
    v.hops = {
        {hop_role::internet, "internet", public_address, hop_status::pass, {}, {}},
        {hop_role::nat, "ISP hub", hub_lan, hop_status::pass, {}, ev.routers->at(1)},
        {hop_role::nat, "room router", room_lan, hop_status::blocked, {}, ev.routers->at(0)},
        {hop_role::host, "this host", host, hop_status::not_reached, {}, {}},
    };
  }
  router_evidence& hub() { return *v.hops[1].router; }
  router_evidence& room() { return *v.hops[2].router; }
};

struct plan_case {
  std::string name;
  std::function<void(double_nat&)> change;
  fix_settings settings;
  /// describe() of each step, in order; empty when the plan must refuse.
  std::vector<std::string> steps;
  /// Text one refusal must contain.
  std::string refusal;
  /// Text one note must contain, if any.
  std::string note;
  friend void PrintTo(const plan_case& c, std::ostream* os) { *os << c.name; }
};

const std::string room_step = "room router 192.168.1.1: map TCP 3000 → 192.168.1.23:3000 for 2 h (UPnP)";
const std::string hub_upnp_step = "ISP hub 192.168.0.1: map TCP 3000 → 192.168.0.2:3000 for 2 h (UPnP)";
const std::string hub_natpmp_step =
    "ISP hub 192.168.0.1: map TCP 3000 → the room router's WAN address:3000 for 2 h (NAT-PMP, asked from this host "
    "through the room router)";

const std::string room_pcp_step = "room router 192.168.1.1: map TCP 3000 → 192.168.1.23:3000 for 2 h (PCP)";

void with_cause(double_nat& n, cause c) { n.v.why = c; }

/// The probe was UDP.
void probed_udp(double_nat& n) { n.ev.protocol = transport::udp; }

port_mapping udp_mapping_to(const std::string& client) {
  auto m = mapping_to(client);
  m.protocol = "UDP";
  return m;
}

const std::string room_udp_step = "room router 192.168.1.1: map UDP 3000 → 192.168.1.23:3000 for 2 h (UPnP)";
const std::string hub_udp_step = "ISP hub 192.168.0.1: map UDP 3000 → 192.168.0.2:3000 for 2 h (UPnP)";

/// `r` with UPnP off, answering NAT-PMP and PCP as asked.
void without_upnp(router_evidence& r, std::vector<router_protocol> answered) {
  r.answered = std::move(answered);
  r.upnp_control_url.clear();
  r.upnp_service_type.clear();
  r.wan_connected.reset();
  if (r.external_address) r.external_address->source = router_protocol::nat_pmp;
}

const std::vector<plan_case> cases = {
    {"double_nat_no_forwards_two_steps_innermost_first", [](double_nat&) {}, {}, {room_step, hub_upnp_step}, "", ""},
    {"room_router_with_public_configured_wan_gets_natpmp_on_the_hub",
     [](double_nat& n) {
       n.room().external_address->value = "11.22.33.44";
       n.hub().answered.push_back(router_protocol::nat_pmp);
     },
     {}, {room_step, hub_natpmp_step}, "", ""},
    {"hub_natpmp_only_with_private_wan_known",
     [](double_nat& n) {
       n.hub().answered = {router_protocol::nat_pmp};
       n.hub().upnp_control_url.clear();
       n.hub().upnp_service_type.clear();
       n.hub().external_address.reset();
       n.hub().wan_connected.reset();
     },
     {},
     {room_step,
      "ISP hub 192.168.0.1: map TCP 3000 → 192.168.0.2:3000 for 2 h (NAT-PMP, asked from this host through the room "
      "router)"},
     "", ""},
    {"right_mapping_on_room_router_leaves_only_the_hub_step",
     [](double_nat& n) { n.room().mapping = mapping_to(host); }, {}, {hub_upnp_step}, "",
     "room router 192.168.1.1 already maps TCP 3000 → 192.168.1.23:3000 (right)"},
    {"right_mapping_on_the_hub_leaves_only_the_room_step",
     [](double_nat& n) { n.hub().mapping = mapping_to(room_wan); }, {}, {room_step}, "", "ISP hub 192.168.0.1 already maps"},
    {"lease_in_minutes", [](double_nat&) {}, {600},
     {"room router 192.168.1.1: map TCP 3000 → 192.168.1.23:3000 for 10 min (UPnP)",
      "ISP hub 192.168.0.1: map TCP 3000 → 192.168.0.2:3000 for 10 min (UPnP)"},
     "", ""},
    {"permanent_lease_by_upnp", [](double_nat&) {}, {0},
     {"room router 192.168.1.1: map TCP 3000 → 192.168.1.23:3000 permanently (UPnP)",
      "ISP hub 192.168.0.1: map TCP 3000 → 192.168.0.2:3000 permanently (UPnP)"},
     "", ""},
    {"natpmp_only_room_router_maps_this_host",
     [](double_nat& n) {
       n.room().answered = {router_protocol::nat_pmp};
       n.room().upnp_control_url.clear();
       n.room().external_address = router_text_fact{room_wan, router_protocol::nat_pmp};
     },
     {},
     {"room router 192.168.1.1: map TCP 3000 → 192.168.1.23:3000 for 2 h (NAT-PMP)", hub_upnp_step}, "", ""},
    // The method per router: UPnP, else PCP on this host's own gateway, else NAT-PMP.
    {"upnp_wins_over_pcp_on_this_hosts_gateway",
     [](double_nat& n) { n.room().answered.push_back(router_protocol::pcp); }, {}, {room_step, hub_upnp_step}, "", ""},
    {"pcp_wins_over_natpmp_on_this_hosts_gateway",
     [](double_nat& n) { without_upnp(n.room(), {router_protocol::nat_pmp, router_protocol::pcp}); }, {},
     {room_pcp_step, hub_upnp_step}, "", ""},
    {"pcp_only_room_router_maps_by_pcp", [](double_nat& n) { without_upnp(n.room(), {router_protocol::pcp}); }, {},
     {room_pcp_step, hub_upnp_step}, "", ""},
    {"hub_with_natpmp_and_pcp_is_asked_by_natpmp",
     [](double_nat& n) { without_upnp(n.hub(), {router_protocol::nat_pmp, router_protocol::pcp}); }, {},
     {room_step,
      "ISP hub 192.168.0.1: map TCP 3000 → 192.168.0.2:3000 for 2 h (NAT-PMP, asked from this host through the room "
      "router)"},
     "", ""},
    {"both_routers_without_upnp_pcp_inside_natpmp_outside",
     [](double_nat& n) {
       without_upnp(n.room(), {router_protocol::nat_pmp, router_protocol::pcp});
       n.room().external_address->value = "11.22.33.44";
       without_upnp(n.hub(), {router_protocol::nat_pmp, router_protocol::pcp});
     },
     {}, {room_pcp_step, hub_natpmp_step}, "", ""},
    // A UDP probe maps UDP; a router's mapping of the other protocol is no conflict.
    {"udp_double_nat_two_udp_steps", probed_udp, {}, {room_udp_step, hub_udp_step}, "", ""},
    {"udp_natpmp_hub_and_pcp_room_router",
     [](double_nat& n) {
       probed_udp(n);
       without_upnp(n.room(), {router_protocol::pcp});
       n.room().external_address->value = "11.22.33.44";
       without_upnp(n.hub(), {router_protocol::nat_pmp});
     },
     {},
     {"room router 192.168.1.1: map UDP 3000 → 192.168.1.23:3000 for 2 h (PCP)",
      "ISP hub 192.168.0.1: map UDP 3000 → the room router's WAN address:3000 for 2 h (NAT-PMP, asked from this host "
      "through the room router)"},
     "", ""},
    {"udp_probe_ignores_a_tcp_mapping_to_another_host",
     [](double_nat& n) {
       probed_udp(n);
       n.room().mapping = mapping_to("192.168.1.24");
     },
     {}, {room_udp_step, hub_udp_step}, "", ""},
    {"tcp_probe_ignores_a_udp_mapping_to_another_host",
     [](double_nat& n) { n.room().mapping = udp_mapping_to("192.168.1.24"); }, {}, {room_step, hub_upnp_step}, "", ""},
    {"udp_right_mapping_on_room_router_leaves_only_the_hub_step",
     [](double_nat& n) {
       probed_udp(n);
       n.room().mapping = udp_mapping_to(host);
     },
     {}, {hub_udp_step}, "", "room router 192.168.1.1 already maps UDP 3000 → 192.168.1.23:3000 (right)"},
    {"udp_conflict_on_the_room_router_names_udp",
     [](double_nat& n) {
       probed_udp(n);
       n.room().mapping = udp_mapping_to("192.168.1.24");
     },
     {}, {}, "the room router already maps UDP 3000 to 192.168.1.24:3000, another host; reachback never overwrites it",
     ""},
    {"udp_every_router_maps_right_already",
     [](double_nat& n) {
       probed_udp(n);
       with_cause(n, cause::filtered);
       n.room().mapping = udp_mapping_to(host);
       n.hub().mapping = udp_mapping_to(room_wan);
     },
     {}, {}, "every router already maps UDP 3000", ""},
    {"udp_upnp_only_hub_names_udp_in_the_forward_to_add",
     [](double_nat& n) {
       probed_udp(n);
       n.room().external_address->value = "11.22.33.44";
     },
     {}, {}, "forward UDP 3000 to the room router's WAN address in the ISP hub's web page", ""},
    // Refusals.
    {"pcp_only_hub_is_refused", [](double_nat& n) { without_upnp(n.hub(), {router_protocol::pcp}); }, {}, {},
     "the ISP hub 192.168.0.1 answers only PCP, which cannot map for this host from behind the room router", ""},
    {"pcp_room_router_with_permanent_lease",
     [](double_nat& n) { without_upnp(n.room(), {router_protocol::pcp}); }, {0}, {},
     "the room router 192.168.1.1 would be mapped by PCP, which has no permanent mappings", ""},
    {"conflict_on_the_room_router_names_the_other_host",
     [](double_nat& n) { n.room().mapping = mapping_to("192.168.1.24"); }, {}, {},
     "the room router already maps TCP 3000 to 192.168.1.24:3000, another host; reachback never overwrites it", ""},
    {"room_router_mapping_to_another_port_of_this_host_is_a_conflict",
     [](double_nat& n) { n.room().mapping = mapping_to(host, 8080); }, {}, {},
     "already maps TCP 3000 to 192.168.1.23:8080", ""},
    {"conflict_on_the_hub_names_the_room_routers_wan",
     [](double_nat& n) { n.hub().mapping = mapping_to("192.168.0.9"); }, {}, {},
     "the ISP hub already maps TCP 3000 to 192.168.0.9:3000, not the room router's WAN address 192.168.0.2:3000; "
     "reachback never overwrites it",
     ""},
    {"disabled_mapping_is_never_changed",
     [](double_nat& n) {
       n.room().mapping = mapping_to(host);
       n.room().mapping->enabled = false;
     },
     {}, {}, "already has a disabled mapping of TCP 3000", ""},
    {"hub_mapping_to_this_host_is_a_conflict",
     [](double_nat& n) {
       n.room().external_address->value = "11.22.33.44";
       n.hub().mapping = mapping_to(host);
     },
     {}, {}, "this host, which it cannot reach past the NAT in front of it", ""},
    {"strict_room_router_refuses_mappings", [](double_nat& n) { n.room().external_address->value = ""; }, {}, {},
     "the room router 192.168.1.1 reports no external address (UPnP): it is itself behind a NAT and refuses mappings",
     ""},
    {"room_router_with_wan_down_refuses_mappings", [](double_nat& n) { n.room().wan_connected = false; }, {}, {},
     "says its WAN connection is not connected", ""},
    {"carrier_nat", [](double_nat& n) { with_cause(n, cause::cgnat); }, {}, {}, "carrier-grade NAT", ""},
    {"carrier_nat_in_front_of_the_hub",
     [](double_nat& n) { n.hub().external_address->value = "100.64.12.1"; }, {}, {}, "carrier-grade NAT", ""},
    {"host_firewall", [](double_nat& n) { with_cause(n, cause::host_firewall); }, {}, {}, "this host's firewall", ""},
    {"bind_conflict", [](double_nat& n) { with_cause(n, cause::bind_conflict); }, {}, {}, "another program holds", ""},
    {"loopback_only", [](double_nat& n) { with_cause(n, cause::loopback_only); }, {}, {}, "loopback only", ""},
    {"no_listener", [](double_nat& n) { with_cause(n, cause::no_listener); }, {}, {}, "nothing listens on port 3000", ""},
    {"wrong_family", [](double_nat& n) { with_cause(n, cause::wrong_family); }, {}, {}, "one IP family only", ""},
    {"reachable_already", [](double_nat& n) { with_cause(n, cause::reachable); }, {}, {}, "reachable from the internet already", ""},
    {"natpmp_only_hub_with_permanent_lease",
     [](double_nat& n) {
       n.room().external_address->value = "11.22.33.44";
       n.hub().answered = {router_protocol::nat_pmp};
       n.hub().upnp_control_url.clear();
     },
     {0}, {}, "the ISP hub 192.168.0.1 would be mapped by NAT-PMP, which has no permanent mappings", ""},
    {"upnp_only_hub_behind_a_room_router_with_public_configured_wan",
     [](double_nat& n) { n.room().external_address->value = "11.22.33.44"; }, {}, {},
     "the ISP hub 192.168.0.1 speaks UPnP only, and the room router does not report its WAN address (it reports "
     "11.22.33.44, set in its configuration)",
     ""},
    {"hop_without_router_answers",
     [](double_nat& n) {
       n.room().answered.clear();
       n.room().upnp_control_url.clear();
       n.room().external_address.reset();
     },
     {}, {}, "the room router 192.168.1.1 answers neither UPnP, NAT-PMP nor PCP", ""},
    {"upnp_without_a_wan_connection_service_cannot_be_mapped_on",
     [](double_nat& n) { without_upnp(n.room(), {router_protocol::upnp_igd1}); }, {}, {},
     "the room router 192.168.1.1 answers neither UPnP, NAT-PMP nor PCP", ""},
    {"hop_whose_router_was_not_asked", [](double_nat& n) { n.v.hops[2].router.reset(); }, {}, {},
     "the room router 192.168.1.1 was not asked about itself", ""},
    {"routers_not_asked_at_all",
     [](double_nat& n) {
       n.ev.routers.reset();
       n.v.hops[1].router.reset();
       n.v.hops[2].router.reset();
     },
     {}, {}, "--no-routers", ""},
    {"silent_hop_without_an_address",
     [](double_nat& n) {
       n.v.hops[1].address.reset();
       n.v.hops[1].router.reset();
     },
     {}, {}, "the ISP hub did not answer the path trace", ""},
    {"every_router_maps_right_already",
     [](double_nat& n) {
       with_cause(n, cause::filtered);
       n.room().mapping = mapping_to(host);
       n.hub().mapping = mapping_to(room_wan);
     },
     {}, {}, "every router already maps TCP 3000", ""},
    {"no_nat_in_between",
     [](double_nat& n) { n.v.hops.erase(n.v.hops.begin() + 1, n.v.hops.begin() + 3); }, {}, {},
     "no NAT stands between this host and the internet", ""},
};

class plan_table : public testing::TestWithParam<plan_case> {};

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  return text;
}

TEST_P(plan_table, plans) {
  const auto& c = GetParam();
  double_nat n;
  c.change(n);
  const auto plan = plan_fix(n.ev, n.v, c.settings);
  if (c.steps.empty()) {
    EXPECT_TRUE(plan.refused());
    EXPECT_TRUE(plan.steps.empty()) << "a refused plan makes no change";
    EXPECT_NE(joined(plan.refusals).find(c.refusal), std::string::npos) << joined(plan.refusals);
    return;
  }
  EXPECT_FALSE(plan.refused()) << joined(plan.refusals);
  std::vector<std::string> described;
  for (const auto& s : plan.steps) described.push_back(describe(s));
  EXPECT_EQ(described, c.steps);
  if (!c.note.empty()) {
    EXPECT_NE(joined(plan.notes).find(c.note), std::string::npos) << joined(plan.notes);
  }
}

INSTANTIATE_TEST_SUITE_P(cases, plan_table, testing::ValuesIn(cases),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(fix_plan, steps_carry_what_the_mapper_and_the_state_file_need) {
  double_nat n;
  const auto plan = plan_fix(n.ev, n.v, {});
  ASSERT_EQ(plan.steps.size(), 2u);
  const auto& room = plan.steps[0];
  EXPECT_EQ(room.router_address, room_lan);
  EXPECT_EQ(room.method, map_method::upnp);
  EXPECT_EQ(room.control_url, "http://192.168.1.1:5000/ctl/IPConn");
  EXPECT_EQ(room.service_type, "urn:schemas-upnp-org:service:WANIPConnection:1");
  EXPECT_EQ(room.external_port, 3000);
  EXPECT_EQ(room.internal_client, host);
  EXPECT_EQ(room.internal_port, 3000);
  EXPECT_EQ(room.lease_seconds, default_lease_seconds);
  EXPECT_EQ(plan.steps[1].internal_client, room_wan);
}

TEST(fix_plan, steps_carry_the_probed_protocol) {
  double_nat n;
  EXPECT_EQ(plan_fix(n.ev, n.v, {}).steps.at(0).protocol, transport::tcp);
  probed_udp(n);
  const auto plan = plan_fix(n.ev, n.v, {});
  ASSERT_EQ(plan.steps.size(), 2u);
  for (const auto& step : plan.steps) EXPECT_EQ(step.protocol, transport::udp) << describe(step);
}

TEST(fix_plan, pcp_step_maps_this_host_asked_directly) {
  double_nat n;
  without_upnp(n.room(), {router_protocol::pcp});
  const auto plan = plan_fix(n.ev, n.v, {});
  ASSERT_EQ(plan.steps.size(), 2u);
  const auto& room = plan.steps[0];
  EXPECT_EQ(room.method, map_method::pcp);
  EXPECT_EQ(room.internal_client, host) << "PCP's request is sent from the address it maps to";
  EXPECT_EQ(room.via, "");
  EXPECT_EQ(room.control_url, "");
  EXPECT_EQ(room.nonce, router::pcp_nonce{}) << "the nonce is drawn when the mapping is made, not planned";
}

TEST(fix_plan, method_names) {
  EXPECT_EQ(to_string(map_method::upnp), "upnp");
  EXPECT_EQ(to_string(map_method::natpmp), "natpmp");
  EXPECT_EQ(to_string(map_method::pcp), "pcp");
  EXPECT_EQ(display_name(map_method::pcp), "PCP");
  EXPECT_EQ(display_name(map_method::natpmp), "NAT-PMP");
}

TEST(fix_plan, uses_only_routers_attached_to_the_verdicts_hops) {
  double_nat n;
  // A router the client asked that is on no NAT hop of the verdict.
  n.ev.routers->push_back(upnp_router("192.168.1.250", "192.168.0.3"));
  const auto plan = plan_fix(n.ev, n.v, {});
  for (const auto& s : plan.steps) EXPECT_NE(s.router_address, "192.168.1.250");
  EXPECT_EQ(plan.steps.size(), 2u);
}

// ---------------------------------------------------------------------------
// router_firewall: an IPv6 home's router filters the port; pinholes, not mappings.

constexpr const char* host6 = "2001:db8:1000:1::23";
constexpr const char* room6 = "2001:db8:1000:1::1";
constexpr const char* hub6 = "2001:db8:1000::1";

/// The lab's IPv6 home: the room router's firewall drops the port, or
/// (`hub_too`) the hub is the most likely filter and the room router, which
/// answers no expired probes, a suspect too.
struct ipv6_home {
  evidence ev;
  verdict v;

  explicit ipv6_home(bool hub_too = false) {
    ev.port = 3000;
    ev.public_address = host6;
    v.why = cause::router_firewall;
    v.candidates = hub_too ? std::vector<std::size_t>{1, 2} : std::vector<std::size_t>{2};
    v.hops = {
        {hop_role::internet, "internet", "2001:db8:100::1", hop_status::pass, {}, {}},
        {hop_role::router, "ISP hub", hub6, hop_status::pass, {}, {}},
        {hop_role::router, "room router", room6, hop_status::blocked, {}, {}},
        {hop_role::host, "this host", host6, hop_status::not_reached, {}, {}},
    };
  }
};

const std::string room_pinhole = "room router 2001:db8:1000:1::1: open an IPv6 pinhole for TCP 3000 → "
                                 "[2001:db8:1000:1::23]:3000 for 2 h (UPnP IGD:2)";

struct pinhole_plan_case {
  std::string name;
  std::function<void(ipv6_home&)> change;
  fix_settings settings;
  std::vector<std::string> steps;  ///< describe() of each; empty: refused
  std::string refusal;
  friend void PrintTo(const pinhole_plan_case& c, std::ostream* os) { *os << c.name; }
};

const std::vector<pinhole_plan_case> pinhole_plan_cases = {
    {"room_router_firewall_one_pinhole", [](ipv6_home&) {}, {}, {room_pinhole}, ""},
    {"udp_probe_opens_udp",
     [](ipv6_home& h) { h.ev.protocol = transport::udp; },
     {},
     {"room router 2001:db8:1000:1::1: open an IPv6 pinhole for UDP 3000 → [2001:db8:1000:1::23]:3000 for 2 h "
      "(UPnP IGD:2)"},
     ""},
    {"suspects_innermost_first",
     [](ipv6_home& h) { h = ipv6_home(true); },
     {},
     {room_pinhole, "ISP hub 2001:db8:1000::1: open an IPv6 pinhole for TCP 3000 → [2001:db8:1000:1::23]:3000 for "
                    "2 h (UPnP IGD:2)"},
     ""},
    {"permanent_lease_refused", [](ipv6_home&) {}, {0}, {}, "has no permanent lease: use --lease SECONDS up to 86400"},
    {"lease_over_a_day_refused", [](ipv6_home&) {}, {86'401}, {}, "lasts 1 s to 24 h"},
    {"lease_of_a_day_taken",
     [](ipv6_home&) {},
     {86'400},
     {"room router 2001:db8:1000:1::1: open an IPv6 pinhole for TCP 3000 → [2001:db8:1000:1::23]:3000 for 24 h "
      "(UPnP IGD:2)"},
     ""},
    {"blocking_router_without_address_refused",
     [](ipv6_home& h) { h.v.hops[2].address.reset(); },
     {},
     {},
     "the room router did not answer the path trace"},
    {"host_address_unknown_refused",
     [](ipv6_home& h) { h.v.hops[3].address.reset(); },
     {},
     {},
     "this host's IPv6 address on the path is not known"},
    {"no_router_candidate_refused",
     [](ipv6_home& h) { h.v.candidates = {3}; },
     {},
     {},
     "the verdict names no router of this home"},
};

class pinhole_plan_table : public testing::TestWithParam<pinhole_plan_case> {};

TEST_P(pinhole_plan_table, plans) {
  const auto& c = GetParam();
  ipv6_home h;
  c.change(h);
  const auto plan = plan_fix(h.ev, h.v, c.settings);
  if (c.steps.empty()) {
    EXPECT_TRUE(plan.refused());
    EXPECT_TRUE(plan.steps.empty());
    EXPECT_NE(joined(plan.refusals).find(c.refusal), std::string::npos) << joined(plan.refusals);
    return;
  }
  EXPECT_FALSE(plan.refused()) << joined(plan.refusals);
  std::vector<std::string> described;
  for (const auto& s : plan.steps) {
    described.push_back(describe(s));
    EXPECT_EQ(s.kind, change_kind::pinhole);
    EXPECT_EQ(s.control_url, "") << "found when --fix asks the router";
  }
  EXPECT_EQ(described, c.steps);
}

INSTANTIATE_TEST_SUITE_P(cases, pinhole_plan_table, testing::ValuesIn(pinhole_plan_cases),
                         [](const auto& test_info) { return test_info.param.name; });

pinhole_offer service_at(const std::string& address) {
  return {"http://[" + address + "]:5000/ctl/IP6FCtl", std::string(router::wan_ipv6_firewall_control_1),
          router::firewall_status{true, true}, ""};
}

struct settle_case {
  std::string name;
  bool hub_too = false;
  std::vector<pinhole_offer> offers;  ///< in step order: room first
  std::vector<std::string> routers;   ///< the settled steps' router addresses; empty: refused
  std::string says;                   ///< text a refusal (or, with steps, a note) must contain
  friend void PrintTo(const settle_case& c, std::ostream* os) { *os << c.name; }
};

const std::vector<settle_case> settle_cases = {
    {"service_found", false, {service_at(room6)}, {room6}, ""},
    {"status_unknown_still_tried", false, {{service_at(room6).control_url, "t", std::nullopt, ""}}, {room6}, ""},
    {"no_service_refused",
     false,
     {{"", "", std::nullopt, "no answer to an IGD:2 search over IPv6 (asked twice)"}},
     {},
     "offers no UPnP IGD:2 pinholes (no answer to an IGD:2 search over IPv6 (asked twice)): open TCP 3000 to "
     "2001:db8:1000:1::23 in its IPv6 firewall settings (reachback does not ask by PCP over IPv6 yet)"},
    {"pinholes_not_allowed_refused",
     false,
     {{service_at(room6).control_url, "t", router::firewall_status{true, false}, ""}},
     {},
     "does not let UPnP open IPv6 pinholes (GetFirewallStatus: InboundPinholeAllowed 0)"},
    {"firewall_off_refused",
     false,
     {{service_at(room6).control_url, "t", router::firewall_status{false, false}, ""}},
     {},
     "says its IPv6 firewall is off"},
    {"suspect_without_service_left_out_with_a_note",
     true,
     {{"", "", std::nullopt, "no answer"}, service_at(hub6)},
     {hub6},
     "the room router 2001:db8:1000:1::1 offers no UPnP IGD:2 pinholes (no answer)"},
    {"blocking_router_without_service_refuses_all",
     true,
     {service_at(room6), {"", "", std::nullopt, "no answer"}},
     {},
     "the ISP hub 2001:db8:1000::1 offers no UPnP IGD:2 pinholes"},
};

class settle_table : public testing::TestWithParam<settle_case> {};

TEST_P(settle_table, settles) {
  const auto& c = GetParam();
  ipv6_home h(c.hub_too);
  const auto plan = settle_pinholes(plan_fix(h.ev, h.v, {}), c.offers, h.v);
  std::vector<std::string> routers;
  for (const auto& s : plan.steps) {
    routers.push_back(s.router_address);
    EXPECT_NE(s.control_url, "") << s.router_address;
  }
  EXPECT_EQ(routers, c.routers);
  if (c.routers.empty()) {
    EXPECT_TRUE(plan.refused());
    EXPECT_NE(joined(plan.refusals).find(c.says), std::string::npos) << joined(plan.refusals);
  } else if (!c.says.empty()) {
    EXPECT_NE(joined(plan.notes).find(c.says), std::string::npos) << joined(plan.notes);
  }
}

INSTANTIATE_TEST_SUITE_P(offers, settle_table, testing::ValuesIn(settle_cases),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(fix_plan, settled_pinhole_carries_the_service_found) {
  ipv6_home h;
  const auto plan = settle_pinholes(plan_fix(h.ev, h.v, {}), {service_at(room6)}, h.v);
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0].control_url, "http://[2001:db8:1000:1::1]:5000/ctl/IP6FCtl");
  EXPECT_EQ(plan.steps[0].service_type, "urn:schemas-upnp-org:service:WANIPv6FirewallControl:1");
  EXPECT_EQ(plan.steps[0].internal_client, host6);
  EXPECT_FALSE(plan.steps[0].pinhole_id) << "known once the router answers";
}

TEST(fix_plan, settling_leaves_port_mappings_as_they_are) {
  double_nat n;
  const auto plan = plan_fix(n.ev, n.v, {});
  EXPECT_EQ(settle_pinholes(plan, {}, n.v), plan);
}

TEST(describe_lease, units) {
  EXPECT_EQ(describe_lease(0), "permanently");
  EXPECT_EQ(describe_lease(7200), "for 2 h");
  EXPECT_EQ(describe_lease(120), "for 2 min");
  EXPECT_EQ(describe_lease(90), "for 90 s");
}

}  // namespace
}  // namespace reachback::client::fix_plan_test
