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
#include <exception>
#include <optional>
#include <utility>

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

/// co_spawn's completion handler for work whose expected failures are
/// values (use_nothrow): what is left is a real fault such as bad_alloc,
/// which must surface from the caller's io_context::run().
inline void rethrow_failure(const std::exception_ptr& failure) {
  if (failure) std::rethrow_exception(failure);
}

/// Completes at `deadline`, or at once when cancelled; never throws for
/// either. The right-hand side of `op(use_nothrow) || expire_at(t)`, which
/// bounds an operation in time.
inline asio::awaitable<void> expire_at(asio::steady_timer::time_point deadline) {
  asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
  // A cancelled wait is a normal way for this timer to lose a race.
  co_await timer.async_wait(use_nothrow);
}

/// expire_at, `delay` from now.
inline asio::awaitable<void> expire_after(asio::steady_timer::duration delay) {
  return expire_at(asio::steady_timer::clock_type::now() + delay);
}

/// Runs `work` on `ctx` until it is done, then stops `ctx` even if other
/// work (a listener's accept loop) is still queued there.
template <typename T>
T run_until_done(asio::io_context& ctx, asio::awaitable<T> work) {
  std::optional<T> result;
  ctx.restart();
  asio::co_spawn(ctx, std::move(work), [&](const std::exception_ptr& failure, T value) {
    ctx.stop();
    rethrow_failure(failure);
    result = std::move(value);
  });
  ctx.run();
  return std::move(*result);
}

/// Runs `work` on an io_context of its own until it is done.
template <typename T>
T run_blocking(asio::awaitable<T> work) {
  asio::io_context ctx{1};
  return run_until_done(ctx, std::move(work));
}

}  // namespace reachback
