// SPDX-License-Identifier: MIT
#include "client/platform/port_owners.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

#include "client/platform/posix_io.hpp"
#include "test_sockets.hpp"
#include "unprivileged.hpp"

namespace reachback::client::platform {
namespace {

using client::test::listen_on;

std::string own_comm() {
  auto comm = read_small_file("/proc/self/comm").value_or("");
  return comm.substr(0, comm.find('\n'));
}

TEST(find_listeners, finds_this_process) {
  const auto listener = listen_on("127.0.0.1");
  const auto found = find_listeners(listener.port);
  const auto address = "127.0.0.1:" + std::to_string(listener.port);
  EXPECT_EQ(found.addresses, std::vector<std::string>{address});
  EXPECT_FALSE(found.owners_hidden);
  ASSERT_EQ(found.owners.size(), 1u);
  const auto& owner = found.owners[0];
  EXPECT_EQ(owner.pid, ::getpid());
  EXPECT_EQ(owner.name, own_comm());
  EXPECT_NE(owner.cmdline.find("client_tests"), std::string::npos) << owner.cmdline;
  EXPECT_EQ(owner.addresses, std::vector<std::string>{address});
  EXPECT_TRUE(owner.container.empty());
}

TEST(find_listeners, one_owner_with_every_address) {
  const auto v4 = listen_on("127.0.0.1");
  const auto v6 = listen_on("::1", v4.port);
  const auto second = listen_on("127.0.0.2", v4.port);
  const auto port = std::to_string(v4.port);
  const auto found = find_listeners(v4.port);
  ASSERT_EQ(found.owners.size(), 1u);
  EXPECT_EQ(found.addresses.size(), 3u);
  EXPECT_EQ(found.owners[0].addresses, found.addresses);
  for (const auto* expected : {"127.0.0.1:", "127.0.0.2:", "[::1]:"}) {
    const auto text = expected + port;
    EXPECT_NE(std::find(found.addresses.begin(), found.addresses.end(), text), found.addresses.end())
        << text;
  }
}

TEST(find_listeners, nothing_on_a_free_port) {
  const auto found = find_listeners(client::test::reserved_tcp_port().number());
  EXPECT_TRUE(found.owners.empty());
  EXPECT_TRUE(found.addresses.empty());
  EXPECT_FALSE(found.owners_hidden);
}

TEST(find_listeners, other_users_sockets_are_hidden_not_root) {
  const auto listener = listen_on("0.0.0.0");
  const auto text = client::test::run_unprivileged([&] {
    const auto found = find_listeners(listener.port);
    return std::to_string(found.owners.size()) + " " + std::to_string(found.addresses.size()) + " " +
           std::to_string(found.owners_hidden);
  });
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "0 1 1");
}

}  // namespace
}  // namespace reachback::client::platform
