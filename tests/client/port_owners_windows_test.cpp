// SPDX-License-Identifier: MIT
// find_listeners on Windows, run under Wine. Wine fills the TCP table from
// the host's sockets but gives every one pid 0, so under Wine the owner is
// hidden; real Windows names this test's own process instead. Each test
// checks the answer of the system it runs on, and says which that is.
#include "client/platform/port_owners.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "client/platform/owner_table.hpp"
#include "windows_test_support.hpp"

namespace reachback::client::platform {
namespace {

using test::held_port;
using test::running_under_wine;

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

using find_listeners_test = test::winsock_test;

TEST_F(find_listeners_test, finds_a_v4_loopback_listener) {
  const held_port listener("127.0.0.1");
  ASSERT_NE(listener.port(), 0);
  const auto address = "127.0.0.1:" + std::to_string(listener.port());
  const auto found = find_listeners(listener.port());
  EXPECT_EQ(found.addresses, std::vector<std::string>{address});
  expect_owned_by_this_process(found, address);
}

TEST_F(find_listeners_test, finds_a_v6_loopback_listener) {
  const held_port listener("::1");
  ASSERT_FALSE(listener.port() == 0) << "no IPv6 loopback on this host";
  const auto address = "[::1]:" + std::to_string(listener.port());
  const auto found = find_listeners(listener.port());
  EXPECT_EQ(found.addresses, std::vector<std::string>{address});
  expect_owned_by_this_process(found, address);
}

TEST_F(find_listeners_test, finds_a_v4_loopback_udp_socket_in_the_udp_table_only) {
  const held_port bound("127.0.0.1", 0, false, transport::udp);
  ASSERT_NE(bound.port(), 0);
  const auto address = "127.0.0.1:" + std::to_string(bound.port());
  const auto found = find_listeners(bound.port(), transport::udp);
  EXPECT_EQ(found.addresses, std::vector<std::string>{address});
  expect_owned_by_this_process(found, address);
  EXPECT_TRUE(find_listeners(bound.port(), transport::tcp).addresses.empty());
}

TEST_F(find_listeners_test, a_closed_port_has_no_listener) {
  held_port listener("127.0.0.1");
  ASSERT_NE(listener.port(), 0);
  listener.close();
  const auto found = find_listeners(listener.port());
  EXPECT_TRUE(found.addresses.empty());
  EXPECT_TRUE(found.owners.empty());
  EXPECT_FALSE(found.owners_hidden);
}

}  // namespace
}  // namespace reachback::client::platform
