// SPDX-License-Identifier: MIT
#include "relay/io_timeouts.hpp"

#include <vector>

#include "common/asio_compat.hpp"

namespace reachback::relay {

using namespace asio::experimental::awaitable_operators;

namespace {

constexpr std::size_t max_drained_bytes = std::size_t{64} * 1024;

}  // namespace

asio::awaitable<std::error_code> write_all(asio::ip::tcp::socket& socket, std::string_view bytes,
                                           steady_clock::duration timeout) {
  // A frame is small and the socket's send buffer nearly empty: one
  // non-blocking write usually takes all of it, with no timer to arm.
  if (socket.non_blocking()) {
    asio::error_code ec;
    bytes.remove_prefix(socket.write_some(asio::buffer(bytes), ec));
    if (ec && ec != asio::error::would_block) co_return ec;
    if (bytes.empty()) co_return std::error_code{};
  }
  auto outcome = co_await (asio::async_write(socket, asio::buffer(bytes), use_nothrow) ||
                           expire_after(timeout));
  if (outcome.index() == 1) {
    co_return std::make_error_code(std::errc::timed_out);
  }
  co_return std::get<0>(std::get<0>(outcome));
}

asio::awaitable<void> close_gracefully(asio::ip::tcp::socket& socket,
                                       steady_clock::duration timeout) {
  asio::error_code ec;
  socket.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  std::vector<char> discard(4096);
  std::size_t drained = 0;
  if (!ec && socket.non_blocking()) {
    // A client that has finished sent its EOF already (it stays readable):
    // the drain ends here, with no timer to arm.
    drained = socket.read_some(asio::buffer(discard), ec);
    if (ec == asio::error::would_block) ec = {};
  }
  const auto deadline = steady_clock::now() + timeout;
  while (!ec && drained < max_drained_bytes && steady_clock::now() < deadline) {
    auto outcome = co_await (socket.async_read_some(asio::buffer(discard), use_nothrow) ||
                             expire_after(deadline - steady_clock::now()));
    if (outcome.index() == 1) {
      break;
    }
    std::size_t n = 0;
    std::tie(ec, n) = std::get<0>(outcome);
    drained += n;
  }
  socket.close(ec);
}

}  // namespace reachback::relay
