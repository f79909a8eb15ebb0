// SPDX-License-Identifier: MIT
#include "client/platform/socket_options.hpp"

namespace reachback::client::platform {
namespace {

/// SO_EXCLUSIVEADDRUSE as an Asio settable socket option.
class exclusive_address_use {
 public:
  template <typename Protocol>
  [[nodiscard]] int level(const Protocol&) const noexcept { return SOL_SOCKET; }
  template <typename Protocol>
  [[nodiscard]] int name(const Protocol&) const noexcept { return SO_EXCLUSIVEADDRUSE; }
  template <typename Protocol>
  [[nodiscard]] const int* data(const Protocol&) const noexcept { return &value_; }
  template <typename Protocol>
  [[nodiscard]] std::size_t size(const Protocol&) const noexcept { return sizeof(value_); }

 private:
  int value_ = 1;
};

}  // namespace

// Windows offers Fast Open only through ConnectEx with TCP_FASTOPEN set, a
// different connect path than Asio's; the control connection then costs its
// ordinary round trip, as it does on Linux without a cookie.
std::error_code enable_fast_open_connect(asio::ip::tcp::socket&) noexcept {
  return std::make_error_code(std::errc::operation_not_supported);
}

std::error_code set_server_bind_options(asio::ip::tcp::acceptor& acceptor) noexcept {
  std::error_code ec;
  acceptor.set_option(exclusive_address_use{}, ec);
  return ec;
}

std::error_code set_datagram_bind_options(asio::ip::udp::socket& socket) noexcept {
  std::error_code ec;
  socket.set_option(exclusive_address_use{}, ec);
  return ec;
}

}  // namespace reachback::client::platform
