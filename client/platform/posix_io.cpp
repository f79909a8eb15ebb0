// SPDX-License-Identifier: MIT
#include "client/platform/posix_io.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <span>

namespace reachback::client::platform {

unique_fd& unique_fd::operator=(unique_fd&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void unique_fd::reset() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::error_code last_error() noexcept { return {errno, std::generic_category()}; }

std::optional<std::string> read_small_file(const std::string& path) {
  const unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  std::string content;
  std::array<char, 4096> chunk{};
  for (;;) {
    const ssize_t n = ::read(fd.get(), chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) return content;
    content.append(chunk.data(), static_cast<std::size_t>(n));
  }
}

std::error_code set_int_option(int fd, int level, int name, int value) noexcept {
  if (::setsockopt(fd, level, name, &value, sizeof value) != 0) return last_error();
  return {};
}

const sockaddr* socket_address::get() const noexcept {
  return reinterpret_cast<const sockaddr*>(&storage);
}

sockaddr* socket_address::get() noexcept { return reinterpret_cast<sockaddr*>(&storage); }

socket_address make_socket_address(const ip_literal& ip, std::uint16_t port) noexcept {
  socket_address out;
  if (ip.family == AF_INET) {
    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    std::memcpy(&v4.sin_addr, ip.bytes.data(), sizeof v4.sin_addr);
    std::memcpy(&out.storage, &v4, sizeof v4);
    out.length = sizeof v4;
  } else {
    sockaddr_in6 v6{};
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    std::memcpy(&v6.sin6_addr, ip.bytes.data(), sizeof v6.sin6_addr);
    std::memcpy(&out.storage, &v6, sizeof v6);
    out.length = sizeof v6;
  }
  return out;
}

std::optional<std::pair<ip_literal, std::uint16_t>> split_socket_address(
    const sockaddr* address) noexcept {
  if (address == nullptr) return std::nullopt;
  // Copy into the concrete type instead of casting: the caller's buffer need
  // not be aligned for sockaddr_in6 (getifaddrs hands out plain sockaddr*).
  sa_family_t family = 0;
  std::memcpy(&family, address, sizeof family);  // sa_family leads every sockaddr on Linux
  if (family == AF_INET) {
    sockaddr_in v4{};
    std::memcpy(&v4, address, sizeof v4);
    const auto* raw = reinterpret_cast<const std::uint8_t*>(&v4.sin_addr);
    auto ip = ip_from_bytes(AF_INET, std::span(raw, sizeof v4.sin_addr));
    return std::pair{*ip, ntohs(v4.sin_port)};
  }
  if (family == AF_INET6) {
    sockaddr_in6 v6{};
    std::memcpy(&v6, address, sizeof v6);
    const auto* raw = reinterpret_cast<const std::uint8_t*>(&v6.sin6_addr);
    auto ip = ip_from_bytes(AF_INET6, std::span(raw, sizeof v6.sin6_addr));
    return std::pair{*ip, ntohs(v6.sin6_port)};
  }
  return std::nullopt;
}

std::error_code enable_fast_open_connect(int fd) noexcept {
  return set_int_option(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, 1);
}

}  // namespace reachback::client::platform
