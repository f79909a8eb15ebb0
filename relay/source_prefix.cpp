// SPDX-License-Identifier: MIT
#include "relay/source_prefix.hpp"

#include <array>
#include <cstdint>

namespace reachback::relay {
namespace {

constexpr int ipv4_bits = 32;
constexpr int ipv6_bits = 128;

std::string with_length(const std::string& network, int bits, int full_bits) {
  return bits >= full_bits ? network : network + "/" + std::to_string(bits);
}

std::string ipv4_prefix(const asio::ip::address_v4& address, int bits) {
  // Shifting a 32-bit value by 32 is undefined: /0 is refused by the config.
  const std::uint32_t mask = bits >= ipv4_bits ? ~0U : ~(~0U >> bits);
  const asio::ip::address_v4 network(address.to_uint() & mask);
  return with_length(network.to_string(), bits, ipv4_bits);
}

std::string ipv6_prefix(const asio::ip::address_v6& address, int bits) {
  auto bytes = address.to_bytes();
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const int kept = bits - static_cast<int>(i) * 8;  // bits of this byte to keep
    if (kept <= 0) {
      bytes[i] = 0;
    } else if (kept < 8) {
      bytes[i] &= static_cast<std::uint8_t>(0xffU << (8 - kept));
    }
  }
  return with_length(asio::ip::address_v6(bytes).to_string(), bits, ipv6_bits);
}

}  // namespace

std::string source_prefix(const asio::ip::address& address, const config::relay_limits& limits) {
  if (address.is_v4()) {
    return ipv4_prefix(address.to_v4(), limits.ipv4_prefix);
  }
  const auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) {
    return ipv4_prefix(asio::ip::make_address_v4(asio::ip::v4_mapped, v6), limits.ipv4_prefix);
  }
  return ipv6_prefix(v6, limits.ipv6_prefix);
}

}  // namespace reachback::relay
