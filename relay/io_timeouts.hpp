// SPDX-License-Identifier: MIT
#pragma once
// Small coroutine helpers that give one socket operation its own deadline,
// in the `op(use_nothrow) || expire_after(d)` shape (common/asio_compat.hpp).

#include <chrono>
#include <string_view>
#include <system_error>

#include "common/asio_compat.hpp"

namespace reachback::relay {

using steady_clock = std::chrono::steady_clock;

/// Writes all of `bytes` within `timeout`; timed_out or the write error.
[[nodiscard]] asio::awaitable<std::error_code> write_all(asio::ip::tcp::socket& socket,
                                                         std::string_view bytes,
                                                         steady_clock::duration timeout);

/// Closes a control connection politely: shuts down sending, then reads and
/// discards what the peer still sends (at most 64 KiB, within `timeout`) so
/// that unread input does not turn the close into a reset that could
/// destroy the error frame just sent before the peer reads it.
[[nodiscard]] asio::awaitable<void> close_gracefully(asio::ip::tcp::socket& socket,
                                                     steady_clock::duration timeout);

}  // namespace reachback::relay
