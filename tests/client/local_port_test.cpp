// SPDX-License-Identifier: MIT
#include "client/local_port.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <ostream>

#include "client/platform/posix_io.hpp"
#include "test_sockets.hpp"
#include "unprivileged.hpp"

namespace reachback::client {
namespace {

using test::listen_on;

struct classify_case {
  std::string name;
  bind_result v4;
  bind_result v6;
  std::vector<std::string> addresses;
  bind_state expected;
  friend void PrintTo(const classify_case& c, std::ostream* os) { *os << c.name; }
};

const classify_case classify_cases[] = {
    {"both_free", bind_result::ok, bind_result::ok, {}, bind_state::free},
    {"no_ipv6_on_host", bind_result::ok, bind_result::unavailable, {}, bind_state::free},
    {"any_v4", bind_result::in_use, bind_result::ok, {"0.0.0.0:3000"}, bind_state::held},
    {"dual_stack", bind_result::in_use, bind_result::in_use, {"[::]:3000"}, bind_state::held},
    {"lan_address", bind_result::in_use, bind_result::ok, {"192.168.1.20:3000"}, bind_state::held},
    // The subtle Linux case: 127.0.0.1:P makes the 0.0.0.0:P bind fail.
    {"v4_loopback", bind_result::in_use, bind_result::ok, {"127.0.0.1:3000"}, bind_state::loopback_only},
    {"v6_loopback", bind_result::ok, bind_result::in_use, {"[::1]:3000"}, bind_state::loopback_only},
    {"both_loopbacks", bind_result::in_use, bind_result::in_use,
     {"127.0.0.1:3000", "[::1]:3000"}, bind_state::loopback_only},
    {"mapped_loopback", bind_result::in_use, bind_result::in_use, {"[::ffff:127.0.0.1]:3000"},
     bind_state::loopback_only},
    {"loopback_and_any", bind_result::in_use, bind_result::in_use,
     {"127.0.0.1:3000", "[::]:3000"}, bind_state::held},
    {"in_use_owner_unseen", bind_result::in_use, bind_result::ok, {}, bind_state::held},
    {"privileged_free", bind_result::forbidden, bind_result::forbidden, {}, bind_state::forbidden},
    // EACCES is checked before EADDRINUSE, so the listener list decides.
    {"privileged_held", bind_result::forbidden, bind_result::forbidden, {"0.0.0.0:80"}, bind_state::held},
    {"privileged_loopback", bind_result::forbidden, bind_result::forbidden, {"127.0.0.1:80"},
     bind_state::loopback_only},
};

class classify_bind_table : public testing::TestWithParam<classify_case> {};

TEST_P(classify_bind_table, gives_the_state) {
  const auto& c = GetParam();
  EXPECT_EQ(classify_bind(c.v4, c.v6, c.addresses), c.expected);
}

INSTANTIATE_TEST_SUITE_P(cases, classify_bind_table, testing::ValuesIn(classify_cases),
                         [](const auto& test_info) { return test_info.param.name; });

struct families_case {
  std::string name;
  bind_result v4;
  bind_result v6;
  std::vector<std::string> addresses;
  held_families expected;
  friend void PrintTo(const families_case& c, std::ostream* os) { *os << c.name; }
};

const families_case families_cases[] = {
    {"free", bind_result::ok, bind_result::ok, {}, held_families::unknown},
    {"any_v4", bind_result::in_use, bind_result::ok, {"0.0.0.0:3000"}, held_families::ipv4_only},
    {"v4_owner_unseen", bind_result::in_use, bind_result::ok, {}, held_families::ipv4_only},
    {"dual_stack", bind_result::in_use, bind_result::in_use, {"[::]:3000"}, held_families::both},
    {"v4_and_v6_sockets", bind_result::in_use, bind_result::in_use, {"0.0.0.0:3000", "[::]:3000"},
     held_families::both},
    // IPV6_V6ONLY: the [::] listener leaves 0.0.0.0 free to bind.
    {"v6only_wildcard", bind_result::ok, bind_result::in_use, {"[::]:3000"}, held_families::ipv6_only},
    {"v6_address", bind_result::ok, bind_result::in_use, {"[2001:db8::23]:3000"}, held_families::ipv6_only},
    {"v6_owner_unseen", bind_result::ok, bind_result::in_use, {}, held_families::ipv6_only},
    {"no_ipv6_on_host", bind_result::in_use, bind_result::unavailable, {"0.0.0.0:3000"},
     held_families::ipv4_only},
    // Addresses that contradict the bind tests leave it open.
    {"v4_address_yet_v4_free", bind_result::ok, bind_result::in_use, {"192.168.1.23:3000"},
     held_families::unknown},
    {"mapped_v4_yet_v4_free", bind_result::ok, bind_result::in_use, {"[::ffff:192.168.1.23]:3000"},
     held_families::unknown},
    {"v6_address_yet_v6_free", bind_result::in_use, bind_result::ok, {"[2001:db8::23]:3000"},
     held_families::unknown},
    // EACCES before EADDRINUSE: only addresses of one family decide.
    {"privileged_v4", bind_result::forbidden, bind_result::forbidden, {"0.0.0.0:80"}, held_families::ipv4_only},
    {"privileged_v6_address", bind_result::forbidden, bind_result::forbidden, {"[2001:db8::23]:80"},
     held_families::ipv6_only},
    {"privileged_v6_wildcard_may_be_dual_stack", bind_result::forbidden, bind_result::forbidden, {"[::]:80"},
     held_families::unknown},
    {"privileged_unseen", bind_result::forbidden, bind_result::forbidden, {}, held_families::unknown},
};

class classify_families_table : public testing::TestWithParam<families_case> {};

TEST_P(classify_families_table, gives_the_families) {
  const auto& c = GetParam();
  EXPECT_EQ(classify_families(c.v4, c.v6, c.addresses), c.expected);
}

INSTANTIATE_TEST_SUITE_P(cases, classify_families_table, testing::ValuesIn(families_cases),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(check_local_port, free_port) {
  const test::reserved_tcp_port reserved;
  const auto port = reserved.number();
  const auto evidence = check_local_port(port, {});
  EXPECT_EQ(evidence.port, port);
  EXPECT_EQ(evidence.state, bind_state::free);
  EXPECT_TRUE(evidence.owners.empty());
  EXPECT_FALSE(evidence.owners_hidden);
  EXPECT_FALSE(evidence.squatter);
}

TEST(check_local_port, v4_loopback_listener_is_loopback_only) {
  const auto listener = listen_on("127.0.0.1");
  const auto evidence = check_local_port(listener.port, {});
  EXPECT_EQ(evidence.state, bind_state::loopback_only);
  ASSERT_EQ(evidence.owners.size(), 1u);
  EXPECT_EQ(evidence.owners[0].pid, ::getpid());
  EXPECT_EQ(evidence.owners[0].addresses,
            std::vector<std::string>{"127.0.0.1:" + std::to_string(listener.port)});
}

TEST(check_local_port, v6_loopback_listener_is_loopback_only) {
  const auto listener = listen_on("::1");
  EXPECT_EQ(check_local_port(listener.port, {}).state, bind_state::loopback_only);
}

TEST(check_local_port, wildcard_listeners_hold_the_port) {
  const auto v4 = listen_on("0.0.0.0");
  EXPECT_EQ(check_local_port(v4.port, {}).state, bind_state::held);
  const auto dual = listen_on("::", 0, /*dual_stack=*/true);
  EXPECT_EQ(check_local_port(dual.port, {}).state, bind_state::held);
}

TEST(check_local_port, tells_the_families_a_listener_holds) {
  const auto v4 = listen_on("0.0.0.0");
  EXPECT_EQ(check_local_port(v4.port, {}).held_in, held_families::ipv4_only);
  const auto v6only = listen_on("::");
  const auto v6 = check_local_port(v6only.port, {});
  EXPECT_EQ(v6.state, bind_state::held);
  EXPECT_EQ(v6.held_in, held_families::ipv6_only);
  const auto dual = listen_on("::", 0, /*dual_stack=*/true);
  EXPECT_EQ(check_local_port(dual.port, {}).held_in, held_families::both);
}

TEST(check_local_port, names_a_known_squatter) {
  const auto listener = listen_on("0.0.0.0");
  const auto name = platform::read_small_file("/proc/self/comm").value_or("");
  config::squatter squatter;
  squatter.id = "test-squatter";
  squatter.process_names = {name.substr(0, name.find('\n'))};
  squatter.description = "the test binary itself";
  squatter.fix = {"stop holding {port}"};
  const auto evidence = check_local_port(listener.port, {squatter});
  ASSERT_TRUE(evidence.squatter);
  EXPECT_EQ(evidence.squatter->id, "test-squatter");
  EXPECT_EQ(evidence.squatter->fix,
            std::vector<std::string>{"stop holding " + std::to_string(listener.port)});
}

TEST(check_local_port, unprivileged_sees_hidden_owner_and_forbidden_port) {
  const auto listener = listen_on("0.0.0.0");
  // A privileged port nobody listens on: the bind test as nobody gets EACCES.
  std::uint16_t privileged = 0;
  for (std::uint16_t candidate = 1000; candidate > 900 && privileged == 0; --candidate) {
    if (check_local_port(candidate, {}).state == bind_state::free) privileged = candidate;
  }
  ASSERT_NE(privileged, 0);
  const auto text = test::run_unprivileged([&] {
    const auto held = check_local_port(listener.port, {});
    const auto forbidden = check_local_port(privileged, {});
    return std::to_string(static_cast<int>(held.state)) + " " + std::to_string(held.owners.size()) +
           " " + std::to_string(held.owners_hidden) + " " +
           std::to_string(static_cast<int>(forbidden.state));
  });
  ASSERT_TRUE(text);
  const std::string expected = std::to_string(static_cast<int>(bind_state::held)) + " 0 1 " +
                               std::to_string(static_cast<int>(bind_state::forbidden));
  EXPECT_EQ(*text, expected);
}


// --- UDP: any bound socket holds the port ---

TEST(check_local_port, udp_free_port) {
  const test::reserved_udp_port reserved;
  const auto port = reserved.number();
  const auto evidence = check_local_port(port, {}, transport::udp);
  EXPECT_EQ(evidence.state, bind_state::free);
  EXPECT_TRUE(evidence.owners.empty());
}

TEST(check_local_port, udp_socket_holds_the_port_and_is_named) {
  const auto bound = test::bind_udp("0.0.0.0");
  const auto evidence = check_local_port(bound.port, {}, transport::udp);
  EXPECT_EQ(evidence.state, bind_state::held);
  EXPECT_EQ(evidence.held_in, held_families::ipv4_only);
  ASSERT_EQ(evidence.owners.size(), 1u);
  EXPECT_EQ(evidence.owners[0].pid, ::getpid());
  EXPECT_EQ(evidence.owners[0].addresses, std::vector<std::string>{"0.0.0.0:" + std::to_string(bound.port)});
  // The TCP port of the same number is another port.
  EXPECT_EQ(check_local_port(bound.port, {}, transport::tcp).owners.size(), 0u);
}

TEST(check_local_port, udp_dual_stack_socket_holds_both_families) {
  const auto bound = test::bind_udp("::", 0, /*dual_stack=*/true);
  const auto evidence = check_local_port(bound.port, {}, transport::udp);
  EXPECT_EQ(evidence.state, bind_state::held);
  EXPECT_EQ(evidence.held_in, held_families::both);
}

TEST(check_local_port, udp_loopback_socket_is_loopback_only) {
  const auto v4 = test::bind_udp("127.0.0.1");
  EXPECT_EQ(check_local_port(v4.port, {}, transport::udp).state, bind_state::loopback_only);
  const auto v6 = test::bind_udp("::1");
  EXPECT_EQ(check_local_port(v6.port, {}, transport::udp).state, bind_state::loopback_only);
}

TEST(check_local_port, udp_holder_with_reuseaddr_still_holds) {
  // avahi-daemon sets SO_REUSEADDR on 5353; a bind test that set it too
  // would share the port and call it free.
  const auto bound = test::bind_udp("0.0.0.0");
  EXPECT_FALSE(platform::set_int_option(bound.fd.get(), SOL_SOCKET, SO_REUSEADDR, 1));
  EXPECT_EQ(check_local_port(bound.port, {}, transport::udp).state, bind_state::held);
}

TEST(check_local_port, udp_squatter_matches_only_as_udp) {
  const auto bound = test::bind_udp("0.0.0.0");
  const auto name = platform::read_small_file("/proc/self/comm").value_or("");
  config::squatter squatter;
  squatter.id = "udp-squatter";
  squatter.process_names = {name.substr(0, name.find('\n'))};
  squatter.protocol = transport::udp;
  squatter.description = "the test binary itself";
  squatter.fix = {"stop holding {port}"};
  const auto evidence = check_local_port(bound.port, {squatter}, transport::udp);
  ASSERT_TRUE(evidence.squatter);
  EXPECT_EQ(evidence.squatter->id, "udp-squatter");
  squatter.protocol = transport::tcp;
  EXPECT_FALSE(check_local_port(bound.port, {squatter}, transport::udp).squatter);
}

}  // namespace
}  // namespace reachback::client
