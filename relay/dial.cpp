// SPDX-License-Identifier: MIT
#include "relay/dial.hpp"

#include <sys/socket.h>

#include <cerrno>

#include "common/asio_compat.hpp"
#include "relay/icmp_errors.hpp"
#include "relay/io_timeouts.hpp"

namespace reachback::relay {

using namespace asio::experimental::awaitable_operators;

namespace {

std::error_code prepare(asio::ip::tcp::socket& socket, const asio::ip::tcp::endpoint& target,
                        std::optional<int> ttl) {
  asio::error_code ec;
  socket.open(target.protocol(), ec);
  if (!ec) {
    socket.native_non_blocking(true, ec);
  }
  const bool ipv6 = target.address().is_v6();
  if (!ec) {
    ec = enable_icmp_errors(socket.native_handle(), ipv6);
  }
  if (!ec && ttl) {
    ec = set_hop_limit(socket.native_handle(), ipv6, *ttl);
  }
  return ec;
}

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

}  // namespace

asio::awaitable<dial_result> dial(asio::ip::tcp::endpoint target, std::optional<int> ttl,
                                  std::chrono::milliseconds timeout) {
  dial_result result{.attempt = {},
                     .socket = asio::ip::tcp::socket(co_await asio::this_coro::executor)};
  auto& attempt = result.attempt;
  auto& socket = result.socket;
  attempt.error = prepare(socket, target, ttl);
  if (attempt.error) {
    co_return result;
  }
  const auto start = steady_clock::now();
  attempt.error = start_connect(socket, target);
  asio::error_code ec;
  result.source_port = socket.local_endpoint(ec).port();
  if (!attempt.error) {
    auto outcome = co_await (socket.async_wait(asio::socket_base::wait_write, use_nothrow) ||
                             expire_after(timeout));
    attempt.timed_out = outcome.index() == 1;
    attempt.error = attempt.timed_out ? std::error_code{} : pending_error(socket);
    if (!attempt.timed_out && !attempt.error) {
      attempt.error = std::get<0>(std::get<0>(outcome));
    }
  }
  attempt.elapsed_ms = elapsed_ms(start);
  attempt.connected = !attempt.timed_out && !attempt.error;
  if (!attempt.connected) {
    // Read even after a timeout: an ICMP error may have raced the timer.
    attempt.queued = read_icmp_error(socket.native_handle());
    socket.close(ec);
  }
  co_return result;
}

}  // namespace reachback::relay
