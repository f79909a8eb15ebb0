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
#include <string_view>
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

/// What a relay accepts before its welcome (`hello` included): a hello is a
/// version and a token, and a stranger's frame must stay cheap to refuse.
inline constexpr std::size_t max_payload_before_welcome = 1024;
/// Arrays and objects nest at most this deep in a payload; the deepest
/// message (a sweep hop's ICMP object in a probe_result) uses 5.
inline constexpr int max_json_depth = 16;

/// Decodes the first frame in `bytes`. Rejects a bad magic or a length over
/// `payload_limit` (frame_too_large) as soon as the header is complete,
/// without waiting for the payload; a payload nested deeper than
/// max_json_depth is malformed_payload, found before it is parsed.
[[nodiscard]] decode_result decode(std::span<const char> bytes,
                                   std::size_t payload_limit = max_payload) noexcept;

/// Encodes one message as a whole frame. Throws std::length_error when the
/// payload would exceed max_payload, which the peer would reject.
[[nodiscard]] std::string encode(const message& msg);

/// The length of every nonce, in lowercase hex digits.
inline constexpr std::size_t nonce_digits = 32;

/// Whether `nonce` is exactly 32 lowercase hex digits: the one nonce rule,
/// which decode() applies to every nonce field (PROTOCOL.md).
[[nodiscard]] bool valid_nonce(std::string_view nonce) noexcept;

/// The version byte of a frame whose header is (at least partly) in `bytes`,
/// once the magic matches; lets a peer name the version it did not accept.
[[nodiscard]] std::optional<std::uint8_t> peek_version(std::span<const char> bytes) noexcept;

}  // namespace reachback::protocol
