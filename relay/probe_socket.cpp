// SPDX-License-Identifier: MIT
#include "relay/probe_socket.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>

namespace reachback::relay {

std::error_code choose_port_when_sending(int fd) noexcept {
  // An IPv4 option that IPv6 sockets honour too.
  const int on = 1;
  if (::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on, sizeof on) != 0) {
    return {errno, std::system_category()};
  }
  return {};
}

}  // namespace reachback::relay
