// SPDX-License-Identifier: MIT
#pragma once
// Ports for tests that ctest -j runs side by side (Linux). Binding port 0,
// reading the number and closing the socket races: until the program under
// test binds the number again, any other process's bind to port 0 or
// outgoing connection may take it. A reserved port stays held for the
// test's lifetime, so the kernel gives it to nobody else, yet the program
// under test can still bind it. A temporary, `reserved_tcp_port().text()`,
// holds the port to the end of the full expression: through a run() of the
// program it is passed to. Header-only: the client tests and the end-to-end
// tests share it.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace reachback::test {

namespace reserved_port_detail {

/// An open socket, closed with the object.
class socket_fd {
 public:
  socket_fd() = default;
  socket_fd(int family, int type) : fd_(::socket(family, type | SOCK_CLOEXEC, 0)) {}
  ~socket_fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  socket_fd(socket_fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  socket_fd& operator=(socket_fd&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  socket_fd(const socket_fd&) = delete;
  socket_fd& operator=(const socket_fd&) = delete;
  [[nodiscard]] int get() const noexcept { return fd_; }

 private:
  int fd_ = -1;
};

/// A socket of `type` bound to [::]:`port` for IPv4 and IPv6 alike, with
/// SO_REUSEADDR when `reuse`; the socket is invalid if the bind failed.
inline socket_fd bind_everywhere(int type, std::uint16_t port, bool reuse) {
  socket_fd fd(AF_INET6, type);
  const int off = 0;
  const int on = 1;
  sockaddr_in6 any{};
  any.sin6_family = AF_INET6;
  any.sin6_port = htons(port);
  const bool bound = fd.get() >= 0 && ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) == 0 &&
                     (!reuse || ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == 0) &&
                     ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&any), sizeof any) == 0;
  return bound ? std::move(fd) : socket_fd();
}

inline std::uint16_t port_of(const socket_fd& fd) {
  sockaddr_in6 local{};
  socklen_t length = sizeof local;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&local), &length) != 0)
    throw std::runtime_error(std::string("getsockname: ") + std::strerror(errno));
  return ntohs(local.sin6_port);
}

/// The first port the kernel hands out on its own (net.ipv4.ip_local_port_range).
inline int first_ephemeral_port() {
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 32768;
  range >> low;
  return low;
}

}  // namespace reserved_port_detail

/// A TCP port held for the test by a socket bound to it on every address
/// ([::], dual-stack) with SO_REUSEADDR, which never listens. While it lives
/// the kernel neither gives the port to a bind to port 0 nor picks it for
/// an outgoing connection, and a connection to it is refused; a server that
/// sets SO_REUSEADDR, as probe-client, its bind test and fake-peer do, still
/// binds and listens on it.
class reserved_tcp_port {
 public:
  reserved_tcp_port() : holder_(reserved_port_detail::bind_everywhere(SOCK_STREAM, 0, true)) {
    if (holder_.get() < 0) throw std::runtime_error(std::string("reserving a TCP port: ") + std::strerror(errno));
    port_ = reserved_port_detail::port_of(holder_);
  }
  [[nodiscard]] std::uint16_t number() const noexcept { return port_; }
  [[nodiscard]] std::string text() const { return std::to_string(port_); }

 private:
  reserved_port_detail::socket_fd holder_;
  std::uint16_t port_ = 0;
};

/// A UDP port that stays free for the test, for programs that bind UDP
/// without SO_REUSEADDR (a UDP server must not share its port), so no socket
/// may hold it. It lies below the ephemeral range, where the kernel never
/// picks a port by itself; a TCP socket bound to the same number, without
/// SO_REUSEADDR, is the lock that keeps other tests from choosing it too.
class reserved_udp_port {
 public:
  reserved_udp_port() {
    using namespace reserved_port_detail;
    const int high = first_ephemeral_port();
    const int low = high > 20'000 ? high - 10'000 : 1'024;
    const int span = high - low;
    const int start = static_cast<int>(::getpid()) % span;
    for (int i = 0; i < span; ++i) {
      const auto candidate = static_cast<std::uint16_t>(low + (start + i) % span);
      auto lock = bind_everywhere(SOCK_STREAM, candidate, false);
      if (lock.get() < 0) continue;
      if (bind_everywhere(SOCK_DGRAM, candidate, false).get() < 0) continue;
      lock_ = std::move(lock);
      port_ = candidate;
      return;
    }
    throw std::runtime_error("no UDP port below " + std::to_string(high) + " is free");
  }
  [[nodiscard]] std::uint16_t number() const noexcept { return port_; }
  [[nodiscard]] std::string text() const { return std::to_string(port_); }

 private:
  reserved_port_detail::socket_fd lock_;
  std::uint16_t port_ = 0;
};

}  // namespace reachback::test
