// SPDX-License-Identifier: MIT
// The portproxy target check on loopback: a listening target accepts, a
// refusing one does not, and a target the proxy itself could answer stays
// unknown.
#include "client/proxy_target.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "common/asio_compat.hpp"

namespace reachback::client {
namespace {

using namespace std::chrono_literals;
using asio::ip::tcp;

local_port_evidence with_rule(std::string listen_address, std::uint16_t listen_port, std::string connect_address,
                              std::uint16_t connect_port) {
  local_port_evidence local;
  local.portproxy = {{"v4tov4", std::move(listen_address), listen_port, std::move(connect_address), connect_port}};
  return local;
}

/// A socket bound to 127.0.0.1 on a port of the kernel's choosing, held for
/// the test: listening, it accepts; not listening, it refuses.
struct loopback_port {
  explicit loopback_port(bool listening) : acceptor(ctx) {
    acceptor.open(tcp::v4());
    acceptor.bind({asio::ip::make_address("127.0.0.1"), 0});
    if (listening) acceptor.listen();
  }
  [[nodiscard]] std::uint16_t port() const { return acceptor.local_endpoint().port(); }
  asio::io_context ctx;
  tcp::acceptor acceptor;
};

TEST(proxy_target_accepts, only_asked_with_service_and_a_rule) {
  const loopback_port target(true);
  const auto rule = with_rule("0.0.0.0", 3000, "127.0.0.1", target.port());
  EXPECT_EQ(proxy_target_accepts(rule, probe_mode::automatic, 1s), std::nullopt);
  EXPECT_EQ(proxy_target_accepts({}, probe_mode::service, 1s), std::nullopt);
}

TEST(proxy_target_accepts, a_listening_target_accepts) {
  const loopback_port target(true);
  EXPECT_EQ(proxy_target_accepts(with_rule("0.0.0.0", 3000, "127.0.0.1", target.port()), probe_mode::service, 1s),
            true);
}

TEST(proxy_target_accepts, a_refusing_target_does_not) {
  const loopback_port target(false);
  EXPECT_EQ(proxy_target_accepts(with_rule("0.0.0.0", 3000, "127.0.0.1", target.port()), probe_mode::service, 1s),
            false);
}

TEST(proxy_target_accepts, a_target_the_proxy_itself_could_answer_stays_unknown) {
  const loopback_port target(true);
  const auto port = target.port();
  EXPECT_EQ(proxy_target_accepts(with_rule("0.0.0.0", port, "127.0.0.1", port), probe_mode::service, 1s),
            std::nullopt);
  EXPECT_EQ(proxy_target_accepts(with_rule("*", port, "127.0.0.1", port), probe_mode::service, 1s), std::nullopt);
  EXPECT_EQ(proxy_target_accepts(with_rule("127.0.0.1", port, "127.0.0.1", port), probe_mode::service, 1s),
            std::nullopt);
  // Listening on another address, the proxy cannot take the target's connection.
  EXPECT_EQ(proxy_target_accepts(with_rule("192.0.2.7", port, "127.0.0.1", port), probe_mode::service, 1s), true);
}

TEST(proxy_target_accepts, a_host_name_target_stays_unknown) {
  EXPECT_EQ(proxy_target_accepts(with_rule("0.0.0.0", 3000, "wsl.local", 3000), probe_mode::service, 1s),
            std::nullopt);
}

}  // namespace
}  // namespace reachback::client
