// SPDX-License-Identifier: MIT
#include "client/report.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

namespace reachback::client {
namespace {

using nlohmann::json;

report sample() {
  report r;
  r.ev.port = 3000;
  r.ev.relay = "203.0.113.10:4750";
  r.ev.public_address = "198.51.100.2";
  r.ev.local.state = bind_state::held;
  r.ev.local.owners = {{4, "svchost", "svchost -k netsvcs", "", "", {"0.0.0.0:3000"}}};
  r.ev.connect_back.outcome = connect_outcome::refused;
  r.ev.connect_back.banner = std::string("\xff\xfe binary", 9);
  r.result.why = cause::nat_no_forward;
  r.result.blocking_hop = 1;
  r.result.summary = "The room router does not forward port 3000.";
  r.result.fix = {"room router 192.168.1.1: add a port forward TCP WAN 3000 → 192.168.1.23:3000."};
  r.result.hops = {{hop_role::internet, "internet", "198.51.100.2", hop_status::pass, {"seen"}},
                   {hop_role::nat, "room router", "192.168.1.1", hop_status::blocked, {"RST"}},
                   {hop_role::host, "this host", "192.168.1.23", hop_status::not_reached, {}}};
  return r;
}

std::set<std::string> keys(const json& object) {
  std::set<std::string> k;
  for (const auto& [key, value] : object.items()) k.insert(key);
  return k;
}

TEST(report_json, has_exactly_the_schema_fields) {
  const auto doc = json::parse(render_json(sample()));
  EXPECT_EQ(keys(doc), (std::set<std::string>{"schema", "protocol", "port", "relay", "public_address", "reachable",
                                              "verdict", "hops", "local", "probe"}));
  EXPECT_EQ(doc["schema"], "reachback.report/1");
  EXPECT_EQ(doc["protocol"], "tcp");
  EXPECT_EQ(doc["port"], 3000);
  EXPECT_FALSE(doc["reachable"].get<bool>());
  EXPECT_EQ(keys(doc["verdict"]), (std::set<std::string>{"cause", "blocking_hop", "summary", "fix"}));
  EXPECT_EQ(doc["verdict"]["cause"], "nat_no_forward");
  EXPECT_EQ(doc["verdict"]["blocking_hop"], 1);
  ASSERT_EQ(doc["hops"].size(), 3U);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(keys(doc["hops"][i]), (std::set<std::string>{"index", "role", "address", "status", "evidence"}));
    EXPECT_EQ(doc["hops"][i]["index"], i);
  }
  EXPECT_EQ(doc["hops"][1]["status"], "blocked");
  EXPECT_EQ(doc["hops"][2]["status"], "not_reached");
  EXPECT_EQ(keys(doc["local"]), std::set<std::string>{"bind"});
  EXPECT_EQ(keys(doc["local"]["bind"]), (std::set<std::string>{"state", "owners"}));
  EXPECT_EQ(keys(doc["local"]["bind"]["owners"][0]),
            (std::set<std::string>{"pid", "name", "cmdline", "unit", "addresses"}));
  EXPECT_TRUE(doc["probe"].is_object());
}

TEST(report_json, reachable_has_null_blocking_hop) {
  auto r = sample();
  r.result.why = cause::reachable;
  r.result.blocking_hop.reset();
  const auto doc = json::parse(render_json(r));
  EXPECT_TRUE(doc["reachable"].get<bool>());
  EXPECT_TRUE(doc["verdict"]["blocking_hop"].is_null());
}

TEST(report_text, plain_without_colour_and_numbered_fix) {
  const auto text = render_text(sample(), false);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_NE(text.find("room router 192.168.1.1"), std::string::npos);
  EXPECT_NE(text.find("BLOCKED"), std::string::npos);
  EXPECT_NE(text.find("NOT REACHABLE (nat_no_forward at room router 192.168.1.1)"), std::string::npos) << text;
  EXPECT_NE(text.find("  1. room router 192.168.1.1: add a port forward"), std::string::npos);
}

TEST(report_text, colour_on_request) {
  EXPECT_NE(render_text(sample(), true).find("\x1b["), std::string::npos);
}

}  // namespace
}  // namespace reachback::client
