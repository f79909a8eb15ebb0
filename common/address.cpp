// SPDX-License-Identifier: MIT
#include "address.hpp"

#include "ascii_text.hpp"
#include "big_endian.hpp"
#include "net_compat.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace reachback {
namespace {

constexpr std::string_view mapped_prefix = "::ffff:";

// inet_pton needs a NUL-terminated string; a fixed buffer keeps
// classify_address allocation-free and noexcept.
bool to_bytes(int family, std::string_view text, void* out) noexcept {
  std::array<char, 64> buf{};
  if (text.size() >= buf.size()) return false;
  std::copy(text.begin(), text.end(), buf.begin());
  return inet_pton(family, buf.data(), out) == 1;
}

bool in_v4(std::uint32_t a, std::uint32_t net, int prefix) noexcept {
  const std::uint32_t mask = ~std::uint32_t{0} << (32 - prefix);
  return (a & mask) == net;
}

address_class classify_v4(const std::array<unsigned char, 4>& b) noexcept {
  const std::uint32_t a = read_be32(b, 0);
  if (in_v4(a, 0x7f000000, 8)) return address_class::loopback;
  if (in_v4(a, 0x0a000000, 8) || in_v4(a, 0xac100000, 12) || in_v4(a, 0xc0a80000, 16) ||
      in_v4(a, 0xa9fe0000, 16))
    return address_class::private_net;
  if (in_v4(a, 0x64400000, 10)) return address_class::carrier_nat;
  return address_class::public_net;
}

address_class classify_v6(const std::array<unsigned char, 16>& b) noexcept {
  constexpr std::array<unsigned char, 16> loopback = {
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  if (b == loopback) return address_class::loopback;
  if (std::equal(v4_mapped_prefix.begin(), v4_mapped_prefix.end(), b.begin()))
    return classify_v4({b[12], b[13], b[14], b[15]});
  if ((b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80))
    return address_class::private_net;
  return address_class::public_net;
}

std::optional<std::uint16_t> parse_port(std::string_view text) noexcept {
  unsigned value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end || value == 0 || value > 65535)
    return std::nullopt;
  return static_cast<std::uint16_t>(value);
}



}  // namespace

bool same_ipv6_prefix(std::string_view a, std::string_view b, int bits) noexcept {
  std::array<unsigned char, 16> x{};
  std::array<unsigned char, 16> y{};
  if (!to_bytes(AF_INET6, a.substr(0, a.find('%')), x.data()) ||
      !to_bytes(AF_INET6, b.substr(0, b.find('%')), y.data()))
    return false;
  bits = std::clamp(bits, 0, 128);
  const auto whole = static_cast<std::size_t>(bits / 8);
  if (!std::equal(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(whole), y.begin())) return false;
  if (bits % 8 == 0) return true;
  const auto mask = static_cast<unsigned char>(0xff << (8 - bits % 8));
  return (x[whole] & mask) == (y[whole] & mask);
}

address_class classify_address(std::string_view address) noexcept {
  // A zone ("fe80::1%eth0") does not change the class.
  address = address.substr(0, address.find('%'));
  std::array<unsigned char, 4> v4{};
  if (to_bytes(AF_INET, address, v4.data())) return classify_v4(v4);
  std::array<unsigned char, 16> v6{};
  if (to_bytes(AF_INET6, address, v6.data())) return classify_v6(v6);
  return address_class::unknown;
}

std::optional<host_port> parse_host_port(std::string_view text, std::uint16_t default_port) {
  std::string_view host = text;
  std::optional<std::uint16_t> port = default_port;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    const auto rest = text.substr(close + 1);
    if (!rest.empty()) port = rest.starts_with(':') ? parse_port(rest.substr(1)) : std::nullopt;
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    // Only one colon separates a port: with more it is a bare IPv6 address.
    const auto colon = text.find(':');
    host = text.substr(0, colon);
    port = parse_port(text.substr(colon + 1));
  }
  if (host.empty() || !port || *port == 0) return std::nullopt;
  return host_port{std::string(host), *port};
}

std::string format_endpoint(std::string_view address, std::uint16_t port) {
  const bool v6 = address.find(':') != std::string_view::npos;
  std::string out = v6 ? "[" : "";
  out += address;
  out += v6 ? "]:" : ":";
  out += std::to_string(port);
  return out;
}

std::string unmap_v4(std::string_view address) {
  if (istarts_with(address, mapped_prefix)) {
    const auto v4 = address.substr(mapped_prefix.size());
    std::array<unsigned char, 4> bytes{};
    if (to_bytes(AF_INET, v4, bytes.data())) return std::string(v4);
  }
  return std::string(address);
}

}  // namespace reachback
