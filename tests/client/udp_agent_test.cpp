// SPDX-License-Identifier: MIT
// The UDP agent sends only the proof, only in answer to the exact probe
// line, only to its source: anything else it receives gets nothing, so it
// never opens a NAT mapping from the probed port.
#include "client/udp_agent.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <ostream>
#include <string>
#include <vector>

#include "common/asio_compat.hpp"
#include "common/messages.hpp"
#include "test_sockets.hpp"

namespace reachback::client {
namespace {

using asio::ip::udp;
using namespace std::chrono_literals;

const std::string nonce = "0123456789abcdef0123456789abcdef";
const std::string other_nonce = "fedcba9876543210fedcba9876543210";

struct reply_case {
  std::string name;
  std::string datagram;
  bool answered;
  friend void PrintTo(const reply_case& c, std::ostream* os) { *os << c.name; }
};

const reply_case reply_cases[] = {
    {"probe_line", protocol::udp_probe_line(nonce), true},
    {"other_nonce", protocol::udp_probe_line(other_nonce), false},
    {"without_newline", protocol::udp_probe_line(nonce).substr(0, 52), false},
    {"with_trailing_bytes", protocol::udp_probe_line(nonce) + "x", false},
    {"crlf", protocol::udp_probe_line(nonce).substr(0, 52) + "\r\n", false},
    {"proof_line", protocol::proof_line(nonce), false},
    {"tcp_greeting", protocol::greeting_line(nonce), false},
    {"empty", "", false},
    {"dns_query", std::string("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12), false},
};

class udp_agent_reply_table : public testing::TestWithParam<reply_case> {};

TEST_P(udp_agent_reply_table, answers_only_the_exact_probe_line) {
  const auto reply = udp_agent_reply(GetParam().datagram, nonce);
  EXPECT_EQ(reply.has_value(), GetParam().answered);
  if (reply) {
    EXPECT_EQ(*reply, protocol::proof_line(nonce));
  }
}

INSTANTIATE_TEST_SUITE_P(datagrams, udp_agent_reply_table, testing::ValuesIn(reply_cases),
                         [](const auto& test_info) { return test_info.param.name; });

TEST(udp_agent_reply, no_nonce_answers_nothing) {
  EXPECT_FALSE(udp_agent_reply(protocol::udp_probe_line(""), ""));
}

/// A client socket on loopback that sends datagrams to the agent and reads
/// what comes back.
struct prober {
  prober(asio::io_context& ctx, const std::string& address) : socket(ctx, udp::endpoint(asio::ip::make_address(address), 0)) {}
  udp::socket socket;
};

void send(prober& p, const udp::endpoint& to, const std::string& datagram) {
  p.socket.send_to(asio::buffer(datagram), to);
}

asio::awaitable<void> receive_some(prober& p, std::size_t count, std::vector<std::string>& received) {
  std::array<char, 512> buffer{};
  while (received.size() < count) {
    auto [ec, n] = co_await p.socket.async_receive(asio::buffer(buffer), use_nothrow);
    if (ec) co_return;
    received.emplace_back(buffer.data(), n);
  }
}

// Runs until `count` datagrams came back, or two seconds pass.
std::vector<std::string> receive(asio::io_context& ctx, prober& p, std::size_t count) {
  std::vector<std::string> received;
  bool done = false;
  asio::co_spawn(ctx, receive_some(p, count, received), [&done](std::exception_ptr e) {
    done = true;
    if (e) std::rethrow_exception(e);
  });
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  ctx.restart();
  while (!done && ctx.run_one_until(deadline) != 0) {
  }
  // Past the deadline: cancelling the read ends the coroutine at once.
  p.socket.cancel();
  while (!done && ctx.run_one() != 0) {
  }
  return received;
}

TEST(udp_agent, answers_the_probe_on_ipv4_and_ipv6_and_nothing_before_it) {
  asio::io_context ctx{1};
  udp_agent agent(ctx.get_executor());
  const test::reserved_udp_port reserved;
  const auto port = reserved.number();
  ASSERT_FALSE(agent.open(port));
  agent.start(nonce);
  for (const std::string address : {"127.0.0.1", "::1"}) {
    prober p(ctx, address);
    const udp::endpoint to(asio::ip::make_address(address), port);
    // Loopback keeps the order of one socket's datagrams: had any of these
    // been answered, its answer would come back before the proof.
    for (const auto& junk : {protocol::udp_probe_line(other_nonce), std::string("hello"),
                             protocol::udp_probe_line(nonce) + "x", protocol::proof_line(nonce)}) {
      send(p, to, junk);
    }
    send(p, to, protocol::udp_probe_line(nonce));
    const auto received = receive(ctx, p, 1);
    ASSERT_EQ(received.size(), 1U) << address;
    EXPECT_EQ(received[0], protocol::proof_line(nonce)) << address;
  }
  EXPECT_EQ(agent.replies(), 2);
  agent.close();
}

TEST(udp_agent, answers_each_repeat_of_the_probe_up_to_its_bound) {
  asio::io_context ctx{1};
  udp_agent agent(ctx.get_executor());
  const test::reserved_udp_port reserved;
  const auto port = reserved.number();
  ASSERT_FALSE(agent.open(port));
  agent.start(nonce);
  prober p(ctx, "127.0.0.1");
  const udp::endpoint to(asio::ip::make_address("127.0.0.1"), port);
  for (int i = 0; i < udp_agent::max_replies + 4; ++i) send(p, to, protocol::udp_probe_line(nonce));
  // Waits for one more than the bound: the receive gives up after its two
  // seconds with the bound's worth and no more.
  const auto received = receive(ctx, p, udp_agent::max_replies + 1);
  EXPECT_EQ(received.size(), static_cast<std::size_t>(udp_agent::max_replies));
  EXPECT_EQ(agent.replies(), udp_agent::max_replies);
  agent.close();
}

TEST(udp_agent, a_held_port_fails_to_open) {
  asio::io_context ctx{1};
  const auto holder = test::bind_udp("0.0.0.0");
  udp_agent agent(ctx.get_executor());
  EXPECT_EQ(agent.open(holder.port), asio::error::address_in_use);
}

TEST(udp_agent, close_leaves_no_work_behind) {
  asio::io_context ctx{1};
  udp_agent agent(ctx.get_executor());
  ASSERT_FALSE(agent.open(test::reserved_udp_port().number()));
  agent.start(nonce);
  agent.close();
  ctx.run_for(1s);
  EXPECT_TRUE(ctx.stopped());
}

}  // namespace
}  // namespace reachback::client
