// SPDX-License-Identifier: MIT
#include "packet_builder.hpp"

#include <array>
#include <span>

namespace reachback::client::test {

namespace {

constexpr std::uint8_t tcp_protocol = 6;
constexpr std::size_t tcp_header = 20;
// Largest packet built: a 60-byte IPv4 header and the TCP header. Building in
// a fixed buffer keeps GCC's -Wnull-dereference from doubting the vector.
using packet_buffer = std::array<std::uint8_t, 80>;

void put16(std::span<std::uint8_t> out, std::size_t at, std::size_t value) {
  out[at] = static_cast<std::uint8_t>(value >> 8);
  out[at + 1] = static_cast<std::uint8_t>(value & 0xff);
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

}  // namespace

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
  out[9] = tcp_protocol;
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
  out[6] = tcp_protocol;
  out[7] = 64;  // hop limit
  put_address(out, 8, src);
  put_address(out, 24, dst);
  put_tcp(out, header, sport, dport, flags);
  return {out.begin(), out.begin() + header + tcp_header};
}

}  // namespace reachback::client::test
