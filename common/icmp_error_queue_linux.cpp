// SPDX-License-Identifier: MIT
#include "icmp_error_queue.hpp"

#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

#include "address.hpp"

namespace reachback {
namespace {

// Room for the extended error, its offender address and the TTL cmsg.
constexpr std::size_t control_capacity = 512;
using control_buffer = std::array<std::byte, control_capacity>;

template <typename T>
std::optional<T> read_struct(std::span<const std::byte> bytes, std::size_t offset) noexcept {
  if (bytes.size() < offset + sizeof(T)) {
    return std::nullopt;
  }
  T value{};
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

// Text as the relay's peers and the client's targets are written, so callers
// can compare offenders with them: IPv4-mapped IPv6 prints as IPv4.
std::string address_text(int family, const void* raw) noexcept {
  std::array<char, INET6_ADDRSTRLEN> text{};
  if (::inet_ntop(family, raw, text.data(), text.size()) == nullptr) {
    return {};
  }
  return unmap_v4(text.data());
}

// SO_EE_OFFENDER: the sockaddr that follows the extended error.
std::string offender_text(std::span<const std::byte> data) noexcept {
  const std::size_t at = sizeof(sock_extended_err);
  const auto family = read_struct<sa_family_t>(data, at);
  if (family == AF_INET) {
    if (const auto sin = read_struct<sockaddr_in>(data, at)) {
      return address_text(AF_INET, &sin->sin_addr);
    }
  } else if (family == AF_INET6) {
    if (const auto sin6 = read_struct<sockaddr_in6>(data, at)) {
      return address_text(AF_INET6, &sin6->sin6_addr);
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

// Trust cmsg_len only as far as the bytes received: a truncated buffer
// (MSG_CTRUNC) may claim more than is there.
std::span<const std::byte> payload_of(cmsghdr& c, std::span<const std::byte> received) noexcept {
  const auto* data_start = reinterpret_cast<const std::byte*>(CMSG_DATA(&c));
  const auto offset = static_cast<std::size_t>(data_start - received.data());
  const auto available = received.size() > offset ? received.size() - offset : 0;
  return {data_start, std::min<std::size_t>(c.cmsg_len - CMSG_LEN(0), available)};
}

std::optional<queued_error> entry_from(std::span<const std::byte> data) noexcept {
  const auto ee = read_struct<sock_extended_err>(data, 0);
  if (!ee) {
    return std::nullopt;
  }
  return queued_error{.origin = ee->ee_origin,
                      .error = static_cast<int>(ee->ee_errno),
                      .type = ee->ee_type,
                      .code = ee->ee_code,
                      .offender = offender_text(data),
                      .arrival_ttl = std::nullopt};
}

// An error-queue read never blocks, so EINTR should not happen; retrying it
// anyway keeps a stray signal from cutting a drain loop short.
bool receive_queued(int fd, msghdr& msg) noexcept {
  ssize_t received = 0;
  do {
    received = ::recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
  } while (received < 0 && errno == EINTR);
  return received >= 0;
}

}  // namespace

bool queued_error::from_icmp() const noexcept {
  return origin == SO_EE_ORIGIN_ICMP || origin == SO_EE_ORIGIN_ICMP6;
}

bool queued_error::is_icmp6() const noexcept { return origin == SO_EE_ORIGIN_ICMP6; }

std::optional<queued_error> decode_error_queue(std::span<const std::byte> control) noexcept {
  // CMSG_* walk a msghdr over aligned, writable memory: copy into one.
  alignas(cmsghdr) control_buffer buffer{};
  const auto size = std::min(control.size(), buffer.size());
  std::copy_n(control.begin(), size, buffer.begin());
  msghdr msg{};
  msg.msg_control = buffer.data();
  msg.msg_controllen = size;

  std::optional<queued_error> found;
  std::optional<int> ttl;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_len < CMSG_LEN(0)) {
      break;
    }
    const auto data = payload_of(*c, std::span(buffer).first(size));
    if (is_extended_error(*c)) {
      if (auto entry = entry_from(data)) {
        found = std::move(entry);
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

error_queue_read read_error_queue(int fd) {
  alignas(cmsghdr) control_buffer control{};
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
  if (!receive_queued(fd, msg)) {
    return {};
  }
  return {.received = true,
          .entry = decode_error_queue(std::span(control.data(), msg.msg_controllen))};
}

}  // namespace reachback
