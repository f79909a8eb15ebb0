// SPDX-License-Identifier: MIT
#include "client/family_plan.hpp"

#include <gtest/gtest.h>

#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace reachback::client {
namespace {

constexpr auto relay_v4 = "203.0.113.7";
constexpr auto relay_v6 = "2001:db8:ff::7";

/// A routing table as a map: relay address → this host's source toward it.
source_lookup routes(std::map<std::string, std::string> table) {
  return [table = std::move(table)](const std::string& relay) {
    const auto found = table.find(relay);
    return found == table.end() ? std::string() : found->second;
  };
}

const auto home_with_ipv6 = routes({{relay_v4, "192.168.1.23"}, {relay_v6, "2001:db8:100:1::23"}});

struct plan_case {
  std::string name;
  family_choice choice;
  std::vector<std::string> relay_addresses;
  source_lookup sources;
  std::vector<family_target> targets;
  std::vector<ip_family> skipped;
  friend void PrintTo(const plan_case& c, std::ostream* os) { *os << c.name; }
};

class plan_families_cases : public testing::TestWithParam<plan_case> {};

TEST_P(plan_families_cases, tests_the_families_that_can_work) {
  const auto& c = GetParam();
  const auto planned = plan_families(c.choice, c.relay_addresses, "relay.example:4750", c.sources);
  ASSERT_TRUE(std::holds_alternative<family_plan>(planned)) << std::get<family_refusal>(planned).message;
  const auto& plan = std::get<family_plan>(planned);
  EXPECT_EQ(plan.targets, c.targets);
  std::vector<ip_family> skipped;
  for (const auto& s : plan.skipped) skipped.push_back(s.family);
  EXPECT_EQ(skipped, c.skipped);
}

INSTANTIATE_TEST_SUITE_P(
    families, plan_families_cases,
    testing::Values(
        plan_case{"both_when_both_ends_have_both", family_choice::both, {relay_v6, relay_v4}, home_with_ipv6,
                  {{ip_family::ipv4, relay_v4}, {ip_family::ipv6, relay_v6}}, {}},
        plan_case{"ipv4_alone_when_the_relay_has_no_ipv6", family_choice::both, {relay_v4}, home_with_ipv6,
                  {{ip_family::ipv4, relay_v4}}, {ip_family::ipv6}},
        plan_case{"ipv4_alone_when_this_host_has_no_ipv6_route", family_choice::both, {relay_v4, relay_v6},
                  routes({{relay_v4, "192.168.1.23"}}), {{ip_family::ipv4, relay_v4}}, {ip_family::ipv6}},
        plan_case{"ipv4_alone_when_this_hosts_ipv6_is_unique_local", family_choice::both, {relay_v4, relay_v6},
                  routes({{relay_v4, "192.168.1.23"}, {relay_v6, "fd00::23"}}), {{ip_family::ipv4, relay_v4}},
                  {ip_family::ipv6}},
        plan_case{"ipv6_alone_on_an_ipv6_only_relay", family_choice::both, {relay_v6}, home_with_ipv6,
                  {{ip_family::ipv6, relay_v6}}, {ip_family::ipv4}},
        plan_case{"dash_4_leaves_ipv6_out_unmentioned", family_choice::ipv4_only, {relay_v4, relay_v6},
                  home_with_ipv6, {{ip_family::ipv4, relay_v4}}, {}},
        plan_case{"dash_6_leaves_ipv4_out_unmentioned", family_choice::ipv6_only, {relay_v4, relay_v6},
                  home_with_ipv6, {{ip_family::ipv6, relay_v6}}, {}},
        plan_case{"a_v4_mapped_relay_address_is_ipv4", family_choice::both, {"::ffff:203.0.113.7"}, home_with_ipv6,
                  {{ip_family::ipv4, relay_v4}}, {ip_family::ipv6}},
        plan_case{"a_loopback_relay_needs_no_global_address", family_choice::both, {"127.0.0.1", "::1"},
                  routes({{"127.0.0.1", "127.0.0.1"}, {"::1", "::1"}}),
                  {{ip_family::ipv4, "127.0.0.1"}, {ip_family::ipv6, "::1"}}, {}}),
    [](const testing::TestParamInfo<plan_case>& p) { return p.param.name; });

struct refusal_case {
  std::string name;
  family_choice choice;
  std::vector<std::string> relay_addresses;
  source_lookup sources;
  std::string message;
  friend void PrintTo(const refusal_case& c, std::ostream* os) { *os << c.name; }
};

class plan_refusal_cases : public testing::TestWithParam<refusal_case> {};

TEST_P(plan_refusal_cases, says_why_no_family_can_be_tested) {
  const auto& c = GetParam();
  const auto planned = plan_families(c.choice, c.relay_addresses, "relay.example:4750", c.sources);
  ASSERT_TRUE(std::holds_alternative<family_refusal>(planned));
  EXPECT_EQ(std::get<family_refusal>(planned).message, c.message);
}

INSTANTIATE_TEST_SUITE_P(
    refusals, plan_refusal_cases,
    testing::Values(
        refusal_case{"dash_6_against_an_ipv4_only_relay", family_choice::ipv6_only, {relay_v4}, home_with_ipv6,
                     "cannot test any IP family: the relay relay.example:4750 has no IPv6 address"},
        refusal_case{"dash_6_without_a_global_address", family_choice::ipv6_only, {relay_v6},
                     routes({{relay_v6, "fe80::23"}}),
                     "cannot test any IP family: this host has no global IPv6 address (its address toward the "
                     "relay is fe80::23)"},
        refusal_case{"dash_4_without_a_route", family_choice::ipv4_only, {relay_v4}, routes({}),
                     "cannot test any IP family: this host has no IPv4 route to the relay"},
        refusal_case{"neither_family_works", family_choice::both, {relay_v4, relay_v6}, routes({}),
                     "cannot test any IP family: this host has no IPv4 route to the relay; this host has no IPv6 "
                     "route to the relay"}),
    [](const testing::TestParamInfo<refusal_case>& p) { return p.param.name; });

}  // namespace
}  // namespace reachback::client
