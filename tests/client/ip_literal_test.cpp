// SPDX-License-Identifier: MIT
#include "client/platform/ip_literal.hpp"

#include "common/net_compat.hpp"

#include <gtest/gtest.h>

#include <array>

namespace reachback::client::platform {
namespace {

TEST(ip_literal, parses_and_prints_canonical_text) {
  EXPECT_EQ(to_string(*parse_ip("127.0.0.1")), "127.0.0.1");
  EXPECT_EQ(to_string(*parse_ip("2001:DB8:0:0::1")), "2001:db8::1");
  EXPECT_EQ(parse_ip("::1")->family, AF_INET6);
}

TEST(ip_literal, unmaps_v4_mapped_addresses) {
  const auto ip = parse_ip("::ffff:192.0.2.7");
  ASSERT_TRUE(ip);
  EXPECT_EQ(ip->family, AF_INET);
  EXPECT_EQ(*ip, *parse_ip("192.0.2.7"));
}

TEST(ip_literal, rejects_names_and_garbage) {
  EXPECT_FALSE(parse_ip(""));
  EXPECT_FALSE(parse_ip("localhost"));
  EXPECT_FALSE(parse_ip("1.2.3.4:80"));
  EXPECT_FALSE(parse_ip("[::1]"));
  EXPECT_FALSE(parse_ip(std::string(100, '1')));
}

TEST(ip_literal, from_bytes_checks_the_size) {
  const std::array<std::uint8_t, 4> v4{10, 0, 0, 1};
  EXPECT_EQ(to_string(*ip_from_bytes(AF_INET, v4)), "10.0.0.1");
  EXPECT_FALSE(ip_from_bytes(AF_INET6, v4));
  EXPECT_FALSE(ip_from_bytes(0, v4));
}

TEST(ip_literal, endpoints) {
  EXPECT_EQ(to_endpoint(*parse_ip("0.0.0.0"), 3000), "0.0.0.0:3000");
  EXPECT_EQ(to_endpoint(*parse_ip("::"), 3000), "[::]:3000");
}

}  // namespace
}  // namespace reachback::client::platform
