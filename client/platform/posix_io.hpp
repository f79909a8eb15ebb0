// SPDX-License-Identifier: MIT
#pragma once
// The few POSIX pieces the Linux platform files share: an owning file
// descriptor, reading small /proc files, and sockaddr conversion.

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include "client/platform/ip_literal.hpp"

namespace reachback::client::platform {

/// Owns one file descriptor and closes it once.
class unique_fd {
 public:
  unique_fd() noexcept = default;
  /// Takes ownership of `fd` (-1 for none).
  explicit unique_fd(int fd) noexcept : fd_(fd) {}
  ~unique_fd() { reset(); }
  /// Takes over `other`'s descriptor.
  unique_fd(unique_fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  /// Closes the held descriptor and takes over `other`'s.
  unique_fd& operator=(unique_fd&& other) noexcept;
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;

  /// The descriptor, or -1.
  [[nodiscard]] int get() const noexcept { return fd_; }
  /// True when a descriptor is held.
  [[nodiscard]] explicit operator bool() const noexcept { return fd_ >= 0; }
  /// Closes the held descriptor, if any.
  void reset() noexcept;

 private:
  int fd_ = -1;
};

/// errno as a std::error_code (generic category, so it compares with std::errc).
[[nodiscard]] std::error_code last_error() noexcept;

/// The whole content of a small file such as /proc/PID/cmdline; nullopt when
/// it cannot be opened or read (gone, or not ours to read). /proc files report
/// size 0, so this reads until EOF instead of trusting stat.
[[nodiscard]] std::optional<std::string> read_small_file(const std::string& path);

/// Sets an int socket option; the error when it fails.
[[nodiscard]] std::error_code set_int_option(int fd, int level, int name, int value) noexcept;

/// Asks for TCP Fast Open on a socket about to connect: with a cookie from
/// an earlier connection to the same address, connect() returns at once and
/// the first write travels in the SYN; without one, the handshake asks for a
/// cookie. An error leaves an ordinary connect.
[[nodiscard]] std::error_code enable_fast_open_connect(int fd) noexcept;

/// A sockaddr_in / sockaddr_in6 for `ip` and `port`, with its length.
struct socket_address {
  sockaddr_storage storage{};  ///< room for any family
  socklen_t length = 0;        ///< bytes of storage in use
  /// For the socket calls, which take a sockaddr*.
  [[nodiscard]] const sockaddr* get() const noexcept;
  /// For calls that fill the address in (getsockname, recvmsg).
  [[nodiscard]] sockaddr* get() noexcept;
};

/// The socket address for `ip` and `port`.
[[nodiscard]] socket_address make_socket_address(const ip_literal& ip, std::uint16_t port) noexcept;

/// The address and port inside an AF_INET / AF_INET6 sockaddr; nullopt for
/// other families.
[[nodiscard]] std::optional<std::pair<ip_literal, std::uint16_t>> split_socket_address(
    const sockaddr* address) noexcept;

}  // namespace reachback::client::platform
