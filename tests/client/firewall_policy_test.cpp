// SPDX-License-Identifier: MIT
#include "client/platform/firewall_policy.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace reachback::client::platform {
namespace {

const std::string agent = "C:\\Users\\ana\\Downloads\\probe-client.exe";
const std::string relay = "203.0.113.7";

firewall_rule allow(std::string name, std::string ports, std::uint32_t profiles = profile_bits_all) {
  firewall_rule rule;
  rule.name = std::move(name);
  rule.protocol = protocol_tcp;
  rule.local_ports = std::move(ports);
  rule.profiles = profiles;
  return rule;
}

firewall_rule block(std::string name, std::string ports) {
  auto rule = allow(std::move(name), std::move(ports));
  rule.action = firewall_action::block;
  return rule;
}

firewall_rule for_program(firewall_rule rule, std::string application) {
  rule.application = std::move(application);
  return rule;
}

firewall_rule from(firewall_rule rule, std::string remote_addresses) {
  rule.remote_addresses = std::move(remote_addresses);
  return rule;
}

firewall_rule with_protocol(firewall_rule rule, int protocol) {
  rule.protocol = protocol;
  return rule;
}

// Windows' out-of-the-box state: firewall on, inbound blocked by default.
firewall_policy on(std::uint32_t active, std::vector<firewall_rule> rules = {}) {
  firewall_policy policy;
  policy.active_profiles = active;
  policy.inbound_rules = std::move(rules);
  policy.path_variables = {{"SystemRoot", "C:\\Windows"}, {"ProgramFiles", "C:\\Program Files"}};
  return policy;
}

firewall_policy public_network(std::vector<firewall_rule> rules = {}) {
  return on(profile_bit_public, std::move(rules));
}

struct scenario {
  std::string name;
  firewall_policy policy;
  std::uint16_t port = 3000;
  std::string program = agent;
  std::string remote = relay;
  firewall_decision decision = firewall_decision::unknown;
  firewall_block_reason reason = firewall_block_reason::none;
  std::string rule;
  std::string detail_has;  ///< a part of the detail the report relies on
  bool whole_detail = false;  ///< detail_has is the whole detail
  friend void PrintTo(const scenario& c, std::ostream* os) { *os << c.name; }
};

firewall_policy with_public(firewall_profile_settings settings, std::vector<firewall_rule> rules = {}) {
  auto policy = public_network(std::move(rules));
  policy.public_profile = settings;
  return policy;
}

firewall_policy private_and_public(std::vector<firewall_rule> rules) {
  return on(profile_bit_private | profile_bit_public, std::move(rules));
}

firewall_policy all_off(std::uint32_t active) {
  auto policy = on(active);
  policy.domain.enabled = policy.private_profile.enabled = policy.public_profile.enabled = false;
  return policy;
}

firewall_policy private_off_public_allows() {
  auto policy = private_and_public({allow("Node 3000", "3000")});
  policy.private_profile.enabled = false;
  return policy;
}

using d = firewall_decision;
using r = firewall_block_reason;

const scenario scenarios[] = {
    // Allowed.
    {"port_rule_allows", public_network({allow("Node 3000", "3000")}), 3000, agent, relay, d::allowed,
     r::none, "Node 3000", "rule \"Node 3000\" allows TCP 3000 on the Public profile", true},
    {"port_range_allows", public_network({allow("Dev ports", "1000-5000")}), 3000, agent, relay,
     d::allowed, r::none, "Dev ports", ""},
    {"port_list_with_range_allows", public_network({allow("Web", "80,443, 2990-3010")}), 3000, agent,
     relay, d::allowed, r::none, "Web", ""},
    {"any_port_rule_for_this_program_allows",
     public_network({for_program(allow("Agent", "*"), "c:\\users\\ANA\\downloads\\PROBE-CLIENT.EXE")}),
     3000, agent, relay, d::allowed, r::none, "Agent", ""},
    {"program_path_with_system_root_allows",
     public_network({for_program(allow("Svc", "3000"), "%SystemRoot%\\system32\\svchost.exe")}), 3000,
     "C:\\WINDOWS\\System32\\svchost.exe", relay, d::allowed, r::none, "Svc", ""},
    {"program_path_with_program_files_allows",
     public_network({for_program(allow("Node", ""), "%PROGRAMFILES%\\nodejs\\node.exe")}), 3000,
     "C:/Program Files/nodejs/node.exe", relay, d::allowed, r::none, "Node", ""},
    {"any_protocol_rule_allows", public_network({with_protocol(allow("All", ""), protocol_any)}), 3000,
     agent, relay, d::allowed, r::none, "All", ""},
    {"internet_keyword_allows", public_network({from(allow("Net", "3000"), "Internet")}), 3000, agent,
     relay, d::allowed, r::none, "Net", ""},
    {"remote_subnet_holding_the_relay_allows",
     public_network({from(allow("Relay net", "3000"), "203.0.113.0/255.255.255.0")}), 3000, agent,
     relay, d::allowed, r::none, "Relay net", ""},
    {"remote_range_holding_the_relay_allows",
     public_network({from(allow("Relay range", "3000"), "LocalSubnet,203.0.113.1-203.0.113.9")}), 3000,
     agent, relay, d::allowed, r::none, "Relay range", ""},
    {"default_allow_without_rules",
     with_public({true, firewall_action::allow, false}), 3000, agent, relay, d::allowed, r::none, "",
     "the Public profile allows inbound connections by default"},
    {"block_rule_for_private_profile_only_does_not_apply",
     public_network({[] {
                       auto rule = block("Private block", "3000");
                       rule.profiles = profile_bit_private;
                       return rule;
                     }(),
                     allow("Node 3000", "3000")}),
     3000, agent, relay, d::allowed, r::none, "Node 3000", ""},
    {"block_rule_for_another_program_does_not_apply",
     public_network({for_program(block("Block game", "3000"), "C:\\Games\\game.exe"),
                     allow("Node 3000", "3000")}),
     3000, agent, relay, d::allowed, r::none, "Node 3000", ""},
    {"block_rule_for_lan_does_not_block_the_relay",
     public_network({from(block("LAN block", "3000"), "192.168.0.0/16"), allow("Node 3000", "3000")}),
     3000, agent, relay, d::allowed, r::none, "Node 3000", ""},

    // Firewall off, or blocking outright.
    {"firewall_off", with_public({false, firewall_action::block, true}), 3000, agent, relay,
     d::firewall_off, r::none, "", "the firewall is off on the Public profile"},
    {"block_all_inbound_overrides_allow",
     with_public({true, firewall_action::block, true}, {allow("Node 3000", "3000")}), 3000, agent, relay,
     d::blocked, r::block_all_inbound, "", "\"Block all incoming connections\" is on for the Public profile"},
    {"block_rule_overrides_allow",
     public_network({allow("Node 3000", "3000"), block("Corp block", "2000-4000")}), 3000, agent, relay,
     d::blocked, r::block_rule, "Corp block",
     "block rule \"Corp block\" matches TCP 3000 on the Public profile, and it overrides allow rule "
     "\"Node 3000\""},

    // Default block: the nearest miss.
    {"rule_for_private_while_network_is_public",
     public_network({allow("Node 3000", "3000", profile_bit_private)}), 3000, agent, relay, d::blocked,
     r::profile_mismatch, "Node 3000",
     "rule \"Node 3000\" allows TCP 3000 only on the Private profile, but the network is Public", true},
    {"rule_for_domain_and_private_while_network_is_public",
     public_network({allow("Node 3000", "3000", profile_bit_domain | profile_bit_private)}), 3000, agent,
     relay, d::blocked, r::profile_mismatch, "Node 3000", "only on the Domain and Private profile"},
    {"rule_for_another_program",
     public_network({for_program(allow("Node", "3000"), "C:\\Program Files\\nodejs\\node.exe")}), 3000,
     agent, relay, d::blocked, r::other_program, "Node",
     "only for C:\\Program Files\\nodejs\\node.exe, not for " + agent},
    {"rule_path_with_unexpanded_variable_misses",
     public_network({for_program(allow("User app", "3000"), "%USERPROFILE%\\Downloads\\probe-client.exe")}),
     3000, agent, relay, d::blocked, r::other_program, "User app", "%USERPROFILE%"},
    {"rule_for_a_service", public_network({[] {
       auto rule = allow("Web service", "3000");
       rule.service = "W3SVC";
       return rule;
     }()}),
     3000, agent, relay, d::blocked, r::other_program, "Web service", "only for the service \"W3SVC\""},
    {"rule_for_local_subnet_only", public_network({from(allow("Node LAN", "3000"), "LocalSubnet")}), 3000,
     agent, relay, d::blocked, r::local_subnet_only, "Node LAN",
     "rule \"Node LAN\" allows TCP 3000 only from LocalSubnet, not from the internet address "
     "203.0.113.7 (Public profile)", true},
    {"rule_for_private_addresses_only",
     public_network({from(allow("Node RFC1918", "3000"), "10.0.0.0/8,192.168.0.0/16")}), 3000, agent,
     relay, d::blocked, r::local_subnet_only, "Node RFC1918", "only from 10.0.0.0/8,192.168.0.0/16"},
    {"rule_for_addresses_when_the_relay_is_not_known",
     public_network({from(allow("Relay net", "3000"), "203.0.113.0/24")}), 3000, agent, "", d::blocked,
     r::local_subnet_only, "Relay net", "the relay, whose address was not known"},
    {"nearest_miss_is_the_rule_with_fewest_misses",
     public_network({for_program(allow("Wrong both", "3000", profile_bit_private), "C:\\x.exe"),
                     allow("Wrong profile", "3000", profile_bit_private)}),
     3000, agent, relay, d::blocked, r::profile_mismatch, "Wrong profile", ""},
    {"several_misses_are_all_named",
     public_network({from(for_program(allow("Far off", "3000", profile_bit_domain), "C:\\x.exe"),
                          "LocalSubnet")}),
     3000, agent, relay, d::blocked, r::profile_mismatch, "Far off",
     "but the network is Public, and only for C:\\x.exe, not for " + agent +
         ", and only from LocalSubnet, not from the internet address 203.0.113.7"},
    {"no_rule_at_all", public_network(), 3000, agent, relay, d::blocked, r::no_allow_rule, "",
     "the Public profile blocks inbound connections by default, and no enabled rule allows TCP 3000 "
     "for " + agent},
    {"rule_for_another_port", public_network({allow("Node 3001", "3001,8000-8080")}), 3000, agent, relay,
     d::blocked, r::no_allow_rule, "", ""},
    {"udp_rule_is_named_as_a_hint",
     public_network({with_protocol(allow("Node UDP", "3000"), protocol_udp)}), 3000, agent, relay,
     d::blocked, r::no_allow_rule, "", "rule \"Node UDP\" allows port 3000 for UDP only"},
    {"udp_rule_for_every_port_is_no_hint",
     public_network({with_protocol(allow("All UDP", "*"), protocol_udp),
                     with_protocol(allow("ICMP", ""), 1)}),
     3000, agent, relay, d::blocked, r::no_allow_rule, "",
     "the Public profile blocks inbound connections by default, and no enabled rule allows TCP 3000 "
     "for " + agent, true},
    {"rpc_keyword_covers_no_ordinary_port",
     public_network({allow("RPC", "RPC"), allow("EPMap", "RPC-EPMap"), allow("IP-HTTPS", "IPHTTPS"),
                     allow("Teredo", "Teredo"), allow("PlayTo", "Ply2Disc"), allow("mDNS", "mDNS")}),
     135, agent, relay, d::blocked, r::no_allow_rule, "", ""},

    // Several active profiles.
    {"public_blocks_while_private_allows",
     private_and_public({allow("Node 3000", "3000", profile_bit_private)}), 3000, agent, relay,
     d::blocked, r::profile_mismatch, "Node 3000",
     "also active: Private: allowed by rule \"Node 3000\" (the profile of the adapter the SYN arrives "
     "on decides)"},
    {"both_profiles_allow", private_and_public({allow("Node 3000", "3000")}), 3000, agent, relay,
     d::allowed, r::none, "Node 3000", "also active: Public: allowed by rule \"Node 3000\""},
    {"one_profile_off_and_one_allowing", private_off_public_allows(), 3000, agent, relay, d::allowed,
     r::none, "Node 3000", "also active: Private: firewall off"},
    {"all_active_profiles_off", all_off(profile_bit_domain | profile_bit_public), 3000, agent, relay,
     d::firewall_off, r::none, "", "also active: Public: firewall off"},
    {"no_active_profile", on(0, {allow("Node 3000", "3000")}), 3000, agent, relay, d::unknown, r::none,
     "", "no firewall profile is active"},
};

class firewall_evaluation : public testing::TestWithParam<scenario> {};

TEST_P(firewall_evaluation, decides_and_names_the_rule) {
  const auto& s = GetParam();
  const auto result = evaluate_inbound(s.policy, s.port, s.program, s.remote);
  EXPECT_EQ(result.decision, s.decision);
  EXPECT_EQ(result.reason, s.reason);
  EXPECT_EQ(result.rule, s.rule);
  if (s.whole_detail) {
    EXPECT_EQ(result.detail, s.detail_has);
  } else {
    EXPECT_NE(result.detail.find(s.detail_has), std::string::npos) << result.detail;
  }
  EXPECT_FALSE(result.detail.empty());
}

INSTANTIATE_TEST_SUITE_P(scenarios, firewall_evaluation, testing::ValuesIn(scenarios),
                         [](const auto& test_info) { return test_info.param.name; });

struct ports_case {
  std::string name;
  std::string ports;
  std::uint16_t port;
  bool covers;
  friend void PrintTo(const ports_case& c, std::ostream* os) { *os << c.name; }
};

const ports_case ports_cases[] = {
    {"empty_is_any", "", 3000, true},
    {"star_is_any", "*", 1, true},
    {"any_word_is_any", "Any", 65535, true},
    {"single_port", "3000", 3000, true},
    {"single_other_port", "3001", 3000, false},
    {"range_inside", "1000-2000", 1500, true},
    {"range_low_edge", "1000-2000", 1000, true},
    {"range_high_edge", "1000-2000", 2000, true},
    {"range_outside", "1000-2000", 2001, false},
    {"reversed_range", "2000-1000", 1500, false},
    {"list_with_spaces", "80, 443, 8000-8010", 8005, true},
    {"list_missing", "80,443,8000-8010", 8011, false},
    {"rpc", "RPC", 135, false},
    {"rpc_epmap", "RPC-EPMap", 135, false},
    {"iphttps", "IPHTTPS", 443, false},
    {"iphttps_in", "IPHTTPSIn", 443, false},
    {"teredo", "Teredo", 3544, false},
    {"play_to_discovery", "Ply2Disc", 1900, false},
    {"play_to_discovery_long", "PlayToDiscovery", 1900, false},
    {"mdns", "mDNS", 5353, false},
    {"keyword_then_port", "RPC,3000", 3000, true},
    {"port_too_large", "70000", 4464, false},
    {"negative", "-3000", 3000, false},
    {"garbage", "30x0", 3000, false},
    {"empty_entries", ",,3000,", 3000, true},
};

class firewall_ports : public testing::TestWithParam<ports_case> {};

TEST_P(firewall_ports, cover_or_not) {
  const auto& c = GetParam();
  EXPECT_EQ(ports_cover(c.ports, c.port), c.covers);
}

INSTANTIATE_TEST_SUITE_P(cases, firewall_ports, testing::ValuesIn(ports_cases),
                         [](const auto& test_info) { return test_info.param.name; });

struct address_case {
  std::string name;
  std::string addresses;
  std::string remote;
  bool admits;
  friend void PrintTo(const address_case& c, std::ostream* os) { *os << c.name; }
};

const address_case address_cases[] = {
    {"star", "*", relay, true},
    {"star_unknown_remote", "*", "", true},
    {"internet", "Internet", relay, true},
    {"internet_lowercase", "internet", relay, true},
    {"internet4_for_v4", "Internet4", relay, true},
    {"internet6_for_v4", "Internet6", relay, false},
    {"internet6_for_v6", "Internet6", "2001:db8::7", true},
    {"internet_unknown_remote", "Internet", "", true},
    {"local_subnet", "LocalSubnet", relay, false},
    {"local_subnet4", "LocalSubnet4", relay, false},
    {"intranet", "Intranet", relay, false},
    {"remote_corp_network", "RemoteCorpNetwork", relay, false},
    {"dns", "DNS", relay, false},
    {"dhcp", "DHCP", relay, false},
    {"wins", "WINS", relay, false},
    {"default_gateway", "DefaultGateway", relay, false},
    {"play_to_device", "PlayToDevice", relay, false},
    {"same_address", "203.0.113.7", relay, true},
    {"other_address", "203.0.113.8", relay, false},
    {"mapped_remote", "203.0.113.7", "::ffff:203.0.113.7", true},
    {"prefix_subnet", "203.0.113.0/24", relay, true},
    {"prefix_subnet_miss", "203.0.112.0/24", relay, false},
    {"mask_subnet", "203.0.0.0/255.255.0.0", relay, true},
    {"zero_prefix", "0.0.0.0/0", relay, true},
    {"prefix_too_long", "203.0.113.7/33", relay, false},
    {"range", "203.0.113.1-203.0.113.7", relay, true},
    {"range_miss", "203.0.113.8-203.0.113.9", relay, false},
    {"v6_subnet", "2001:db8::/32", "2001:db8:1::5", true},
    {"v6_range", "2001:db8::1-2001:db8::9", "2001:db8::9", true},
    {"v6_rule_v4_remote", "2001:db8::/32", relay, false},
    {"list_second_entry", "LocalSubnet, 203.0.113.0/24", relay, true},
    {"unknown_remote_against_address", "203.0.113.7", "", false},
    {"unparsable_remote", "203.0.113.7", "relay.example.net", false},
    {"garbage_entry", "203.0.113.7/abc", relay, false},
};

class firewall_addresses : public testing::TestWithParam<address_case> {};

TEST_P(firewall_addresses, admit_or_not) {
  const auto& c = GetParam();
  EXPECT_EQ(addresses_admit(c.addresses, c.remote), c.admits);
}

INSTANTIATE_TEST_SUITE_P(cases, firewall_addresses, testing::ValuesIn(address_cases),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(firewall_paths, expands_known_variables_in_any_case) {
  const std::vector<std::pair<std::string, std::string>> vars{{"SystemRoot", "C:\\Windows"}};
  EXPECT_EQ(expand_path_variables("%systemroot%\\system32\\svchost.exe", vars),
            "C:\\Windows\\system32\\svchost.exe");
  EXPECT_EQ(expand_path_variables("%unknown%\\%SystemRoot%", vars), "%unknown%\\C:\\Windows");
  EXPECT_EQ(expand_path_variables("100%", vars), "100%");
  EXPECT_EQ(expand_path_variables("%%", vars), "%%");
  EXPECT_EQ(expand_path_variables("", vars), "");
}

TEST(firewall_paths, same_program_ignores_case_and_slashes) {
  const std::vector<std::pair<std::string, std::string>> none;
  EXPECT_TRUE(same_program("", agent, none));
  EXPECT_TRUE(same_program("C:/USERS/ana/downloads/probe-client.exe", agent, none));
  EXPECT_TRUE(same_program(agent, "\\\\?\\" + agent, none));
  EXPECT_FALSE(same_program("C:\\Users\\ana\\probe-client.exe", agent, none));
  EXPECT_FALSE(same_program(agent, "", none));
}

TEST(firewall_profiles, bits_name_the_profiles) {
  EXPECT_EQ(profiles_in(profile_bit_public | profile_bit_domain),
            (std::vector<firewall_profile>{firewall_profile::domain, firewall_profile::public_profile}));
  EXPECT_EQ(profiles_in(profile_bits_all).size(), 3u);
  EXPECT_TRUE(profiles_in(0).empty());
  EXPECT_EQ(profile_name(firewall_profile::private_profile), "Private");
}

TEST(firewall_apply, fills_the_evidence) {
  host_firewall_evidence evidence;
  evidence.network_name = "Wi-Fi 2";
  apply({firewall_decision::blocked, firewall_block_reason::profile_mismatch, "Node 3000", "why"},
        evidence);
  EXPECT_TRUE(evidence.available);
  EXPECT_EQ(evidence.decision, firewall_decision::blocked);
  EXPECT_EQ(evidence.reason, firewall_block_reason::profile_mismatch);
  EXPECT_EQ(evidence.rule, "Node 3000");
  EXPECT_EQ(evidence.detail, "why");
  EXPECT_EQ(evidence.network_name, "Wi-Fi 2");
}

}  // namespace
}  // namespace reachback::client::platform
