// SPDX-License-Identifier: MIT
// A run over several IP families: its exit code, its JSON and its text.
#include "client/report.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "client/exit_codes.hpp"

namespace reachback::client {
namespace {

using nlohmann::json;

constexpr auto public_v4 = "198.51.100.2";
constexpr auto public_v6 = "2001:db8:100:1::23";
constexpr auto relay_down_v4 = "cannot connect to relay 203.0.113.10:4750: connection refused";
constexpr auto relay_down_v6 = "cannot connect to relay [2001:db8:ff::7]:4750: network unreachable";
constexpr auto no_global_v6 = "this host has no global IPv6 address (its address toward the relay is fe80::23)";

/// One family's report, told apart from the other family's by its relay,
/// its public address and, when unreachable, its cause.
report family_sample(ip_family f, bool reachable) {
  const bool v4 = f == ip_family::ipv4;
  report r;
  r.ev.port = 3000;
  r.ev.relay = v4 ? "203.0.113.10:4750" : "[2001:db8:ff::7]:4750";
  r.ev.public_address = v4 ? public_v4 : public_v6;
  r.result.why = reachable ? cause::reachable : v4 ? cause::nat_no_forward : cause::host_firewall;
  r.result.summary = reachable ? "Port 3000 is reachable from the internet." : "Port 3000 is blocked.";
  return r;
}

family_report reachable(ip_family f) { return {f, family_sample(f, true)}; }
family_report unreachable(ip_family f) { return {f, family_sample(f, false)}; }
family_report failed(ip_family f, std::string line) { return {f, std::move(line)}; }

constexpr auto v4 = ip_family::ipv4;
constexpr auto v6 = ip_family::ipv6;

struct exit_case {
  std::string name;
  run_report run;
  int code;
  friend void PrintTo(const exit_case& c, std::ostream* os) { *os << c.name; }
};

class run_report_exit_code : public testing::TestWithParam<exit_case> {};

TEST_P(run_report_exit_code, follows_the_worst_family) {
  EXPECT_EQ(run_exit_code(GetParam().run), GetParam().code);
}

INSTANTIATE_TEST_SUITE_P(
    families, run_report_exit_code,
    testing::Values(
        exit_case{"one_family_reachable", {{reachable(v4)}, {}}, exit_reachable},
        exit_case{"one_family_unreachable", {{unreachable(v6)}, {}}, exit_unreachable},
        exit_case{"ipv4_unreachable_ipv6_reachable", {{unreachable(v4), reachable(v6)}, {}}, exit_unreachable},
        exit_case{"both_reachable", {{reachable(v4), reachable(v6)}, {}}, exit_reachable},
        exit_case{"ipv4_reachable_ipv6_failed", {{reachable(v4), failed(v6, relay_down_v6)}, {}}, exit_relay},
        exit_case{"ipv4_failed_ipv6_unreachable", {{failed(v4, relay_down_v4), unreachable(v6)}, {}}, exit_unreachable},
        exit_case{"both_failed", {{failed(v4, relay_down_v4), failed(v6, relay_down_v6)}, {}}, exit_relay},
        exit_case{"a_skipped_family_does_not_count", {{reachable(v4)}, {{v6, no_global_v6}}}, exit_reachable}),
    [](const testing::TestParamInfo<exit_case>& p) { return p.param.name; });

json json_of(const run_report& run) { return json::parse(render_json(run)); }
json json_of(const family_report& f) { return json::parse(render_json(std::get<report>(f.outcome))); }

TEST(run_report_json, ipv4_at_the_top_and_the_whole_ipv6_report_under_ipv6) {
  const auto v4_report = unreachable(v4);
  const auto v6_report = reachable(v6);
  auto doc = json_of({{v4_report, v6_report}, {}});
  EXPECT_EQ(doc["public_address"], public_v4);
  EXPECT_EQ(doc["verdict"]["cause"], "nat_no_forward");
  EXPECT_FALSE(doc["reachable"].get<bool>());
  EXPECT_EQ(doc["ipv6"]["verdict"]["cause"], "reachable");
  EXPECT_TRUE(doc["ipv6"]["reachable"].get<bool>());
  EXPECT_EQ(doc["ipv6"], json_of(v6_report));
  doc.erase("ipv6");
  doc.erase("families");
  EXPECT_EQ(doc, json_of(v4_report));
}

TEST(run_report_json, families_lists_tested_failed_and_skipped) {
  auto doc = json_of({{reachable(v4), failed(v6, relay_down_v6)}, {}});
  EXPECT_EQ(doc["families"], json::parse(R"({"tested": ["ipv4", "ipv6"],
                                             "failed": [{"family": "ipv6", "error": ")" +
                                                        std::string(relay_down_v6) + R"("}],
                                             "skipped": []})"));
  EXPECT_FALSE(doc.contains("ipv6")) << "a failed family has no report";

  doc = json_of({{reachable(v4)}, {{v6, no_global_v6}}});
  EXPECT_EQ(doc["families"], json::parse(R"({"tested": ["ipv4"], "failed": [],
                                             "skipped": [{"family": "ipv6", "why": ")" +
                                                        std::string(no_global_v6) + R"("}]})"));
}

TEST(run_report_json, an_ipv6_only_run_puts_the_ipv6_report_at_the_top) {
  const auto doc = json_of({{reachable(v6)}, {}});
  EXPECT_EQ(doc["public_address"], public_v6);
  EXPECT_FALSE(doc.contains("ipv6"));
  EXPECT_EQ(doc["families"]["tested"], json::array({"ipv6"}));
}

TEST(run_report_json, a_failed_ipv4_leaves_the_ipv6_report_at_the_top) {
  const auto doc = json_of({{failed(v4, relay_down_v4), unreachable(v6)}, {}});
  EXPECT_EQ(doc["public_address"], public_v6);
  EXPECT_EQ(doc["verdict"]["cause"], "host_firewall");
  EXPECT_FALSE(doc.contains("ipv6"));
  EXPECT_EQ(doc["families"]["failed"], json::parse(R"([{"family": "ipv4", "error": ")" + std::string(relay_down_v4) + R"("}])"));
}

TEST(run_report_json, a_single_family_run_only_adds_families) {
  for (const auto& only : {reachable(v4), unreachable(v6)}) {
    auto doc = json_of({{only}, {}});
    ASSERT_TRUE(doc.contains("families"));
    doc.erase("families");
    EXPECT_EQ(doc, json_of(only)) << family_name(only.family);
  }
}

std::string text_of(const family_report& f) { return render_text(std::get<report>(f.outcome), false); }

TEST(run_report_text, one_family_is_its_report_unheaded) {
  const auto only = reachable(v4);
  EXPECT_EQ(render_text({{only}, {}}, false), text_of(only));
}

TEST(run_report_text, several_families_are_headed_in_order) {
  const auto v4_report = unreachable(v4);
  const auto v6_report = reachable(v6);
  EXPECT_EQ(render_text({{v4_report, v6_report}, {}}, false),
            "── IPv4 ──\n" + text_of(v4_report) + "\n── IPv6 ──\n" + text_of(v6_report));
}

TEST(run_report_text, a_failed_family_says_why_under_its_heading) {
  const auto v4_report = reachable(v4);
  EXPECT_EQ(render_text({{v4_report, failed(v6, relay_down_v6)}, {}}, false),
            "── IPv4 ──\n" + text_of(v4_report) + "\n── IPv6 ──\nIPv6 could not be tested: " + relay_down_v6 + "\n");
}

TEST(run_report_text, a_skipped_family_says_why_after_the_reports) {
  const auto only = reachable(v4);
  const auto text = render_text({{only}, {{v6, no_global_v6}}}, false);
  EXPECT_EQ(text, text_of(only) + "\nIPv6 was not tested: " + no_global_v6 + ".\n");
}

}  // namespace
}  // namespace reachback::client
