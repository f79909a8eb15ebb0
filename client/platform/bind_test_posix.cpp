// SPDX-License-Identifier: MIT
#include "client/platform/bind_test.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>

#include "client/platform/ip_literal.hpp"
#include "client/platform/posix_io.hpp"

namespace reachback::client::platform {
namespace {

bind_result bind_error(int error) noexcept {
  switch (error) {
    case EADDRINUSE: return bind_result::in_use;
    case EACCES: return bind_result::forbidden;
    default: return bind_result::unavailable;
  }
}

}  // namespace

bind_result try_bind_wildcard(int ip_version, std::uint16_t port, transport protocol) {
  const auto wildcard = *parse_ip(ip_version == 4 ? "0.0.0.0" : "::");
  const bool tcp = protocol == transport::tcp;
  const unique_fd fd(::socket(wildcard.family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0));
  if (!fd) return bind_result::unavailable;
  // SO_REUSEADDR as a TCP server sets it, so TIME_WAIT leftovers do not
  // count; on Linux it never lets a bind share a port that is listening.
  // UDP has no TIME_WAIT, and there it would share the port with any holder
  // that set it too (avahi-daemon on 5353 does).
  if (tcp && set_int_option(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1)) return bind_result::unavailable;
  // IPv6 only, so the IPv4 test stays separate.
  if (wildcard.family == AF_INET6 && set_int_option(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, 1))
    return bind_result::unavailable;
  const auto address = make_socket_address(wildcard, port);
  if (::bind(fd.get(), address.get(), address.length) != 0) return bind_error(errno);
  return bind_result::ok;
}

}  // namespace reachback::client::platform
