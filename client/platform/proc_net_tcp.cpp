// SPDX-License-Identifier: MIT
#include "client/platform/proc_net_tcp.hpp"

#include <sys/socket.h>

#include <array>
#include <cstring>

#include "client/platform/text_fields.hpp"

namespace reachback::client::platform {

namespace {

// Column positions after splitting on whitespace:
// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
constexpr std::size_t col_local = 1;
constexpr std::size_t col_state = 3;
constexpr std::size_t col_uid = 7;
constexpr std::size_t col_inode = 9;

// The kernel prints each 32-bit word of the address with %08X in host byte
// order, so on little-endian hosts every group of four bytes appears
// reversed: 127.0.0.1 is "0100007F". Reading each word as a number and
// storing it back in host order undoes that without assuming endianness.
std::optional<ip_literal> parse_hex_address(std::string_view hex) {
  constexpr std::size_t word_digits = 8;
  if (hex.size() != word_digits && hex.size() != 4 * word_digits) return std::nullopt;
  std::array<std::uint8_t, 16> raw{};
  for (std::size_t word = 0; word * word_digits < hex.size(); ++word) {
    const auto value = parse_unsigned<std::uint32_t>(hex.substr(word * word_digits, word_digits), 16);
    if (!value) return std::nullopt;
    std::memcpy(raw.data() + word * sizeof(std::uint32_t), &*value, sizeof(std::uint32_t));
  }
  const int family = hex.size() == word_digits ? AF_INET : AF_INET6;
  return ip_from_bytes(family, std::span<const std::uint8_t>(raw).first(hex.size() / 2));
}

}  // namespace

std::optional<proc_socket_entry> parse_proc_net_socket_line(std::string_view line) {
  const auto fields = split_fields(line);
  if (fields.size() <= col_inode) return std::nullopt;
  const auto local = fields[col_local];
  const auto colon = local.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto address = parse_hex_address(local.substr(0, colon));
  const auto port = parse_unsigned<std::uint16_t>(local.substr(colon + 1), 16);
  const auto state = parse_unsigned<std::uint8_t>(fields[col_state], 16);
  const auto uid = parse_unsigned<std::uint32_t>(fields[col_uid], 10);
  const auto inode = parse_unsigned<std::uint64_t>(fields[col_inode], 10);
  // The header line fails here: "local_address" is not hex.
  if (!address || !port || !state || !uid || !inode) return std::nullopt;
  return proc_socket_entry{*address, *port, *state, *uid, *inode};
}

}  // namespace reachback::client::platform
