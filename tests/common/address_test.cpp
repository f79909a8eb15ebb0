// SPDX-License-Identifier: MIT
#include "common/address.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <ostream>
#include <string>

#include "common/evidence_json.hpp"

namespace reachback {
namespace {

// gtest names allow only [A-Za-z0-9_].
std::string test_name(std::string_view text) {
  std::string name(text);
  std::replace_if(
      name.begin(),
      name.end(),
      [](char c) { return std::isalnum(static_cast<unsigned char>(c)) == 0; },
      '_');
  return name.empty() ? "empty" : name;
}

struct class_case {
  std::string address;
  address_class expected;
  friend void PrintTo(const class_case& c, std::ostream* os) { *os << test_name(c.address); }
};

class ClassifyAddress : public testing::TestWithParam<class_case> {};

TEST_P(ClassifyAddress, Classifies) {
  EXPECT_EQ(to_string(classify_address(GetParam().address)), to_string(GetParam().expected));
}

INSTANTIATE_TEST_SUITE_P(
    Table,
    ClassifyAddress,
    testing::Values(class_case{"127.0.0.1", address_class::loopback},
                    class_case{"127.255.0.9", address_class::loopback},
                    class_case{"10.1.2.3", address_class::private_net},
                    class_case{"172.16.0.1", address_class::private_net},
                    class_case{"172.31.255.255", address_class::private_net},
                    class_case{"172.32.0.1", address_class::public_net},
                    class_case{"172.15.255.255", address_class::public_net},
                    class_case{"192.168.1.1", address_class::private_net},
                    class_case{"169.254.10.20", address_class::private_net},
                    class_case{"100.64.0.1", address_class::carrier_nat},
                    class_case{"100.127.255.254", address_class::carrier_nat},
                    class_case{"100.128.0.1", address_class::public_net},
                    class_case{"100.63.255.255", address_class::public_net},
                    class_case{"8.8.8.8", address_class::public_net},
                    class_case{"::1", address_class::loopback},
                    class_case{"fc00::1", address_class::private_net},
                    class_case{"fd12:3456::1", address_class::private_net},
                    class_case{"fe80::1", address_class::private_net},
                    class_case{"fe80::1%eth0", address_class::private_net},
                    class_case{"febf::1", address_class::private_net},
                    class_case{"fec0::1", address_class::public_net},
                    class_case{"2001:db8::1", address_class::public_net},
                    class_case{"::ffff:192.168.0.1", address_class::private_net},
                    class_case{"::ffff:100.64.1.1", address_class::carrier_nat},
                    class_case{"::FFFF:127.0.0.1", address_class::loopback},
                    class_case{"::ffff:8.8.4.4", address_class::public_net},
                    class_case{"", address_class::unknown},
                    class_case{"example.com", address_class::unknown},
                    class_case{"1.2.3", address_class::unknown},
                    class_case{"256.1.1.1", address_class::unknown},
                    class_case{"1.2.3.4:80", address_class::unknown},
                    class_case{std::string(100, '1'), address_class::unknown}),
    [](const auto& p) { return test_name(p.param.address); });

struct host_port_case {
  std::string text;
  std::optional<host_port> expected;
  friend void PrintTo(const host_port_case& c, std::ostream* os) { *os << test_name(c.text); }
};

class ParseHostPort : public testing::TestWithParam<host_port_case> {};

TEST_P(ParseHostPort, Parses) {
  EXPECT_EQ(parse_host_port(GetParam().text, 4750), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table,
    ParseHostPort,
    testing::Values(host_port_case{"relay.example.com", host_port{"relay.example.com", 4750}},
                    host_port_case{"relay.example.com:80", host_port{"relay.example.com", 80}},
                    host_port_case{"1.2.3.4:65535", host_port{"1.2.3.4", 65535}},
                    host_port_case{"1.2.3.4", host_port{"1.2.3.4", 4750}},
                    host_port_case{"[2001:db8::1]:443", host_port{"2001:db8::1", 443}},
                    host_port_case{"[::1]", host_port{"::1", 4750}},
                    host_port_case{"2001:db8::1", host_port{"2001:db8::1", 4750}},
                    host_port_case{"::1", host_port{"::1", 4750}},
                    host_port_case{"", std::nullopt},
                    host_port_case{":80", std::nullopt},
                    host_port_case{"[]:80", std::nullopt},
                    host_port_case{"host:", std::nullopt},
                    host_port_case{"host:0", std::nullopt},
                    host_port_case{"host:65536", std::nullopt},
                    host_port_case{"host:99999999999", std::nullopt},
                    host_port_case{"host:-1", std::nullopt},
                    host_port_case{"host:+80", std::nullopt},
                    host_port_case{"host:8x", std::nullopt},
                    host_port_case{"host: 8", std::nullopt},
                    host_port_case{"[::1", std::nullopt},
                    host_port_case{"[::1]80", std::nullopt},
                    host_port_case{"[::1]:", std::nullopt}),
    [](const auto& p) { return test_name(p.param.text); });

TEST(ParseHostPort, ZeroDefaultPortRequiresAnExplicitPort) {
  EXPECT_EQ(parse_host_port("relay", 0), std::nullopt);
  EXPECT_EQ(parse_host_port("relay:9", 0), (host_port{"relay", 9}));
}

TEST(FormatEndpoint, BracketsOnlyIpv6) {
  EXPECT_EQ(format_endpoint("1.2.3.4", 80), "1.2.3.4:80");
  EXPECT_EQ(format_endpoint("::1", 80), "[::1]:80");
  EXPECT_EQ(format_endpoint("2001:db8::1", 65535), "[2001:db8::1]:65535");
}

TEST(UnmapV4, StripsOnlyAMappedPrefix) {
  EXPECT_EQ(unmap_v4("::ffff:1.2.3.4"), "1.2.3.4");
  EXPECT_EQ(unmap_v4("::FFFF:10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(unmap_v4("1.2.3.4"), "1.2.3.4");
  EXPECT_EQ(unmap_v4("::1"), "::1");
  EXPECT_EQ(unmap_v4("::ffff:abcd"), "::ffff:abcd");
  EXPECT_EQ(unmap_v4("2001:db8::ffff:1.2.3.4"), "2001:db8::ffff:1.2.3.4");
}

struct prefix_case {
  std::string name;
  std::string a;
  std::string b;
  int bits;
  bool same;
  friend void PrintTo(const prefix_case& c, std::ostream* os) { *os << c.name; }
};

class SameIpv6Prefix : public testing::TestWithParam<prefix_case> {};

TEST_P(SameIpv6Prefix, ComparesTheLeadingBits) {
  const auto& c = GetParam();
  EXPECT_EQ(same_ipv6_prefix(c.a, c.b, c.bits), c.same);
  EXPECT_EQ(same_ipv6_prefix(c.b, c.a, c.bits), c.same);
}

INSTANTIATE_TEST_SUITE_P(
    Table, SameIpv6Prefix,
    testing::Values(prefix_case{"same_56_other_64", "2001:db8:100:1::23", "2001:db8:100:2::1", 56, true},
                    prefix_case{"other_56", "2001:db8:100:1::23", "2001:db8:101:1::1", 56, false},
                    prefix_case{"bit_inside_a_byte_differs", "2001:db8:100::", "2001:db8:180::", 41, false},
                    prefix_case{"bit_after_the_prefix_differs", "2001:db8:100::", "2001:db8:180::", 40, true},
                    prefix_case{"zone_ignored", "fe80::1%eth0", "fe80::2", 64, true},
                    prefix_case{"ipv4_never", "192.168.1.1", "192.168.1.2", 24, false},
                    prefix_case{"not_an_address", "router", "2001:db8::1", 0, false},
                    prefix_case{"whole_address", "2001:db8::1", "2001:db8::1", 128, true}),
    [](const testing::TestParamInfo<prefix_case>& p) { return p.param.name; });

}  // namespace
}  // namespace reachback
