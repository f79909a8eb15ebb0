// SPDX-License-Identifier: MIT
#include "relay/dial.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "common/asio_compat.hpp"
#include "common/elapsed.hpp"
#include "relay/icmp_errors.hpp"
#include "relay/io_timeouts.hpp"
#include "relay/probe_socket.hpp"

namespace reachback::relay {

using namespace asio::experimental::awaitable_operators;

namespace {

// connect() on the native socket rather than async_connect: the source port
// is only readable between sending the SYN and a failure, which releases it.
std::error_code start_connect(asio::ip::tcp::socket& socket,
                              const asio::ip::tcp::endpoint& target) {
  if (::connect(socket.native_handle(), target.data(), static_cast<socklen_t>(target.size())) ==
          0 ||
      errno == EINPROGRESS) {
    return {};
  }
  return {errno, std::system_category()};
}

std::error_code pending_error(asio::ip::tcp::socket& socket) {
  int error = 0;
  auto length = static_cast<socklen_t>(sizeof error);
  if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
    return {errno, std::system_category()};
  }
  return {error, std::system_category()};
}

bool is_connected(asio::ip::tcp::socket& socket) noexcept {
  sockaddr_storage peer{};
  auto length = static_cast<socklen_t>(sizeof peer);
  return ::getpeername(socket.native_handle(), reinterpret_cast<sockaddr*>(&peer), &length) == 0;
}

/// Waits for the handshake to finish or fail before `deadline`.
asio::awaitable<void> await_handshake(asio::ip::tcp::socket& socket, probe_attempt& attempt,
                                      probe_deadline deadline) {
  for (;;) {
    auto outcome = co_await (socket.async_wait(asio::socket_base::wait_write, use_nothrow) ||
                             deadline.clock->wait_until(deadline.start, deadline.kind));
    if (outcome.index() == 1) {
      attempt.timed_out = true;
      co_return;
    }
    attempt.error = pending_error(socket);
    if (attempt.error || is_connected(socket)) co_return;
    // Writable, no SO_ERROR, yet not connected: an ICMP error the kernel only
    // counted as soft (the socket was busy when it came) woke us through the
    // error queue. Taking that for a SYN-ACK once made a TTL-1 probe "answer".
    attempt.queued = read_icmp_error(socket.native_handle());
    if (attempt.queued) {
      attempt.error = std::make_error_code(std::errc::host_unreachable);
      co_return;
    }
  }
}

std::error_code open_dial_socket(asio::ip::tcp::socket& socket, const dial_route& route,
                                 std::optional<int> ttl, dial_close close) {
  auto ec = open_probe_socket(socket, route.target, route.source, ttl);
  // Set before connecting: a probe cancelled just as its handshake
  // completed is closed with the socket, and must reset too.
  if (!ec && close == dial_close::reset) socket.set_option(asio::socket_base::linger(true, 0), ec);
  return ec;
}

}  // namespace

asio::awaitable<dial_result> dial(dial_route route, std::optional<int> ttl,
                                  probe_deadline deadline, dial_close close) {
  dial_result result{.attempt = {},
                     .socket = asio::ip::tcp::socket(co_await asio::this_coro::executor)};
  auto& attempt = result.attempt;
  auto& socket = result.socket;
  attempt.error = open_dial_socket(socket, route, ttl, close);
  if (attempt.error) {
    attempt.open_failed = true;
    co_return result;
  }
  const auto start = steady_clock::now();
  attempt.error = start_connect(socket, route.target);
  asio::error_code ec;
  result.source_port = socket.local_endpoint(ec).port();
  if (!attempt.error) co_await await_handshake(socket, attempt, deadline);
  attempt.elapsed_ms = ms_since(start);
  attempt.connected = !attempt.timed_out && !attempt.error;
  if (!attempt.connected) {
    // Read even after a timeout: an ICMP error may have raced the timer.
    if (!attempt.queued) attempt.queued = read_icmp_error(socket.native_handle());
    socket.close(ec);
  }
  co_return result;
}

}  // namespace reachback::relay
