// SPDX-License-Identifier: MIT
// find_listeners on Windows, run under Wine. Wine fills the TCP table from
// the host's sockets but gives every one pid 0, so under Wine the owner is
// hidden; real Windows names this test's own process instead. Each test
// checks the answer of the system it runs on, and says which that is.
#include "client/platform/port_owners.hpp"

#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "client/platform/owner_table.hpp"

namespace reachback::client::platform {
namespace {

bool running_under_wine() {
  const HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

class winsock : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    WSADATA data{};
    ASSERT_EQ(WSAStartup(MAKEWORD(2, 2), &data), 0);
  }
  static void TearDownTestSuite() { WSACleanup(); }
};

class listening_socket {
 public:
  // Listens on a free port of `address` (a loopback literal), no reuse option.
  explicit listening_socket(const char* address) {
    const bool v6 = std::string_view(address).find(':') != std::string_view::npos;
    socket_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (socket_ == INVALID_SOCKET) return;
    sockaddr_storage storage{};
    int length = 0;
    if (v6) {
      const DWORD one = 1;
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
        listen(socket_, 4) != 0 ||
        getsockname(socket_, reinterpret_cast<sockaddr*>(&storage), &length) != 0) {
      close();
      return;
    }
    // The port sits at the same offset in sockaddr_in and sockaddr_in6.
    port_ = ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  }
  ~listening_socket() { close(); }
  listening_socket(const listening_socket&) = delete;
  listening_socket& operator=(const listening_socket&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

  void close() {
    if (socket_ != INVALID_SOCKET) closesocket(socket_);
    socket_ = INVALID_SOCKET;
  }

 private:
  SOCKET socket_ = INVALID_SOCKET;
  std::uint16_t port_ = 0;
};

std::string this_image_name() {
  wchar_t path[MAX_PATH]{};
  const DWORD length = GetModuleFileNameW(nullptr, path, MAX_PATH);
  std::string name;
  // The test binary's name is ASCII.
  for (DWORD i = 0; i < length; ++i) name += static_cast<char>(path[i]);
  return image_name_of(name);
}

void expect_owned_by_this_process(const listeners& found, const std::string& address) {
  if (running_under_wine()) {
    // Wine: pid 0 for every socket, so no owner and owners_hidden.
    EXPECT_TRUE(found.owners.empty());
    EXPECT_TRUE(found.owners_hidden);
    return;
  }
  // Windows: this process, by the name Task Manager shows.
  ASSERT_EQ(found.owners.size(), 1U);
  EXPECT_FALSE(found.owners_hidden);
  EXPECT_EQ(found.owners[0].pid, static_cast<int>(GetCurrentProcessId()));
  EXPECT_EQ(found.owners[0].name, this_image_name());
  EXPECT_FALSE(found.owners[0].access_denied);
  EXPECT_EQ(found.owners[0].addresses, std::vector<std::string>{address});
}

using find_listeners_test = winsock;

TEST_F(find_listeners_test, finds_a_v4_loopback_listener) {
  const listening_socket listener("127.0.0.1");
  ASSERT_NE(listener.port(), 0);
  const auto address = "127.0.0.1:" + std::to_string(listener.port());
  const auto found = find_listeners(listener.port());
  EXPECT_EQ(found.addresses, std::vector<std::string>{address});
  expect_owned_by_this_process(found, address);
}

TEST_F(find_listeners_test, finds_a_v6_loopback_listener) {
  const listening_socket listener("::1");
  ASSERT_FALSE(listener.port() == 0) << "no IPv6 loopback on this host";
  const auto address = "[::1]:" + std::to_string(listener.port());
  const auto found = find_listeners(listener.port());
  EXPECT_EQ(found.addresses, std::vector<std::string>{address});
  expect_owned_by_this_process(found, address);
}

TEST_F(find_listeners_test, a_closed_port_has_no_listener) {
  listening_socket listener("127.0.0.1");
  ASSERT_NE(listener.port(), 0);
  listener.close();
  const auto found = find_listeners(listener.port());
  EXPECT_TRUE(found.addresses.empty());
  EXPECT_TRUE(found.owners.empty());
  EXPECT_FALSE(found.owners_hidden);
}

}  // namespace
}  // namespace reachback::client::platform
