// SPDX-License-Identifier: MIT
#include "common/evidence_json.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace reachback {
namespace {

using nlohmann::json;

connect_back_result foreign_result() {
  connect_back_result r;
  r.outcome = connect_outcome::foreign;
  r.dialed_address = "203.0.113.7";
  r.port = 3000;
  r.source_port = 51234;
  r.connect_ms = 12.5;
  r.total_ms = 40.25;
  r.attempts = 2;
  r.banner = "SSH-2.0-OpenSSH_9.2\r\n";
  r.icmp = icmp_info{3, 13, "198.51.100.1"};
  return r;
}

ttl_sweep sample_sweep() {
  ttl_sweep s;
  s.hops.push_back({1, sweep_reply::time_exceeded, "192.168.1.1", std::nullopt, 63, 0.8, 1});
  s.hops.push_back({2,
                    sweep_reply::unreachable,
                    "10.0.0.1",
                    icmp_info{3, 10, "10.0.0.1"},
                    std::nullopt,
                    5.5,
                    3});
  s.hops.push_back({3, sweep_reply::silence, "", std::nullopt, std::nullopt, 0, 3});
  s.public_distance = 2;
  return s;
}

template <class T>
T round_trip(const T& value) {
  return json::parse(json(value).dump()).get<T>();
}

TEST(EvidenceJson, EnumNamesAreTheSchemaNames) {
  EXPECT_EQ(to_string(bind_state::loopback_only), "loopback_only");
  EXPECT_EQ(to_string(bind_state::forbidden), "forbidden");
  EXPECT_EQ(to_string(connect_outcome::not_run), "not_run");
  EXPECT_EQ(to_string(connect_outcome::verified), "verified");
  EXPECT_EQ(to_string(sweep_reply::time_exceeded), "time_exceeded");
  EXPECT_EQ(to_string(sweep_reply::silence), "silence");
  EXPECT_EQ(to_string(sweep_reply::udp_reply), "udp_reply");
  EXPECT_EQ(to_string(address_class::private_net), "private");
  EXPECT_EQ(to_string(address_class::carrier_nat), "carrier_nat");
  EXPECT_EQ(to_string(address_class::public_net), "public");
  EXPECT_EQ(to_string(host_answer::syn_ack), "syn_ack");
  EXPECT_EQ(to_string(host_answer::none), "none");
  EXPECT_EQ(to_string(probe_mode::automatic), "automatic");
  EXPECT_EQ(to_string(probe_mode::service), "service");
  EXPECT_EQ(to_string(held_families::ipv6_only), "ipv6_only");
  EXPECT_EQ(to_string(held_families::both), "both");
  EXPECT_EQ(to_string(hairpin_outcome::looped_back), "looped_back");
  EXPECT_EQ(to_string(hairpin_outcome::other_peer), "other_peer");
}

TEST(EvidenceJson, ConnectBackRoundTrips) {
  const auto r = foreign_result();
  EXPECT_EQ(round_trip(r), r);
  auto plain = r;
  plain.icmp.reset();
  EXPECT_EQ(round_trip(plain), plain);
}

TEST(EvidenceJson, ConnectBackFieldNames) {
  const json j = foreign_result();
  EXPECT_EQ(j.at("outcome"), "foreign");
  EXPECT_EQ(j.at("dialed_address"), "203.0.113.7");
  EXPECT_EQ(j.at("port"), 3000);
  EXPECT_EQ(j.at("source_port"), 51234);
  EXPECT_EQ(j.at("connect_ms"), 12.5);
  EXPECT_EQ(j.at("total_ms"), 40.25);
  EXPECT_EQ(j.at("attempts"), 2);
  EXPECT_EQ(j.at("silent"), false);
  EXPECT_EQ(j.at("icmp"), (json{{"type", 3}, {"code", 13}, {"from", "198.51.100.1"}}));
  EXPECT_FALSE(json(connect_back_result{}).contains("icmp"));
}

TEST(EvidenceJson, ReplyTtlIsWrittenOnlyWhenKnownAndRoundTrips) {
  auto r = foreign_result();
  EXPECT_FALSE(json(r).contains("reply_ttl")) << "a TCP result never had it";
  r.outcome = connect_outcome::unreachable;
  r.reply_ttl = 61;
  EXPECT_EQ(json(r).at("reply_ttl"), 61);
  EXPECT_EQ(round_trip(r), r);
}

TEST(EvidenceJson, AUdpReplyHopRoundTrips) {
  ttl_sweep s;
  s.hops.push_back({1, sweep_reply::udp_reply, "203.0.113.7", std::nullopt, std::nullopt, 4.5, 1});
  s.public_distance = 1;
  EXPECT_EQ(json(s).at("hops").at(0).at("reply"), "udp_reply");
  EXPECT_EQ(round_trip(s), s);
}

control_probe_result unreachable_control() {
  return {.port = 51234,
          .outcome = connect_outcome::unreachable,
          .icmp = icmp_info{3, 13, "198.51.100.1"},
          .connect_ms = 80.5,
          .attempts = 2};
}

TEST(EvidenceJson, ControlProbeRoundTrips) {
  const auto r = unreachable_control();
  EXPECT_EQ(round_trip(r), r);
  for (const auto outcome : {connect_outcome::refused, connect_outcome::timeout,
                             connect_outcome::connected}) {
    control_probe_result plain{.port = 65535, .outcome = outcome, .icmp = std::nullopt,
                               .connect_ms = 0.25, .attempts = 1};
    EXPECT_EQ(round_trip(plain), plain) << to_string(outcome);
  }
}

TEST(EvidenceJson, ControlProbeFieldNames) {
  const json j = unreachable_control();
  EXPECT_EQ(j, (json{{"port", 51234},
                     {"outcome", "unreachable"},
                     {"connect_ms", 80.5},
                     {"attempts", 2},
                     {"icmp", {{"type", 3}, {"code", 13}, {"from", "198.51.100.1"}}}}));
  EXPECT_FALSE(json(control_probe_result{}).contains("icmp"));
}

TEST(EvidenceJson, ControlProbeRejectsMissingAndWrongFields) {
  const json good = unreachable_control();
  for (const auto* key : {"port", "outcome", "connect_ms", "attempts"}) {
    auto missing = good;
    missing.erase(key);
    EXPECT_THROW((void)missing.get<control_probe_result>(), json::exception) << key;
  }
  auto bad_port = good;
  bad_port["port"] = 70000;
  EXPECT_THROW((void)bad_port.get<control_probe_result>(), json::exception);
  auto bad_outcome = good;
  bad_outcome["outcome"] = "blocked";
  EXPECT_THROW((void)bad_outcome.get<control_probe_result>(), json::exception);
}

TEST(EvidenceJson, SkippedBannerIsWrittenOnlyWhenTrueAndNeverRead) {
  auto r = foreign_result();
  EXPECT_FALSE(json(r).contains("banner_skipped"));
  r.banner_skipped = true;
  const json j = r;
  EXPECT_EQ(j.at("banner_skipped"), true);
  // A relay cannot claim the client skipped anything.
  EXPECT_FALSE(j.get<connect_back_result>().banner_skipped);
}

TEST(EvidenceJson, BinaryBannerIsEscapedAsciiText) {
  auto r = foreign_result();
  r.banner = std::string("ok\\\r\n\0\x7f\xff\xc3\xa9", 10);
  const json j = r;
  EXPECT_EQ(j.at("banner"), "ok\\\\\\x0d\\x0a\\x00\\x7f\\xff\\xc3\\xa9");
  EXPECT_EQ(round_trip(r), r);
}

TEST(EvidenceJson, EveryByteValueSurvives) {
  auto r = foreign_result();
  r.banner.clear();
  for (int b = 0; b < 256; ++b) r.banner += static_cast<char>(b);
  std::string text;
  ASSERT_NO_THROW(text = json(r).dump());
  EXPECT_TRUE(std::all_of(
      text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; }));
  EXPECT_EQ(json::parse(text).get<connect_back_result>(), r);
}

TEST(EvidenceJson, BadBannerEscapeThrows) {
  for (const char* banner : {"\\", "\\x", "\\x4", "\\xZZ", "\\xAB", "\\n", "a\\"}) {
    json j = foreign_result();
    j["banner"] = banner;
    EXPECT_THROW(j.get<connect_back_result>(), json::exception) << banner;
  }
}

TEST(EvidenceJson, SweepRoundTripsAndOmitsOptionals) {
  const auto s = sample_sweep();
  EXPECT_EQ(round_trip(s), s);
  const json j = s;
  EXPECT_EQ(j.at("public_distance"), 2);
  EXPECT_EQ(j.at("hops").at(0).at("reply"), "time_exceeded");
  EXPECT_EQ(j.at("hops").at(0).at("reply_ttl"), 63);
  EXPECT_FALSE(j.at("hops").at(0).contains("icmp"));
  EXPECT_FALSE(j.at("hops").at(1).contains("reply_ttl"));
  EXPECT_EQ(j.at("hops").at(1).at("icmp").at("code"), 10);
  EXPECT_TRUE(json(ttl_sweep{}).at("public_distance").is_null());
  EXPECT_EQ(round_trip(ttl_sweep{}), ttl_sweep{});
}

TEST(EvidenceJson, PortOwnerRoundTrips) {
  port_owner o;
  o.pid = 4242;
  o.name = "docker-proxy";
  o.cmdline = "/usr/bin/docker-proxy -host-port 3000";
  o.unit = "docker.service";
  o.container = "abc123";
  o.addresses = {"0.0.0.0:3000", "[::]:3000"};
  EXPECT_EQ(round_trip(o), o);
  EXPECT_EQ(json(o).at("addresses").at(1), "[::]:3000");
}

port_owner windows_owner() {
  port_owner o;
  o.pid = 1234;
  o.name = "svchost.exe";
  o.unit = "iphlpsvc";
  o.addresses = {"0.0.0.0:3000"};
  o.image_path = R"(C:\Windows\System32\svchost.exe)";
  o.services = {{"iphlpsvc", "IP Helper"}, {"Dnscache", "DNS Client"}};
  o.urls = {"http://+:3000/"};
  return o;
}

TEST(EvidenceJson, WindowsPortOwnerRoundTrips) {
  const auto o = windows_owner();
  EXPECT_EQ(round_trip(o), o);
  auto denied = o;
  denied.access_denied = true;
  denied.image_path.clear();
  EXPECT_EQ(round_trip(denied), denied);
  const json j = o;
  EXPECT_EQ(j.at("image_path"), R"(C:\Windows\System32\svchost.exe)");
  EXPECT_EQ(j.at("access_denied"), false);
  EXPECT_EQ(j.at("services").at(0), (json{{"name", "iphlpsvc"}, {"display_name", "IP Helper"}}));
  EXPECT_EQ(j.at("urls"), json::array({"http://+:3000/"}));
}

TEST(EvidenceJson, PortOwnerFromBeforeTheWindowsFieldsStillParses) {
  const auto old = json::parse(R"({"pid": 7, "name": "nginx", "cmdline": "nginx -g daemon off;",
                                   "unit": "nginx.service", "container": "", "addresses": ["0.0.0.0:80"]})");
  const auto o = old.get<port_owner>();
  port_owner expected;
  expected.pid = 7;
  expected.name = "nginx";
  expected.cmdline = "nginx -g daemon off;";
  expected.unit = "nginx.service";
  expected.addresses = {"0.0.0.0:80"};
  EXPECT_EQ(o, expected);
}

TEST(EvidenceJson, PortOwnerRejectsWrongTypesInTheNewFields) {
  for (const auto& [field, value] : std::vector<std::pair<std::string, json>>{
           {"image_path", 1}, {"access_denied", "yes"}, {"services", json::array({"iphlpsvc"})},
           {"services", json::array({json{{"name", "x"}}})}, {"urls", "http://+:80/"}}) {
    json j = windows_owner();
    j[field] = value;
    EXPECT_THROW(j.get<port_owner>(), json::exception) << field << " = " << value.dump();
  }
}

TEST(EvidenceJson, LocalEvidenceKeepsTheContainerAndTheSquatter) {
  local_port_evidence local;
  local.state = bind_state::held;
  local.held_in = held_families::both;
  port_owner proxy;
  proxy.pid = 812;
  proxy.name = "docker-proxy";
  proxy.container = "web-1 (abc123)";
  local.owners = {proxy};
  local.owners_hidden = true;
  local.squatter = squatter_match{"docker-proxy", "Docker publishes a container's port", {"docker stop web-1"}};
  local.excluded = excluded_port_range{4, 3000, 3099, false};
  local.proxy_target_accepts = false;
  const json j = local;
  const auto& bind = j.at("bind");
  EXPECT_EQ(bind.at("state"), "held");
  EXPECT_EQ(bind.at("held_in"), "both");
  EXPECT_EQ(bind.at("owners").at(0).at("container"), "web-1 (abc123)");
  EXPECT_TRUE(bind.at("owners_hidden").get<bool>());
  EXPECT_EQ(bind.at("squatter"),
            (json{{"id", "docker-proxy"},
                  {"description", "Docker publishes a container's port"},
                  {"fix", {"docker stop web-1"}}}));
  EXPECT_EQ(j.at("excluded_range").at("first"), 3000);
  EXPECT_FALSE(j.at("proxy_target_accepts").get<bool>());
}

TEST(EvidenceJson, LocalEvidenceWritesNullForWhatIsUnknown) {
  const json j = local_port_evidence{};
  EXPECT_TRUE(j.at("bind").at("held_in").is_null());
  EXPECT_TRUE(j.at("bind").at("squatter").is_null());
  EXPECT_TRUE(j.at("excluded_range").is_null());
  EXPECT_TRUE(j.at("proxy_target_accepts").is_null());
}

TEST(EvidenceJson, WindowsEnumNames) {
  EXPECT_EQ(to_string(host_os::linux_host), "linux");
  EXPECT_EQ(to_string(host_os::windows_host), "windows");
  EXPECT_EQ(to_string(host_os::macos_host), "macos");
  EXPECT_EQ(to_string(firewall_profile::private_profile), "private");
  EXPECT_EQ(to_string(firewall_profile::public_profile), "public");
  EXPECT_EQ(to_string(firewall_decision::firewall_off), "firewall_off");
  EXPECT_EQ(to_string(firewall_block_reason::profile_mismatch), "profile_mismatch");
  EXPECT_EQ(to_string(firewall_block_reason::block_all_inbound), "block_all_inbound");
}

TEST(EvidenceJson, ReservationFieldNames) {
  EXPECT_EQ(json(portproxy_rule{"v4tov4", "0.0.0.0", 3000, "172.28.160.1", 3000}),
            (json{{"kind", "v4tov4"},
                  {"listen_address", "0.0.0.0"},
                  {"listen_port", 3000},
                  {"connect_address", "172.28.160.1"},
                  {"connect_port", 3000}}));
  EXPECT_EQ(json(excluded_port_range{6, 2951, 3050, true}),
            (json{{"ip_version", 6}, {"first", 2951}, {"last", 3050}, {"administered", true}}));
  EXPECT_EQ(json(missing_evidence{"portproxy rules", "access denied"}),
            (json{{"what", "portproxy rules"}, {"why", "access denied"}}));
}

TEST(EvidenceJson, FirewallFieldNames) {
  host_firewall_evidence fw;
  EXPECT_TRUE(json(fw).at("log_shows_drop").is_null());
  fw.available = true;
  fw.active_profiles = {firewall_profile::domain, firewall_profile::public_profile};
  fw.network_name = "Wi-Fi";
  fw.decision = firewall_decision::blocked;
  fw.reason = firewall_block_reason::profile_mismatch;
  fw.rule = "Node 3000";
  fw.detail = "the rule covers Private only";
  fw.logging_dropped = true;
  fw.log_path = R"(C:\Windows\system32\LogFiles\Firewall\pfirewall.log)";
  fw.log_shows_drop = false;
  EXPECT_EQ(json(fw), (json{{"available", true},
                            {"unavailable_reason", ""},
                            {"active_profiles", json::array({"domain", "public"})},
                            {"network_name", "Wi-Fi"},
                            {"decision", "blocked"},
                            {"reason", "profile_mismatch"},
                            {"rule", "Node 3000"},
                            {"detail", "the rule covers Private only"},
                            {"logging_dropped", true},
                            {"log_path", R"(C:\Windows\system32\LogFiles\Firewall\pfirewall.log)"},
                            {"log_shows_drop", false},
                            {"log_unavailable_reason", ""}}));
}

TEST(EvidenceJson, PathFieldNames) {
  path_evidence p;
  p.hops.push_back({1, "192.168.1.1", address_class::private_net, 1.5});
  p.hops.push_back({2, std::nullopt, address_class::unknown, 0});
  p.reached_relay = true;
  p.source_address = "192.168.1.20";
  p.host_addresses = {"192.168.1.20"};
  const json j = p;
  EXPECT_EQ(j.at("hops").at(0),
            (json{{"ttl", 1}, {"address", "192.168.1.1"}, {"cls", "private"}, {"rtt_ms", 1.5}}));
  EXPECT_TRUE(j.at("hops").at(1).at("address").is_null());
  EXPECT_EQ(j.at("reached_relay"), true);
  EXPECT_EQ(j.at("source_address"), "192.168.1.20");
  EXPECT_TRUE(j.at("default_gateway").is_null());
  EXPECT_EQ(j.at("host_addresses"), json::array({"192.168.1.20"}));
  p.default_gateway = "192.168.1.1";
  EXPECT_EQ(json(p).at("default_gateway"), "192.168.1.1");
}

TEST(EvidenceJson, CaptureFieldNames) {
  capture_evidence c;
  EXPECT_TRUE(json(c).at("arrived_port").is_null());
  c.available = true;
  c.probe_seen = true;
  c.arrived_port = 3000;
  c.answer = host_answer::rst;
  c.probe_count = 3;
  const json j = c;
  EXPECT_EQ(j,
            (json{{"available", true},
                  {"unavailable_reason", ""},
                  {"syn_seen", true},
                  {"arrived_port", 3000},
                  {"answer", "rst"},
                  {"syn_count", 3}}));
}

struct bad_field_case {
  std::string name;
  std::string field;
  json value;  // null: remove the field
  friend void PrintTo(const bad_field_case& c, std::ostream* os) { *os << c.name; }
};

class ConnectBackRejects : public testing::TestWithParam<bad_field_case> {};

TEST_P(ConnectBackRejects, Throws) {
  json j = foreign_result();
  if (GetParam().value.is_null()) {
    j.erase(GetParam().field);
  } else {
    j[GetParam().field] = GetParam().value;
  }
  EXPECT_THROW(j.get<connect_back_result>(), json::exception);
}

INSTANTIATE_TEST_SUITE_P(
    Table,
    ConnectBackRejects,
    testing::Values(bad_field_case{"missing_outcome", "outcome", nullptr},
                    bad_field_case{"unknown_outcome", "outcome", "maybe"},
                    bad_field_case{"port_too_big", "port", 70000},
                    bad_field_case{"port_negative", "port", -1},
                    bad_field_case{"port_float", "port", 80.5},
                    bad_field_case{"port_string", "port", "80"},
                    bad_field_case{"attempts_bool", "attempts", true},
                    bad_field_case{"connect_ms_string", "connect_ms", "1"},
                    bad_field_case{"silent_int", "silent", 0},
                    bad_field_case{"banner_number", "banner", 1},
                    bad_field_case{"icmp_array", "icmp", json::array()},
                    bad_field_case{"icmp_missing_code", "icmp", {{"type", 3}, {"from", "x"}}},
                    bad_field_case{"missing_dialed_address", "dialed_address", nullptr}),
    [](const auto& p) { return p.param.name; });

TEST(EvidenceJson, NullOptionalIsNullopt) {
  json j = foreign_result();
  j["icmp"] = nullptr;
  EXPECT_EQ(j.get<connect_back_result>().icmp, std::nullopt);
}

}  // namespace
}  // namespace reachback
