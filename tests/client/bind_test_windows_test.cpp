// SPDX-License-Identifier: MIT
// The Windows bind test on real sockets, run under Wine (whose sockets are
// the host's). What Wine answers for a port held with SO_EXCLUSIVEADDRUSE
// differs from Windows; that test says both.
#include "client/platform/bind_test.hpp"

#include <gtest/gtest.h>

#include "windows_test_support.hpp"

namespace reachback::client::platform {
namespace {

using test::held_port;
using test::running_under_wine;
using bind_test_windows = test::winsock_test;

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

TEST_F(bind_test_windows, a_bound_udp_socket_holds_the_udp_port) {
  const held_port bound("0.0.0.0", 0, false, transport::udp);
  ASSERT_NE(bound.port(), 0);
  EXPECT_EQ(try_bind_wildcard(4, bound.port(), transport::udp), bind_result::in_use);
}

TEST_F(bind_test_windows, a_free_udp_port_binds) {
  held_port probe("0.0.0.0", 0, false, transport::udp);
  ASSERT_NE(probe.port(), 0);
  probe.close();
  EXPECT_EQ(try_bind_wildcard(4, probe.port(), transport::udp), bind_result::ok);
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
