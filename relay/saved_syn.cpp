// SPDX-License-Identifier: MIT
#include "relay/saved_syn.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>

namespace reachback::relay {
namespace {

constexpr std::size_t ipv4_ttl_offset = 8;
constexpr std::size_t ipv4_min_header = 20;
constexpr std::size_t ipv6_hop_limit_offset = 7;
constexpr std::size_t ipv6_header = 40;
// IPv4 options and IPv6 extension headers plus a TCP header with options.
constexpr std::size_t saved_syn_capacity = 512;

}  // namespace

std::optional<int> syn_ttl(std::span<const std::byte> headers) noexcept {
  if (headers.empty()) {
    return std::nullopt;
  }
  const auto ip_version = std::to_integer<int>(headers[0]) >> 4;
  if (ip_version == 4 && headers.size() >= ipv4_min_header) {
    return std::to_integer<int>(headers[ipv4_ttl_offset]);
  }
  if (ip_version == 6 && headers.size() >= ipv6_header) {
    return std::to_integer<int>(headers[ipv6_hop_limit_offset]);
  }
  return std::nullopt;
}

std::optional<int> hops_from_ttl(int ttl) noexcept {
  // Linux and macOS start at 64, Windows at 128, some routers and BSDs at 255.
  for (const int initial : {64, 128, 255}) {
    if (ttl >= 1 && ttl <= initial) {
      return initial - ttl;
    }
  }
  return std::nullopt;
}

std::optional<int> client_hops(std::span<const std::byte> headers) noexcept {
  const auto ttl = syn_ttl(headers);
  return ttl ? hops_from_ttl(*ttl) : std::nullopt;
}

std::error_code enable_save_syn(int listener_fd) noexcept {
  // 1 keeps the network and TCP headers (2 would add the link-layer header).
  const int keep_network_headers = 1;
  if (::setsockopt(listener_fd, IPPROTO_TCP, TCP_SAVE_SYN, &keep_network_headers,
                   sizeof keep_network_headers) != 0) {
    return {errno, std::system_category()};
  }
  return {};
}

std::vector<std::byte> read_saved_syn(int connection_fd) {
  std::array<std::byte, saved_syn_capacity> buffer{};
  auto length = static_cast<socklen_t>(buffer.size());
  if (::getsockopt(connection_fd, IPPROTO_TCP, TCP_SAVED_SYN, buffer.data(), &length) != 0) {
    return {};
  }
  const auto kept = std::min<std::size_t>(length, buffer.size());
  return {buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(kept)};
}

}  // namespace reachback::relay
