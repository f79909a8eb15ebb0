// SPDX-License-Identifier: MIT
#include "client/platform/ip_literal.hpp"

#include <algorithm>

#include "common/address.hpp"
#include "common/net_compat.hpp"

namespace reachback::client::platform {

namespace {

constexpr std::size_t v4_size = 4;
constexpr std::size_t v6_size = 16;

std::size_t size_of(int family) noexcept { return family == AF_INET ? v4_size : v6_size; }

}  // namespace

std::span<const std::uint8_t> ip_literal::view() const noexcept {
  return std::span<const std::uint8_t>(bytes).first(size_of(family));
}

std::optional<ip_literal> parse_ip(std::string_view text) {
  // inet_pton needs a NUL-terminated string; INET6_ADDRSTRLEN bounds any
  // valid literal, so longer input is rejected before copying.
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string zero_terminated(text);
  ip_literal ip;
  if (inet_pton(AF_INET, zero_terminated.c_str(), ip.bytes.data()) == 1) {
    ip.family = AF_INET;
    return ip;
  }
  if (inet_pton(AF_INET6, zero_terminated.c_str(), ip.bytes.data()) != 1) return std::nullopt;
  ip.family = AF_INET6;
  if (std::equal(v4_mapped_prefix.begin(), v4_mapped_prefix.end(), ip.bytes.begin())) {
    std::array<std::uint8_t, 16> v4{};
    std::copy_n(ip.bytes.begin() + v4_mapped_prefix.size(), v4_size, v4.begin());
    return ip_literal{AF_INET, v4};
  }
  return ip;
}

std::optional<ip_literal> ip_from_bytes(int family, std::span<const std::uint8_t> raw) {
  if ((family != AF_INET && family != AF_INET6) || raw.size() != size_of(family)) {
    return std::nullopt;
  }
  ip_literal ip;
  ip.family = family;
  std::copy(raw.begin(), raw.end(), ip.bytes.begin());
  return ip;
}

std::string to_string(const ip_literal& ip) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  if (inet_ntop(ip.family, ip.bytes.data(), text.data(), text.size()) == nullptr) return {};
  return text.data();
}

bool is_link_local_v6(const ip_literal& ip) noexcept {
  return ip.family == AF_INET6 && ip.bytes[0] == 0xfe && (ip.bytes[1] & 0xc0) == 0x80;
}

std::string to_endpoint(const ip_literal& ip, std::uint16_t port) {
  return reachback::format_endpoint(to_string(ip), port);
}

}  // namespace reachback::client::platform
