// SPDX-License-Identifier: MIT
#include "packet_builder.hpp"

#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <span>

#include "common/big_endian.hpp"

namespace reachback::client::test {

namespace {

constexpr std::size_t udp_header = 8;
constexpr std::size_t tcp_header = 20;
// Largest packet built: a 60-byte IPv4 header and the TCP header. Building in
// a fixed buffer keeps GCC's -Wnull-dereference from doubting the vector.
using packet_buffer = std::array<std::uint8_t, 80>;

void put16(std::span<std::uint8_t> out, std::size_t at, std::size_t value) {
  write_be16(out, at, static_cast<std::uint16_t>(value));
}

void put_address(std::span<std::uint8_t> out, std::size_t at, const platform::ip_literal& ip) {
  const auto bytes = ip.view();
  std::copy(bytes.begin(), bytes.end(), out.begin() + static_cast<std::ptrdiff_t>(at));
}

void put_tcp(std::span<std::uint8_t> out, std::size_t at, std::uint16_t sport,
             std::uint16_t dport, std::uint8_t flags) {
  put16(out, at, sport);
  put16(out, at + 2, dport);
  out[at + 12] = 0x50;  // data offset: 5 words
  out[at + 13] = flags;
  put16(out, at + 14, 64240);  // window
}

// A packet under construction in a fixed buffer (see packet_buffer).
struct built {
  std::array<std::uint8_t, 256> bytes{};
  std::size_t size = 0;
  [[nodiscard]] std::vector<std::uint8_t> take() const {
    return {bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size)};
  }
};

// An IP header for `payload_size` bytes of `protocol`, options included.
built ip_header(const platform::ip_literal& src, const platform::ip_literal& dst, std::uint8_t protocol,
                std::size_t payload_size, std::size_t ip_options) {
  built out;
  if (src.view().size() == 16) {
    out.bytes[0] = 0x60;
    put16(out.bytes, 4, payload_size);
    out.bytes[6] = protocol;
    out.bytes[7] = 64;
    put_address(out.bytes, 8, src);
    put_address(out.bytes, 24, dst);
    out.size = 40;
    return out;
  }
  const std::size_t header = 20 + ip_options;
  out.bytes[0] = static_cast<std::uint8_t>(0x40 | (header / 4));
  put16(out.bytes, 2, header + payload_size);
  put16(out.bytes, 6, 0x4000);
  out.bytes[8] = 64;
  out.bytes[9] = protocol;
  put_address(out.bytes, 12, src);
  put_address(out.bytes, 16, dst);
  for (std::size_t i = 20; i < header; ++i) out.bytes[i] = 1;  // NOP options
  out.size = header;
  return out;
}

std::vector<std::uint8_t> udp(const platform::ip_literal& src, const platform::ip_literal& dst, std::uint16_t sport,
                              std::uint16_t dport, std::size_t ip_options, std::size_t payload) {
  auto out = ip_header(src, dst, IPPROTO_UDP, udp_header + payload, ip_options);
  put16(out.bytes, out.size, sport);
  put16(out.bytes, out.size + 2, dport);
  put16(out.bytes, out.size + 4, udp_header + payload);
  out.size += udp_header + payload;
  return out.take();
}

}  // namespace

std::vector<std::uint8_t> ipv4_udp(const platform::ip_literal& src, const platform::ip_literal& dst,
                                   std::uint16_t sport, std::uint16_t dport, std::size_t ip_options,
                                   std::size_t payload) {
  return udp(src, dst, sport, dport, ip_options, payload);
}

std::vector<std::uint8_t> ipv6_udp(const platform::ip_literal& src, const platform::ip_literal& dst,
                                   std::uint16_t sport, std::uint16_t dport) {
  return udp(src, dst, sport, dport, 0, 0);
}

std::vector<std::uint8_t> icmp_error(const platform::ip_literal& src, const platform::ip_literal& dst,
                                     std::uint8_t type, std::uint8_t code, const std::vector<std::uint8_t>& quoted) {
  const bool v6 = src.view().size() == 16;
  constexpr std::size_t icmp_header = 8;
  const auto icmp = v6 ? std::uint8_t{IPPROTO_ICMPV6} : std::uint8_t{IPPROTO_ICMP};
  auto out = ip_header(src, dst, icmp, icmp_header + quoted.size(), 0);
  out.bytes[out.size] = type;
  out.bytes[out.size + 1] = code;
  out.size += icmp_header;
  std::copy(quoted.begin(), quoted.end(), out.bytes.begin() + static_cast<std::ptrdiff_t>(out.size));
  out.size += quoted.size();
  return out.take();
}

std::vector<std::uint8_t> ipv4_tcp(const platform::ip_literal& src, const platform::ip_literal& dst,
                                   std::uint16_t sport, std::uint16_t dport, std::uint8_t flags,
                                   std::size_t ip_options) {
  const std::size_t header = 20 + ip_options;
  packet_buffer out{};
  const std::size_t size = header + tcp_header;
  out[0] = static_cast<std::uint8_t>(0x40 | (header / 4));
  put16(out, 2, size);
  put16(out, 6, 0x4000);  // don't fragment
  out[8] = 64;            // TTL
  out[9] = IPPROTO_TCP;
  put_address(out, 12, src);
  put_address(out, 16, dst);
  for (std::size_t i = 20; i < header; ++i) out[i] = 1;  // NOP options
  put_tcp(out, header, sport, dport, flags);
  return {out.begin(), out.begin() + static_cast<std::ptrdiff_t>(size)};
}

std::vector<std::uint8_t> ipv6_tcp(const platform::ip_literal& src, const platform::ip_literal& dst,
                                   std::uint16_t sport, std::uint16_t dport, std::uint8_t flags) {
  constexpr std::size_t header = 40;
  packet_buffer out{};
  out[0] = 0x60;
  put16(out, 4, tcp_header);
  out[6] = IPPROTO_TCP;
  out[7] = 64;  // hop limit
  put_address(out, 8, src);
  put_address(out, 24, dst);
  put_tcp(out, header, sport, dport, flags);
  return {out.begin(), out.begin() + header + tcp_header};
}

}  // namespace reachback::client::test
