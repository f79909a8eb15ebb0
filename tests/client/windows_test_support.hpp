// SPDX-License-Identifier: MIT
#pragma once
// Support for the Windows-only client tests, which run on Windows and under
// Wine: telling the two apart, Winsock for a test suite, and a socket that
// holds a free port. Header-only; included by the *_windows_test.cpp files,
// for which it also brings in the Windows and Winsock headers in the order
// Winsock needs (winsock2.h before windows.h).

#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string_view>

#include "common/evidence.hpp"

namespace reachback::client::platform::test {

/// True under Wine, whose ntdll exports wine_get_version; false on Windows.
inline bool running_under_wine() {
  const HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && ::GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

/// A fixture that starts Winsock 2.2 for its test suite and stops it after.
class winsock_test : public testing::Test {
 protected:
  /// Fails the suite if Winsock does not start.
  static void SetUpTestSuite() {
    WSADATA data{};
    ASSERT_EQ(::WSAStartup(MAKEWORD(2, 2), &data), 0);
  }
  /// Balances SetUpTestSuite.
  static void TearDownTestSuite() { ::WSACleanup(); }
};

/// A TCP socket (or with transport::udp a UDP one, never listening) bound to
/// a free port of `address` (an IPv4 or IPv6 literal; IPv6 sockets are
/// IPv6-only), listening unless told not to. `option` (a
/// SOL_SOCKET option such as SO_REUSEADDR or SO_EXCLUSIVEADDRUSE) is set to 1
/// before the bind when it is not 0. port() is 0 if any step failed.
class held_port {
 public:
  /// Binds (and listens) at once; needs Winsock started.
  explicit held_port(const char* address, int option = 0, bool listening = true,
                     transport protocol = transport::tcp) {
    const bool v6 = std::string_view(address).find(':') != std::string_view::npos;
    const bool udp = protocol == transport::udp;
    listening = listening && !udp;
    socket_ = ::socket(v6 ? AF_INET6 : AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, udp ? IPPROTO_UDP : IPPROTO_TCP);
    if (socket_ == INVALID_SOCKET) return;
    const DWORD one = 1;
    if (option != 0) {
      ::setsockopt(socket_, SOL_SOCKET, option, reinterpret_cast<const char*>(&one), sizeof(one));
    }
    sockaddr_storage storage{};
    int length = 0;
    if (v6) {
      ::setsockopt(socket_, IPPROTO_IPV6, IPV6_V6ONLY, reinterpret_cast<const char*>(&one),
                   sizeof(one));
      sockaddr_in6 bound{};
      bound.sin6_family = AF_INET6;
      ::inet_pton(AF_INET6, address, &bound.sin6_addr);
      std::memcpy(&storage, &bound, sizeof(bound));
      length = sizeof(bound);
    } else {
      sockaddr_in bound{};
      bound.sin_family = AF_INET;
      ::inet_pton(AF_INET, address, &bound.sin_addr);
      std::memcpy(&storage, &bound, sizeof(bound));
      length = sizeof(bound);
    }
    if (::bind(socket_, reinterpret_cast<const sockaddr*>(&storage), length) != 0 ||
        (listening && ::listen(socket_, 4) != 0) ||
        ::getsockname(socket_, reinterpret_cast<sockaddr*>(&storage), &length) != 0) {
      close();
      return;
    }
    // The port sits at the same offset in sockaddr_in and sockaddr_in6.
    port_ = ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  }
  /// Closes the socket.
  ~held_port() { close(); }
  held_port(const held_port&) = delete;
  held_port& operator=(const held_port&) = delete;

  /// The port it got; stays known after close().
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

  /// Frees the port now (closing twice is harmless).
  void close() {
    if (socket_ != INVALID_SOCKET) ::closesocket(socket_);
    socket_ = INVALID_SOCKET;
  }

 private:
  SOCKET socket_ = INVALID_SOCKET;
  std::uint16_t port_ = 0;
};

}  // namespace reachback::client::platform::test
