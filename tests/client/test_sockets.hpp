// SPDX-License-Identifier: MIT
#pragma once
// Loopback socket helpers for the client tests. Blocking POSIX calls with
// explicit timeouts, so no test can hang.

#include <cstdint>
#include <string>
#include <system_error>

#include "client/platform/posix_io.hpp"
#include "tests/support/reserved_port.hpp"

namespace reachback::client::test {

/// A listening TCP socket and the port it got.
struct listening_socket {
  platform::unique_fd fd;
  std::uint16_t port = 0;
};

/// Listens on `address` ("127.0.0.1", "::1", "::") and `port` (0: any free
/// one) with SO_REUSEADDR; IPv6 sockets are IPv6-only unless `dual_stack`.
/// Fails the calling test (and returns an empty fd) if that is not possible.
[[nodiscard]] listening_socket listen_on(const std::string& address, std::uint16_t port = 0,
                                         bool dual_stack = false);

/// A UDP socket bound to `address` and `port` (0: any free one), without
/// SO_REUSEADDR, as a UDP server binds; IPv6 ones are IPv6-only unless
/// `dual_stack`. Fails the calling test if that is not possible.
[[nodiscard]] listening_socket bind_udp(const std::string& address, std::uint16_t port = 0, bool dual_stack = false);

/// Ports held for the test, so no test running beside it can take them.
using reachback::test::reserved_tcp_port;
using reachback::test::reserved_udp_port;

/// Connects to `address`:`port` from `source` (any when empty), giving up
/// after one second; the error if it did not connect (e.g. connection_refused).
[[nodiscard]] platform::unique_fd connect_to(const std::string& address, std::uint16_t port,
                                             std::error_code& ec, const std::string& source = "");

/// Reads until EOF or `limit` bytes, each read waiting at most one second.
[[nodiscard]] std::string read_all(int fd, std::size_t limit = 256);

}  // namespace reachback::client::test
