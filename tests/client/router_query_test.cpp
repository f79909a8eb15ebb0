// SPDX-License-Identifier: MIT
#include "client/router_query.hpp"

#include <gtest/gtest.h>

namespace reachback::client {
namespace {

path_hop hop(int ttl, std::optional<std::string> address, address_class cls) { return {ttl, std::move(address), cls, 1.0}; }

path_evidence double_nat_path() {
  path_evidence path;
  path.hops = {hop(1, "192.168.1.1", address_class::private_net), hop(2, "192.168.0.1", address_class::private_net),
               hop(3, "198.51.100.1", address_class::public_net), hop(4, "10.9.9.9", address_class::private_net)};
  path.default_gateway = "192.168.1.1";
  path.source_address = "192.168.1.23";
  return path;
}

TEST(routers_to_ask, are_the_gateway_then_the_private_hops_before_the_first_public_one) {
  EXPECT_EQ(routers_to_ask(double_nat_path()), (std::vector<std::string>{"192.168.1.1", "192.168.0.1"}));
}

TEST(routers_to_ask, include_a_carrier_nat_and_skip_silent_hops) {
  auto path = double_nat_path();
  path.hops = {hop(1, std::nullopt, address_class::unknown), hop(2, "100.64.0.1", address_class::carrier_nat),
               hop(3, "198.51.100.1", address_class::public_net)};
  EXPECT_EQ(routers_to_ask(path), (std::vector<std::string>{"192.168.1.1", "100.64.0.1"}));
}

TEST(routers_to_ask, while_the_trace_runs_wait_at_a_ttl_not_heard_yet) {
  auto path = double_nat_path();
  path.hops[0].address.reset();  // TTL 1 not heard yet: it may still be public
  EXPECT_EQ(routers_to_ask(path, false), (std::vector<std::string>{"192.168.1.1"}));
  EXPECT_EQ(routers_to_ask(path, true), (std::vector<std::string>{"192.168.1.1", "192.168.0.1"}));
}

TEST(routers_to_ask, while_the_trace_runs_the_heard_private_hops_are_asked) {
  EXPECT_EQ(routers_to_ask(double_nat_path(), false), (std::vector<std::string>{"192.168.1.1", "192.168.0.1"}));
}

TEST(routers_to_ask, a_silent_path_still_asks_the_gateway) {
  auto path = double_nat_path();
  path.hops = {hop(1, std::nullopt, address_class::unknown), hop(2, std::nullopt, address_class::unknown)};
  EXPECT_EQ(routers_to_ask(path), (std::vector<std::string>{"192.168.1.1"}));
}

TEST(routers_to_ask, never_a_public_address_nor_more_than_the_bound) {
  path_evidence path;
  for (int ttl = 1; ttl <= 8; ++ttl)
    path.hops.push_back(hop(ttl, "10.0.0." + std::to_string(ttl), address_class::private_net));
  path.hops.push_back(hop(9, "203.0.113.1", address_class::public_net));
  const auto asked = routers_to_ask(path);
  EXPECT_EQ(asked.size(), max_routers_asked);
  for (const auto& a : asked) EXPECT_EQ(a.rfind("10.0.0.", 0), 0U) << a;
}

TEST(routers_to_ask, nobody_without_a_gateway_or_private_hop) {
  path_evidence path;
  path.hops = {hop(1, "198.51.100.1", address_class::public_net)};
  EXPECT_TRUE(routers_to_ask(path).empty());
}

}  // namespace
}  // namespace reachback::client
