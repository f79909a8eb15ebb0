// SPDX-License-Identifier: MIT
#pragma once
// One place for the Asio version differences this project meets.

#include <asio.hpp>
#include <asio/experimental/awaitable_operators.hpp>

#if ASIO_VERSION < 102400
#include <asio/experimental/as_tuple.hpp>
#endif

namespace reachback {

#if ASIO_VERSION < 102400
/// Completion token that returns (error_code, results...) instead of throwing.
inline constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);
#else
inline constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
#endif

}  // namespace reachback
