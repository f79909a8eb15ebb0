// SPDX-License-Identifier: MIT
#include "common/evidence_json.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>

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
  EXPECT_EQ(to_string(address_class::private_net), "private");
  EXPECT_EQ(to_string(address_class::carrier_nat), "carrier_nat");
  EXPECT_EQ(to_string(address_class::public_net), "public");
  EXPECT_EQ(to_string(host_answer::syn_ack), "syn_ack");
  EXPECT_EQ(to_string(host_answer::none), "none");
  EXPECT_EQ(to_string(probe_mode::automatic), "automatic");
  EXPECT_EQ(to_string(probe_mode::service), "service");
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
  const port_owner o{4242,
                     "docker-proxy",
                     "/usr/bin/docker-proxy -host-port 3000",
                     "docker.service",
                     "abc123",
                     {"0.0.0.0:3000", "[::]:3000"}};
  EXPECT_EQ(round_trip(o), o);
  EXPECT_EQ(json(o).at("addresses").at(1), "[::]:3000");
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
  c.syn_seen = true;
  c.arrived_port = 3000;
  c.answer = host_answer::rst;
  c.syn_count = 3;
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
