// SPDX-License-Identifier: MIT
#include "client/platform/bind_test.hpp"

#include <winsock2.h>
#include <ws2tcpip.h>

#include "client/platform/winsock_windows.hpp"

namespace reachback::client::platform {
namespace {

bool set_int_option(SOCKET socket, int level, int name, int value) {
  return setsockopt(socket, level, name, reinterpret_cast<const char*>(&value), sizeof(value)) == 0;
}

bind_result bind_error(int error) noexcept {
  switch (error) {
    case WSAEADDRINUSE: return bind_result::in_use;
    case WSAEACCES: return bind_result::forbidden;
    default: return bind_result::unavailable;
  }
}

// Zeroed addresses are the wildcards 0.0.0.0 and ::.
int bind_wildcard(SOCKET socket, int family, std::uint16_t port) {
  if (family == AF_INET) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    return bind(socket, reinterpret_cast<const sockaddr*>(&address), sizeof(address));
  }
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_port = htons(port);
  return bind(socket, reinterpret_cast<const sockaddr*>(&address), sizeof(address));
}

}  // namespace

bind_result try_bind_wildcard(int ip_version, std::uint16_t port, transport protocol) {
  if (!winsock_started()) return bind_result::unavailable;
  const int family = ip_version == 4 ? AF_INET : AF_INET6;
  const bool tcp = protocol == transport::tcp;
  const unique_socket socket(::socket(family, tcp ? SOCK_STREAM : SOCK_DGRAM, tcp ? IPPROTO_TCP : IPPROTO_UDP));
  if (!socket) return bind_result::unavailable;
  // SO_REUSEADDR on Windows would let this bind take a port another program
  // holds and call it free; the exclusive bind fails on any holder.
  if (!set_int_option(socket.get(), SOL_SOCKET, SO_EXCLUSIVEADDRUSE, 1))
    return bind_result::unavailable;
  // IPv6 only, so the IPv4 test stays separate.
  if (family == AF_INET6 && !set_int_option(socket.get(), IPPROTO_IPV6, IPV6_V6ONLY, 1)) {
    return bind_result::unavailable;
  }
  if (bind_wildcard(socket.get(), family, port) == SOCKET_ERROR)
    return bind_error(WSAGetLastError());
  return bind_result::ok;
}

}  // namespace reachback::client::platform
