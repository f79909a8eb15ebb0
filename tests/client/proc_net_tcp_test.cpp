// SPDX-License-Identifier: MIT
#include "client/platform/proc_net_tcp.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace reachback::client::platform {
namespace {

struct sample {
  std::string name;
  std::string line;
  std::string address;
  std::uint16_t port;
  std::uint8_t state;
  std::uint32_t uid;
  std::uint64_t inode;
  friend void PrintTo(const sample& c, std::ostream* os) { *os << c.name; }
};

// Lines captured from a Linux 6.x x86-64 host (little-endian words), except
// where noted.
const sample samples[] = {
    {"v4_any", "   1: 00000000:A029 00000000:0000 0A 00000000:00000001 00:00000000 00000000     0        0 8496 2 00000000a2259c3e 100 0 0 10 0                      ",
     "0.0.0.0", 41001, tcp_state_listen, 0, 8496},
    {"v4_loopback", "   0: 0100007F:A02A 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 8497 1 000000003ab8de25 100 0 0 10 0                      ",
     "127.0.0.1", 41002, tcp_state_listen, 0, 8497},
    {"v4_established", "   3: 0100007F:C6F6 0100007F:A029 01 00000000:00000000 00:00000000 00000000     0        0 8502 2 00000000c29267bc 20 0 0 10 -1                      ",
     "127.0.0.1", 50934, 0x01, 0, 8502},
    // Captured, then the uid column set to 1000: an unprivileged user's socket.
    {"v4_user", "   2: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1590 1 0000000091180001 100 0 0 10 0",
     "0.0.0.0", 2024, tcp_state_listen, 1000, 1590},
    {"v6_any", "   3: 00000000000000000000000000000000:A02B 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 8498 1 00000000388f635e 100 0 0 10 0",
     "::", 41003, tcp_state_listen, 0, 8498},
    {"v6_loopback", "   1: 00000000000000000000000001000000:A02C 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 8499 1 000000006a51928c 100 0 0 10 0",
     "::1", 41004, tcp_state_listen, 0, 8499},
    // /proc/net/udp and udp6 share the columns; an unconnected socket is in state 07.
    {"udp_v4_any", " 1840: 00000000:D236 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4096079 2 000000000493439a 0       ",
     "0.0.0.0", 53814, udp_state_unconnected, 0, 4096079},
    {"udp_v6_loopback", " 5237: 00000000000000000000000001000000:DF7B 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4096080 2 00000000cc6e819a 0",
     "::1", 57211, udp_state_unconnected, 0, 4096080},
    {"v6_mapped_loopback", "   2: 0000000000000000FFFF00000100007F:A02D 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 8500 1 00000000d38f4329 100 0 0 10 0",
     "::ffff:127.0.0.1", 41005, tcp_state_listen, 0, 8500},
    {"v6_ula", "   0: 000000FD000000000000000002000000:A02E 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 8501 1 000000003c79c9ed 100 0 0 10 0",
     "fd00::2", 41006, tcp_state_listen, 0, 8501},
    // Handcrafted in the kernel's format (no global address on the capture host).
    {"v6_global", "   4: B80D0120000000000000000001000000:0BB8 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 9001 1 0000000000000000 100 0 0 10 0",
     "2001:db8::1", 3000, tcp_state_listen, 1000, 9001},
};

class proc_net_tcp_line : public testing::TestWithParam<sample> {};

TEST_P(proc_net_tcp_line, parses_address_port_state_uid_inode) {
  const auto& s = GetParam();
  const auto entry = parse_proc_net_socket_line(s.line);
  ASSERT_TRUE(entry);
  EXPECT_EQ(to_string(entry->local), s.address);
  EXPECT_EQ(entry->local_port, s.port);
  EXPECT_EQ(entry->state, s.state);
  EXPECT_EQ(entry->uid, s.uid);
  EXPECT_EQ(entry->inode, s.inode);
}

INSTANTIATE_TEST_SUITE_P(samples, proc_net_tcp_line, testing::ValuesIn(samples),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(proc_net_tcp, skips_header_lines) {
  EXPECT_FALSE(parse_proc_net_socket_line(
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"));
  EXPECT_FALSE(parse_proc_net_socket_line(
      "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"));
  EXPECT_FALSE(parse_proc_net_socket_line(
      "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops"));
}

TEST(proc_net_tcp, rejects_malformed_lines) {
  EXPECT_FALSE(parse_proc_net_socket_line(""));
  EXPECT_FALSE(parse_proc_net_socket_line("   0: 0100007F:A02A"));
  // Address of the wrong width, port out of range, non-numeric inode.
  EXPECT_FALSE(parse_proc_net_socket_line(
      "   0: 00007F:A02A 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 8497 1"));
  EXPECT_FALSE(parse_proc_net_socket_line(
      "   0: 0100007F:1A02A 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 8497 1"));
  EXPECT_FALSE(parse_proc_net_socket_line(
      "   0: 0100007F:A02A 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 x 1"));
}

}  // namespace
}  // namespace reachback::client::platform
