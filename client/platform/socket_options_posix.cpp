// SPDX-License-Identifier: MIT
#include "client/platform/socket_options.hpp"

#include "client/platform/posix_io.hpp"

namespace reachback::client::platform {

std::error_code enable_fast_open_connect(asio::ip::tcp::socket& socket) noexcept {
  return enable_fast_open_connect(socket.native_handle());
}

std::error_code set_server_bind_options(asio::ip::tcp::acceptor& acceptor) noexcept {
  std::error_code ec;
  acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  return ec;
}

std::error_code set_datagram_bind_options(asio::ip::udp::socket&) noexcept { return {}; }

}  // namespace reachback::client::platform
