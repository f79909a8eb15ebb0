// SPDX-License-Identifier: MIT
#include "client/platform/packet.hpp"

#include <gtest/gtest.h>

#include "packet_builder.hpp"

namespace reachback::client::platform {
namespace {

using test::ipv4_tcp;
using test::ipv6_tcp;

const ip_literal relay4 = *parse_ip("203.0.113.9");
const ip_literal host4 = *parse_ip("192.168.1.20");
const ip_literal relay6 = *parse_ip("2001:db8::9");
const ip_literal host6 = *parse_ip("2001:db8:1::20");

TEST(parse_tcp_packet, ipv4_syn) {
  const auto bytes = ipv4_tcp(relay4, host4, 40000, 3000, tcp_syn);
  const auto packet = parse_tcp_packet(bytes);
  ASSERT_TRUE(packet);
  EXPECT_EQ(*packet, (tcp_packet{relay4, host4, 40000, 3000, tcp_syn}));
}

TEST(parse_tcp_packet, ipv4_with_options_in_the_header) {
  const auto bytes = ipv4_tcp(host4, relay4, 3000, 40000, tcp_syn | tcp_ack, /*ip_options=*/8);
  const auto packet = parse_tcp_packet(bytes);
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->sport, 3000);
  EXPECT_EQ(packet->dport, 40000);
  EXPECT_EQ(packet->flags, tcp_syn | tcp_ack);
}

TEST(parse_tcp_packet, ipv6_rst) {
  const auto bytes = ipv6_tcp(host6, relay6, 3000, 40000, tcp_rst | tcp_ack);
  const auto packet = parse_tcp_packet(bytes);
  ASSERT_TRUE(packet);
  EXPECT_EQ(*packet, (tcp_packet{host6, relay6, 3000, 40000, tcp_rst | tcp_ack}));
}

TEST(parse_tcp_packet, rejects_what_it_cannot_read) {
  auto udp = ipv4_tcp(relay4, host4, 1, 2, tcp_syn);
  udp[9] = 17;
  EXPECT_FALSE(parse_tcp_packet(udp));
  auto later_fragment = ipv4_tcp(relay4, host4, 1, 2, tcp_syn);
  later_fragment[7] = 0x10;  // fragment offset 16
  EXPECT_FALSE(parse_tcp_packet(later_fragment));
  auto bad_ihl = ipv4_tcp(relay4, host4, 1, 2, tcp_syn);
  bad_ihl[0] = 0x44;
  EXPECT_FALSE(parse_tcp_packet(bad_ihl));
  auto v6_extension = ipv6_tcp(relay6, host6, 1, 2, tcp_syn);
  v6_extension[6] = 0;  // hop-by-hop options first
  EXPECT_FALSE(parse_tcp_packet(v6_extension));
  EXPECT_FALSE(parse_tcp_packet({}));
}

TEST(parse_tcp_packet, every_truncation_is_rejected_or_complete) {
  // Feed every prefix: nothing reads past the end, and only prefixes that
  // hold the TCP flags parse.
  for (const auto& bytes : {ipv4_tcp(relay4, host4, 1, 2, tcp_syn), ipv6_tcp(relay6, host6, 1, 2, tcp_syn)}) {
    const std::size_t needed = (bytes[0] >> 4 == 4 ? 20u : 40u) + 14u;
    for (std::size_t n = 0; n <= bytes.size(); ++n) {
      const auto packet = parse_tcp_packet(std::span(bytes).first(n));
      EXPECT_EQ(packet.has_value(), n >= needed) << n;
    }
  }
}

tcp_packet segment(const ip_literal& src, const ip_literal& dst, std::uint16_t sport,
                   std::uint16_t dport, std::uint8_t flags) {
  return {src, dst, sport, dport, flags};
}

TEST(capture_tally, syn_answered_with_syn_ack) {
  capture_tally tally;
  tally_packet(tally, segment(relay4, host4, 40000, 3000, tcp_syn), packet_direction::inbound, relay4);
  tally_packet(tally, segment(host4, relay4, 3000, 40000, tcp_syn | tcp_ack), packet_direction::outbound, relay4);
  const auto evidence = summarize_capture(tally, 3000);
  EXPECT_TRUE(evidence.available);
  EXPECT_TRUE(evidence.probe_seen);
  EXPECT_EQ(evidence.probe_count, 1);
  EXPECT_EQ(evidence.arrived_port, 3000);
  EXPECT_EQ(evidence.answer, host_answer::syn_ack);
}

TEST(capture_tally, firewall_drop_shows_the_syn_without_answer) {
  capture_tally tally;
  for (int retry = 0; retry < 3; ++retry) {
    tally_packet(tally, segment(relay4, host4, 40000, 3000, tcp_syn), packet_direction::inbound, relay4);
  }
  const auto evidence = summarize_capture(tally, 3000);
  EXPECT_TRUE(evidence.probe_seen);
  EXPECT_EQ(evidence.probe_count, 3);
  EXPECT_EQ(evidence.answer, host_answer::none);
}

TEST(capture_tally, wrong_port_forward_and_rst) {
  capture_tally tally;
  tally_packet(tally, segment(relay6, host6, 40001, 8080, tcp_syn), packet_direction::inbound, relay6);
  tally_packet(tally, segment(host6, relay6, 8080, 40001, tcp_rst | tcp_ack), packet_direction::outbound, relay6);
  const auto evidence = summarize_capture(tally, 3000);
  EXPECT_EQ(evidence.arrived_port, 8080);
  EXPECT_EQ(evidence.answer, host_answer::rst);
}

TEST(capture_tally, expected_port_wins_over_earlier_syns) {
  capture_tally tally;
  tally_packet(tally, segment(relay4, host4, 40000, 22, tcp_syn), packet_direction::inbound, relay4);
  tally_packet(tally, segment(relay4, host4, 40002, 3000, tcp_syn), packet_direction::inbound, relay4);
  EXPECT_EQ(summarize_capture(tally, 3000).arrived_port, 3000);
}

TEST(capture_tally, syn_ack_outranks_rst) {
  capture_tally tally;
  tally_packet(tally, segment(relay4, host4, 40000, 3000, tcp_syn), packet_direction::inbound, relay4);
  tally_packet(tally, segment(relay4, host4, 40001, 3000, tcp_syn), packet_direction::inbound, relay4);
  tally_packet(tally, segment(host4, relay4, 3000, 40000, tcp_rst), packet_direction::outbound, relay4);
  tally_packet(tally, segment(host4, relay4, 3000, 40001, tcp_syn | tcp_ack), packet_direction::outbound, relay4);
  EXPECT_EQ(summarize_capture(tally, 3000).answer, host_answer::syn_ack);
}

TEST(capture_tally, control_connection_is_ignored) {
  capture_tally tally;
  // This host's own connection to the relay's control port 4750.
  tally_packet(tally, segment(host4, relay4, 51000, 4750, tcp_syn), packet_direction::outbound, relay4);
  tally_packet(tally, segment(relay4, host4, 4750, 51000, tcp_syn | tcp_ack), packet_direction::inbound, relay4);
  tally_packet(tally, segment(host4, relay4, 51000, 4750, tcp_rst | tcp_ack), packet_direction::outbound, relay4);
  // A SYN-ACK to a relay port no SYN came from, and a SYN from somebody else.
  tally_packet(tally, segment(host4, relay4, 3000, 4750, tcp_syn | tcp_ack), packet_direction::outbound, relay4);
  tally_packet(tally, segment(host4, host4, 1234, 3000, tcp_syn), packet_direction::inbound, relay4);
  const auto evidence = summarize_capture(tally, 3000);
  EXPECT_FALSE(evidence.probe_seen);
  EXPECT_EQ(evidence.probe_count, 0);
  EXPECT_FALSE(evidence.arrived_port);
  EXPECT_EQ(evidence.answer, host_answer::none);
}

TEST(capture_tally, stays_bounded) {
  capture_tally tally;
  const auto syn = segment(relay4, host4, 40000, 3000, tcp_syn);
  for (std::size_t i = 0; i < capture_tally::max_records + 10; ++i) {
    tally_packet(tally, syn, packet_direction::inbound, relay4);
  }
  EXPECT_EQ(tally.syns.size(), capture_tally::max_records);
  EXPECT_EQ(static_cast<std::size_t>(tally.probe_count), capture_tally::max_records + 10);
}

}  // namespace
}  // namespace reachback::client::platform
