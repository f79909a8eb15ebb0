// SPDX-License-Identifier: MIT
#include "client/agent_listener.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>

#include "common/asio_compat.hpp"
#include "common/messages.hpp"
#include "test_sockets.hpp"

namespace reachback::client {
namespace {

using asio::ip::tcp;
using namespace std::chrono_literals;

const std::string nonce = "0123456789abcdef0123456789abcdef";
const std::string proof = std::string(protocol::proof_prefix) + nonce + "\n";

void rethrow(std::exception_ptr failure) {
  if (failure) std::rethrow_exception(failure);
}

// Connects, reads until the listener closes its side, and keeps the socket
// open in `keep` so the test decides when this side closes.
asio::awaitable<void> fetch_proof(tcp::endpoint listener, std::string& received,
                                  std::optional<tcp::socket>& keep) {
  tcp::socket socket(co_await asio::this_coro::executor);
  auto [connect_error] = co_await socket.async_connect(listener, use_nothrow);
  if (connect_error) co_return;
  std::array<char, 128> buffer{};
  for (;;) {
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(buffer), use_nothrow);
    received.append(buffer.data(), n);
    if (ec) break;
  }
  keep.emplace(std::move(socket));
}

asio::awaitable<void> fetch_and_close(tcp::endpoint listener, std::string& received, int& done) {
  std::optional<tcp::socket> keep;
  co_await fetch_proof(listener, received, keep);
  ++done;
}

// Runs handlers until `ready()` or two seconds pass; true when ready.
template <typename Ready>
bool run_until(asio::io_context& ctx, Ready ready) {
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (!ready() && !ctx.stopped() && std::chrono::steady_clock::now() < deadline) {
    ctx.run_one_until(deadline);
  }
  return ready();
}

TEST(agent_listener, proves_the_nonce_on_ipv4_and_ipv6) {
  asio::io_context ctx{1};
  agent_listener listener(ctx.get_executor());
  const test::reserved_tcp_port reserved;
  const auto port = reserved.number();
  ASSERT_FALSE(listener.open(port));
  listener.start(nonce);
  std::string over_v4;
  std::string over_v6;
  int done = 0;
  asio::co_spawn(ctx, fetch_and_close({asio::ip::make_address("127.0.0.1"), port}, over_v4, done),
                 rethrow);
  asio::co_spawn(ctx, fetch_and_close({asio::ip::make_address("::1"), port}, over_v6, done), rethrow);
  ASSERT_TRUE(run_until(ctx, [&] { return done == 2; }));
  EXPECT_EQ(over_v4, proof);
  EXPECT_EQ(over_v6, proof);
  EXPECT_EQ(listener.accepted(), 2);
  listener.close();
  ctx.run_for(1s);
  EXPECT_TRUE(ctx.stopped());  // close() left no work behind
}

// Connects, writes `first`, and keeps the connection until the test ends.
asio::awaitable<void> send_first(tcp::endpoint listener, std::string first,
                                 std::optional<tcp::socket>& keep) {
  tcp::socket socket(co_await asio::this_coro::executor);
  auto [connect_error] = co_await socket.async_connect(listener, use_nothrow);
  if (connect_error) co_return;
  co_await asio::async_write(socket, asio::buffer(first), use_nothrow);
  keep.emplace(std::move(socket));
}

/// Whether greeted(family) completes true within `limit` once `first` was
/// sent from `from` to an agent proving `nonces`.
bool greeted_over(const agent_nonces& nonces, const char* from, const std::string& first,
                  std::optional<ip_family> family, std::chrono::milliseconds limit) {
  asio::io_context ctx{1};
  agent_listener listener(ctx.get_executor());
  const test::reserved_tcp_port reserved;
  const auto port = reserved.number();
  if (listener.open(port)) return false;
  listener.start(nonces);
  std::optional<tcp::socket> keep;
  std::optional<bool> greeted;
  asio::co_spawn(ctx, send_first({asio::ip::make_address(from), port}, first, keep), rethrow);
  asio::co_spawn(ctx, listener.greeted(family), [&](std::exception_ptr e, bool result) {
    rethrow(e);
    greeted = result;
  });
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!greeted && std::chrono::steady_clock::now() < deadline) ctx.run_one_until(deadline);
  listener.close();
  ctx.run_for(100ms);  // lets the waiter see the close when nothing greeted it
  return greeted.value_or(false);
}

// Whether greeted() completes true within `limit` once `first` was sent.
bool greeted_by(const std::string& first, std::chrono::milliseconds limit) {
  return greeted_over(agent_nonces::same(nonce), "127.0.0.1", first, std::nullopt, limit);
}

TEST(agent_listener, the_relays_greeting_completes_greeted) {
  EXPECT_TRUE(greeted_by(protocol::greeting_line(nonce), 2s));
  EXPECT_TRUE(greeted_by(std::string(protocol::greeting_prefix) + nonce + "\r\n", 2s))
      << "the first line is enough";
}

TEST(agent_listener, anything_else_does_not_greet) {
  EXPECT_FALSE(greeted_by(protocol::greeting_line("ffffffffffffffffffffffffffffffff"), 300ms));
  EXPECT_FALSE(greeted_by("GET / HTTP/1.1\r\n\r\n", 300ms));
  EXPECT_FALSE(greeted_by(std::string(protocol::greeting_prefix) + nonce, 300ms))
      << "an unfinished line is not the greeting";
}

// IPv4 and IPv6 tested at once: each family's relay session has its own
// nonce, and a greeting over one family never answers the other's wait.
const agent_nonces two_families{"0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"};

TEST(agent_listener, each_family_is_greeted_with_its_own_nonce) {
  EXPECT_TRUE(greeted_over(two_families, "127.0.0.1", protocol::greeting_line(two_families.ipv4), ip_family::ipv4, 2s));
  EXPECT_TRUE(greeted_over(two_families, "::1", protocol::greeting_line(two_families.ipv6), ip_family::ipv6, 2s));
}

TEST(agent_listener, a_greeting_over_one_family_leaves_the_other_waiting) {
  EXPECT_FALSE(greeted_over(two_families, "127.0.0.1", protocol::greeting_line(two_families.ipv4), ip_family::ipv6, 300ms));
  EXPECT_FALSE(greeted_over(two_families, "127.0.0.1", protocol::greeting_line(two_families.ipv6), ip_family::ipv4, 300ms))
      << "the IPv6 session's greeting cannot arrive over IPv4";
}

TEST(agent_nonces, a_peer_gets_its_familys_nonce) {
  EXPECT_EQ(two_families.for_peer(asio::ip::make_address("192.0.2.1")), two_families.ipv4);
  EXPECT_EQ(two_families.for_peer(asio::ip::make_address("::ffff:192.0.2.1")), two_families.ipv4);
  EXPECT_EQ(two_families.for_peer(asio::ip::make_address("2001:db8::1")), two_families.ipv6);
}

TEST(agent_listener, close_ends_the_wait_for_a_greeting) {
  asio::io_context ctx{1};
  agent_listener listener(ctx.get_executor());
  ASSERT_FALSE(listener.open(test::reserved_tcp_port().number()));
  listener.start(nonce);
  std::optional<bool> greeted;
  asio::co_spawn(ctx, listener.greeted(), [&](std::exception_ptr e, bool result) {
    rethrow(e);
    greeted = result;
  });
  ctx.poll();
  EXPECT_FALSE(greeted.has_value()) << "nothing greeted it yet";
  listener.close();
  ASSERT_TRUE(run_until(ctx, [&] { return greeted.has_value(); }));
  EXPECT_FALSE(*greeted);
}

TEST(agent_listener, held_port_is_address_in_use) {
  const auto holder = test::listen_on("0.0.0.0");
  asio::io_context ctx{1};
  agent_listener listener(ctx.get_executor());
  EXPECT_EQ(listener.open(holder.port), asio::error::address_in_use);
}

TEST(agent_listener, close_ends_lingering_sessions_at_once) {
  asio::io_context ctx{1};
  agent_listener listener(ctx.get_executor());
  const test::reserved_tcp_port reserved;
  const auto port = reserved.number();
  ASSERT_FALSE(listener.open(port));
  listener.start(nonce);
  std::string received;
  std::optional<tcp::socket> still_open;  // never sends its FIN
  asio::co_spawn(ctx, fetch_proof({asio::ip::make_address("127.0.0.1"), port}, received, still_open),
                 rethrow);
  ASSERT_TRUE(run_until(ctx, [&] { return still_open.has_value(); }));
  ASSERT_EQ(received, proof);
  listener.close();
  // Not the 2 s linger: the close itself ends the session, so running only
  // what is ready, without waiting for any timer, leaves no work behind.
  while (ctx.poll() != 0) {
  }
  EXPECT_TRUE(ctx.stopped());
}

TEST(agent_listener, destroyed_while_accepting) {
  asio::io_context ctx{1};
  {
    agent_listener listener(ctx.get_executor());
    ASSERT_FALSE(listener.open(test::reserved_tcp_port().number()));
    listener.start(nonce);
  }
  ctx.run_for(1s);
  EXPECT_TRUE(ctx.stopped());
}

TEST(agent_listener, start_without_open_does_nothing) {
  asio::io_context ctx{1};
  agent_listener listener(ctx.get_executor());
  listener.start(nonce);
  ctx.run_for(100ms);
  EXPECT_TRUE(ctx.stopped());
  EXPECT_EQ(listener.accepted(), 0);
}

}  // namespace
}  // namespace reachback::client
