// SPDX-License-Identifier: MIT
#pragma once
// The pure frame codec: bytes in, a message or an error out. No I/O.
//
// Frame: "RB" | version u8 | type u8 | payload length u32 big-endian | payload
// The payload is a UTF-8 JSON object (see PROTOCOL.md).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <system_error>
#include <variant>

#include "messages.hpp"

namespace reachback::protocol {

inline constexpr std::size_t header_size = 8;
inline constexpr std::array<char, 2> magic = {'R', 'B'};

/// Not enough bytes yet for a whole frame.
struct need_more {
  bool operator==(const need_more&) const = default;
};

/// A whole frame decoded; `consumed` bytes of the input belong to it.
struct decoded {
  message msg;
  std::size_t consumed = 0;
};

using decode_result = std::variant<need_more, decoded, std::error_code>;

/// Decodes the first frame in `bytes`. Rejects a bad magic or an oversized
/// length as soon as the header is complete, without waiting for the payload.
[[nodiscard]] decode_result decode(std::span<const char> bytes) noexcept;

/// Encodes one message as a whole frame. Throws std::length_error when the
/// payload would exceed max_payload, which the peer would reject.
[[nodiscard]] std::string encode(const message& msg);

/// The version byte of a frame whose header is (at least partly) in `bytes`,
/// once the magic matches; lets a peer name the version it did not accept.
[[nodiscard]] std::optional<std::uint8_t> peek_version(std::span<const char> bytes) noexcept;

}  // namespace reachback::protocol
