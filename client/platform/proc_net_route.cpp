// SPDX-License-Identifier: MIT
#include "client/platform/proc_net_route.hpp"

#include <net/route.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "client/platform/ip_literal.hpp"
#include "client/platform/text_fields.hpp"

namespace reachback::client::platform {

namespace {

// Plain byte order: ipv6_route prints addresses as 32 hex digits, byte by byte.
std::optional<ip_literal> parse_hex_v6(std::string_view hex) {
  constexpr std::size_t digits = 32;
  if (hex.size() != digits) return std::nullopt;
  std::array<std::uint8_t, 16> raw{};
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const auto byte = parse_unsigned<std::uint8_t>(hex.substr(2 * i, 2), 16);
    if (!byte) return std::nullopt;
    raw[i] = *byte;
  }
  return ip_from_bytes(AF_INET6, raw);
}

bool usable_gateway(std::uint32_t flags) {
  return (flags & RTF_UP) != 0 && (flags & RTF_GATEWAY) != 0 && (flags & RTF_REJECT) == 0;
}

// Calls pick(fields) for every line, keeping the gateway with the lowest metric.
template <typename Pick>
std::optional<std::string> lowest_metric(std::string_view table, Pick pick) {
  std::optional<std::string> best;
  auto best_metric = std::numeric_limits<std::uint32_t>::max();
  for (const auto line : split_lines(table)) {
    const auto candidate = pick(split_fields(line));
    if (candidate && (!best || candidate->second < best_metric)) {
      best = candidate->first;
      best_metric = candidate->second;
    }
  }
  return best;
}

using gateway_candidate = std::optional<std::pair<std::string, std::uint32_t>>;

// Iface Destination Gateway Flags RefCnt Use Metric Mask ...; addresses are
// 32-bit words printed in host byte order, like /proc/net/tcp.
gateway_candidate pick_v4(const std::vector<std::string_view>& f) {
  if (f.size() < 8) return std::nullopt;
  const auto destination = parse_unsigned<std::uint32_t>(f[1], 16);
  const auto gateway = parse_unsigned<std::uint32_t>(f[2], 16);
  const auto flags = parse_unsigned<std::uint32_t>(f[3], 16);
  const auto metric = parse_unsigned<std::uint32_t>(f[6]);  // printed with %d
  const auto mask = parse_unsigned<std::uint32_t>(f[7], 16);
  if (!destination || !gateway || !flags || !metric || !mask) return std::nullopt;
  if (*destination != 0 || *mask != 0 || *gateway == 0 || !usable_gateway(*flags)) {
    return std::nullopt;
  }
  std::array<std::uint8_t, 4> raw{};
  std::memcpy(raw.data(), &*gateway, raw.size());
  return std::pair{to_string(*ip_from_bytes(AF_INET, raw)), *metric};
}

// dest dest_plen src src_plen next_hop metric refcnt use flags iface
gateway_candidate pick_v6(const std::vector<std::string_view>& f) {
  if (f.size() < 10) return std::nullopt;
  const auto destination = parse_hex_v6(f[0]);
  const auto prefix = parse_unsigned<std::uint32_t>(f[1], 16);
  const auto next_hop = parse_hex_v6(f[4]);
  const auto metric = parse_unsigned<std::uint32_t>(f[5], 16);
  const auto flags = parse_unsigned<std::uint32_t>(f[8], 16);
  if (!destination || !prefix || !next_hop || !metric || !flags) return std::nullopt;
  const ip_literal unspecified{AF_INET6, {}};
  if (*destination != unspecified || *prefix != 0 || *next_hop == unspecified ||
      !usable_gateway(*flags)) {
    return std::nullopt;
  }
  return std::pair{to_string(*next_hop), *metric};
}

}  // namespace

std::optional<std::string> default_gateway_v4(std::string_view proc_net_route) {
  return lowest_metric(proc_net_route, pick_v4);
}

std::optional<std::string> default_gateway_v6(std::string_view proc_net_ipv6_route) {
  return lowest_metric(proc_net_ipv6_route, pick_v6);
}

}  // namespace reachback::client::platform
