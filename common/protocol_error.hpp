// SPDX-License-Identifier: MIT
#pragma once
// Decoding errors as std::error_code (asio::error_code is std::error_code).

#include <system_error>

namespace reachback::protocol {

enum class errc {
  bad_magic = 1,        ///< the peer is not speaking reachback
  unsupported_version,  ///< a reachback peer with another protocol version
  frame_too_large,      ///< declared payload over max_payload
  unknown_message_type,
  malformed_payload,    ///< not JSON, or a field missing or of the wrong type
};

[[nodiscard]] const std::error_category& protocol_category() noexcept;
[[nodiscard]] std::error_code make_error_code(errc e) noexcept;

}  // namespace reachback::protocol

template <>
struct std::is_error_code_enum<reachback::protocol::errc> : std::true_type {};
