// SPDX-License-Identifier: MIT
#pragma once
// Numbers in network byte order (big-endian), as the wire formats store
// them: NAT-PMP and PCP, IP, UDP, TCP and ICMP headers, BPF constants.
// The caller has checked that the bytes are there.

#include <cstddef>
#include <cstdint>
#include <span>

namespace reachback {

/// The 16-bit number stored big-endian in `bytes` at `at`.
[[nodiscard]] constexpr std::uint16_t read_be16(std::span<const std::uint8_t> bytes,
                                                std::size_t at) noexcept {
  return static_cast<std::uint16_t>(bytes[at] << 8 | bytes[at + 1]);
}

/// The 32-bit number stored big-endian in `bytes` at `at`.
[[nodiscard]] constexpr std::uint32_t read_be32(std::span<const std::uint8_t> bytes,
                                                std::size_t at) noexcept {
  return std::uint32_t{read_be16(bytes, at)} << 16 | read_be16(bytes, at + 2);
}

/// Stores `value` big-endian in `out` at `at`.
constexpr void write_be16(std::span<std::uint8_t> out, std::size_t at, std::uint16_t value) noexcept {
  out[at] = static_cast<std::uint8_t>(value >> 8);
  out[at + 1] = static_cast<std::uint8_t>(value);
}

/// Stores `value` big-endian in `out` at `at`.
constexpr void write_be32(std::span<std::uint8_t> out, std::size_t at, std::uint32_t value) noexcept {
  write_be16(out, at, static_cast<std::uint16_t>(value >> 16));
  write_be16(out, at + 2, static_cast<std::uint16_t>(value));
}

}  // namespace reachback
