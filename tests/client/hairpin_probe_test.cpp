// SPDX-License-Identifier: MIT
// The hairpin connection on loopback: probe-client's own listener proves it
// came back; anything else that accepts is another device; a closed port
// refuses; and a failure on this host is told apart from the network's answer.
#include "client/hairpin_probe.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <tuple>
#include <vector>
#include <ostream>

#include "client/agent_listener.hpp"
#include "client/udp_agent.hpp"
#include "common/asio_compat.hpp"
#include "common/messages.hpp"
#include "tests/support/reserved_port.hpp"

namespace reachback::client {
namespace {

using asio::ip::tcp;
using namespace std::chrono_literals;

const std::string nonce = "0123456789abcdef0123456789abcdef";

/// Runs the hairpin probe to 127.0.0.1:`port` on `ctx`.
hairpin_evidence probe(asio::io_context& ctx, std::uint16_t port, const std::string& expected_proof,
                       std::chrono::milliseconds deadline = 2s) {
  return run_hairpin_probe(ctx, {"127.0.0.1", port, expected_proof, transport::tcp, ""}, deadline);
}

/// A listening socket on 127.0.0.1 that never accepts: the kernel completes
/// the handshake, and nothing is ever sent.
struct silent_listener {
  explicit silent_listener(asio::io_context& ctx) : acceptor(ctx, {asio::ip::make_address("127.0.0.1"), 0}) {}
  [[nodiscard]] std::uint16_t port() const { return acceptor.local_endpoint().port(); }
  tcp::acceptor acceptor;
};

/// Accepts one connection and writes `text` to it: a server that is not ours.
asio::awaitable<void> serve_once(tcp::acceptor& acceptor, std::string text) {
  auto [ec, socket] = co_await acceptor.async_accept(use_nothrow);
  if (ec) co_return;
  co_await asio::async_write(socket, asio::buffer(text), use_nothrow);
}

TEST(probe_hairpin, probe_clients_listener_proves_the_connection_came_back) {
  asio::io_context ctx{1};
  agent_listener agent(ctx.get_executor());
  const test::reserved_tcp_port reserved;  // held for the test, bindable by the agent
  const auto port = reserved.number();
  ASSERT_FALSE(agent.open(port));
  agent.start(nonce);
  const auto h = probe(ctx, port, protocol::proof_line(nonce));
  EXPECT_EQ(h.outcome, hairpin_outcome::looped_back) << h.error;
  EXPECT_EQ(h.target, "127.0.0.1:" + std::to_string(port));
  agent.close();
}

TEST(probe_hairpin, another_server_is_not_this_host) {
  asio::io_context ctx{1};
  tcp::acceptor acceptor(ctx, {asio::ip::make_address("127.0.0.1"), 0});
  asio::co_spawn(ctx, serve_once(acceptor, "SSH-2.0-router\r\n"), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  EXPECT_EQ(probe(ctx, acceptor.local_endpoint().port(), protocol::proof_line(nonce)).outcome,
            hairpin_outcome::other_peer);
}

TEST(probe_hairpin, a_peer_that_stays_silent_until_the_deadline_is_not_this_host) {
  asio::io_context ctx{1};
  const silent_listener listener(ctx);
  const auto h = probe(ctx, listener.port(), protocol::proof_line(nonce), 200ms);
  EXPECT_EQ(h.outcome, hairpin_outcome::other_peer);
  EXPECT_GE(h.elapsed_ms, 150);
}

TEST(probe_hairpin, without_our_listener_an_accept_proves_nothing) {
  asio::io_context ctx{1};
  const silent_listener listener(ctx);
  EXPECT_EQ(probe(ctx, listener.port(), "").outcome, hairpin_outcome::connected);
}

TEST(probe_hairpin, a_closed_port_refuses) {
  asio::io_context ctx{1};
  silent_listener closed(ctx);
  const auto port = closed.port();
  closed.acceptor.close();
  EXPECT_EQ(probe(ctx, port, protocol::proof_line(nonce), 3s).outcome, hairpin_outcome::refused);
}

TEST(probe_hairpin, an_address_it_cannot_parse_is_a_local_failure) {
  asio::io_context ctx{1};
  const auto result = run_hairpin_probe(ctx, {"not an address", 3000, "", transport::tcp, ""}, 1s);
  EXPECT_EQ(result.outcome, hairpin_outcome::failed);
  EXPECT_EQ(result.error, "not an IP address: not an address");
}

struct failure_case {
  std::string name;
  std::error_code error;
  hairpin_outcome expected;
  friend void PrintTo(const failure_case& c, std::ostream* os) { *os << c.name; }
};

const failure_case failure_cases[] = {
    {"reset", asio::error::connection_refused, hairpin_outcome::refused},
    // Windows' answer to an ICMP port unreachable on a connected UDP socket.
    {"udp_reset", asio::error::connection_reset, hairpin_outcome::refused},
    {"host_unreachable", asio::error::host_unreachable, hairpin_outcome::unreachable},
    {"network_unreachable", asio::error::network_unreachable, hairpin_outcome::unreachable},
    {"kernel_timeout", asio::error::timed_out, hairpin_outcome::timeout},
    {"no_permission_here", asio::error::access_denied, hairpin_outcome::failed},
    {"no_such_family_here", asio::error::address_family_not_supported, hairpin_outcome::failed},
};

class failed_connect_table : public testing::TestWithParam<failure_case> {};

TEST_P(failed_connect_table, tells_the_networks_answer_from_a_local_failure) {
  EXPECT_EQ(failed_connect_outcome(GetParam().error), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(errors, failed_connect_table, testing::ValuesIn(failure_cases),
                         [](const auto& test_info) { return test_info.param.name; });


// --- UDP: one datagram from an ephemeral port, and one back ---

using asio::ip::udp;

/// Sends the probe datagram to 127.0.0.1:`port` and waits for one back.
hairpin_evidence probe_udp(asio::io_context& ctx, std::uint16_t port, const std::string& expected_proof,
                           std::chrono::milliseconds deadline = 2s) {
  return run_hairpin_probe(
      ctx, {"127.0.0.1", port, expected_proof, transport::udp, protocol::udp_probe_line(nonce)}, deadline);
}

/// A UDP socket on 127.0.0.1 that answers each datagram with `reply`, or
/// with the datagram itself when `reply` is empty (an echo server), and
/// records where each came from.
struct udp_peer {
  explicit udp_peer(asio::io_context& ctx) : socket(ctx, {asio::ip::make_address("127.0.0.1"), 0}) {}
  [[nodiscard]] std::uint16_t port() const { return socket.local_endpoint().port(); }
  udp::socket socket;
  std::vector<udp::endpoint> sources;
};

asio::awaitable<void> answer_once(udp_peer& peer, std::string reply) {
  std::array<char, 512> buffer{};
  udp::endpoint source;
  auto [ec, n] = co_await peer.socket.async_receive_from(asio::buffer(buffer), source, use_nothrow);
  if (ec) co_return;
  peer.sources.push_back(source);
  const std::string answer = reply.empty() ? std::string(buffer.data(), n) : reply;
  co_await peer.socket.async_send_to(asio::buffer(answer), source, use_nothrow);
}

void spawn_answer(asio::io_context& ctx, udp_peer& peer, std::string reply) {
  asio::co_spawn(ctx, answer_once(peer, std::move(reply)), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
}

TEST(probe_hairpin_udp, our_agent_proves_the_datagram_came_back) {
  asio::io_context ctx{1};
  udp_agent agent(ctx.get_executor());
  udp_peer spare(ctx);
  const auto port = spare.port();
  spare.socket.close();
  ASSERT_FALSE(agent.open(port));
  agent.start(nonce);
  const auto h = probe_udp(ctx, port, protocol::proof_line(nonce));
  EXPECT_EQ(h.outcome, hairpin_outcome::looped_back) << h.error;
  EXPECT_EQ(h.target, "127.0.0.1:" + std::to_string(port));
  EXPECT_EQ(agent.replies(), 1);
  agent.close();
}

TEST(probe_hairpin_udp, sends_from_an_ephemeral_port_never_the_probed_one) {
  asio::io_context ctx{1};
  udp_peer peer(ctx);
  spawn_answer(ctx, peer, "anything");
  std::ignore = probe_udp(ctx, peer.port(), protocol::proof_line(nonce));
  ASSERT_EQ(peer.sources.size(), 1U);
  EXPECT_NE(peer.sources[0].port(), peer.port());
}

TEST(probe_hairpin_udp, an_echo_server_is_not_this_host) {
  asio::io_context ctx{1};
  udp_peer echo(ctx);
  spawn_answer(ctx, echo, "");
  EXPECT_EQ(probe_udp(ctx, echo.port(), protocol::proof_line(nonce)).outcome, hairpin_outcome::other_peer);
}

TEST(probe_hairpin_udp, without_our_agent_a_reply_is_connected) {
  asio::io_context ctx{1};
  udp_peer server(ctx);
  spawn_answer(ctx, server, "pong");
  EXPECT_EQ(probe_udp(ctx, server.port(), "").outcome, hairpin_outcome::connected);
}

TEST(probe_hairpin_udp, a_closed_port_refuses_with_icmp) {
  asio::io_context ctx{1};
  udp_peer closed(ctx);
  const auto port = closed.port();
  closed.socket.close();
  EXPECT_EQ(probe_udp(ctx, port, protocol::proof_line(nonce)).outcome, hairpin_outcome::refused);
}

TEST(probe_hairpin_udp, silence_is_a_timeout) {
  asio::io_context ctx{1};
  const udp_peer silent(ctx);
  const auto h = probe_udp(ctx, silent.port(), protocol::proof_line(nonce), 200ms);
  EXPECT_EQ(h.outcome, hairpin_outcome::timeout);
  EXPECT_GE(h.elapsed_ms, 150);
}

}  // namespace
}  // namespace reachback::client
