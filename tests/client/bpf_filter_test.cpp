// SPDX-License-Identifier: MIT
#include "client/platform/bpf_filter.hpp"

#include <linux/if_ether.h>

#include <gtest/gtest.h>

#include <optional>
#include <span>

#include "client/platform/packet.hpp"
#include "packet_builder.hpp"

namespace reachback::client::platform {
namespace {

using test::icmp_error;
using test::ipv4_tcp;
using test::ipv4_udp;
using test::ipv6_tcp;
using test::ipv6_udp;

// Just enough of a classic BPF interpreter for the instructions the filter
// uses, with the kernel's semantics: big-endian loads, a load past the end
// drops the packet, and relative jumps. `protocol` is the skb->protocol the
// ancillary load reads.
std::optional<std::uint32_t> load(std::span<const std::uint8_t> packet, std::uint16_t size,
                                  std::uint32_t k, std::uint16_t protocol) {
  if (k == static_cast<std::uint32_t>(SKF_AD_OFF + SKF_AD_PROTOCOL)) return protocol;
  const std::size_t width = size == BPF_W ? 4 : size == BPF_H ? 2 : 1;
  if (k + width > packet.size()) return std::nullopt;
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < width; ++i) value = (value << 8) | packet[k + i];
  return value;
}

std::uint32_t run(const std::vector<sock_filter>& program, std::span<const std::uint8_t> packet,
                  std::uint16_t protocol) {
  std::uint32_t a = 0;
  for (std::size_t pc = 0; pc < program.size(); ++pc) {
    const auto& i = program[pc];
    switch (BPF_CLASS(i.code)) {
      case BPF_LD: {
        EXPECT_EQ(BPF_MODE(i.code), BPF_ABS);
        const auto value = load(packet, BPF_SIZE(i.code), i.k, protocol);
        if (!value) return 0;
        a = *value;
        break;
      }
      case BPF_JMP: {
        EXPECT_EQ(BPF_SRC(i.code), BPF_K);
        const bool taken = BPF_OP(i.code) == BPF_JEQ ? a == i.k : (a & i.k) != 0;
        EXPECT_TRUE(BPF_OP(i.code) == BPF_JEQ || BPF_OP(i.code) == BPF_JSET);
        pc += taken ? i.jt : i.jf;
        break;
      }
      case BPF_RET: return i.k;
      default: ADD_FAILURE() << "unexpected opcode " << i.code; return 0;
    }
  }
  ADD_FAILURE() << "fell off the end of the program";
  return 0;
}

const ip_literal relay4 = *parse_ip("203.0.113.9");
const ip_literal host4 = *parse_ip("192.168.1.20");
const ip_literal other4 = *parse_ip("203.0.113.10");
const ip_literal relay6 = *parse_ip("2001:db8::9");
const ip_literal host6 = *parse_ip("2001:db8:1::20");
const ip_literal other6 = *parse_ip("2001:db8::8");

TEST(bpf_filter, ipv4_keeps_tcp_from_and_to_the_relay) {
  const auto filter = relay_filter(relay4, transport::tcp);
  EXPECT_EQ(run(filter, ipv4_tcp(relay4, host4, 40000, 3000, tcp_syn), ETH_P_IP), capture_snap_length);
  EXPECT_EQ(run(filter, ipv4_tcp(host4, relay4, 3000, 40000, tcp_rst), ETH_P_IP), capture_snap_length);
  EXPECT_EQ(run(filter, ipv4_tcp(host4, relay4, 3000, 40000, tcp_syn, 12), ETH_P_IP),
            capture_snap_length);
}

TEST(bpf_filter, ipv4_drops_everything_else) {
  const auto filter = relay_filter(relay4, transport::tcp);
  EXPECT_EQ(run(filter, ipv4_tcp(other4, host4, 40000, 3000, tcp_syn), ETH_P_IP), 0u);
  auto udp = ipv4_tcp(relay4, host4, 40000, 3000, 0);
  udp[9] = 17;
  EXPECT_EQ(run(filter, udp, ETH_P_IP), 0u);
  auto fragment = ipv4_tcp(relay4, host4, 40000, 3000, tcp_syn);
  fragment[7] = 0x20;
  EXPECT_EQ(run(filter, fragment, ETH_P_IP), 0u);
  // Right bytes, wrong protocol: an ARP or IPv6 frame is not read as IPv4.
  EXPECT_EQ(run(filter, ipv4_tcp(relay4, host4, 40000, 3000, tcp_syn), ETH_P_ARP), 0u);
  EXPECT_EQ(run(filter, ipv4_tcp(relay4, host4, 40000, 3000, tcp_syn), ETH_P_IPV6), 0u);
  EXPECT_EQ(run(filter, std::vector<std::uint8_t>(10, 0), ETH_P_IP), 0u);  // truncated
}

TEST(bpf_filter, ipv6_keeps_tcp_from_and_to_the_relay) {
  const auto filter = relay_filter(relay6, transport::tcp);
  EXPECT_EQ(run(filter, ipv6_tcp(relay6, host6, 40000, 3000, tcp_syn), ETH_P_IPV6), capture_snap_length);
  EXPECT_EQ(run(filter, ipv6_tcp(host6, relay6, 3000, 40000, tcp_syn | tcp_ack), ETH_P_IPV6),
            capture_snap_length);
}

TEST(bpf_filter, ipv6_drops_everything_else) {
  const auto filter = relay_filter(relay6, transport::tcp);
  // Differs from the relay in the last word only, and in the first only.
  EXPECT_EQ(run(filter, ipv6_tcp(other6, host6, 40000, 3000, tcp_syn), ETH_P_IPV6), 0u);
  EXPECT_EQ(run(filter, ipv6_tcp(*parse_ip("2001:db9::9"), host6, 1, 2, tcp_syn), ETH_P_IPV6), 0u);
  auto udp = ipv6_tcp(relay6, host6, 40000, 3000, 0);
  udp[6] = 17;
  EXPECT_EQ(run(filter, udp, ETH_P_IPV6), 0u);
  EXPECT_EQ(run(filter, ipv6_tcp(relay6, host6, 40000, 3000, tcp_syn), ETH_P_IP), 0u);
}

TEST(bpf_filter, udp_keeps_datagrams_and_icmp_from_and_to_the_relay) {
  const auto v4 = relay_filter(relay4, transport::udp);
  EXPECT_EQ(run(v4, ipv4_udp(relay4, host4, 40000, 51820), ETH_P_IP), capture_snap_length);
  EXPECT_EQ(run(v4, ipv4_udp(host4, relay4, 51820, 40000, 12), ETH_P_IP), capture_snap_length);
  EXPECT_EQ(run(v4, icmp_error(host4, relay4, 3, 3, ipv4_udp(relay4, host4, 40000, 51820)), ETH_P_IP),
            capture_snap_length);
  const auto v6 = relay_filter(relay6, transport::udp);
  EXPECT_EQ(run(v6, ipv6_udp(relay6, host6, 40000, 51820), ETH_P_IPV6), capture_snap_length);
  EXPECT_EQ(run(v6, icmp_error(host6, relay6, 1, 4, ipv6_udp(relay6, host6, 40000, 51820)), ETH_P_IPV6),
            capture_snap_length);
}

TEST(bpf_filter, udp_drops_tcp_other_hosts_and_fragments) {
  const auto v4 = relay_filter(relay4, transport::udp);
  EXPECT_EQ(run(v4, ipv4_tcp(relay4, host4, 40000, 3000, tcp_syn), ETH_P_IP), 0u);
  EXPECT_EQ(run(v4, ipv4_udp(other4, host4, 40000, 51820), ETH_P_IP), 0u);
  EXPECT_EQ(run(v4, icmp_error(host4, other4, 3, 3, ipv4_udp(other4, host4, 1, 2)), ETH_P_IP), 0u);
  auto fragment = ipv4_udp(relay4, host4, 40000, 51820);
  fragment[7] = 0x20;
  EXPECT_EQ(run(v4, fragment, ETH_P_IP), 0u);
  // ICMPv4's number inside IPv6 is not ICMPv6.
  auto v4_icmp_in_v6 = icmp_error(host6, relay6, 1, 4, ipv6_udp(relay6, host6, 1, 2));
  v4_icmp_in_v6[6] = 1;
  EXPECT_EQ(run(relay_filter(relay6, transport::udp), v4_icmp_in_v6, ETH_P_IPV6), 0u);
  EXPECT_EQ(run(relay_filter(relay6, transport::udp), ipv6_tcp(relay6, host6, 1, 2, tcp_syn), ETH_P_IPV6), 0u);
}

TEST(bpf_filter, jumps_stay_inside_the_program) {
  for (const auto protocol : {transport::tcp, transport::udp}) {
    for (const auto& relay : {relay4, relay6}) {
      const auto filter = relay_filter(relay, protocol);
      for (std::size_t pc = 0; pc < filter.size(); ++pc) {
        if (BPF_CLASS(filter[pc].code) != BPF_JMP) continue;
        EXPECT_LT(pc + 1 + filter[pc].jt, filter.size());
        EXPECT_LT(pc + 1 + filter[pc].jf, filter.size());
      }
      EXPECT_EQ(BPF_CLASS(filter.back().code), BPF_RET);
    }
  }
}

}  // namespace
}  // namespace reachback::client::platform
