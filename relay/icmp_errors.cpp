// SPDX-License-Identifier: MIT
#include "relay/icmp_errors.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <utility>

namespace reachback::relay {
namespace {

// Bounds the drain loop: one SYN and its retransmissions give few entries.
constexpr int max_queue_reads = 8;

std::error_code set_int_option(int fd, int level, int name, int value) noexcept {
  if (::setsockopt(fd, level, name, &value, sizeof value) != 0) {
    return {errno, std::system_category()};
  }
  return {};
}

}  // namespace

std::error_code enable_icmp_errors(int fd, bool ipv6) noexcept {
  const int level = ipv6 ? IPPROTO_IPV6 : IPPROTO_IP;
  if (auto ec = set_int_option(fd, level, ipv6 ? IPV6_RECVERR : IP_RECVERR, 1)) {
    return ec;
  }
  return set_int_option(fd, level, ipv6 ? IPV6_RECVHOPLIMIT : IP_RECVTTL, 1);
}

std::error_code set_hop_limit(int fd, bool ipv6, int ttl) noexcept {
  return ipv6 ? set_int_option(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl)
              : set_int_option(fd, IPPROTO_IP, IP_TTL, ttl);
}

std::optional<queued_error> read_icmp_error(int fd) {
  std::optional<queued_error> first;
  for (int i = 0; i < max_queue_reads; ++i) {
    auto read = read_error_queue(fd);
    if (!read.received) {
      break;
    }
    if (read.entry && read.entry->from_icmp()) {
      return read.entry;
    }
    if (!first) {
      first = std::move(read.entry);
    }
  }
  return first;
}

}  // namespace reachback::relay
