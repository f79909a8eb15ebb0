// SPDX-License-Identifier: MIT
#include "client/platform/packet.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "packet_builder.hpp"

namespace reachback::client::platform {
namespace {

using test::icmp_error;
using test::ipv4_tcp;
using test::ipv4_udp;
using test::ipv6_tcp;
using test::ipv6_udp;

const ip_literal relay4 = *parse_ip("203.0.113.9");
const ip_literal host4 = *parse_ip("192.168.1.20");
const ip_literal other4 = *parse_ip("203.0.113.10");
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
  EXPECT_EQ(tally.probes.size(), capture_tally::max_records);
  EXPECT_EQ(static_cast<std::size_t>(tally.probe_count), capture_tally::max_records + 10);
}


// --- UDP: datagrams and ICMP port unreachables ---

TEST(parse_udp_packet, ipv4_and_ipv6_datagrams) {
  EXPECT_EQ(parse_udp_packet(ipv4_udp(relay4, host4, 40000, 51820, 8, 53)),
            (udp_packet{relay4, host4, 40000, 51820, false}));
  EXPECT_EQ(parse_udp_packet(ipv6_udp(host6, relay6, 51820, 40000)), (udp_packet{host6, relay6, 51820, 40000, false}));
}

TEST(parse_udp_packet, port_unreachable_gives_the_quoted_datagrams_ports) {
  // This host refuses the relay's datagram 40000 -> 51820.
  const auto v4 = icmp_error(host4, relay4, 3, 3, ipv4_udp(relay4, host4, 40000, 51820, 0, 0));
  EXPECT_EQ(parse_udp_packet(v4), (udp_packet{host4, relay4, 40000, 51820, true}));
  const auto v6 = icmp_error(host6, relay6, 1, 4, ipv6_udp(relay6, host6, 40000, 51820));
  EXPECT_EQ(parse_udp_packet(v6), (udp_packet{host6, relay6, 40000, 51820, true}));
}

/// A packet the UDP parser must not read as a datagram or a port unreachable.
struct not_udp_case {
  std::string name;
  std::vector<std::uint8_t> bytes;
};

std::ostream& operator<<(std::ostream& os, const not_udp_case& c) { return os << c.name; }

class parse_udp_rejects : public testing::TestWithParam<not_udp_case> {};

TEST_P(parse_udp_rejects, what_it_cannot_read) { EXPECT_FALSE(parse_udp_packet(GetParam().bytes)); }

std::vector<std::uint8_t> later_fragment(std::vector<std::uint8_t> bytes) {
  bytes[6] = 0x00;
  bytes[7] = 0x10;
  return bytes;
}

INSTANTIATE_TEST_SUITE_P(
    packet, parse_udp_rejects,
    testing::Values(
        not_udp_case{"tcp", ipv4_tcp(relay4, host4, 1, 2, tcp_syn)},
        not_udp_case{"later_fragment", later_fragment(ipv4_udp(relay4, host4, 1, 2))},
        not_udp_case{"host_unreachable", icmp_error(host4, relay4, 3, 1, ipv4_udp(relay4, host4, 1, 2))},
        not_udp_case{"time_exceeded", icmp_error(host4, relay4, 11, 0, ipv4_udp(relay4, host4, 1, 2))},
        not_udp_case{"icmpv6_admin_prohibited", icmp_error(host6, relay6, 1, 1, ipv6_udp(relay6, host6, 1, 2))},
        not_udp_case{"unreachable_quoting_tcp", icmp_error(host4, relay4, 3, 3, ipv4_tcp(relay4, host4, 1, 2, 0))},
        not_udp_case{"icmpv4_code_as_icmpv6", icmp_error(host6, relay6, 3, 3, ipv6_udp(relay6, host6, 1, 2))},
        not_udp_case{"empty", {}}),
    [](const testing::TestParamInfo<not_udp_case>& p) { return p.param.name; });

TEST(parse_udp_packet, every_truncation_is_rejected_or_complete) {
  const std::vector<std::vector<std::uint8_t>> packets = {
      ipv4_udp(relay4, host4, 1, 2, 40), ipv6_udp(relay6, host6, 1, 2),
      icmp_error(host4, relay4, 3, 3, ipv4_udp(relay4, host4, 1, 2, 40)),
      icmp_error(host6, relay6, 1, 4, ipv6_udp(relay6, host6, 1, 2))};
  for (const auto& bytes : packets) {
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      EXPECT_FALSE(parse_udp_packet(std::span(bytes).first(n))) << n << " of " << bytes.size();
    }
    EXPECT_TRUE(parse_udp_packet(bytes));
    // A snap of capture_snap_length keeps the largest of them whole.
    EXPECT_LE(bytes.size(), 160U);
  }
}

udp_packet datagram(const ip_literal& src, const ip_literal& dst, std::uint16_t sport, std::uint16_t dport) {
  return {src, dst, sport, dport, false};
}

udp_packet refusal(const ip_literal& host, const ip_literal& relay, std::uint16_t relay_port,
                   std::uint16_t local_port) {
  return {host, relay, relay_port, local_port, true};
}

TEST(capture_tally, udp_probe_answered_by_a_datagram) {
  capture_tally tally;
  tally_packet(tally, datagram(relay4, host4, 40000, 51820), packet_direction::inbound, relay4);
  tally_packet(tally, datagram(host4, relay4, 51820, 40000), packet_direction::outbound, relay4);
  const auto evidence = summarize_capture(tally, 51820);
  EXPECT_TRUE(evidence.probe_seen);
  EXPECT_EQ(evidence.probe_count, 1);
  EXPECT_EQ(evidence.arrived_port, 51820);
  EXPECT_EQ(evidence.answer, host_answer::udp_reply);
}

TEST(capture_tally, udp_probe_refused_with_port_unreachable) {
  capture_tally tally;
  for (int retry = 0; retry < 3; ++retry)
    tally_packet(tally, datagram(relay6, host6, 40000, 51820), packet_direction::inbound, relay6);
  tally_packet(tally, refusal(host6, relay6, 40000, 51820), packet_direction::outbound, relay6);
  const auto evidence = summarize_capture(tally, 51820);
  EXPECT_EQ(evidence.probe_count, 3);
  EXPECT_EQ(evidence.answer, host_answer::port_unreachable);
}

TEST(capture_tally, udp_reply_outranks_port_unreachable_and_wrong_port_shows) {
  capture_tally tally;
  tally_packet(tally, datagram(relay4, host4, 40000, 51821), packet_direction::inbound, relay4);
  tally_packet(tally, refusal(host4, relay4, 40000, 51821), packet_direction::outbound, relay4);
  tally_packet(tally, datagram(relay4, host4, 40001, 51821), packet_direction::inbound, relay4);
  tally_packet(tally, datagram(host4, relay4, 51821, 40001), packet_direction::outbound, relay4);
  const auto evidence = summarize_capture(tally, 51820);
  EXPECT_EQ(evidence.arrived_port, 51821);
  EXPECT_EQ(evidence.answer, host_answer::udp_reply);
}

TEST(capture_tally, udp_unrelated_traffic_is_ignored) {
  capture_tally tally;
  // A datagram to the relay from a port no probe came to, a port
  // unreachable for a datagram the relay did not send, one from elsewhere,
  // and an ICMP error coming in.
  tally_packet(tally, datagram(host4, relay4, 5000, 4750), packet_direction::outbound, relay4);
  tally_packet(tally, refusal(host4, relay4, 33434, 51820), packet_direction::outbound, relay4);
  tally_packet(tally, datagram(other4, host4, 40000, 51820), packet_direction::inbound, relay4);
  tally_packet(tally, refusal(relay4, host4, 51820, 40000), packet_direction::inbound, relay4);
  const auto evidence = summarize_capture(tally, 51820);
  EXPECT_FALSE(evidence.probe_seen);
  EXPECT_EQ(evidence.answer, host_answer::none);
}

TEST(capture_tally, tally_captured_reads_by_the_probed_transport) {
  capture_tally tcp_tally;
  capture_tally udp_tally;
  const auto syn = ipv4_tcp(relay4, host4, 40000, 3000, tcp_syn);
  const auto probe = ipv4_udp(relay4, host4, 40000, 3000);
  for (const auto& bytes : {syn, probe}) {
    tally_captured(tcp_tally, bytes, packet_direction::inbound, relay4, transport::tcp);
    tally_captured(udp_tally, bytes, packet_direction::inbound, relay4, transport::udp);
  }
  EXPECT_EQ(tcp_tally.probe_count, 1);
  EXPECT_EQ(udp_tally.probe_count, 1);
}

}  // namespace
}  // namespace reachback::client::platform
