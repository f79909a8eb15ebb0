// SPDX-License-Identifier: MIT
#include "client/platform/portproxy.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace reachback::client::platform {
namespace {

struct valid_sample {
  std::string name;
  std::string kind;
  std::string value_name;
  std::string value_data;
  portproxy_rule rule;
  std::string delete_command;
  friend void PrintTo(const valid_sample& c, std::ostream* os) { *os << c.name; }
};

// Values as `netsh interface portproxy add ...` stores them under
// HKLM\SYSTEM\CurrentControlSet\Services\PortProxy\<kind>\tcp.
const valid_sample valid_samples[] = {
    {"wsl2_any_v4", "v4tov4", "0.0.0.0/3000", "172.28.160.1/3000",
     {"v4tov4", "0.0.0.0", 3000, "172.28.160.1", 3000},
     "netsh interface portproxy delete v4tov4 listenport=3000 listenaddress=0.0.0.0"},
    {"star_listen", "v4tov4", "*/3000", "172.28.160.1/3000",
     {"v4tov4", "*", 3000, "172.28.160.1", 3000},
     "netsh interface portproxy delete v4tov4 listenport=3000 listenaddress=*"},
    {"one_address", "v4tov4", "192.168.1.5/8080", "127.0.0.1/80",
     {"v4tov4", "192.168.1.5", 8080, "127.0.0.1", 80},
     "netsh interface portproxy delete v4tov4 listenport=8080 listenaddress=192.168.1.5"},
    {"host_name_target", "v4tov4", "0.0.0.0/8443", "SRV-DC01.corp.example/445",
     {"v4tov4", "0.0.0.0", 8443, "SRV-DC01.corp.example", 445},
     "netsh interface portproxy delete v4tov4 listenport=8443 listenaddress=0.0.0.0"},
    {"v4_to_v6", "v4tov6", "0.0.0.0/3000", "fd00::2/3000",
     {"v4tov6", "0.0.0.0", 3000, "fd00::2", 3000},
     "netsh interface portproxy delete v4tov6 listenport=3000 listenaddress=0.0.0.0"},
    {"v6_to_v4", "v6tov4", "::/3000", "172.28.160.1/3000",
     {"v6tov4", "::", 3000, "172.28.160.1", 3000},
     "netsh interface portproxy delete v6tov4 listenport=3000 listenaddress=::"},
    {"v6_to_v6_scoped", "v6tov6", "fe80::1%12/65535", "::1/1",
     {"v6tov6", "fe80::1%12", 65535, "::1", 1},
     "netsh interface portproxy delete v6tov6 listenport=65535 listenaddress=fe80::1%12"},
    {"localhost_name", "v6tov6", "localhost/3000", "localhost/4000",
     {"v6tov6", "localhost", 3000, "localhost", 4000},
     "netsh interface portproxy delete v6tov6 listenport=3000 listenaddress=localhost"},
};

class portproxy_valid : public testing::TestWithParam<valid_sample> {};

TEST_P(portproxy_valid, parses_the_rule) {
  const auto& s = GetParam();
  EXPECT_EQ(parse_portproxy_value(s.kind, s.value_name, s.value_data), s.rule);
}

TEST_P(portproxy_valid, gives_the_delete_command) {
  const auto& s = GetParam();
  EXPECT_EQ(portproxy_delete_command(s.rule), s.delete_command);
}

INSTANTIATE_TEST_SUITE_P(samples, portproxy_valid, testing::ValuesIn(valid_samples),
                         [](const auto& test_info) { return test_info.param.name; });

struct invalid_sample {
  std::string name;
  std::string kind;
  std::string value_name;
  std::string value_data;
  friend void PrintTo(const invalid_sample& c, std::ostream* os) { *os << c.name; }
};

const invalid_sample invalid_samples[] = {
    {"unknown_kind", "v4tov5", "0.0.0.0/3000", "10.0.0.1/3000"},
    {"udp_is_not_a_kind", "tcp", "0.0.0.0/3000", "10.0.0.1/3000"},
    {"empty_kind", "", "0.0.0.0/3000", "10.0.0.1/3000"},
    {"name_without_slash", "v4tov4", "0.0.0.0:3000", "10.0.0.1/3000"},
    {"data_without_slash", "v4tov4", "0.0.0.0/3000", "10.0.0.1"},
    {"empty_listen_address", "v4tov4", "/3000", "10.0.0.1/3000"},
    {"empty_connect_address", "v4tov4", "0.0.0.0/3000", "/3000"},
    {"empty_port", "v4tov4", "0.0.0.0/", "10.0.0.1/3000"},
    {"port_zero", "v4tov4", "0.0.0.0/0", "10.0.0.1/3000"},
    {"port_too_big", "v4tov4", "0.0.0.0/65536", "10.0.0.1/3000"},
    {"negative_port", "v4tov4", "0.0.0.0/-1", "10.0.0.1/3000"},
    {"service_name_port", "v4tov4", "0.0.0.0/http", "10.0.0.1/3000"},
    {"port_trailing_space", "v4tov4", "0.0.0.0/3000 ", "10.0.0.1/3000"},
    {"two_slashes", "v4tov4", "0.0.0.0/30/00", "10.0.0.1/3000"},
    {"ipv6_on_v4_listen", "v4tov4", "::/3000", "10.0.0.1/3000"},
    {"ipv6_on_v4_connect", "v6tov4", "::/3000", "fd00::2/3000"},
    {"star_connect", "v4tov4", "0.0.0.0/3000", "*/3000"},
    {"space_in_address", "v4tov4", "0.0.0.0 /3000", "10.0.0.1/3000"},
    {"command_in_address", "v4tov4", "0.0.0.0&calc/3000", "10.0.0.1/3000"},
    {"quote_in_address", "v4tov4", "\"0.0.0.0\"/3000", "10.0.0.1/3000"},
    {"nul_in_data", "v4tov4", "0.0.0.0/3000", std::string("10.0.0.1/3000\0", 14)},
};

class portproxy_invalid : public testing::TestWithParam<invalid_sample> {};

TEST_P(portproxy_invalid, is_rejected) {
  const auto& s = GetParam();
  EXPECT_FALSE(parse_portproxy_value(s.kind, s.value_name, s.value_data));
}

INSTANTIATE_TEST_SUITE_P(samples, portproxy_invalid, testing::ValuesIn(invalid_samples),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(portproxy, rules_on_port_keeps_only_that_listen_port_in_order) {
  const std::vector<portproxy_rule> rules = {
      {"v4tov4", "0.0.0.0", 3000, "172.28.160.1", 3000},
      {"v4tov4", "0.0.0.0", 3001, "172.28.160.1", 3000},
      // Connecting to 3000 is not listening on it.
      {"v4tov4", "0.0.0.0", 8080, "172.28.160.1", 3000},
      {"v6tov6", "::", 3000, "fd00::2", 3000},
  };
  const std::vector<portproxy_rule> expected = {rules[0], rules[3]};
  EXPECT_EQ(rules_on_port(rules, 3000), expected);
  EXPECT_TRUE(rules_on_port(rules, 4000).empty());
  EXPECT_TRUE(rules_on_port({}, 3000).empty());
}

TEST(portproxy, every_kind_is_accepted) {
  for (const auto kind : portproxy_kinds) {
    const auto rule = parse_portproxy_value(kind, "localhost/3000", "localhost/3000");
    ASSERT_TRUE(rule) << kind;
    EXPECT_EQ(rule->kind, kind);
  }
}

}  // namespace
}  // namespace reachback::client::platform
