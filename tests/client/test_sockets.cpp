// SPDX-License-Identifier: MIT
#include "test_sockets.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include <gtest/gtest.h>

namespace reachback::client::test {

using platform::unique_fd;

namespace {

constexpr int one_second_ms = 1000;

std::uint16_t local_port_of(int fd) {
  platform::socket_address local;
  local.length = sizeof local.storage;
  if (::getsockname(fd, local.get(), &local.length) != 0) return 0;
  const auto split = platform::split_socket_address(local.get());
  return split ? split->second : std::uint16_t{0};
}

}  // namespace

listening_socket listen_on(const std::string& address, std::uint16_t port, bool dual_stack) {
  const auto ip = platform::parse_ip(address);
  EXPECT_TRUE(ip) << address;
  if (!ip) return {};
  unique_fd fd(::socket(ip->family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  EXPECT_TRUE(fd);
  EXPECT_FALSE(platform::set_int_option(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1));
  if (ip->family == AF_INET6) {
    EXPECT_FALSE(platform::set_int_option(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, dual_stack ? 0 : 1));
  }
  const auto bound = platform::make_socket_address(*ip, port);
  const bool ok = ::bind(fd.get(), bound.get(), bound.length) == 0 && ::listen(fd.get(), 8) == 0;
  EXPECT_TRUE(ok) << "listen on " << address << ":" << port << ": " << platform::last_error().message();
  if (!ok) return {};
  const auto actual = local_port_of(fd.get());
  return {std::move(fd), actual};
}

listening_socket bind_udp(const std::string& address, std::uint16_t port, bool dual_stack) {
  const auto ip = platform::parse_ip(address);
  EXPECT_TRUE(ip) << address;
  if (!ip) return {};
  unique_fd fd(::socket(ip->family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  EXPECT_TRUE(fd);
  if (ip->family == AF_INET6) {
    EXPECT_FALSE(platform::set_int_option(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, dual_stack ? 0 : 1));
  }
  const auto bound = platform::make_socket_address(*ip, port);
  const bool ok = ::bind(fd.get(), bound.get(), bound.length) == 0;
  EXPECT_TRUE(ok) << "bind UDP " << address << ":" << port << ": " << platform::last_error().message();
  if (!ok) return {};
  const auto actual = local_port_of(fd.get());
  return {std::move(fd), actual};
}

unique_fd connect_to(const std::string& address, std::uint16_t port, std::error_code& ec,
                     const std::string& source) {
  const auto ip = platform::parse_ip(address);
  unique_fd fd(::socket(ip->family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  const auto peer = platform::make_socket_address(*ip, port);
  ec.clear();
  if (!source.empty()) {
    const auto local = platform::make_socket_address(*platform::parse_ip(source), 0);
    if (::bind(fd.get(), local.get(), local.length) != 0) {
      ec = platform::last_error();
      return {};
    }
  }
  if (::connect(fd.get(), peer.get(), peer.length) != 0 && errno != EINPROGRESS) {
    ec = platform::last_error();
    return {};
  }
  pollfd writable{fd.get(), POLLOUT, 0};
  if (::poll(&writable, 1, one_second_ms) != 1) {
    ec = std::make_error_code(std::errc::timed_out);
    return {};
  }
  int error = 0;
  socklen_t length = sizeof error;
  ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &length);
  if (error != 0) {
    ec = std::error_code(error, std::generic_category());
    return {};
  }
  return fd;
}

std::string read_all(int fd, std::size_t limit) {
  std::string data;
  while (data.size() < limit) {
    pollfd readable{fd, POLLIN, 0};
    if (::poll(&readable, 1, one_second_ms) != 1) break;
    std::array<char, 256> chunk{};
    const ssize_t n = ::recv(fd, chunk.data(), chunk.size(), 0);
    if (n <= 0) break;
    data.append(chunk.data(), static_cast<std::size_t>(n));
  }
  return data;
}

}  // namespace reachback::client::test
