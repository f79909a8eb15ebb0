// SPDX-License-Identifier: MIT
#include "relay/icmp_errors.hpp"

#include <linux/errqueue.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "common/asio_compat.hpp"

#include "relay/listen_address.hpp"

namespace reachback::relay {
namespace {

// Room for the extended error, its offender address and the TTL cmsg.
constexpr std::size_t control_capacity = 512;
// Bounds the drain loop: one SYN and its retransmissions give few entries.
constexpr int max_queue_reads = 8;

template <typename T>
std::optional<T> read_struct(std::span<const std::byte> bytes, std::size_t offset) noexcept {
  if (bytes.size() < offset + sizeof(T)) {
    return std::nullopt;
  }
  T value{};
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

std::string offender_text(std::span<const std::byte> data) noexcept {
  const std::size_t at = sizeof(sock_extended_err);
  const auto family = read_struct<sa_family_t>(data, at);
  if (family == AF_INET) {
    if (const auto sin = read_struct<sockaddr_in>(data, at)) {
      asio::ip::address_v4::bytes_type raw{};
      std::memcpy(raw.data(), &sin->sin_addr, raw.size());
      return address_text(asio::ip::address_v4(raw));
    }
  } else if (family == AF_INET6) {
    if (const auto sin6 = read_struct<sockaddr_in6>(data, at)) {
      asio::ip::address_v6::bytes_type raw{};
      std::memcpy(raw.data(), &sin6->sin6_addr, raw.size());
      return address_text(asio::ip::address_v6(raw));
    }
  }
  return {};
}

bool is_extended_error(const cmsghdr& c) noexcept {
  return (c.cmsg_level == SOL_IP && c.cmsg_type == IP_RECVERR) ||
         (c.cmsg_level == SOL_IPV6 && c.cmsg_type == IPV6_RECVERR);
}

bool is_arrival_ttl(const cmsghdr& c) noexcept {
  return (c.cmsg_level == SOL_IP && c.cmsg_type == IP_TTL) ||
         (c.cmsg_level == SOL_IPV6 && c.cmsg_type == IPV6_HOPLIMIT);
}

std::error_code set_int_option(int fd, int level, int name, int value) noexcept {
  if (::setsockopt(fd, level, name, &value, sizeof value) != 0) {
    return {errno, std::system_category()};
  }
  return {};
}

}  // namespace

bool queued_error::from_icmp() const noexcept {
  return origin == SO_EE_ORIGIN_ICMP || origin == SO_EE_ORIGIN_ICMP6;
}

bool queued_error::is_icmp6() const noexcept { return origin == SO_EE_ORIGIN_ICMP6; }

std::optional<queued_error> decode_error_queue(std::span<const std::byte> control) noexcept {
  // CMSG_* walk a msghdr over aligned, writable memory: copy into one.
  alignas(cmsghdr) std::array<std::byte, control_capacity> buffer{};
  const auto size = std::min(control.size(), buffer.size());
  std::copy_n(control.begin(), size, buffer.begin());
  msghdr msg{};
  msg.msg_control = buffer.data();
  msg.msg_controllen = size;

  std::optional<queued_error> found;
  std::optional<int> ttl;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    const auto header = CMSG_LEN(0);
    if (c->cmsg_len < header) {
      break;
    }
    // Trust cmsg_len only as far as the bytes received: a truncated buffer
    // (MSG_CTRUNC) may claim more than is there.
    const auto* data_start = reinterpret_cast<const std::byte*>(CMSG_DATA(c));
    const auto offset = static_cast<std::size_t>(data_start - buffer.data());
    const auto available = size > offset ? size - offset : 0;
    const std::span<const std::byte> data{data_start,
                                          std::min<std::size_t>(c->cmsg_len - header, available)};
    if (is_extended_error(*c)) {
      if (const auto ee = read_struct<sock_extended_err>(data, 0)) {
        found = queued_error{.origin = ee->ee_origin,
                             .error = static_cast<int>(ee->ee_errno),
                             .type = ee->ee_type,
                             .code = ee->ee_code,
                             .offender = offender_text(data),
                             .arrival_ttl = std::nullopt};
      }
    } else if (is_arrival_ttl(*c)) {
      ttl = read_struct<int>(data, 0);
    }
  }
  if (found && found->from_icmp()) {
    found->arrival_ttl = ttl;
  }
  return found;
}

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
    alignas(cmsghdr) std::array<std::byte, control_capacity> control{};
    // The payload is the start of the offending packet; only the cmsgs matter.
    std::array<std::byte, 64> payload{};
    iovec iov{payload.data(), payload.size()};
    sockaddr_storage original_destination{};
    msghdr msg{};
    msg.msg_name = &original_destination;
    msg.msg_namelen = sizeof original_destination;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    if (::recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
      break;
    }
    auto entry = decode_error_queue(std::span(control.data(), msg.msg_controllen));
    if (entry && entry->from_icmp()) {
      return entry;
    }
    if (!first) {
      first = std::move(entry);
    }
  }
  return first;
}

}  // namespace reachback::relay
