// SPDX-License-Identifier: MIT
#pragma once
// Asio through one door, for every target. Include Asio only through here:
// - Asio 1.22 decides between aligned_alloc and operator new for its
//   coroutine frames from a libstdc++ macro (_GLIBCXX_HAVE_ALIGNED_ALLOC). A
//   file that includes Asio before any standard header decides differently
//   from one that does not, and one allocator frees what the other allocated
//   (valgrind: mismatched free/delete). A standard header first makes every
//   file decide the same way.
// - With -O2, g++ 12 reports -Wnull-dereference inside Asio itself
//   (scheduler.ipp:330): a false positive in a system header. The pragma
//   covers Asio's lines only; the project's own code keeps the warning.

#include <cstddef>  // must precede Asio, see above

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
