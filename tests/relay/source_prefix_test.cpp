// SPDX-License-Identifier: MIT
#include "relay/source_prefix.hpp"

#include <gtest/gtest.h>

#include <string>

namespace reachback::relay {
namespace {

struct prefix_case {
  std::string name;
  std::string address;
  int ipv4_prefix;
  int ipv6_prefix;
  std::string expected;
};

class SourcePrefix : public ::testing::TestWithParam<prefix_case> {};

TEST_P(SourcePrefix, CutsTheAddressToItsPrefix) {
  const auto& c = GetParam();
  config::relay_limits limits;
  limits.ipv4_prefix = c.ipv4_prefix;
  limits.ipv6_prefix = c.ipv6_prefix;
  EXPECT_EQ(source_prefix(asio::ip::make_address(c.address), limits), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Prefixes, SourcePrefix,
    ::testing::Values(
        prefix_case{"v4_default_is_the_host", "192.0.2.7", 32, 64, "192.0.2.7"},
        prefix_case{"v4_slash_24", "192.0.2.7", 24, 64, "192.0.2.0/24"},
        prefix_case{"v4_slash_8", "10.200.3.4", 8, 64, "10.0.0.0/8"},
        prefix_case{"v4_slash_31", "192.0.2.7", 31, 64, "192.0.2.6/31"},
        prefix_case{"v4_mapped_is_v4", "::ffff:127.0.0.1", 32, 64, "127.0.0.1"},
        prefix_case{"v4_mapped_slash_24", "::ffff:192.0.2.7", 24, 64, "192.0.2.0/24"},
        prefix_case{"v6_default_is_the_slash_64", "2001:db8:1:2:3:4:5:6", 32, 64,
                    "2001:db8:1:2::/64"},
        prefix_case{"v6_slash_56", "2001:db8:1:2ff:3:4:5:6", 32, 56, "2001:db8:1:200::/56"},
        prefix_case{"v6_slash_60_cuts_inside_a_byte", "2001:db8:1:2ff:3:4:5:6", 32, 60,
                    "2001:db8:1:2f0::/60"},
        prefix_case{"v6_slash_128_is_the_host", "2001:db8::1", 32, 128, "2001:db8::1"},
        prefix_case{"v6_loopback", "::1", 32, 64, "::/64"}),
    [](const auto& p) { return p.param.name; });

TEST(SourcePrefixKey, OneHostOverIpv4AndADualStackSocketIsOneSource) {
  const config::relay_limits limits;
  EXPECT_EQ(source_prefix(asio::ip::make_address("127.0.0.1"), limits),
            source_prefix(asio::ip::make_address("::ffff:127.0.0.1"), limits));
}

TEST(SourcePrefixKey, AddressesOfOneSlash64AreOneSource) {
  const config::relay_limits limits;
  EXPECT_EQ(source_prefix(asio::ip::make_address("2001:db8:5:6::1"), limits),
            source_prefix(asio::ip::make_address("2001:db8:5:6:ffff:ffff:ffff:ffff"), limits));
  EXPECT_NE(source_prefix(asio::ip::make_address("2001:db8:5:6::1"), limits),
            source_prefix(asio::ip::make_address("2001:db8:5:7::1"), limits));
}

}  // namespace
}  // namespace reachback::relay
