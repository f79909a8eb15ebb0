// SPDX-License-Identifier: MIT
#include "relay/fast_open.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>

namespace reachback::relay {

std::error_code enable_fast_open(int listener_fd) noexcept {
  if (::setsockopt(listener_fd, IPPROTO_TCP, TCP_FASTOPEN, &fast_open_queue,
                   sizeof fast_open_queue) != 0) {
    return {errno, std::system_category()};
  }
  return {};
}

}  // namespace reachback::relay
