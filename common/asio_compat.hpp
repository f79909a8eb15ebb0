// SPDX-License-Identifier: MIT
#pragma once
// One place for the Asio version differences this project meets.

// With -O2, g++ 12 reports -Wnull-dereference inside Asio 1.22 itself
// (scheduler.ipp:330) in every file that runs an io_context: a false positive
// in a system header. The pragma covers Asio's lines only; include Asio
// through this header so the project's own code keeps the warning.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <asio.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#if ASIO_VERSION < 102400
#include <asio/experimental/as_tuple.hpp>
#endif
#pragma GCC diagnostic pop

namespace reachback {

#if ASIO_VERSION < 102400
/// Completion token that returns (error_code, results...) instead of throwing.
inline constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);
#else
inline constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
#endif

}  // namespace reachback
