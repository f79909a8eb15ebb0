// SPDX-License-Identifier: MIT
#pragma once
// Winsock for the platform files that open their own sockets (the bind test,
// the path's source address). Windows only.

#include <winsock2.h>

namespace reachback::client::platform {

/// Starts Winsock 2.2 once for the process and says whether it started.
/// Winsock refuses every call before WSAStartup. One start serves every
/// thread, so it is never cleaned up, as Asio's own start is not either.
[[nodiscard]] inline bool winsock_started() {
  static const bool started = [] {
    WSADATA data{};
    return ::WSAStartup(MAKEWORD(2, 2), &data) == 0;
  }();
  return started;
}

/// Owns one socket, closed with closesocket.
class unique_socket {
 public:
  /// Takes `socket`; INVALID_SOCKET makes an empty owner.
  explicit unique_socket(SOCKET socket) noexcept : socket_(socket) {}
  ~unique_socket() {
    if (socket_ != INVALID_SOCKET) ::closesocket(socket_);
  }
  unique_socket(const unique_socket&) = delete;
  unique_socket& operator=(const unique_socket&) = delete;

  /// The socket, or INVALID_SOCKET when empty.
  [[nodiscard]] SOCKET get() const noexcept { return socket_; }
  /// Whether it holds a socket.
  explicit operator bool() const noexcept { return socket_ != INVALID_SOCKET; }

 private:
  SOCKET socket_;
};

}  // namespace reachback::client::platform
