// SPDX-License-Identifier: MIT
#include "client/platform/firewall_log.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace reachback::client::platform {
namespace {

// The header Windows writes at the top of pfirewall.log (documented W3C
// extended format); Windows 10 and later append a "pid" column.
const std::string header =
    "#Version: 1.5\r\n"
    "#Software: Microsoft Windows Firewall\r\n"
    "#Time Format: Local\r\n"
    "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack "
    "tcpwin icmptype icmpcode info path\r\n"
    "\r\n";

const std::string header_with_pid =
    "#Version: 1.5\r\n"
    "#Software: Microsoft Windows Firewall\r\n"
    "#Time Format: Local\r\n"
    "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack "
    "tcpwin icmptype icmpcode info path pid\r\n"
    "\r\n";

const std::string relay_drop =
    "2026-12-01 10:00:00 DROP TCP 203.0.113.7 192.168.1.20 40000 3000 60 S 1234 0 64240 - - - RECEIVE\r\n";
const std::string relay_drop_with_pid =
    "2026-12-01 10:00:00 DROP TCP 203.0.113.7 192.168.1.20 40000 3000 60 S 1234 0 64240 - - - RECEIVE 4\r\n";
const std::string lan_udp_drop =
    "2026-12-01 09:59:58 DROP UDP 192.168.1.5 255.255.255.255 68 67 328 - - - - - - - RECEIVE\r\n";
const std::string outbound_open =
    "2026-12-01 09:59:59 ALLOW TCP 192.168.1.20 203.0.113.7 51000 3000 0 - 0 0 0 - - - SEND\r\n";

struct sample {
  std::string name;
  std::string log;
  std::string relay = "203.0.113.7";
  std::uint16_t port = 3000;
  bool drop;
  friend void PrintTo(const sample& c, std::ostream* os) { *os << c.name; }
};

const sample samples[] = {
    {"relay_syn_dropped", header + lan_udp_drop + relay_drop, "203.0.113.7", 3000, true},
    {"relay_syn_dropped_with_pid_column", header_with_pid + relay_drop_with_pid, "203.0.113.7", 3000, true},
    {"tail_without_header_uses_default_order", lan_udp_drop + relay_drop, "203.0.113.7", 3000, true},
    {"lf_line_ends", "#Fields: date time action protocol src-ip dst-ip src-port dst-port path\n"
                     "2026-12-01 10:00:00 DROP TCP 203.0.113.7 192.168.1.20 40000 3000 RECEIVE\n",
     "203.0.113.7", 3000, true},
    {"reordered_fields",
     "#Fields: action path dst-port src-port dst-ip src-ip protocol\n"
     "DROP RECEIVE 3000 40000 192.168.1.20 203.0.113.7 TCP\n",
     "203.0.113.7", 3000, true},
    {"ipv6_relay_any_case",
     header + "2026-12-01 10:00:00 DROP TCP 2001:DB8::7 2001:db8::20 40000 3000 80 S 1 0 64800 - - - RECEIVE\r\n",
     "2001:db8::7", 3000, true},
    {"other_port", header + relay_drop, "203.0.113.7", 3001, false},
    {"other_source", header + relay_drop, "198.51.100.1", 3000, false},
    {"empty_relay", header + relay_drop, "", 3000, false},
    {"allowed_not_dropped", header + outbound_open, "192.168.1.20", 3000, false},
    {"send_path_is_not_inbound",
     header + "2026-12-01 10:00:00 DROP TCP 203.0.113.7 192.168.1.20 40000 3000 60 S 1 0 0 - - - SEND\r\n",
     "203.0.113.7", 3000, false},
    {"udp_drop_is_not_the_syn",
     header + "2026-12-01 10:00:00 DROP UDP 203.0.113.7 192.168.1.20 40000 3000 60 - - - - - - - RECEIVE\r\n",
     "203.0.113.7", 3000, false},
    {"fields_without_ports_hide_records",
     "#Fields: date time action protocol src-ip dst-ip\n" + relay_drop, "203.0.113.7", 3000, false},
    {"later_usable_fields_line_resumes",
     "#Fields: date time action\n" + header + relay_drop, "203.0.113.7", 3000, true},
    {"header_only", header, "203.0.113.7", 3000, false},
    {"empty", "", "203.0.113.7", 3000, false},
    {"truncated_first_line", "3.7 192.168.1.20 40000 3000 60 S 1234 0 64240 - - - RECEIVE\r\n",
     "203.0.113.7", 3000, false},
    {"garbage", std::string("\0\xff DROP TCP\n\n#Fields:\n-", 23), "203.0.113.7", 3000, false},
};

class firewall_log : public testing::TestWithParam<sample> {};

TEST_P(firewall_log, finds_the_relay_drop_or_not) {
  const auto& s = GetParam();
  EXPECT_EQ(log_shows_drop(s.log, s.relay, s.port), s.drop);
}

INSTANTIATE_TEST_SUITE_P(samples, firewall_log, testing::ValuesIn(samples),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(firewall_log_fields, default_order_matches_the_documented_header) {
  const auto columns = parse_log_fields(
      "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack "
      "tcpwin icmptype icmpcode info path\r");
  ASSERT_TRUE(columns);
  EXPECT_EQ(*columns, firewall_log_columns{});
}

TEST(firewall_log_fields, path_is_optional_and_other_fields_are_required) {
  const auto columns =
      parse_log_fields("#Fields: date time action protocol src-ip dst-ip src-port dst-port");
  ASSERT_TRUE(columns);
  EXPECT_FALSE(columns->path);
  EXPECT_FALSE(parse_log_fields("#Fields: date time action protocol src-ip dst-ip src-port"));
  EXPECT_FALSE(parse_log_fields("#Version: 1.5"));
  EXPECT_FALSE(parse_log_fields(""));
}

TEST(firewall_log_line, reads_a_drop_record) {
  const auto record = parse_log_line(relay_drop, firewall_log_columns{});
  ASSERT_TRUE(record);
  EXPECT_EQ(record->action, "DROP");
  EXPECT_EQ(record->protocol, "TCP");
  EXPECT_EQ(record->src_ip, "203.0.113.7");
  EXPECT_EQ(record->dst_ip, "192.168.1.20");
  EXPECT_EQ(record->src_port, 40000);
  EXPECT_EQ(record->dst_port, 3000);
  EXPECT_EQ(record->path, "RECEIVE");
}

TEST(firewall_log_line, dashes_are_no_port_and_short_lines_are_skipped) {
  const auto icmp = parse_log_line(
      "2026-12-01 10:00:00 DROP ICMP 203.0.113.7 192.168.1.20 - - 28 - - - - 8 0 - RECEIVE",
      firewall_log_columns{});
  ASSERT_TRUE(icmp);
  EXPECT_FALSE(icmp->src_port);
  EXPECT_FALSE(icmp->dst_port);
  EXPECT_FALSE(parse_log_line("2026-12-01 10:00:00 DROP TCP 203.0.113.7", firewall_log_columns{}));
  EXPECT_FALSE(parse_log_line("#Software: Microsoft Windows Firewall", firewall_log_columns{}));
  EXPECT_FALSE(parse_log_line("\r", firewall_log_columns{}));
}

TEST(firewall_log_line, missing_path_column_reads_as_empty) {
  auto columns = firewall_log_columns{};
  columns.path = 40;
  const auto record = parse_log_line(relay_drop, columns);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->path, "");
}

}  // namespace
}  // namespace reachback::client::platform
