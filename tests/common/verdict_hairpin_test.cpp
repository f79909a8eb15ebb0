// SPDX-License-Identifier: MIT
#include "common/verdict_hairpin.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <ostream>
#include <string>

namespace reachback {
namespace {

// The README's lab: the ISP hub holds 198.51.100.2, the room router sits
// behind it, and the laptop behind that.
evidence lab_evidence(std::optional<hairpin_outcome> outcome) {
  evidence ev;
  ev.port = 3000;
  ev.public_address = "198.51.100.2";
  if (outcome) ev.hairpin = hairpin_evidence{*outcome, "198.51.100.2:3000", 500.0, ""};
  return ev;
}

/// The lab's evidence for a UDP probe: the hairpin sent a datagram.
evidence over_udp(std::optional<hairpin_outcome> outcome) {
  auto ev = lab_evidence(outcome);
  ev.protocol = transport::udp;
  return ev;
}

verdict double_nat(cause why) {
  verdict v;
  v.why = why;
  v.hops = {{hop_role::internet, "internet", "198.51.100.2", hop_status::pass, {}, {}},
            {hop_role::nat, "ISP hub", "192.168.0.1", hop_status::pass, {}, {}},
            {hop_role::nat, "room router", "192.168.1.1", hop_status::pass, {}, {}},
            {hop_role::host, "this host", "192.168.1.23", hop_status::pass, {}, {}}};
  return v;
}

/// A host that holds the public address itself: no NAT in between.
verdict no_nat() {
  auto v = double_nat(cause::reachable);
  v.hops.erase(v.hops.begin() + 1, v.hops.begin() + 3);
  return v;
}

struct hairpin_case {
  std::string name;
  std::function<evidence()> make_evidence;
  std::function<verdict()> make_verdict;
  bool tested;
  std::optional<bool> loops_back;
  std::optional<std::size_t> router;
  std::string summary_has;
  std::size_t fix_steps;
  friend void PrintTo(const hairpin_case& c, std::ostream* os) { *os << c.name; }
};

const hairpin_case hairpin_cases[] = {
    {"not_reachable_is_skipped_and_says_so", [] { return lab_evidence(std::nullopt); },
     [] { return double_nat(cause::nat_no_forward); }, false, std::nullopt, 1,
     "Not tested: the port is not reachable from the internet.", 0},
    {"not_reachable_ignores_a_connection_made_anyway", [] { return lab_evidence(hairpin_outcome::looped_back); },
     [] { return double_nat(cause::host_firewall); }, false, std::nullopt, 1, "not reachable from the internet", 0},
    {"reachable_without_the_connection_is_not_tested", [] { return lab_evidence(std::nullopt); },
     [] { return double_nat(cause::reachable); }, false, std::nullopt, 1, "the connection was not made", 0},
    {"the_listeners_proof_came_back", [] { return lab_evidence(hairpin_outcome::looped_back); },
     [] { return double_nat(cause::reachable); }, true, true, 1,
     "From inside your LAN, the public address loops back: 198.51.100.2:3000 reached probe-client's listener here.",
     0},
    {"refused_by_the_hub", [] { return lab_evidence(hairpin_outcome::refused); },
     [] { return double_nat(cause::reachable); }, true, false, 1,
     "Does not loop back: the ISP hub 192.168.0.1 has no NAT loopback (from inside your LAN, 198.51.100.2:3000 "
     "was refused).",
     3},
    {"another_device_accepted_without_the_proof", [] { return lab_evidence(hairpin_outcome::other_peer); },
     [] { return double_nat(cause::reachable); }, true, false, 1,
     "reached something other than probe-client's listener", 3},
    {"no_answer_within_the_deadline", [] { return lab_evidence(hairpin_outcome::timeout); },
     [] { return double_nat(cause::reachable); }, true, false, 1, "got no answer within 500 ms", 3},
    {"unreachable_from_inside", [] { return lab_evidence(hairpin_outcome::unreachable); },
     [] { return double_nat(cause::reachable); }, true, false, 1, "was unreachable", 3},
    {"a_server_of_the_users_accepted_but_nothing_proves_whose",
     [] { return lab_evidence(hairpin_outcome::connected); }, [] { return double_nat(cause::reachable); }, true,
     std::nullopt, 1, "nothing shows whether that was your server here or the ISP hub 192.168.0.1 itself", 0},
    {"a_local_failure_is_no_network_result", [] { return lab_evidence(hairpin_outcome::failed); },
     [] { return double_nat(cause::reachable); }, false, std::nullopt, 1, "failed on this host", 0},
    {"without_a_nat_this_host_holds_the_address", [] { return lab_evidence(hairpin_outcome::looped_back); }, no_nat,
     true, true, std::nullopt, "loops back", 0},
    {"without_a_nat_there_is_no_loopback_to_turn_on", [] { return lab_evidence(hairpin_outcome::refused); }, no_nat,
     true, false, std::nullopt, "Does not loop back: from this host, its own public address 198.51.100.2:3000 was refused.",
     2},
    {"udp_the_listeners_proof_came_back", [] { return over_udp(hairpin_outcome::looped_back); },
     [] { return double_nat(cause::reachable); }, true, true, 1,
     "From inside your LAN, the public address loops back: UDP 198.51.100.2:3000 reached probe-client's listener "
     "here.",
     0},
    {"udp_refused_by_the_hub", [] { return over_udp(hairpin_outcome::refused); },
     [] { return double_nat(cause::reachable); }, true, false, 1,
     "Does not loop back: the ISP hub 192.168.0.1 has no NAT loopback (from inside your LAN, UDP 198.51.100.2:3000 "
     "was refused (ICMP port unreachable)).",
     3},
    {"udp_no_answer_within_the_deadline", [] { return over_udp(hairpin_outcome::timeout); },
     [] { return double_nat(cause::reachable); }, true, false, 1, "UDP 198.51.100.2:3000 got no answer within 500 ms",
     3},
    {"udp_a_program_of_the_users_answered_but_nothing_proves_whose",
     [] { return over_udp(hairpin_outcome::connected); }, [] { return double_nat(cause::reachable); }, true,
     std::nullopt, 1, "From inside your LAN, UDP 198.51.100.2:3000 answered a datagram, but without probe-client's own",
     0},
};

class hairpin_table : public testing::TestWithParam<hairpin_case> {};

TEST_P(hairpin_table, judges_the_connection) {
  const auto& c = GetParam();
  const auto f = judge_hairpin(c.make_evidence(), c.make_verdict());
  EXPECT_EQ(f.tested, c.tested) << f.summary;
  EXPECT_EQ(f.loops_back, c.loops_back) << f.summary;
  EXPECT_EQ(f.router, c.router) << f.summary;
  EXPECT_NE(f.summary.find(c.summary_has), std::string::npos) << f.summary;
  EXPECT_EQ(f.fix.size(), c.fix_steps) << f.summary;
  EXPECT_EQ(f.skipped_because.has_value(), !c.tested) << f.summary;
}

INSTANTIATE_TEST_SUITE_P(cases, hairpin_table, testing::ValuesIn(hairpin_cases),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(hairpin, the_fix_names_the_lan_address_split_dns_and_the_router) {
  const auto f = judge_hairpin(lab_evidence(hairpin_outcome::refused), double_nat(cause::reachable));
  ASSERT_EQ(f.fix.size(), 3U);
  EXPECT_EQ(f.fix[0], "Inside your LAN, connect to 192.168.1.23:3000 instead of the public address.");
  EXPECT_NE(f.fix[1].find("split DNS"), std::string::npos) << f.fix[1];
  EXPECT_NE(f.fix[1].find("198.51.100.2"), std::string::npos) << f.fix[1];
  EXPECT_NE(f.fix[2].find("NAT loopback (also called hairpin NAT or NAT reflection) for port 3000 on the ISP hub "
                          "192.168.0.1"),
            std::string::npos)
      << f.fix[2];
}

TEST(hairpin, only_a_reachable_port_is_worth_the_connection) {
  const auto ev = lab_evidence(std::nullopt);
  EXPECT_FALSE(hairpin_skip_reason(ev, double_nat(cause::reachable)));
  EXPECT_TRUE(hairpin_skip_reason(ev, double_nat(cause::wrong_family)));
  auto no_address = ev;
  no_address.public_address.clear();
  EXPECT_TRUE(hairpin_skip_reason(no_address, double_nat(cause::reachable)));
}

}  // namespace
}  // namespace reachback
