// SPDX-License-Identifier: MIT
#include "client/report.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "common/verdict_engine.hpp"
#include "config/fixes.hpp"
#include "config/squatters.hpp"

namespace reachback::client {
namespace {

using nlohmann::json;

report sample() {
  report r;
  r.ev.port = 3000;
  r.ev.relay = "203.0.113.10:4750";
  r.ev.public_address = "198.51.100.2";
  r.ev.local.state = bind_state::held;
  port_owner owner;
  owner.pid = 4;
  owner.name = "svchost";
  owner.cmdline = "svchost -k netsvcs";
  owner.addresses = {"0.0.0.0:3000"};
  r.ev.local.owners = {owner};
  r.ev.connect_back.outcome = connect_outcome::refused;
  r.ev.connect_back.banner = std::string("\xff\xfe binary", 9);
  r.result.why = cause::nat_no_forward;
  r.result.candidates = {1};
  r.result.summary = "The room router does not forward port 3000.";
  r.result.fix = {"room router 192.168.1.1: add a port forward TCP WAN 3000 → 192.168.1.23:3000."};
  r.result.hops = {{hop_role::internet, "internet", "198.51.100.2", hop_status::pass, {"seen"}, {}},
                   {hop_role::nat, "room router", "192.168.1.1", hop_status::blocked, {"RST"}, {}},
                   {hop_role::host, "this host", "192.168.1.23", hop_status::not_reached, {}, {}}};
  return r;
}

std::set<std::string> keys(const json& object) {
  std::set<std::string> k;
  for (const auto& [key, value] : object.items()) k.insert(key);
  return k;
}

TEST(report_json, has_exactly_the_schema_fields) {
  const auto doc = json::parse(render_json(sample()));
  EXPECT_EQ(keys(doc), (std::set<std::string>{"schema", "protocol", "port", "relay", "public_address", "host_os",
                                              "reachable", "verdict", "hops", "local", "probe", "hairpin"}));
  EXPECT_EQ(doc["host_os"], "linux");
  EXPECT_EQ(doc["schema"], "reachback.report/1");
  EXPECT_EQ(doc["protocol"], "tcp");
  EXPECT_EQ(doc["port"], 3000);
  EXPECT_FALSE(doc["reachable"].get<bool>());
  EXPECT_EQ(keys(doc["verdict"]), (std::set<std::string>{"cause", "blocking_hop", "candidates", "summary", "fix"}));
  EXPECT_EQ(doc["verdict"]["cause"], "nat_no_forward");
  EXPECT_EQ(doc["verdict"]["blocking_hop"], 1);
  EXPECT_EQ(doc["verdict"]["candidates"], json::array({1}));
  ASSERT_EQ(doc["hops"].size(), 3U);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(keys(doc["hops"][i]),
              (std::set<std::string>{"index", "role", "address", "status", "evidence", "router"}));
    EXPECT_EQ(doc["hops"][i]["index"], i);
    EXPECT_TRUE(doc["hops"][i]["router"].is_null());
  }
  EXPECT_EQ(doc["hops"][1]["status"], "blocked");
  EXPECT_EQ(doc["hops"][2]["status"], "not_reached");
  EXPECT_EQ(keys(doc["local"]),
            (std::set<std::string>{"bind", "portproxy", "excluded_range", "proxy_target_accepts", "missing"}));
  EXPECT_EQ(keys(doc["local"]["bind"]),
            (std::set<std::string>{"state", "owners", "held_in", "owners_hidden", "squatter"}));
  EXPECT_FALSE(doc["local"]["bind"]["owners_hidden"].get<bool>());
  EXPECT_TRUE(doc["local"]["bind"]["squatter"].is_null());
  EXPECT_TRUE(doc["local"]["bind"]["held_in"].is_null());
  EXPECT_EQ(keys(doc["local"]["bind"]["owners"][0]),
            (std::set<std::string>{"pid", "name", "cmdline", "unit", "container", "addresses", "image_path",
                                   "access_denied", "services", "urls"}));
  EXPECT_EQ(doc["local"]["portproxy"], json::array());
  EXPECT_TRUE(doc["local"]["excluded_range"].is_null());
  EXPECT_TRUE(doc["local"]["proxy_target_accepts"].is_null());
  EXPECT_EQ(doc["local"]["missing"], json::array());
  EXPECT_EQ(keys(doc["probe"]), (std::set<std::string>{"mode", "agent_listening", "relay_address", "client_hops",
                                                       "connect_back", "sweep", "path", "capture", "firewall",
                                                       "control_probe", "relay_rtt_ms", "timings"}));
  EXPECT_TRUE(doc["probe"]["firewall"].is_null());
  EXPECT_TRUE(doc["probe"]["control_probe"].is_null());
  EXPECT_TRUE(doc["probe"]["relay_rtt_ms"].is_null());
  EXPECT_EQ(keys(doc["hairpin"]), (std::set<std::string>{"tested", "loops_back", "skipped_because", "router",
                                                         "outcome", "target", "elapsed_ms", "summary", "fix"}));
}

TEST(report_json, the_families_holding_the_port_are_named) {
  auto r = sample();
  r.ev.local.held_in = held_families::ipv6_only;
  EXPECT_EQ(json::parse(render_json(r))["local"]["bind"]["held_in"], "ipv6_only");
}

/// sample(), but reachable, and the hairpin connection made and judged.
report hairpin_sample(hairpin_outcome outcome) {
  auto r = sample();
  r.result.why = cause::reachable;
  r.result.candidates.clear();
  r.ev.hairpin = hairpin_evidence{outcome, "198.51.100.2:3000", 0.8, ""};
  r.hairpin = judge_hairpin(r.ev, r.result);
  return r;
}

TEST(report_json, the_hairpin_finding_is_a_top_level_object) {
  const auto doc = json::parse(render_json(hairpin_sample(hairpin_outcome::refused)));
  const auto& h = doc["hairpin"];
  EXPECT_TRUE(h["tested"].get<bool>());
  EXPECT_FALSE(h["loops_back"].get<bool>());
  EXPECT_TRUE(h["skipped_because"].is_null());
  EXPECT_EQ(h["router"], 1);
  EXPECT_EQ(h["outcome"], "refused");
  EXPECT_EQ(h["target"], "198.51.100.2:3000");
  EXPECT_FALSE(h["fix"].empty());
}

TEST(report_json, a_skipped_hairpin_test_says_why) {
  auto r = sample();
  r.hairpin = judge_hairpin(r.ev, r.result);
  const auto doc = json::parse(render_json(r));
  const auto& h = doc["hairpin"];
  EXPECT_FALSE(h["tested"].get<bool>());
  EXPECT_TRUE(h["loops_back"].is_null());
  EXPECT_EQ(h["skipped_because"], "the port is not reachable from the internet");
  EXPECT_TRUE(h["outcome"].is_null());
}

TEST(report_text, prints_the_hairpin_line_and_its_fix) {
  const auto text = render_text(hairpin_sample(hairpin_outcome::refused), false);
  EXPECT_NE(text.find("Hairpin  Does not loop back: the room router 192.168.1.1 has no NAT loopback"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  1. Inside your LAN, connect to 192.168.1.23:3000"), std::string::npos) << text;
  const auto loops = render_text(hairpin_sample(hairpin_outcome::looped_back), false);
  EXPECT_NE(loops.find("Hairpin  From inside your LAN, the public address loops back"), std::string::npos) << loops;
}

TEST(report_json, the_control_probe_and_the_relays_rtt_are_in_the_probe) {
  auto r = sample();
  r.ev.control_probe = control_probe_result{51234, connect_outcome::refused, {}, 3.5, 1};
  r.ev.relay_rtt_ms = 82.5;
  const auto doc = json::parse(render_json(r));
  EXPECT_EQ(doc["probe"]["control_probe"]["port"], 51234);
  EXPECT_EQ(doc["probe"]["control_probe"]["outcome"], "refused");
  EXPECT_DOUBLE_EQ(doc["probe"]["relay_rtt_ms"].get<double>(), 82.5);
}

TEST(report_json, a_routers_answers_carry_their_sources) {
  auto r = sample();
  router_evidence room;
  room.address = "192.168.1.1";
  room.answered = {router_protocol::upnp_igd2, router_protocol::pcp};
  room.friendly_name = "MiniUPnPd";
  room.external_address = router_text_fact{"", router_protocol::pcp};
  room.wan_connected = false;
  room.mappings_read = true;
  port_mapping m;
  m.external_port = 3000;
  m.internal_client = "192.168.1.24";
  m.internal_port = 3000;
  room.mapping = m;
  room.mapping_source = router_protocol::upnp_igd2;
  room.missing = {{"NAT-PMP external address", "no answer in 250 ms"}};
  r.result.hops[1].router = room;
  const auto doc = json::parse(render_json(r));
  const auto& router = doc["hops"][1]["router"];
  EXPECT_EQ(keys(router), (std::set<std::string>{"address", "answered", "friendly_name", "manufacturer", "model_name",
                                                 "external_address", "wan_connected", "mappings_read", "mapping",
                                                 "missing"}));
  EXPECT_EQ(router["answered"], json::array({"upnp_igd2", "pcp"}));
  EXPECT_EQ(router["external_address"]["value"], "");
  EXPECT_EQ(router["external_address"]["source"], "pcp");
  EXPECT_FALSE(router["wan_connected"].get<bool>());
  EXPECT_EQ(router["mapping"]["internal_client"], "192.168.1.24");
  EXPECT_EQ(router["mapping"]["source"], "upnp_igd2");
  EXPECT_EQ(router["missing"][0]["what"], "NAT-PMP external address");
}

TEST(report_json, owners_keep_their_container) {
  auto r = sample();
  r.ev.local.owners.front().container = "web-1 (abc123)";
  const auto doc = json::parse(render_json(r));
  EXPECT_EQ(doc["local"]["bind"]["owners"][0]["container"], "web-1 (abc123)");
}

TEST(report_json, hidden_owners_are_said) {
  auto r = sample();
  r.ev.local.owners_hidden = true;
  EXPECT_TRUE(json::parse(render_json(r))["local"]["bind"]["owners_hidden"].get<bool>());
}

// The story behind reachback, as a Windows client gathers it: the IP Helper
// service in svchost.exe holds port 3000 for a portproxy rule to WSL2.
report windows_story() {
  report r;
  auto& ev = r.ev;
  ev.os = host_os::windows_host;
  ev.port = 3000;
  ev.relay = "203.0.113.10:4750";
  ev.relay_address = "203.0.113.10";
  ev.public_address = "198.51.100.2";
  ev.local.port = 3000;
  ev.local.state = bind_state::held;
  port_owner svchost;
  svchost.pid = 1234;
  svchost.name = "svchost.exe";
  svchost.unit = "iphlpsvc";
  svchost.addresses = {"0.0.0.0:3000"};
  svchost.image_path = R"(C:\Windows\System32\svchost.exe)";
  svchost.services = {{"iphlpsvc", "IP Helper"}, {"Dnscache", "DNS Client"}};
  ev.local.owners = {svchost};
  ev.local.squatter = config::match_squatter(config::builtin_squatters(), ev.local.owners, 3000);
  ev.local.portproxy = {{"v4tov4", "0.0.0.0", 3000, "172.28.160.1", 3000}};
  ev.local.excluded = excluded_port_range{4, 50000, 50059, true};
  ev.local.missing = {{"IPv6 excluded port ranges", "netsh printed no table"}};
  ev.connect_back.outcome = connect_outcome::refused;
  ev.connect_back.dialed_address = "198.51.100.2";
  ev.connect_back.port = 3000;
  ev.capture.unavailable_reason = "Windows gives no AF_PACKET capture";
  host_firewall_evidence fw;
  fw.available = true;
  fw.active_profiles = {firewall_profile::private_profile};
  fw.network_name = "Ethernet";
  fw.decision = firewall_decision::allowed;
  fw.rule = "Node 3000";
  ev.firewall = fw;
  r.result = diagnose(ev, config::builtin_fixes());
  return r;
}

TEST(report_json, windows_evidence_is_in_the_document) {
  const auto doc = json::parse(render_json(windows_story()));
  EXPECT_EQ(doc["host_os"], "windows");
  EXPECT_EQ(doc["verdict"]["cause"], "bind_conflict");
  const auto& owner = doc["local"]["bind"]["owners"][0];
  EXPECT_EQ(owner["pid"], 1234);
  EXPECT_EQ(owner["image_path"], R"(C:\Windows\System32\svchost.exe)");
  EXPECT_EQ(owner["services"][0]["display_name"], "IP Helper");
  const auto& squatter = doc["local"]["bind"]["squatter"];
  EXPECT_EQ(squatter["id"], "iphlpsvc");
  EXPECT_FALSE(squatter["description"].get<std::string>().empty());
  EXPECT_FALSE(squatter["fix"].empty());
  EXPECT_EQ(doc["local"]["portproxy"][0]["connect_address"], "172.28.160.1");
  EXPECT_EQ(doc["local"]["excluded_range"]["administered"], true);
  EXPECT_EQ(doc["local"]["missing"][0]["what"], "IPv6 excluded port ranges");
  EXPECT_EQ(doc["probe"]["firewall"]["decision"], "allowed");
  EXPECT_EQ(doc["probe"]["firewall"]["active_profiles"], json::array({"private"}));
  EXPECT_TRUE(doc["probe"]["firewall"]["log_shows_drop"].is_null());
}

TEST(report_text, windows_story_shows_the_holder_the_rule_and_the_delete_command) {
  const auto text = render_text(windows_story(), false);
  EXPECT_NE(text.find("NOT REACHABLE (bind_conflict at this host)"), std::string::npos) << text;
  EXPECT_NE(text.find("svchost.exe (pid 1234) running iphlpsvc (IP Helper), Dnscache (DNS Client)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("portproxy v4tov4 0.0.0.0:3000 → 172.28.160.1:3000"), std::string::npos) << text;
  EXPECT_NE(text.find("  1. Delete the rule, from PowerShell or cmd run as administrator: `netsh interface portproxy "
                      "delete v4tov4 listenport=3000 listenaddress=0.0.0.0`."),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(firewall: inbound TCP 3000 from the internet is allowed by the rule "Node 3000")"),
            std::string::npos)
      << text;
  for (const auto* linux_only : {"sudo", "systemctl", "setcap", "ufw", "CAP_NET_RAW"})
    EXPECT_EQ(text.find(linux_only), std::string::npos) << linux_only << "\n" << text;
}

TEST(report_json, reachable_has_null_blocking_hop) {
  auto r = sample();
  r.result.why = cause::reachable;
  r.result.candidates.clear();
  const auto doc = json::parse(render_json(r));
  EXPECT_TRUE(doc["reachable"].get<bool>());
  EXPECT_TRUE(doc["verdict"]["blocking_hop"].is_null());
  EXPECT_TRUE(doc["verdict"]["candidates"].is_array());
  EXPECT_TRUE(doc["verdict"]["candidates"].empty());
}

/// The sample with the drop left open between the room router and this host.
report two_candidates() {
  auto r = sample();
  r.result.hops.insert(r.result.hops.begin() + 1,
                       hop{hop_role::nat, "ISP hub", "192.168.0.1", hop_status::pass, {"time exceeded"}, {}});
  r.result.candidates = {2, 1, 0};
  return r;
}

TEST(report_json, candidates_list_every_hop_most_likely_first) {
  const auto doc = json::parse(render_json(two_candidates()));
  EXPECT_EQ(doc["verdict"]["candidates"], json::array({2, 1, 0}));
  EXPECT_EQ(doc["verdict"]["blocking_hop"], 2);
}

TEST(report_text, names_every_candidate_under_the_verdict) {
  const auto text = render_text(two_candidates(), false);
  const auto verdict_at = text.find("NOT REACHABLE (nat_no_forward at room router 192.168.1.1)");
  const auto could_be = text.find("\n  could be: 2 room router 192.168.1.1, 1 ISP hub 192.168.0.1, 0 internet 198.51.100.2\n");
  ASSERT_NE(verdict_at, std::string::npos) << text;
  ASSERT_NE(could_be, std::string::npos) << text;
  EXPECT_LT(verdict_at, could_be);
}

TEST(report_text, a_single_candidate_needs_no_list) {
  EXPECT_EQ(render_text(sample(), false).find("could be:"), std::string::npos);
}

TEST(report_text, plain_without_colour_and_numbered_fix) {
  const auto text = render_text(sample(), false);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_NE(text.find("room router 192.168.1.1"), std::string::npos);
  EXPECT_NE(text.find("BLOCKED"), std::string::npos);
  EXPECT_NE(text.find("NOT REACHABLE (nat_no_forward at room router 192.168.1.1)"), std::string::npos) << text;
  EXPECT_NE(text.find("  1. room router 192.168.1.1: add a port forward"), std::string::npos);
}

TEST(report_text, the_headline_names_the_transport) {
  auto r = sample();
  EXPECT_EQ(render_text(r, false).rfind("reachback: TCP port 3000 via relay 203.0.113.10:4750, public address "
                                        "198.51.100.2\n",
                                        0),
            0U);
  r.ev.protocol = transport::udp;
  r.ev.port = 19132;
  const auto text = render_text(r, false);
  EXPECT_EQ(text.rfind("reachback: UDP port 19132 via relay 203.0.113.10:4750", 0), 0U) << text;
  EXPECT_EQ(json::parse(render_json(r))["protocol"], "udp");
}

TEST(report_text, a_udp_report_from_the_engine_speaks_udp_throughout) {
  report r;
  auto& ev = r.ev;
  ev.protocol = transport::udp;
  ev.port = 19132;
  ev.relay = "203.0.113.10:4750";
  ev.public_address = "198.51.100.2";
  ev.local.port = 19132;
  ev.agent_listening = true;
  ev.connect_back = {connect_outcome::verified, "198.51.100.2", 19132, 40000, 12, 12, 1, "", false, {}, std::nullopt};
  ev.sweep = ttl_sweep{{{1, sweep_reply::time_exceeded, "203.0.113.1", icmp_info{11, 0, ""}, 64, 5.0, 1},
                        {2, sweep_reply::udp_reply, "198.51.100.2", {}, {}, 6.0, 1}},
                       2};
  ev.capture = {true, "", true, 19132, host_answer::udp_reply, 1};
  r.result = diagnose(ev, config::builtin_fixes());
  r.hairpin = judge_hairpin(ev, r.result);
  const auto text = render_text(r, false);
  EXPECT_NE(text.find("REACHABLE  Port 19132 is reachable from the internet: the relay's datagram reached "
                      "probe-client here"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("relay datagram with TTL 2: UDP reply from 198.51.100.2"), std::string::npos) << text;
  EXPECT_NE(text.find("capture: 1 relay datagram(s) arrived on port 19132; this host answered with a datagram"),
            std::string::npos)
      << text;
  for (const auto* tcp_word : {"SYN", "TCP", "RST", "reset"}) EXPECT_EQ(text.find(tcp_word), std::string::npos) << tcp_word;
}

/// One case of collapsing sweep lines: the evidence on the internet hop and
/// the lines the text report must show for it, in order.
struct ttl_run_case {
  std::string name;
  std::vector<std::string> evidence;
  std::vector<std::string> shown;
  friend std::ostream& operator<<(std::ostream& out, const ttl_run_case& c) { return out << c.name; }
};

std::string silent(int ttl, int attempts = 2) {
  return "relay SYN with TTL " + std::to_string(ttl) + ": no answer after " + std::to_string(attempts) +
         " attempt(s)";
}

std::vector<std::string> silent_run(int first, int last) {
  std::vector<std::string> lines;
  for (int ttl = first; ttl <= last; ++ttl) lines.push_back(silent(ttl));
  return lines;
}

const std::string exceeded_at_3 = "relay SYN with TTL 3: ICMP time exceeded from 192.168.0.1";

/// The evidence lines of hop 0, as render_text shows them.
std::vector<std::string> shown_evidence(const std::vector<std::string>& evidence) {
  auto r = sample();
  r.result.hops[0].evidence = evidence;
  const auto text = render_text(r, false);
  std::vector<std::string> shown;
  const std::string bullet = "· ";
  const auto start = text.find("  0  ");
  const auto stop = text.find("  1  ");
  std::size_t at = start;
  while ((at = text.find(bullet, at)) != std::string::npos && at < stop) {
    const auto begin = at + bullet.size();
    const auto end = text.find('\n', begin);
    shown.push_back(text.substr(begin, end - begin));
    at = end;
  }
  return shown;
}

class report_text_ttl_runs : public testing::TestWithParam<ttl_run_case> {};

TEST_P(report_text_ttl_runs, show_one_line_per_run) {
  EXPECT_EQ(shown_evidence(GetParam().evidence), GetParam().shown);
}

INSTANTIATE_TEST_SUITE_P(
    cases, report_text_ttl_runs,
    testing::Values(
        ttl_run_case{"thirteen_silent_ttls", silent_run(4, 16),
                     {"relay SYN with TTL 4–16: no answer (2 attempts each)"}},
        ttl_run_case{"two_silent_ttls", silent_run(4, 5), {"relay SYN with TTL 4–5: no answer (2 attempts each)"}},
        ttl_run_case{"one_attempt_each", {silent(4, 1), silent(5, 1)},
                     {"relay SYN with TTL 4–5: no answer (1 attempt each)"}},
        ttl_run_case{"a_single_silent_ttl_is_kept", {silent(4)}, {silent(4)}},
        ttl_run_case{"an_answer_splits_the_run",
                     {silent(1), silent(2), exceeded_at_3, silent(4), silent(5)},
                     {"relay SYN with TTL 1–2: no answer (2 attempts each)", exceeded_at_3,
                      "relay SYN with TTL 4–5: no answer (2 attempts each)"}},
        ttl_run_case{"other_attempt_counts_split_the_run", {silent(4), silent(5, 3), silent(6, 3)},
                     {silent(4), "relay SYN with TTL 5–6: no answer (3 attempts each)"}},
        ttl_run_case{"a_gap_in_the_ttls_splits_the_run", {silent(4), silent(6)}, {silent(4), silent(6)}},
        ttl_run_case{"lines_without_a_ttl_are_kept", {"seen", "seen"}, {"seen", "seen"}}),
    [](const auto& test_info) { return test_info.param.name; });

TEST(report_json, keeps_every_sweep_line) {
  auto r = sample();
  r.result.hops[0].evidence = silent_run(4, 16);
  const auto doc = json::parse(render_json(r));
  EXPECT_EQ(doc["hops"][0]["evidence"], json(silent_run(4, 16)));
}

TEST(report_text, colour_on_request) {
  EXPECT_NE(render_text(sample(), true).find("\x1b["), std::string::npos);
}

}  // namespace
}  // namespace reachback::client
