// SPDX-License-Identifier: MIT
// The Windows bind test on real sockets, run under Wine (whose sockets are
// the host's). What Wine answers for a port held with SO_EXCLUSIVEADDRUSE
// differs from Windows; that test says both.
#include "client/platform/bind_test.hpp"

#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include <gtest/gtest.h>

#include <cstring>
#include <string_view>

namespace reachback::client::platform {
namespace {

bool running_under_wine() {
  const HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

class bind_test_windows : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    WSADATA data{};
    ASSERT_EQ(WSAStartup(MAKEWORD(2, 2), &data), 0);
  }
  static void TearDownTestSuite() { WSACleanup(); }
};

// A socket bound to `address` on a free port, listening unless told not to.
// `option` is set to 1 before the bind when it is not 0.
class held_port {
 public:
  held_port(const char* address, int option, bool listening = true) {
    const bool v6 = std::string_view(address).find(':') != std::string_view::npos;
    socket_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (socket_ == INVALID_SOCKET) return;
    const DWORD one = 1;
    if (option != 0)
      setsockopt(socket_, SOL_SOCKET, option, reinterpret_cast<const char*>(&one), sizeof(one));
    sockaddr_storage storage{};
    int length = 0;
    if (v6) {
      setsockopt(socket_, IPPROTO_IPV6, IPV6_V6ONLY, reinterpret_cast<const char*>(&one),
                 sizeof(one));
      sockaddr_in6 bound{};
      bound.sin6_family = AF_INET6;
      inet_pton(AF_INET6, address, &bound.sin6_addr);
      std::memcpy(&storage, &bound, sizeof(bound));
      length = sizeof(bound);
    } else {
      sockaddr_in bound{};
      bound.sin_family = AF_INET;
      inet_pton(AF_INET, address, &bound.sin_addr);
      std::memcpy(&storage, &bound, sizeof(bound));
      length = sizeof(bound);
    }
    if (bind(socket_, reinterpret_cast<const sockaddr*>(&storage), length) != 0 ||
        (listening && listen(socket_, 4) != 0) ||
        getsockname(socket_, reinterpret_cast<sockaddr*>(&storage), &length) != 0) {
      close();
      return;
    }
    // The port sits at the same offset in sockaddr_in and sockaddr_in6.
    port_ = ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  }
  ~held_port() { close(); }
  held_port(const held_port&) = delete;
  held_port& operator=(const held_port&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

  void close() {
    if (socket_ != INVALID_SOCKET) closesocket(socket_);
    socket_ = INVALID_SOCKET;
  }

 private:
  SOCKET socket_ = INVALID_SOCKET;
  std::uint16_t port_ = 0;
};

TEST_F(bind_test_windows, a_free_port_binds) {
  held_port probe("0.0.0.0", 0, false);
  ASSERT_NE(probe.port(), 0);
  probe.close();
  EXPECT_EQ(try_bind_wildcard(4, probe.port()), bind_result::ok);
  // Binding closes at once: the port is free again for the next test.
  EXPECT_EQ(try_bind_wildcard(4, probe.port()), bind_result::ok);
}

TEST_F(bind_test_windows, a_port_a_listener_holds_is_in_use) {
  // A server with no reuse option: WSAEADDRINUSE (10048).
  const held_port server("0.0.0.0", 0);
  ASSERT_NE(server.port(), 0);
  EXPECT_EQ(try_bind_wildcard(4, server.port()), bind_result::in_use);
}

TEST_F(bind_test_windows, a_loopback_listener_blocks_the_wildcard_bind) {
  const held_port server("127.0.0.1", 0);
  ASSERT_NE(server.port(), 0);
  EXPECT_EQ(try_bind_wildcard(4, server.port()), bind_result::in_use);
}

TEST_F(bind_test_windows, a_port_held_with_reuse_is_still_in_use) {
  // SO_REUSEADDR on the holder lets another SO_REUSEADDR bind share it; the
  // exclusive bind of the test still sees the holder.
  const held_port server("0.0.0.0", SO_REUSEADDR);
  ASSERT_NE(server.port(), 0);
  EXPECT_EQ(try_bind_wildcard(4, server.port()), bind_result::in_use);
}

TEST_F(bind_test_windows, a_port_held_exclusively_is_forbidden_under_wine) {
  const held_port server("0.0.0.0", SO_EXCLUSIVEADDRUSE);
  ASSERT_NE(server.port(), 0);
  if (running_under_wine()) {
    // Wine 8 answers any bind onto a port held with SO_EXCLUSIVEADDRUSE with
    // WSAEACCES (10013), listening or not: the only way to get 10013 here.
    EXPECT_EQ(try_bind_wildcard(4, server.port()), bind_result::forbidden);
  } else {
    // Windows' sharing table gives an exclusive wildcard bind onto an
    // exclusive holder WSAEADDRINUSE; older Winsock texts name WSAEACCES for
    // exclusive holders. Either way the port is not free.
    EXPECT_NE(try_bind_wildcard(4, server.port()), bind_result::ok);
  }
}

TEST_F(bind_test_windows, families_are_tested_apart) {
  const held_port server("::", SO_EXCLUSIVEADDRUSE);
  ASSERT_FALSE(server.port() == 0) << "no IPv6 on this host";
  EXPECT_NE(try_bind_wildcard(6, server.port()), bind_result::ok);
  // The holder is IPv6-only, so the IPv4 wildcard is free.
  EXPECT_EQ(try_bind_wildcard(4, server.port()), bind_result::ok);
}

TEST_F(bind_test_windows, a_free_v6_port_binds_when_the_host_has_ipv6) {
  held_port probe("::", 0, false);
  ASSERT_FALSE(probe.port() == 0) << "no IPv6 on this host";
  probe.close();
  EXPECT_EQ(try_bind_wildcard(6, probe.port()), bind_result::ok);
}

}  // namespace
}  // namespace reachback::client::platform
