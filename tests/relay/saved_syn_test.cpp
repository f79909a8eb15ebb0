// SPDX-License-Identifier: MIT
#include "relay/saved_syn.hpp"

#include <gtest/gtest.h>

#include <tuple>
#include <vector>

namespace reachback::relay {
namespace {

// An IPv4 SYN's IP header (20 bytes) and TCP header (20 bytes).
std::vector<std::byte> ipv4_syn(int ttl) {
  std::vector<std::byte> bytes(40);
  bytes[0] = std::byte{0x45};
  bytes[8] = static_cast<std::byte>(ttl);
  bytes[9] = std::byte{6};  // TCP
  return bytes;
}

// An IPv6 SYN's header (40 bytes) and TCP header (20 bytes).
std::vector<std::byte> ipv6_syn(int hop_limit) {
  std::vector<std::byte> bytes(60);
  bytes[0] = std::byte{0x60};
  bytes[6] = std::byte{6};  // next header: TCP
  bytes[7] = static_cast<std::byte>(hop_limit);
  return bytes;
}

TEST(SavedSyn, ReadsTheIpv4Ttl) { EXPECT_EQ(syn_ttl(ipv4_syn(57)), 57); }

TEST(SavedSyn, ReadsTheIpv6HopLimit) { EXPECT_EQ(syn_ttl(ipv6_syn(118)), 118); }

TEST(SavedSyn, RejectsTruncatedOrForeignHeaders) {
  EXPECT_EQ(syn_ttl({}), std::nullopt);
  const auto v4 = ipv4_syn(64);
  EXPECT_EQ(syn_ttl(std::span(v4).first(19)), std::nullopt);
  const auto v6 = ipv6_syn(64);
  EXPECT_EQ(syn_ttl(std::span(v6).first(39)), std::nullopt);
  auto other = ipv4_syn(64);
  other[0] = std::byte{0x55};
  EXPECT_EQ(syn_ttl(other), std::nullopt);
}

class HopsFromTtl : public testing::TestWithParam<std::tuple<int, std::optional<int>>> {};

std::string ttl_name(const testing::TestParamInfo<HopsFromTtl::ParamType>& param) {
  const int ttl = std::get<0>(param.param);
  return ttl < 0 ? "minus" + std::to_string(-ttl) : "ttl" + std::to_string(ttl);
}

TEST_P(HopsFromTtl, CountsFromTheNearestInitialTtl) {
  const auto [ttl, hops] = GetParam();
  EXPECT_EQ(hops_from_ttl(ttl), hops);
}

INSTANTIATE_TEST_SUITE_P(
    InitialTtls, HopsFromTtl,
    testing::Values(std::tuple{64, std::optional(0)}, std::tuple{57, std::optional(7)},
                    std::tuple{1, std::optional(63)}, std::tuple{65, std::optional(63)},
                    std::tuple{128, std::optional(0)}, std::tuple{113, std::optional(15)},
                    std::tuple{129, std::optional(126)}, std::tuple{255, std::optional(0)},
                    std::tuple{240, std::optional(15)}, std::tuple{0, std::optional<int>()},
                    std::tuple{256, std::optional<int>()}, std::tuple{-1, std::optional<int>()}),
    ttl_name);

TEST(SavedSyn, ClientHopsCombinesBoth) {
  EXPECT_EQ(client_hops(ipv4_syn(64)), 0) << "loopback";
  EXPECT_EQ(client_hops(ipv4_syn(50)), 14);
  EXPECT_EQ(client_hops(ipv6_syn(120)), 8);
  EXPECT_EQ(client_hops({}), std::nullopt);
}

}  // namespace
}  // namespace reachback::relay
